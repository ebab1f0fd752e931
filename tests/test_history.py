"""Patient history from the journal: tolerated maximum as a soft cap, brand switch, reactions.

Octagam 10% (100 mg/mL), ITP, 70 kg: 1, 2, 4, 8, 12 mg/kg/min = 42, 84, 168, 336, 504 mL/h.
mg/kg/min = mL/h x 100 / (70 x 60).
"""
from dataclasses import replace

import pytest

from titration.plan import PlanRequest, build_plan
from titration.session import Session
from titration.store.history import History, tolerated_mg_kg_min
from titration.store.journal import Journal

DAY = 86400.0
T0 = 1_800_000_000.0  # 2027-01-15


def req(product="octagam-10", kg=70.0):
    return PlanRequest(product, "itp", kg, 1.0)


def uneventful(j, pid, day, training=False, kg=70.0):
    s = Session(build_plan(req(kg=kg)), training=training)
    j.attach(s, chair="1", patient_id=pid, training=training, wall_start=T0 + day * DAY)
    s.start(0)
    for t in (30, 60, 90, 120):
        s.confirm(t, s.due(t))
    done = s.completion_at()  # the volume in at the top rate; the nurse confirms the end at once
    s.confirm(done, s.due(done))
    return s


def with_mild_reaction(j, pid, day):
    s = Session(build_plan(req()))
    j.attach(s, chair="1", patient_id=pid, training=False, wall_start=T0 + day * DAY)
    s.start(0)
    s.confirm(30, s.due(30))  # 84 mL/h: 42 mL/h was tolerated
    s.confirm(35, s.report_symptoms(35, ["chills"]))  # mild: slow back to 42
    s.stop(50, "patient asked to stop")
    return s


@pytest.fixture
def j(tmp_path):
    jj = Journal(tmp_path / "j.sqlite3")
    yield jj
    jj.close()


def test_tolerated_rate_converts_and_rounds_down():
    s = Session(build_plan(req(kg=73.3)))
    s.start(0)
    # 1 mg/kg/min at 73.3 kg = 43.98 mL/h, set as 43.9 (rounded down to 0.1).
    assert s.state.rate_ml_h == 43.9
    s.confirm(30, s.due(30))
    # 43.9 x 100 / (73.3 x 60) = 0.99818... -> 0.9981 (down, never up)
    assert tolerated_mg_kg_min(s) == 0.9981
    fresh = Session(build_plan(req()))
    assert tolerated_mg_kg_min(fresh) is None


def test_highest_tolerated_rate_is_offered_as_a_soft_cap(j):
    uneventful(j, "P1", 0)
    h = History(j).for_patient("P1")
    assert h.last_product == "octagam-10" and h.last_product_name == "Octagam 10%"
    assert h.highest_tolerated_mg_kg_min == 12.0  # 504 x 100 / 4200
    assert h.reactions == ()
    offer = h.offer("octagam-10", now_wall=T0 + 28 * DAY)
    assert offer["request"] == {"tolerated_max_mg_kg_min": 12.0, "weeks_since_last": 4.0}
    assert not offer["product_switch"] and offer["warnings"] == []
    assert "12 mg/kg/min tolerated on" in offer["tolerated_why"]


def test_a_reaction_resets_the_tolerated_rate_and_is_shown(j):
    uneventful(j, "P1", 0)
    with_mild_reaction(j, "P1", 28)
    h = History(j).for_patient("P1")
    # Before the reaction 12 mg/kg/min was tolerated; on the infusion with the reaction only 42 mL/h = 1.
    assert h.highest_tolerated_mg_kg_min == 1.0
    (r,) = h.reactions
    assert (r.at_min, r.grade, r.symptoms, r.action, r.product) == (35.0, "mild", ("chills",), "slow", "octagam-10")
    offer = h.offer("octagam-10")
    assert offer["request"] == {"tolerated_max_mg_kg_min": 1.0}
    assert offer["warnings"] == [
        f"Previous reaction: mild reaction (chills) at 35 min on {r.date} with Octagam 10%; slow."]
    # The cap reaches the plan: the next plan is capped at 1 mg/kg/min = 42 mL/h (a soft limit).
    plan = build_plan(replace(req(), **offer["request"]))
    lim = [x for x in plan.limits if x.name == "tolerated-max"]
    assert lim and not lim[0].hard and lim[0].cap_ml_h == 42.0
    assert max(g.rate_ml_h for g in plan.rungs) == 42.0
    # A later uneventful infusion counts again.
    uneventful(j, "P1", 56)
    assert History(j).for_patient("P1").highest_tolerated_mg_kg_min == 12.0


def test_a_brand_switch_warns_and_starts_at_the_initial_rate(j):
    uneventful(j, "P1", 0)
    offer = History(j).for_patient("P1").offer("privigen")
    assert offer["product_switch"] and offer["last_product"] == "octagam-10"
    assert offer["request"]["product_switch"] is True and offer["request"]["first_infusion"] is True
    assert offer["warnings"][0].startswith("Product switch: the last infusion (")
    assert "was Octagam 10%; this one is Privigen" in offer["warnings"][0]
    # Back to a product the patient had before: a switch, but not a first infusion of it.
    s = Session(build_plan(PlanRequest("privigen", "itp", 70, 1.0)))
    j.attach(s, chair="1", patient_id="P1", training=False, wall_start=T0 + 30 * DAY)
    s.start(0)
    back = History(j).for_patient("P1").offer("octagam-10")
    assert back["request"]["product_switch"] is True and "first_infusion" not in back["request"]


def test_training_and_unstarted_sessions_are_not_history(j):
    s = Session(build_plan(req()), training=True)
    j.attach(s, chair="T", patient_id="P2", training=True, wall_start=T0)
    s.start(0)
    s.confirm(5, s.report_symptoms(5, ["wheeze"]))
    planned = Session(build_plan(req()))
    j.attach(planned, chair="1", patient_id="P2", training=False, wall_start=T0)
    assert History(j).for_patient("P2") is None
    assert History(j).for_patient("") is None and History(j).for_patient("nobody") is None


def test_weight_change_keeps_the_rate_per_kg(j):
    uneventful(j, "P3", 0, kg=80.0)  # 12 mg/kg/min at 80 kg = 576 mL/h
    h = History(j).for_patient("P3")
    assert h.infusions[0].tolerated_mg_kg_min == 12.0
