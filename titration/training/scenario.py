"""Scenario files (TOML) and the headless run behind `simulate`: protocol actions applied at once."""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from ..data import Table, load_toml
from ..errors import DataError, InputError, NeedsInput, TitrationError
from ..plan import PlanRequest, build_plan
from ..policy import get_policy
from ..reactions import VITAL_FIELDS, Vitals, load_catalogue
from ..session import Session

MAX_STEPS = 10_000  # a run that has not ended after this many decisions is a bug, not a patient


@dataclass(frozen=True)
class ScenarioEvent:
    at_min: float
    symptoms: tuple[str, ...] = ()
    vitals: Vitals | None = None
    resolved: bool = False
    note: str = ""


@dataclass(frozen=True)
class Scenario:
    path: str
    title: str
    request: PlanRequest
    policy: str
    baseline: Vitals | None
    events: tuple[ScenarioEvent, ...]
    raw: dict = field(default_factory=dict)
    lesson: str = ""  # what the debrief teaches, in the educator's words (meta.lesson)


# Every key a scenario may hold, level by level: anything else (a misspelling) is an error that
# names the file, the key and the nearest known key (issue 11). [behaviour] and [debrief] are
# checked where they are read (patient_model.py, run.py).
TOP_KEYS = ("meta", "patient", "prescription", "behaviour", "events", "debrief")
META_KEYS = ("title", "description", "learning_goals", "pending", "lesson")
PATIENT_KEYS = ("weight_kg", "height_cm", "sex", "age_years", "baseline_vitals", "tolerated_max_mg_kg_min")
PRESCRIPTION_KEYS = ("product", "indication", "dose_g_per_kg", "dosing_weight", "at_risk", "at_risk_cap_mg_kg_min",
                     "first_infusion", "product_switch", "weeks_since_last", "protocol", "policy",
                     "pump_resolution_ml_h", "max_ml_h")
EVENT_KEYS = ("at_min", "symptoms", "vitals", "resolved", "note")
# The plan's errors name command-line options; in a scenario they are these keys.
OPTION_KEYS = {"--product": "prescription.product", "--indication": "prescription.indication",
               "--weight-kg": "patient.weight_kg", "--dose-g-per-kg": "prescription.dose_g_per_kg",
               "--height-cm": "patient.height_cm", "--sex": "patient.sex",
               "--dosing-weight": "prescription.dosing_weight", "--at-risk-cap": "prescription.at_risk_cap_mg_kg_min",
               "--weeks-since-last": "prescription.weeks_since_last", "--protocol": "prescription.protocol",
               "--pump-resolution": "prescription.pump_resolution_ml_h", "--max-ml-h": "prescription.max_ml_h",
               "--tolerated-max": "patient.tolerated_max_mg_kg_min", "policy": "prescription.policy",
               "age": "patient.age_years"}


def _vitals(t: Table, key: str) -> Vitals | None:
    v = t.raw(key, None)
    if v is None:
        return None
    if not isinstance(v, dict):
        raise t.fail(key, "must be a table like {temp_c = 38.2, pulse = 96}")
    t.table(key).only(VITAL_FIELDS, "vital sign")
    try:
        return Vitals.from_dict(v)
    except InputError as exc:
        raise t.fail(f"{key}.{exc.field}", f"{exc.value!r}: expected {exc.allowed}") from None


def read_scenario(path: str) -> Scenario:
    path = str(path)
    top = Table(load_toml(path), path).only(TOP_KEYS, "section")
    pt, rx = top.table("patient").only(PATIENT_KEYS), top.table("prescription").only(PRESCRIPTION_KEYS)
    req = PlanRequest(
        product=rx.str("product"),
        indication=rx.str("indication"),
        weight_kg=pt.num("weight_kg", lo=2, hi=250),
        dose_g_per_kg=rx.num("dose_g_per_kg", lo=0, hi=2, lo_open=True),
        height_cm=pt.num("height_cm", None, lo=40, hi=250),
        sex=pt.str("sex", None, choices=("female", "male")),
        dosing_weight=rx.str("dosing_weight", "actual", choices=("actual", "ideal", "adjusted", "auto")),
        at_risk=rx.bool("at_risk", False),
        at_risk_cap_mg_kg_min=rx.num("at_risk_cap_mg_kg_min", None, lo=0, hi=20, lo_open=True),
        first_infusion=rx.bool("first_infusion", False),
        product_switch=rx.bool("product_switch", False),
        weeks_since_last=rx.num("weeks_since_last", None, lo=0, hi=5200),
        protocol=rx.str("protocol", None),
        pump_resolution_ml_h=rx.num("pump_resolution_ml_h", 0.1, lo=0, hi=10, lo_open=True),
        max_ml_h=rx.num("max_ml_h", None, lo=0, hi=1200, lo_open=True),
        tolerated_max_mg_kg_min=pt.num("tolerated_max_mg_kg_min", None, lo=0, hi=20, lo_open=True),
        age_years=pt.num("age_years", None, lo=0, hi=120),
    )
    if req.at_risk_cap_mg_kg_min is not None and not req.at_risk:
        raise rx.fail("at_risk_cap_mg_kg_min", "needs at_risk = true: the cap applies to a patient at risk")
    catalogue = load_catalogue()
    events = []
    last = -1.0
    for t in top.tables("events") if top.has("events") else []:
        t.only(EVENT_KEYS, "event key")
        at = t.num("at_min", lo=0, hi=24 * 60)
        if at < last:
            raise t.fail("at_min", f"{at:g} is before the previous event ({last:g}): keep events in time order")
        last = at
        syms = t.strs("symptoms", ())
        for s in syms:
            if s not in catalogue.symptoms:
                raise t.fail("symptoms", f"{s!r} is not a symptom id (see resources/symptoms.toml)")
        events.append(ScenarioEvent(at, syms, _vitals(t, "vitals"), t.bool("resolved", False), t.str("note", "")))
    policy = rx.str("policy", "tiered")
    meta = top.table("meta", {}).only(META_KEYS)
    title = meta.str("title", os.path.splitext(os.path.basename(path))[0])
    meta.str("description", "")
    meta.strs("learning_goals", ())
    meta.str("pending", "")
    sc = Scenario(path, title, req, policy, _vitals(pt, "baseline_vitals"), tuple(events), top.data,
                  meta.str("lesson", ""))
    _check_plan(sc)
    if top.has("debrief"):  # read by training runs only; a misspelling is refused wherever the file is read
        from .run import settings_for

        settings_for(sc)
    return sc


def _check_plan(sc: Scenario) -> None:
    """The prescription must make a plan; its errors name the scenario's keys, not options."""
    try:
        build_plan(sc.request)
        get_policy(sc.policy)
    except (InputError, NeedsInput) as exc:
        key = OPTION_KEYS.get(exc.field, exc.field)
        why = f"{exc.value!r} is not allowed; expected {exc.allowed}" if isinstance(exc, InputError) else \
            f"is required: {exc.why}"
        for option, k in OPTION_KEYS.items():  # the advice names options too
            why = why.replace(option, k.split(".")[-1])
        raise DataError(sc.path, key, why) from None


def run_protocol(sc: Scenario) -> Session:
    """Run a scenario with every proposed action confirmed at once (no nurse delay)."""
    s = Session(build_plan(sc.request), get_policy(sc.policy), load_catalogue())
    for _ in protocol_steps(sc, s):
        pass
    return s


def protocol_steps(sc: Scenario, s: Session):
    """The protocol run as a generator: yields each next session time (minutes) before acting
    at it, so a caller can wait for it (the journaled simulation at N times real time)."""
    if sc.baseline is not None:
        s.record_vitals(0.0, sc.baseline, who="sim")
    s.start(0.0, who="sim")
    pending = list(sc.events)
    t = 0.0
    for _ in range(MAX_STEPS):
        confirm_end_if_due(s, t, "sim")
        while pending and pending[0].at_min <= t + 1e-9:
            apply_event(s, pending.pop(0))
        p = s.due(t)
        while p is not None and s.status in ("running", "paused"):
            s.confirm(t, p, who="sim")
            p = s.due(t)
        if s.status in ("stopped", "completed"):
            for ev in pending:  # events after the end (a late headache) are still recorded
                yield max(ev.at_min, t)
                apply_event(s, ev)
            return
        candidates = [x for x in (s.next_due_at(), s.completion_at(), pending[0].at_min if pending else None)
                      if x is not None and x > t + 1e-9]
        if not candidates:
            if s.status == "paused":
                raise DataError(sc.path, "events", "the infusion is paused with nothing left to happen")
            break
        t = min(candidates)
        yield t
    raise TitrationError(f"{sc.path}: the simulation did not end")


def confirm_end_if_due(s: Session, t: float, who: str) -> None:
    """A headless nurse confirms the end the moment the prescribed volume is in."""
    done = s.completion_at()
    if done is None or done > t + 1e-9:
        return
    at = max(done, s.events[-1].at_min)
    p = s.due(at)
    if p is not None and p.action == "complete":
        s.confirm(at, p, who=who)


def apply_event(s: Session, ev: ScenarioEvent) -> None:
    at = max(ev.at_min, s.events[-1].at_min)
    if ev.note:
        s.note(at, ev.note, who="sim")
    if ev.symptoms:
        s.report_symptoms(at, list(ev.symptoms), ev.vitals, who="sim")
    elif ev.vitals is not None:
        s.record_vitals(at, ev.vitals, who="sim")
    if ev.resolved and s.state.reaction is not None:
        s.resolved(at, who="sim")


def simulate_json(s: Session) -> dict:
    st = s.state
    stopped = any(e.kind == "stop" or (e.kind == "action" and e.data.get("action") == "stop") for e in s.events)
    return {
        "outcome": "stopped" if stopped or st.status == "stopped" else "completed",
        "end_min": None if st.end_min is None else round(st.end_min, 1),
        "delivered_volume_ml": round(s.delivered_ml(st.end_min or 0.0), 1),
        "volume_ml": round(s.volume_ml, 1),
        "rate_segments": [
            {"start_min": round(a, 1), "end_min": round(b, 1), "rate_ml_h": r} for a, b, r in s.rate_segments()
        ],
        "events": [
            {**{k: v for k, v in e.to_dict().items() if k != "plan"}, "at_min": round(e.at_min, 2)}
            for e in s.events if e.kind != "planned"
        ],
        # added keys: the early-warning score over the latest values (with its parts), the last episode
        "news2": None if s.early_warning() is None else s.early_warning().to_dict(),
        "episode": None if st.episode is None else {
            "opened_at_min": round(st.episode.opened_at, 2), "grade": st.episode.grade, "kind": st.episode.kind,
            "criteria": list(st.episode.criteria), "symptoms": list(st.episode.symptoms)},
    }
