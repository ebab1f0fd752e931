"""Reactions recognised by their criteria, every dangerous vital sign, children, kinds, recurrence.

Hand-worked cases against resources/symptoms.toml and the policies, and hypothesis properties
for the classes (anaphylaxis criteria always stop; a third reaction always stops; no vital sign
beyond a NEWS2 score-3 band is graded "none"; a child is never graded with adult bands).
"""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from titration.catalogue_file import load_catalogue, read_catalogue
from titration.data import resource
from titration.errors import DataError
from titration.plan import PlanRequest, build_plan
from titration.policy import get_policy
from titration.session import Session
from titration.vitals import Vitals

CAT = load_catalogue()
CAT_PATH = resource("symptoms.toml")
BASE = Vitals(temp_c=36.8, pulse=72, sbp=124, dbp=78, spo2=98, rr=14)
SKIN = ["urticaria", "angioedema", "itch", "flushing"]
OTHER_SYSTEMS = ["breathlessness", "chest-tightness", "wheeze", "stridor", "severe-dyspnoea", "collapse",
                 "vomiting", "abdominal-pain"]


def session(policy="tiered", age=None, weight=70):
    s = Session(build_plan(PlanRequest("octagam-10", "itp", weight, 1.0, age_years=age)), get_policy(policy))
    s.record_vitals(0, BASE if age is None else Vitals(temp_c=37.0, pulse=100, sbp=104, dbp=62, spo2=98, rr=22))
    s.start(0)
    return s


def step_to(s, t):
    p = s.due(t)
    assert p is not None and p.action == "increase", p
    s.confirm(t, p)


# ------------------------------------------------------------------ anaphylaxis by criteria
def test_hives_with_breathlessness_is_anaphylaxis_though_neither_is_severe():
    assert CAT.symptoms["urticaria"].grade == CAT.symptoms["breathlessness"].grade == "moderate"
    g = CAT.grade(["urticaria", "breathlessness"])
    assert (g.grade, g.kind, g.criteria) == ("severe", "anaphylactic", ("anaphylaxis-skin",))
    assert any("WAO 2020" in r for r in g.reasons)


def test_skin_with_vomiting_or_low_pressure_is_anaphylaxis_skin_alone_is_not():
    assert CAT.grade(["itch", "vomiting"]).grade == "severe"
    assert CAT.grade(["flushing"], Vitals(sbp=88)).kind == "anaphylactic"
    assert CAT.grade(["urticaria"]).grade == "moderate"
    assert CAT.grade(["flushing", "itch"]).grade == "mild"  # two skin signs: one organ system
    assert CAT.grade(["nausea", "breathlessness"]).grade == "moderate"  # no skin sign


def test_hypoxaemia_counts_as_respiratory_compromise():
    g = CAT.grade(["urticaria"], Vitals(spo2=91))
    assert g.grade == "severe" and "anaphylaxis-skin" in g.criteria


@pytest.mark.parametrize("sbp,base,expected", [
    (89, None, "severe"),     # below 90: hypotension alone is anaphylaxis (WAO 2020)
    (90, None, "moderate"),   # exactly 90: NEWS2 score 3, not below 90
    (91, None, "mild"),       # NEWS2 score 2 (91-100)
    (101, None, "none"),
    (97, 140, "severe"),      # fall of 43 = 30.7 % > 30 %
    (98, 140, "mild"),        # fall of 42 = exactly 30 %: not more than 30 %; 98 scores 2 on NEWS2
])
def test_low_blood_pressure_alone(sbp, base, expected):
    g = CAT.grade_vitals(Vitals(sbp=sbp), None if base is None else Vitals(sbp=base))
    assert g.grade == expected
    if expected == "severe":
        assert g.kind == "anaphylactic" and "anaphylaxis-hypotension" in g.criteria


def test_the_new_scenario_hives_and_breathlessness_stops_with_the_anaphylaxis_steps():
    s = session()
    step_to(s, 30)
    p = s.report_symptoms(40, ["urticaria", "breathlessness"])
    assert (p.action, p.grade, p.kind) == ("stop", "severe", "anaphylactic")
    assert p.emergency == CAT.emergency_for("anaphylactic")
    assert any("adrenaline" in x for x in p.emergency)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(SKIN), st.sampled_from(OTHER_SYSTEMS), st.lists(st.sampled_from(list(CAT.symptoms)), max_size=3),
       st.sampled_from(["tiered", "pause-always"]))
def test_property_anaphylaxis_criteria_always_stop(skin, other, extra, policy):
    s = session(policy)
    step_to(s, 30)
    p = s.report_symptoms(40, [skin, other, *extra])
    assert p.action == "stop" and p.grade == "severe"


@settings(max_examples=60, deadline=None)
@given(st.floats(40, 89.9), st.sampled_from(["tiered", "pause-always"]))
def test_property_systolic_below_90_always_stops(sbp, policy):
    s = session(policy)
    step_to(s, 30)
    s.record_vitals(40, Vitals(sbp=round(sbp, 1)))
    assert s.due(40).action == "stop"


# ------------------------------------------------------------------ kinds and symptoms
def test_aseptic_meningitis_by_its_combination():
    g = CAT.grade(["headache", "stiff-neck"])
    assert (g.grade, g.kind) == ("severe", "aseptic-meningitis")
    assert CAT.grade(["stiff-neck"]).grade == "moderate"


@pytest.mark.parametrize("sid,kind", [("one-sided-weakness", "thrombotic"), ("speech-difficulty", "thrombotic"),
                                      ("painful-swollen-limb", "thrombotic"), ("chest-pain", "thrombotic"),
                                      ("little-urine", "renal"), ("dark-urine", "haemolytic")])
def test_serious_symptoms_stop_with_their_kind_and_a_source(sid, kind):
    s = CAT.symptoms[sid]
    assert s.grade == "severe" and s.kind == kind and s.late and s.source
    assert CAT.grade([sid]).kind == kind


def test_every_kind_of_the_issue_has_words_steps_and_a_source():
    for k in ("anaphylactic", "febrile", "thrombotic", "aseptic-meningitis", "renal", "haemolytic",
              "circulatory-overload", "other"):
        kind = CAT.kind(k)
        assert kind.id == k and kind.words and kind.steps and kind.source
    assert CAT.emergency_steps == CAT.emergency_for("other")


def test_look_out_text_names_the_late_reactions():
    text = " ".join(CAT.look_out())
    for word in ("stiff neck", "urine", "one side", "arm or leg"):
        assert word in text


def test_every_rule_names_its_source():
    assert all(r.source for r in CAT.rules) and all(c.source for c in CAT.criteria)
    assert all(b.source for b in CAT.child_bands)


def test_a_criterion_naming_an_unknown_sign_is_refused_on_load(tmp_path):
    text = open(CAT_PATH).read().replace('require = [["hypotension"]]', 'require = [["hypotensoin"]]')
    bad = tmp_path / "symptoms.toml"
    bad.write_text(text)
    with pytest.raises(DataError, match="hypotensoin"):
        read_catalogue(str(bad))


def test_a_symptom_with_an_unknown_kind_is_refused_on_load(tmp_path):
    text = open(CAT_PATH).read().replace('kind = "renal"\nlate', 'kind = "kidney"\nlate', 1)
    bad = tmp_path / "symptoms.toml"
    bad.write_text(text)
    with pytest.raises(DataError, match="kidney"):
        read_catalogue(str(bad))


# ------------------------------------------------------------------ every dangerous vital sign
SCORE_3 = [  # NEWS2 chart 1: the bands that score 3, both sides
    ("rr", 8.0, "<="), ("rr", 25.0, ">="), ("spo2", 91.0, "<="), ("sbp", 90.0, "<="), ("sbp", 220.0, ">="),
    ("pulse", 40.0, "<="), ("pulse", 131.0, ">="), ("temp_c", 35.0, "<="),
]
LIMITS = {"rr": (4, 120), "spo2": (50, 100), "sbp": (40, 260), "pulse": (20, 250), "temp_c": (30.0, 44.0)}


@pytest.mark.parametrize("field,edge,op", SCORE_3)
def test_each_score_3_edge_acts_on_its_own(field, edge, op):
    for base in (None, BASE):
        g = CAT.grade_vitals(Vitals(**{field: edge}), base)
        assert g.grade in ("moderate", "severe"), (field, edge, g)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(SCORE_3), st.floats(0, 1), st.booleans())
def test_property_no_vital_sign_beyond_a_score_3_band_is_graded_none(band, frac, with_baseline):
    field, edge, op = band
    lo, hi = LIMITS[field]
    value = edge - frac * (edge - lo) if op == "<=" else edge + frac * (hi - edge)
    value = round(value, 1) if field == "temp_c" else round(value)
    value = min(value, edge) if op == "<=" else max(value, edge)
    g = CAT.grade_vitals(Vitals(**{field: value}), BASE if with_baseline else None)
    assert g.grade in ("moderate", "severe")


def test_very_high_systolic_is_circulatory_overload_and_stops():
    g = CAT.grade_vitals(Vitals(sbp=224))
    assert (g.grade, g.kind) == ("severe", "circulatory-overload")


# ------------------------------------------------------------------ children
def test_a_child_is_not_graded_with_adult_bands():
    # A 4-year-old's pulse of 112 and RR of 28 would raise an adult's grade (NEWS2 score 2 and 3);
    # for a child of 4 both are within the paediatric bands (WAO pulse 70-115; Bedside PEWS RR).
    adult = CAT.grade_vitals(Vitals(pulse=112, rr=28))
    child = CAT.grade_vitals(Vitals(pulse=112, rr=28), age_years=4)
    assert adult.grade == "moderate"
    assert child.grade == "none" and not child.judge


@pytest.mark.parametrize("age,sbp,expected", [
    (0.5, 69, "severe"), (0.5, 70, "none"),      # under 70 from 1 month to 1 year
    (4, 77, "severe"), (4, 80, "none"),          # under 70 + 2 x 4 = 78
    (4, 78, "severe"),                           # below the normal 80-99 at 2-4 years: the adult < 90 is a floor
    (10, 89, "severe"), (10, 90, "none"),        # under 70 + 2 x 10 = 90
    (14, 89, "severe"), (14, 101, "none"),       # under 90 from 11 to 17
    (14, 90, "moderate"),                        # from 12 the adult bands grade too: NEWS2 score 3
])
def test_a_childs_low_blood_pressure_by_age(age, sbp, expected):
    g = CAT.grade_vitals(Vitals(sbp=sbp), age_years=age)
    assert g.grade == expected and not g.judge


@pytest.mark.parametrize("age,pulse,expected", [(1.5, 141, "mild"), (1.5, 140, "none"), (3, 121, "mild"),
                                                (7, 116, "mild"), (7, 69, "mild"), (7, 90, "none"),
                                                (2, 141, "moderate")])  # above the normal 90-139 at 2-4 years
def test_a_childs_pulse_by_age(age, pulse, expected):
    assert CAT.grade_vitals(Vitals(pulse=pulse), age_years=age).grade == expected


def test_a_week_old_babys_values_are_all_graded():
    g = CAT.grade_vitals(Vitals(temp_c=34.6, pulse=30), age_years=0.02)  # a week-old baby
    assert g.grade == "severe"  # Bedside PEWS: pulse <= 80 at 0-3 months is its highest sub-score
    assert not g.judge  # a low temperature is graded by the adult band at every age (adult_sides)
    assert CAT.grade_vitals(Vitals(temp_c=34.6), age_years=0.02).grade == "moderate"  # NEWS2 <= 35.0 scores 3
    assert CAT.grade_vitals(Vitals(temp_c=38.5), age_years=0.02).grade == "moderate"  # fever applies to all ages


def test_where_no_band_covers_the_age_the_nurse_is_asked_to_judge(tmp_path):
    # A unit's edited copy without the adult low-temperature side: the value is shown for the nurse to judge.
    text = open(CAT_PATH, encoding="utf-8").read().replace('"temp_c low", ', "")
    f = tmp_path / "symptoms.toml"
    f.write_text(text, encoding="utf-8")
    g = read_catalogue(str(f)).grade_vitals(Vitals(temp_c=34.6), age_years=0.02)
    assert g.grade == "none"
    assert len(g.judge) == 1 and "Temperature 34.6 °C" in g.judge[0] and "judge it yourself" in g.judge[0]


@settings(max_examples=100, deadline=None)
@given(st.floats(0, 17.99), st.floats(0, 1), st.floats(0, 1))
def test_property_a_childs_normal_pulse_or_breathing_is_not_graded_by_an_adult_band(age, fp, fr):
    # Inside the child's normal range for the age (Scottish PEWS) only the paediatric bands grade: a
    # healthy toddler's pulse of 135 is not an adult's NEWS2 3 (the floor applies outside the range only).
    normal = CAT.normal_for(age).ranges
    pulse = round(normal["pulse"][0] + (normal["pulse"][1] - normal["pulse"][0]) * fp)
    rr = round(normal["rr"][0] + (normal["rr"][1] - normal["rr"][0]) * fr)
    g = CAT.grade_vitals(Vitals(pulse=pulse, rr=rr, spo2=97), age_years=age)
    adult = {r.label for r in CAT.rules if r.ages != "all"}
    assert not any(r.split(" -> ")[0] in adult for r in g.reasons), (age, pulse, rr, g.reasons)


def test_a_childs_session_uses_the_paediatric_bands_and_records_what_to_judge():
    s = session(age=4, weight=18)
    g = s.record_vitals(10, Vitals(pulse=112, rr=28, temp_c=36.6))
    assert g.grade == "none" and s.due(10) is None
    assert "judge" not in s.events[-1].data and s.events[-1].data["grade"] == "none"
    assert "news2" not in s.events[-1].data  # NEWS2 is for 16 and over
    p = s.report_symptoms(12, ["headache"], Vitals(temp_c=35.0))
    assert p.grade == "moderate"  # a low temperature: the adult NEWS2 band grades a child too
    s2 = session(weight=48)  # the same values in an adult grade a reaction
    assert s2.record_vitals(10, Vitals(pulse=112, rr=28)).grade == "moderate"


# ------------------------------------------------------------------ recurrence escalates
def _react(s, t, symptoms):
    p = s.report_symptoms(t, symptoms)
    s.confirm(t, p)
    return p


def test_recurrence_escalates_mild_mild_mild_to_a_stop():
    s = session()
    step_to(s, 30)
    first = _react(s, 35, ["chills"])
    assert (first.action, first.grade) == ("slow", "mild")
    s.resolved(45)
    s.confirm(65, s.due(65))  # escalation resumes after the review
    second = _react(s, 70, ["headache"])
    assert (second.action, second.grade) == ("pause", "moderate")
    s.resolved(80)
    s.confirm(100, s.due(100))  # resume and hold
    third = s.report_symptoms(110, ["myalgia"])
    assert (third.action, third.grade) == ("stop", "severe")
    assert "third reaction" in third.reason
    assert third.kind == "infusion-related" and third.emergency == CAT.emergency_for("infusion-related")
    assert not any("adrenaline" in x for x in third.emergency)  # not the anaphylaxis box


def test_a_moderate_first_reaction_makes_any_second_one_stop():
    s = session()
    step_to(s, 30)
    _react(s, 35, ["vomiting"])
    s.resolved(50)
    s.confirm(60, s.due(60))
    assert s.report_symptoms(70, ["itch"]).action == "stop"


def test_policy_effective_grade_counts_reactions_cumulatively():
    tiered, pause = get_policy("tiered"), get_policy("pause-always")
    assert tiered.effective_grade("mild", 0) == ("mild", "")
    assert tiered.effective_grade("mild", 1, "mild")[0] == "moderate"
    assert tiered.effective_grade("mild", 1, "moderate")[0] == "severe"
    assert tiered.effective_grade("severe", 1, "mild")[0] == "severe"
    assert tiered.effective_grade("mild", 2, "mild")[0] == "severe"
    assert pause.effective_grade("mild", 1, "mild")[0] == "severe"
    assert tiered.recurrence == "escalate" and "third reaction always stops" in tiered.description


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(["chills", "headache", "flushing", "nausea", "itch", "myalgia", "fever"]),
                min_size=3, max_size=3), st.sampled_from(["tiered", "pause-always"]))
def test_property_a_third_reaction_always_stops(reactions, policy):
    s = session(policy)
    step_to(s, 30)
    t = 35.0
    for n, sid in enumerate(reactions, 1):
        p = s.report_symptoms(t, [sid])
        if p.action == "stop" or n == 3:
            assert p.action == "stop" and p.grade == "severe"
            return
        s.confirm(t, p)
        s.resolved(t + 5)
        r = s.due(t + 30)
        assert r is not None and r.action in ("increase", "resume")
        s.confirm(t + 30, r)
        t += 40


def test_the_anaphylaxis_by_criteria_scenario_stops_at_the_onset():
    import pathlib

    from titration.training.run import run_with_patient
    from titration.training.scenario import read_scenario, simulate_json

    f = pathlib.Path(CAT_PATH).parent / "scenarios" / "12-anaphylaxis-by-criteria.toml"
    s = run_with_patient(read_scenario(f))
    out = simulate_json(s)
    stops = [e for e in out["events"] if e["kind"] == "action" and e["action"] == "stop"]
    assert out["outcome"] == "stopped" and len(stops) == 1
    assert stops[0]["grade"] == "severe" and stops[0]["reaction_kind"] == "anaphylactic"
    reported = [e for e in out["events"] if e["kind"] == "symptoms"][0]
    assert set(reported["symptoms"]) == {"urticaria", "breathlessness"}
    assert stops[0]["at_min"] == reported["at_min"]
