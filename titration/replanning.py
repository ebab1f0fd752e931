"""Replanning: after every change of rate or state, the rest of the infusion is planned again.

One job: the list of plans. A Plan is a value: each replan appends a new one; the first stays as
planned (the chart draws both). It reads where the infusion is (`Progress`) and changes nothing else.
"""
from __future__ import annotations

from dataclasses import replace

from .limits import Rung
from .plan import Plan
from .progress import Progress


class Replanner:
    def __init__(self, first: Plan, progress: Progress) -> None:
        self.plans: list[Plan] = [first]
        self.progress = progress

    @property
    def plan(self) -> Plan:
        """The plan in force: the latest replan."""
        return self.plans[-1]

    @property
    def original(self) -> Plan:
        return self.plans[0]

    @property
    def rungs(self) -> tuple[Rung, ...]:
        return self.original.rungs

    def replan(self, at: float) -> None:
        """A new Plan from the current state (the old ones stay for the chart)."""
        s, p0 = self.progress.state, self.original
        delivered = s.delivered_at_rate
        r = s.reaction
        if s.status in ("stopped", "completed", "closed"):
            new = replace(p0, steps=(), delivered_at_start_ml=delivered, replanned_at_min=at)
        elif s.status == "paused":
            resume_at = r.review_at if r is not None and r.action == "pause" else at
            rung = r.resume_rung if r is not None else s.rung
            ceiling = s.ceiling_ml_h if s.ceiling_ml_h is not None else s.cap_ml_h
            if r is not None and r.after_resolved == "hold":
                ceiling = self.rungs[rung].rate_ml_h
            s.resume_assumed_at = resume_at
            new = p0.replan(at, delivered, rung, pause_until=resume_at, ceiling_ml_h=ceiling)
        elif s.ceiling_ml_h is not None:
            new = p0.replan(at, delivered, s.rung, ceiling_ml_h=s.ceiling_ml_h)
        else:
            first = None
            g = self.rungs[s.rung]
            if g.minutes is not None:
                first = max(s.rung_started + g.minutes, s.held_until or 0.0) - at
                if r is not None and r.review_at is not None:
                    first = max(first, r.review_at - at)
            new = p0.replan(at, delivered, s.rung, first_minutes=first, ceiling_ml_h=s.cap_ml_h)
        self.plans.append(new)
