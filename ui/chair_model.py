"""One chair (as in Acconeer's AppModel): a QObject that owns an infusion and emits `sig_*`.

Widgets render what the chair says and send the nurse's intents to it. It asks the core
(titration.session) for every clinical answer; it adds no arithmetic of its own, only time (a
clock, the one clock every view of this chair shows) and which alerts the nurse silenced.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal

from titration.errors import TitrationError
from titration.session import Session
from ui.board import ChairSummary
from ui.chair_alerts import Alert, AlertBook, due_alerts


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


def hm(minutes: float) -> str:
    """Minutes as h:mm (the elapsed-time style of every view)."""
    m = max(0, int(minutes))
    return f"{m // 60}:{m % 60:02d}"


class ChairModel(QObject):
    """One chair: its infusion (a core Session), its clock, its alerts."""

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
        self.unsaved_from: int | None = None  # first event index the journal failed to save
        self.book = AlertBook()
        self.now = self._now_raw()

    # ------------------------------------------------------------------ time: one clock for every view
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
            return f"+{hm(round(t_min))}"
        return time.strftime("%H:%M", time.localtime(w))

    def elapsed_text(self, t_min: float) -> str:
        """How long since the pump was started (what every view of this chair calls 'elapsed')."""
        st = self.session.state.started_at
        if st is None:
            return "not started"
        end = self.session.state.end_min
        return f"{hm((end if end is not None and t_min > end else t_min) - st)} since the start"

    def elapsed_at(self, t_min: float) -> str:
        """'+0:42:00' since the pump start for an event's time; '' before the start."""
        st = self.session.state.started_at
        if st is None or t_min < st - 1e-9:
            return ""
        s = int(round((t_min - st) * 60))
        return f"+{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"

    def elapsed_short(self, t_min: float) -> str:
        """'+0:42' since the pump start (the header's form of elapsed_text)."""
        text = self.elapsed_text(t_min)
        return "not started" if text == "not started" else "+" + text.split(" ", 1)[0]

    def left_text(self, t_min: float, end: float | None) -> str:
        """'14:35, 2 h 10 min left' for an expected end."""
        if end is None:
            return "—"
        left = max(0, int(round(end - t_min)))
        h, m = divmod(left, 60)
        span = f"{h} h {m:02d} min" if h else f"{m} min"
        return f"{self.clock_text(end)}, {span} left" if left else f"{self.clock_text(end)}, due now"

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

    def record_vitals(self, vitals, baseline: bool = False):
        """Record vitals; `baseline`: the baseline the core asked for (the infusion started without one)."""
        return self._do("Vitals", self.session.record_vitals, self.time_now(), vitals, baseline=baseline)

    def start(self, second: str = ""):
        return self._do("Start", self.session.start, self.time_now(), second=second)

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
        return self._do("Confirm", s.confirm, t, p)

    def override(self, action: str, rate_ml_h: float, reason: str, second: str = ""):
        t = self.time_now()
        p = self.session.due(t)
        if p is None:
            self.sig_error.emit("Override: there is no proposal to override")
            return None
        return self._do("Override", self.session.override, t, p, action, rate_ml_h, reason, second=second)

    # ------------------------------------------------------------------ the bedside record (titration/bedside.py)
    def sign_in(self, name: str, initials: str, from_list: bool = False):
        """This nurse now does what is recorded at this chair (a closed chair's record is left as it is)."""
        if self.session.status == "closed":
            return None
        from titration.bedside import sign_in

        return self._do("Sign in", sign_in, self.session, self.time_now(), name, initials, from_list)

    def add_vial(self, vial, today):
        from titration.bedside import add_vial
        from titration.products import load_library

        return self._do("Vial", add_vial, self.session, self.time_now(), vial, today, load_library())

    def remove_vial(self, number: int, reason: str):
        from titration.bedside import remove_vial

        return self._do("Remove vial", remove_vial, self.session, self.time_now(), number, reason)

    def give_premedication(self, drug: str, dose: float, unit: str, route: str, given_min: float,
                           from_list: bool = False):
        from titration.bedside import give_premedication

        return self._do("Premedication", give_premedication, self.session, self.time_now(), drug, dose, unit, route,
                        given_min, from_list)

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
        # Nothing is recorded by the clock: the end of the infusion is due (and confirmed by the nurse).
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
        self.sig_tick.emit(now)
        return now

    def alerts(self) -> list[Alert]:
        """Everything due on this chair now, silenced or not (it stays shown until done)."""
        return list(self.book.current)

    @property
    def ringing(self) -> bool:
        """An alert of this chair that nobody has acknowledged (it flashes and beeps)."""
        return self.book.ringing

    def acknowledge(self) -> None:
        """Silence this chair's ringing alerts for a while (journaled); other chairs keep ringing."""
        t = self.time_now()
        done = self.book.acknowledge(t)
        if not done:
            return
        if self.session.status != "closed":
            self._do("Acknowledge", self.session.note, t,
                     "Alert acknowledged: " + "; ".join(a.text for a in done))
        self._update_alerts()

    def _update_alerts(self) -> None:
        t = self._now_raw()
        if self.book.update(due_alerts(self.session, max(t, self.now)), t):
            self.sig_alerts.emit(self.alerts())

    # ------------------------------------------------------------------ summary for the board and the list
    def summary(self) -> ChairSummary:
        s, t = self.session, self.now
        p = s.due(t) if s.status in ("running", "paused") else None
        nxt, at = "—", ""
        if s.status == "planned":
            nxt = "start (baseline vitals first)" if s.state.baseline is None else "start"
        elif p is not None:
            nxt, at = self.book.current[0].text if self.book.current else p.action, "now"
        else:
            cands = []
            step = s.next_due_at()  # a step, a review or the end (never a step past the end)
            if step is not None:
                done = s.completion_at()
                cands.append((step, "end: confirm the pump has finished" if done is not None and step >= done - 1e-9
                              else "review" if s.state.reaction is not None else "next step"))
            v = s.vitals_due(t)
            if v is not None:
                cands.append((v[0], "vitals"))
            obs = s.observation_ends_at()
            if s.status in ("completed", "stopped") and obs is not None:
                cands.append((obs, "observation ends"))
            if cands:
                when, nxt = min(cands)
                at = "now" if when <= t + 1e-9 else self.clock_text(when)
        level = "ringing" if self.book.ringing else ("silenced" if self.book.current else "")
        grade = next((a.grade for a in self.book.current if a.grade not in ("none", "")), "none")
        return ChairSummary(
            key=id(self), chair=self.name, patient=self.patient.label, product=s.original_plan.product_name,
            rate=f"{s.pump_rate(t):g} mL/h", state=s.status, next_what=nxt, next_at=at,
            finish=self.clock_text(s.expected_end(t)) if s.status in ("planned", "running", "paused") else "—",
            alert=level, grade=grade, training=self.training)
