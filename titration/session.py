"""One infusion: an append-only list of timestamped events, with state derived from them.

Every change goes through `_append(event)`, which folds it (`EventFold`) before keeping it, so
replaying the events of a journal rebuilds the same state (`Session.replay`). The state is folded
incrementally: a tick costs the same with ten events or ten thousand. Times are minutes from the
planned start; the core never reads a clock. A rate takes effect when the nurse confirms it was
set on the pump.

A Session is composed of objects with one job each, built here and handed what they need:
`Progress` (the state and the volume arithmetic), `Replanner` (the plans), `Schedule` (what is
due), `ReactionFlow` (a reaction's course), `Bedside` (nurses, vials, premedication),
`StartHolds` (what waits for a prescriber before the start), `PumpRecord` (the confirmed rates)
and `EventFold` (an event into all of them). This module records the nurse's intents; the methods
below that only ask one part are the session's reading interface, kept so callers need not know
which part answers.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from .bedside import Bedside
from .catalogue_file import load_catalogue
from .day_fit import DayFit, DaySettings
from .errors import SessionError
from .holds import StartHolds
from .news2 import EarlyWarning, load_chart
from .plan import Plan
from .planio import plan_from_dict, plan_to_dict
from .policy import Policy, get_policy
from .progress import Progress
from .pump_record import PumpRecord
from .rate_guard import Allowed, RateGuard
from .reaction_flow import AFTER_END, ReactionFlow
from .reactions import Catalogue, Grading, higher
from .replanning import Replanner
from .schedule import NextStep, Schedule
from .session_events import EPS, KINDS, OBSERVATION_MIN, Event, Proposal, Reaction, State
from .session_fold import RATE_ACTIONS, EventFold, after_close
from .vitals import Vitals

__all__ = ["Session", "Event", "Proposal", "Reaction", "State", "KINDS", "OBSERVATION_MIN", "EPS"]


class Session:
    def __init__(self, plan: Plan, policy: Policy | None = None, catalogue: Catalogue | None = None,
                 *, training: bool = False, simulation: dict | None = None, _record: bool = True):
        self.policy = policy or get_policy()
        self.catalogue = catalogue or load_catalogue()
        self.training = training or simulation is not None
        # A training simulation's scenario and seed, kept in the record so that the simulated
        # patient can be rebuilt after a crash.
        self.simulation = simulation
        self.events: list[Event] = []
        self.listeners: list[Callable[[Event], None]] = []  # told after each append (journal, UI)
        self.progress = Progress(plan.volume_ml, State())
        self.state = self.progress.state  # the folded state (one object, owned by Progress)
        self.replanner = Replanner(plan, self.progress)
        self.schedule = Schedule(self.progress, self.replanner, self.policy, self.catalogue)
        self.reactions = ReactionFlow(self.progress, self.replanner, self.policy, self.catalogue, load_chart(),
                                      plan.request.age_years)
        self.bedside = Bedside(_double_check())  # nurses, vials, premedication (bedside.py)
        self.holds = StartHolds()  # what waits for a prescriber before the start (holds.py)
        self.pump_record = PumpRecord()  # the confirmed rate changes, kept as the events are folded
        self.folder = EventFold(self.progress, self.replanner, self.reactions, self.policy, self.bedside,
                                self.holds, self.pump_record, RateGuard.for_plan(plan))
        if _record:
            from .library.identity import current_version  # the library's version stays with the infusion

            data = {"plan": plan_to_dict(plan), "policy": self.policy.id, "training": self.training,
                    "library": current_version()}
            if simulation is not None:
                data["simulation"] = dict(simulation)
            self._append(Event(0.0, "planned", "system", data))

    # ------------------------------------------------------------------ replay
    @classmethod
    def replay(cls, events: Sequence[dict | Event], policy: Policy | None = None,
               catalogue: Catalogue | None = None) -> Session:
        evs = [e if isinstance(e, Event) else Event.from_dict(e) for e in events]
        if not evs or evs[0].kind != "planned":
            raise SessionError("a session's first event must be 'planned'")
        first = evs[0]
        s = cls(plan_from_dict(first.data["plan"]), policy or get_policy(first.data.get("policy")),
                catalogue, training=bool(first.data.get("training")), simulation=first.data.get("simulation"),
                _record=False)
        for e in evs:
            s.folder.fold(e)
            s.events.append(e)
        return s

    # ------------------------------------------------------------------ reading: the plan and the volume
    @property
    def library(self) -> dict | None:
        """The drug library version this infusion was planned with ({"version", "hash"}); None in a
        record made before libraries had versions."""
        return self.events[0].data.get("library") if self.events else None

    @property
    def plans(self) -> list[Plan]:
        return self.replanner.plans

    @property
    def plan(self) -> Plan:
        return self.replanner.plan

    @property
    def original_plan(self) -> Plan:
        return self.replanner.original

    @property
    def rungs(self):
        return self.replanner.rungs

    @property
    def volume_ml(self) -> float:
        return self.progress.volume_ml

    @property
    def status(self) -> str:
        return self.state.status

    @property
    def age_years(self) -> float | None:
        """The patient's age, for grading a child's vitals by paediatric bands (None: an adult)."""
        return self.original_plan.request.age_years

    def delivered_ml(self, t: float) -> float:
        return self.progress.delivered_ml(t)

    def completion_at(self) -> float | None:
        return self.progress.completion_at()

    def volume_in(self, t: float) -> bool:
        return self.progress.volume_in(t)

    def pump_rate(self, t: float) -> float:
        return self.progress.pump_rate(t)

    def rate_segments(self, until: float | None = None) -> list[tuple[float, float, float]]:
        """Confirmed pump rates as (start, end, mL/h), pauses included as 0 (see PumpRecord)."""
        return self.pump_record.segments(until, self.completion_at())

    def allowed_rate(self, at: float, *, resume: bool = False) -> Allowed:
        return self.folder.allowed_rate(at, resume=resume)

    # ------------------------------------------------------------------ reading: what is due (Schedule)
    def due(self, t: float) -> Proposal | None:
        return self.schedule.due(t)

    def next_step_at(self) -> float | None:
        return self.schedule.next_step_at()

    def next_step(self, t: float) -> NextStep:
        return self.schedule.next_step(t)

    def next_due_at(self) -> float | None:
        return self.schedule.next_due_at()

    def vitals_due(self, t: float) -> tuple[float, str] | None:
        return self.schedule.vitals_due(t)

    def expected_end(self, t: float) -> float | None:
        return self.schedule.expected_end(t)

    def observation_ends_at(self) -> float | None:
        return self.schedule.observation_ends_at()

    def max_reached(self) -> bool:
        return self.schedule.max_reached()

    def day_fit(self, t: float, start_clock_min: float, settings: DaySettings | None = None) -> DayFit:
        """Does the expected finish still fit the day (closing time, longest infusion)? See day_fit."""
        from .day_fit import day_fit

        return day_fit(self.plan, start_clock_min, settings, self.expected_end(t), self.state.started_at or 0.0)

    # ------------------------------------------------------------------ reading: reactions (ReactionFlow)
    def early_warning(self, confused: bool | None = None) -> EarlyWarning | None:
        return self.reactions.early_warning(confused)

    def look_out_for(self) -> list[str]:
        return self.reactions.look_out_for()

    def start_holds(self) -> list[str]:
        """Why the start is held now: a vial of another product, a contraindication, a hold that
        waits for the prescriber's decision (empty: the infusion may start)."""
        return self.bedside.blocking() + self.holds.open()

    def baseline_notice(self) -> str:
        """Which rules are off for want of a baseline, and the request for one ('' when there is one)."""
        s = self.state
        if s.baseline is not None or s.status == "planned":
            return ""
        return ("No baseline vitals: these rules are off: " + "; ".join(self.catalogue.baseline_rules())
                + ". Record vitals as the baseline now.")

    # ------------------------------------------------------------------ intents
    def record_vitals(self, at: float, vitals: Vitals, who: str = "nurse", *, baseline: bool = False) -> Grading:
        """Record vitals; `baseline`: they are the baseline asked for after the start (when none was taken)."""
        s = self.state
        if baseline and s.baseline is not None:
            raise SessionError("a baseline is already recorded")
        becomes_baseline = s.baseline is None and (s.status == "planned" or baseline)
        # The baseline is compared with itself (no rise, no fall, no new oxygen); later readings with it.
        grading = self.catalogue.grade_vitals(vitals, vitals if becomes_baseline else s.baseline, self.age_years)
        data: dict = {"vitals": vitals.to_dict(), "grade": grading.grade}
        warning = self.reactions.news2.score({**s.latest, **vitals.values()}) \
            if self.reactions.news2.applies(self.age_years) else None
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

    def start(self, at: float, who: str = "nurse", second: str = "") -> None:
        """Start at the first step. A vial of another product, a contraindication, or a hold the
        prescriber has not decided on blocks it; where the unit asks for one, a second nurse's
        name checks the pump setting."""
        if self.state.status != "planned":
            raise SessionError(f"the infusion has already started ({self.state.status})")
        blocked = self.start_holds()
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
        data: dict = {"symptoms": list(symptoms)}
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
        data: dict = {"delivered_ml": round(self.volume_ml, 4)}
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
        early = ends is not None and at < ends - EPS
        if early and not reason.strip():
            raise SessionError(f"the {OBSERVATION_MIN:g}-minute observation runs {(ends or at) - at:.0f} min more; "
                               f"closing it early needs a reason")
        self._append(Event(at, "observed", who, {"early": reason.strip()} if early else {}))

    def note(self, at: float, text: str, who: str = "nurse") -> None:
        self._append(Event(at, "note", who, {"text": text}))

    def apply(self, e: Event) -> None:
        """Append an event recorded elsewhere (a trainee's run, a journal, the intents of
        bedside, holds, prescriber_rate and quitting), validated like any other."""
        self._append(e)

    # ------------------------------------------------------------------ internals
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
        if self.state.status == "closed" and not after_close(e):
            raise SessionError("this infusion is closed")
        self.folder.fold(e)  # validates before the event is kept
        self.events.append(e)
        for fn in self.listeners:
            fn(e)


def _double_check():
    from .unit_settings import load_unit_settings

    return load_unit_settings().double_check
