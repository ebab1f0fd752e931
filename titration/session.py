"""One infusion: an append-only list of timestamped events, with state derived from them.

Every change goes through `_apply(event)`, so replaying the events of a journal rebuilds the
same state (`Session.replay`). The state is folded incrementally: a tick costs the same with
ten events or ten thousand. Times are minutes from the planned start; the core never reads a
clock. A rate takes effect when the nurse confirms it was set on the pump.

The parts: session_events (the values), schedule (what is due), reaction_flow (a reaction's
course), replanning (the rest of the infusion from the current state); this module records the
nurse's intents and folds events into state.
"""
from __future__ import annotations

from .bedside import KINDS as BEDSIDE_KINDS
from .bedside import Bedside
from .errors import SessionError
from .news2 import load_chart
from .plan import Plan
from .planio import plan_from_dict, plan_to_dict
from .policy import Policy, get_policy
from .pump_record import PumpRecord
from .rate_guard import RateGuard
from .reaction_flow import AFTER_END, ReactionFlow
from .reactions import Catalogue, Grading, Vitals, higher, load_catalogue
from .replanning import Replanning
from .schedule import Schedule
from .session_events import EPS, KINDS, OBSERVATION_MIN, Event, Proposal, Reaction, State

# Saved times carry 4 decimals: a confirmation replayed from them may fall this much before the
# moment the volume was in (0.006 s).
VOLUME_SLACK_MIN = 1e-4
RATE_ACTIONS = ("slow", "resume", "increase", "continue")  # actions that set a rate (checked by the RateGuard)

__all__ = ["Session", "Event", "Proposal", "Reaction", "State", "KINDS", "OBSERVATION_MIN", "EPS"]


class Session(Schedule, ReactionFlow, Replanning):
    def __init__(self, plan: Plan, policy: Policy | None = None, catalogue: Catalogue | None = None,
                 *, training: bool = False, simulation: dict | None = None, who: str = "nurse",
                 _record: bool = True):
        self.policy = policy or get_policy()
        self.catalogue = catalogue or load_catalogue()
        self.news2 = load_chart()
        self.guard = RateGuard.for_plan(plan)
        self.training = training or simulation is not None
        # A training simulation's scenario and seed, kept in the record so that the simulated
        # patient can be rebuilt after a crash.
        self.simulation = simulation
        self.events: list[Event] = []
        self.plans: list[Plan] = [plan]
        self.state = State()
        self.pump_record = PumpRecord()  # the confirmed rate changes, kept as the events are folded
        self.listeners: list = []  # callables(event) told after each append (journal, UI)
        self.bedside = Bedside(_double_check())  # nurses, vials, premedication (bedside.py)
        if _record:
            from .library.identity import current_version  # the library's version stays with the infusion

            data = {"plan": plan_to_dict(plan), "policy": self.policy.id, "training": self.training,
                    "library": current_version()}
            if simulation is not None:
                data["simulation"] = dict(simulation)
            self._append(Event(0.0, "planned", "system", data))

    # ------------------------------------------------------------------ replay
    @classmethod
    def replay(cls, events: list[dict | Event], policy: Policy | None = None,
               catalogue: Catalogue | None = None) -> "Session":
        evs = [e if isinstance(e, Event) else Event.from_dict(e) for e in events]
        if not evs or evs[0].kind != "planned":
            raise SessionError("a session's first event must be 'planned'")
        first = evs[0]
        s = cls(plan_from_dict(first.data["plan"]), policy or get_policy(first.data.get("policy")),
                catalogue, training=bool(first.data.get("training")), simulation=first.data.get("simulation"),
                _record=False)
        for e in evs:
            s._fold(e)
            s.events.append(e)
        return s

    # ------------------------------------------------------------------ derived values
    @property
    def library(self) -> dict | None:
        """The drug library version this infusion was planned with ({"version", "hash"}); None in a
        record made before libraries had versions."""
        return self.events[0].data.get("library") if self.events else None

    @property
    def plan(self) -> Plan:
        return self.plans[-1]

    @property
    def original_plan(self) -> Plan:
        return self.plans[0]

    @property
    def rungs(self):
        return self.original_plan.rungs

    @property
    def volume_ml(self) -> float:
        return self.original_plan.volume_ml

    @property
    def status(self) -> str:
        return self.state.status

    def day_fit(self, t: float, start_clock_min: float, settings=None):
        """Does the expected finish still fit the day (closing time, longest infusion)? See day_fit."""
        from .day_fit import day_fit

        end = self.expected_end(t)
        return day_fit(self.plan, start_clock_min, settings, end, self.state.started_at or 0.0)

    @property
    def age_years(self) -> float | None:
        """The patient's age, for grading a child's vitals by paediatric bands (None: an adult)."""
        return getattr(self.original_plan.request, "age_years", None)

    def delivered_ml(self, t: float) -> float:
        s = self.state
        if s.status != "running":
            return s.delivered_at_rate
        return min(self.volume_ml, s.delivered_at_rate + s.rate_ml_h * max(0.0, t - s.t_rate) / 60.0)

    def completion_at(self) -> float | None:
        """When the prescribed volume is (or will be) in at the running rate; None unless running."""
        s = self.state
        if s.status != "running" or s.rate_ml_h <= 0:
            return None
        return s.t_rate + (self.volume_ml - s.delivered_at_rate) / s.rate_ml_h * 60.0

    def volume_in(self, t: float) -> bool:
        """The prescribed volume is in by t and the nurse has not yet confirmed the end."""
        done = self.completion_at()
        return done is not None and done <= t + EPS

    def pump_rate(self, t: float) -> float:
        """The rate the pump delivers at t: 0 once the prescribed volume is in (the bag is empty)."""
        s = self.state
        return 0.0 if s.status != "running" or self.volume_in(t) else s.rate_ml_h

    def rate_segments(self, until: float | None = None) -> list[tuple[float, float, float]]:
        """Confirmed pump rates as (start, end, mL/h), pauses included as 0 (see PumpRecord)."""
        return self.pump_record.segments(until, self.completion_at())

    # ------------------------------------------------------------------ intents
    def record_vitals(self, at: float, vitals: Vitals, who: str = "nurse", *, baseline: bool = False) -> Grading:
        """Record vitals; `baseline`: they are the baseline asked for after the start (when none was taken)."""
        s = self.state
        if baseline and s.baseline is not None:
            raise SessionError("a baseline is already recorded")
        grading = self.catalogue.grade_vitals(vitals, s.baseline, self.age_years)
        data = {"vitals": vitals.to_dict(), "grade": grading.grade}
        warning = self.news2.score({**s.latest, **vitals.values()}) if self.news2.applies(self.age_years) else None
        if warning is not None:
            data["news2"] = warning.total
            data["grade"] = higher(grading.grade, warning.grade)
        if grading.judge:
            data["judge"] = list(grading.judge)  # a child's values no band covers: the nurse judges
        if baseline:
            data["baseline"] = True
        elif s.baseline is None and s.status != "planned":
            data["rules_off"] = self.catalogue.baseline_rules()  # said, and a baseline asked for
        self._append(Event(at, "vitals", who, data))
        return grading

    def baseline_notice(self) -> str:
        """Which rules are off for want of a baseline, and the request for one ('' when there is one)."""
        s = self.state
        if s.baseline is not None or s.status == "planned":
            return ""
        return ("No baseline vitals: these rules are off: " + "; ".join(self.catalogue.baseline_rules())
                + ". Record vitals as the baseline now.")

    def start(self, at: float, who: str = "nurse", second: str = "") -> None:
        """Start at the first step; a vial of another product blocks it, and where the unit asks
        for one, a second nurse's name checks the pump setting."""
        if self.state.status != "planned":
            raise SessionError(f"the infusion has already started ({self.state.status})")
        blocked = self.bedside.blocking()
        if blocked:
            raise SessionError("the infusion cannot start: " + "; ".join(blocked))
        data = {"rate_ml_h": self.rungs[0].rate_ml_h, "rung": 0}
        second = self.bedside.double_check.confirm("start", second, self._who(who))
        if second:
            data["second"] = second
        self._append(Event(at, "start", who, data))

    def report_symptoms(self, at: float, symptoms: list[str], vitals: Vitals | None = None,
                        who: str = "nurse") -> Proposal | None:
        for sid in symptoms:
            self.catalogue.symptom(sid)  # unknown ids fail before anything is written
        data = {"symptoms": list(symptoms)}
        if vitals is not None and not vitals.is_empty():
            data["vitals"] = vitals.to_dict()
            judge = self.catalogue.grade_vitals(vitals, self.state.baseline, self.age_years).judge
            if judge:
                data["judge"] = list(judge)  # a child's values no band covers: the nurse judges
        self._append(Event(at, "symptoms", who, data))
        return self.state.pending

    def resolved(self, at: float, who: str = "nurse") -> None:
        ep = self.state.episode
        if self.state.reaction is None and (ep is None or not ep.is_open(at)):
            raise SessionError("no open reaction to mark as resolved")
        self._append(Event(at, "resolved", who))

    def confirm(self, at: float, proposal: Proposal, who: str = "nurse") -> None:
        """The nurse did what was proposed (and set the pump)."""
        if self.due(at) != proposal:
            raise SessionError("that proposal is no longer current")
        if proposal.action == "complete":
            self._append(self._complete_event(at, who))
            return
        kind = "increase" if proposal.action == "increase" and self.state.reaction is None else "action"
        self._append(Event(at, kind, who, {**proposal.to_dict()}))

    def _complete_event(self, at: float, who: str) -> Event:
        """The nurse confirms the pump has finished: recorded at the real time of the confirmation."""
        data = {"delivered_ml": round(self.volume_ml, 4)}
        done = self.completion_at()
        if done is not None and done < at - EPS:
            data["volume_in_min"] = round(done, 4)  # the bag emptied earlier; the pump ran at 0 since
        return Event(at, "complete", who, data)

    def override(self, at: float, proposal: Proposal, action: str, rate_ml_h: float, reason: str,
                 who: str = "nurse", second: str = "") -> None:
        """The nurse chose differently, with a recorded reason. A severe reaction still stops."""
        if not reason.strip():
            raise SessionError("an override needs a reason")
        if proposal.action == "stop" and action != "stop":
            raise SessionError("a stop cannot be overridden")
        if proposal.action in AFTER_END:
            raise SessionError("advice after the end is confirmed, not overridden (the pump is off)")
        if rate_ml_h < 0:
            raise SessionError(f"{rate_ml_h:g} mL/h: a rate is 0 or more")
        if action in RATE_ACTIONS:
            self._hard_limit(at, rate_ml_h, f"override ({action})", who, resume=self.state.status == "paused")
        rung = self._rung_for(rate_ml_h)
        data = {**proposal.to_dict(), "action": action, "rate_ml_h": rate_ml_h, "rung": rung, "override": reason,
                "proposed": proposal.action}
        second = self.bedside.double_check.confirm("override", second, self._who(who))
        if second:
            data["second"] = second
        self._append(Event(at, "action", who, data))

    def pause(self, at: float, reason: str = "", who: str = "nurse") -> None:
        if self.state.status != "running":
            raise SessionError(f"only a running infusion can be paused ({self.state.status})")
        self._append(Event(at, "pause", who, {"reason": reason}))

    def resume(self, at: float, rate_ml_h: float | None = None, who: str = "nurse") -> None:
        s = self.state
        if s.status != "paused":
            raise SessionError(f"only a paused infusion can be resumed ({s.status})")
        if s.reaction is not None:
            raise SessionError("resume after a reaction through its proposal (mark symptoms resolved)")
        rate = rate_ml_h if rate_ml_h is not None else self.rungs[s.rung].rate_ml_h
        if rate_ml_h is None and s.paused_from_ml_h is not None:
            rate = min(rate, s.paused_from_ml_h)  # the last tolerated rate
        self._hard_limit(at, rate, "resume", who, resume=True)
        self._append(Event(at, "resume", who, {"rate_ml_h": rate, "rung": self._rung_for(rate)}))

    def stop(self, at: float, reason: str, who: str = "nurse") -> None:
        if self.state.status not in ("running", "paused"):
            raise SessionError(f"the infusion is not running ({self.state.status})")
        self._append(Event(at, "stop", who, {"reason": reason}))

    def close_observation(self, at: float, who: str = "nurse", reason: str = "") -> None:
        """End the observation after the infusion; before the hour is up only with a recorded reason."""
        if self.state.status not in ("completed", "stopped"):
            raise SessionError("the observation follows the end of the infusion")
        ends = self.observation_ends_at()
        early = at < ends - EPS
        if early and not reason.strip():
            raise SessionError(f"the {OBSERVATION_MIN:g}-minute observation runs {ends - at:.0f} min more; "
                               f"closing it early needs a reason")
        self._append(Event(at, "observed", who, {"early": reason.strip()} if early else {}))

    def note(self, at: float, text: str, who: str = "nurse") -> None:
        self._append(Event(at, "note", who, {"text": text}))

    def apply(self, e: Event) -> None:
        """Append an event recorded elsewhere (a trainee's run, a journal), validated like any other."""
        self._append(e)

    def tick(self, t: float) -> list[Event]:
        """Nothing is recorded by itself: once the prescribed volume is in, confirming the end of
        the infusion falls due (`due`) and only the nurse's confirmation records it. Kept so that
        callers moving the clock have one place to do so; it returns the events recorded (none)."""
        return []

    # ------------------------------------------------------------------ internals
    def allowed_rate(self, at: float, *, resume: bool = False):
        """The highest rate that may be set now, with the hard limit that sets it (rate_guard)."""
        s = self.state
        last = None
        if resume:
            last = self.rungs[s.reaction.resume_rung].rate_ml_h if s.reaction is not None else s.paused_from_ml_h
        return self.guard.allowed(s, self.pump_record.minutes_run(at), at, resume=resume, last_tolerated=last)

    def _check_rate(self, at: float, rate: float, *, resume: bool = False) -> None:
        if rate < 0:
            raise SessionError(f"{rate:g} mL/h: a rate is 0 or more")
        allowed = self.allowed_rate(at, resume=resume)
        if allowed.refuses(rate):
            raise SessionError(f"{rate:g} mL/h is above {allowed.why}")

    def _hard_limit(self, at: float, rate: float, intent: str, who: str, *, resume: bool) -> None:
        """A rate a hard limit refuses: the refusal is journaled (a note the unit's report counts), then raised."""
        allowed = self.allowed_rate(at, resume=resume)
        if rate >= 0 and allowed.refuses(rate):
            why = f"{rate:g} mL/h is above {allowed.why}"
            self._append(Event(at, "note", who, {"text": f"Refused ({intent}): {why}", "hard_limit": {
                "intent": intent, "rate_ml_h": rate, "limit_ml_h": allowed.rate_ml_h, "why": allowed.why}}))
            raise SessionError(why)

    def _rung_for(self, rate: float) -> int:
        idx = 0
        for i, g in enumerate(self.rungs):
            if g.rate_ml_h <= rate + EPS:
                idx = i
        return idx

    def _who(self, who: str) -> str:
        """'nurse' (the default) means the nurse signed in at the workstation, when one is."""
        on_duty = self.bedside.on_duty
        return on_duty.name if who == "nurse" and on_duty is not None else who

    def _append(self, e: Event) -> None:
        if e.who == "nurse" and self.bedside.on_duty is not None:
            e = Event(e.at_min, e.kind, self.bedside.on_duty.name, e.data)
        if e.kind not in KINDS:
            raise SessionError(f"unknown event kind {e.kind!r}")
        if self.events and e.at_min < self.events[-1].at_min - EPS:
            raise SessionError(f"events are in time order: {e.at_min:g} min is before {self.events[-1].at_min:g} min")
        if self.state.status == "closed" and not self._after_close(e):
            raise SessionError("this infusion is closed")
        self._fold(e)  # validates before the event is kept
        self.events.append(e)
        for fn in self.listeners:
            fn(e)

    @staticmethod
    def _after_close(e: Event) -> bool:
        """What may still be recorded once the observation is closed: a reaction can come later."""
        return e.kind in ("note", "vitals", "symptoms", "resolved") or (
            e.kind == "action" and e.data.get("action") in AFTER_END)

    def _fold(self, e: Event) -> None:
        if e.kind == "action" and e.data.get("action") in AFTER_END:
            self._apply(e)  # advice: the pump is already off, no rate changes
            return
        done = self.completion_at() if e.kind in ("complete", "stop", "pause", "action") else None
        self._apply(e)
        if done is not None and done < e.at_min - EPS:
            self.pump_record.change(done, 0.0)  # the bag emptied before this was recorded
        if e.kind in ("stop", "complete") or (e.kind == "action" and self.state.status == "stopped"):
            self.pump_record.change(e.at_min, None)
        elif e.kind in ("start", "increase", "resume", "action", "pause"):
            self.pump_record.change(e.at_min, self.state.rate_ml_h)

    def _set_rate(self, at: float, rate: float) -> None:
        s = self.state
        s.delivered_at_rate = self.delivered_ml(at) if s.status == "running" else s.delivered_at_rate
        s.t_rate, s.rate_ml_h = at, rate

    def _apply(self, e: Event) -> None:
        s, d = self.state, e.data
        k = e.kind
        if k == "planned":
            return
        if k == "note":
            return
        if k in BEDSIDE_KINDS:
            self.bedside.fold(k, e.at_min, e.who, d)
            return
        ended = s.status in ("stopped", "completed", "closed")
        if ended and k not in ("vitals", "symptoms", "observed", "resolved") and not self._after_close(e):
            raise SessionError("the infusion was stopped; it cannot be restarted" if s.status == "stopped"
                               else f"the infusion has ended ({s.status})")
        if k == "observed" and s.status == "closed":
            raise SessionError("the observation is already closed")
        if k in ("increase", "resume") or (k == "action" and d.get("action") in RATE_ACTIONS):
            self._check_rate(e.at_min, float(d["rate_ml_h"]), resume=s.status == "paused")
        if k == "vitals":
            v = Vitals.from_dict(d["vitals"])
            if s.baseline is None and (s.status == "planned" or d.get("baseline")):
                s.baseline = v
            s.last_vitals_at = e.at_min
            s.latest.update(v.values())
            if d.get("grade", "none") != "none":  # graded when recorded (bands and NEWS2): the same on replay
                self._assess(e.at_min, [], v)
            return
        if k == "start":
            s.status, s.started_at, s.rung, s.rung_started = "running", e.at_min, 0, e.at_min
            self._set_rate(e.at_min, d["rate_ml_h"])
            self._replan(e.at_min)
            return
        if k == "symptoms":
            v = Vitals.from_dict(d["vitals"]) if "vitals" in d else None
            if v is not None:
                s.last_vitals_at = e.at_min
                s.latest.update(v.values())
            self._assess(e.at_min, d["symptoms"], v)
            return
        if k == "resolved":
            if s.reaction is not None:
                s.reaction.resolved_at = e.at_min
            if s.episode is not None and s.episode.is_open(e.at_min):
                s.episode.resolved_at = e.at_min
            return
        if k == "increase":
            self._tolerated(e.at_min)
            s.rung, s.rung_started, s.last_increase_at = d["rung"], e.at_min, e.at_min
            s.held_until = None
            self._set_rate(e.at_min, d["rate_ml_h"])
            self._replan(e.at_min)
            return
        if k == "action":
            self._act(e)
            return
        if k == "pause":
            s.paused_from_ml_h = s.rate_ml_h
            self._set_rate(e.at_min, 0.0)
            s.status = "paused"
            self._replan(e.at_min)
            return
        if k == "resume":
            s.status = "running"
            s.rung, s.rung_started = d["rung"], e.at_min
            s.t_rate, s.rate_ml_h = e.at_min, d["rate_ml_h"]
            if s.episode is not None and s.episode.is_open(e.at_min):
                s.episode.rate_set(s.rate_ml_h)
            self._replan(e.at_min)
            return
        if k == "stop":
            self._end(e.at_min, "stopped")
            return
        if k == "complete":
            if s.status != "running" or not self.volume_in(e.at_min + VOLUME_SLACK_MIN):
                raise SessionError("the prescribed volume is not in yet: the infusion cannot be completed")
            self._tolerated(e.at_min)
            self._end(e.at_min, "completed")
            s.delivered_at_rate = self.volume_ml  # all of it, never more
            return
        if k == "observed":
            s.status = "closed"
            return

    def _tolerated(self, at: float) -> None:
        s = self.state
        calm = s.episode is None or not s.episode.is_open(at)
        if s.status == "running" and s.reaction is None and s.pending is None and calm:
            s.tolerated_ml_h = max(s.tolerated_ml_h, s.rate_ml_h)

    def _end(self, at: float, status: str) -> None:
        s = self.state
        if s.episode is not None and s.episode.is_open(at):
            s.episode.acted(at, self.policy.review_minutes)
        if s.status == "running":
            s.delivered_at_rate = self.delivered_ml(at)
        s.t_rate, s.rate_ml_h, s.status, s.end_min, s.pending = at, 0.0, status, at, None
        self._replan(at)


def _double_check():
    from .unit_settings import load_unit_settings

    return load_unit_settings().double_check
