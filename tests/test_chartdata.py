"""Chart numbers, headless, against hand-worked values.

Octagam 10% ITP, 70 kg, 1 g/kg: 70 g = 700 mL; rates 1/2/4/8/12 mg/kg/min x 70 x 60 / 100
= 42/84/168/336/504 mL/h for 30 min each; 21 + 42 + 84 + 168 = 315 mL by 120 min, then
385 mL at 504 mL/h = 45.83 min, so 165.83 min in all.
"""
import numpy as np
import pytest

from titration.plan import PlanRequest, build_plan
from titration.report.chartdata import (
    DeliveredTrace,
    MarkerTrace,
    integrate_steps,
    markers,
    plan_curve,
    rate_steps,
    segments_to_steps,
    volume_at,
)
from titration.session import Session
from titration.vitals import Vitals


@pytest.fixture(scope="module")
def plan():
    return build_plan(PlanRequest("octagam-10", "itp", 70.0, 1.0))


def test_plan_curve_is_the_cumulative_volume(plan):
    t, ml = plan_curve(plan)
    assert t == pytest.approx([0, 30, 60, 90, 120, 165.8333], abs=1e-3)
    assert ml == pytest.approx([0, 21, 63, 147, 315, 700])


def test_rate_steps_have_one_more_edge_than_rates(plan):
    t, r = rate_steps(plan)
    assert len(t) == len(r) + 1
    assert r.tolist() == [42, 84, 168, 336, 504]
    assert t[-1] == pytest.approx(165.8333, abs=1e-3)


def test_steps_integrate_back_to_the_plan(plan):
    t, r = rate_steps(plan)
    assert integrate_steps(t, r) == pytest.approx(plan_curve(plan)[1])


def test_segments_with_a_gap_show_zero_rate():
    t, r = segments_to_steps([(0, 10, 42.0), (20, 30, 84.0)])
    assert t.tolist() == [0, 10, 20, 30]
    assert r.tolist() == [42, 0, 84]


def mild_reaction(plan) -> Session:
    """Start at 0 (42 mL/h), step up at 30 (84), chills at 40: slow to 42 and hold."""
    s = Session(plan)
    s.record_vitals(0, Vitals(36.8, 72, 124, 78, 98, 14))
    s.start(0)
    s.confirm(30, s.due(30))
    p = s.report_symptoms(40, ["chills"])
    assert p.action == "slow" and p.rate_ml_h == 42
    s.confirm(40, p)
    return s


def test_delivered_follows_the_confirmed_rates_after_a_mild_reaction(plan):
    s = mild_reaction(plan)
    tr = DeliveredTrace()
    t, v = tr.update(s, 85.0)
    # 0-30 at 42: 21 mL; 30-40 at 84: 14 mL -> 35; 40-85 at 42: 31.5 mL -> 66.5
    assert t.tolist() == pytest.approx([0, 30, 40, 85])
    assert v.tolist() == pytest.approx([0, 21, 35, 66.5])
    assert v[-1] == pytest.approx(s.delivered_ml(85.0))
    rt, rr = tr.rates(s, 85.0)
    assert rt.tolist() == pytest.approx([0, 30, 40, 85])
    assert rr.tolist() == [42, 84, 42]


def test_the_current_plan_after_a_reaction_differs_from_the_original(plan):
    s = mild_reaction(plan)
    t, v = plan_curve(s.plan)
    # From 40 min with 35 mL in: 30 min held at 42 (+21), then 84 (+42), 168 (+84), 336 (+168),
    # and 350 mL left at 504 mL/h = 41.67 min.
    assert t == pytest.approx([40, 70, 100, 130, 160, 201.6667], abs=1e-3)
    assert v == pytest.approx([35, 56, 98, 182, 350, 700])
    assert not np.array_equal(t, plan_curve(s.original_plan)[0])


def test_a_tick_does_not_rebuild_the_cached_points(plan):
    s = mild_reaction(plan)
    tr = DeliveredTrace()
    tr.update(s, 41.0)
    assert tr.rebuilds == 1
    sizes = set()
    for i in range(2000):
        t, v = tr.update(s, 41.0 + i * 0.01)
        tr.rates(s, 41.0 + i * 0.01)
        sizes.add(len(t))
    assert tr.rebuilds == 1  # no new event: the closed segments were not integrated again
    assert sizes == {4}  # only the tip moves
    s.record_vitals(62.0, Vitals(37.0, 76, 120, 76, 98, 14))
    tr.update(s, 63.0)
    assert tr.rebuilds == 2  # a new event: rebuilt once


def test_a_pause_is_flat_and_zero_rate(plan):
    s = Session(plan)
    s.start(0)
    s.confirm(30, s.due(30))
    p = s.report_symptoms(45, ["rigors"])  # moderate: pause
    assert p.action == "pause"
    s.confirm(45, p)
    tr = DeliveredTrace()
    t, v = tr.update(s, 55.0)
    # 21 mL by 30, + 84 x 15/60 = 21 -> 42 mL at 45, then nothing while paused
    assert t.tolist() == pytest.approx([0, 30, 45, 55])
    assert v.tolist() == pytest.approx([0, 21, 42, 42])
    s.resolved(60)
    r = s.due(60)
    assert r.action == "resume" and r.rate_ml_h == 42
    s.confirm(60, r)
    t, v = tr.update(s, 70.0)
    assert t.tolist() == pytest.approx([0, 30, 45, 60, 70])
    assert v.tolist() == pytest.approx([0, 21, 42, 42, 49])  # 42 mL/h x 10 min = 7 mL
    rt, rr = tr.rates(s, 70.0)
    assert rr.tolist() == [42, 84, 0, 42]


def test_the_tip_stops_at_completion_even_before_the_session_ticks(plan):
    s = Session(plan)
    s.start(0)
    for at in (30, 60, 90, 120):
        s.confirm(at, s.due(at))
    tr = DeliveredTrace()
    t, v = tr.update(s, 200.0)  # completion at 165.83, not yet recorded by a tick
    assert t[-2:] == pytest.approx([165.8333, 200.0], abs=1e-3)
    assert v[-2:] == pytest.approx([700, 700])
    rt, rr = tr.rates(s, 200.0)
    assert rt[-1] == pytest.approx(165.8333, abs=1e-3) and rr[-1] == 504
    s.confirm(200.0, s.due(200.0))  # the nurse confirms the end later: the pump ran at 0 since 165.83
    t, v = tr.update(s, 210.0)
    assert tr.rebuilds == 2
    assert t[-2:] == pytest.approx([165.8333, 200.0], abs=1e-3) and v[-2:] == pytest.approx([700, 700])


def test_markers_name_what_happened(plan):
    s = mild_reaction(plan)
    s.record_vitals(55, Vitals(38.0, 88, 120, 76, 97, 16))
    ms = markers(s)
    kinds = [(m.at_min, m.kind) for m in ms]
    assert kinds[:4] == [(0, "vitals"), (0, "start"), (40, "symptoms"), (40, "slow")]
    sym = ms[2]
    assert sym.grade == "mild" and "Chills" in sym.label
    assert "42 mL/h" in ms[3].label
    assert ms[-1].kind == "vitals" and "T 38 °C" in ms[-1].label


def test_stop_and_complete_markers(plan):
    s = Session(plan)
    s.start(0)
    p = s.report_symptoms(10, ["wheeze"])
    assert p.action == "stop"
    s.confirm(10, p)
    kinds = [m.kind for m in markers(s)]
    assert kinds == ["start", "symptoms", "stop"]
    t, v = DeliveredTrace().update(s, 30.0)
    assert t.tolist() == pytest.approx([0, 10]) and v[-1] == pytest.approx(7.0)  # 42 mL/h x 10 min


def test_volume_at_places_markers_on_the_delivered_curve(plan):
    s = mild_reaction(plan)
    assert volume_at(s, [0, 15, 30, 40, 50]) == pytest.approx([0, 10.5, 21, 35, 42])


def test_marker_trace_takes_in_only_new_events_and_agrees_with_a_full_pass(plan):
    s = Session(plan)
    s.record_vitals(0, Vitals(temp_c=36.8))
    s.start(0)
    tr = MarkerTrace()
    assert [m.kind for m, _ in tr.update(s)] == ["vitals", "start"]
    s.confirm(30, s.due(30))
    s.record_vitals(40, Vitals(temp_c=36.9))
    added = tr.update(s)
    assert [m.kind for m, _ in added] == ["vitals"]  # the increase has no marker of its own
    assert added[0][1] == pytest.approx(21 + 84 * 10 / 60)  # its height: delivered at 40 min
    s.confirm(45, s.report_symptoms(45, ["chills"]))
    assert [m.kind for m, _ in tr.update(s)] == ["symptoms", "slow"]
    assert tr.update(s) == [] and tr.rebuilds == 1
    assert [m for m, _ in tr.pairs] == markers(s)
    heights = dict((m.at_min, y) for m, y in tr.pairs)
    assert heights[45] == pytest.approx(volume_at(s, [45])[0])
    other = Session(plan)
    other.start(0)
    assert [m.kind for m, _ in tr.update(other)] == ["start"] and tr.rebuilds == 2  # another session: afresh
