"""The chair's widgets draw from the snapshot only: no module of ui/chair reads a Session, except the
chair's model, which holds it.

Read from the source (no Qt needed): an import of `titration.session`, a `Session` name, or any
`.session` attribute (`self.session`, `chair.session`, `view.session = ...`) outside the allowed
modules fails, with the file and line. The widgets get the immutable `ChairState` the model
publishes (titration/chair_state.py) and send intents; whatever they need that it lacks is added
to the snapshot in the core (titration/snapshot.py), never worked out from a session here.
"""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ALLOWED = {
    # The chair's model holds the session: it runs the intents on the core's Chair and publishes the
    # snapshot every widget draws.
    "model.py": "holds the session and publishes its snapshot",
    # Asked at start-up, before any chair (model, view or snapshot) exists: the journal's recovered
    # record is worded through the core's `reopening`, which needs the recovered session.
    "recovery_dialog.py": "the crash question about a recovered record, before its chair exists",
}


def session_reads(path: Path, root: Path = ROOT) -> list[str]:
    """Where a module reads a Session: 'file:line what'."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "session":
            found.append((node.lineno, f"`.session` ({ast.unparse(node)})"))
        elif isinstance(node, ast.ImportFrom) and node.module in ("titration.session", "titration.session_fold"):
            found.append((node.lineno, f"from {node.module} import ..."))
        elif isinstance(node, ast.Import) and any(a.name.startswith("titration.session") for a in node.names):
            found.append((node.lineno, "import titration.session"))
        elif isinstance(node, ast.Name) and node.id == "Session":
            found.append((node.lineno, "the Session type"))
    found.sort(key=lambda hit: hit[0])  # by line; on one line, as written (ast.walk: target before value)
    return [f"{path.relative_to(root).as_posix()}:{line} {what}" for line, what in found]


def chair_modules(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.py") if p.name not in ALLOWED and p.name != "__init__.py")


def test_no_chair_widget_reads_a_session():
    modules = chair_modules(ROOT / "ui" / "chair")
    assert len(modules) >= 10  # the check reads the real package
    reads = [r for p in modules for r in session_reads(p)]
    assert reads == []


def test_the_check_finds_each_way_of_reading_a_session(tmp_path):
    bad = tmp_path / "panel.py"
    bad.write_text("from titration.session import Session\n"
                   "class P:\n"
                   "    def __init__(self, chair):\n"
                   "        self.session = chair.session\n", encoding="utf-8")
    bad.write_text(bad.read_text() + "def f(s: Session): return s\n", encoding="utf-8")
    assert session_reads(bad, tmp_path) == [
        "panel.py:1 from titration.session import ...", "panel.py:4 `.session` (self.session)",
        "panel.py:4 `.session` (chair.session)", "panel.py:5 the Session type"]


def test_the_allowed_modules_exist():
    """An exemption for a module that is gone (or renamed) would hide nothing: it is dropped."""
    assert sorted(p for p in ALLOWED if not (ROOT / "ui" / "chair" / p).exists()) == []
