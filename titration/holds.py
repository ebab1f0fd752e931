"""Holds before the start: what keeps an infusion from starting until a prescriber has decided.

A hold is not a contraindication (those block outright, titration/checklist.py): it is a finding
that asks the prescriber first. Baseline vitals that grade mild or worse (a fever included), an
infection today, and the checklist's other stop answers hold the start until the nurse records
"discussed with the prescriber: start" (or "do not start") with the prescriber's name. The
decision is journaled (event "prescriber"); a hold found after it (new baseline vitals) needs a
new decision. Composed into the Session, which folds the events here and asks `open()` before it
records a start.

Events (data keys):
- checklist: answers {question id: answer}, blocks [...], holds [...], warnings [...], notes [...],
  asked_for (the age and sex the questions were chosen by)
- prescriber: prescriber (name), decision (start | do-not-start), holds [the holds decided on], note
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .errors import InputError, SessionError

KINDS = ("checklist", "prescriber")
DECISIONS = {"start": "start", "do-not-start": "do not start"}


@dataclass(frozen=True)
class Decision:
    prescriber: str
    decision: str  # start | do-not-start
    holds: tuple[str, ...]
    at_min: float
    note: str = ""

    def words(self) -> str:
        return (f"Discussed with the prescriber ({self.prescriber}): {DECISIONS[self.decision]}"
                + (f" — {self.note}" if self.note else ""))


@dataclass
class StartHolds:
    holds: list[str] = field(default_factory=list)  # every hold found so far, in order
    decisions: list[Decision] = field(default_factory=list)
    checklist_blocks: list[str] = field(default_factory=list)  # contraindications: no decision starts these

    def add(self, hold: str) -> None:
        if hold not in self.holds:
            self.holds.append(hold)

    def undecided(self) -> list[str]:
        """Holds no prescriber's decision has covered yet."""
        decided = {h for d in self.decisions for h in d.holds}
        return [h for h in self.holds if h not in decided]

    def refused(self) -> Decision | None:
        """The prescriber's "do not start", if that was the last decision."""
        return self.decisions[-1] if self.decisions and self.decisions[-1].decision == "do-not-start" else None

    def open(self) -> list[str]:
        """Why the start is held now (empty: nothing holds it)."""
        out = list(self.checklist_blocks)
        no = self.refused()
        if no is not None:
            out.append(f"the prescriber ({no.prescriber}) decided not to start")
        undecided = self.undecided()
        if undecided:
            out.append("discuss with the prescriber first (" + "; ".join(undecided) + ")")
        return out

    # ------------------------------------------------------------------ folding (the session calls this)
    def fold(self, kind: str, at: float, d: dict) -> None:
        if kind == "checklist":
            for h in d.get("holds", ()):
                self.add(str(h))
            self.checklist_blocks = [str(b) for b in d.get("blocks", ())]
        elif kind == "prescriber":
            decision = d.get("decision")
            if decision not in DECISIONS:
                raise SessionError(f"a prescriber's decision is one of {', '.join(DECISIONS)}")
            who = str(d.get("prescriber", "")).strip()
            if not who:
                raise SessionError("a prescriber's decision needs the prescriber's name")
            self.decisions.append(Decision(who, decision, tuple(str(h) for h in d.get("holds", ())), at,
                                           str(d.get("note", ""))))


def decision_data(prescriber: str, decision: str, holds: list[str], note: str = "") -> dict:
    """The event data of a decision, checked: InputError names the field."""
    who = " ".join(str(prescriber).split())
    if not who:
        raise InputError("Prescriber", prescriber, "the prescriber's name")
    if decision not in DECISIONS:
        raise InputError("Decision", decision, "start or do not start")
    if not holds:
        raise InputError("Decision", decision, "a decision only while something holds the start")
    data: dict = {"prescriber": who, "decision": decision, "holds": list(holds)}
    if note.strip():
        data["note"] = note.strip()
    return data
