"""A patient's earlier infusions, read from the journal: what the next infusion should know.

Only real infusions count (training sessions are kept apart), and only those that started.
For the next infusion it offers (design section 4, clinical-reference 2.1):
- a product (brand) switch: a warning, and the flags that make the plan start at the initial
  rate (`product_switch`, and `first_infusion` when this patient has never had this product:
  "first infusions with a given brand belong in hospital", ref 2.1);
- the highest rate tolerated, as a soft cap (`PlanRequest.tolerated_max_mg_kg_min`). A
  reaction resets it: rates tolerated before an infusion with a reaction no longer count, so
  the cap is never above what the patient tolerated on their last infusion that had a reaction;
- the previous reactions, to show.
"""
from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime

from ..errors import TitrationError
from ..reactions import grade_index
from ..session import Session
from ..units import mg_kg_min_from_ml_h
from ..vitals import Vitals
from .base import ServerUnreachable
from .journal import Journal, JournalError

WEEK_S = 7 * 24 * 3600.0


def tolerated_mg_kg_min(session: Session) -> float | None:
    """The session's highest tolerated pump rate in mg/kg/min, or None if none was tolerated.

    mg/kg/min = mL/h x mg/mL / (kg x 60), with the plan's rate weight and concentration.
    Rounded DOWN to 0.0001 (a tolerance absorbs binary noise such as 7.99999999 for 8).
    """
    ml_h = session.state.tolerated_ml_h
    if not ml_h or ml_h <= 0:
        return None
    p = session.original_plan
    v = mg_kg_min_from_ml_h(ml_h, p.rate_weight_kg, p.concentration_mg_per_ml)
    return math.floor(v * 1e4 + 1e-6) / 1e4


def _date(wall: float) -> str:
    return datetime.fromtimestamp(wall).date().isoformat()


@dataclass(frozen=True)
class ReactionRecord:
    session_id: int
    date: str
    product: str
    product_name: str
    at_min: float
    grade: str  # as reported (symptoms and vitals); a recurrence may have been acted on one grade higher
    symptoms: tuple[str, ...]
    action: str  # the confirmed action (slow, pause, stop), or "" (none, or after the end)

    def describe(self) -> str:
        what = ", ".join(self.symptoms) or "abnormal vitals"
        act = f"; {self.action}" if self.action else ""
        return f"{self.grade} reaction ({what}) at {self.at_min:.0f} min on {self.date} with {self.product_name}{act}"


@dataclass(frozen=True)
class Infusion:
    session_id: int
    date: str
    wall_start: float
    product: str
    product_name: str
    status: str
    tolerated_mg_kg_min: float | None
    highest_grade: str
    reactions: tuple[ReactionRecord, ...]


def reactions_in(session: Session, session_id: int = 0, date: str = "") -> list[ReactionRecord]:
    """Every report that graded above 'none' once the infusion had started, with its action."""
    s, out = session, []
    baseline = s.state.baseline
    started = False
    plan = s.original_plan
    evs = s.events
    for i, e in enumerate(evs):
        if e.kind == "start":
            started = True
        if not started or e.kind not in ("symptoms", "vitals"):
            continue
        if e.kind == "symptoms":
            v = Vitals.from_dict(e.data["vitals"]) if "vitals" in e.data else None
            grade = s.catalogue.grade(e.data["symptoms"], v, baseline).grade
            symptoms = tuple(e.data["symptoms"])
        else:
            grade, symptoms = e.data.get("grade", "none"), ()
        if grade_index(grade) == 0:
            continue
        action = ""
        for later in evs[i + 1:]:
            if later.kind in ("action", "stop"):
                action = later.data.get("action", "stop")
                break
            if later.kind in ("symptoms", "complete"):
                break
        out.append(ReactionRecord(session_id, date, plan.request.product, plan.product_name, e.at_min, grade,
                                  symptoms, action))
    return out


@dataclass(frozen=True)
class PatientHistory:
    patient_id: str
    infusions: tuple[Infusion, ...]  # oldest first
    running: tuple = ()  # the patient's active infusions now, anywhere on the unit (store/active.Active)

    @property
    def last(self) -> Infusion:
        return self.infusions[-1]

    @property
    def last_product(self) -> str:
        return self.last.product

    @property
    def last_product_name(self) -> str:
        return self.last.product_name

    @property
    def last_date(self) -> str:
        return self.last.date

    @property
    def last_wall(self) -> float:
        return self.last.wall_start

    @property
    def reactions(self) -> tuple[ReactionRecord, ...]:
        return tuple(r for inf in self.infusions for r in inf.reactions)

    @property
    def tolerated_from(self) -> Infusion | None:
        """The infusion whose tolerated rate is the cap (see the module note on reactions)."""
        best: Infusion | None = None
        for inf in self.infusions:
            if inf.reactions:
                best = inf  # a reaction resets what counts
            elif inf.tolerated_mg_kg_min is not None and (
                    best is None or (best.tolerated_mg_kg_min or 0) < inf.tolerated_mg_kg_min):
                best = inf
        return best if best is not None and best.tolerated_mg_kg_min is not None else None

    @property
    def highest_tolerated_mg_kg_min(self) -> float | None:
        t = self.tolerated_from
        return None if t is None else t.tolerated_mg_kg_min

    def offer(self, for_product: str, now_wall: float | None = None, product_name: str | None = None) -> dict:
        """What the next infusion of `for_product` should carry from this history.

        `request` holds PlanRequest fields to set (record.replace(req, **offer["request"])).
        """
        request: dict = {}
        warnings: list[str] = []
        name = product_name or _product_name(for_product)
        switch = self.last_product != for_product
        if switch:
            request["product_switch"] = True
            warnings.append(f"Product switch: the last infusion ({self.last_date}) was {self.last_product_name}; "
                            f"this one is {name}. Start at the initial rate (ref 2.1).")
        if all(inf.product != for_product for inf in self.infusions):
            request["first_infusion"] = True
        cap = self.highest_tolerated_mg_kg_min
        why = ""
        if cap is not None:
            request["tolerated_max_mg_kg_min"] = cap
            src = self.tolerated_from
            why = (f"{cap:g} mg/kg/min tolerated on {src.date} with {src.product_name} "
                   "(a soft cap: override with a reason)")
        if now_wall is not None:
            request["weeks_since_last"] = math.floor(max(0.0, now_wall - self.last_wall) / WEEK_S * 10) / 10
        from .active import running_now_lines

        warnings[:0] = running_now_lines(list(self.running))
        reactions = [r.describe() for r in self.reactions]
        if reactions:
            warnings.append("Previous reaction" + ("s" if len(reactions) > 1 else "") + ": " + "; ".join(reactions)
                            + ".")
        return {
            "patient_id": self.patient_id,
            "product_switch": switch,
            "last_product": self.last_product,
            "last_product_name": self.last_product_name,
            "last_date": self.last_date,
            "tolerated_max_mg_kg_min": cap,
            "tolerated_why": why,
            "reactions": [asdict(r) for r in self.reactions],
            "warnings": warnings,
            "request": request,
        }


def _product_name(pid: str) -> str:
    try:
        from ..products import load_library

        return load_library()[pid].name
    except Exception:  # noqa: BLE001 - a name is for display only; the id will do
        return pid


class History:
    def __init__(self, journal: Journal):
        self.journal = journal

    def for_patient(self, patient_id: str) -> PatientHistory | None:
        """The patient's real infusions that started, oldest first; None if there are none."""
        pid = (patient_id or "").strip()
        if not pid:
            return None
        with _source(self.journal) as src:
            infusions = _infusions(src, pid)
            running = tuple(src.running_for(pid)) if infusions else ()
        return PatientHistory(pid, tuple(infusions), running) if infusions else None

    def running_now(self, patient_id: str) -> list:
        """Where the patient has an active infusion now (store/active.Active; the unit server's view
        when there is one), for the new-infusion form to say "running now"."""
        pid = (patient_id or "").strip()
        if not pid:
            return []
        with _source(self.journal) as src:
            return src.running_for(pid)


@contextmanager
def _source(journal):
    """Where patient history is read: the unit server when there is one (history follows the
    patient to any chair; a connection of its own, closed after: call it off the GUI thread),
    else this journal. When the server cannot be reached, this workstation's own journal, and
    `journal.history_note` says so."""
    journal.history_note = ""
    if getattr(journal, "outbox", None) is None:
        yield journal
        return
    from .pg_store import PgStore

    try:
        server = PgStore(journal.url, readonly=True)
    except JournalError as exc:
        journal.history_note = f"Patient history from this workstation only: {exc}"
        yield journal.store
        return
    try:
        yield server
    finally:
        server.close()


def _infusions(src, pid: str) -> list[Infusion]:
    infusions = []
    for d in src.sessions(training=False, patient_id=pid):
        try:
            s = Session.replay(src.events(d["id"]))
        except ServerUnreachable:
            raise  # not the record's fault: the caller says the server did not answer
        except (TitrationError, KeyError, TypeError, ValueError):  # a record that does not replay: `journal verify`
            continue
        if s.state.started_at is None:
            continue
        date = _date(d["wall_start"])
        plan = s.original_plan
        infusions.append(Infusion(d["id"], date, d["wall_start"], plan.request.product, plan.product_name,
                                  s.status, tolerated_mg_kg_min(s), s.state.highest_grade,
                                  tuple(reactions_in(s, d["id"], date))))
    return infusions
