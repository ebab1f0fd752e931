"""The chair workstation's core rules: holds before the start, quitting is not a crash, a
prescriber's new rate, training apart, a child's judge lines, event words, the form's words."""
from dataclasses import replace

import pytest

from titration.catalogue_file import load_catalogue
from titration.chair import Chair
from titration.chair_names import is_training_name, next_chair_name
from titration.chair_state import ChairFacts
from titration.checklist import ChecklistAnswers, assess, questions_for
from titration.errors import InputError, SessionError
from titration.intake import FormRequest, check_form, read_vitals
from titration.occupancy import OpenInfusion, conflicts
from titration.plan import PlanRequest, build_plan
from titration.prescriber_rate import PrescriberRate
from titration.reopen import PumpAnswer, record_quit, reopen, reopening
from titration.report.chartdata import marker_for
from titration.session import Session
from titration.vitals import Vitals

ADULT = Vitals(36.8, 72, 124, 78, 98, 14)
CHILD_FEVER = Vitals(38.6, 100, 100, 60, 98, 24)  # a 6-year-old: normal but for the temperature
ALL_NO = {"prior_reaction": 0, "iga": 0, "pregnant": 0, "breastfeeding": 0, "vaccine": 0, "infection": 0, "brand": 0}


def octagam(age=None, weight=70.0):
    return Session(build_plan(PlanRequest("octagam-10", "itp", weight, 1.0, age_years=age)))


def chair_for(s, name="Bay A/1", training=False):
    return Chair(s, ChairFacts(name, "P-1", None, 1.0, training), journal_errors=())


# ---------------------------------------------------------------------------- holds before the start
def test_a_feverish_child_is_held_until_the_prescriber_decides_and_the_decision_is_journaled():
    s = octagam(age=6, weight=20)
    c = chair_for(s)
    assert c.record_vitals(0, CHILD_FEVER)  # grades moderate: fever
    snap = c.snapshot(0)
    assert not snap.intents.can_start and "discuss with the prescriber" in snap.intents.reason("start")
    assert any("baseline vitals grade moderate" in h for h in snap.holds)
    out = c.start(1)
    assert not out and "discuss with the prescriber first" in out.message and s.status == "planned"
    with pytest.raises(SessionError, match="discuss with the prescriber"):
        s.start(1)
    refused = c.prescriber_decision(1, "  ", "start")
    assert not refused and "Prescriber" in refused.message  # the name is required
    assert c.prescriber_decision(2, "Dr Okafor", "start")
    e = s.events[-1]
    assert (e.kind, e.data["prescriber"], e.data["decision"]) == ("prescriber", "Dr Okafor", "start")
    assert any("baseline vitals" in h for h in e.data["holds"])
    assert c.start(3) and s.status == "running"


def test_do_not_start_keeps_the_infusion_from_starting():
    s = octagam(age=6, weight=20)
    c = chair_for(s)
    c.record_vitals(0, CHILD_FEVER)
    assert c.prescriber_decision(1, "Dr Okafor", "do-not-start")
    out = c.start(2)
    assert not out and "decided not to start" in out.message


def test_infection_today_holds_the_start_and_replays_from_the_journal():
    s = octagam()
    c = chair_for(s)
    r = assess(ChecklistAnswers({**ALL_NO, "infection": 1}, hydrated=True, age_years=50, sex="female"))
    assert r.ok and r.holds == ["an infection today raises the reaction risk (consider delaying)"]
    assert c.record_checklist(0, r) and c.record_vitals(0, ADULT)
    assert not c.start(1)
    again = Session.replay([e.to_dict() for e in s.events])  # the hold is in the record, not only in memory
    assert again.start_holds() == s.start_holds() != []


def test_a_normal_baseline_and_a_clear_checklist_start_as_before():
    s = octagam()
    c = chair_for(s)
    c.record_checklist(0, assess(ChecklistAnswers(ALL_NO, hydrated=True)))
    c.record_vitals(0, ADULT)
    assert c.snapshot(0).intents.can_start and c.start(0)


def test_the_form_refuses_create_for_a_feverish_child_until_the_prescriber_decides():
    texts = {"weight": "20", "dose": "1", "age_years": "6"}
    vitals = {k: f"{v:g}" for k, v in CHILD_FEVER.to_dict().items()}
    answers = ChecklistAnswers(ALL_NO, hydrated=True, age_years=6, sex="male")
    form = FormRequest("octagam-10", "itp", texts, vitals=vitals, checklist=answers)
    check = check_form(form)
    assert check.plan is not None and not check.problems and not check.ok
    assert any(b.startswith("Discuss with the prescriber first: baseline vitals grade moderate") for b in check.blocks)
    decided = check_form(replace(form, prescriber="Dr Okafor", decision="start"))
    assert decided.ok and decided.holds == check.holds


def test_questions_that_cannot_apply_are_not_asked():
    ids = lambda age, sex: {q.id for q in questions_for(age, sex)}  # noqa: E731
    assert "pregnant" not in ids(45, "male") and "breastfeeding" not in ids(6, "female")
    assert {"pregnant", "breastfeeding"} <= ids(12, "female") and {"pregnant"} <= ids(None, None)  # the safer reading
    r = assess(ChecklistAnswers({k: v for k, v in ALL_NO.items() if k not in ("pregnant", "breastfeeding")},
                                hydrated=True, age_years=6, sex="female"))
    assert r.ok and "pregnant" not in r.answers and "under 12 years" in r.asked_for


# ---------------------------------------------------------------------------- quit is not a crash
def running_at_15_9():
    s = octagam()
    s.record_vitals(0, ADULT)
    s.start(0)
    s.note(15.9, "comfortable")
    return s


def test_a_deliberate_quit_is_journaled_and_reopening_says_so_and_stops_the_pump_at_the_quit():
    s = running_at_15_9()
    record_quit(s, 27.9, "runs-on")
    assert s.events[-1].kind == "app_closed" and s.events[-1].data == {"pump": "runs-on"}
    w0 = 1_800_000_000.0
    quit_wall = w0 + 27.9 * 60
    r = reopening(s, quit_wall, quit_wall, quit_wall + 12 * 60)
    assert r.deliberate and r.words().startswith("The app was closed on purpose 12 min ago")
    assert r.default_stop_min == pytest.approx(27.9)
    reopen(s, r, PumpAnswer(ran=False))
    pause = next(e for e in s.events if e.kind == "pause")
    assert pause.at_min == pytest.approx(27.9) and pause.data["entered_at_min"] == pytest.approx(39.9)
    assert s.delivered_ml(40) == pytest.approx(42 * 27.9 / 60)  # counted to the stop, not to minute 15.9


def test_after_a_crash_the_stop_defaults_to_the_last_time_seen_alive_never_the_last_event():
    s = running_at_15_9()
    w0 = 1_800_000_000.0
    last_wall, alive = w0 + 15.9 * 60, w0 + 27.9 * 60
    r = reopening(s, last_wall, alive, w0 + 40 * 60)
    assert not r.deliberate and "closed unexpectedly" in r.words()
    assert r.default_stop_min == pytest.approx(27.9) and r.now_min == pytest.approx(40)
    with pytest.raises(InputError, match="When the pump stopped"):
        reopen(s, r, PumpAnswer(ran=False, stopped_at_min=10))  # before the last recorded event
    reopen(s, r, PumpAnswer(ran=False))
    assert [e.at_min for e in s.events if e.kind == "pause"] == [pytest.approx(27.9)]


def test_after_recovery_the_next_step_is_the_plans_never_maximum_rate_reached():
    s = running_at_15_9()
    r = reopening(s, 0.0, 12 * 60, 24 * 60)  # seen alive to minute 27.9; reopened at minute 39.9
    reopen(s, r, PumpAnswer(ran=False))
    assert s.next_step(40).why_none.startswith("none while paused")
    s.resume(40)
    nxt = s.next_step(40)
    assert nxt.at_min == pytest.approx(70) and (nxt.step, nxt.rate_ml_h) == (2, 84.0)  # step 1 for 30 min again


# ---------------------------------------------------------------------------- a prescriber's new rate
def held_at_42():
    """Octagam 10%, 70 kg: 42, 84, 168, 336, 504 mL/h every 30 min. A moderate reaction at 40 min
    (at 84 mL/h): paused, resolved at 50, resumed at 42 mL/h and held there to the end."""
    s = octagam()
    s.record_vitals(0, ADULT)
    s.start(0)
    s.confirm(30, s.due(30))
    assert s.report_symptoms(40, ["rigors"]).action == "pause"
    s.confirm(40, s.due(40))
    s.resolved(50)
    p = s.due(50)
    assert (p.action, p.rate_ml_h) == ("resume", 42.0)
    s.confirm(50, p)
    return s


def test_a_prescribers_new_maximum_lets_the_ladder_climb_to_it_and_the_plan_is_made_again():
    s = held_at_42()
    assert s.state.ceiling_ml_h == 42.0 and s.plan.end_min > 900  # 665 mL at 42 mL/h: about 16 hours
    c = chair_for(s)
    assert c.prescriber_rate(75, PrescriberRate("Dr Okafor", "long day; tolerated 84 before", max_ml_h=168))
    e = s.events[-1]
    assert e.kind == "prescriber_rate" and e.data == {"prescriber": "Dr Okafor", "reason":
                                                      "long day; tolerated 84 before", "max_ml_h": 168.0}
    assert s.state.ceiling_ml_h is None and s.state.cap_ml_h == 168.0
    assert s.plan.end_min < 400  # recomputed: 84 at 105, 168 from 135 to the end
    assert s.due(104) is None and (s.due(105).action, s.due(105).rate_ml_h) == ("increase", 84.0)
    s.confirm(105, s.due(105))
    s.confirm(135, s.due(135))
    assert s.state.rate_ml_h == 168.0 and s.next_step_at() is None
    assert s.next_step(140).why_none == "none: at the prescriber's maximum of 168 mL/h"
    assert Session.replay([x.to_dict() for x in s.events]).state.cap_ml_h == 168.0


def test_a_prescribers_rate_is_checked_against_the_hard_limits():
    s = held_at_42()
    c = chair_for(s)
    out = c.prescriber_rate(75, PrescriberRate("Dr Okafor", "why", max_ml_h=600))
    assert not out and "above this plan's maximum of 504 mL/h" in out.message
    early = c.prescriber_rate(60, PrescriberRate("Dr Okafor", "why", rate_ml_h=84))  # the episode is open to 70
    assert not early and "no rate climbs while a reaction episode is open" in early.message
    assert not c.prescriber_rate(75, PrescriberRate("", "why", max_ml_h=84))  # a name is required
    assert s.state.ceiling_ml_h == 42.0 and s.state.cap_ml_h is None  # nothing changed


# ---------------------------------------------------------------------------- training apart
def test_training_runs_are_named_apart_and_their_snapshot_says_training():
    assert next_chair_name(["Chair 1", "Training 1"], training=True) == "Training 2"
    assert next_chair_name(["Chair 1", "Training 1"]) == "Chair 2"
    assert is_training_name(" training  3") and not is_training_name("Bay A chair 1")
    s = octagam()
    snap = chair_for(s, "Training 1", training=True).snapshot(0)
    assert snap.training and snap.state_words.startswith("TRAINING")


def test_one_active_infusion_per_patient_and_per_chair_is_decided_from_the_open_ones():
    open_ = [OpenInfusion("Bay C chair 5", "P123", "A", None), OpenInfusion("Training 1", "P9", "", None, True)]
    assert conflicts("Bay B chair 1", "p123", open_) == ["Patient p123: already running on Bay C chair 5 "
                                                         "(workstation A); finish or close that infusion first"]
    assert conflicts("bay c  chair 5", "P7", open_)[0].startswith("bay c  chair 5: already has an infusion running")
    assert conflicts("Bay B chair 1", "P9", open_) == []  # a training run never blocks a real one
    assert conflicts("Bay C chair 5", "P123", open_, training=True) == []


# ---------------------------------------------------------------------------- words
def test_a_childs_normal_temperature_adds_no_judge_line_even_where_no_band_covers_a_low_one():
    cat = load_catalogue()
    no_low_temp = replace(cat, adult_sides=frozenset(s for s in cat.adult_sides if s != ("temp_c", "low")))
    _, judge = no_low_temp.findings(Vitals(temp_c=37.2), None, 6)
    assert judge == []
    _, judge = no_low_temp.findings(Vitals(temp_c=34.5), None, 6)
    assert judge and "a low temperature is not graded" in judge[0]


def test_continue_after_an_override_is_never_worded_as_a_resume():
    s = octagam()
    s.record_vitals(0, ADULT)
    s.start(0)
    s.confirm(30, s.due(30))
    p = s.report_symptoms(40, ["headache"])
    s.override(41, p, "continue", 84.0, "settled with paracetamol")
    m = marker_for(s.events[-1], s)
    assert m.label.startswith("Continued at 84 mL/h") and "Resumed" not in m.label


def test_vitals_words_use_the_fields_label_and_120_over_80_is_split_never_12080():
    with pytest.raises(InputError) as exc:
        Vitals(temp_c=98.6)
    assert str(exc.value) == "Temperature (°C): 98.6 is not allowed; 30 to 44"
    v, problems = read_vitals({"sbp": "120/80"})
    assert problems == [] and (v.sbp, v.dbp) == (120, 80)
    v, problems = read_vitals({"sbp": "120/80", "dbp": "70"})
    assert v is None and problems[0].field == "vital_sbp" and "120/80 is not allowed" in problems[0].words
    _, problems = read_vitals({"temp_c": "98.6", "pulse": "7o"})
    assert [p.words for p in problems] == ["Temperature (°C): 98.6 is not allowed; 30 to 44",
                                           "Pulse (/min): '7o' is not a number; type digits only, with at most one "
                                           "decimal point"]


def test_the_form_finds_every_bad_field_at_once_and_builds_the_plan_at_most_once(monkeypatch):
    import titration.intake as intake

    calls = []
    real = intake.build_plan
    monkeypatch.setattr(intake, "build_plan", lambda req: calls.append(req) or real(req))
    check = check_form(FormRequest("octagam-10", "itp", {"weight": "0", "dose": "-1", "height": "1.7m",
                                                          "unit_cap": "5000", "closing_time": "25:00"}))
    assert [p.field for p in check.problems] == ["weight", "height", "dose", "unit_cap", "closing_time"]
    assert calls == []  # bad fields: no plan is tried with stand-in values
    check = check_form(FormRequest("octagam-10", "itp", {"weight": "70", "dose": "2"},
                                   vitals={"temp_c": "36.8"}))
    assert len(calls) == 1 and check.plan is None
    (p,) = check.problems
    assert p.field == "dose" and "--" not in p.words and "=REASON" not in p.words  # no command-line syntax


def test_the_snapshot_says_what_is_next_in_words_and_never_an_increase_in_an_open_episode():
    s = octagam()
    c = chair_for(s)
    c.record_vitals(0, ADULT)
    c.start(0)
    c.record_vitals(15, ADULT)
    snap = c.snapshot(20)
    assert snap.next_due.what == "step 2: 84 mL/h" and snap.next_due.line().startswith("step 2: 84 mL/h at +0:30")
    assert snap.summary_line == "RUNNING · 42 mL/h · step 1 of 5 · 14 of 700 mL"
    assert snap.times.elapsed_text == "0:20 since the start" and snap.step == 1 and snap.steps == 5
    c.report_symptoms(25, ["headache"])
    snap = c.snapshot(25)
    assert snap.proposal is not None and snap.proposal.action == "pause" and snap.alerts[0].priority == "medium"
    assert not snap.intents.can_increase and snap.episode is not None and snap.episode.open
    import json

    json.dumps(snap.to_dict())  # the compact form prints as JSON


def test_a_stop_keeps_the_emergency_steps_in_the_snapshot_while_the_reaction_is_open():
    s = octagam()
    c = chair_for(s)
    c.record_vitals(0, ADULT)
    c.start(0)
    c.report_symptoms(10, ["stridor"])
    snap = c.snapshot(10)
    assert snap.proposal.action == "stop" and snap.alerts[0].priority == "high" and snap.emergency_steps
    c.confirm(11)
    after = c.snapshot(12)
    assert s.status == "stopped" and after.emergency_steps == snap.emergency_steps


def _running_chair():
    s = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))
    s.record_vitals(0, Vitals(36.8, 72, 124, 78, 98, 14))
    s.start(0)
    return s, Chair(s, ChairFacts("Chair 1", "P-1", None, 1.0, False))


def test_the_snapshot_says_the_target_rate_and_the_emergency_steps_with_their_kind():
    s, c = _running_chair()
    assert c.snapshot(10).target_ml_h == 42  # running at step 1
    s.confirm(30, s.due(30))
    st = c.snapshot(40)
    assert st.target_ml_h == 84 and st.emergency is None
    s.report_symptoms(41, ["wheeze"])  # severe: STOP, the anaphylaxis steps
    st = c.snapshot(41)
    assert st.target_ml_h == 0 and st.emergency is not None
    kind = s.catalogue.kind(st.proposal.kind)
    assert st.emergency.title == f"STOP — {kind.label}" and st.emergency.source == kind.source
    assert st.emergency.steps == tuple(s.catalogue.emergency_for(kind.id)) == st.emergency_steps
    assert not st.emergency.after_end


def test_a_chair_driven_elsewhere_allows_no_intent_and_says_why():
    s, c = _running_chair()
    assert c.snapshot(5).intents.can_pause
    c.read_only = "driven from workstation B: read-only here"
    st = c.snapshot(5)
    assert st.read_only and not st.intents.can_pause and not st.intents.can_stop
    assert not st.intents.can_report_symptoms and not st.intents.can_record_vitals
    assert st.intents.reason("stop") == "driven from workstation B: read-only here"
    out = c.pause(5, "")
    assert not out.done and out.message == "Pause: driven from workstation B: read-only here"
