"""The application model (as in Acconeer's AppModel): QObjects that own the infusions and emit `sig_*`.

Widgets render what the model says and send the nurse's intents to it. The model asks the core
(titration.session) for every clinical answer; it adds no arithmetic of its own, only time (a
clock) and the bookkeeping of which alerts the nurse has acknowledged.

Time runs on the GUI thread: one QTimer ticks every chair (PySide6 >= 6.8 crashes when signals
are emitted from worker threads). Tests pass a ManualClock and call `tick()` themselves.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QTimer, Signal

from titration.clock import SourceClock
from titration.errors import TitrationError
from titration.session import Session


def journal_error_types() -> tuple[type, ...]:
    """JournalError, if the journal module is there (it is built alongside the GUI)."""
    try:
        from titration.store.journal import JournalError  # noqa: PLC0415
        return (JournalError,)
    except Exception:  # noqa: BLE001 - a missing or broken journal module must not stop the GUI
        return ()


@dataclass
class PatientInfo:
    """What the chair shows about the patient; clinical values live in the plan's request."""

    identifier: str = ""
    age_band: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.identifier or "patient (no identifier)"


@dataclass(frozen=True)
class Alert:
    key: tuple
    kind: str  # step | reaction | vitals | observation
    text: str


class ChairModel(QObject):
    """One chair: its infusion (a core Session), its clock, its alerts."""

    sig_changed = Signal()  # the infusion's state changed (an intent, or the volume completing)
    sig_tick = Signal(float)  # session minutes now
    sig_error = Signal(str)  # one line for the nurse; never a traceback
    sig_journal_failed = Signal(str)  # loud: what is on screen is not saved
    sig_utterances = Signal(list)  # training: what the simulated patient says
    sig_alerts = Signal(list)  # the unacknowledged alerts, when they change

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
        self.unsaved_from: int | None = None  # first event index the journal failed to save
        self._acked: set[tuple] = set()
        self._alerts: list[Alert] = []
        self.now = self._now_raw()

    # ------------------------------------------------------------------ time
    def _now_raw(self) -> float:
        return float(self.clock.now())

    def time_now(self) -> float:
        """Now, never before the last recorded event (the core keeps events in time order)."""
        t = self._now_raw()
        if self.session.events:
            t = max(t, self.session.events[-1].at_min)
        return t

    def wall_at(self, t_min: float) -> float | None:
        return None if self.wall_start is None else self.wall_start + t_min * 60.0

    def clock_text(self, t_min: float | None) -> str:
        """A session time as a clock time (HH:MM), or +h:mm from the start when no wall start is known."""
        if t_min is None:
            return "—"
        w = self.wall_at(t_min)
        if w is None:
            m = int(round(t_min))
            return f"+{m // 60}:{m % 60:02d}"
        return time.strftime("%H:%M", time.localtime(w))

    # ------------------------------------------------------------------ intents
    def _do(self, what: str, fn, *args, **kwargs):
        n_before = len(self.session.events)
        try:
            result = fn(*args, **kwargs)
        except journal_error_types() as exc:
            self._journal_failed(n_before, exc)
            result = None
        except TitrationError as exc:
            self.sig_error.emit(f"{what}: {exc}")
            return None
        except Exception as exc:  # noqa: BLE001 - the last guard: one line, never a traceback
            if len(self.session.events) > n_before and type(exc).__name__.endswith("JournalError"):
                self._journal_failed(n_before, exc)
            else:
                self.sig_error.emit(f"{what} failed: {type(exc).__name__}: {exc}")
                return None
        self._update_alerts()
        self.sig_changed.emit()
        return result

    def _journal_failed(self, n_before: int, exc: Exception) -> None:
        if self.unsaved_from is None:
            self.unsaved_from = n_before
        self.sig_journal_failed.emit(
            f"NOT SAVED: the journal could not record this ({exc}). Keep a paper record of this infusion "
            f"until the journal is fixed.")

    def record_vitals(self, vitals):
        return self._do("Vitals", self.session.record_vitals, self.time_now(), vitals)

    def start(self):
        return self._do("Start", self.session.start, self.time_now())

    def report_symptoms(self, ids: list[str], vitals=None):
        if not ids:
            self.sig_error.emit("Symptoms: tick at least one symptom first")
            return None
        return self._do("Symptoms", self.session.report_symptoms, self.time_now(), list(ids), vitals)

    def resolved(self):
        return self._do("Symptoms resolved", self.session.resolved, self.time_now())

    def proposal(self):
        """What is due now: the core's proposal, or the start while the infusion is planned."""
        return self.session.due(self.time_now())

    def confirm(self):
        """The nurse confirms: the pump was set as shown (or the infusion started)."""
        s = self.session
        if s.status == "planned":
            if s.state.baseline is None:
                self.sig_error.emit("Start: record the baseline vitals first")
                return None
            return self.start()
        t = self.time_now()
        p = s.due(t)
        if p is None:
            self.sig_error.emit("Confirm: nothing is due now")
            return None
        self._ack_matching("due")
        return self._do("Confirm", s.confirm, t, p)

    def override(self, action: str, rate_ml_h: float, reason: str):
        t = self.time_now()
        p = self.session.due(t)
        if p is None:
            self.sig_error.emit("Override: there is no proposal to override")
            return None
        self._ack_matching("due")
        return self._do("Override", self.session.override, t, p, action, rate_ml_h, reason)

    def pause(self, reason: str = ""):
        return self._do("Pause", self.session.pause, self.time_now(), reason)

    def resume(self):
        return self._do("Resume", self.session.resume, self.time_now())

    def stop(self, reason: str):
        if not reason.strip():
            self.sig_error.emit("Stop: give a reason for stopping")
            return None
        return self._do("Stop", self.session.stop, self.time_now(), reason)

    def close_observation(self, reason: str = ""):
        return self._do("Close observation", self.session.close_observation, self.time_now(), reason=reason)

    def note(self, text: str):
        return self._do("Note", self.session.note, self.time_now(), text)

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
        changed = False
        if s.status == "running":
            n = len(s.events)
            try:
                s.tick(max(now, s.events[-1].at_min))
            except journal_error_types() as exc:
                self._journal_failed(n, exc)
            except TitrationError as exc:
                self.sig_error.emit(str(exc))
            changed = len(s.events) != n
        if self.run is not None and s.status in ("planned", "running", "paused", "completed", "stopped"):
            try:
                said = self.run.advance(now)
            except Exception as exc:  # noqa: BLE001 - the simulator must not take the chair down
                said = []
                self.sig_error.emit(f"Simulated patient: {exc}")
            if said:
                self.sig_utterances.emit(list(said))
        self.now = now
        self._update_alerts()
        if changed:
            self.sig_changed.emit()
        self.sig_tick.emit(now)
        return now

    def alerts(self) -> list[Alert]:
        return list(self._alerts)

    def acknowledge(self) -> None:
        """Silence the current alerts (a new alert flashes again)."""
        for a in self._alerts:
            self._acked.add(a.key)
        self._update_alerts()

    def _ack_matching(self, kind: str) -> None:
        for a in self._alerts:
            if a.key[0] == kind:
                self._acked.add(a.key)

    def _current_alerts(self) -> list[Alert]:
        s, t = self.session, self._now_raw()
        out = []
        if s.status in ("running", "paused"):
            p = s.due(t)
            if p is not None:
                kind = "step" if p.action == "increase" and p.grade == "none" else "reaction"
                out.append(Alert(("due", p.action, p.rate_ml_h, p.rung, p.reason), kind, f"DUE NOW: {p.reason}"))
        if s.status in ("running", "paused", "completed", "stopped"):
            v = s.vitals_due(t)
            if v is not None and v[0] <= t + 1e-9:
                out.append(Alert(("vitals", round(v[0], 3), v[1]), "vitals", f"VITALS DUE: {v[1]}"))
        if s.status in ("completed", "stopped"):
            end = s.observation_ends_at()
            if end is not None and t >= end:
                out.append(Alert(("observation", round(end, 3)), "observation",
                                 "OBSERVATION HOUR OVER: record the end vitals and close the observation"))
        return [a for a in out if a.key not in self._acked]

    def _update_alerts(self) -> None:
        new = self._current_alerts()
        if [a.key for a in new] != [a.key for a in self._alerts]:
            self._alerts = new
            self.sig_alerts.emit(list(new))

    # ------------------------------------------------------------------ summary for the chair list
    def summary(self) -> dict:
        s, t = self.session, self.now
        p = s.due(t) if s.status in ("running", "paused") else None
        if s.status == "planned":
            nxt = "start (baseline vitals first)" if s.state.baseline is None else "start"
        elif p is not None:
            nxt = f"NOW: {p.action} {p.rate_ml_h:g} mL/h"
        else:
            at = s.next_due_at()
            v = s.vitals_due(t)
            cands = []
            if at is not None:
                cands.append((at, "review" if s.state.reaction is not None else "step"))
            if v is not None:
                cands.append((v[0], "vitals"))
            if s.status in ("completed", "stopped") and s.observation_ends_at() is not None:
                cands.append((s.observation_ends_at(), "observation ends"))
            nxt = ", ".join(f"{what} {self.clock_text(a)}" for a, what in sorted(cands)[:2]) or "—"
        return {
            "chair": self.name,
            "patient": self.patient.label,
            "product": s.original_plan.product_name,
            "rate": f"{s.state.rate_ml_h:g} mL/h",
            "state": s.status,
            "next": nxt,
            "finish": self.clock_text(s.expected_end(t)),
            "training": self.training,
        }


class AppModel(QObject):
    """All chairs, the journal, and the one GUI-thread timer that drives them."""

    sig_chair_added = Signal(object)
    sig_chair_removed = Signal(object)
    sig_notice = Signal(str)  # a message for the nurse (journal moved aside, recovery ...)
    sig_tick = Signal()

    def __init__(self, journal=None, *, clock_factory=None, wall=time.time, tick_ms: int = 250,
                 autostart: bool = True, parent=None):
        super().__init__(parent)
        self.journal = journal
        self.chairs: list[ChairModel] = []
        self.wall = wall
        self._clock_factory = clock_factory or self._real_clock
        self._n = 0
        self.timer = QTimer(self)
        self.timer.setInterval(tick_ms)
        self.timer.timeout.connect(self.tick)
        self.alive_timer = QTimer(self)
        self.alive_timer.setInterval(30_000)
        self.alive_timer.timeout.connect(self.heartbeat)
        if autostart:
            self.timer.start()
            self.alive_timer.start()

    @staticmethod
    def _real_clock(start_min: float = 0.0, speed: float = 1.0, training: bool = False):
        # monotonic: immune to the wall clock being reset during an infusion
        return SourceClock(time.monotonic, start_min=start_min, speed=speed)

    def make_clock(self, start_min: float = 0.0, speed: float = 1.0, training: bool = False):
        return self._clock_factory(start_min=start_min, speed=speed, training=training)

    def tick(self) -> None:
        for c in list(self.chairs):
            c.tick()
        self.sig_tick.emit()

    def next_chair_name(self) -> str:
        self._n += 1
        used = {c.name for c in self.chairs}
        while f"Chair {self._n}" in used:
            self._n += 1
        return f"Chair {self._n}"

    def add_chair(self, session: Session, *, patient: PatientInfo | None = None, training_run=None,
                  speed: float = 1.0, start_min: float = 0.0, wall_start: float | None = None,
                  name: str | None = None, journal_id=None, scenario_title: str = "",
                  attach: bool = True) -> ChairModel:
        """Put an infusion in a chair; journal it (attach) before anything else is recorded."""
        name = name or self.next_chair_name()
        if wall_start is None:
            wall_start = self.wall() - start_min * 60.0
        clock = self.make_clock(start_min=start_min, speed=speed, training=session.training)
        if attach and self.journal is not None and journal_id is None:
            try:
                journal_id = self.journal.attach(session, chair=name, patient_id=(patient.identifier if patient else "") or None,
                                                 training=session.training, wall_start=wall_start, speed=speed)
            except Exception as exc:  # noqa: BLE001 - said loudly, the chair still opens
                self.sig_notice.emit(f"NOT SAVED: the journal could not open a record for {name} ({exc}). "
                                     f"Keep a paper record.")
        chair = ChairModel(name, session, clock, wall_start=wall_start, patient=patient, training_run=training_run,
                           journal_id=journal_id, scenario_title=scenario_title, parent=self)
        if journal_id is None:  # no journal, or it could not open a record: every row says so
            chair.unsaved_from = 0
        self.chairs.append(chair)
        self.sig_chair_added.emit(chair)
        chair.tick()
        return chair

    def new_infusion(self, spec) -> ChairModel:
        """A real infusion from the new-infusion form: checklist and baseline vitals recorded first."""
        from titration.policy import get_policy  # noqa: PLC0415

        session = Session(spec.plan, get_policy(spec.policy_id))
        chair = self.add_chair(session, patient=spec.patient)
        chair.note(spec.checklist.record())
        chair.record_vitals(spec.baseline)
        return chair

    def new_training(self, scenario_path: str, speed: float = 10.0, seed: int = 0) -> ChairModel | None:
        """A training simulation in its own chair (journaled apart: training=True)."""
        from titration.training.scenario import read_scenario  # noqa: PLC0415
        from ui import optional  # noqa: PLC0415

        mod = optional.load("titration.training.run")
        if mod is None:
            raise TitrationError(f"training mode is not available ({optional.missing().get('titration.training.run')})")
        sc = read_scenario(scenario_path)
        run = mod.TrainingRun(sc, seed=seed)
        return self.add_chair(run.session, training_run=run, speed=speed, scenario_title=sc.title,
                              patient=PatientInfo(f"SIMULATED: {sc.title}"))

    def recover_unfinished(self, ask) -> list[str]:
        """Reopen every unfinished infusion in its chair; `ask(recovered, now_wall)` -> 'ran'|'stopped'|None.

        Returns the lines to show the nurse. An unanswered question leaves the infusion in the
        journal, to be offered again at the next start.
        """
        from ui import optional  # noqa: PLC0415

        rec_mod = optional.load("titration.store.recovery")
        if self.journal is None or rec_mod is None:
            return []
        said = []
        answers = []
        # Every question first, then the chairs: no reopened chair's countdown runs behind a question.
        for rec in self.journal.unfinished():
            pump = None
            if rec_mod.needs_answer(rec):
                pump = ask(rec, self.wall())
                if pump is None:
                    said.append(f"{rec.chair}: not reopened (what the pump did was not answered); "
                                f"it will be offered again at the next start.")
                    continue
            answers.append((rec, pump))
        for rec, pump in answers:
            now_wall = self.wall()
            # before recover(): it appends to the same session, which moves rec's "last event"
            now_min = rec_mod.minutes_now(rec, now_wall)
            heard_until = rec.last_at_min
            away = rec_mod.away_minutes(rec, now_wall)
            try:
                session = rec_mod.recover(rec, now_wall, pump)
            except TitrationError as exc:
                said.append(f"{rec.chair}: could not be reopened: {exc}")
                continue
            start = max(now_min, session.events[-1].at_min)
            run, lost = self._simulation_of(session, start, heard_until) if session.training else (None, "")
            self.add_chair(session, name=rec.chair if rec.chair not in {c.name for c in self.chairs} else None,
                           patient=PatientInfo(f"SIMULATED: {run.scenario.title}" if run else rec.patient_id or ""),
                           speed=rec.speed, start_min=start, wall_start=rec.wall_start, training_run=run,
                           scenario_title=run.scenario.title if run else "")
            said.append(f"{rec.chair}: reopened after {away:.0f} min away"
                        + (f" (pump {pump})" if pump else "") + "." + lost)
        return said

    def take_over(self, uid: str, pump: str | None, reason: str) -> ChairModel:
        """Drive here a chair of the unit board whose workstation has gone (its lease expired),
        once the nurse has said what the pump did and why (titration.store.takeover)."""
        from titration.store.takeover import take_over  # noqa: PLC0415

        t = take_over(self.journal, uid, pump=pump, reason=reason, now_wall=self.wall())
        return self.add_chair(t.session, name=t.chair if t.chair not in {c.name for c in self.chairs} else None,
                              patient=PatientInfo(t.patient_id or ""), speed=t.speed, start_min=t.now_min,
                              wall_start=t.wall_start, journal_id=t.id)

    @staticmethod
    def _simulation_of(session: Session, now: float, heard_until: float):
        """(the training run with its simulated patient, '') or (None, why it could not be rebuilt)."""
        from ui import optional  # noqa: PLC0415

        mod = optional.load("titration.training.run")
        if mod is None:
            return None, " The simulated patient is not available (training mode is not installed)."
        try:
            return mod.TrainingRun.resume(session, now, heard_until), ""
        except TitrationError as exc:
            return None, f" The simulated patient could not be brought back: {exc}."

    def heartbeat(self) -> None:
        """Tell the journal the app is alive, so recovery knows how long it was away."""
        if self.journal is None or not hasattr(self.journal, "alive"):
            return
        try:
            self.journal.alive(self.wall())
        except Exception as exc:  # noqa: BLE001 - said loudly, never swallowed
            self.sig_notice.emit(f"NOT SAVED: the journal cannot be written ({exc}).")

    def remove_chair(self, chair: ChairModel) -> None:
        if chair in self.chairs:
            self.chairs.remove(chair)
            self.sig_chair_removed.emit(chair)
