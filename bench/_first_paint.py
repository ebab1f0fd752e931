"""Child process for the start-up benchmark: print when a main window first paints, then exit.

`python _first_paint.py app|bare T0`: T0 is the parent's time.time() at launch; the child prints
the seconds from T0 to the first Paint event of a top-level QMainWindow.
"""
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget


class FirstPaint(QObject):
    def __init__(self, t0: float):
        super().__init__()
        self.t0 = t0

    def eventFilter(self, obj, event):
        # The first paint of anything inside a main window: offscreen, the frame itself may not paint.
        if event.type() == QEvent.Paint and isinstance(obj, QWidget) and isinstance(obj.window(), QMainWindow):
            print(f"{time.time() - self.t0:.6f}", flush=True)
            os._exit(0)
        return False


def bare() -> None:
    import pyqtgraph as pg

    app = QApplication.instance()
    win = QMainWindow()
    plot = pg.PlotWidget()
    plot.plot([0, 1, 2], [0, 1, 4])
    win.setCentralWidget(plot)
    win.resize(1280, 800)
    win.show()
    app.exec()


def app() -> None:
    import tempfile
    from types import SimpleNamespace

    from ui.app import run

    run(SimpleNamespace(db=os.path.join(tempfile.mkdtemp(), "journal.sqlite3")))


if __name__ == "__main__":
    which, t0 = sys.argv[1], float(sys.argv[2])
    qapp = QApplication(sys.argv[:1])
    filt = FirstPaint(t0)
    qapp.installEventFilter(filt)
    (app if which == "app" else bare)()
