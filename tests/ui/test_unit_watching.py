"""Watching the unit from this workstation: tiles with the expected finish and who holds the chair,
a stale line within 15 s when the server goes quiet (and nothing counted down meanwhile), the
menus of a read-only chair off, and a chair taken back here without its old READ-ONLY line."""
import pytest
from PySide6.QtCore import Qt

from tests.ui.conftest import WALL0, answer_checklist, fill_patient
from titration.plan import PlanRequest, build_plan
from titration.session import Session
from titration.vitals import Vitals
from ui.chair.model import PatientInfo
from ui.unit.rows import row_summary
from ui.unit.watched import STALE_S, ReadOnlyChair, WatchedClock

ROW = {"uid": "u1", "chair": "Bay A/1", "state": "running", "patient_id": "P1", "product_name": "Octagam 10%",
       "rate_ml_h": 42, "at_min": 10.0, "event_age_s": 60.0, "seen_wall": WALL0, "speed": 1.0,
       "next_due": "vitals (15 min after the start)", "next_due_min": 15.0, "held_by": "ws-a", "login": "ivig_a",
       "lease_left_s": 80.0, "chair_state": {"finish_min": 130.0, "finish": "10:11, 2 h left"}}


def test_a_tile_shows_the_finish_by_this_clock_and_who_holds_the_chair():
    s = row_summary(ROW, WALL0, me="ws-b")
    # the last event (minute 10) reached the server 60 s before the row came at 08:00: minute 130 is 09:59 here
    assert s.finish == "09:59" and s.next_at == "08:04"
    assert s.workstation == "driven from ws-a (login ivig_a): read-only here"
    assert "finish: 09:59" in s.lines()
    ended = row_summary(dict(ROW, state="completed", chair_state={"finish": "ended 10:11"}), WALL0)
    assert ended.finish == "ended 10:11"


def test_a_stale_tile_counts_nothing_down():
    s = row_summary(ROW, WALL0 + 600, me="ws-b", stale_since=WALL0 + 30)
    assert s.next_at == "" and s.next_what == "vitals (15 min after the start) (as of 08:00:30: not updated since)"
    assert "NOW" not in " ".join(s.lines())


class FakeListener:
    def __init__(self, url):
        pass

    def snapshot(self):
        return [dict(ROW)]

    def changes(self, timeout):
        return []

    def close(self):
        pass


def test_the_watching_workstation_says_not_updated_within_15_s_of_the_server_going_quiet(qtbot, window):
    from ui.unit.server_feed import UnitFeed

    now = [WALL0]
    window.model.wall = lambda: now[0]
    feed = UnitFeed("postgresql:///x", listener_factory=FakeListener, wall=lambda: now[0])
    window.unit.set_feed(feed)
    window.show_unit()
    with qtbot.waitSignal(feed.sig_snapshot, timeout=20_000):
        feed.start()
    qtbot.waitUntil(lambda: feed.heard_wall is not None, timeout=20_000)
    feed.stop()  # the server goes quiet: nothing is heard any more
    feed.drain()
    heard = feed.heard_wall
    line = window.unit.stale_line
    now[0] = heard + STALE_S - 1
    window.unit.refresh()
    assert not line.isVisible()
    now[0] = heard + 15
    window.unit.refresh()
    assert line.isVisible() and line.text().startswith("NOT UPDATED since 08:00:00: the unit server has not answered "
                                                       "for 15 s")
    tile = next(t for t in window.unit.page.tiles if t.summary.chair == "Bay A/1")
    assert "not updated since" in tile.accessibleName() and "NOW" not in tile.accessibleName()


def test_a_chair_watched_from_here_stops_counting_when_the_server_is_quiet(qtbot):
    now, heard = [WALL0 + 14 * 60], [WALL0 + 14 * 60]
    s = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))
    s.record_vitals(0, Vitals(36.8, 72, 124, 78, 98, 14))
    s.start(0)
    clock = WatchedClock(lambda: now[0], WALL0, 1.0, lambda: heard[0])
    chair = ReadOnlyChair("Bay A/1", s, holder="ws-a", clock=clock, wall_start=WALL0, patient=PatientInfo("P1"))
    assert chair.tick() == pytest.approx(14)
    now[0] = WALL0 + 20 * 60  # 6 min without a word from the server: vitals may have been taken at 15
    assert chair.tick() == pytest.approx(14)
    assert not any("VITALS" in a.text for a in chair.state.alerts)
    heard[0] = now[0]  # heard again: the time runs on, and what is due shows
    assert chair.tick() == pytest.approx(20)
    assert any("VITALS" in a.text for a in chair.state.alerts)


def _chair(qtbot, window, pid="P-1"):
    f = window.new_form
    window.show_new_infusion()
    fill_patient(f, qtbot, pid=pid)
    answer_checklist(f)
    assert f.create_infusion()
    return window.model.chairs[-1]


def test_a_read_only_chairs_menus_are_off_not_silently_inert(qtbot, window, monkeypatch):
    chair = _chair(qtbot, window)
    window.confirm()  # started here
    other = _chair(qtbot, window, pid="P-2")
    monkeypatch.setattr(window.model.journal, "_uids", {chair.journal_id: "u1"}, raising=False)
    window.show_chair(chair)
    acts = window.actions_by_name
    assert acts["pause"].isEnabled() and acts["confirm"].isEnabled()
    window.unit.lock_fenced({"u1": "chair Chair 1 is now driven from workstation ws-b"})
    for name in ("confirm", "pause", "stop", "resume", "vitals", "symptoms", "override", "closeObservation"):
        assert not acts[name].isEnabled(), name
    assert acts["pause"].statusTip().startswith("Not here: read-only here: chair Chair 1 is now driven")
    n = len(chair.session.events)
    qtbot.keyClick(window, Qt.Key_P, Qt.ControlModifier)
    chair.pause("tried here")  # the model refuses too
    assert len(chair.session.events) == n and chair.session.status == "running"
    assert acts["exportRecord"].isEnabled() and acts["closeChair"].isEnabled()
    window.show_chair(other)  # another chair, driven here: the menus come back
    assert acts["pause"].isEnabled() and acts["confirm"].isEnabled()
    window.show_home()
    assert acts["confirm"].isEnabled()
    assert chair not in window.model.unfinished_chairs()  # not this workstation's pump to answer for at a quit
    window.unit.drop_fenced("u1")  # taken back here: the old read-only chair and its line are gone
    assert chair not in window.model.chairs and chair not in window.unit.fenced_lines


def _row(s, at_wall):
    from titration.store.unit import chair_summary

    d = chair_summary(s, wall_start=WALL0, chair="Bay A/1", patient="P1")
    return dict(d, uid="u1", chair="Bay A/1", patient_id="P1", event_age_s=0.0, seen_wall=at_wall, speed=1.0)


def test_a_tile_never_says_finish_dash_in_any_state_of_an_infusion():
    s = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))
    seen = {}
    s.record_vitals(0, Vitals(36.8, 72, 124, 78, 98, 14))
    seen["planned"] = row_summary(_row(s, WALL0), WALL0).finish
    s.start(0)
    seen["running"] = row_summary(_row(s, WALL0), WALL0).finish
    s.pause(10, "patient to the toilet")
    seen["paused"] = row_summary(_row(s, WALL0 + 600), WALL0 + 600).finish
    s.resume(15)
    s.stop(20, "line tissued")
    seen["stopped"] = row_summary(_row(s, WALL0 + 1200), WALL0 + 1200).finish
    s.close_observation(81)
    seen["closed"] = row_summary(_row(s, WALL0 + 81 * 60), WALL0 + 81 * 60).finish
    assert all(v and v not in ("-", "—") for v in seen.values()), seen
    assert seen["stopped"] == seen["closed"] == "ended 08:20"
