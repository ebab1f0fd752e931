"""The event log takes in new events only: opening a long record is linear, a new event is one row."""
from titration.plan import PlanRequest, build_plan
from titration.session import Session
from ui.chair.event_log import EventLog


def test_new_events_add_rows_without_re_measuring_the_table(qtbot, monkeypatch):
    s = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))
    s.start(0)
    for k in range(300):
        s.note(k * 0.1, f"note {k}")
    log = EventLog(lambda t: f"{int(t) // 60:02d}:{int(t) % 60:02d}")
    qtbot.addWidget(log)
    log.sync(s.events)
    assert log.rowCount() == len(s.events) == 302
    calls = {"row": 0, "column": 0}
    monkeypatch.setattr(log, "resizeRowToContents", lambda r: calls.__setitem__("row", calls["row"] + 1))
    monkeypatch.setattr(log, "resizeColumnToContents", lambda c: calls.__setitem__("column", calls["column"] + 1))
    s.note(40, "one more")
    log.sync(s.events)
    assert log.rowCount() == 303 and calls == {"row": 1, "column": 0}
    assert log.texts()[-1][2].endswith("one more")

