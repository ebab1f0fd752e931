"""Label gaps: each case worked by hand from the label's words (resources/products.toml cites them)."""
import json

import pytest

from titration.cli.main import main
from titration.errors import InputError, NeedsInput
from titration.plan import PlanRequest, build_plan


def rates(p):
    return [r.rate_ml_h for r in p.rungs]


# Octagam 5 %, 70 kg: 30, 60, 120, 200 mg/kg/h = 0.5, 1, 2, 3.33 mg/kg/min -> x 70 x 60 / 50 = 42, 84, 168, 280.
@pytest.mark.parametrize("kw,top", [({}, 280.0), ({"weeks_since_last": 8}, 280.0),
                                    ({"weeks_since_last": 9}, 168.0), ({"first_infusion": True}, 168.0)])
def test_octagam_5_rapid_infusion_warning_covers_more_than_8_weeks_since_the_last_dose(kw, top):
    p = build_plan(PlanRequest("octagam-5", "pi", 70, 0.4, **kw))
    assert max(rates(p)) == top  # 2 mg/kg/min x 70 x 60 / 50 = 168 mL/h: the soft limit
    if top == 168.0:
        lim = next(lim for lim in p.limits if lim.name == "first-infusion")
        assert not lim.hard and "8 weeks" in lim.source


def test_octagam_5_soft_limit_can_be_set_aside_with_a_reason():
    p = build_plan(PlanRequest("octagam-5", "pi", 70, 0.4, weeks_since_last=12,
                               overrides=(("first-infusion", "tolerated 200 mg/kg/h last time"),)))
    assert max(rates(p)) == 280.0


def test_panzyga_pi_at_risk_figure_from_the_citp_page_is_a_ceiling_never_a_target():
    with pytest.raises(NeedsInput) as e:
        build_plan(PlanRequest("panzyga", "pi", 80, 0.4, at_risk=True))
    assert e.value.field == "--at-risk-cap" and "ceiling" in str(e.value)
    with pytest.raises(InputError) as e:
        build_plan(PlanRequest("panzyga", "pi", 80, 0.4, at_risk=True, at_risk_cap_mg_kg_min=4))
    assert e.value.field == "--at-risk-cap"
    p = build_plan(PlanRequest("panzyga", "pi", 80, 0.4, at_risk=True, at_risk_cap_mg_kg_min=2))
    assert max(rates(p)) == 96.0  # 2 x 80 x 60 / 100
    # chronic ITP: the figure is that page's own: the label's numeric cap, 3.3 x 80 x 60 / 100 = 158.4
    assert max(rates(build_plan(PlanRequest("panzyga", "itp", 80, 1.0, at_risk=True)))) == 158.4


@pytest.mark.parametrize("product,ind,age,least", [("panzyga", "itp", 15, 18), ("panzyga", "cidp", 17, 18),
                                                   ("asceniv", "pi", 10, 12), ("panzyga", "pi", 1, 2)])
def test_planning_outside_the_labels_population_needs_a_recorded_reason(product, ind, age, least):
    with pytest.raises(InputError) as e:
        build_plan(PlanRequest(product, ind, 45, 0.4, age_years=age))
    assert e.value.field == "--age-years" and f"at least {least:g} years" in str(e.value)
    assert "--override population=REASON" in str(e.value)
    p = build_plan(PlanRequest(product, ind, 45, 0.4, age_years=age,
                               overrides=(("population", "haematologist: no licensed alternative"),)))
    note = next(n for n in p.notes if "population" in n)
    assert "the label covers" in note and "haematologist" in note


def test_within_the_population_no_reason_is_asked_and_an_override_there_is_a_slip():
    build_plan(PlanRequest("asceniv", "pi", 45, 0.4, age_years=12))
    with pytest.raises(InputError) as e:
        build_plan(PlanRequest("asceniv", "pi", 45, 0.4, age_years=30, overrides=(("population", "x"),)))
    assert e.value.field == "--override"


def test_a_kawasaki_limit_from_a_guideline_says_guideline():
    p = build_plan(PlanRequest("octagam-10", "kawasaki", 18, 2.0, age_years=4))
    names = [lim.name for lim in p.limits]
    assert "guideline-max" in names and "label-max" not in names
    lim = next(lim for lim in p.limits if lim.name == "guideline-max")
    assert lim.hard and lim.source.startswith("guideline:") and "(guideline)" in lim.as_written
    assert lim.cap_ml_h == 36.0  # 200 mg/kg/h = 3.33 mg/kg/min x 18 x 60 / 100 = 36.0 mL/h
    # The initial rate is the label's (the same product's ITP page: the label gives no Kawasaki rate),
    # and its source says so, not the guideline's.
    first = next(lim for lim in p.limits if lim.first_step_only)
    assert first.name == "label-initial" and "octagamusa.com/octagam10" in first.source
    assert "etg-complete" not in first.source and "another indication" in first.source
    text = "\n".join(p.arithmetic())
    assert "label-max" not in text and "Limit guideline-max (hard)" in text
    itp = next(lim for lim in build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)).limits if lim.name == "label-max")
    assert itp.source.startswith("label:")


def test_the_kawasaki_plan_names_no_file_outside_the_repository_and_no_issue(capsys):
    from tests.test_stands_alone import STANDS_APART

    assert main(["plan", "--product", "octagam-10", "--indication", "kawasaki", "--weight-kg", "18",
                 "--dose-g-per-kg", "2", "--age-years", "4"]) == 0
    out = capsys.readouterr().out
    assert "Design note" in out or "doubling" in out
    assert not STANDS_APART.search(out) and "design.md" not in out


# Octagam 5 %, 70 kg: the manufacturer's page says "less than 0.07 mL/kg/min [3.3 mg/kg/min]" for patients
# at risk, with "minimum rate practicable": a ceiling the prescriber's cap must stay below, never a target.
def test_octagam_5_at_risk_names_the_labels_figure_as_a_ceiling():
    with pytest.raises(NeedsInput) as e:
        build_plan(PlanRequest("octagam-5", "pi", 70, 0.4, at_risk=True))
    assert "less than 0.07 mL/kg/min" in e.value.why and "gives no number" not in e.value.why
    with pytest.raises(InputError) as e:
        build_plan(PlanRequest("octagam-5", "pi", 70, 0.4, at_risk=True, at_risk_cap_mg_kg_min=3.3))
    assert "below" in e.value.allowed and "3.3 mg/kg/min" in e.value.allowed
    p = build_plan(PlanRequest("octagam-5", "pi", 70, 0.4, at_risk=True, at_risk_cap_mg_kg_min=3.0))
    assert max(rates(p)) == 252.0  # 3 mg/kg/min x 70 x 60 / 50 = 252 mL/h
    assert next(lim for lim in p.limits if lim.name == "at-risk").hard


def test_a_scenarios_error_names_its_keys_without_mangling_words(tmp_path):
    from titration.errors import DataError
    from titration.training.scenario import read_scenario

    f = tmp_path / "s.toml"
    f.write_text("""
[patient]
weight_kg = 70
baseline_vitals = { temp_c = 36.8, pulse = 80, sbp = 125, dbp = 78, spo2 = 97, rr = 14 }

[prescription]
product = "panzyga"
indication = "pi"
dose_g_per_kg = 0.4
at_risk = true
at_risk_cap_mg_kg_min = 5.0
""", encoding="utf-8")
    with pytest.raises(DataError) as e:
        read_scenario(str(f))
    assert "another indication's page is a ceiling" in str(e.value) and "page_years" not in str(e.value)
    f.write_text(f.read_text().replace("weight_kg = 70", "weight_kg = 12").replace(
        'product = "panzyga"', 'product = "octagam-10"').replace('"pi"', '"itp"').replace(
        "at_risk = true\nat_risk_cap_mg_kg_min = 5.0", ""), encoding="utf-8")
    with pytest.raises(DataError) as e:
        read_scenario(str(f))
    assert e.value.key == "patient.age_years" and "age_years: a patient" not in str(e.value)


def test_the_cli_refuses_a_12_kg_patient_without_an_age_in_one_line(capsys):
    rc = main(["plan", "--product", "octagam-10", "--indication", "itp", "--weight-kg", "12",
               "--dose-g-per-kg", "1"])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1 and "--age-years" in err
    rc = main(["plan", "--product", "octagam-10", "--indication", "itp", "--weight-kg", "12",
               "--dose-g-per-kg", "1", "--age-years", "2", "--json"])
    assert rc == 0 and json.loads(capsys.readouterr().out)["age_years"] == 2


def test_bivigam_at_risk_figure_from_an_older_compendium_is_a_ceiling_for_the_prescribers_cap():
    # skyscape (an older compendium): "For patients at increased risk of thromboembolic events, a maximum
    # infusion rate of less [than] 2 mg/kg/min is recommended"; the current label: "minimum rate practicable".
    with pytest.raises(NeedsInput) as e:
        build_plan(PlanRequest("bivigam", "pi", 70, 0.4, at_risk=True))
    assert e.value.field == "--at-risk-cap" and "2 mg/kg/min" in str(e.value) and "ceiling" in str(e.value)
    for cap in (2.5, 2.0):  # "less than 2": 2 itself is refused
        with pytest.raises(InputError) as e:
            build_plan(PlanRequest("bivigam", "pi", 70, 0.4, at_risk=True, at_risk_cap_mg_kg_min=cap))
        assert e.value.field == "--at-risk-cap" and "below 2 mg/kg/min" in str(e.value)
    p = build_plan(PlanRequest("bivigam", "pi", 70, 0.4, at_risk=True, at_risk_cap_mg_kg_min=1.9))
    assert max(rates(p)) == 79.8  # 1.9 x 70 x 60 / 100


def test_bivigam_at_risk_cap_above_the_ceiling_is_one_line_exit_2(capsys):
    assert main(["plan", "--product", "bivigam", "--indication", "pi", "--weight-kg", "70", "--dose-g-per-kg", "0.4",
                 "--at-risk", "--at-risk-cap", "2.5"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--at-risk-cap" in err[0] and "below 2 mg/kg/min" in err[0]
