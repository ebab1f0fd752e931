"""Scenario files (TOML) and the headless run behind `simulate`: protocol actions applied at once."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date

from ..catalogue_file import load_catalogue
from ..data import Table, load_toml
from ..errors import DataError, InputError, NeedsInput, TitrationError
from ..nurses import Nurse, nurse, second_name
from ..plan import PlanRequest, build_plan
from ..policy import get_policy
from ..premedication import Premedication, premedication
from ..session import Session
from ..vials import Vial, typed_vial
from ..vitals import VITAL_FIELDS, Vitals

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
    patient_id: str | None = None  # a made-up identifier, for the record
    vials: tuple[Vial, ...] = ()
    premedications: tuple[Premedication, ...] = ()  # given_min: minutes before the start, as negative
    staff: Nurse | None = None  # the nurse signed in for the run
    second_nurse: str = ""  # the second nurse who checks the pump setting at the start
    lesson: str = ""  # what the debrief teaches, in the educator's words (meta.lesson)


# Every key a scenario may hold, level by level: anything else (a misspelling) is an error that
# names the file, the key and the nearest known key. [behaviour] and [debrief] are
# checked where they are read (patient_model.py, run.py).
TOP_KEYS = ("meta", "patient", "prescription", "behaviour", "events", "debrief", "staff")
META_KEYS = ("title", "description", "learning_goals", "pending", "lesson")
PATIENT_KEYS = ("weight_kg", "height_cm", "sex", "age_years", "baseline_vitals", "tolerated_max_mg_kg_min",
                "patient_id")
PRESCRIPTION_KEYS = ("product", "indication", "dose_g_per_kg", "dosing_weight", "at_risk", "at_risk_cap_mg_kg_min",
                     "first_infusion", "product_switch", "weeks_since_last", "protocol", "policy",
                     "pump_resolution_ml_h", "max_ml_h", "vials", "premedication")
VIAL_KEYS = ("gtin", "lot", "expiry", "grams", "serial")
PREMED_KEYS = ("drug", "dose", "unit", "route", "before_start_min")
STAFF_KEYS = ("nurse", "initials", "second_nurse")
PATIENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-_.]{0,39}")
EVENT_KEYS = ("at_min", "symptoms", "vitals", "resolved", "note")
# The plan's errors name command-line options; in a scenario they are these keys.
OPTION_KEYS = {"--product": "prescription.product", "--indication": "prescription.indication",
               "--weight-kg": "patient.weight_kg", "--dose-g-per-kg": "prescription.dose_g_per_kg",
               "--height-cm": "patient.height_cm", "--sex": "patient.sex",
               "--dosing-weight": "prescription.dosing_weight", "--at-risk-cap": "prescription.at_risk_cap_mg_kg_min",
               "--weeks-since-last": "prescription.weeks_since_last", "--protocol": "prescription.protocol",
               "--pump-resolution": "prescription.pump_resolution_ml_h", "--max-ml-h": "prescription.max_ml_h",
               "--tolerated-max": "patient.tolerated_max_mg_kg_min", "policy": "prescription.policy",
               "--age-years": "patient.age_years"}


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
    pid = pt.str("patient_id", None)
    if pid is not None and not PATIENT_ID.fullmatch(pid):
        raise pt.fail("patient_id", f"{pid!r}: a made-up identifier of 1 to 40 letters, digits, - _ or .")
    staff, second = _staff(top.table("staff", None))
    sc = Scenario(path, title, req, policy, _vitals(pt, "baseline_vitals"), tuple(events), top.data,
                  patient_id=pid, vials=_vials(rx), premedications=_premedications(rx), staff=staff,
                  second_nurse=second, lesson=meta.str("lesson", ""))
    _check_plan(sc)
    if top.has("debrief"):  # read by training runs only; a misspelling is refused wherever the file is read
        from .settings import settings_for

        settings_for(sc)
    return sc


def _listed(t: Table, key: str, keys: tuple[str, ...]) -> list[Table]:
    v = t.raw(key, None)
    if v is None:
        return []
    if not isinstance(v, list) or not all(isinstance(x, dict) for x in v):
        raise t.fail(key, "must be a list of tables like [{ ... }, { ... }]")
    return [Table(x, t.path, f"{t._k(key)}[{i}]").only(keys) for i, x in enumerate(v)]


def _vials(rx: Table) -> tuple[Vial, ...]:
    out = []
    for t in _listed(rx, "vials", VIAL_KEYS):
        try:
            out.append(typed_vial(t.raw("gtin"), t.raw("lot"), t.raw("expiry"), t.raw("grams"), t.raw("serial", "")))
        except InputError as exc:
            raise t.fail(exc.field, f"{exc.value!r}: expected {exc.allowed}") from None
    return tuple(out)


def _premedications(rx: Table) -> tuple[Premedication, ...]:
    out = []
    for t in _listed(rx, "premedication", PREMED_KEYS):
        before = t.num("before_start_min", lo=0, hi=24 * 60)
        try:
            out.append(premedication(t.raw("drug"), t.raw("dose"), t.raw("unit"), t.raw("route"), -before))
        except InputError as exc:
            raise t.fail(exc.field, f"{exc.value!r}: expected {exc.allowed}") from None
    return tuple(out)


def _staff(t: Table | None) -> tuple[Nurse | None, str]:
    if t is None:
        return None, ""
    t.only(STAFF_KEYS)
    try:
        n = nurse(t.str("nurse"), t.str("initials"))
        second = second_name(t.str("second_nurse")) if t.has("second_nurse") else ""
    except InputError as exc:
        raise t.fail(exc.field.split()[-1], f"{exc.value!r}: expected {exc.allowed}") from None
    return n, second


def record_prelude(sc: Scenario, s: Session, today: date | None, who: str) -> str:
    """What happens before the start: the nurse signs in, premedication is given, the vials are
    checked (against `today`, when given) and hung. Returns who acts from now on: 'nurse' (the
    signed-in nurse's name, stamped by the session) when the scenario names its staff."""
    from ..bedside import add_vial, give_premedication, sign_in
    from ..products import load_library

    if sc.staff is not None:
        sign_in(s, 0.0, sc.staff.name, sc.staff.initials)
        who = "nurse"
    for p in sc.premedications:
        give_premedication(s, 0.0, p.drug, p.dose, p.unit, p.route, p.given_min, who=who)
    for v in sc.vials:
        add_vial(s, 0.0, v, today or v.expiry, load_library(), who=who)
    return who


def start_second(sc: Scenario, s: Session) -> str:
    """The second nurse for the start: the scenario's, or a simulated one where the unit asks for it."""
    return sc.second_nurse or ("second nurse (simulated)" if s.bedside.double_check.start else "")


def _check_plan(sc: Scenario) -> None:
    """The prescription must make a plan; its errors name the scenario's keys, not options."""
    try:
        build_plan(sc.request)
        get_policy(sc.policy)
    except (InputError, NeedsInput) as exc:
        key = OPTION_KEYS.get(exc.field, exc.field)
        why = f"{exc.value!r} is not allowed; expected {exc.allowed}" if isinstance(exc, InputError) else \
            f"is required: {exc.why}"
        for option, k in OPTION_KEYS.items():  # the advice names options too (whole options, not words)
            if option.startswith("--"):
                why = re.sub(re.escape(option) + r"(?![\w-])", k.split(".")[-1], why)
        raise DataError(sc.path, key, why) from None


def run_protocol(sc: Scenario, today: date | None = None) -> Session:
    """Run a scenario with every proposed action confirmed at once (no nurse delay). Its vials are
    checked against `today` (None: each vial's own expiry day, i.e. not refused as expired)."""
    s = Session(build_plan(sc.request), get_policy(sc.policy), load_catalogue())
    for _ in protocol_steps(sc, s, today):
        pass
    return s


def protocol_steps(sc: Scenario, s: Session, today: date | None = None):
    """The protocol run as a generator: yields each next session time (minutes) before acting
    at it, so a caller can wait for it (the journaled simulation at N times real time)."""
    who = record_prelude(sc, s, today, "sim")
    if sc.baseline is not None:
        s.record_vitals(0.0, sc.baseline, who=who)
    s.start(0.0, who=who, second=start_second(sc, s))
    pending = list(sc.events)
    t = 0.0
    for _ in range(MAX_STEPS):
        confirm_end_if_due(s, t, who)
        while pending and pending[0].at_min <= t + 1e-9:
            apply_event(s, pending.pop(0), who)
        p = s.due(t)
        while p is not None and s.status in ("running", "paused"):
            s.confirm(t, p, who=who)
            p = s.due(t)
        if s.status in ("stopped", "completed"):
            for ev in pending:  # events after the end (a late headache) are still recorded
                yield max(ev.at_min, t)
                apply_event(s, ev, who)
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


def apply_event(s: Session, ev: ScenarioEvent, who: str = "sim") -> None:
    at = max(ev.at_min, s.events[-1].at_min)
    if ev.note:
        s.note(at, ev.note, who=who)
    if ev.symptoms:
        s.report_symptoms(at, list(ev.symptoms), ev.vitals, who=who)
    elif ev.vitals is not None:
        s.record_vitals(at, ev.vitals, who=who)
    if ev.resolved and s.state.reaction is not None:
        s.resolved(at, who=who)


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
