"""The infusion record: what a unit files for one IVIg infusion, worked out once from the journaled
session and drawn the same way by every format (PDF, CSV, FHIR).

It holds the prescription and plan (product, dose, protocol, policy, the product library's
version), who was signed in and who checked the pump, each vial with its lot and expiry, the
premedication, the pump's history, the vital signs with each round due (on time, late or missed),
every reaction (during or after the infusion) with its grade, kind and the action taken, the
observation's real close, and every event in words. A de-identified record (for teaching) is built
from the de-identified session (deidentify.py): pseudonyms for people and lots, no serial or
expiry, no identifier, free text or clock time.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..products import INDICATIONS
from ..session import Session
from ..timefmt import day_offset, span_hm, wall_time
from .deidentify import deidentified_session
from .event_words import describe
from .observations import Round, rounds, summary

NOT_RECORDED = "not recorded"


@dataclass(frozen=True)
class RecordSource:
    """An infusion and what its journal row says about it (the window knows the same)."""

    session: Session
    patient_id: str | None = None
    patient_name: str | None = None
    chair: str = ""
    wall_start: float | None = None
    session_id: int | None = None
    uid: str | None = None
    now_min: float | None = None  # a running infusion: up to when


@dataclass(frozen=True)
class VialRow:
    number: int
    gtin: str
    lot: str
    expiry: str  # YYYY-MM-DD, or "" when de-identified
    grams: float
    serial: str
    entry: str
    finding: str
    product: str | None
    removed: str
    at_min: float
    who: str


@dataclass(frozen=True)
class PremedRow:
    drug: str
    dose: float
    unit: str
    route: str
    given_min: float
    at_min: float
    who: str
    atc: str


@dataclass(frozen=True)
class ReactionRow:
    at_min: float
    symptoms: tuple[str, ...]  # labels
    grade: str
    kind: str  # the kind's id
    kind_label: str
    after_end: bool
    action: str
    action_at: float | None
    resolved_at: float | None
    who: str


@dataclass(frozen=True)
class VitalsRow:
    at_min: float
    values: dict
    grade: str  # or "with symptoms"
    who: str


@dataclass
class InfusionRecord:
    session: Session
    deidentified: bool
    training: bool
    patient_id: str | None
    patient_name: str | None
    chair: str
    wall_start: float | None
    uid: str | None
    product_id: str
    product_name: str
    indication: str
    protocol: str
    policy: str
    library: str
    outcome: str
    started_min: float | None
    end_min: float | None
    now_min: float
    delivered_ml: float
    delivered_g: float
    observation_closed_min: float | None
    observation_early: str
    nurses: list = field(default_factory=list)  # (name, initials, at_min)
    second_checks: list = field(default_factory=list)  # (what, at_min, name)
    vials: list[VialRow] = field(default_factory=list)
    lots: list = field(default_factory=list)  # (gtin, lot, expiry, vials, grams)
    dose_check: str = ""
    premedications: list[PremedRow] = field(default_factory=list)
    reactions: list[ReactionRow] = field(default_factory=list)
    vitals: list[VitalsRow] = field(default_factory=list)
    rounds: list[Round] = field(default_factory=list)
    events: list = field(default_factory=list)  # (at_min, who, kind, words, data)

    def when(self, at_min: float) -> str:
        """A time as this record gives it: elapsed only when de-identified; else clock time (+h:mm)."""
        if self.deidentified:
            return day_offset(at_min) if at_min >= 0 else f"{span_hm(-at_min)} before the start"
        offset = f"+{span_hm(at_min)}" if at_min >= 0 else f"{span_hm(-at_min)} before the start"
        if self.wall_start is None:
            return offset.lstrip("+")
        return wall_time(self.wall_start + at_min * 60.0) + f" ({offset})"

    def facts(self) -> list[str]:
        """The summary lines every format carries."""
        p0 = self.session.original_plan
        lines = [f"Product: {self.product_name}, {p0.concentration_mg_per_ml:g} mg/mL; indication: "
                 f"{INDICATIONS.get(self.indication, self.indication)}",
                 f"Dose: {p0.dose.dose_g:g} g = {p0.volume_ml:.1f} mL ({p0.request.dose_g_per_kg:g} g/kg, "
                 f"dosing weight {p0.dosing.kg:g} kg)",
                 f"Protocol: {self.protocol}; reaction policy: {self.policy}",
                 f"Product library: {self.library}",
                 f"Outcome: {self.outcome}",
                 f"Delivered: {self.delivered_ml:.1f} mL of {p0.volume_ml:.1f} mL ({self.delivered_g:.1f} g "
                 f"of {p0.dose.dose_g:g} g)",
                 self._observation(),
                 f"Vials: {self.dose_check}" if self.vials else "Vials: none recorded",
                 summary(self.rounds)]
        if self.training:
            lines.insert(0, "TRAINING SIMULATION — not a patient record")
        return lines


    def _observation(self) -> str:
        if self.observation_closed_min is not None:
            early = f" EARLY: {self.observation_early}" if self.observation_early else ""
            return f"Observation closed: {self.when(self.observation_closed_min)}{early}"
        if self.end_min is None:
            return "Observation: after the infusion (not started)"
        due = self.end_min + 60.0
        state = "NOT CLOSED" if self.now_min >= due else "in progress"
        return f"Observation: {state} (the hour ends {self.when(due)})"


def library_text(planned: dict) -> str:
    """The drug library's version from the 'planned' event ("version 2 (sha256:1a2b3c4d5e6f)")."""
    lib = planned.get("library")
    if not isinstance(lib, dict) or not lib.get("version"):
        return NOT_RECORDED
    text = f"version {lib['version']}"
    if lib.get("hash"):
        text += f" ({str(lib['hash'])[:19]})"
    if lib.get("edited_since_version"):
        text += ", EDITED since that version"
    return text


def _protocol(plan) -> str:
    if plan.protocol_kind == "local":
        return f"{plan.protocol_name} [{plan.protocol_id}], a LOCAL protocol (not from the label)"
    return f"{plan.protocol_name} (from the label)" if plan.protocol_kind == "label" else \
        f"{plan.protocol_name} [{plan.protocol_id}]"


def _outcome(s) -> tuple[str, float | None, str]:
    st = s.state
    stopped = any(e.kind == "stop" or (e.kind == "action" and e.data.get("action") == "stop") for e in s.events)
    closed = next((e for e in s.events if e.kind == "observed"), None)
    words = {"completed": "completed", "closed": "STOPPED" if stopped else "completed", "stopped": "STOPPED",
             "running": "still running", "paused": "paused", "planned": "not started"}.get(st.status, st.status)
    if st.end_min is not None:
        words += f" at +{span_hm(st.end_min)} ({st.end_min:.0f} min)"
    return words, (closed.at_min if closed else None), (closed.data.get("early", "") if closed else "")


def _vials(s, deidentified: bool) -> list[VialRow]:
    return [VialRow(i + 1, h.vial.gtin, h.vial.lot, "" if deidentified else h.vial.expiry.isoformat(), h.vial.grams,
                    "" if deidentified else h.vial.serial, h.vial.entry, h.finding, h.product, h.removed, h.at_min,
                    h.who) for i, h in enumerate(s.bedside.vials)]


def _premeds(s) -> list[PremedRow]:
    from ..unit_settings import load_unit_settings

    atc = {o.drug.lower(): o.atc for o in load_unit_settings().premedications}
    return [PremedRow(p.drug, p.dose, p.unit, p.route, p.given_min, at, who, atc.get(p.drug.lower(), ""))
            for p, at, who in s.bedside.premedications]


def _reactions(s) -> list[ReactionRow]:
    cat, ev = s.catalogue, s.events
    end = s.state.end_min
    out = []
    for i, e in enumerate(ev):
        if e.kind != "symptoms":
            continue
        from ..vitals import Vitals

        vit = Vitals.from_dict(e.data["vitals"]) if "vitals" in e.data else None
        g = cat.grade(e.data.get("symptoms", []), vit, s.state.baseline, s.age_years)
        grade, kind, action, action_at, resolved = g.grade, g.kind, "", None, None
        after_end = end is not None and e.at_min >= end - 1e-9
        for f in ev[i + 1:]:
            if f.kind == "symptoms":
                break
            if f.kind == "action" and action_at is None and f.data.get("grade", "none") != "none":
                grade, kind = f.data.get("grade", grade), f.data.get("reaction_kind", kind)
                action, action_at = _action_words(f.data), f.at_min
            elif f.kind in ("stop", "pause") and action_at is None:
                action, action_at = describe(f, cat), f.at_min
            elif f.kind == "premedication" and after_end:
                action = (action + "; " if action else "") + describe(f, cat) + f" at +{span_hm(f.at_min)}"
            elif f.kind == "resolved" and resolved is None:
                resolved = f.at_min
        if not action:
            action = "no pump action: the infusion had ended" if after_end else \
                "none recorded" if grade != "none" else "none needed (no grade)"
        labels = tuple(cat.symptoms[x].label if x in cat.symptoms else x for x in e.data.get("symptoms", []))
        out.append(ReactionRow(e.at_min, labels, grade, kind, cat.kind(kind).label, after_end, action, action_at,
                               resolved, e.who))
    return out


def _action_words(d: dict) -> str:
    """What was done about a reaction, short: 'slowed to 15 mL/h' (an override says so, with its reason)."""
    a, rate = d.get("action", ""), d.get("rate_ml_h", 0)
    words = {"slow": f"slowed to {rate:g} mL/h", "pause": "paused (0 mL/h)", "stop": "STOPPED",
             "resume": f"resumed at {rate:g} mL/h", "increase": f"increased to {rate:g} mL/h"}.get(a, a)
    if d.get("override"):
        return f"OVERRIDE: {words} instead of {d.get('proposed', '?')} (reason: {d['override']})"
    return f"{words} ({d.get('rule', 'policy')})"


def build_record(src: RecordSource, deidentified: bool = False) -> InfusionRecord:
    s = deidentified_session(src.session) if deidentified else src.session
    p0 = s.original_plan
    st = s.state
    now = src.now_min if src.now_min is not None else (s.events[-1].at_min if s.events else 0.0)
    outcome, closed_at, early = _outcome(s)
    delivered = s.delivered_ml(st.end_min if st.end_min is not None else now)
    r = InfusionRecord(
        session=s, deidentified=deidentified, training=bool(s.training),
        patient_id=None if deidentified else src.patient_id, patient_name=None if deidentified else src.patient_name,
        chair=src.chair, wall_start=None if deidentified else src.wall_start, uid=None if deidentified else src.uid,
        product_id=p0.request.product, product_name=p0.product_name, indication=p0.request.indication,
        protocol=_protocol(p0), policy=s.policy.id, library=library_text(s.events[0].data if s.events else {}),
        outcome=outcome, started_min=st.started_at, end_min=st.end_min, now_min=now, delivered_ml=delivered,
        delivered_g=p0.grams(delivered), observation_closed_min=closed_at, observation_early=early)
    b = s.bedside
    r.nurses = [(n.name, n.initials, at) for n, at, _ in b.signins]
    r.second_checks = [("pump setting at the start" if e.kind == "start" else "override", e.at_min, e.data["second"])
                       for e in s.events if e.data.get("second") and e.kind in ("start", "action")]
    r.vials = _vials(s, deidentified)
    r.lots = [(g, lot, "" if deidentified else exp.isoformat(), n, grams) for g, lot, exp, n, grams in b.lots()]
    from ..vials import dose_words

    r.dose_check = dose_words(b.grams(), p0.dose.dose_g)
    r.premedications = _premeds(s)
    r.reactions = _reactions(s)
    r.vitals = [VitalsRow(e.at_min, dict(e.data.get("vitals", {})), e.data.get("grade", "with symptoms"), e.who)
                for e in s.events if e.kind == "vitals" or (e.kind == "symptoms" and "vitals" in e.data)]
    r.rounds = rounds(s, now if closed_at is None else None)
    r.events = [(e.at_min, e.who, e.kind, describe(e, s.catalogue), e.data) for e in s.events]
    return r
