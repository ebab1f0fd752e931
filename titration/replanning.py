"""Replanning: after every change of rate or state, the rest of the infusion is planned again.

One job: the list of plans. A Plan is a value: each replan appends a new one; the first stays as
planned (the chart draws both). It reads where the infusion is (`Progress`) and changes nothing else.

A replay that never reads the plans (the unit's quality report: a year is some 50,000 replans)
can ask for them to be laid out only when read (`when_read`): each replan then keeps what it was
given, taken from the state at that moment, and the Plan is the same one, made later. A session at
the bedside lays each plan out at once, so a plan that cannot be laid out refuses the event.
"""
from __future__ import annotations

from dataclasses import replace
from functools import partial

from .limits import Rung
from .plan import Plan
from .progress import Progress


class Replanner:
    def __init__(self, first: Plan, progress: Progress) -> None:
        self._plans: list[Plan | partial] = [first]
        self.progress = progress
        self._when_read = False

    def when_read(self) -> None:
        """From now on, lay each new plan out only when it is read."""
        self._when_read = True

    @property
    def plans(self) -> list[Plan]:
        for i, p in enumerate(self._plans):
            if isinstance(p, partial):
                self._plans[i] = p()
        return self._plans  # type: ignore[return-value]

    @property
    def plan(self) -> Plan:
        """The plan in force: the latest replan."""
        p = self._plans[-1]
        if isinstance(p, partial):
            p = self._plans[-1] = p()
        return p

    @property
    def original(self) -> Plan:
        return self._plans[0]  # type: ignore[return-value]

    @property
    def rungs(self) -> tuple[Rung, ...]:
        return self.original.rungs

    def replan(self, at: float) -> None:
        """A new Plan from the current state (the old ones stay for the chart)."""
        s, p0 = self.progress.state, self.original
        delivered = s.delivered_at_rate
        r = s.reaction
        if s.status in ("stopped", "completed", "closed"):
            new = partial(replace, p0, steps=(), delivered_at_start_ml=delivered, replanned_at_min=at)
        elif s.status == "paused":
            resume_at = r.review_at if r is not None and r.action == "pause" else at
            rung = r.resume_rung if r is not None else s.rung
            ceiling = s.ceiling_ml_h if s.ceiling_ml_h is not None else s.cap_ml_h
            if r is not None and r.after_resolved == "hold":
                ceiling = self.rungs[rung].rate_ml_h
            s.resume_assumed_at = resume_at
            new = partial(p0.replan, at, delivered, rung, pause_until=resume_at, ceiling_ml_h=ceiling)
        elif s.ceiling_ml_h is not None:
            new = partial(p0.replan, at, delivered, s.rung, ceiling_ml_h=s.ceiling_ml_h)
        else:
            first = None
            g = self.rungs[s.rung]
            if g.minutes is not None:
                first = max(s.rung_started + g.minutes, s.held_until or 0.0) - at
                if r is not None and r.review_at is not None:
                    first = max(first, r.review_at - at)
            new = partial(p0.replan, at, delivered, s.rung, first_minutes=first, ceiling_ml_h=s.cap_ml_h)
        self._plans.append(new if self._when_read else new())
