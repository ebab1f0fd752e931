"""The unit board's view of one chair, worked out where the infusion is driven (pure core).

The workstation that drives an infusion sends this summary with its events; the server keeps
the latest per infusion, and boards show it as it is (they do no clinical arithmetic). Times are
session minutes and, where the session's start is known, wall-clock seconds.
"""
from __future__ import annotations

from ..session import Session
from .base import _set_aside


def chair_summary(s: Session, *, wall_start: float | None = None, speed: float = 1.0) -> dict:
    st = s.state
    last = s.events[-1].at_min
    plan = s.original_plan
    state = "set-aside" if _set_aside(s) else s.status
    due_what, due_at = "", None
    if st.pending is not None:
        due_what, due_at = st.pending.reason, last
    else:
        nxt = s.next_due_at()
        if nxt is not None:
            p = s.due(nxt)
            due_what, due_at = (p.reason if p is not None else "rate step or review"), nxt
    vit = s.vitals_due(last) if state not in ("closed", "set-aside") else None
    if vit is not None and (due_at is None or vit[0] < due_at):
        due_what, due_at = f"observations: {vit[1]}", vit[0]
    alerts = []
    if st.reaction is not None:
        alerts.append(f"{st.reaction.grade} reaction at {st.reaction.at_min:.0f} min")
    if st.pending is not None:
        alerts.append("an action waits for confirmation")
    if state == "paused":
        alerts.append("paused")
    if state == "stopped":
        alerts.append("stopped")

    def wall(at):
        return None if at is None or wall_start is None else wall_start + at * 60.0 / (speed or 1.0)

    return {
        "state": state, "product": plan.request.product, "product_name": plan.product_name,
        "rate_ml_h": st.rate_ml_h, "step": st.rung + 1 if state != "planned" else 0, "steps": len(s.rungs),
        "delivered_ml": round(s.delivered_ml(last), 1), "volume_ml": round(s.volume_ml, 1),
        "at_min": last, "next_due": due_what, "next_due_min": due_at, "next_due_wall": wall(due_at),
        "alerts": alerts, "highest_grade": st.highest_grade, "training": s.training,
        "events": len(s.events),  # how many events this summary reflects (verify compares like with like)
    }
