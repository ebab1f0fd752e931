"""A reaction's course in a session: grade what was reported, propose the policy's action, act on it.

A mixin of Session. Reactions in one infusion add up (Policy.effective_grade); a reaction has a
kind as well as a grade, and the emergency steps shown with a stop follow the kind.
"""
from __future__ import annotations

from .errors import SessionError
from .reactions import Vitals, grade_index
from .session_events import Event, Proposal, Reaction


class ReactionFlow:
    def look_out_for(self) -> list[str]:
        """What to tell the patient to look out for after the infusion (reactions that come late)."""
        return self.catalogue.look_out()

    def _assess(self, at: float, symptoms: list[str], vitals: Vitals | None) -> None:
        """Grade what was reported and set the policy's proposal."""
        s = self.state
        grading = self.catalogue.grade(symptoms, vitals, s.baseline, self.age_years)
        if grading.grade == "none":
            return
        if grade_index(grading.grade) > grade_index(s.highest_grade):
            s.highest_grade = grading.grade
        if s.status not in ("running", "paused") or self.volume_in(at):
            return  # after the end (or the bag is empty): recorded and shown, nothing to slow
        open_r = s.reaction if s.reaction is not None and s.reaction.resolved_at is None else None
        if open_r is not None:
            # The same reaction, reported again: act only if it got worse.
            if grade_index(grading.grade) <= grade_index(open_r.grade):
                return
            grade, why = grading.grade, f"worse: {open_r.grade} -> {grading.grade}"
        else:
            earlier = s.reactions
            grade, why = self.policy.effective_grade(grading.grade, earlier, s.last_grade)
            s.reactions += 1
        s.last_grade = grade
        reasons = "; ".join(grading.reasons)
        rung_now = s.reaction.resume_rung + 1 if open_r is not None and open_r.action == "slow" else s.rung
        s.reaction = Reaction(at, grade, resume_rung=max(rung_now - 1, 0), kind=grading.kind)
        s.pending = self._propose(grade, rung_now, f"{reasons}{'; ' + why if why else ''}")

    def _propose(self, grade: str, rung_now: int, why: str) -> Proposal:
        s, pol = self.state, self.policy
        rule = pol.rule(grade)
        r = s.reaction
        r.after_resolved, r.unresolved = rule.after_resolved, rule.unresolved
        src = f"policy {pol.id}, {grade}"
        kind = self.catalogue.kind(r.kind)
        what = f"{grade} reaction" + (f", {kind.label.lower()}" if kind.id != "other" else "")
        if rule.action == "stop" or grade == "severe":
            return Proposal("stop", 0.0, -1, f"STOP: {what} ({why}). Do not restart.", src, grade,
                            self.catalogue.emergency_for(kind.id), kind.id)
        action = rule.action
        if action == "slow" and (rung_now == 0 or s.status == "paused"):
            action = rule.first_step
        if action == "slow":
            g = self.rungs[rung_now - 1]
            return Proposal("slow", g.rate_ml_h, rung_now - 1,
                            f"Slow to the last tolerated rate, {g.rate_ml_h:g} mL/h; hold escalation ({why})",
                            src, grade,
                            kind=kind.id)
        if action == "stop":
            return Proposal("stop", 0.0, -1, f"STOP: {what} ({why}). Do not restart.", src, grade, kind=kind.id)
        return Proposal("pause", 0.0, r.resume_rung,
                        f"Pause the infusion now ({why}); review in {pol.review_minutes:g} min",
                        src, grade, kind=kind.id)

    def _act(self, e: Event) -> None:
        """A confirmed (or overridden) reaction action."""
        s, d, at = self.state, e.data, e.at_min
        action = d["action"]
        r = s.reaction
        s.pending = None
        if d.get("grade") and grade_index(d["grade"]) > grade_index(s.last_grade):
            s.last_grade = d["grade"]  # handled higher (not resolved in time): the next counts from this
        if action == "stop":
            self._end(at, "stopped")
            return
        if r is None:
            raise SessionError("no reaction to act on")
        if action == "slow":
            if d.get("grade") and grade_index(d["grade"]) > grade_index(r.grade):
                r.grade = d["grade"]
            r.action, r.acted_at, r.review_at = "slow", at, at + self.policy.review_minutes
            s.rung, s.rung_started = d["rung"], at
            if s.status == "paused":
                s.status = "running"
                s.t_rate, s.rate_ml_h = at, d["rate_ml_h"]
            else:
                self._set_rate(at, d["rate_ml_h"])
        elif action == "pause":
            if d.get("grade") and grade_index(d["grade"]) > grade_index(r.grade):
                r.grade = d["grade"]
                r.unresolved = self.policy.rule(r.grade).unresolved
                r.after_resolved = self.policy.rule(r.grade).after_resolved
            r.action, r.acted_at, r.review_at = "pause", at, at + self.policy.review_minutes
            r.resolved_at = None if r.resolved_at is not None and r.resolved_at < at else r.resolved_at
            self._set_rate(at, 0.0)
            s.status = "paused"
        elif action in ("resume", "increase", "continue"):
            rate = d["rate_ml_h"]
            if s.status == "paused":
                s.status = "running"
                s.t_rate, s.rate_ml_h = at, rate
            else:
                self._set_rate(at, rate)
            s.rung, s.rung_started = d["rung"], at
            if action == "increase":
                s.last_increase_at = at
            if r.after_resolved == "hold" and action == "resume":
                s.ceiling_ml_h = rate
            elif action == "resume":
                s.held_until = at + self.policy.review_minutes
            s.reaction = None
        else:
            raise SessionError(f"unknown action {action!r}")
        self._replan(at)
