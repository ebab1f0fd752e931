"""Recovery after a crash: 'ran' against 'stopped', worked out by hand.

Octagam 10%, ITP, 70 kg, 1 g/kg: 700 mL; 1 mg/kg/min = 42 mL/h, 2 mg/kg/min = 84 mL/h.
Start at 0, step 2 confirmed at 30, a note at 45 (the last confirmed event).
Delivered at 45 min: 42 x 30/60 + 84 x 15/60 = 21 + 21 = 42 mL.
"""
import pytest

from titration.errors import InputError
from titration.plan import PlanRequest, build_plan
from titration.session import Session
from titration.store.journal import Journal
from titration.store.recovery import STOPPED_REASON, away_minutes, minutes_now, recover, summary

T0 = 1_800_000_000.0  # wall time of the planned start (t = 0)


class Wall:
    """Wall clock for the journal: session minute m is written at T0 + 60 m."""

    def __init__(self):
        self.t = T0

    def __call__(self):
        return self.t


def crashed(tmp_path, speed=1.0):
    db = tmp_path / "j.sqlite3"
    wall = Wall()
    j = Journal(db, now=wall)
    s = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))
    sid = j.attach(s, chair="4", patient_id="P7", training=False, wall_start=T0, speed=speed)
    s.start(0)
    wall.t = T0 + 30 * 60 / speed
    s.confirm(30, s.due(30))
    wall.t = T0 + 45 * 60 / speed
    s.note(45, "patient comfortable")
    j.close()  # the process dies here; nothing after 45 min was recorded
    j = Journal(db, now=wall)
    (rec,) = j.unfinished()
    assert rec.id == sid
    return j, rec


def test_recovered_state_has_the_volume_up_to_the_last_event(tmp_path):
    j, rec = crashed(tmp_path)
    assert rec.session.status == "running" and rec.session.state.rate_ml_h == 84
    assert rec.last_at_min == 45 and rec.last_wall == T0 + 45 * 60
    assert rec.session.delivered_ml(45) == pytest.approx(42.0)
    assert (rec.chair, rec.patient_id, rec.training) == ("4", "P7", False)
    j.close()


def test_stopped_records_a_pause_at_the_last_event(tmp_path):
    j, rec = crashed(tmp_path)
    now = rec.last_wall + 20 * 60
    s = recover(rec, now, "stopped")
    assert s is rec.session and s.status == "paused"
    pause = [e for e in s.events if e.kind == "pause"][-1]
    assert pause.at_min == 45 and pause.data["reason"] == STOPPED_REASON
    assert s.delivered_ml(65) == pytest.approx(42.0)  # nothing counted while away
    # The nurse resumes through the normal flow, at the step's rate (84 mL/h) from 65 min.
    s.resume(65)
    assert s.delivered_ml(75) == pytest.approx(42 + 84 * 10 / 60)
    # ...and the journal continues the same record.
    assert j.attach(s, chair="4", patient_id="P7", training=False, wall_start=T0) == rec.id
    kinds = [e["kind"] for e in j.events(rec.id)]
    assert kinds == ["planned", "start", "increase", "note", "pause", "note", "resume"]
    assert j.verify() == []
    j.close()


def test_ran_counts_the_last_rate_until_now(tmp_path):
    j, rec = crashed(tmp_path)
    s = recover(rec, rec.last_wall + 20 * 60, "ran")
    # 42 mL + 84 mL/h x 20 min = 42 + 28 = 70 mL; the step due at 60 min was never set on the pump.
    assert s.status == "running" and s.state.rate_ml_h == 84
    assert s.delivered_ml(65) == pytest.approx(70.0)
    assert s.events[-1].kind == "note" and s.events[-1].at_min == 65
    assert "pump ran on at 84 mL/h" in s.events[-1].data["text"]
    assert s.due(65).action == "increase"  # the step is now due, as the nurse will see
    j.close()


def test_ran_makes_the_end_due_when_the_volume_would_be_in(tmp_path):
    j, rec = crashed(tmp_path)
    s = recover(rec, rec.last_wall + 10 * 3600, "ran")
    # 700 - 42 = 658 mL at 84 mL/h = 470 min, so the bag was empty at 45 + 470 = 515 min;
    # nothing completes by itself: the nurse confirms the end (at 645 min, the time now).
    assert not [e for e in s.events if e.kind == "complete"] and s.status == "running"
    assert s.delivered_ml(645) == pytest.approx(700.0) and s.pump_rate(645) == 0.0
    p = s.due(645)
    assert p.action == "complete" and p.reason.startswith("The bag should be empty")
    s.confirm(645, p)
    done = s.events[-1]
    assert (done.kind, done.at_min, done.data["volume_in_min"]) == ("complete", 645, pytest.approx(515.0))
    assert s.status == "completed" and s.delivered_ml(700) == pytest.approx(700.0)
    j.close()


def test_summary_gives_the_dialog_its_numbers(tmp_path):
    j, rec = crashed(tmp_path)
    sm = summary(rec, rec.last_wall + 20 * 60)
    assert (sm.away_min, sm.last_at_min, sm.now_min, sm.rate_ml_h) == (20, 45, 65, 84)
    assert sm.delivered_ml == pytest.approx(42) and sm.delivered_if_ran_ml == pytest.approx(70)
    assert sm.completes_if_ran_at is None and sm.needs_answer and sm.volume_ml == 700
    assert summary(rec, rec.last_wall + 10 * 3600).completes_if_ran_at == pytest.approx(515)
    j.close()


def test_away_time_counts_from_the_last_heartbeat(tmp_path):
    db = tmp_path / "j.sqlite3"
    wall = Wall()
    j = Journal(db, now=wall)
    s = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))
    j.attach(s, chair="4", patient_id="P7", training=False, wall_start=T0)
    s.start(0)
    j.alive(T0 + 25 * 60)  # the app was still working at 25 min, then died
    j.close()
    j = Journal(db, now=wall)
    (rec,) = j.unfinished()
    now = T0 + 40 * 60
    assert away_minutes(rec, now) == 15  # since the heartbeat
    assert minutes_now(rec, now) == 40  # session time still runs from the last event
    # The last event is the start at 0 (42 mL/h): 42 x 40/60 = 28 mL if it ran on.
    assert recover(rec, now, "ran").delivered_ml(40) == pytest.approx(28.0)
    j.close()


def test_a_fast_training_clock_scales_the_time_away(tmp_path):
    j, rec = crashed(tmp_path, speed=60.0)
    assert rec.speed == 60
    # 10 real seconds at 60x = 10 session minutes: 42 + 84 x 10/60 = 56 mL.
    s = recover(rec, rec.last_wall + 10, "ran")
    assert s.delivered_ml(55) == pytest.approx(56.0) and s.events[-1].at_min == pytest.approx(55)
    j.close()


def test_a_paused_infusion_asks_nothing(tmp_path):
    db = tmp_path / "j.sqlite3"
    j = Journal(db, now=lambda: T0 + 600)
    s = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))
    j.attach(s, chair="4", patient_id=None, training=False, wall_start=T0)
    s.start(0)
    s.pause(10, "patient to the toilet")
    j.close()
    j = Journal(db, now=lambda: T0 + 1800)
    (rec,) = j.unfinished()
    assert not summary(rec, T0 + 1800).needs_answer
    s = recover(rec, T0 + 1800, None)
    assert s.status == "paused" and s.delivered_ml(30) == pytest.approx(7.0)  # 42 x 10/60
    j.close()


def test_a_running_infusion_needs_an_answer(tmp_path):
    j, rec = crashed(tmp_path)
    with pytest.raises(InputError, match="'ran' or 'stopped'"):
        recover(rec, rec.last_wall, "maybe")
    j.close()
