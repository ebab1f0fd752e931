"""A chair in the core: one infusion (a Session), what only the chair knows, and its alerts.

The nurse's intents live here, each returning an `Outcome`: done, or the reasons it was refused,
in the nurse's words, so a screen never reads an error label to learn what happened. After any
intent, `snapshot(now)` gives the one immutable `ChairState` every view draws. A GUI wraps this
in a thin object that calls an intent, then publishes the new snapshot; a headless caller (a
test, a simulation) uses it as it is. Times are session minutes: the caller owns the clock.

An intent whose event the journal could not save (the journal listens to the session and raises)
is done, but `not_saved` says so: the event is in memory and on screen, and the chair must show
NOT SAVED until the journal writes it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from .alerts import AlertBook, due_alerts
from .chair_state import ChairFacts, ChairState, Intents
from .errors import SessionError, TitrationError
from .session import Session
from .snapshot import chair_state
from .snapshot_cache import SnapshotCache
from .vitals import Vitals


@dataclass(frozen=True)
class Outcome:
    """What an intent did: done (with its value), or refused with the reasons."""

    done: bool
    refusals: tuple[str, ...] = ()  # one line each, in the nurse's words ("Pause: only a running ...")
    not_saved: str = ""  # done here, but the journal could not save it: say NOT SAVED, keep a paper record
    value: Any = None  # what the intent gives back (a Grading, a Proposal, a vial)

    def __bool__(self) -> bool:
        return self.done

    @property
    def message(self) -> str:
        return "; ".join(self.refusals)


INTENT_NAMES = ("start", "confirm", "override", "pause", "resume", "stop", "increase", "report_symptoms",
                "record_vitals", "resolve", "close_observation", "prescriber_decision", "prescriber_rate")


def refused(*reasons: str) -> Outcome:
    return Outcome(False, tuple(reasons))


class Chair:
    def __init__(self, session: Session, facts: ChairFacts, *, alerts: AlertBook | None = None,
                 journal_errors: tuple[type[BaseException], ...] = ()) -> None:
        self.session = session
        self.facts = facts
        self.book = alerts if alerts is not None else AlertBook()
        # The journal's own error types (titration.store.base.JournalError): an event it failed
        # to save is still recorded here. Passed in, so the core does not import the store.
        self.journal_errors = journal_errors
        self.unsaved_from: int | None = None  # the first event the journal failed to save
        self.read_only = ""  # why every intent is refused here ("driven from workstation X: read-only here")
        self.cache = SnapshotCache()  # the forecast once per plan, the record after the end once per event

    # ------------------------------------------------------------------ the snapshot
    def update_alerts(self, now: float) -> bool:
        """Take the alerts due now; True when what the alert strip shows changed."""
        return self.book.update(due_alerts(self.session, self.at(now)), now)

    def snapshot(self, now: float) -> ChairState:
        """The chair at `now` (session minutes), with the alerts the nurse silenced. A chair driven
        elsewhere (read_only) allows no intent here, and says why."""
        self.update_alerts(now)
        state = chair_state(self.session, self.facts, self.at(now), self.book.quiet_until, self.cache)
        if self.read_only:
            why = tuple((name, self.read_only) for name in INTENT_NAMES)
            state = replace(state, read_only=self.read_only, intents=Intents(
                can_report_symptoms=False, can_record_vitals=False, why_not=why))
        return state

    def at(self, now: float) -> float:
        """Now, never before the last recorded event (the core keeps events in time order)."""
        ev = self.session.events
        return max(now, ev[-1].at_min) if ev else now

    # ------------------------------------------------------------------ running an intent
    def _do(self, what: str, fn: Callable[[], Any]) -> Outcome:
        """Run one intent: refused (nothing recorded) with the reason, or done with its value."""
        if self.read_only:
            return refused(f"{what}: {self.read_only}")
        n_before = len(self.session.events)
        try:
            value = fn()
        except TitrationError as exc:
            if len(self.session.events) > n_before and isinstance(exc, self.journal_errors):
                if self.unsaved_from is None:
                    self.unsaved_from = n_before
                return Outcome(True, (), f"NOT SAVED: the journal could not record this ({exc}). Keep a paper "
                                         f"record of this infusion until the journal is fixed.")
            return refused(f"{what}: {exc}")
        return Outcome(True, value=value)

    # ------------------------------------------------------------------ the nurse's intents
    def start(self, now: float, second: str = "") -> Outcome:
        s = self.session

        def run() -> None:
            if s.status == "planned" and s.state.baseline is None:
                raise SessionError("record the baseline vitals first")
            s.start(self.at(now), second=second)
        return self._do("Start", run)

    def confirm(self, now: float) -> Outcome:
        """The nurse confirms: the pump was set as shown (or the infusion started)."""
        s = self.session
        if s.status == "planned":
            return self.start(now)
        t = self.at(now)

        def run() -> None:
            p = s.due(t)
            if p is None:
                raise SessionError("nothing is due now")
            s.confirm(t, p)
        return self._do("Confirm", run)

    def override(self, now: float, action: str, rate_ml_h: float, reason: str, second: str = "") -> Outcome:
        s, t = self.session, self.at(now)

        def run() -> None:
            p = s.due(t)
            if p is None:
                raise SessionError("there is no proposal to override")
            if p.action == "stop" and action != "stop":
                raise SessionError("a stop cannot be overridden (a severe reaction or the policy's stop)")
            s.override(t, p, action, rate_ml_h, reason, second=second)
        return self._do("Override", run)

    def record_vitals(self, now: float, vitals: Vitals, baseline: bool = False) -> Outcome:
        return self._do("Vitals", lambda: self.session.record_vitals(self.at(now), vitals, baseline=baseline))

    def report_symptoms(self, now: float, ids: list[str], vitals: Vitals | None = None) -> Outcome:
        def run():
            if not ids:
                raise SessionError("tick at least one symptom first")
            return self.session.report_symptoms(self.at(now), list(ids), vitals)
        return self._do("Symptoms", run)

    def resolved(self, now: float) -> Outcome:
        return self._do("Symptoms resolved", lambda: self.session.resolved(self.at(now)))

    def pause(self, now: float, reason: str = "") -> Outcome:
        return self._do("Pause", lambda: self.session.pause(self.at(now), reason))

    def resume(self, now: float) -> Outcome:
        return self._do("Resume", lambda: self.session.resume(self.at(now)))

    def stop(self, now: float, reason: str) -> Outcome:
        def run() -> None:
            if not reason.strip():
                raise SessionError("give a reason for stopping")
            self.session.stop(self.at(now), reason)
        return self._do("Stop", run)

    def close_observation(self, now: float, reason: str = "") -> Outcome:
        return self._do("Close observation", lambda: self.session.close_observation(self.at(now), reason=reason))

    def note(self, now: float, text: str) -> Outcome:
        return self._do("Note", lambda: self.session.note(self.at(now), text))

    def acknowledge(self, now: float) -> Outcome:
        """Silence this chair's ringing alerts for a while (journaled); other chairs keep ringing."""
        t = self.at(now)

        def run():
            self.update_alerts(t)
            done = self.book.acknowledge(t)
            if not done:
                raise SessionError("nothing is ringing on this chair")
            if self.session.status != "closed":
                self.session.note(t, "Alert acknowledged: " + "; ".join(a.text for a in done))
            return done
        return self._do("Acknowledge", run)

    # ------------------------------------------------------------------ the bedside record (bedside.py)
    def sign_in(self, now: float, name: str, initials: str, from_list: bool = False) -> Outcome:
        """This nurse now does what is recorded at this chair (a closed chair's record is left as it is)."""
        from .bedside import sign_in

        if self.session.status == "closed" and not self.read_only:
            return Outcome(True)

        return self._do("Sign in", lambda: sign_in(self.session, self.at(now), name, initials, from_list))

    def add_vial(self, now: float, vial, today: date) -> Outcome:
        from .bedside import add_vial
        from .products import load_library

        return self._do("Vial", lambda: add_vial(self.session, self.at(now), vial, today, load_library()))

    def remove_vial(self, now: float, number: int, reason: str) -> Outcome:
        from .bedside import remove_vial

        return self._do("Remove vial", lambda: remove_vial(self.session, self.at(now), number, reason))

    def give_premedication(self, now: float, drug: str, dose: float, unit: str, route: str, given_min: float,
                           from_list: bool = False) -> Outcome:
        from .bedside import give_premedication

        return self._do("Premedication", lambda: give_premedication(self.session, self.at(now), drug, dose, unit,
                                                                    route, given_min, from_list))

    # ------------------------------------------------------------------ the prescriber (holds.py, prescriber_rate.py)
    def record_checklist(self, now: float, result) -> Outcome:
        """The pre-infusion checklist (checklist.ChecklistResult), journaled: its contraindications block
        the start, its holds wait for the prescriber's decision."""
        from .session_events import Event

        return self._do("Checklist", lambda: self.session.apply(Event(self.at(now), "checklist", "nurse",
                                                                      result.event_data())))

    def prescriber_decision(self, now: float, prescriber: str, decision: str, note: str = "") -> Outcome:
        """"Discussed with the prescriber: start / do not start", with the prescriber's name."""
        from .holds import decision_data
        from .session_events import Event

        s = self.session

        def record() -> None:
            if s.status != "planned":
                raise SessionError("the infusion has already started")
            s.apply(Event(self.at(now), "prescriber", "nurse",
                          decision_data(prescriber, decision, s.holds.undecided(), note)))
        return self._do("Prescriber's decision", record)

    def prescriber_rate(self, now: float, entry) -> Outcome:
        """A prescriber's new maximum or rate (prescriber_rate.PrescriberRate), checked and journaled."""
        from .prescriber_rate import record_prescriber_rate

        return self._do("Prescriber's new rate", lambda: record_prescriber_rate(self.session, self.at(now), entry))

    def quit(self, now: float, pump: str) -> Outcome:
        """The app is quit on purpose: journal what this chair's pump will do meanwhile (reopen.py)."""
        from .reopen import record_quit

        if self.session.status not in ("running", "paused") and not self.read_only:
            return Outcome(True)
        return self._do("Quit", lambda: record_quit(self.session, self.at(now), pump))

