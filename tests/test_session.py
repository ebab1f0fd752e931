"""The infusion session: the default policy for each grade, recurrence, vitals, the schedule, replay."""
import pytest

from titration.errors import SessionError
from titration.plan import PlanRequest, build_plan
from titration.policy import get_policy
from titration.session import Session
from titration.vitals import Vitals

BASE = Vitals(temp_c=36.8, pulse=72, sbp=124, dbp=78, spo2=98, rr=14)


def octagam(policy="tiered", **kw):
    s = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0, **kw)), get_policy(policy))
    s.record_vitals(0, BASE)
    s.start(0)
    return s


def step_to(s, t):
    """Confirm the due increase at time t."""
    p = s.due(t)
    assert p is not None and p.action == "increase", p
    s.confirm(t, p)


def test_steps_fall_due_on_the_ladder_and_delivered_is_the_integral():
    s = octagam()
    assert s.due(29.9) is None and s.next_step_at() == 30
    step_to(s, 30)
    assert s.state.rate_ml_h == 84
    assert s.delivered_ml(45) == pytest.approx(21 + 84 * 15 / 60)
    step_to(s, 62)  # confirmed 2 min late: the next step is timed from the confirmation
    assert s.next_step_at() == 92
    assert s.delivered_ml(62) == pytest.approx(21 + 84 * 32 / 60)


def test_mild_slows_to_the_previous_rate_then_may_escalate_after_30_min():
    s = octagam()
    step_to(s, 30)
    p = s.report_symptoms(35, ["chills"])
    assert (p.action, p.rate_ml_h, p.grade) == ("slow", 42.0, "mild")
    s.confirm(35, p)
    assert s.state.rate_ml_h == 42
    assert s.due(50) is None  # escalation held
    s.resolved(50)
    assert s.due(64.9) is None
    up = s.due(65)
    assert (up.action, up.rate_ml_h) == ("increase", 84.0)
    s.confirm(65, up)
    assert s.state.reaction is None and s.state.rate_ml_h == 84


def test_mild_in_the_first_step_pauses_because_there_is_no_lower_rate():
    s = octagam()
    p = s.report_symptoms(10, ["headache"])
    assert p.action == "pause"
    s.confirm(10, p)
    assert s.status == "paused" and s.delivered_ml(30) == pytest.approx(7.0)
    s.resolved(20)
    r = s.due(20)
    assert (r.action, r.rate_ml_h) == ("resume", 42.0)
    s.confirm(20, r)
    assert s.state.ceiling_ml_h is None  # mild: escalation may resume, after the review window
    assert s.next_step_at() == pytest.approx(50)


def test_mild_not_resolved_after_30_min_is_treated_as_moderate_then_stops():
    s = octagam()
    step_to(s, 30)
    s.confirm(35, s.report_symptoms(35, ["nausea"]))
    p = s.due(65)
    assert (p.action, p.grade) == ("pause", "moderate")
    s.confirm(65, p)
    assert s.status == "paused"
    assert s.due(94) is None
    stop = s.due(95)
    assert stop.action == "stop"
    s.confirm(95, stop)
    assert s.status == "stopped"


def test_moderate_pauses_then_resumes_at_the_last_tolerated_rate_to_the_end():
    s = octagam()
    step_to(s, 30)
    step_to(s, 60)
    p = s.report_symptoms(70, ["rigors"])
    assert (p.action, p.grade) == ("pause", "moderate")
    s.confirm(70, p)
    s.resolved(90)
    r = s.due(90)
    assert (r.action, r.rate_ml_h) == ("resume", 84.0)
    s.confirm(90, r)
    assert s.state.ceiling_ml_h == 84 and s.next_step_at() is None
    assert [st.rate_ml_h for st in s.plan.steps] == [84.0]
    delivered = 21 + 42 + 168 * 10 / 60
    assert s.plan.end_min == pytest.approx(90 + (700 - delivered) / 84 * 60)
    with pytest.raises(SessionError):
        s.override(91, r, "resume", 168.0, "feels fine")  # above the last tolerated rate


def test_moderate_not_resolved_in_30_min_stops():
    s = octagam()
    s.confirm(40, s.report_symptoms(40, ["vomiting"]))
    assert s.due(69) is None
    p = s.due(70)
    assert p.action == "stop"


def test_severe_stops_for_good_and_shows_emergency_steps():
    s = octagam()
    step_to(s, 30)
    p = s.report_symptoms(40, ["wheeze"])
    assert p.action == "stop" and p.grade == "severe"
    assert any("anaphylaxis" in x.lower() for x in p.emergency)
    with pytest.raises(SessionError):
        s.override(40, p, "slow", 42.0, "patient insists")
    s.confirm(40, p)
    assert s.status == "stopped" and s.state.end_min == 40
    for act in (lambda: s.resume(41), lambda: s.start(41), lambda: s.pause(41)):
        with pytest.raises(SessionError):
            act()
    assert s.delivered_ml(500) == pytest.approx(21 + 84 * 10 / 60)


def test_a_second_reaction_is_handled_one_grade_higher():
    s = octagam()
    step_to(s, 30)
    s.confirm(35, s.report_symptoms(35, ["chills"]))
    s.resolved(45)
    s.confirm(65, s.due(65))  # back up to 84
    p = s.report_symptoms(70, ["headache"])  # mild again -> moderate
    assert (p.action, p.grade) == ("pause", "moderate")
    assert "second reaction" in p.reason


def test_pause_always_policy_pauses_mild_and_stops_on_recurrence():
    s = octagam("pause-always")
    step_to(s, 30)
    p = s.report_symptoms(35, ["chills"])
    assert p.action == "pause"
    s.confirm(35, p)
    s.resolved(50)
    r = s.due(50)
    s.confirm(50, r)
    assert r.rate_ml_h == 42.0 and s.state.ceiling_ml_h == 42.0
    again = s.report_symptoms(60, ["flushing"])
    assert again.action == "stop"


def test_vitals_raise_a_grade_never_lower_it():
    s = octagam()
    step_to(s, 30)
    p = s.report_symptoms(35, ["chills"], Vitals(temp_c=38.4))
    assert (p.action, p.grade) == ("pause", "moderate")
    assert any("Fever" in r for r in p.reason.split(";"))
    s2 = octagam()
    step_to(s2, 30)
    p2 = s2.report_symptoms(35, ["wheeze"], Vitals(temp_c=36.9, spo2=99))
    assert p2.grade == "severe"


def test_a_fever_found_only_in_the_vitals_is_a_reaction():
    s = octagam()
    step_to(s, 30)
    g = s.record_vitals(45, Vitals(temp_c=37.9))  # +1.1 above baseline 36.8
    assert g.grade == "moderate"
    assert s.due(45).action == "pause"


def test_vitals_schedule_through_an_infusion():
    s = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))
    assert s.vitals_due(0) == (0, "baseline, before the start")
    s.record_vitals(0, BASE)
    s.start(0)
    assert s.vitals_due(0) == (15.0, "15 min after the start")
    s.record_vitals(15, BASE)
    assert s.vitals_due(15) == (30.0, "every 15 min until the maximum rate")
    step_to(s, 30)
    assert s.vitals_due(30) == (30, "at the rate increase")
    s.record_vitals(31, BASE)
    for t in (60, 90, 120):
        step_to(s, t)
        s.record_vitals(t, BASE)
    assert s.max_reached()
    assert s.vitals_due(120) == (180.0, "hourly at the maximum rate")
    s.confirm(200, s.due(200))
    assert s.status == "completed"
    end = s.state.end_min
    assert s.vitals_due(200) == (end, "at the end of the infusion")
    s.record_vitals(end + 1, BASE)
    assert s.vitals_due(end + 1) == (end + 60, "after the 60-minute observation")
    s.close_observation(end + 60)
    assert s.status == "closed" and s.vitals_due(end + 61) is None


def test_the_volume_completes_exactly_and_the_tolerated_rate_is_kept():
    s = octagam()
    for t in (30, 60, 90, 120):
        step_to(s, t)
    assert s.due(1000).action == "complete" and s.status == "running"  # nothing completes by itself
    s.confirm(1000, s.due(1000))
    e = s.events[-1]
    assert e.kind == "complete" and e.at_min == 1000
    assert e.data["volume_in_min"] == pytest.approx(120 + 385 / 504 * 60, abs=1e-4)
    assert s.delivered_ml(1000) == pytest.approx(700.0)
    assert s.state.tolerated_ml_h == 504


def test_replay_rebuilds_the_same_state():
    s = octagam()
    step_to(s, 30)
    s.confirm(35, s.report_symptoms(35, ["chills"], Vitals(temp_c=37.2)))
    s.resolved(50)
    s.note(55, "patient comfortable")
    r = Session.replay([e.to_dict() for e in s.events])
    assert r.state == s.state
    assert [p.steps for p in r.plans] == [p.steps for p in s.plans]
    assert r.delivered_ml(60) == s.delivered_ml(60)


def test_events_are_append_only_in_time_order_and_proposals_must_be_current():
    s = octagam()
    step_to(s, 30)
    with pytest.raises(SessionError, match="time order"):
        s.note(10, "late entry")
    p = s.report_symptoms(35, ["chills"])
    s.confirm(35, p)
    with pytest.raises(SessionError, match="no longer current"):
        s.confirm(36, p)


def test_an_unknown_symptom_writes_nothing():
    s = octagam()
    n = len(s.events)
    with pytest.raises(Exception) as e:
        s.report_symptoms(5, ["hiccups"])
    assert "symptom" in str(e.value)
    assert len(s.events) == n


def test_override_needs_a_reason_and_is_recorded():
    s = octagam()
    step_to(s, 30)
    p = s.report_symptoms(35, ["chills"])
    with pytest.raises(SessionError):
        s.override(35, p, "pause", 0.0, "")
    s.override(35, p, "pause", 0.0, "patient asked to stop for a while")
    e = s.events[-1]
    assert e.data["override"] == "patient asked to stop for a while" and e.data["proposed"] == "slow"
    assert s.status == "paused"


def test_the_observation_hour_closes_early_only_with_a_reason():
    s = octagam()
    s.confirm(40, s.report_symptoms(40, ["wheeze"]))  # stopped at 40: observe until 100
    with pytest.raises(SessionError, match="runs 60 min more"):
        s.close_observation(40)
    s.close_observation(70, reason="transferred to the ward for ongoing observation")
    assert s.status == "closed"
    assert s.events[-1].data == {"early": "transferred to the ward for ongoing observation"}
    late = octagam()
    for t in (30, 60, 90, 120):
        step_to(late, t)
    late.confirm(300, late.due(300))
    late.close_observation(late.state.end_min + 60)
    assert late.status == "closed" and late.events[-1].data == {}
