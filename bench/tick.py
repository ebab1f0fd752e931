"""tick_ratio: one live update of the chair window at 10,000 events against at 10 events.

A live update is what the chair view does every tick: what is due, the vitals due, volume in,
the expected end, and the delivered trace's tip. It must not grow with the history.
"""
import time

from common import long_session, median


def tick_cost(session, t0: float, ticks: int = 2000) -> float:
    from titration.report.chartdata import DeliveredTrace

    trace = DeliveredTrace()
    trace.update(session, t0)
    samples = []
    for _ in range(7):
        start = time.perf_counter()
        for k in range(ticks):
            t = t0 + k * 1e-4
            session.due(t), session.vitals_due(t), session.delivered_ml(t), session.expected_end(t)
            session.next_step_at()
            trace.update(session, t), trace.rates(session, t)
        samples.append((time.perf_counter() - start) / ticks)
    return median(samples)


def gui_tick_cost(session, t0: float, ticks: int = 300) -> float:
    """The chair window's own tick: model tick, labels, countdowns, chart refresh (no painting)."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from titration.clock import ManualClock
    from ui.window.app_model import AppModel
    from ui.window.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    clock = ManualClock(t0)
    model = AppModel(None, clock_factory=lambda **kw: clock, autostart=False)
    win = MainWindow(model)
    win.resize(1440, 900)
    win.show()
    chair = model.add_chair(session, attach=False)
    win.show_chair(chair)
    app.processEvents()
    model.tick()  # takes in the history once
    samples = []
    for rep in range(5):
        start = time.perf_counter()
        for k in range(ticks):
            clock.set(t0 + (rep * ticks + k) * 1e-4)
            model.tick()
        samples.append((time.perf_counter() - start) / ticks)
    win.force_close = True
    win.close()
    return median(samples)


def run() -> dict:
    small, ts = long_session(10)
    big, tb = long_session(10_000)
    # interleave to share the machine's noise
    a, b = [], []
    for _ in range(3):
        a.append(tick_cost(small, ts))
        b.append(tick_cost(big, tb))
    out = {"_core_tick_ratio": median(b) / median(a), "_tick_us_10": median(a) * 1e6, "_tick_us_10k": median(b) * 1e6}
    ga, gb = [], []
    small_gui, big_gui = long_session(10)[0], long_session(10_000)[0]  # one window each, ticked in turns
    for _ in range(2):
        ga.append(gui_tick_cost(small_gui, ts))
        gb.append(gui_tick_cost(big_gui, tb))
    out.update({"tick_ratio": median(gb) / median(ga), "_gui_tick_ms_10": median(ga) * 1e3,
                "_gui_tick_ms_10k": median(gb) * 1e3})
    return out


if __name__ == "__main__":
    print(run())
