"""A child's vitals against an adult's: the adult bands are a floor OUTSIDE the child's normal range.

The rule (resources/symptoms.toml, [children] and [[normal_range]]): a child's value outside the
cited normal range for the age, on one side, is never graded below what the adult bands of that
side give the same value; a value inside the normal range is graded by the children's bands only
(a healthy toddler's normal pulse must not pause an infusion).

Normal ranges, Scottish national PEWS via NHS Dumfries & Galloway RefHelp (whole years, the
source's own steps): 0-11 months pulse 110-159, RR 30-49, SBP 70-99; 12-23 months 100-149, 25-39,
70-99; 2-4 years 90-139, 20-34, 80-99; 5-11 years 80-129, 20-29, 70-109; over 12 years 70-109,
15-24, 95-140; SpO2 under 94 % is abnormal at every age.
"""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from titration.bands import DERIVED_FIELDS, side_of
from titration.catalogue_file import load_catalogue
from titration.plan import PlanRequest, build_plan
from titration.policy import get_policy
from titration.reactions import GRADES, grade_index
from titration.session import Session
from titration.vitals import VITAL_FIELDS, Vitals

CAT = load_catalogue()


# ------------------------------------------------------------------ outside the normal range: the floor
@pytest.mark.parametrize("age,vitals,expected", [
    (10, Vitals(rr=38), "moderate"),     # 5-11 y RR 20-29; an adult's RR >= 25 scores NEWS2 3: pause
    (3, Vitals(rr=50), "moderate"),      # 2-4 y RR 20-34
    (10, Vitals(pulse=150), "moderate"),  # 5-11 y pulse 80-129; an adult's pulse >= 131 scores 3
    (10, Vitals(pulse=145), "moderate"),
    (10, Vitals(rr=30), "moderate"),     # one above the range: the floor holds
    (0.5, Vitals(rr=55), "moderate"),    # 0-11 months RR 30-49
    (14, Vitals(pulse=132), "moderate"),  # over 12 y pulse 70-109
])
def test_outside_the_normal_range_a_child_is_graded_at_least_as_an_adult(age, vitals, expected):
    g = CAT.grade_vitals(vitals, age_years=age)
    assert g.grade == expected and not g.judge
    assert grade_index(g.grade) >= grade_index(CAT.grade_vitals(vitals).grade)


def test_fast_breathing_outside_the_range_is_a_respiratory_sign_for_the_criteria():
    g = CAT.grade(["urticaria"], Vitals(rr=38), age_years=10)
    assert (g.grade, g.kind) == ("severe", "anaphylactic") and "anaphylaxis-skin" in g.criteria


# ------------------------------------------------------------------ inside it: the children's bands only
@pytest.mark.parametrize("age,vitals,expected", [
    (4, Vitals(pulse=135), "mild"),                  # 2-4 y pulse 90-139: WAO 2011 > 115 after 3 y (mild)
    (4, Vitals(sbp=85), "none"),                     # 2-4 y SBP 80-99; WAO 70 + 2 x 4 = 78
    (10, Vitals(pulse=112, rr=22, spo2=95), "none"),  # an adult's NEWS2 5, all normal at 10
    (10, Vitals(rr=29), "none"),                     # the top of the range
    (14, Vitals(rr=22), "none"),                     # over 12 y RR 15-24 (an adult's 21-24 scores 2)
])
def test_inside_the_normal_range_only_the_childrens_bands_grade(age, vitals, expected):
    g = CAT.grade_vitals(vitals, age_years=age)
    assert g.grade == expected and not g.judge


def test_a_value_high_for_the_age_is_not_graded_by_an_adults_low_side_band():
    # An infant's systolic 100 is above its normal 70-99; an adult's 100 is low (NEWS2 2). The floor is
    # the adult bands of the side the child's value is on: here the high side (220 or more), not the low.
    assert CAT.grade_vitals(Vitals(sbp=100)).grade == "mild"
    assert CAT.grade_vitals(Vitals(sbp=100), age_years=0.5).grade == "none"


def test_the_normal_ranges_are_the_sources_age_steps_and_cover_every_child():
    steps = [(r.age_from, r.age_to) for r in CAT.normal_ranges]
    assert steps == [(0, 1), (1, 2), (2, 5), (5, 12), (12, 18)]
    assert all("Scottish" in r.source for r in CAT.normal_ranges)
    assert CAT.normal_for(4.99).ranges["pulse"] == (90, 139) and CAT.normal_for(5).ranges["pulse"] == (80, 129)


def test_a_ten_year_old_with_rr_38_is_paused_in_a_session():
    s = Session(build_plan(PlanRequest("gamunex-c", "pi", 32, 0.4, age_years=10)), get_policy("tiered"))
    s.record_vitals(0, Vitals(temp_c=36.8, pulse=85, sbp=108, dbp=65, spo2=98, rr=18))
    s.start(0)
    s.record_vitals(40, Vitals(rr=38))
    p = s.due(40)
    assert (p.action, p.grade) == ("pause", "moderate")


# ------------------------------------------------------------------ the rule, as a property
def _children_only(age, field, value):
    """The grade the children's own bands give (the paediatric bands and the all-ages rules)."""
    grade = "none"
    for b in CAT.child_bands:
        if b.covers(age) and b.holds({field: value}, age):
            grade = max(grade, b.grade, key=grade_index)
    for r in CAT.rules:
        if r.ages == "all" and r.holds({field: value}):
            grade = max(grade, r.grade, key=grade_index)
    return grade


def _adult_side(field, value, side):
    """The grade an adult's bands of one side give the value (single-value bands of that side)."""
    grade = "none"
    for r in CAT.rules:
        if len(r.when) == 1 and r.when[0][0] == field and r.when[0][0] not in DERIVED_FIELDS \
                and side_of(r.when[0][1]) == side and r.holds({field: value}):
            grade = max(grade, r.grade, key=grade_index)
    return grade


@settings(max_examples=300, deadline=None)
@given(st.floats(0, 17.99), st.sampled_from(["pulse", "rr", "sbp", "spo2"]), st.floats(0, 1))
def test_property_adult_bands_are_a_floor_outside_the_normal_range_and_absent_inside(age, field, frac):
    lo, hi = VITAL_FIELDS[field][2]
    value = round(lo + (hi - lo) * frac)
    child = CAT.grade_vitals(Vitals(**{field: value}), age_years=age).grade
    low, high = CAT.normal_for(age).ranges[field]
    side = "low" if value < low else "high" if value > high else None
    if side is None:
        assert child == _children_only(age, field, value), (age, field, value, child)
    else:
        floor = max(_children_only(age, field, value), _adult_side(field, value, side), key=grade_index)
        assert child == floor, (age, field, value, side, child, floor)
        assert child in GRADES


def test_a_gap_between_normal_ranges_is_refused_on_load(tmp_path):
    from titration.catalogue_file import read_catalogue
    from titration.data import resource
    from titration.errors import DataError

    text = open(resource("symptoms.toml"), encoding="utf-8").read()
    f = tmp_path / "symptoms.toml"
    gap = text.replace('ages = "5-11 years"\nage_from = 5', 'ages = "5-11 years"\nage_from = 6')
    f.write_text(gap, encoding="utf-8")
    with pytest.raises(DataError) as e:
        read_catalogue(str(f))
    assert "normal_range[3].age_from" in str(e.value) and "without a gap" in str(e.value)


# ------------------------------------------------------------------ a rise from the child's own baseline
def _child_session(age, base_pulse):
    s = Session(build_plan(PlanRequest("gamunex-c", "pi", 14, 0.4, age_years=age)), get_policy("tiered"))
    s.record_vitals(0, Vitals(temp_c=36.9, pulse=base_pulse, sbp=96, dbp=58, spo2=98, rr=26))
    s.start(0)
    s.confirm(30, s.due(30))  # step 2: a mild reaction can slow back to step 1's rate
    return s


def test_a_three_year_olds_pulse_rising_from_100_to_135_pauses():
    # CHOP Kawasaki IVIG pathway: tachycardia is a mild/moderate reaction: pause the infusion and call; the
    # Royal Marsden Manual (after BSH, Tinegate 2012): a rise of 20/min or more from the baseline counts.
    s = _child_session(3, 100)
    s.record_vitals(45, Vitals(pulse=135))
    p = s.due(45)
    assert (p.action, p.grade) == ("pause", "moderate")
    assert "baseline" in p.reason


def test_a_pulse_near_the_childs_own_baseline_is_graded_by_the_bands_alone():
    s = _child_session(3, 118)  # the same 135, 17 above this child's own baseline: WAO 2011 above 120 at 3 y
    s.record_vitals(45, Vitals(pulse=135))
    assert (s.due(45).action, s.due(45).grade) == ("slow", "mild")
