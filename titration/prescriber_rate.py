"""A prescriber's new rate: the way out of a plan that holds a low rate for the rest of the day.

After a reaction the policy may hold a rate to the end ("holds 42 mL/h for 16 hours: does not
fit the day"). Only a prescriber changes that. The nurse records the decision as a structured
entry: the prescriber's name, the reason, and a new maximum (the ladder climbs to it, step by
step, from the prescriber's decision on) and, or, a rate to set on the pump now. It is checked
against the hard limits like every other rate (this plan's maximum, the label's initial rate
until the first step has run, no climb while a reaction episode is open), journaled (event
"prescriber_rate"), and the rest of the infusion is planned again from it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .errors import InputError
from .session import Session
from .session_events import Event


@dataclass(frozen=True)
class PrescriberRate:
    prescriber: str
    reason: str
    max_ml_h: float | None = None  # the new highest rate for the rest of the infusion
    rate_ml_h: float | None = None  # a rate to set now (at most the new maximum)

    def checked(self) -> PrescriberRate:
        """The entry, or InputError naming the field in the nurse's words."""
        who = " ".join(self.prescriber.split())
        if not who:
            raise InputError("Prescriber", self.prescriber, "the prescriber's name")
        if not self.reason.strip():
            raise InputError("Reason", self.reason, "the prescriber's reason for the new rate")
        if self.max_ml_h is None and self.rate_ml_h is None:
            raise InputError("New maximum (mL/h)", "", "a new maximum, a rate to set now, or both")
        for label, v in (("New maximum (mL/h)", self.max_ml_h), ("Rate now (mL/h)", self.rate_ml_h)):
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)
                                  or v <= 0):
                raise InputError(label, v, "a rate above 0 mL/h")
        return PrescriberRate(who, self.reason.strip(), self.max_ml_h, self.rate_ml_h)

    def to_data(self) -> dict:
        d: dict = {"prescriber": self.prescriber, "reason": self.reason}
        if self.max_ml_h is not None:
            d["max_ml_h"] = float(self.max_ml_h)
        if self.rate_ml_h is not None:
            d["rate_ml_h"] = float(self.rate_ml_h)
        return d


def record_prescriber_rate(session: Session, at: float, entry: PrescriberRate) -> None:
    """Check and journal the entry; the session refuses a rate above a hard limit (SessionError)."""
    e = entry.checked()
    session.apply(Event(at, "prescriber_rate", "nurse", e.to_data()))


def words(d: dict) -> str:
    """The event in the nurse's words (the event log, the record)."""
    parts = []
    if d.get("max_ml_h") is not None:
        parts.append(f"new maximum {d['max_ml_h']:g} mL/h")
    if d.get("rate_ml_h") is not None:
        parts.append(f"pump set to {d['rate_ml_h']:g} mL/h")
    return (f"Prescriber's new rate ({d.get('prescriber', '')}): " + ", ".join(parts)
            + f" — reason: {d.get('reason', '')}")
