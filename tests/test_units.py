import pytest

from titration.errors import InputError
from titration.units import below, mg_kg_min_from_ml_h, ml_h, parse_rate, round_down


def test_ml_h_formula_from_the_design():
    # mL/h = mg/kg/min x kg x 60 / (mg/mL): 1 mg/kg/min, 70 kg, 10% -> 42 mL/h
    assert ml_h(1.0, 70, 100) == pytest.approx(42.0)
    # 5%: 0.5 mg/kg/min, 70 kg -> 0.5*70*60/50 = 42 mL/h
    assert ml_h(0.5, 70, 50) == pytest.approx(42.0)
    assert mg_kg_min_from_ml_h(42.0, 70, 100) == pytest.approx(1.0)


@pytest.mark.parametrize("text,conc,mg", [
    ("1 mg/kg/min", 100, 1.0),
    ("30 mg/kg/h", 50, 0.5),            # Octagam 5% initial
    ("200 mg/kg/h", 50, 200 / 60),      # Octagam 5% maximum, 3.33
    ("0.01 mL/kg/min", 100, 1.0),
    ("0.01 mL/kg/min", 50, 0.5),
    ("0.5 mL/kg/h", 100, 0.5 * 100 / 60),  # Gammagard 0.8 mg/kg/min
    ("5 mL/kg/h", 100, 5 * 100 / 60),      # 8.33 mg/kg/min
])
def test_label_units_convert_once(text, conc, mg):
    assert parse_rate(text).mg_kg_min(conc) == pytest.approx(mg)


@pytest.mark.parametrize("bad", ["", "1", "1 mg/min", "-1 mg/kg/min", "0 mg/kg/min", "abc mL/kg/h", None, 3])
def test_bad_rate_text_names_the_field(bad):
    with pytest.raises(InputError) as e:
        parse_rate(bad, "initial")
    assert e.value.field == "initial"


def test_round_down_never_up():
    assert round_down(43.98, 0.1) == 43.9
    assert round_down(43.98, 1) == 43
    assert round_down(42.0, 0.1) == 42.0  # exact products stay exact
    assert round_down(0.7 * 60, 0.1) == 42.0
    assert round_down(0.09, 0.1) == 0.0


def test_exclusive_cap_is_strictly_below():
    # Bivigam at-risk '< 2 mg/kg/min' at 70 kg: 84 mL/h exactly -> 83.9
    assert below(84.0, 0.1) == 83.9
    assert below(84.05, 0.1) == 84.0
