"""Which ended infusions come back to a chair after a restart: their observation is not closed.

A real infusion that ended (completed or stopped) but whose observation was not closed is
reopened if its observation hour ends later than now or ended today: the end vitals and the
close are still to do. Older ones stay in the journal, where the record shows them unclosed.
Training runs are never reopened this way.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from ..session import Session

OBSERVING = ("completed", "stopped")  # ended, the observation hour not closed yet


@dataclass(frozen=True)
class ToReopen:
    session_id: int
    chair: str
    patient_id: str
    wall_start: float  # wall-clock seconds at session minute 0
    session: Session | None  # None when the record could not be read (see `error`)
    ends_wall: float = 0.0  # when the observation hour ends, wall-clock seconds
    error: str = ""


def observations_to_reopen(journal, now_wall: float, skip_ids=()) -> list[ToReopen]:
    """The journal's ended-but-not-closed real infusions that a chair should show again now."""
    today = time.localtime(now_wall)[:3]
    out = []
    elsewhere = journal.not_driven_here() if hasattr(journal, "not_driven_here") else set()
    for d in journal.sessions(training=False):
        if d["status"] not in OBSERVING or d["id"] in skip_ids or d["id"] in elsewhere:
            continue
        base = dict(session_id=d["id"], chair=d["chair"], patient_id=d["patient_id"] or "",
                    wall_start=d["wall_start"])
        try:
            session = journal.session(d["id"])
        except Exception as exc:  # noqa: BLE001 - one unreadable record must not hide the others
            out.append(ToReopen(session=None, error=str(exc), **base))
            continue
        obs_end = session.observation_ends_at()
        if session.status not in OBSERVING or obs_end is None:
            continue
        ends_wall = d["wall_start"] + obs_end * 60.0
        if ends_wall < now_wall and time.localtime(ends_wall)[:3] != today:
            continue
        out.append(ToReopen(session=session, ends_wall=ends_wall, **base))
    return out
