"""When a plan no longer fits the day: closing time and the longest infusion, with the nurse's choices."""
import json
import pathlib
import subprocess
import sys

import pytest

from titration.day_fit import DaySettings, day_fit, volume_by
from titration.errors import InputError
from titration.plan import PlanRequest, build_plan, plan_json
from titration.policy import get_policy
from titration.session import Session
from titration.timefmt import parse_time_of_day as parse_clock
from titration.vitals import Vitals

OCTAGAM = PlanRequest("octagam-10", "itp", 70, 1.0)  # 700 mL; ends at 165.8 min


def test_a_plan_that_ends_before_closing_fits():
    fit = day_fit(build_plan(OCTAGAM), parse_clock("09:00"))
    # 165.8 min from 09:00: to the nearest minute, the one rounding rule of titration.timefmt
    assert fit.fits and fit.finish_clock == "11:46" and not fit.choices


def test_a_plan_past_closing_says_so_and_offers_the_choices():
    # Start 16:00: 30 min at 42, 84, 168 then 336 mL/h; 18:00 is minute 120: 21+42+84+168 = 315 mL = 31.5 g
    fit = day_fit(build_plan(OCTAGAM), parse_clock("16:00"))
    assert not fit.fits and fit.finish_clock == "18:46" and "closing time, 18:00" in fit.message
    assert [c.id for c in fit.choices] == ["prescriber", "stop-at"]
    assert fit.stop_at_min == 120 and fit.given_g == pytest.approx(31.5) and fit.remainder_g == pytest.approx(38.5)
    assert "Stop at 18:00" in fit.choices[1].words and "38.5 g" in fit.choices[1].words


def test_the_longest_infusion_setting_applies_on_its_own():
    fit = day_fit(build_plan(OCTAGAM), parse_clock("08:00"), DaySettings("18:00", max_hours=2))
    assert not fit.fits and "2 h" in fit.message and fit.stop_at_min == 120


def test_settings_are_checked():
    with pytest.raises(InputError):
        DaySettings("6pm")
    with pytest.raises(InputError):
        DaySettings("18:00", max_hours=0)


def test_after_a_reaction_the_held_rate_no_longer_fits_the_day():
    s = Session(build_plan(OCTAGAM), get_policy("tiered"))
    s.record_vitals(0, Vitals(temp_c=36.8, pulse=72, sbp=124, dbp=78, spo2=98, rr=14))
    s.start(0)
    s.confirm(30, s.due(30))  # 84 mL/h
    p = s.report_symptoms(35, ["rigors"])  # moderate: pause, resume at 42 mL/h and hold
    s.confirm(35, p)
    s.resolved(50)
    s.confirm(50, s.due(50))
    assert s.state.ceiling_ml_h == 42.0
    before = day_fit(build_plan(OCTAGAM), parse_clock("09:00"))
    fit = s.day_fit(60, parse_clock("09:00"))
    assert before.fits and not fit.fits
    # 21 + 7 mL in, then 42 mL/h: (700 - 28) / 42 h = 16 h more: far past 18:00
    assert fit.finish_min == pytest.approx(50 + (700 - 28) / 42 * 60)
    assert fit.stop_at_min == 9 * 60 and fit.given_g == pytest.approx((28 + 42 * (540 - 50) / 60) / 10)


def test_volume_by_follows_the_steps():
    p = build_plan(OCTAGAM)
    assert volume_by(p, 0) == 0 and volume_by(p, 30) == pytest.approx(21) and volume_by(p, 45) == pytest.approx(42)
    assert volume_by(p, 10_000) == pytest.approx(700)


def test_plan_json_and_the_command_line_show_it():
    j = plan_json(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0, start_clock="16:30")))
    assert j["day_fit"]["fits"] is False and j["day_fit"]["finish_clock"] == "19:16"
    assert plan_json(build_plan(OCTAGAM))["day_fit"] is None  # no start time: not checked
    r = subprocess.run([sys.executable, "main.py", "plan", "--product", "octagam-10", "--indication", "itp",
                        "--weight-kg", "70", "--dose-g-per-kg", "1", "--start", "16:30", "--json"],
                       capture_output=True, text=True, cwd=pathlib.Path(__file__).resolve().parent.parent)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["day_fit"]["choices"][1]["id"] == "stop-at"
