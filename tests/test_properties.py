"""Invariants over products x indications x weights x flags x reaction timings (hypothesis)."""
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from titration.errors import InputError
from titration.plan import PlanRequest, build_plan
from titration.policy import get_policy
from titration.products import load_library, load_usual_doses
from titration.session import Session
from titration.training.scenario import confirm_end_if_due
from titration.units import ml_h

PAIRS = [(p.id, i.id) for p in load_library().values() for i in p.indications.values()]
SYMPTOMS = {"mild": "chills", "moderate": "rigors", "severe": "wheeze"}


@st.composite
def requests(draw):
    product, indication = draw(st.sampled_from(PAIRS))
    at_risk = draw(st.booleans())
    ind = load_library()[product].indication(indication)
    cap = None
    if at_risk and (ind.at_risk_max_mg_kg_min is None or ind.at_risk_ceiling_only or draw(st.booleans())):
        top = ind.at_risk_max_mg_kg_min or ind.max_mg_kg_min
        if ind.at_risk_exclusive:  # "below 2 mg/kg/min" refuses 2 itself (and what rounds to it)
            top -= 1e-6
        cap = draw(st.floats(0.2, top))
    usual = load_usual_doses().get(indication)
    dose = draw(st.floats(0.05, 2.0))
    overrides = ()
    if usual and dose > usual.single_g_per_kg:  # above the usual single infusion: only with a reason
        overrides = (("single-dose", "prescriber: single infusion"),)
    weight = draw(st.floats(2, 250))
    if weight < 40 and (ind.min_age_years or 0) > 10:  # a child outside the label's population: with a reason
        overrides += (("population", "prescriber: off-label in a child"),)
    return PlanRequest(
        product=product, indication=indication,
        weight_kg=weight, age_years=None if weight >= 40 else 10,  # under 40 kg the age is required
        dose_g_per_kg=dose,
        overrides=overrides,
        at_risk=at_risk, at_risk_cap_mg_kg_min=cap,
        first_infusion=draw(st.booleans()),
        pump_resolution_ml_h=draw(st.sampled_from([0.1, 0.5, 1.0])),
        max_ml_h=draw(st.one_of(st.none(), st.floats(20, 600))),
    )


def plan_or_skip(req):
    try:
        return build_plan(req)
    except InputError as e:  # a coarse pump for a tiny patient: refused, never rounded up
        assert e.field == "--pump-resolution"
        assume(False)


@settings(max_examples=300)
@given(requests())
def test_never_above_a_hard_cap_and_volume_conserved(req):
    p = plan_or_skip(req)
    ind = load_library()[req.product].indication(req.indication)
    label_max = ml_h(ind.max_mg_kg_min, p.rate_weight_kg, p.concentration_mg_per_ml)
    hard = [lim.cap_ml_h for lim in p.limits if lim.hard and not lim.first_step_only]
    initial = ml_h(ind.initial_mg_kg_min, p.rate_weight_kg, p.concentration_mg_per_ml)
    assert p.steps[0].rate_ml_h <= initial + 1e-9  # the label's initial rate: a hard limit of the first step
    for s in p.steps:
        assert s.rate_ml_h <= label_max + 1e-9
        assert all(s.rate_ml_h <= c + 1e-9 for c in hard)
        assert all(s.rate_ml_h <= lim.cap_ml_h + 1e-9 for lim in p.limits
                   if not lim.overridden and not lim.first_step_only)
        assert s.rate_ml_h > 0
        # rounded down to the pump resolution
        assert abs(s.rate_ml_h / req.pump_resolution_ml_h - round(s.rate_ml_h / req.pump_resolution_ml_h)) < 1e-6
    assert sum(s.volume_ml for s in p.steps) == pytest.approx(p.volume_ml, rel=1e-9)
    for a, b in zip(p.steps, p.steps[1:]):
        assert a.end_min == pytest.approx(b.start_min)
        assert b.rate_ml_h > a.rate_ml_h  # merged: no two neighbours at one rate
    assert p.steps[-1].holds_to_end


@st.composite
def reactions(draw):
    n = draw(st.integers(0, 3))
    times = sorted(draw(st.lists(st.floats(1, 300), min_size=n, max_size=n)))
    out = []
    for t in times:
        grade = draw(st.sampled_from(["mild", "moderate", "severe"]))
        resolve_after = draw(st.one_of(st.none(), st.floats(1, 45)))
        out.append((t, grade, resolve_after))
    return out


def run(req, rx, policy):
    """A nurse who confirms every proposal at once; symptoms at the given times."""
    s = Session(build_plan(req), get_policy(policy))
    s.start(0)
    todo = [(t, "symptoms", g) for t, g, _ in rx] + [(t + r, "resolved", None) for t, _, r in rx if r is not None]
    todo.sort(key=lambda x: x[0])
    t = 0.0
    ceilings = []
    for _ in range(500):
        confirm_end_if_due(s, t, "nurse")
        while todo and todo[0][0] <= t:
            _, kind, g = todo.pop(0)
            if s.status not in ("running", "paused"):
                continue
            if kind == "symptoms":
                s.report_symptoms(t, [SYMPTOMS[g]])
            elif s.state.reaction is not None:
                s.resolved(t)
        p = s.due(t)
        while p is not None:
            s.confirm(t, p)
            if s.state.ceiling_ml_h is not None:
                ceilings.append((t, s.state.ceiling_ml_h))
            p = s.due(t)
        if s.status in ("stopped", "completed"):
            return s, ceilings
        nxt = [x for x in (s.next_due_at(), s.completion_at(), todo[0][0] if todo else None) if x is not None and x > t]
        if not nxt:
            return s, ceilings
        t = min(nxt)
    raise AssertionError("did not end")


@settings(max_examples=300)
@given(requests(), reactions(), st.sampled_from(["tiered", "pause-always"]))
def test_sessions_keep_their_promises(req, rx, policy):
    try:
        s, ceilings = run(req, rx, policy)
    except InputError:
        assume(False)
    segs = s.rate_segments(until=s.state.end_min)
    integral = sum((b - a) * r / 60 for a, b, r in segs)
    end = s.state.end_min if s.state.end_min is not None else s.events[-1].at_min
    assert s.delivered_ml(end) == pytest.approx(integral, abs=1e-6)
    assert s.delivered_ml(end) <= s.volume_ml + 1e-6
    if s.status == "completed":
        assert s.delivered_ml(end) == pytest.approx(s.volume_ml)
    # after a reaction that resumes "at the last tolerated rate", the rate never goes above it
    for t0, c in ceilings:
        assert all(r <= c + 1e-9 for a, b, r in segs if a >= t0)
    top = s.original_plan.rungs[-1].rate_ml_h
    assert all(r <= top + 1e-9 for _, _, r in segs)
    # a severe reaction (first one reported while running) always ends the infusion
    severe = [e for e in s.events if e.kind == "symptoms" and "wheeze" in e.data["symptoms"]]
    if severe:
        assert s.status == "stopped"
        assert s.state.end_min == pytest.approx(severe[0].at_min)
