"""A reaction is an episode that develops over minutes: hand-worked cases.

Octagam 10 %, ITP, 70 kg, 1 g/kg (label ladder 1 -> 2 -> 4 -> 8 -> 12 mg/kg/min every 30 min):
42, 84, 168, 336, 504 mL/h (mg/kg/min x 70 x 60 / 100). At 65 min the pump runs at 168 mL/h (step 3).
"""
import dataclasses

import pytest

from titration.catalogue_file import load_catalogue
from titration.errors import InputError, NeedsInput, SessionError
from titration.plan import PlanRequest, build_plan
from titration.policy import get_policy
from titration.session import Session
from titration.vitals import Vitals

CAT = load_catalogue()
BASE = Vitals(temp_c=36.8, pulse=72, sbp=124, dbp=78, spo2=98, rr=14)


CHILD_BASE = Vitals(36.8, 100, 100, 60, 98, 24)


def session(policy="tiered", age=None, weight=70, baseline=True, dose=1.0):
    s = Session(build_plan(PlanRequest("octagam-10", "itp", weight, dose, age_years=age)), get_policy(policy))
    if baseline:  # a young child's own normal values (an adult's breathing rate of 14 grades moderate at 4)
        s.record_vitals(0, CHILD_BASE if age is not None and age < 12 else BASE)
    s.start(0)
    return s


def run_to(s, t):
    """A nurse who confirms every increase on time, up to t."""
    while True:
        nxt = s.next_step_at()
        if nxt is None or nxt > t:
            return
        s.confirm(nxt, s.due(nxt))


def confirm(s, t):
    p = s.due(t)
    assert p is not None
    s.confirm(t, p)
    return p


# ------------------------------------------------------------------ the episode: findings add up
def test_hives_then_breathlessness_with_rr_25_and_spo2_93_six_minutes_later_stops_as_anaphylaxis():
    s = session()
    run_to(s, 65)
    assert s.state.rate_ml_h == 168
    p = s.report_symptoms(65, ["urticaria"])
    assert (p.action, p.grade) == ("pause", "moderate")
    confirm(s, 65)
    p = s.report_symptoms(71, ["breathlessness"], Vitals(rr=25, spo2=93))
    assert (p.action, p.grade, p.kind) == ("stop", "severe", "anaphylactic")
    assert p.emergency == CAT.emergency_for("anaphylactic") and "adrenaline" in " ".join(p.emergency)
    assert "anaphylaxis-skin" in s.state.episode.criteria
    confirm(s, 71)
    assert s.status == "stopped" and s.state.end_min == 71


def test_the_stop_replaces_a_pause_not_yet_confirmed():
    s = session()
    run_to(s, 65)
    s.report_symptoms(65, ["urticaria"])
    p = s.report_symptoms(66, ["breathlessness"])
    assert (p.action, p.kind) == ("stop", "anaphylactic") and s.due(66) == p


def test_flushing_then_vomiting_ten_minutes_later_stops():
    s = session()
    run_to(s, 65)
    p = s.report_symptoms(65, ["flushing"])
    assert (p.action, p.rate_ml_h) == ("slow", 84)  # mild: back to step 2's rate
    confirm(s, 65)
    p = s.report_symptoms(75, ["vomiting"])
    assert (p.action, p.grade, p.kind) == ("stop", "severe", "anaphylactic")  # skin + gut (WAO 2020)


def test_headache_then_stiff_neck_and_photophobia_twenty_minutes_later_stops_as_meningism():
    s = session()
    run_to(s, 65)
    assert s.report_symptoms(65, ["headache"]).action == "slow"
    confirm(s, 65)
    p = s.report_symptoms(85, ["stiff-neck", "photophobia"])
    assert (p.action, p.kind) == ("stop", "aseptic-meningitis")
    assert p.emergency == CAT.emergency_for("aseptic-meningitis")


def test_a_criterion_completed_by_a_vital_sign_alone_acts_at_once():
    s = session()
    run_to(s, 65)
    s.report_symptoms(65, ["itch"])
    confirm(s, 65)
    g = s.record_vitals(70, Vitals(sbp=84))  # below 90: hypotension; with itch: anaphylaxis
    assert g.grade == "severe"
    p = s.due(70)
    assert (p.action, p.kind) == ("stop", "anaphylactic")


def test_the_episode_grade_only_goes_up_and_a_calm_reading_changes_nothing():
    s = session()
    run_to(s, 65)
    s.report_symptoms(65, ["rigors"])
    confirm(s, 65)
    s.record_vitals(70, BASE)
    assert s.state.episode.grade == "moderate" and s.due(70) is None  # paused, review at 95
    s.report_symptoms(72, ["chills"])  # milder, same episode: nothing new to do
    assert s.state.episode.grade == "moderate" and s.due(72) is None


def test_the_episode_closes_only_when_resolved_and_the_review_time_has_passed():
    s = session()
    run_to(s, 65)
    s.report_symptoms(65, ["rigors"])
    confirm(s, 65)  # pause, review at 95
    s.resolved(70)
    assert s.state.episode.is_open(94) and not s.state.episode.is_open(95)
    p = confirm(s, 70)  # resume at the last tolerated rate, 84 mL/h
    assert (p.action, p.rate_ml_h) == ("resume", 84)
    # symptoms back before the review time: the same episode, and a further reaction (it stops)
    p = s.report_symptoms(80, ["chills"])
    assert p.action == "stop" and "came back" in p.reason


def test_replaying_the_journal_rebuilds_the_same_episode():
    s = session()
    run_to(s, 65)
    s.report_symptoms(65, ["urticaria"])
    confirm(s, 65)
    s.report_symptoms(71, ["breathlessness"], Vitals(rr=25, spo2=93))
    r = Session.replay([e.to_dict() for e in s.events])
    a, b = s.state.episode, r.state.episode
    assert (a.grade, a.kind, a.criteria, a.symptoms, a.hits) == (b.grade, b.kind, b.criteria, b.symptoms, b.hits)
    assert r.due(72) == s.due(72)


# ------------------------------------------------------------------ NEWS2
def test_news2_9_from_five_mildly_off_vitals_stops():
    s = session()
    run_to(s, 70)
    s.record_vitals(70, Vitals(temp_c=39.4, pulse=125, rr=23, sbp=96, spo2=94))
    w = s.early_warning()
    # RCP 2017 chart 1: 39.4 -> 2, 125 -> 2, 23 -> 2, 96 -> 2, 94 -> 1
    assert w.total == 9 and [p.score for p in w.parts] == [2, 1, 2, 2, 2]
    assert w.to_dict()["parts"][0] == {"label": "Respiration rate", "value": "23/min", "score": 2}
    p = s.due(70)
    assert (p.action, p.grade) == ("stop", "severe") and "NEWS2 9" in p.reason
    assert s.events[-1].data["news2"] == 9


def test_news2_5_with_no_single_red_value_pauses():
    s = session()
    run_to(s, 70)
    v = Vitals(temp_c=37.0, pulse=115, rr=22, sbp=108, spo2=97)  # 2 + 2 + 1 + 0 + 0 = 5
    assert CAT.grade_vitals(v).grade == "mild"  # each band alone: at most NEWS2 score 2 (mild)
    s.record_vitals(70, v)
    assert s.early_warning().total == 5
    p = s.due(70)
    assert (p.action, p.grade) == ("pause", "moderate") and "urgent review" in p.reason


def test_news2_adds_the_latest_value_of_each_parameter_across_entries():
    s = session()
    run_to(s, 70)
    s.record_vitals(70, Vitals(pulse=115))            # pulse 2 (+ the baseline's others: 0)
    s.record_vitals(72, Vitals(rr=22, sbp=108))       # rr 2, sbp 1: total 5
    assert s.early_warning().total == 5
    assert s.due(72).action in ("pause", "slow") and s.state.episode.grade == "moderate"


def test_new_confusion_scores_3_and_stops():
    s = session()
    run_to(s, 40)
    p = s.report_symptoms(40, ["new-confusion"])
    assert (p.action, p.grade) == ("stop", "severe")
    assert any(part.label == "Consciousness" and part.score == 3 for part in s.early_warning().parts)


# ------------------------------------------------------------------ children
@pytest.mark.parametrize("age,spo2", [(4, 85), (16, 88)])
def test_a_childs_low_spo2_stops(age, spo2):
    s = session(age=age, weight=18 if age < 10 else 55)
    run_to(s, 40)
    s.record_vitals(40, Vitals(spo2=spo2))
    p = s.due(40)
    assert (p.action, p.grade) == ("stop", "severe")


def test_a_child_of_12_kg_with_no_age_is_refused():
    with pytest.raises(NeedsInput) as exc:
        build_plan(PlanRequest("octagam-10", "itp", 12, 1.0))
    assert exc.value.field == "--age-years"
    build_plan(PlanRequest("octagam-10", "itp", 12, 1.0, age_years=2))  # with an age it plans


def test_whole_years_in_the_wao_formula():
    # 70 + 2 x age in completed years: a child of 4 years 11 months is under 78, not under 79.8.
    # (At 4 the normal range starts at 80 (Scottish PEWS), so 78-79 are graded by the adult floor: a child of
    # 9 years 11 months shows it: 70 + 2 x 9 = 88, inside the normal 70-109.)
    assert CAT.grade_vitals(Vitals(sbp=88), age_years=9.95).grade != "severe"
    assert CAT.grade_vitals(Vitals(sbp=77), age_years=4.95).grade == "severe"


# ------------------------------------------------------------------ reactions at any time
def _bag_empty():
    s = session(dose=0.4)  # 280 mL: in at 102.5 min (21 + 42 + 84 in the first 90 min, 133 at 336 mL/h)
    run_to(s, 200)
    done = s.completion_at()
    assert done == pytest.approx(90 + 133 / 336 * 60)
    return s, done


def test_angioedema_wheeze_and_sbp_82_a_minute_after_the_bag_empties_stops_with_the_steps():
    s, done = _bag_empty()
    p = s.report_symptoms(done + 1, ["angioedema", "wheeze"], Vitals(sbp=82))
    assert (p.action, p.kind) == ("stop", "anaphylactic") and p.emergency
    assert s.due(done + 1) == p  # before the end is confirmed: the stop and its steps come first
    confirm(s, done + 1)
    assert s.status == "stopped"


def test_the_same_after_the_end_is_confirmed():
    s, done = _bag_empty()
    confirm(s, done + 0.5)
    assert s.status == "completed"
    p = s.report_symptoms(done + 1, ["angioedema", "wheeze"], Vitals(sbp=82))
    assert (p.action, p.kind, p.emergency) == ("emergency", "anaphylactic", CAT.emergency_for("anaphylactic"))
    assert s.due(done + 2) == p
    confirm(s, done + 2)
    assert s.events[-1].kind == "action" and s.events[-1].data["action"] == "emergency"  # journaled


def test_observation_hour_confusion_or_stiff_neck_proposes_steps():
    s, done = _bag_empty()
    confirm(s, done)
    p = s.report_symptoms(done + 20, ["stiff-neck"])
    assert (p.action, p.grade) == ("review", "moderate") and p.reason.startswith("Urgent medical review")
    confirm(s, done + 21)
    assert s.events[-1].data["action"] == "review"  # the advice is journaled
    p = s.report_symptoms(done + 30, ["new-confusion"])
    assert (p.action, p.grade) == ("emergency", "severe")


def test_after_the_observation_is_closed_a_reaction_is_still_graded():
    s, done = _bag_empty()
    confirm(s, done)
    s.close_observation(done + 60)
    p = s.report_symptoms(done + 90, ["headache", "stiff-neck"])
    assert (p.action, p.kind) == ("emergency", "aseptic-meningitis")


# ------------------------------------------------------------------ hard limits for the whole infusion
def test_an_override_cannot_answer_flushing_at_minute_10_with_336():
    s = session()
    p = s.report_symptoms(10, ["flushing"])
    with pytest.raises(SessionError, match="initial rate of 42"):
        s.override(10, p, "continue", 336, "patient in a hurry")
    with pytest.raises(SessionError, match="initial rate"):
        s.override(10, p, "increase", 84, "patient in a hurry")
    s.override(10, p, "continue", 42, "mild, watching closely")  # the same rate: no climb


def test_no_climb_while_an_episode_is_open():
    s = session()
    run_to(s, 65)
    p = s.report_symptoms(65, ["flushing"])
    with pytest.raises(SessionError, match="episode is open"):
        s.override(65, p, "continue", 336, "wants to go home")
    s.override(65, p, "continue", 168, "mild flushing only")
    assert s.next_step_at() is None  # no step while the episode is open and unresolved


def test_resume_after_a_pause_goes_to_the_last_tolerated_rate_or_lower():
    s = session()
    run_to(s, 40)
    assert s.state.rate_ml_h == 84
    s.pause(45, "toilet")
    with pytest.raises(SessionError, match="last tolerated rate of 84"):
        s.resume(50, 504)
    s.resume(50)
    assert s.state.rate_ml_h == 84


def test_resume_in_the_first_step_cannot_pass_the_initial_rate():
    s = session()
    s.pause(5, "line check")
    with pytest.raises(SessionError):
        s.resume(10, 84)


def test_a_journal_event_above_a_hard_limit_is_refused_on_replay():
    s = session()
    events = [e.to_dict() for e in s.events]
    events.append({"at_min": 10.0, "kind": "increase", "who": "nurse", "rate_ml_h": 336.0, "rung": 3})
    with pytest.raises(SessionError, match="initial rate"):
        Session.replay(events)


# ------------------------------------------------------------------ values a nurse must be able to record
def test_shock_can_be_recorded():
    assert Vitals(sbp=0, pulse=0, spo2=0).to_dict() == {"sbp": 0, "pulse": 0, "spo2": 0}
    g = CAT.grade_vitals(Vitals(sbp_unrecordable=True))
    assert g.grade == "severe" and g.kind == "anaphylactic"
    with pytest.raises(InputError):
        Vitals(sbp=60, sbp_unrecordable=True)


def test_with_no_baseline_the_app_says_which_rules_are_off_and_asks_for_one():
    s = session(baseline=False)
    assert "No baseline vitals" in s.baseline_notice() and "above baseline" in s.baseline_notice()
    s.record_vitals(5, Vitals(temp_c=36.5, sbp=130))
    assert any("baseline" in r for r in s.events[-1].data["rules_off"])
    s.record_vitals(6, Vitals(temp_c=36.6, sbp=128), baseline=True)
    assert s.baseline_notice() == "" and s.state.baseline.temp_c == 36.6
    s.record_vitals(20, Vitals(temp_c=37.7))  # 1.1 °C above the baseline: fever (Lifeblood)
    assert s.due(20).grade == "moderate"


# ------------------------------------------------------------------ words
def test_a_respiratory_picture_is_not_febrile():
    g = CAT.grade(["breathlessness", "fever"], Vitals(rr=26))
    assert g.kind != "febrile"


def test_trali_and_circulatory_overload_are_named():
    assert CAT.grade(["breathlessness"], Vitals(spo2=88)).kind == "trali"
    assert CAT.grade(["breathlessness"], Vitals(sbp=225)).kind == "circulatory-overload"
    assert CAT.grade(["urticaria", "breathlessness"], Vitals(spo2=88)).kind == "anaphylactic"


def test_a_stop_for_an_unresolved_reaction_carries_its_kinds_steps():
    s = session()
    run_to(s, 65)
    s.report_symptoms(65, ["rigors"])
    confirm(s, 65)
    p = s.due(95)
    assert (p.action, p.kind) == ("stop", "febrile") and p.emergency == CAT.emergency_for("febrile")


def test_an_episode_after_the_end_is_recorded_resolved_and_closes_after_its_review():
    s, done = _bag_empty()
    confirm(s, done)
    s.report_symptoms(done + 5, ["stiff-neck"])
    confirm(s, done + 6)  # the advice, journaled; the review time runs from it
    s.resolved(done + 20)
    ep = s.state.episode
    assert ep.is_open(done + 35) and not ep.is_open(done + 36)
    p = s.report_symptoms(done + 40, ["back-pain"])  # a new episode: a further reaction, one grade higher
    assert s.state.episode is not ep and s.state.episode.grade == "mild"
    assert (p.action, p.grade) == ("emergency", "severe")  # after a moderate one: handled severe (policy)


def test_a_hand_pause_after_a_slow_held_by_the_policy_resumes_at_the_held_rate_not_at_zero():
    """Found by the hard-limit property test: flushing twice (a second reaction: handled moderate,
    "hold"), the proposal to pause overridden "slow to 42 mL/h", then a pause by hand: once resolved
    and reviewed, the proposal was "resume at 0 mL/h", whose replan divided by zero. It resumes at
    the 42 mL/h held before the pause. (The bundled policies stop symptoms that come back after
    "resolved" (NHS Borders); a policy that escalates them instead reaches this path.)"""
    escalating = dataclasses.replace(get_policy("tiered"), came_back="escalate")
    s = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)), escalating)
    s.record_vitals(0, BASE)
    s.start(0)
    s.report_symptoms(0, ["flushing"])
    s.resolved(0)
    s.report_symptoms(0, ["flushing"])
    s.override(0, s.due(0), "slow", 42.0, "the nurse's reason")
    s.pause(0, "by hand")
    s.resolved(5)
    p = s.due(30)
    assert (p.action, p.rate_ml_h) == ("resume", 42.0)
    s.confirm(30, p)
    assert s.status == "running" and s.state.rate_ml_h == 42.0
