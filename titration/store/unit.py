"""The unit board's view of one chair (pure core): the chair's snapshot (titration/snapshot.py,
the same function the chair screen and the chair list use) as of its last event, in its compact
JSON form under "chair_state", with the board's flat keys beside it. Times are session minutes
and, where the session's start is known, wall-clock seconds.

A board works it out from the events the unit server holds (`board_summary`), replayed here: it
never shows what a workstation says about its chair, only what its record says. A record that
does not replay is shown as such.
"""
from __future__ import annotations

from ..chair_state import ChairFacts
from ..session import Session
from ..snapshot import chair_state
from .base import _set_aside
from .chain import body_of


def chair_summary(s: Session, *, wall_start: float | None = None, speed: float = 1.0, chair: str = "",
                  patient: str = "") -> dict:
    last = s.events[-1].at_min
    snap = chair_state(s, ChairFacts(chair, patient or "", wall_start, speed or 1.0, s.training), last)
    state = "set-aside" if _set_aside(s) else s.status
    due = snap.next_due if state not in ("closed", "set-aside") else None

    def wall(at):
        return None if at is None or wall_start is None else wall_start + at * 60.0 / (speed or 1.0)

    alerts = [f"{a.priority.upper()}: {a.text}" for a in snap.alerts]
    if snap.episode is not None and snap.episode.open:
        alerts.append(snap.episode.line)
    return {
        "state": state, "product": s.original_plan.request.product, "product_name": s.original_plan.product_name,
        "rate_ml_h": s.state.rate_ml_h, "step": snap.step, "steps": snap.steps,
        "delivered_ml": round(snap.volumes.delivered_ml, 1), "volume_ml": round(s.volume_ml, 1),
        "at_min": last, "next_due": "" if due is None else due.what,
        "next_due_min": None if due is None else due.at_min,
        "next_due_wall": wall(None if due is None else due.at_min),
        "alerts": alerts, "highest_grade": s.state.highest_grade, "training": s.training,
        "events": len(s.events),  # how many events this summary reflects (verify compares like with like)
        "chair_state": snap.to_dict(),
    }


def board_summary(bodies: list, *, wall_start: float | None, speed: float | None) -> dict:
    """A chair's board summary from its events as the server holds them (bytes or text, in order),
    replayed with the reaction policy and catalogue of the library version the infusion was planned
    with when that version is kept here (library/cache.py), as its own workstation replays it."""
    from ..library.cache import replay_rules

    events: list[dict] = []
    for i, raw in enumerate(bodies):
        ev, why = body_of(raw)
        if ev is None:
            return _unreadable(len(bodies), f"event #{i + 1}: {why}")
        events.append(ev)
    try:
        return chair_summary(Session.replay(events, **replay_rules(events)), wall_start=wall_start,
                             speed=speed or 1.0)
    except Exception as exc:  # noqa: BLE001 - any record the core refuses: shown as unreadable, never as sent
        return _unreadable(len(bodies), f"{type(exc).__name__}: {exc}")


def _unreadable(n: int, why: str) -> dict:
    return {"state": "unreadable", "events": n, "alerts": [f"this infusion's record on the unit server does not "
                                                           f"replay ({why[:200]})"]}
