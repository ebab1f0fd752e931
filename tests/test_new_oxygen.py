"""A NEW need for supplemental oxygen is itself a finding, for children and adults alike.

Sources (resources/symptoms.toml): NHS Borders lists "changes in SpO2" among the reactions that pause
the infusion; the TRALI definition (Canadian Consensus Conference 2004) counts "other clinical evidence
of hypoxaemia" besides SpO2 < 90 % on room air: a new need for oxygen is that evidence; Bedside PEWS
(Parshuram 2009) kept oxygen therapy among its seven items; NEWS2 scores oxygen 2. Moderate: pause and
review. With breathlessness it is the TRALI picture (STOP); with a skin sign, anaphylaxis (WAO 2020:
hypoxaemia is respiratory compromise).
"""
import pytest

from titration.plan import PlanRequest, build_plan
from titration.policy import get_policy
from titration.session import Session
from titration.vitals import Vitals

ADULT = Vitals(temp_c=36.8, pulse=76, sbp=128, dbp=78, spo2=97, rr=14)
CHILD = Vitals(temp_c=36.8, pulse=85, sbp=108, dbp=65, spo2=98, rr=18)


def chair(age=None, weight=70, base=ADULT):
    product = ("octagam-10", "itp") if age is None else ("gamunex-c", "pi")
    s = Session(build_plan(PlanRequest(*product, weight, 0.4 if age else 1.0, age_years=age)), get_policy("tiered"))
    s.record_vitals(0, base)
    s.start(0)
    return s


@pytest.mark.parametrize("age,weight,base", [(None, 70, ADULT), (10, 32, CHILD)])
def test_oxygen_started_with_nothing_else_pauses(age, weight, base):
    s = chair(age, weight, base)
    s.record_vitals(45, Vitals(spo2=94, on_oxygen=True))
    p = s.due(45)
    assert (p.action, p.grade, p.kind) == ("pause", "moderate", "respiratory")
    assert "oxygen" in p.reason.lower()


def test_a_ten_year_old_newly_on_oxygen_with_values_inside_the_range_pauses():
    s = chair(10, 32, CHILD)
    s.record_vitals(45, Vitals(spo2=94, rr=24, pulse=112, on_oxygen=True))
    assert s.due(45).action == "pause"


def test_on_oxygen_from_the_start_is_not_new():
    s = chair(base=Vitals(**{**ADULT.to_dict(), "spo2": 96, "on_oxygen": True}))
    assert s.state.status == "running"  # the baseline on oxygen holds nothing
    s.record_vitals(45, Vitals(spo2=96, on_oxygen=True))
    assert s.due(45) is None or s.due(45).action == "increase"


def test_on_air_is_not_a_finding():
    s = chair()
    s.record_vitals(45, Vitals(spo2=97, on_oxygen=False))
    assert s.due(45) is None or s.due(45).action == "increase"


def test_breathlessness_then_a_new_need_for_oxygen_is_the_trali_picture():
    s = chair()
    s.report_symptoms(62, ["breathlessness"])
    s.confirm(62, s.due(62))
    s.record_vitals(66, Vitals(spo2=96, on_oxygen=True))
    p = s.due(66)
    assert (p.action, p.kind) == ("stop", "trali") and "oxygen" in " ".join(p.emergency).lower()


def test_hives_then_a_new_need_for_oxygen_is_anaphylaxis():
    s = chair()
    s.report_symptoms(62, ["urticaria"])
    s.confirm(62, s.due(62))
    s.record_vitals(66, Vitals(spo2=95, on_oxygen=True))
    assert (s.due(66).action, s.due(66).kind) == ("stop", "anaphylactic")


def test_replay_rebuilds_it():
    s = chair()
    s.record_vitals(45, Vitals(spo2=94, on_oxygen=True))
    r = Session.replay([e.to_dict() for e in s.events])
    assert r.due(45) == s.due(45)
