"""The desktop app does not start on a damaged library: the one line goes to stderr and, where a
window can open, into a message box; the exit status is 2."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _damaged(tmp_path) -> tuple[Path, Path]:
    folder = tmp_path / "res"
    shutil.copytree(ROOT / "resources", folder, ignore=shutil.ignore_patterns("fonts", "scenarios"))
    f = folder / "symptoms.toml"
    f.write_text(f.read_text().replace('id = "angioedema"\ngrade = "severe"', 'id = "angioedema"\ngrade = "mild"'))
    return folder, f


def test_the_refusal_shows_the_line_in_a_message_box(qapp, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    from titration.library import resources
    from ui import app

    folder, f = _damaged(tmp_path)
    monkeypatch.setattr(resources, "RESOURCES", str(folder))
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append((box.windowTitle(), box.text())) or 0)
    assert app.refuse_damaged_library() == 2
    assert len(shown) == 1 and shown[0][0] == "The drug library cannot be used"
    assert shown[0][1].startswith(f"error: {f}: symptom[") and "'mild' for angioedema is below severe" in shown[0][1]


def test_a_sound_library_is_not_refused(qapp, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from ui import app

    monkeypatch.setattr(QMessageBox, "exec", lambda box: (_ for _ in ()).throw(AssertionError("no box expected")))
    assert app.refuse_damaged_library() is None


def test_the_app_started_on_a_damaged_library_exits_2_after_the_box(tmp_path):
    folder, f = _damaged(tmp_path)
    env = {**os.environ, "IVIG_RESOURCES": str(folder), "QT_QPA_PLATFORM": "offscreen", "IVIG_GUI_QUIT_MS": "300"}
    p = subprocess.run([sys.executable, "main.py", "--db", str(tmp_path / "j.sqlite3")], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=60)
    errors = [ln for ln in p.stderr.splitlines() if ln.startswith("error:")]  # Qt may add its own warnings
    assert p.returncode == 2 and len(errors) == 1 and errors[0].startswith(f"error: {f}: symptom["), p.stderr
    assert "Traceback" not in p.stderr and not (tmp_path / "j.sqlite3").exists()  # nothing opened, nothing written
