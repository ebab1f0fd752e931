"""The application model: every chair of this workstation, the journal, and the one timer.

Time runs on the GUI thread: one QTimer ticks every chair (PySide6 >= 6.8 crashes when signals
are emitted from worker threads). Tests pass a ManualClock and call `tick()` themselves.
A chair lives until its observation is closed: one that was running, or in its observation
hour, when the app closed comes back in the same (physical) chair at the next start.
"""
from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Signal

from titration.chair_names import is_training_name, next_chair_name
from titration.clock import SourceClock
from titration.errors import TitrationError
from titration.nurses import Nurse
from titration.occupancy import OpenInfusion, conflicts
from titration.session import Session
from titration.store.base import AlreadyActive
from titration.store.observing import observations_to_reopen
from titration.timefmt import wall_time
from ui.chair.model import ChairModel, PatientInfo
from ui.unit.board import BoardModel, local_summaries


class AppModel(QObject):
    """All chairs, the journal, and the one GUI-thread timer that drives them."""

    sig_chair_added = Signal(object)
    sig_chair_removed = Signal(object)
    sig_notice = Signal(str)  # a message for the nurse (journal moved aside, recovery ...)
    sig_tick = Signal()
    sig_nurse = Signal(str)  # the nurse signed in at this workstation ("Name (AB)")

    def __init__(self, journal=None, *, clock_factory=None, wall=time.time, tick_ms: int = 250,
                 autostart: bool = True, parent=None):
        super().__init__(parent)
        self.journal = journal
        self.chairs: list[ChairModel] = []
        self.wall = wall
        self.nurse: Nurse | None = None  # the nurse signed in here; None: nobody yet
        self.nurse_from_list = False
        self.board = BoardModel(self)  # the Overview's summaries (local chairs; a unit server may add more)
        self._clock_factory = clock_factory or self._real_clock
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
        self.refresh_board()
        self.sig_tick.emit()

    def refresh_board(self, *_a) -> None:
        self.board.set_summaries(local_summaries(self))

    def next_chair_name(self, training: bool = False) -> str:
        """'Chair N' for a real infusion, 'Training N' for a training run: never a name in use."""
        return next_chair_name([c.name for c in self.chairs], training=training)

    def chair_named(self, name: str) -> ChairModel | None:
        key = " ".join(name.split()).casefold()
        return next((c for c in self.chairs if " ".join(c.name.split()).casefold() == key), None)

    def record_quit(self, pumps: dict | None = None) -> None:
        """The app is quit on purpose: each real chair still running or paused journals what its
        pump does meanwhile (`pumps`: chair -> 'runs-on' | 'paused'; a chair not in it: 'not-said'),
        so the next start knows it was not a crash."""
        for c in self.unfinished_chairs():
            if c.session.status in ("running", "paused"):
                c.quit((pumps or {}).get(c, "not-said"))

    def unfinished_chairs(self) -> list[ChairModel]:
        """Real infusions driven here with something left to do (quitting asks about these; a chair
        another workstation took over is not this workstation's to answer for)."""
        return [c for c in self.chairs if not c.training and c.session.status != "closed" and not c.core.read_only]

    def add_chair(self, session: Session, *, patient: PatientInfo | None = None, training_run=None,
                  speed: float = 1.0, start_min: float = 0.0, wall_start: float | None = None,
                  name: str | None = None, journal_id=None, scenario_title: str = "",
                  attach: bool = True, session_id: int | None = None) -> ChairModel:
        """Put an infusion in a chair; journal it (attach) before anything else is recorded."""
        name = name or self.next_chair_name(training=session.training or training_run is not None)
        if wall_start is None:
            wall_start = self.wall() - start_min * 60.0
        clock = self.make_clock(start_min=start_min, speed=speed, training=session.training)
        if attach and self.journal is not None and journal_id is None:
            try:
                pid = (patient.identifier if patient else "") or None
                journal_id = self.journal.attach(session, chair=name, patient_id=pid,
                                                 training=session.training, wall_start=wall_start, speed=speed,
                                                 session_id=session_id)
            except AlreadyActive:  # the patient or the chair is taken: no chair opens
                raise
            except (TitrationError, OSError) as exc:  # said loudly, the chair still opens
                self.sig_notice.emit(f"NOT SAVED: the journal could not open a record for {name} ({exc}). "
                                     f"Keep a paper record.")
        chair = ChairModel(name, session, clock, wall_start=wall_start, patient=patient, training_run=training_run,
                           journal_id=journal_id, scenario_title=scenario_title, parent=self)
        if journal_id is None:  # no journal, or it could not open a record: every row says so
            chair.mark_unsaved()
        self.chairs.append(chair)
        if self.nurse is not None and session.status != "closed":  # the nurse at the workstation takes this chair
            chair.sign_in(self.nurse.name, self.nurse.initials, self.nurse_from_list)
        chair.sig_changed.connect(self.refresh_board)  # the board follows an intent at once, not at the next tick
        chair.sig_alerts.connect(self.refresh_board)
        self.sig_chair_added.emit(chair)
        chair.tick()
        self.board.set_summaries(local_summaries(self))
        return chair

    def sign_in(self, name: str, initials: str, from_list: bool = False):
        """The nurse at this workstation (attribution, no password): journaled at every open chair,
        and every later event there carries their name. Returns the Nurse (InputError if the name
        or initials are not acceptable)."""
        from titration.nurses import nurse  # checks the name and initials

        n = nurse(name, initials)
        self.nurse, self.nurse_from_list = n, bool(from_list)
        for chair in self.chairs:
            chair.sign_in(n.name, n.initials, from_list)
        self.sig_nurse.emit(n.label)
        return n

    def new_infusion(self, spec) -> ChairModel:
        """A real infusion from the new-infusion form: checklist and baseline vitals recorded first."""
        from titration.policy import get_policy

        name = " ".join(getattr(spec, "chair_name", "").split())
        if name and self.chair_named(name) is not None:
            raise TitrationError(f"Chair: {name} already has an infusion; close it first or name another chair")
        if name and is_training_name(name):
            raise TitrationError(f"Chair: '{name}' is kept for training runs; name the real chair")
        # one active infusion per patient on this workstation (the stores enforce it across the unit later)
        station = (getattr(self.journal, "workstation", "") or "") if self.journal is not None else ""
        here = [OpenInfusion(c.name, c.patient.identifier, station, c.wall_start, c.training)
                for c in self.chairs if c.session.status in ("planned", "running", "paused")]
        clash = conflicts("", spec.patient.identifier if spec.patient else "", here)
        if clash:
            raise TitrationError("; ".join(clash))
        session = Session(spec.plan, get_policy(spec.policy_id))
        chair = self.add_chair(session, patient=spec.patient, name=name or None)
        chair.record_checklist(spec.checklist)  # its holds keep the start until the prescriber decides
        chair.record_vitals(spec.baseline)  # a baseline graded mild or worse holds the start too
        if getattr(spec, "decision", ""):
            chair.prescriber_decision(spec.prescriber, spec.decision)
        return chair

    def new_training(self, scenario_path: str, speed: float = 10.0, seed: int = 0) -> ChairModel | None:
        """A training simulation in its own chair (journaled apart: training=True)."""
        from titration.training.run import TrainingRun
        from titration.training.scenario import read_scenario

        sc = read_scenario(scenario_path)
        run = TrainingRun(sc, seed=seed)
        run.set_speed(0.0, speed)
        title, patient = self._briefed(run)
        return self.add_chair(run.session, training_run=run, speed=speed, scenario_title=title, patient=patient)

    @staticmethod
    def _briefed(run) -> tuple[str, PatientInfo]:
        """A training chair's banner line and patient: the briefing (the scenario's title would give the
        answer away until the debrief)."""
        from titration.training.briefing import briefing

        b = briefing(run.scenario)
        return b.line(), PatientInfo(f"SIMULATED: {b.patient.removeprefix('Patient: ')}")

    def recover_unfinished(self, ask) -> list[str]:
        """Reopen every unfinished infusion in its chair; `ask(recovered, now_wall)` -> 'ran', 'stopped'
        (at the time suggested: when the app was last seen alive), a `titration.reopen.PumpAnswer`
        (stopped at the nurse's time), or None.

        Returns the lines to show the nurse. An unanswered question leaves the infusion in the
        journal, to be offered again at the next start. Then every real infusion still in its
        observation hour is reopened too (see reopen_observations).
        """
        from titration.reopen import PumpAnswer, reopen, reopening

        if self.journal is None:
            return []
        said = []
        answers = []
        # Every question first, then the chairs: no reopened chair's countdown runs behind a question.
        for rec in self.journal.unfinished():
            answer = None
            if rec.session.status == "running":  # only a running pump leaves the question
                got = ask(rec, self.wall())
                if got is None:
                    said.append(f"{rec.chair}: not reopened (what the pump did was not answered); "
                                f"it will be offered again at the next start.")
                    continue
                # 'stopped' without a time: when it was last seen alive (the core's suggestion), never
                # the last event
                answer = got if isinstance(got, PumpAnswer) else PumpAnswer(ran=got == "ran")
            answers.append((rec, answer))
        for rec, answer in answers:
            # before reopen(): it appends to the same session, which moves rec's "last event"
            r = reopening(rec.session, rec.last_wall, rec.last_seen_wall, self.wall(), rec.speed)
            heard_until = rec.last_at_min
            try:
                session = reopen(rec.session, r, answer)
            except TitrationError as exc:
                said.append(f"{rec.chair}: could not be reopened: {exc}")
                continue
            start = max(r.now_min, session.events[-1].at_min)
            run, lost = self._simulation_of(session, start, heard_until) if session.training else (None, "")
            title, patient = self._briefed(run) if run else ("", PatientInfo(rec.patient_id or ""))
            if run is not None:
                run.set_speed(0.0, rec.speed)
            self.add_chair(session, name=rec.chair if rec.chair not in {c.name for c in self.chairs} else None,
                           patient=patient, speed=rec.speed, start_min=start, wall_start=rec.wall_start,
                           training_run=run, scenario_title=title)
            pump = "" if answer is None else "ran" if answer.ran else "stopped"
            said.append(f"{rec.chair}: reopened after {r.away_min:.0f} min away"
                        + (f" (pump {pump})" if pump else "") + "." + lost)
        return said + self.reopen_observations()

    def reopen_observations(self) -> list[str]:
        """Reopen each real infusion that ended but whose observation was not closed, if the
        observation hour ends later than now or ended today: the end vitals and the close are
        still to do. (Older ones stay in the journal, where the record shows them unclosed.)"""
        said = []
        now_wall = self.wall()
        for r in observations_to_reopen(self.journal, now_wall, {c.journal_id for c in self.chairs}):
            if r.session is None:
                said.append(f"{r.chair}: could not be reopened for its observation: {r.error}")
                continue
            now_min = max((now_wall - r.wall_start) / 60.0, r.session.events[-1].at_min)
            name = r.chair if self.chair_named(r.chair) is None else None
            self.add_chair(r.session, name=name, patient=PatientInfo(r.patient_id), start_min=now_min,
                           wall_start=r.wall_start, session_id=r.session_id)
            ends = wall_time(r.ends_wall)
            said.append(f"{r.chair}: reopened in its observation hour (ends {ends}).")
        return said

    def take_over(self, uid: str, pump: str | None, reason: str) -> ChairModel:
        """Drive here a chair of the unit board whose workstation has gone (its lease expired),
        once the nurse has said what the pump did and why (titration.store.takeover). This waits
        on the network: the Unit view runs `fetch` in a worker and calls `take_over_fetched`."""
        from titration.store.takeover import fetch

        if not reason.strip():
            from titration.store.journal import JournalError

            raise JournalError("taking over a chair needs a reason")
        return self.take_over_fetched(fetch(self.journal, uid), pump, reason)

    def take_over_fetched(self, fetched, pump: str | None, reason: str) -> ChairModel:
        """The local part of a takeover (the lease is taken, the record read): journal it, open the chair."""
        from titration.store.takeover import continue_here

        t = continue_here(self.journal, fetched, pump=pump, reason=reason, now_wall=self.wall())
        return self.add_chair(t.session, name=t.chair if t.chair not in {c.name for c in self.chairs} else None,
                              patient=PatientInfo(t.patient_id or ""), speed=t.speed, start_min=t.now_min,
                              wall_start=t.wall_start, journal_id=t.id)

    @staticmethod
    def _simulation_of(session: Session, now: float, heard_until: float):
        """(the training run with its simulated patient, '') or (None, why it could not be rebuilt)."""
        from titration.training.run import TrainingRun

        try:
            return TrainingRun.resume(session, now, heard_until), ""
        except TitrationError as exc:
            return None, f" The simulated patient could not be brought back: {exc}."

    def heartbeat(self) -> None:
        """Tell the journal the app is alive, so recovery knows how long it was away."""
        if self.journal is None or not hasattr(self.journal, "alive"):
            return
        try:
            self.journal.alive(self.wall())
        except TitrationError as exc:  # said loudly, never swallowed
            self.sig_notice.emit(f"NOT SAVED: the journal cannot be written ({exc}).")

    def remove_chair(self, chair: ChairModel) -> None:
        """The chair closes: its views go (sig_chair_removed), the journal lets go of its session, and
        the model itself is deleted, so nothing of it stays until quit."""
        if chair in self.chairs:
            self.chairs.remove(chair)
            self.sig_chair_removed.emit(chair)
            self.board.set_summaries(local_summaries(self))
            if self.journal is not None:
                self.journal.detach(chair.session)
            chair.sig_changed.disconnect(self.refresh_board)
            chair.sig_alerts.disconnect(self.refresh_board)
            chair.setParent(None)
            chair.deleteLater()
