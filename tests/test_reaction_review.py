"""Review of the reaction engine (round two): cases that under-treated, kept as tests.

- A child's vital no cited band covers, on either side, is never silently "none": the result says
  so and asks the nurse to judge (a child's low temperature included), whatever a derived rule
  (a fall from baseline) says.
- A child's breathing rate, SpO2, infant pulse and high systolic pressure are graded by cited
  paediatric bands (Bedside PEWS, Scottish national PEWS), never by adult NEWS2 bands.
- Every NEWS2 score-2 band raises an adult's grade to at least mild, as symptoms.toml says
  (systolic 91-100 was missing).
"""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from titration.catalogue_file import load_catalogue
from titration.reactions import GRADED_FIELDS, SIDES, age_text, grade_index
from titration.vitals import VITAL_FIELDS, Vitals

CAT = load_catalogue()


# ------------------------------------------------------------------ children: judge, never silent
@pytest.mark.parametrize("age", [0.02, 0.5, 5, 15])
def test_a_childs_low_temperature_is_never_silently_none(age):
    g = CAT.grade_vitals(Vitals(temp_c=34.0), age_years=age)
    assert g.grade == "moderate" and not g.judge  # NEWS2 <= 35.0 scores 3: the same danger at every age


def test_a_childs_fever_is_graded_and_nothing_is_left_to_judge():
    g = CAT.grade_vitals(Vitals(temp_c=38.4), age_years=6)
    assert g.grade == "moderate" and not g.judge


def test_a_fall_from_baseline_does_not_hide_an_uncovered_absolute_value():
    # A week-old baby: no cited band grades a systolic of 40 at this age... until one does; either
    # way the result must not be a silent "none" because a 11 % fall from 45 is under 30 %.
    g = CAT.grade_vitals(Vitals(sbp=40), Vitals(sbp=45), age_years=0.02)
    assert g.grade != "none" or any(j.startswith("Systolic BP 40") for j in g.judge)


def test_age_text_for_a_newborn_is_not_zero_months():
    assert age_text(0.02) == "under 1 month" and age_text(0.5) == "6 months" and age_text(4) == "4 years"


# ------------------------------------------------------------------ children: cited paediatric bands
@pytest.mark.parametrize("age,rr,expected", [
    (0.1, 81, "moderate"), (0.1, 19, "moderate"), (0.1, 20, "none"),                       # 0-3 months
    (0.5, 71, "moderate"),                                                                 # 3-12 months
    (2, 61, "moderate"), (2, 15, "moderate"), (2, 16, "none"),                             # 1-4 years
    (4, 41, "moderate"), (4, 18, "none"), (8, 14, "moderate"),                             # 4-12 years
    (14, 23, "moderate"), (14, 20, "none"), (14, 10, "moderate"), (14, 12, "none"),        # over 12 years
    # Above the normal range for the age (Scottish PEWS: 0-11 months 30-49, 2-4 years 20-34, over 12 years
    # 15-24) the adult bands are a floor (NEWS2: 25 or more scores 3); inside it, the children's bands only.
    (0.1, 80, "moderate"), (0.5, 70, "moderate"), (2, 60, "moderate"), (4, 40, "moderate"),
    (0.1, 49, "none"), (4, 34, "none"), (14, 22, "none"), (14, 25, "moderate"), (14, 11, "none"),
])
def test_a_childs_breathing_rate_by_age(age, rr, expected):
    g = CAT.grade_vitals(Vitals(rr=rr), age_years=age)
    assert g.grade == expected and not g.judge


def test_a_childs_fast_breathing_with_hives_is_anaphylaxis():
    g = CAT.grade(["urticaria"], Vitals(rr=62), age_years=2)
    assert (g.grade, g.kind) == ("severe", "anaphylactic") and "anaphylaxis-skin" in g.criteria


@pytest.mark.parametrize("age", [0.5, 3, 10, 16])
def test_a_childs_low_spo2_is_graded_and_with_hives_is_anaphylaxis(age):
    assert CAT.grade_vitals(Vitals(spo2=93), age_years=age).grade == "moderate"
    assert CAT.grade_vitals(Vitals(spo2=94), age_years=age).grade == "none"
    assert not CAT.grade_vitals(Vitals(spo2=85), age_years=age).judge
    assert CAT.grade(["urticaria"], Vitals(spo2=92), age_years=age).grade == "severe"


@pytest.mark.parametrize("age,pulse,expected", [
    (0.1, 90, "mild"), (0.1, 91, "none"),
    (0.1, 190, "severe"), (0.1, 80, "severe"),   # Bedside PEWS's highest sub-score (4): severe
    (0.5, 80, "mild"), (0.5, 70, "severe"),
    # Above the normal 110-159 (Scottish PEWS, 0-11 months) the adult bands are a floor (131 or more: NEWS2 3).
    (0.1, 159, "none"), (0.1, 160, "moderate"), (0.1, 180, "moderate"), (0.5, 170, "moderate"),
])
def test_an_infants_pulse_by_age(age, pulse, expected):
    g = CAT.grade_vitals(Vitals(pulse=pulse), age_years=age)
    assert g.grade == expected and not g.judge


@pytest.mark.parametrize("age,sbp,expected", [
    (0.1, 100, "mild"), (0.1, 99, "none"), (0.5, 120, "mild"), (2, 125, "mild"), (2, 124, "none"),
    (6, 140, "mild"), (6, 139, "none"), (15, 150, "mild"), (15, 149, "none"),
    (0.02, 50, "severe"), (0.02, 70, "none"),   # a newborn's low systolic (under 1 month)
    (0.02, 69, "severe"),  # below the normal 70-99 (Scottish PEWS, 0-11 months): the adult < 90 is a floor
])
def test_a_childs_systolic_pressure_both_sides(age, sbp, expected):
    g = CAT.grade_vitals(Vitals(sbp=sbp), age_years=age)
    assert g.grade == expected and not g.judge


def test_the_kawasaki_childs_baseline_is_not_a_reaction():
    # resources/scenarios/10-kawasaki-child.toml: a 4-year-old's ordinary values.
    g = CAT.grade_vitals(Vitals(temp_c=37.4, pulse=100, sbp=104, dbp=62, spo2=98, rr=18), age_years=4)
    assert g.grade == "none" and not g.judge


def _covered(age, field, side):
    lows, highs = ("<", "<="), (">", ">=")
    ops = lows if side == "low" else highs
    for b in CAT.child_bands:
        if b.covers(age) and b.field == field and b.op in ops:
            return True
    normal = CAT.normal_for(age)
    if normal is not None and field in normal.ranges:
        return True  # inside the range: normal for the age; outside it: the adult bands of that side
    for r in CAT.rules:
        adult_grades = r.ages == "all" or age >= CAT.adult_bands_from_years or (field, side) in CAT.adult_sides
        if adult_grades and len(r.when) == 1 and r.when[0][0] == field and r.when[0][1] in ops:
            return True
    return False


@settings(max_examples=300, deadline=None)
@given(st.floats(0, 17.99), st.sampled_from(GRADED_FIELDS), st.floats(0, 1), st.booleans())
def test_property_no_childs_vital_is_silently_ungraded(age, field, frac, with_baseline):
    lo, hi = VITAL_FIELDS[field][2]
    value = round(lo + (hi - lo) * frac, 1)
    base = Vitals(**{field: value}) if with_baseline else None
    g = CAT.grade_vitals(Vitals(**{field: value}), base, age_years=age)
    label = VITAL_FIELDS[field][0]
    for side in SIDES.get(field, ("low", "high")):  # a high SpO2 is not dangerous
        if not _covered(age, field, side):
            assert any(j.startswith(label) for j in g.judge), (age, field, value, side)


# ------------------------------------------------------------------ adults: NEWS2 score 2 bands
@pytest.mark.parametrize("sbp,expected", [(100, "mild"), (91, "mild"), (101, "none"), (90, "moderate")])
def test_adult_systolic_91_to_100_scores_2_and_is_at_least_mild(sbp, expected):
    assert CAT.grade_vitals(Vitals(sbp=sbp)).grade == expected


SCORE_2 = [("sbp", 91, 100), ("pulse", 111, 130), ("rr", 21, 24), ("spo2", 92, 93)]  # NEWS2 chart 1, score 2


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(SCORE_2), st.floats(0, 1))
def test_property_no_adult_vital_in_a_score_2_band_is_graded_none(band, frac):
    field, lo, hi = band
    value = round(lo + (hi - lo) * frac)
    assert grade_index(CAT.grade_vitals(Vitals(**{field: value})).grade) >= grade_index("mild")


# ------------------------------------------------------------------ a held reaction never escalates
def _session(policy):
    from titration.plan import PlanRequest, build_plan
    from titration.policy import get_policy
    from titration.session import Session

    s = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)), get_policy(policy))
    s.record_vitals(0, Vitals(temp_c=36.8, pulse=72, sbp=124, dbp=78, spo2=98, rr=14))
    s.start(0)
    for t in (30, 60):
        s.confirm(t, s.due(t))  # 42 -> 84 -> 168 mL/h
    return s


@pytest.mark.parametrize("policy,symptom", [("pause-always", "headache"), ("tiered", "fever")])
def test_a_pause_overridden_to_slow_is_still_held_after_it_resolves(policy, symptom):
    # The policy says: resolved, resume at the last tolerated rate and stay there (hold). A nurse who
    # slows instead of pausing (an override with a reason) must not then be offered escalation.
    s = _session(policy)
    p = s.report_symptoms(65, [symptom])
    assert p.action == "pause"
    s.override(65, p, "slow", 84.0, "patient asked to keep it running")
    s.resolved(70)
    r = s.due(95)
    assert r is not None and r.action == "resume" and r.rate_ml_h == 84.0 and "stay there" in r.reason
    s.confirm(95, r)
    assert s.state.ceiling_ml_h == 84.0
    assert all(s.due(t) is None or s.due(t).action != "increase" for t in (126, 160, 200, 300))


def test_a_reaction_handled_higher_after_its_review_counts_as_handled_for_the_next():
    # Tiered: a mild reaction is slowed; not resolved after 30 min it is treated as moderate (paused).
    # It was handled as moderate, so the next reaction is handled one grade higher than that: STOP.
    s = _session("tiered")
    p = s.report_symptoms(65, ["headache"])
    assert (p.action, p.grade) == ("slow", "mild")
    s.confirm(65, p)
    r = s.due(95)
    assert (r.action, r.grade) == ("pause", "moderate")
    s.confirm(95, r)
    s.resolved(100)
    s.confirm(101, s.due(101))  # resume at the last tolerated rate
    p2 = s.report_symptoms(130, ["headache"])
    assert (p2.action, p2.grade) == ("stop", "severe")


# A reaction reported by symptoms or by vitals alone; handled as proposed, by a slow instead of a
# pause (an override), or left unresolved past its review. Whatever the path, a third reaction in
# one infusion stops it (both policies), and a held reaction never escalates.
TRIGGERS = [("symptoms", "headache"), ("symptoms", "fever"), ("symptoms", "itch"), ("vitals", Vitals(pulse=115)),
            ("vitals", Vitals(temp_c=38.2))]


@settings(max_examples=120, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(TRIGGERS), st.sampled_from(["confirm", "slow-instead", "unresolved"])),
                min_size=3, max_size=3), st.sampled_from(["tiered", "pause-always"]))
def test_property_a_third_reaction_stops_whatever_the_path(reactions, policy):
    s = _session(policy)
    t = 65.0
    for n, ((how, what), handling) in enumerate(reactions, 1):
        if how == "symptoms":
            p = s.report_symptoms(t, [what])
        else:
            s.record_vitals(t, what)
            p = s.due(t)
        assert p is not None
        if p.action == "stop" or n == 3:
            assert p.action == "stop" and p.grade == "severe", (n, p)
            return
        if handling == "slow-instead" and p.action == "pause" and s.state.rung > 0:
            s.override(t, p, "slow", s.rungs[s.state.rung - 1].rate_ml_h, "kept running at the nurse's choice")
        else:
            s.confirm(t, p)
        if handling == "unresolved":
            r = s.due(t + 30)
            assert r is not None and r.action in ("pause", "stop")
            if r.action == "stop":
                return
            s.confirm(t + 30, r)
            t += 30
        s.resolved(t + 5)
        r = s.due(t + 30)
        assert r is not None and r.action in ("increase", "resume")
        held = s.state.reaction.after_resolved == "hold"
        s.confirm(t + 30, r)
        if held:
            assert all(s.due(x) is None or s.due(x).action != "increase" for x in (t + 61, t + 95))
        t += 40


# ------------------------------------------------------------------ anaphylaxis without skin signs
@pytest.mark.parametrize("sid", ["wheeze", "stridor"])
def test_bronchospasm_or_laryngeal_signs_alone_are_anaphylaxis(sid):
    # WAO 2020 criterion 2: hypotension OR bronchospasm OR laryngeal involvement after exposure,
    # even without skin signs. They already stopped; the kind and the steps must be anaphylaxis's.
    g = CAT.grade([sid])
    assert (g.grade, g.kind) == ("severe", "anaphylactic") and "anaphylaxis-airway" in g.criteria


RESPIRATORY = ["breathlessness", "chest-tightness"]
GUT = ["vomiting", "abdominal-pain"]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(RESPIRATORY), st.sampled_from(GUT), st.sampled_from([None, 4, 10, 40]))
def test_property_breathing_and_gut_signs_together_are_anaphylaxis(resp, gut, age):
    # NIAID/FAAN 2006 criterion 2: two or more systems after a likely allergen (the wider net, the
    # safer reading where WAO 2020 asks for skin signs first).
    g = CAT.grade([resp, gut], age_years=age)
    assert (g.grade, g.kind) == ("severe", "anaphylactic")


def test_new_confusion_scores_3_on_news2_and_is_at_least_moderate():
    # NEWS2 consciousness: new confusion (or V, P, U) scores 3 on its own; every score-3 band raises
    # the grade to at least moderate. There was no symptom to report it.
    s = CAT.symptom("new-confusion")
    assert grade_index(s.grade) >= grade_index("moderate") and "NEWS2" in s.source
    assert CAT.grade(["new-confusion"]).grade in ("moderate", "severe")
