"""After the infusion has ended (the observation hour): a severe reaction still gets its emergency
steps, and the patient is told what to look out for.

The core grades what is reported after the end as during it and proposes the kind's emergency
steps (or an urgent medical review); the chair shows them with AFTER_END_NOTE. `severe_after_end`
reads the latest severe report after the end (for summaries); no arithmetic here.
"""
from __future__ import annotations

from titration.reactions import Vitals

AFTER_END_NOTE = ("Reported after the end of the infusion (observation): the pump is already off. "
                  "These are the emergency steps for this kind of reaction.")


def _ended_here(e) -> bool:
    return e.kind in ("stop", "complete") or (e.kind == "action" and e.data.get("action") == "stop")


def severe_after_end(session):
    """(event index, Grading) of the latest symptoms or vitals reported after the end that the core
    grades severe, or None. Only the events after the end are read."""
    s, cat = session, session.catalogue
    if s.status not in ("completed", "stopped", "closed"):
        return None
    for i in range(len(s.events) - 1, -1, -1):
        e = s.events[i]
        if _ended_here(e):
            return None
        if e.kind not in ("symptoms", "vitals"):
            continue
        v = Vitals.from_dict(e.data["vitals"]) if "vitals" in e.data else None
        g = cat.grade(e.data.get("symptoms", ()), v, s.state.baseline, s.age_years)
        if g.grade == "severe":
            return i, g
    return None


def look_out_lines(session) -> list[str]:
    """What to tell the patient to look out for after they leave (the core's words, with sources)."""
    return list(session.look_out_for())
