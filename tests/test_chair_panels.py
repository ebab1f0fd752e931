"""The words of the chair's panels come with the snapshot (titration/chair_panels.py), worked out by
hand here; the costly parts are worked out once: the forecast per plan, the record after the end
per event (titration/snapshot_cache.py).

Octagam 10% for ITP, 70 kg, 1 g/kg: 70 g in 700 mL at 100 mg/mL. The first step, 1 mg/kg/min, is
70 mg/min = 0.7 mL/min = 42 mL/h (0.0100 mL/kg/min), for 30 min.
"""
from datetime import datetime

import titration.forecast
import titration.snapshot_cache
from titration.chair import Chair
from titration.chair_state import ChairFacts
from titration.forecast import Forecast
from titration.plan import PlanRequest, build_plan
from titration.session import Session
from titration.vitals import Vitals

ADULT = Vitals(36.8, 72, 124, 78, 98, 14)


def chair(closing: str = "18:00", wall_start: float | None = None) -> Chair:
    s = Session(build_plan(PlanRequest("octagam-10", "itp", 70.0, 1.0, closing_clock=closing)))
    return Chair(s, ChairFacts("Chair 1", "P-1", wall_start, 1.0, False))


def test_the_pump_panel_before_the_start_asks_for_the_baseline_then_the_start():
    c = chair()
    v = c.snapshot(0).pump
    assert (v.title, v.rate_text) == ("Set pump to (step 1)", "42 mL/h")
    assert v.units_text == "1.00 mg/kg/min · 0.0100 mL/kg/min (at 70 kg, 100 mg/mL)"
    assert v.line == "Record the baseline vitals first (Vitals panel), then start." and not v.confirm_enabled
    assert c.record_vitals(0, ADULT)
    v = c.snapshot(0).pump
    assert v.confirm_enabled and v.confirm_text == "Start: pump is set" and v.confirm_name == "Start the infusion"
    assert not v.danger and v.override_shown and not v.override_enabled


def test_the_now_panel_counts_down_first_then_gives_the_time():
    c = chair()
    c.record_vitals(0, ADULT)
    c.start(0)
    now = c.snapshot(15).now
    assert now.state == "running" and now.rate == "42 mL/h" and now.elapsed == "0:15 since the start"
    assert now.next_step == "in 15:00 (at +0:30)"  # no wall start: times from the start
    assert now.volume == "10.5 of 700.0 mL" and now.volume_percent == 2  # 42 mL/h x 15 min; 1.5 % rounds to 2
    assert now.observation == "60 min after the end"
    assert c.snapshot(30).now.next_step == "due NOW"


def test_the_forecast_is_worked_out_once_per_plan_never_on_a_tick(monkeypatch):
    calls = []

    def fake(plan, n=10_000, seed=0, params=None):
        calls.append(plan)
        return Forecast(plan.end_min + 10, plan.end_min + 40, None)

    monkeypatch.setattr(titration.forecast, "forecast", fake)
    c = chair()
    c.record_vitals(0, ADULT)
    c.start(0)
    for t in range(100):
        snap = c.snapshot(t * 0.5)
    assert len(calls) == 1
    assert round(c.session.plan.end_min, 1) == 165.8  # the label's steps: 2 h 46 min
    assert snap.now.forecast == "+2:56 · allow until +3:26"  # the fake's 175.8 and 205.8 min, rounded to the minute
    assert c.report_symptoms(51, ["chills"])  # mild: slow down, the rest of the infusion planned again
    assert c.confirm(51) and c.session.plan is not calls[0]
    assert c.snapshot(52).now.forecast == "— (after a reaction: see the expected finish)" and len(calls) == 1
    c.cache.forecast(c.session)  # a new plan: worked out again, once
    c.cache.forecast(c.session)
    assert len(calls) == 2


def test_the_record_after_the_end_is_worked_out_once_per_event(monkeypatch):
    made = []
    real = titration.snapshot_cache.after_end_view

    def counting(s, clock):
        made.append(len(s.events))
        return real(s, clock)

    monkeypatch.setattr(titration.snapshot_cache, "after_end_view", counting)
    c = chair()
    c.record_vitals(0, ADULT)
    c.start(0)
    assert c.stop(20, "patient asked")
    for t in range(50):
        snap = c.snapshot(20 + t)
    assert len(made) == 1 and snap.after_end is not None
    assert snap.after_end.lines[:3] == ("STOPPED at +0:20.", "Started +0:00; infusion time 20 min.",
                                        "Delivered 14.0 of 700.0 mL.")  # 42 mL/h x 20 min
    assert snap.after_end.lines[3] == "Highest pump rate 42 mL/h; highest tolerated none recorded."  # step 1 not over
    assert snap.after_end.look_out  # what the patient is told before leaving
    assert snap.pump.title == "Infusion STOPPED" and snap.pump.units_text == "of 700.0 mL, ended +0:20"
    c.note(70, "patient left")
    c.snapshot(71)
    assert len(made) == 2


def test_the_day_fit_uses_the_infusions_own_closing_time():
    """08:00 start, the label's steps: about 2 h 46 min, so 10:46. It fits an 18:00 close, not a 10:00 one."""
    eight = datetime(2026, 1, 5, 8, 0).timestamp()
    assert chair("18:00", eight).snapshot(0).day_fit.fits
    late = chair("10:00", eight).snapshot(0).day_fit
    assert not late.fits and late.finish_clock == "10:46"
