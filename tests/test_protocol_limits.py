"""Protocols stay within their products and labels: the label's initial rate is a hard limit of the
first step, no step climbs faster than the label, a standardized table applies only to the products
it names and reads its own weight columns, at-risk caps only where the current label gives a number,
exact provenance, the label's first-infusion words."""
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from titration.errors import InputError, SessionError
from titration.limits import label_rate_at
from titration.plan import PlanRequest, build_plan, plan_json
from titration.products import load_library, product_json
from titration.protocols import load_protocols, resolve
from titration.session import Session
from titration.units import ml_h

LIB = load_library()
PROTOCOLS = ["label", *load_protocols()]
TRIPLES = [(p.id, i.id, proto) for p in LIB.values() for i in p.indications.values() for proto in PROTOCOLS]


def allowed(pid, iid, proto):
    p = LIB[pid]
    try:
        resolve(p, p.indication(iid), proto)
        return True
    except InputError:
        return False


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(TRIPLES), st.floats(40, 134.9), st.sampled_from([0.1, 1.0]), st.booleans())
def test_property_no_plan_starts_above_the_label_initial_rate_or_climbs_faster(triple, kg, res, first):
    pid, iid, proto = triple
    if not allowed(pid, iid, proto):
        return
    p = build_plan(PlanRequest(pid, iid, kg, 0.4, protocol=proto, pump_resolution_ml_h=res, first_infusion=first))
    ind = LIB[pid].indication(iid)
    conc = p.concentration_mg_per_ml
    assert p.steps[0].rate_ml_h <= ml_h(ind.initial_mg_kg_min, p.rate_weight_kg, conc) + 1e-9
    assert max(s.rate_ml_h for s in p.steps) <= ml_h(ind.max_mg_kg_min, p.rate_weight_kg, conc) + 1e-9
    for i, r in enumerate(p.rungs[:-1]):  # every rung but the last, which runs to the end
        least = ind.initial_minutes if i == 0 else ind.step_minutes
        if least is not None:
            assert r.minutes >= least - 1e-9, (pid, iid, proto, i, r.minutes, least)
    if ind.label_ladder is not None:  # never above the label's own ladder at the same minute
        label = ind.label_ladder.targets(conc, ind.initial_mg_kg_min, ind.initial_minutes, ind.max_mg_kg_min)
        start = 0.0
        for r in p.rungs:
            assert r.rate_mg_kg_min <= label_rate_at(label, start) + 1e-9, (pid, iid, proto, start)
            start += r.minutes or 0.0


def test_every_product_indication_and_protocol_pair_is_either_planned_or_refused_with_a_reason():
    for pid, iid, proto in TRIPLES:
        p = LIB[pid]
        try:
            resolve(p, p.indication(iid), proto)
        except InputError as e:
            assert e.allowed and "\n" not in str(e)


def test_a_protocol_faster_than_the_label_is_slowed_to_the_labels_interval():
    # local-doubling-15 steps every 15 min; Octagam 10% (ITP) allows an increase every 30 min only
    p = build_plan(PlanRequest("octagam-10", "itp", 70, 1.0, protocol="local-doubling-15"))
    assert [r.minutes for r in p.rungs[:-1]] == [30, 30, 30, 30]
    assert any("lengthened from 15 to 30 min" in n for n in p.notes)


def test_a_protocol_never_climbs_above_the_labels_own_ladder():
    # Bivigam's label: 0.5 mg/kg/min for 10 min, then +0.8 every 20 min to 6. Doubling every 30 min
    # would reach 4 at 70 min where the label is at 3.7: held to 3.7, then the label's own steps.
    p = build_plan(PlanRequest("bivigam", "pi", 70, 0.4, protocol="local-doubling-30"))
    assert [(r.rate_ml_h, r.minutes) for r in p.rungs] == [
        (21.0, 10), (42.0, 30), (84.0, 30), (155.4, 30), (189.0, 20), (222.6, 20), (252.0, None)]
    assert any("held to 3.7 mg/kg/min (not 4)" in n for n in p.notes)
    assert label_rate_at([(0.5, 10), (1.3, 20), (6.0, None)], 29.9) == 1.3


def test_the_label_initial_rate_caps_a_first_step_written_above_it():
    from titration.limits import Limit, rungs_for

    lim = [Limit("label-initial", True, 21.0, "0.5 mg/kg/min", "label", first_step_only=True),
           Limit("label-max", True, 336.0, "8 mg/kg/min", "label")]
    rungs = rungs_for([(1.0, 30), (2.0, 30), (8.0, None)], lim, 70, 100, 0.1)
    assert [r.rate_ml_h for r in rungs] == [21.0, 84.0, 336.0]  # only the first step is held to 21
    assert rungs[0].limited_by == "label-initial"


# ------------------------------------------------------------------ NL-IVIG002 weight columns
@pytest.mark.parametrize("kg,column,first", [(70, 70, 42.0), (72, 70, 42.0), (74.9, 70, 42.0), (75, 75, 45.0),
                                             (40, 40, 24.0), (134.9, 130, 78.0)])
def test_nl_ivig002_reads_its_printed_5_kg_column(kg, column, first):
    p = build_plan(PlanRequest("gamunex-c", "pi", kg, 0.4, protocol="nl-ivig002"))
    assert p.table_column_kg == column
    assert p.steps[0].rate_ml_h == first  # 0.01 mL/kg/min x column kg x 60
    assert any(f"printed {column:g} kg column" in n for n in p.notes)
    assert plan_json(p)["table_column_kg"] == column


def test_nl_ivig002_at_70_kg_matches_the_printed_row():
    # The table's 70 kg column: 42, 84, 168, 252, 336, 504, 588 mL/h; Gamunex-C PI stops at 8 mg/kg/min
    p = build_plan(PlanRequest("gamunex-c", "pi", 72, 0.4, protocol="nl-ivig002"))
    assert [r.rate_ml_h for r in p.rungs] == [42.0, 84.0, 168.0, 252.0, 336.0]


@pytest.mark.parametrize("kg", [39.9, 135, 20])
def test_nl_ivig002_refuses_a_weight_it_prints_no_column_for(kg):
    with pytest.raises(InputError, match="columns from 40 to 130 kg"):
        build_plan(PlanRequest("octagam-10", "itp", kg, 1.0, protocol="nl-ivig002", age_years=30))


# ------------------------------------------------------------------ at-risk caps, provenance, first infusions
def test_at_risk_cap_is_asked_for_where_the_current_label_gives_no_number():
    from titration.errors import NeedsInput

    for pid in ("octagam-5", "bivigam"):
        with pytest.raises(NeedsInput):
            build_plan(PlanRequest(pid, "pi", 70, 0.4, at_risk=True))


def test_a_trial_protocol_ladder_says_what_it_is():
    p = build_plan(PlanRequest("gammaplex-10", "pi", 70, 0.4))
    assert any("pivotal trial" in n and "not the label" in n for n in p.notes)
    j = product_json(LIB["gammaplex-10"])
    assert "pivotal trial" in j["indications"][0]["ladder_provenance"]
    assert "manufacturer's HCP pages" in product_json(LIB["octagam-10"])["indications"][0]["ladder_provenance"]
    for p in LIB.values():  # every ladder shipped as 'label' says where it really comes from
        for ind in p.indications.values():
            if ind.ladder == "label":
                assert ind.ladder_provenance, (p.id, ind.id)


def test_first_infusion_words_are_shown_and_a_number_in_them_is_a_soft_limit():
    p = build_plan(PlanRequest("octagam-5", "pi", 70, 0.4, first_infusion=True))
    # "rapid infusion (>2 mg/kg/min)": 2 x 70 x 60 / 50 = 168 mL/h for a first infusion
    assert max(r.rate_ml_h for r in p.rungs) == 168.0
    assert any("rapid infusion" in n for n in p.notes)
    lim = [x for x in p.limits if x.name == "first-infusion"][0]
    assert not lim.hard
    freed = build_plan(PlanRequest("octagam-5", "pi", 70, 0.4, first_infusion=True,
                                   overrides=(("first-infusion", "prescriber: had Octagam 5% 3 weeks ago"),)))
    assert max(r.rate_ml_h for r in freed.rungs) == 280.0  # 200 mg/kg/h
    later = build_plan(PlanRequest("asceniv", "pi", 70, 0.4, first_infusion=True))
    assert any("subsequent infusions can be slowly increased" in n for n in later.notes)
    assert not any("subsequent" in n for n in build_plan(PlanRequest("asceniv", "pi", 70, 0.4)).notes)


def test_products_json_adds_keys_only():
    j = json.loads(json.dumps(product_json(LIB["asceniv"])))
    ind = j["indications"][0]
    assert {"id", "initial_mg_kg_min", "max_mg_kg_min", "at_risk_max_mg_kg_min", "ladder", "sources"} <= set(ind)
    assert ind["step_minutes"] == 15 and "subsequent" in ind["first_infusion_words"]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(TRIPLES), st.floats(2, 40), st.booleans(), st.booleans(), st.floats(0.1, 20))
def test_property_a_child_or_an_at_risk_patient_never_exceeds_the_label(triple, kg, first, at_risk, asked_cap):
    # Children's weights (2-40 kg) and the at-risk cap: the label's or, where it gives none, the
    # prescriber's (asked). The first step never above the label's initial rate; no step above the
    # label maximum or the at-risk cap; every rate rounded down to the pump's 0.1 mL/h.
    pid, iid, proto = triple
    if not allowed(pid, iid, proto):
        return
    ind = LIB[pid].indication(iid)
    asks = ind.at_risk_max_mg_kg_min is None or ind.at_risk_ceiling_only  # the prescriber's cap is asked for
    cap = min(asked_cap, ind.at_risk_max_mg_kg_min or asked_cap) if at_risk and asks else None
    try:
        p = build_plan(PlanRequest(pid, iid, kg, 0.4, protocol=proto, first_infusion=first, at_risk=at_risk,
                                   at_risk_cap_mg_kg_min=cap, age_years=30))
    except InputError as e:
        msg = str(e).lower()  # the adult table's weights, or an asked cap above the label maximum
        assert "nl-ivig002" in msg or "column" in msg or "at most the label maximum" in msg \
            or "is a ceiling" in msg, e  # a "less than" ceiling refuses a cap equal to it
        return
    conc = p.concentration_mg_per_ml
    assert p.steps[0].rate_ml_h <= ml_h(ind.initial_mg_kg_min, p.rate_weight_kg, conc) + 1e-9
    top = ind.max_mg_kg_min
    if at_risk:
        top = min(top, ind.at_risk_max_mg_kg_min if ind.at_risk_max_mg_kg_min is not None else asked_cap)
    for s in p.steps:
        assert s.rate_ml_h <= ml_h(top, p.rate_weight_kg, conc) + 1e-9, (pid, iid, proto, kg, s.rate_ml_h)
        assert abs(s.rate_ml_h * 10 - round(s.rate_ml_h * 10)) < 1e-6


def test_a_rate_refused_by_a_hard_limit_is_journaled_for_the_unit_to_count():
    """Octagam 10%, ITP, 70 kg: 42 mL/h for the first 30 min. A resume at 300 mL/h after 10 min is
    refused (the label's initial rate holds until the first step has run) and the refusal is kept."""
    s = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))
    s.start(0)
    s.pause(10, "toilet")
    with pytest.raises(SessionError, match="300 mL/h is above the label's initial rate of 42 mL/h"):
        s.resume(12, rate_ml_h=300)
    note = s.events[-1]
    assert note.kind == "note" and note.at_min == 12 and s.status == "paused"
    assert note.data["hard_limit"] == {"intent": "resume", "rate_ml_h": 300, "limit_ml_h": 42.0,
                                       "why": note.data["hard_limit"]["why"]}
    assert Session.replay([e.to_dict() for e in s.events]).events[-1].data["hard_limit"]["rate_ml_h"] == 300
    s.resume(13)  # the nurse resumes at what is allowed: nothing else changed
    assert s.state.rate_ml_h == 42.0
