"""Folding one event into a session's state: the only place state changes.

One job: validate an event against the state it meets and change the state by it, so replaying a
journal rebuilds the same state as living through it (`Session.replay`). Each part of the state
belongs to its own object; this hands each event to the one it concerns: the pump's progress,
the reaction flow, the bedside record, the holds before the start, the pump record.
"""
from __future__ import annotations

from .bedside import KINDS as BEDSIDE_KINDS
from .bedside import Bedside
from .errors import SessionError
from .holds import KINDS as HOLD_KINDS
from .holds import StartHolds
from .policy import Policy
from .progress import Progress
from .pump_record import PumpRecord
from .rate_guard import Allowed, RateGuard
from .reaction_flow import AFTER_END, ReactionFlow
from .replanning import Replanner
from .session_events import EPS, Event, event_time
from .vitals import Vitals, vitals_text

# Saved times carry 4 decimals: a confirmation replayed from them may fall this much before the
# moment the volume was in (0.006 s).
VOLUME_SLACK_MIN = 1e-4
RATE_ACTIONS = ("slow", "resume", "increase", "continue")
AFTER_CLOSE_KINDS = ("note", "vitals", "symptoms", "resolved", "app_closed")


def after_close(e: Event) -> bool:
    """What may still be recorded once the observation is closed: a reaction can come later."""
    return e.kind in AFTER_CLOSE_KINDS or (e.kind == "action" and e.data.get("action") in AFTER_END)


class EventFold:
    def __init__(self, progress: Progress, plans: Replanner, flow: ReactionFlow, policy: Policy,
                 bedside: Bedside, holds: StartHolds, pump_record: PumpRecord, guard: RateGuard) -> None:
        self.progress = progress
        self.plans = plans
        self.flow = flow
        self.policy = policy
        self.bedside = bedside
        self.holds = holds
        self.pump_record = pump_record
        self.guard = guard

    # ------------------------------------------------------------------ the hard limits on a rate
    def allowed_rate(self, at: float, *, resume: bool = False) -> Allowed:
        """The highest rate that may be set now, with the hard limit that sets it (rate_guard)."""
        s = self.progress.state
        last = None
        if resume:
            rungs = self.plans.rungs
            last = rungs[s.reaction.resume_rung].rate_ml_h if s.reaction is not None else s.paused_from_ml_h
        return self.guard.allowed(s, self.pump_record.minutes_run(at), at, resume=resume, last_tolerated=last)

    def check_rate(self, at: float, rate: float, *, resume: bool = False) -> None:
        if not rate >= 0:  # NaN too: it is above no limit, and would pass every one
            raise SessionError(f"{rate:g} mL/h: a rate is a number, 0 or more")
        allowed = self.allowed_rate(at, resume=resume)
        if allowed.refuses(rate):
            raise SessionError(f"{rate:g} mL/h is above {allowed.why}")

    # ------------------------------------------------------------------ folding
    def fold(self, e: Event) -> None:
        """Validate and apply one event, and keep the pump record in step with it."""
        event_time(e.at_min)
        if e.kind == "action" and e.data.get("action") in AFTER_END:
            self._apply(e)  # advice: the pump is already off, no rate changes
            return
        done = self.progress.completion_at() if e.kind in ("complete", "stop", "pause", "action") else None
        self._apply(e)
        s = self.progress.state
        if done is not None and done < e.at_min - EPS:
            self.pump_record.change(done, 0.0)  # the bag emptied before this was recorded
        if e.kind in ("stop", "complete") or (e.kind == "action" and s.status == "stopped"):
            self.pump_record.change(e.at_min, None)
        elif e.kind in ("start", "increase", "resume", "action", "pause", "prescriber_rate"):
            self.pump_record.change(e.at_min, s.rate_ml_h)

    def _apply(self, e: Event) -> None:
        s, d, k, at = self.progress.state, e.data, e.kind, e.at_min
        if k in ("planned", "note", "app_closed"):
            return
        if k in BEDSIDE_KINDS:
            self.bedside.fold(k, at, e.who, d)
            return
        if k in HOLD_KINDS:
            if s.status != "planned":
                raise SessionError("the checklist and the prescriber's decision come before the start")
            self.holds.fold(k, at, d)
            return
        ended = s.status in ("stopped", "completed", "closed")
        if ended and k not in ("vitals", "symptoms", "observed", "resolved") and not after_close(e):
            raise SessionError("the infusion was stopped; it cannot be restarted" if s.status == "stopped"
                               else f"the infusion has ended ({s.status})")
        if k == "observed" and s.status == "closed":
            raise SessionError("the observation is already closed")
        if k == "start" and s.status != "planned":
            raise SessionError(f"the infusion has already started ({s.status})")
        if k == "start" and self._rung(d.get("rung", 0)) != 0:
            raise SessionError(f"an infusion starts at the first step (0), not at step {d['rung']!r}")
        rate_action = k == "action" and d.get("action") in RATE_ACTIONS
        if rate_action and "rung" in d:
            self._rung(d["rung"])
        if k in ("start", "increase", "resume") or rate_action:
            self.check_rate(at, float(d["rate_ml_h"]), resume=s.status == "paused")
        if k == "vitals":
            self._vitals(e)
        elif k == "start":
            s.status, s.started_at, s.rung, s.rung_started = "running", at, 0, at
            self.progress.set_rate(at, d["rate_ml_h"])
            self.plans.replan(at)
        elif k == "symptoms":
            v = Vitals.from_dict(d["vitals"]) if "vitals" in d else None
            if v is not None:
                s.last_vitals_at = at
                s.latest.update(v.values())
            self.flow.assess(at, d["symptoms"], v)
        elif k == "resolved":
            if s.reaction is not None:
                s.reaction.resolved_at = at
            if s.episode is not None and s.episode.is_open(at):
                s.episode.resolved_at = at
        elif k == "increase":
            self.progress.note_tolerated(at)
            s.rung, s.rung_started, s.last_increase_at = self._rung(d["rung"]), at, at
            s.held_until = None
            self.progress.set_rate(at, d["rate_ml_h"])
            self.plans.replan(at)
        elif k == "action":
            self.flow.act(e)
        elif k == "pause":
            self.progress.pause(at)
            self.plans.replan(at)
        elif k == "resume":
            self.progress.run_again(at, d["rate_ml_h"])
            s.rung, s.rung_started = self._rung(d["rung"]), at
            if s.episode is not None and s.episode.is_open(at):
                s.episode.rate_set(s.rate_ml_h)
            self.plans.replan(at)
        elif k == "prescriber_rate":
            self._prescriber_rate(e)
        elif k == "stop":
            self.progress.end(at, "stopped", self.policy.review_minutes)
            self.plans.replan(at)
        elif k == "complete":
            if s.status != "running" or not self.progress.volume_in(at + VOLUME_SLACK_MIN):
                raise SessionError("the prescribed volume is not in yet: the infusion cannot be completed")
            self.progress.note_tolerated(at)
            self.progress.end(at, "completed", self.policy.review_minutes)
            self.plans.replan(at)
            s.delivered_at_rate = self.progress.volume_ml  # all of it, never more
        elif k == "observed":
            s.status = "closed"

    def _rung(self, v) -> int:
        """A step of the ladder named by a recorded event (a record replayed may be damaged)."""
        n = len(self.plans.rungs)
        if type(v) is not int or not 0 <= v < n:
            raise SessionError(f"there is no step {v!r} on this plan's ladder (0 to {n - 1})")
        return v

    def _vitals(self, e: Event) -> None:
        s, d = self.progress.state, e.data
        values = Vitals.values_of(d["vitals"])  # checked as the reading is; the reading made only where kept
        baseline = s.baseline is None and (s.status == "planned" or d.get("baseline"))
        graded = d.get("grade", "none") != "none"  # graded when recorded (bands and NEWS2): the same on replay
        v = Vitals.from_dict(d["vitals"]) if baseline or (graded and s.status != "planned") else None
        if baseline:
            s.baseline = v
        s.last_vitals_at = e.at_min
        s.latest.update(values)
        if graded and s.status == "planned":
            self.holds.add(f"baseline vitals grade {d['grade']} ({vitals_text(d['vitals'])})")
        elif graded:
            self.flow.assess(e.at_min, [], v)

    def _prescriber_rate(self, e: Event) -> None:
        """A prescriber's new maximum (the ladder climbs to it) and, or, a rate to set now."""
        s, d, at = self.progress.state, e.data, e.at_min
        if s.status not in ("running", "paused"):
            raise SessionError(f"a prescriber's new rate applies to a running or paused infusion ({s.status})")
        if s.pending is not None or s.reaction is not None:
            raise SessionError("a reaction is being handled: confirm or override its proposal first")
        cap = d.get("max_ml_h")
        if cap is not None:
            cap = float(cap)
            if not cap > 0:  # as the entry is checked (prescriber_rate.py); NaN would cap nothing
                raise SessionError(f"{cap:g} mL/h: a prescriber's maximum is a number above 0")
            if cap > self.guard.top_ml_h + EPS:
                raise SessionError(f"{cap:g} mL/h is above this plan's maximum of {self.guard.top_ml_h:g} mL/h "
                                   f"(the label's and the unit's limits)")
        rate = d.get("rate_ml_h")
        ceiling = s.ceiling_ml_h
        s.ceiling_ml_h = None  # the prescriber's maximum replaces the rate held after a reaction
        try:
            if rate is not None:
                self.check_rate(at, float(rate))
                if cap is not None and float(rate) > cap + EPS:
                    raise SessionError(f"{float(rate):g} mL/h is above the new maximum of {cap:g} mL/h")
        except SessionError:
            s.ceiling_ml_h = ceiling
            raise
        s.cap_ml_h = cap
        s.held_until = None
        if rate is not None:
            rate = float(rate)
            if s.status == "paused":
                self.progress.run_again(at, rate)
            else:
                self.progress.set_rate(at, rate)
            s.rung = _rung_for(self.plans, rate)
        s.rung_started = at  # the next step counts from the prescriber's decision
        if s.episode is not None and s.episode.is_open(at):
            s.episode.rate_set(s.rate_ml_h)
        self.plans.replan(at)


def _rung_for(plans: Replanner, rate: float) -> int:
    idx = 0
    for i, g in enumerate(plans.rungs):
        if g.rate_ml_h <= rate + EPS:
            idx = i
    return idx
