"""Replanning: after every change of rate or state, the rest of the infusion is planned again.

A mixin of Session. A Plan is a value: each replan appends a new one; the first stays as planned.
"""
from __future__ import annotations

from dataclasses import replace


class Replanning:
    def _replan(self, at: float) -> None:
        """A new Plan from the current state (the old ones stay for the chart)."""
        s, p0 = self.state, self.original_plan
        delivered = s.delivered_at_rate
        r = s.reaction
        if s.status in ("stopped", "completed", "closed"):
            new = replace(p0, steps=(), delivered_at_start_ml=delivered, replanned_at_min=at)
        elif s.status == "paused":
            resume_at = r.review_at if r is not None and r.action == "pause" else at
            rung = r.resume_rung if r is not None else s.rung
            ceiling = self.rungs[rung].rate_ml_h if r is not None and r.after_resolved == "hold" else s.ceiling_ml_h
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
            new = p0.replan(at, delivered, s.rung, first_minutes=first)
        self.plans.append(new)
