"""A reaction's course in a session: gather the findings into an episode, propose the policy's
action, act on it.

One job: the reaction's course (its findings live in the `Episode`, titration/episode.py). Every
finding of one episode is graded together; a finding that completes a combination rule acts at
once, whatever state the chair is in: running, slowed or paused (the policy's action), the bag
empty (STOP), or after the end (the kind's emergency steps, or an urgent medical review). Reactions
in one infusion add up (Policy.effective_grade): a new episode, or symptoms that come back after
they were recorded resolved, is a further reaction (symptoms that come back inside the review window
are handled as the policy's `came_back` says). Every criterion is matched, besides, over all the
findings of the infusion within its own time window (findings.py): recording "resolved" never makes
the response to a later finding weaker than not recording it.
"""
from __future__ import annotations

from .episode import Episode
from .errors import SessionError
from .findings import entry_members
from .news2 import Chart as News2Chart
from .news2 import EarlyWarning
from .policy import Policy
from .progress import Progress
from .reactions import Catalogue, Hit, grade_index
from .replanning import Replanner
from .session_events import Event, Proposal, Reaction
from .vitals import Vitals

AFTER_END = ("review", "emergency")


class ReactionFlow:
    """Findings in, proposals out; a confirmed action changes the rate (through Progress) and
    the plan is made again (through the Replanner)."""

    def __init__(self, progress: Progress, plans: Replanner, policy: Policy, catalogue: Catalogue,
                 news2: News2Chart, age_years: float | None) -> None:
        self.progress = progress
        self.plans = plans
        self.policy = policy
        self.catalogue = catalogue
        self.news2 = news2
        self.age_years = age_years

    def look_out_for(self) -> list[str]:
        """What to tell the patient to look out for after the infusion (reactions that come late)."""
        return self.catalogue.look_out()

    def early_warning(self, confused: bool | None = None) -> EarlyWarning | None:
        """NEWS2 over the latest value of each parameter (None for a child under the chart's age, or
        when nothing is recorded). New confusion counts while its episode is open."""
        if not self.news2.applies(self.age_years):
            return None
        if confused is None:
            ep = self.progress.state.episode
            confused = ep is not None and any(ep.has(c) for c in self.news2.confusion_symptoms) \
                and ep.resolved_at is None
        return self.news2.score(self.progress.state.latest, confused)

    def _news_finding(self, symptoms) -> Hit | None:
        confused = any(c in symptoms for c in self.news2.confusion_symptoms) or None
        w = self.early_warning(confused)
        if w is None or w.grade == "none":
            return None
        return Hit(f"{w.text()}: {w.response}", w.grade, "other", "", w.source)

    def assess(self, at: float, symptoms: list[str], vitals: Vitals | None) -> None:
        """Add what was reported to the episode and, when it now asks for more, propose it."""
        s, cat = self.progress.state, self.catalogue
        if s.status == "planned":
            return  # before the start: the baseline, not a reaction
        hits, judge = cat.findings(vitals, s.baseline, self.age_years)
        news = self._news_finding(symptoms)
        if not symptoms and not any(h.grade != "none" for h in hits) and news is None:
            return  # nothing abnormal in this entry
        current = s.episode
        new_episode = current is None or not current.is_open(at)
        ep = Episode(at, ceiling_ml_h=self._rate_for_ceiling()) if current is None or new_episode else current
        returned = not new_episode and ep.came_back()
        entry = entry_members(symptoms, hits, cat)
        carried = s.findings.completes(cat.criteria, at, entry, s.end_min)
        s.findings.add(at, entry)
        pictures = {k.id: s.findings.members(k.window_hours, s.end_min) for k in cat.kinds.values() if k.signs}
        ep.add(at, cat, symptoms, hits, judge, news, carried, pictures)
        if ep.grade == "none":
            return  # a child's value no band covers: shown for the nurse to judge, no episode
        s.episode = ep
        if s.reaction is not None and not new_episode:
            s.reaction.kind = ep.kind  # the reaction is the episode's, its kind revised as findings arrive
        if grade_index(ep.grade) > grade_index(s.highest_grade):
            s.highest_grade = ep.grade
        if new_episode or returned:
            grade, why = self.policy.effective_grade(ep.grade, s.reactions, s.last_grade)
            if returned:
                grade, why = self.policy.came_back_grade(grade, why)
            s.reactions += 1
        else:
            if grade_index(ep.grade) <= grade_index(ep.handled):
                return  # the same episode, no worse than it is handled: nothing new to do
            grade, why = ep.grade, f"the episode is worse: {ep.handled} -> {ep.grade}"
        ep.handled = grade
        s.last_grade = grade
        reasons = "; ".join(ep.reasons)
        why = f"{reasons}{'; ' + why if why else ''}"
        if s.status in ("running", "paused") and not self.progress.volume_in(at):
            r = s.reaction
            slowed = r is not None and r.action == "slow" and not (new_episode or returned)
            rung_now = r.resume_rung + 1 if r is not None and slowed else s.rung
            s.reaction = Reaction(at, grade, resume_rung=max(rung_now - 1, 0), kind=ep.kind)
            s.pending = self._propose(s.reaction, grade, rung_now, why)
        else:
            s.pending = self._advise(grade, ep.kind, why)

    def _rate_for_ceiling(self) -> float | None:
        s = self.progress.state
        if s.status == "running":
            return s.rate_ml_h
        if s.status == "paused":
            return s.paused_from_ml_h
        return None

    def _propose(self, r: Reaction, grade: str, rung_now: int, why: str) -> Proposal:
        s, pol = self.progress.state, self.policy
        rule = pol.rule(grade)
        r.after_resolved, r.unresolved = rule.after_resolved, rule.unresolved
        src = f"policy {pol.id}, {grade}"
        kind = self.catalogue.kind(r.kind)
        what = f"{grade} reaction" + (f", {kind.label.lower()}" if kind.id != "other" else "")
        if rule.action == "stop" or grade == "severe":
            return Proposal("stop", 0.0, -1, f"STOP: {what} ({why}). Do not restart.", src, grade,
                            self._steps(kind.id), kind.id)
        action = rule.action
        if action == "slow" and (rung_now == 0 or s.status == "paused"):
            action = rule.first_step
        if action == "slow":
            g = self.plans.rungs[rung_now - 1]
            return Proposal("slow", g.rate_ml_h, rung_now - 1,
                            f"Slow to the last tolerated rate, {g.rate_ml_h:g} mL/h; hold escalation ({why})",
                            src, grade,
                            kind=kind.id)
        if action == "stop":
            return Proposal("stop", 0.0, -1, f"STOP: {what} ({why}). Do not restart.", src, grade,
                            self._steps(kind.id), kind.id)
        return Proposal("pause", 0.0, r.resume_rung,
                        f"Pause the infusion now ({why}); review in {pol.review_minutes:g} min",
                        src, grade, kind=kind.id)

    def _steps(self, kind_id: str) -> tuple[str, ...]:
        """The kind's emergency steps, with a line for every other pattern the episode meets."""
        ep = self.progress.state.episode
        return self.catalogue.emergency_for(kind_id, ep.criteria if ep is not None else ())

    def _advise(self, grade: str, kind_id: str, why: str) -> Proposal:
        """The bag is empty or the infusion has ended: the same grading, the same steps."""
        s, kind = self.progress.state, self.catalogue.kind(kind_id)
        what = f"{grade} reaction" + (f", {kind.label.lower()}" if kind.id != "other" else "")
        src = f"policy {self.policy.id}, {grade}"
        steps = self._steps(kind.id)
        if grade == "severe" and s.status == "running":  # the bag is empty, the end not yet confirmed
            return Proposal("stop", 0.0, -1, f"STOP: {what} ({why}). The bag is empty: make sure the pump is off; "
                            f"do not restart.", src, grade, steps, kind.id)
        when = "now the bag is empty" if s.status in ("running", "paused") else "after the end of the infusion"
        if grade == "severe":
            return Proposal("emergency", 0.0, -1, f"EMERGENCY: {what} {when} ({why}).", src, grade, steps, kind.id)
        urgency = "Urgent medical review" if grade == "moderate" else "Tell the medical team"
        return Proposal("review", 0.0, -1,
                        f"{urgency}: {what} {when} ({why}). Observe temperature, pulse, BP and SpO2 every 15 min; "
                        f"keep the patient until reviewed.", src, grade, kind=kind.id)

    def act(self, e: Event) -> None:
        """A confirmed (or overridden) reaction action."""
        s, d, at = self.progress.state, e.data, e.at_min
        action = d["action"]
        r, ep = s.reaction, s.episode
        s.pending = None
        if d.get("grade") and grade_index(d["grade"]) > grade_index(s.last_grade):
            s.last_grade = d["grade"]  # handled higher (not resolved in time): the next counts from this
        if ep is not None and ep.is_open(at):
            ep.acted(at, self.policy.review_minutes)
            if d.get("grade") and grade_index(d["grade"]) > grade_index(ep.handled):
                ep.handled = d["grade"]
        if action in AFTER_END:
            return  # advice confirmed: recorded in the journal; the pump is already off
        if action == "stop":
            self.progress.end(at, "stopped", self.policy.review_minutes)
            self.plans.replan(at)
            return
        if r is None:
            raise SessionError("no reaction to act on")
        if action == "slow":
            if d.get("grade") and grade_index(d["grade"]) > grade_index(r.grade):
                r.grade = d["grade"]
            r.action, r.acted_at, r.review_at = "slow", at, at + self.policy.review_minutes
            s.rung, s.rung_started = d["rung"], at
            if s.status == "paused":
                self.progress.run_again(at, d["rate_ml_h"])
            else:
                self.progress.set_rate(at, d["rate_ml_h"])
        elif action == "pause":
            if d.get("grade") and grade_index(d["grade"]) > grade_index(r.grade):
                r.grade = d["grade"]
                r.unresolved = self.policy.rule(r.grade).unresolved
                r.after_resolved = self.policy.rule(r.grade).after_resolved
            r.action, r.acted_at, r.review_at = "pause", at, at + self.policy.review_minutes
            if r.resolved_at is not None and r.resolved_at < at:
                r.resolved_at = None
                if ep is not None:
                    ep.resolved_at = None
            self.progress.pause(at)
        elif action in ("resume", "increase", "continue"):
            rate = d["rate_ml_h"]
            if s.status == "paused":
                self.progress.run_again(at, rate)
            else:
                self.progress.set_rate(at, rate)
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
        if ep is not None and ep.is_open(at):
            ep.rate_set(s.rate_ml_h)
        self.plans.replan(at)
