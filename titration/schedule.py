"""What is due in a session, and when: the next step, a reaction's review, the observations.

A mixin of Session: it reads the folded state and never changes it.
"""
from __future__ import annotations

from .session_events import EPS, OBSERVATION_MIN, Proposal, Reaction


class Schedule:
    def expected_end(self, t: float) -> float | None:
        s = self.state
        if s.end_min is not None:
            return s.end_min
        end = self.plan.end_min
        if s.status == "paused" and s.resume_assumed_at is not None and t > s.resume_assumed_at:
            end += t - s.resume_assumed_at
        return end

    def max_reached(self) -> bool:
        s = self.state
        return s.ceiling_ml_h is not None or s.rung >= len(self.rungs) - 1

    def next_step_at(self) -> float | None:
        """When the next rate increase falls due (ignoring reactions), or None: None too when the
        prescribed volume is in before then (no step past the end of the infusion)."""
        s = self.state
        if s.status != "running" or s.reaction or s.ceiling_ml_h is not None or s.rung >= len(self.rungs) - 1:
            return None
        due = s.rung_started + (self.rungs[s.rung].minutes or 0.0)
        due = max(due, s.held_until or due)
        ep = s.episode
        if ep is not None and ep.is_open(due):
            closes = ep.closes_at()  # no step while a reaction episode is open
            if closes is None:
                return None
            due = max(due, closes)
        done = self.completion_at()
        return None if done is not None and due >= done - EPS else due

    def completion_due(self) -> Proposal:
        """Once the prescribed volume is in: the nurse confirms the pump has finished."""
        done = self.completion_at()
        return Proposal("complete", 0.0, -1,
                        "The bag should be empty: confirm the pump has finished "
                        "(and the line is flushed, where the unit does that)",
                        rule=f"prescribed volume {self.volume_ml:g} mL in at {done:.0f} min")

    def due(self, t: float) -> Proposal | None:
        """The action to take now, if any."""
        s = self.state
        if s.status == "planned":
            return None
        if s.pending is not None and (s.pending.action in ("stop", "review", "emergency") or not self.volume_in(t)):
            return s.pending  # a stop or advice stays first: it matters after the bag is empty and the end too
        if s.status in ("stopped", "completed", "closed"):
            return None
        if self.volume_in(t):
            return self.completion_due()
        r = s.reaction
        if r is not None and r.acted_at is not None:
            return self._review(r, t)
        nxt = self.next_step_at()
        if nxt is not None and t >= nxt - EPS:
            g = self.rungs[s.rung + 1]
            return Proposal("increase", g.rate_ml_h, s.rung + 1,
                            f"Step {s.rung + 2}: increase to {g.rate_ml_h:g} mL/h "
                            f"({g.rate_mg_kg_min:.2f} mg/kg/min) if tolerated",
                            rule=f"protocol {self.original_plan.protocol_id}")
        return None

    def next_due_at(self) -> float | None:
        """The next time at which `due` may change by itself (a step or a review)."""
        s = self.state
        if s.status in ("stopped", "completed", "closed", "planned"):
            return None
        done = self.completion_at()  # the volume in: confirming the end falls due
        if s.pending is not None:
            return done
        r = s.reaction
        if r is not None and r.acted_at is not None:
            nxt = r.resolved_at if r.action == "pause" and r.resolved_at is not None else r.review_at
        else:
            nxt = self.next_step_at()
        return min((x for x in (nxt, done) if x is not None), default=None)

    def vitals_due(self, t: float) -> tuple[float, str] | None:
        """(when, why) the next observations are due (clinical-reference 2.4)."""
        s = self.state
        last = s.last_vitals_at
        if s.status == "planned":
            return (t, "baseline, before the start") if s.baseline is None else None
        if s.status in ("completed", "stopped"):
            if last is None or last < s.end_min - EPS:
                return s.end_min, "at the end of the infusion"
            return s.end_min + OBSERVATION_MIN, f"after the {OBSERVATION_MIN:g}-minute observation"
        if s.status == "closed":
            return None
        if s.last_increase_at is not None and (last is None or last < s.last_increase_at - EPS):
            return s.last_increase_at, "at the rate increase"
        if last is None or last <= s.started_at:
            return s.started_at + 15.0, "15 min after the start"
        if s.reaction is not None:
            return last + 15.0, "every 15 min during a reaction"
        if not self.max_reached():
            return last + 15.0, "every 15 min until the maximum rate"
        return last + 60.0, "hourly at the maximum rate"

    def observation_ends_at(self) -> float | None:
        s = self.state
        return None if s.end_min is None else s.end_min + OBSERVATION_MIN


    def _review(self, r: Reaction, t: float) -> Proposal | None:
        """After a confirmed reaction action: what the review window says now."""
        s, pol = self.state, self.policy
        src = f"policy {pol.id}, {r.grade}"
        if r.action == "slow":
            if t < r.review_at - EPS:
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
                if s.rung + 1 >= len(self.rungs) or (s.episode is not None and s.episode.is_open(t)):
                    return None
                g = self.rungs[s.rung + 1]
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
            if r.resolved_at is not None and r.resolved_at <= r.review_at + EPS:
                g = self.rungs[r.resume_rung]
                hold = r.after_resolved == "hold"
                return Proposal("resume", g.rate_ml_h, r.resume_rung,
                                f"Resolved: resume at the last tolerated rate, {g.rate_ml_h:g} mL/h"
                                + (" and stay there to the end" if hold else ""), src, r.grade, kind=r.kind)
            if t >= r.review_at - EPS:
                return Proposal("stop", 0.0, -1,
                                f"Not resolved within {pol.review_minutes:g} min: STOP. Do not restart.",
                                src, r.grade, self.catalogue.emergency_for(r.kind), kind=r.kind)
        return None
