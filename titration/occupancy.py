"""One active infusion per patient and per chair: the rule, decided from the open infusions.

The store holds the open infusions (on this workstation or the unit server) and enforces the rule
when it records a new one; this module only decides, so that every store and the new-infusion form
give the same answer in the same words as titration/store/active.py: "Patient P123: already running
on Bay C chair 5 (workstation A, since 06:40)". Training runs are apart: they never block a real
infusion, nor one another.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .chair_names import same_name
from .timefmt import wall_time


@dataclass(frozen=True)
class OpenInfusion:
    """An infusion not yet ended (planned, running or paused) as a store lists it."""

    chair: str
    patient_id: str
    workstation: str = ""
    since_wall: float | None = None  # when it was started (or planned)
    training: bool = False


def conflicts(chair: str, patient_id: str, open_infusions: Iterable[OpenInfusion], *,
              training: bool = False) -> list[str]:
    """Why a new infusion for this patient on this chair may not be recorded (empty: it may)."""
    if training:
        return []
    out = []
    for o in open_infusions:
        if o.training:
            continue
        where = _where(o)
        if patient_id.strip() and o.patient_id.strip() and same_name(o.patient_id, patient_id):
            out.append(f"Patient {patient_id.strip()}: already running on {where}; finish or close that infusion "
                       "first")
        elif chair.strip() and same_name(o.chair, chair):
            out.append(f"{chair.strip()}: already has an infusion running ({_details(o)}); choose another chair "
                       "or close that infusion first")
    return out


def _details(o: OpenInfusion) -> str:
    parts = [f"patient {o.patient_id}" if o.patient_id else "no patient identifier"]
    if o.workstation:
        parts.append(f"workstation {o.workstation}")
    if o.since_wall is not None:
        parts.append(f"since {wall_time(o.since_wall)}")
    return ", ".join(parts)


def _where(o: OpenInfusion) -> str:
    bits = [b for b in (f"workstation {o.workstation}" if o.workstation else "",
                        f"since {wall_time(o.since_wall)}" if o.since_wall is not None else "") if b]
    return o.chair + (f" ({', '.join(bits)})" if bits else "")
