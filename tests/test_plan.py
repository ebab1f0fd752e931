"""Plans against numbers worked out by hand from the labels (clinical-reference sections 1 and 7)."""
import pytest

from titration.errors import InputError, NeedsInput
from titration.plan import PlanRequest, build_plan, plan_json


def rates(plan):
    return [s.rate_ml_h for s in plan.steps]


def test_octagam_10_itp_70kg_the_design_example():
    p = build_plan(PlanRequest("octagam-10", "itp", 70, 1.0))
    assert rates(p) == [42.0, 84.0, 168.0, 336.0, 504.0]
    assert [round(s.volume_ml, 3) for s in p.steps] == [21.0, 42.0, 84.0, 168.0, 385.0]
    # 315 mL in 2 h (ref 7), then 385 mL at 504 mL/h = 45.83 min
    assert sum(s.volume_ml for s in p.steps[:4]) == pytest.approx(315.0)
    assert p.duration_min == pytest.approx(120 + 385 / 504 * 60)
    j = plan_json(p)
    assert j["duration_min"] == 165.8 and j["volume_ml"] == 700.0 and j["dose_g"] == 70.0
    assert j["steps"][0] == {**j["steps"][0], "start_min": 0.0, "end_min": 30.0, "rate_ml_h": 42.0,
                             "rate_mg_kg_min": 1.0, "volume_ml": 21.0}
    assert p.steps[-1].holds_to_end and not any(s.holds_to_end for s in p.steps[:-1])


def test_gammaplex_5_matches_the_manufacturers_2h15():
    # 70 kg, 400 mg/kg: 28 g = 560 mL; 0.7/1.4/2.8/4.2 mL/min x 15 min = 136.5 mL, then 423.5 mL at 336 mL/h
    p = build_plan(PlanRequest("gammaplex-5", "pi", 70, 0.4))
    assert rates(p) == [42.0, 84.0, 168.0, 252.0, 336.0]
    assert p.duration_min == pytest.approx(60 + 423.5 / 336 * 60)  # 135.6 min
    assert abs(p.duration_min - 135) < 1


def test_odd_weight_rounds_every_rate_down():
    p = build_plan(PlanRequest("octagam-10", "itp", 73.3, 1.0))
    # 1 x 73.3 x 60 / 100 = 43.98 -> 43.9; 87.96 -> 87.9; 175.92 -> 175.9; 351.84 -> 351.8; 527.76 -> 527.7
    assert rates(p) == [43.9, 87.9, 175.9, 351.8, 527.7]
    coarse = build_plan(PlanRequest("octagam-10", "itp", 73.3, 1.0, pump_resolution_ml_h=1))
    assert rates(coarse) == [43, 87, 175, 351, 527]
    assert p.steps[0].rate_mg_kg_min == pytest.approx(43.9 * 100 / (73.3 * 60))  # what the pump delivers


def test_gammagard_liquid_takes_the_lower_of_the_labels_two_figures():
    p = build_plan(PlanRequest("gammagard-liquid", "pi", 70, 0.4))
    # The label: "0.5 mL/kg/hr (0.8 mg/kg/min)" and "5 mL/kg/hr (8 mg/kg/min)"; 0.5 mL/kg/h = 0.833 and
    # 5 mL/kg/h = 8.33 mg/kg/min at 100 mg/mL: the lower figures. 0.8 x 70 x 60 / 100 = 33.6 mL/h, doubling
    # every 30 min (67.2, 134.4, 268.8), cut at 8 x 70 x 60 / 100 = 336 mL/h (not 350).
    assert rates(p) == [33.6, 67.2, 134.4, 268.8, 336.0]
    assert p.rungs[0].rate_ml_h < 35.0 and max(rates(p)) < 350.0
    assert p.protocol_kind == "local" and "LOCAL" in p.notes[0]


def test_bivigam_label_ladder_plus_0_8_every_20_min():
    p = build_plan(PlanRequest("bivigam", "pi", 50, 0.6))
    # 0.5, 1.3, 2.1, 2.9, 3.7, 4.5, 5.3, 6.0 mg/kg/min x 50 x 60 / 100
    assert rates(p)[:8] == [15.0, 39.0, 63.0, 87.0, 111.0, 135.0, 159.0, 180.0]
    assert p.steps[0].end_min == 10 and p.steps[1].end_min == 30


def test_at_risk_uses_the_labels_number_and_merges_the_flat_top():
    p = build_plan(PlanRequest("octagam-10", "itp", 70, 1.0, at_risk=True))
    # The label states the cap as 3.3 mg/kg/min and as 0.03 mL/kg/min; the lower is used:
    # 0.03 x 70 x 60 = 126 mL/h caps steps 3 to 5, which merge into one
    assert rates(p) == [42.0, 84.0, 126.0]
    assert p.steps[-1].limited_by == "at-risk"
    assert p.duration_min == pytest.approx(60 + (700 - 63) / 126.0 * 60)


def test_exclusive_at_risk_cap_stays_strictly_below():
    # No shipped product has an exclusive ('<') numeric cap now; the rule is kept, tested on a copy.
    from dataclasses import replace

    from titration.limits import limits_for
    from titration.products import get_product
    from titration.protocols import resolve

    product = get_product("octagam-10")
    base = product.indication("itp")
    excl = replace(base, at_risk_max_mg_kg_min=2.0, at_risk_as_written="2 mg/kg/min", at_risk_exclusive=True)
    lim = limits_for(PlanRequest("octagam-10", "itp", 70, 0.4, at_risk=True), product, excl,
                     resolve(product, base, None), 70)
    assert [x.cap_ml_h for x in lim if x.name == "at-risk"] == [83.9]  # '< 2 mg/kg/min' = below 84.0


def test_at_risk_without_a_label_number_asks_for_a_cap():
    with pytest.raises(NeedsInput) as e:
        build_plan(PlanRequest("privigen", "pi", 70, 0.4, at_risk=True))
    assert e.value.field == "--at-risk-cap"
    p = build_plan(PlanRequest("privigen", "pi", 70, 0.4, at_risk=True, at_risk_cap_mg_kg_min=2))
    assert max(rates(p)) == 84.0 and [lim for lim in p.limits if lim.name == "at-risk"][0].hard


def test_a_prescriber_cap_cannot_loosen_the_labels_at_risk_cap():
    with pytest.raises(InputError, match="0.03 mL/kg/min"):
        build_plan(PlanRequest("octagam-10", "itp", 70, 1, at_risk=True, at_risk_cap_mg_kg_min=3.2))
    tighter = build_plan(PlanRequest("octagam-10", "itp", 70, 1, at_risk=True, at_risk_cap_mg_kg_min=2))
    assert max(rates(tighter)) == 84.0


def test_unit_cap_is_soft_and_needs_a_reason_to_set_aside():
    capped = build_plan(PlanRequest("octagam-10", "itp", 70, 1.0, max_ml_h=250))
    assert rates(capped) == [42.0, 84.0, 168.0, 250.0]
    assert capped.steps[-1].limited_by == "unit-cap"
    freed = build_plan(PlanRequest("octagam-10", "itp", 70, 1.0, max_ml_h=250,
                                   overrides=(("unit-cap", "prescriber approved 504 mL/h"),)))
    assert rates(freed)[-1] == 504.0
    assert any("set aside: prescriber approved" in n for n in freed.notes)
    with pytest.raises(InputError):
        build_plan(PlanRequest("octagam-10", "itp", 70, 1.0, max_ml_h=250, overrides=(("unit-cap", " "),)))


def test_hard_limits_cannot_be_overridden():
    with pytest.raises(InputError, match="hard limits cannot be overridden"):
        build_plan(PlanRequest("octagam-10", "itp", 70, 1.0, at_risk=True, overrides=(("at-risk", "why not"),)))


def test_first_infusion_maximum_of_the_standard_table():
    p = build_plan(PlanRequest("octagam-10", "itp", 70, 1.0, protocol="nl-ivig002", first_infusion=True))
    # 0.01 0.02 0.04 0.06 0.08 mL/kg/min x 70 x 60 = 42 84 168 252 336; 0.12 and 0.14 held at 0.08 (first infusion)
    assert rates(p) == [42.0, 84.0, 168.0, 252.0, 336.0]
    assert p.steps[-1].limited_by == "first-infusion"
    later = build_plan(PlanRequest("octagam-10", "itp", 70, 1.0, protocol="nl-ivig002"))
    assert rates(later) == [42.0, 84.0, 168.0, 252.0, 336.0, 504.0]  # 0.14 cut to the label's 12 mg/kg/min


def test_tolerated_maximum_is_a_soft_cap():
    p = build_plan(PlanRequest("octagam-10", "itp", 70, 1.0, tolerated_max_mg_kg_min=4))
    assert rates(p) == [42.0, 84.0, 168.0]
    assert p.steps[-1].limited_by == "tolerated-max"


def test_plan_ends_inside_a_step_when_the_volume_is_small():
    p = build_plan(PlanRequest("octagam-10", "itp", 70, 0.05))  # 3.5 g = 35 mL
    assert rates(p) == [42.0, 84.0]
    assert p.steps[-1].end_min == pytest.approx(30 + 14 / 84 * 60)  # 21 mL, then 14 mL at 84 mL/h
    assert sum(s.volume_ml for s in p.steps) == pytest.approx(35.0)


def test_rate_weight_never_exceeds_actual_weight():
    # 50 kg, 180 cm male: IBW 74.99 kg > actual. An ideal weight is never above the actual weight,
    # so the dose and the rates are both on the actual 50 kg.
    p = build_plan(PlanRequest("octagam-10", "itp", 50, 1.0, height_cm=180, sex="male", dosing_weight="ideal"))
    assert p.dosing.kg == 50 and p.dosing.ideal_kg == pytest.approx(74.99, abs=0.01)
    assert "not above the ideal weight 75.0 kg" in p.dosing.reason
    assert p.rate_weight_kg == 50
    assert rates(p)[0] == 30.0  # 1 x 50 x 60 / 100


def test_arithmetic_is_shown_for_every_step_and_limit():
    p = build_plan(PlanRequest("octagam-10", "itp", 70, 1.0, at_risk=True))
    text = "\n".join(p.arithmetic())
    assert "Dose: 1 g/kg x 70 kg = 70.00 g." in text
    assert "Volume: 70 g x 1000 / 100 mg/mL = 700.0 mL." in text
    assert "0.03 mL/kg/min = at most 126 mL/h" in text
    assert "capped by at-risk" in text


@pytest.mark.parametrize("field,kw", [
    ("--weight-kg", {"weight_kg": 1.0}), ("--weight-kg", {"weight_kg": float("nan")}),
    ("--weight-kg", {"weight_kg": 300}), ("--dose-g-per-kg", {"dose_g_per_kg": 0}),
    ("--dose-g-per-kg", {"dose_g_per_kg": 2.5}), ("--pump-resolution", {"pump_resolution_ml_h": 0}),
    ("--max-ml-h", {"max_ml_h": -5}), ("--sex", {"sex": "x"}),
])
def test_bad_numbers_name_the_field(field, kw):
    base = dict(product="octagam-10", indication="itp", weight_kg=70, dose_g_per_kg=1.0)
    base.update(kw)
    with pytest.raises(InputError) as e:
        build_plan(PlanRequest(**base))
    assert e.value.field == field


def test_a_pump_too_coarse_for_a_baby_is_refused():
    with pytest.raises(InputError) as e:
        build_plan(PlanRequest("gammaplex-10", "pi", 2, 0.4, pump_resolution_ml_h=1, age_years=0.1))  # 0.6 mL/h -> 0
    assert e.value.field == "--pump-resolution"


def test_replan_keeps_the_old_plan_and_conserves_volume():
    p = build_plan(PlanRequest("octagam-10", "itp", 70, 1.0))
    q = p.replan(45.0, 31.5, 0, ceiling_ml_h=42.0)
    assert p.steps[0].start_min == 0 and len(p.steps) == 5  # unchanged
    assert [s.rate_ml_h for s in q.steps] == [42.0]
    assert q.steps[0].start_min == 45.0 and q.end_min == pytest.approx(45 + (700 - 31.5) / 42 * 60)
    paused = p.replan(45.0, 31.5, 1, pause_until=75.0)
    assert paused.steps[0].rate_ml_h == 0 and paused.steps[0].end_min == 75.0
    assert sum(s.volume_ml for s in paused.steps) == pytest.approx(700 - 31.5)


def test_kawasaki_single_dose_runs_within_the_guidelines_10_to_12_hours():
    # 18 kg, 2 g/kg = 36 g = 360 mL; cap 200 mg/kg/h = 3.33 mg/kg/min = 36.0 mL/h
    p = build_plan(PlanRequest("octagam-10", "kawasaki", 18, 2.0, age_years=4))
    assert rates(p) == [10.8, 21.6, 36.0]
    assert 600 <= p.duration_min <= 720
    assert p.protocol_kind == "local"


def test_a_pump_rate_in_dose_units_and_a_volume_in_grams():
    p = build_plan(PlanRequest("octagam-10", "itp", 70.0, 1.0))
    assert p.mg_kg_min(42.0) == pytest.approx(1.0)  # 42 mL/h x 100 mg/mL / (70 kg x 60 min/h)
    assert p.mg_kg_min(504.0) == pytest.approx(12.0)
    assert p.grams(700.0) == pytest.approx(70.0) and p.grams(21.0) == pytest.approx(2.1)
