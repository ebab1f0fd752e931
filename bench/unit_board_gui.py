"""board_gui_change_p95_ms: the Unit view's redraw when one chair of a 40-chair unit changes.

The feed hands the window only the chairs that changed (ui.unit.server_feed); the board redraws only
their tiles. Also reported: the first paint of all 40 (a snapshot) and an idle tick.
"""
import os
import tempfile
import time

from common import percentile


def _row(i: int, rate: float, now: float) -> dict:
    return {"uid": f"u{i}", "chair": f"Bay {'ABCD'[i % 4]}/{i}", "patient_id": f"P{i}", "product_name": "Octagam 10%",
            "rate_ml_h": rate, "step": 2, "steps": 5, "state": "running", "next_due": "rate step or review",
            "next_due_min": 60, "at_min": 30, "next_due_wall": now + 1800, "alerts": [], "held_by": f"ws-{i % 4}",
            "lease_expired": False, "lease_expires": now + 90, "last_holder": f"ws-{i % 4}"}


def run() -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from titration.store.journal import Journal
    from ui.window.app_model import AppModel
    from ui.window.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    tmp = tempfile.mkdtemp()
    journal = Journal(os.path.join(tmp, "j.sqlite3"))
    win = MainWindow(AppModel(journal, autostart=False))
    win.resize(1024, 700)
    win.show()
    win.show_unit()
    app.processEvents()
    now = time.time()
    t = time.perf_counter()
    win.unit.on_snapshot([_row(i, 42.0, now) for i in range(40)])
    app.processEvents()
    snapshot = (time.perf_counter() - t) * 1000
    changes, idle = [], []
    for k in range(200):
        t = time.perf_counter()
        win.unit.on_changed([_row(k % 40, 84.0 + k, now)])
        app.processEvents()
        changes.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        win.unit.refresh()
        idle.append((time.perf_counter() - t) * 1000)
    win.force_close = True
    win.close()
    journal.close()
    return {"board_gui_change_p95_ms": percentile(changes, 0.95), "_board_gui_change_p50_ms": percentile(changes, 0.5),
            "_board_gui_snapshot_ms": snapshot, "_board_gui_idle_tick_p50_ms": percentile(idle, 0.5)}
