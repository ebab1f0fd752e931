"""Child process for the memory benchmark: the main window with four chairs running, then VmRSS."""
import os
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from PySide6.QtWidgets import QApplication  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main(seconds: float) -> None:
    from titration.store.journal import Journal
    from ui.window.app_model import AppModel
    from ui.window.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    journal = Journal(os.path.join(tempfile.mkdtemp(), "journal.sqlite3"))
    model = AppModel(journal)
    win = MainWindow(model)
    win.resize(1400, 900)
    win.show()
    scenarios = sorted(f for f in os.listdir(os.path.join(ROOT, "resources", "scenarios")) if f.endswith(".toml"))
    for name in scenarios[:4]:
        chair = model.new_training(os.path.join(ROOT, "resources", "scenarios", name), speed=60.0)
        assert chair is not None, name
    for chair in model.chairs:  # show each chair once so every view and chart exists
        win.show_chair(chair)
        app.processEvents()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
    print(f"{rss_mb():.1f} {len(model.chairs)}", flush=True)


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 8.0)
