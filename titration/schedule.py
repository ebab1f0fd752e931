"""What is due in a session, and when: the next step, a reaction's review, the observations.

One job, reading only: it asks where the infusion is (`Progress`) and which plan is in force
(`Replanner`), and never changes either. `next_step` says when the next rate increase falls due
or, when there is none, why not, in the nurse's words (never "maximum rate reached" at step 1).
"""
from __future__ import annotations

from dataclasses import dataclass

from .policy import Policy
from .progress import Progress
from .reactions import Catalogue
from .replanning import Replanner
from .session_events import EPS, OBSERVATION_MIN, Proposal, Reaction


@dataclass(frozen=True)
class NextStep:
    """The next rate increase: when (session minutes) and to what, or why there is none."""

    at_min: float | None
    rate_ml_h: float | None = None
    step: int | None = None  # the step's number as the nurse counts (1 is the first)
    why_none: str = ""  # when at_min is None: why there is no next step, in words


class Schedule:
    def __init__(self, progress: Progress, plans: Replanner, policy: Policy, catalogue: Catalogue) -> None:
        self.progress = progress
        self.plans = plans
        self.policy = policy
        self.catalogue = catalogue

    def expected_end(self, t: float) -> float | None:
        s = self.progress.state
        if s.end_min is not None:
            return s.end_min
        end = self.plans.plan.end_min
        if s.status == "paused" and s.resume_assumed_at is not None and t > s.resume_assumed_at:
            end += t - s.resume_assumed_at
        return end

    def max_reached(self) -> bool:
        s = self.progress.state
        if s.ceiling_ml_h is not None or s.rung >= len(self.plans.rungs) - 1:
            return True
        return s.cap_ml_h is not None and s.rate_ml_h >= s.cap_ml_h - EPS

    def _next_rate(self) -> float:
        """The rate of the next step up: the ladder's, no higher than a prescriber's maximum."""
        s = self.progress.state
        rate = self.plans.rungs[s.rung + 1].rate_ml_h
        return rate if s.cap_ml_h is None else min(rate, s.cap_ml_h)

    def next_step_at(self) -> float | None:
        """When the next rate increase falls due (ignoring reactions), or None: None too when the
        prescribed volume is in before then (no step past the end of the infusion)."""
        s = self.progress.state
        if s.status != "running" or s.reaction or self.max_reached():
            return None
        due = s.rung_started + (self.plans.rungs[s.rung].minutes or 0.0)
        due = max(due, s.held_until or due)
        ep = s.episode
        if ep is not None and ep.is_open(due):
            closes = ep.closes_at()  # no step while a reaction episode is open
            if closes is None:
                return None
            due = max(due, closes)
        done = self.progress.completion_at()
        return None if done is not None and due >= done - EPS else due

    def next_step(self, t: float) -> NextStep:
        """The next step with its rate, or why there is none now (for every screen that shows it)."""
        s = self.progress.state
        if self.progress.volume_in(t):
            return NextStep(None, why_none="none: the bag is empty (confirm the end)")
        at = self.next_step_at()
        if at is not None:
            return NextStep(at, self._next_rate(), s.rung + 2)
        if s.status == "planned":
            return NextStep(None, why_none="after the start")
        if s.status in ("stopped", "completed", "closed"):
            return NextStep(None, why_none="none: the infusion has ended")
        if s.status == "paused":
            return NextStep(None, why_none="none while paused: the plan goes on after the resume")
        if s.reaction is not None:
            return NextStep(None, why_none="on hold: a reaction is being handled")
        if s.ceiling_ml_h is not None:
            return NextStep(None, why_none=f"none: stays at {s.ceiling_ml_h:g} mL/h to the end (after a reaction)")
        ep = s.episode
        if ep is not None and ep.is_open(t):
            return NextStep(None, why_none="on hold until the reaction is resolved and reviewed")
        if s.cap_ml_h is not None and s.rate_ml_h >= s.cap_ml_h - EPS:
            return NextStep(None, why_none=f"none: at the prescriber's maximum of {s.cap_ml_h:g} mL/h")
        if s.rung < len(self.plans.rungs) - 1:
            return NextStep(None, why_none="none before the end: the bag will be empty first")
        return NextStep(None, why_none="none: the plan's highest rate is reached")

    def completion_due(self) -> Proposal:
        """Once the prescribed volume is in: the nurse confirms the pump has finished."""
        done = self.progress.completion_at()
        return Proposal("complete", 0.0, -1,
                        "The bag should be empty: confirm the pump has finished "
                        "(and the line is flushed, where the unit does that)",
                        rule=f"prescribed volume {self.progress.volume_ml:g} mL in at {done:.0f} min")

    def due(self, t: float) -> Proposal | None:
        """The action to take now, if any."""
        s = self.progress.state
        if s.status == "planned":
            return None
        if s.pending is not None and (s.pending.action in ("stop", "review", "emergency")
                                      or not self.progress.volume_in(t)):
            return s.pending  # a stop or advice stays first: it matters after the bag is empty and the end too
        if s.status in ("stopped", "completed", "closed"):
            return None
        if self.progress.volume_in(t):
            return self.completion_due()
        r = s.reaction
        if r is not None and r.acted_at is not None:
            return self._review(r, t)
        nxt = self.next_step_at()
        if nxt is not None and t >= nxt - EPS:
            g = self.plans.rungs[s.rung + 1]
            rate = self._next_rate()
            capped = rate < g.rate_ml_h - EPS
            mg = self.plans.original.mg_kg_min(rate) if capped else g.rate_mg_kg_min
            note = " (the prescriber's maximum)" if capped else ""
            return Proposal("increase", rate, s.rung + 1,
                            f"Step {s.rung + 2}: increase to {rate:g} mL/h{note} ({mg:.2f} mg/kg/min) if tolerated",
                            rule=f"protocol {self.plans.original.protocol_id}")
        return None

    def next_due_at(self) -> float | None:
        """The next time at which `due` may change by itself (a step or a review)."""
        s = self.progress.state
        if s.status in ("stopped", "completed", "closed", "planned"):
            return None
        done = self.progress.completion_at()  # the volume in: confirming the end falls due
        if s.pending is not None:
            return done
        r = s.reaction
        if r is not None and r.acted_at is not None:
            nxt = r.resolved_at if r.action == "pause" and r.resolved_at is not None else r.review_at
        else:
            nxt = self.next_step_at()
        return min((x for x in (nxt, done) if x is not None), default=None)

    def vitals_due(self, t: float) -> tuple[float, str] | None:
        """(when, why) the next observations are due (clinical reference, section 2.4)."""
        s = self.progress.state
        last = s.last_vitals_at
        if s.status == "planned":
            return (t, "baseline, before the start") if s.baseline is None else None
        if s.status in ("completed", "stopped"):
            end = s.end_min if s.end_min is not None else t
            if last is None or last < end - EPS:
                return end, "at the end of the infusion"
            return end + OBSERVATION_MIN, f"after the {OBSERVATION_MIN:g}-minute observation"
        if s.status == "closed":
            return None
        started = s.started_at if s.started_at is not None else t
        if s.last_increase_at is not None and (last is None or last < s.last_increase_at - EPS):
            return s.last_increase_at, "at the rate increase"
        if last is None or last <= started:
            return started + 15.0, "15 min after the start"
        if s.reaction is not None:
            return last + 15.0, "every 15 min during a reaction"
        if not self.max_reached():
            return last + 15.0, "every 15 min until the maximum rate"
        return last + 60.0, "hourly at the maximum rate"

    def observation_ends_at(self) -> float | None:
        s = self.progress.state
        return None if s.end_min is None else s.end_min + OBSERVATION_MIN

    def _review(self, r: Reaction, t: float) -> Proposal | None:
        """After a confirmed reaction action: what the review window says now."""
        s, pol, rungs = self.progress.state, self.policy, self.plans.rungs
        src = f"policy {pol.id}, {r.grade}"
        review_at = r.review_at if r.review_at is not None else t
        if r.action == "slow":
            if t < review_at - EPS:
                return None
            if r.resolved_at is not None:
                if r.after_resolved == "hold":
                    # The policy holds after this grade (a pause the nurse chose to slow instead):
                    # stay at this rate to the end, never escalate. Paused by hand since: the rate before
                    # that pause (never 0 mL/h, which would be no infusion at all).
                    held = s.paused_from_ml_h if s.status == "paused" and s.paused_from_ml_h else s.rate_ml_h
                    return Proposal("resume", held, s.rung,
                                    f"Symptoms resolved: hold {held:g} mL/h and stay there to the end "
                                    f"(no further increase after a {r.grade} reaction)", src, r.grade, kind=r.kind)
                if s.rung + 1 >= len(rungs) or (s.episode is not None and s.episode.is_open(t)):
                    return None
                g = rungs[s.rung + 1]
                return Proposal("increase", g.rate_ml_h, s.rung + 1,
                                f"Symptoms resolved and {pol.review_minutes:g} min at this rate: escalation may resume "
                                f"to {g.rate_ml_h:g} mL/h (confirm with the nurse in charge)", src, r.grade,
                                kind=r.kind)
            if r.unresolved == "moderate":
                return Proposal("pause", 0.0, r.resume_rung,
                                f"Not resolved after {pol.review_minutes:g} min: treat as moderate, pause now", src,
                                "moderate", kind=r.kind)
            return Proposal("stop", 0.0, -1, f"Not resolved after {pol.review_minutes:g} min: STOP", src, r.grade,
                            self.catalogue.emergency_for(r.kind), kind=r.kind)
        if r.action == "pause":
            if r.resolved_at is not None and r.resolved_at <= review_at + EPS:
                g = rungs[r.resume_rung]
                hold = r.after_resolved == "hold"
                return Proposal("resume", g.rate_ml_h, r.resume_rung,
                                f"Resolved: resume at the last tolerated rate, {g.rate_ml_h:g} mL/h"
                                + (" and stay there to the end" if hold else ""), src, r.grade, kind=r.kind)
            if t >= review_at - EPS:
                return Proposal("stop", 0.0, -1,
                                f"Not resolved within {pol.review_minutes:g} min: STOP. Do not restart.",
                                src, r.grade, self.catalogue.emergency_for(r.kind), kind=r.kind)
        return None
