"""Chair-time forecast: Monte Carlo over reactions, vectorised; numbers checked by hand."""

import numpy as np
import pytest

from titration.errors import DataError
from titration.forecast import Forecast, forecast, load_params
from titration.plan import PlanRequest, build_plan

# Octagam 10%, 70 kg, 1 g/kg: 42, 84, 168, 336 mL/h for 30 min each, then 504 mL/h; 700 mL in 165.83 min
PLAN = build_plan(PlanRequest("octagam-10", "itp", 70, 1.0))


def test_reaction_free_median_is_the_plan_duration_exactly():
    f = forecast(PLAN, n=10_000, seed=1, params={"probability": 0.0})
    assert isinstance(f, Forecast)
    assert f.median_min == PLAN.duration_min and f.p90_min == PLAN.duration_min
    assert f.samples.shape == (10_000,) and np.all(f.samples == PLAN.duration_min)


def test_a_reaction_pauses_then_finishes_at_the_last_tolerated_rate():
    # onset at 45 min, in step 2 (84 mL/h): delivered 21 + 84 x 15/60 = 42 mL; 658 mL left at the last
    # tolerated rate, 42 mL/h: 940 min; + 30-min pause: 45 + 30 + 940 = 1015 min
    f = forecast(PLAN, n=100, params={"probability": 1.0, "onset_min": (45, 45)})
    assert np.allclose(f.samples, 1015.0) and f.median_min == pytest.approx(1015.0)


def test_a_reaction_in_the_first_step_resumes_at_the_first_rate():
    # onset at 20 min: 14 mL in; 686 mL at 42 mL/h = 980 min; 20 + 30 + 980 = 1030
    f = forecast(PLAN, n=10, params={"probability": 1.0, "onset_min": (20, 20)})
    assert np.allclose(f.samples, 1030.0)


def test_a_stop_ends_the_infusion_at_the_onset():
    f = forecast(PLAN, n=10, params={"probability": 1.0, "onset_min": (40, 40), "stop_probability": 1.0})
    assert np.allclose(f.samples, 40.0)


def test_a_reaction_after_the_end_changes_nothing():
    f = forecast(PLAN, n=1000, params={"probability": 1.0, "onset_min": (166, 240)})  # the plan ends at 165.8
    assert np.all(f.samples == PLAN.duration_min)


def test_sourced_defaults_and_distribution():
    p = load_params()
    assert p.probability == 0.008 and p.onset_min == (30.0, 60.0) and p.pause_min == 30.0
    assert all(p.sources)
    f = forecast(PLAN, n=10_000, seed=0)
    hit = f.samples > PLAN.duration_min
    assert 40 <= hit.sum() <= 130  # 0.8% of 10,000 = 80
    assert f.median_min == PLAN.duration_min  # 99% finish on plan
    assert np.all((f.samples[hit] >= 1000.0 - 1e-9) & (f.samples[hit] <= 1030.0 + 1e-9))  # onsets 30-60, by hand
    assert np.array_equal(forecast(PLAN, n=10_000, seed=0).samples, f.samples)  # seeded


def test_ten_thousand_infusions_are_one_array_each_way():
    # Speed is measured by bench/forecast.py; here: every sample is a finish time, none lost.
    f = forecast(PLAN, n=10_000, params={"probability": 0.2})
    assert f.samples.shape == (10_000,) and np.all(f.samples >= PLAN.duration_min - 1e-9)
    assert f.median_min <= f.p90_min


def test_malformed_parameters_name_the_key(tmp_path):
    f = tmp_path / "forecast.toml"
    f.write_text('[reaction]\nprobability = 1.5\nonset_min = [30, 60]\npause_min = 30\nstop_probability = 0\n'
                 'probability_source = "a"\nonset_source = "b"\npause_source = "c"\nstop_source = "d"\n')
    with pytest.raises(DataError) as e:
        load_params(str(f))
    assert e.value.key == "reaction.probability" and "outside" in e.value.problem
    f.write_text(f.read_text().replace("probability = 1.5", "probability = 0.1").replace("[30, 60]", "[60, 30]"))
    with pytest.raises(DataError, match="reaction.onset_min"):
        load_params(str(f))
