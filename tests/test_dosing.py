import pytest
from hypothesis import given
from hypothesis import strategies as st

from titration.dosing import Patient, compute_dose, dosing_weight, fewest_vials, ideal_body_weight, split_course
from titration.errors import InputError


def test_devine_ideal_weight_by_hand():
    # 175 cm = 68.8977 in; male: 50 + 2.3 x 8.8977 = 70.46 kg; female 45.5 + 20.46 = 65.96
    assert ideal_body_weight(175, "male") == pytest.approx(70.4648, abs=1e-3)
    assert ideal_body_weight(175, "female") == pytest.approx(65.9648, abs=1e-3)
    assert ideal_body_weight(152.4, "male") == pytest.approx(50.0, abs=1e-3)


def test_adjusted_weight_ibw_plus_04_of_the_excess():
    dw = dosing_weight(Patient(110, 175, "male"), "adjusted")
    # 70.4648 + 0.4 x (110 - 70.4648) = 86.279
    assert dw.kg == pytest.approx(86.28, abs=0.01)
    assert dw.method == "adjusted"


def test_auto_uses_adjusted_only_above_bmi_30_with_height_and_sex():
    obese = dosing_weight(Patient(110, 175, "male"), "auto")  # BMI 35.9
    assert obese.method == "adjusted" and "BMI 35.9 > 30" in obese.reason
    lean = dosing_weight(Patient(70, 175, "male"), "auto")  # BMI 22.9
    assert lean.method == "actual" and lean.kg == 70 and "not above 30" in lean.reason
    unknown = dosing_weight(Patient(110), "auto")
    assert unknown.method == "actual" and "height and sex not given" in unknown.reason
    child = dosing_weight(Patient(60, 140, "female"), "auto")  # BMI 30.6 but under Devine's range
    assert child.method == "actual" and "152.4" in child.reason


def test_ideal_needs_height_and_sex():
    with pytest.raises(InputError):
        dosing_weight(Patient(80), "ideal")
    with pytest.raises(InputError):
        dosing_weight(Patient(80, 140, "male"), "ideal")


def test_dose_volume_and_vials_by_hand():
    d = compute_dose(70, 1.0, 100, (2, 5, 10, 20, 30))
    assert d.dose_g == 70 and d.volume_ml == 700
    assert d.vials == ((30, 2), (10, 1))
    d5 = compute_dose(70, 0.4, 50, (2.5, 5, 10, 20))  # Gammaplex 5%: 28 g, 560 mL
    assert d5.dose_g == pytest.approx(28) and d5.volume_ml == pytest.approx(560)
    assert d5.vials_total_g == 30  # 28 g is not a vial sum: least waste is 30 g
    assert sum(n for _, n in d5.vials) == 2  # 20 + 10


def test_fewest_vials_prefers_least_waste_then_fewest():
    assert fewest_vials(40, (5, 10, 20, 40)) == ((40, 1),)
    assert fewest_vials(12, (5, 10)) == ((10, 1), (5, 1))  # 15 g: 3 g waste, 2 vials
    assert fewest_vials(7, ()) == ()


def test_round_to_vial_nearest_multiple_of_smallest_vial():
    d = compute_dose(73.4, 1.0, 100, (5, 10, 20, 40), round_to="vial")  # 73.4 g -> 75 g
    assert d.dose_g == 75 and d.volume_ml == 750 and "73.40 g -> 75 g" in d.rounded
    d = compute_dose(72.5, 1.0, 100, (5, 10), round_to="vial")  # a tie rounds down: 72.5 -> 70
    assert d.dose_g == 70
    with pytest.raises(InputError):
        compute_dose(70, 1.0, 100, (), round_to="vial")


def test_course_split():
    assert split_course(2.0, 5) == [0.4] * 5
    assert split_course(2.0, 2) == [1.0, 1.0]
    with pytest.raises(InputError):
        split_course(2.0, 0)


# ------------------------------------------------------------------ dosing limits
@pytest.mark.parametrize("method", ["ideal", "adjusted", "auto"])
def test_an_ideal_or_adjusted_weight_is_never_above_the_actual_weight(method):
    # 180 cm male: Devine IBW 74.99 kg. At 60 kg actual, both formulas would give more than 60 kg.
    dw = dosing_weight(Patient(60, 180, "male"), method)
    assert dw.kg == 60 and dw.method == "actual"


@given(st.floats(30, 250), st.floats(152.4, 210), st.sampled_from(["female", "male"]),
       st.sampled_from(["ideal", "adjusted", "auto"]))
def test_property_dosing_weight_never_above_actual(kg, cm, sex, method):
    assert dosing_weight(Patient(kg, cm, sex), method).kg <= kg + 1e-9


def test_vial_rounding_changes_the_dose_by_at_most_10_percent():
    # 70 kg x 0.4 g/kg = 28 g; 10 g vials: 30 g is +7.1 %: rounded
    d = compute_dose(70, 0.4, 100, (10, 20), "vial")
    assert d.dose_g == 30 and "28.00 g -> 30 g" in d.rounded
    # 18 kg x 0.4 g/kg = 7.2 g; 5 g vials: 5 g is -30.6 %: kept at 7.2 g and said so
    kept = compute_dose(18, 0.4, 100, (5, 10), "vial")
    assert kept.dose_g == pytest.approx(7.2) and "not rounded" in kept.rounded and "31 %" in kept.rounded


@given(st.floats(5, 200), st.floats(0.1, 2.0), st.sampled_from([(1, 2.5, 5), (5, 10, 20), (2.5, 5), (5,)]))
def test_property_vial_rounding_never_changes_the_dose_more_than_10_percent(kg, gpk, sizes):
    d = compute_dose(kg, gpk, 100, sizes, "vial")
    assert abs(d.dose_g - d.prescribed_g) <= 0.10 * d.prescribed_g + 1e-9


def test_a_single_infusion_above_the_usual_is_refused_without_a_reason_and_the_split_offered():
    from titration.errors import InputError
    from titration.plan import PlanRequest, build_plan

    with pytest.raises(InputError) as e:
        build_plan(PlanRequest("octagam-10", "itp", 70, 2.0))
    assert e.value.field == "--dose-g-per-kg" and "2 infusions of 1 g/kg" in str(e.value)
    assert "--override single-dose=REASON" in str(e.value)
    ok = build_plan(PlanRequest("octagam-10", "itp", 70, 2.0,
                                overrides=(("single-dose", "haematologist: 2 g/kg today"),)))
    assert ok.dose.dose_g == 140 and any("single-dose" in n and "haematologist" in n for n in ok.notes)
    kawasaki = PlanRequest("octagam-10", "kawasaki", 18, 2.0, age_years=4)
    assert build_plan(kawasaki).dose.dose_g == 36  # the usual single dose
    from titration.dosing import offered_split

    assert offered_split(2.0, 0.4) == [0.4] * 5 and offered_split(2.0, 1.0) == [1.0, 1.0]
