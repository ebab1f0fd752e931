"""One chair (as in Acconeer's AppModel): a QObject around the core's chair that emits `sig_*`.

Widgets render what the chair says and send the nurse's intents to it. Every intent goes to the
core (`titration.chair.Chair`), which answers done or the reasons it was refused; this object
only adds time (a clock, the one clock every view of this chair shows), turns a refusal into
`sig_error`, and publishes one new `ChairState` (`state`, `titration.chair_state`) per change.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal

from titration.alerts import Alert
from titration.chair import Chair, Outcome
from titration.chair_state import ChairFacts, ChairState
from titration.errors import TitrationError
from titration.reactions import Catalogue
from titration.session import Session
from titration.session_events import Event
from titration.store.base import JournalError
from titration.timefmt import after_start_seconds, session_time
from ui.chair.summary import ChairSummary, summary_of
from ui.chart.feed import ChartFeed


@dataclass
class PatientInfo:
    """What the chair shows about the patient; clinical values live in the plan's request."""

    identifier: str = ""
    age_band: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.identifier or "patient (no identifier)"


class ChairModel(QObject):
    """One chair: the core's chair (a Session, its facts, its alerts) and its clock."""

    sig_changed = Signal()  # the infusion's state changed (an intent, or the volume completing)
    sig_tick = Signal(float)  # session minutes now
    sig_error = Signal(str)  # one line for the nurse; never a traceback
    sig_journal_failed = Signal(str)  # loud: what is on screen is not saved
    sig_utterances = Signal(list)  # training: what the simulated patient says
    sig_alerts = Signal(list)  # the alerts due (silenced ones included), when they change

    def __init__(self, name: str, session: Session, clock, *, wall_start: float | None = None,
                 patient: PatientInfo | None = None, training_run=None, journal_id=None,
                 scenario_title: str = "", parent=None):
        super().__init__(parent)
        self.name = name
        self.session = session
        self.clock = clock
        self.wall_start = wall_start
        self.patient = patient or PatientInfo()
        self.run = training_run
        self.journal_id = journal_id
        self.scenario_title = scenario_title
        self.training = bool(session.training or training_run is not None)
        # speed 1: a chair's own screens show its session on its own (simulated) clock
        self.core = Chair(session, ChairFacts(name, self.patient.label, wall_start, 1.0, self.training),
                          journal_errors=(JournalError,))
        self.now = self._now_raw()
        self.state: ChairState = self.core.snapshot(self.now)  # the snapshot every view draws
        self.chart_feed = ChartFeed(session)  # what the chair's chart draws, one frame per change

    @property
    def unsaved_from(self) -> int | None:
        """The first event the journal failed to save (None: every event is saved)."""
        return self.core.unsaved_from

    def mark_unsaved(self) -> None:
        """No journal record could be opened: every row of this chair is unsaved."""
        self.core.unsaved_from = 0

    # ------------------------------------------------------------------ time: one clock for every view
    def _now_raw(self) -> float:
        return float(self.clock.now())

    def time_now(self) -> float:
        """Now, never before the last recorded event (the core keeps events in time order)."""
        return self.core.at(self._now_raw())

    def clock_text(self, t_min: float | None) -> str:
        """A session time as a time of day (HH:MM), or +h:mm from the start when no wall start is known."""
        return session_time(t_min, self.wall_start)

    def elapsed_at(self, t_min: float) -> str:
        """'+0:42:00' since the pump start for an event's time; '' before the start."""
        return after_start_seconds(t_min, self.session.state.started_at)

    # ------------------------------------------------------------------ what the widgets are built with
    @property
    def catalogue(self) -> Catalogue:
        """The symptom catalogue this infusion is graded by (the vitals and symptoms panels are built with it)."""
        return self.session.catalogue

    @property
    def age_years(self) -> float | None:
        return self.session.age_years

    def events_from(self, first: int) -> tuple[Event, ...]:
        """The events from `first` on (the event log appends only these: a tick costs the same however long
        the record is)."""
        return tuple(self.session.events[first:])

    # ------------------------------------------------------------------ intents: the core answers, we publish
    def _publish(self, out: Outcome):
        """Say a refusal, or a failed save, then publish the new snapshot; returns the intent's value."""
        if not out.done:
            self.sig_error.emit(out.message)
            return None
        if out.not_saved:
            self.sig_journal_failed.emit(out.not_saved)
        self._update_alerts()
        self.sig_changed.emit()
        return out.value

    def record_vitals(self, vitals, baseline: bool = False):
        """Record vitals; `baseline`: the baseline the core asked for (the infusion started without one)."""
        return self._publish(self.core.record_vitals(self._now_raw(), vitals, baseline))

    def start(self, second: str = ""):
        return self._publish(self.core.start(self._now_raw(), second))

    def _answer(self, out: Outcome) -> Outcome:
        """Publish as every intent does, and hand back the core's answer itself (done, or refused with the
        reasons): the view acts on it, never on what an error label happens to say."""
        self._publish(out)
        return out

    def report_symptoms(self, ids: list[str], vitals=None) -> Outcome:
        return self._answer(self.core.report_symptoms(self._now_raw(), list(ids), vitals))

    def resolved(self):
        return self._publish(self.core.resolved(self._now_raw()))

    def proposal(self):
        """What is due now: the core's proposal, or the start while the infusion is planned."""
        return self.session.due(self.time_now())

    def confirm(self):
        """The nurse confirms: the pump was set as shown (or the infusion started)."""
        return self._publish(self.core.confirm(self._now_raw()))

    def override(self, action: str, rate_ml_h: float, reason: str, second: str = "") -> Outcome:
        return self._answer(self.core.override(self._now_raw(), action, rate_ml_h, reason, second))

    def record_checklist(self, result):
        """The checklist's answers, blocks and holds, journaled before the start."""
        return self._publish(self.core.record_checklist(self._now_raw(), result))

    def prescriber_decision(self, prescriber: str, decision: str, note: str = ""):
        return self._publish(self.core.prescriber_decision(self._now_raw(), prescriber, decision, note))

    def prescriber_rate(self, entry) -> Outcome:
        """A prescriber's new maximum or rate: the core's answer itself (done, or refused with the reasons)."""
        return self._answer(self.core.prescriber_rate(self._now_raw(), entry))

    def quit(self, pump: str):
        """The app is being quit on purpose: journal what this pump does meanwhile."""
        return self._publish(self.core.quit(self._now_raw(), pump))

    # ------------------------------------------------------------------ the bedside record (titration/bedside.py)
    def sign_in(self, name: str, initials: str, from_list: bool = False):
        """This nurse now does what is recorded at this chair (a closed chair's record is left as it is)."""
        if self.session.status == "closed":
            return None
        return self._publish(self.core.sign_in(self._now_raw(), name, initials, from_list))

    def add_vial(self, vial, today):
        return self._publish(self.core.add_vial(self._now_raw(), vial, today))

    def remove_vial(self, number: int, reason: str):
        return self._publish(self.core.remove_vial(self._now_raw(), number, reason))

    def give_premedication(self, drug: str, dose: float, unit: str, route: str, given_min: float,
                           from_list: bool = False):
        return self._publish(self.core.give_premedication(self._now_raw(), drug, dose, unit, route, given_min,
                                                          from_list))

    def pause(self, reason: str = "") -> Outcome:
        return self._answer(self.core.pause(self._now_raw(), reason))

    def resume(self):
        return self._publish(self.core.resume(self._now_raw()))

    def stop(self, reason: str) -> Outcome:
        return self._answer(self.core.stop(self._now_raw(), reason))

    def close_observation(self, reason: str = "") -> Outcome:
        return self._answer(self.core.close_observation(self._now_raw(), reason))

    def note(self, text: str):
        return self._publish(self.core.note(self._now_raw(), text))

    # ------------------------------------------------------------------ training clock
    @property
    def sim_held(self) -> bool:
        return bool(getattr(self.clock, "held", False))

    @property
    def speed(self) -> float:
        return float(getattr(self.clock, "speed", 1.0))

    def hold_simulation(self, hold: bool) -> None:
        """Pause the simulation clock (training only). This is not pausing the infusion."""
        if not self.training:
            return
        if hold and hasattr(self.clock, "hold"):
            self.clock.hold()
        elif not hold and hasattr(self.clock, "release"):
            self.clock.release()
        self.sig_changed.emit()

    def set_speed(self, speed: float) -> None:
        if self.training and hasattr(self.clock, "set_speed"):
            self.clock.set_speed(speed)
            self.sig_changed.emit()

    # ------------------------------------------------------------------ ticking and alerts
    def tick(self) -> float:
        now = self._now_raw()
        s = self.session
        # Nothing is recorded by the clock: the end of the infusion is due (and confirmed by the nurse).
        if self.run is not None and s.status in ("planned", "running", "paused", "completed", "stopped"):
            try:
                said = self.run.advance(now)
            except TitrationError as exc:  # the simulator must not take the chair down
                said = []
                self.sig_error.emit(f"Simulated patient: {exc}")
            if said:
                self.sig_utterances.emit(list(said))
        self.now = now
        self._update_alerts()
        self.sig_tick.emit(now)
        return now

    def alerts(self) -> list[Alert]:
        """Everything due on this chair now, silenced or not (it stays shown until done)."""
        return list(self.state.alerts)

    @property
    def ringing(self) -> bool:
        """An alert of this chair that nobody has acknowledged (it flashes and beeps)."""
        return self.state.ringing

    def acknowledge(self) -> None:
        """Silence this chair's ringing alerts for a while (journaled); other chairs keep ringing."""
        out = self.core.acknowledge(self._now_raw())
        if out.done:
            self._publish(out)

    def _update_alerts(self) -> None:
        """A new snapshot; the alerts signal when what the strip shows changed."""
        before = self.state.alerts
        self.state = self.core.snapshot(max(self._now_raw(), self.now))
        if self.state.alerts != before:
            self.sig_alerts.emit(self.alerts())

    # ------------------------------------------------------------------ summary for the board and the list
    def summary(self) -> ChairSummary:
        return summary_of(self.state, key=id(self))
