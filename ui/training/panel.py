"""Training mode: the scenario picker, the TRAINING banner, the simulated patient's words,
the simulation clock (speed, "Pause simulation"), and the debrief (ui.training.debrief).

"Pause simulation" holds the clock (nothing moves); "Pause infusion" sets the pump to zero.
They are different buttons with different words, on purpose (peers: SimTIVA #19).

Before the start a scenario is shown by its patient and prescription only (titration.training.
briefing): its title and goals would give the answer away, so they come with the debrief.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from titration.data import resource
from titration.errors import TitrationError
from ui.training.debrief import DebriefFacts, DebriefPanel

SPEEDS = (1, 2, 5, 10, 20, 30, 60)


def scenario_files() -> list[Path]:
    folder = Path(resource("scenarios"))
    return sorted(folder.glob("*.toml")) if folder.is_dir() else []


class TrainingBanner(QLabel):
    def __init__(self, title: str = "", parent=None):
        text = "TRAINING — SIMULATED PATIENT — NOT A REAL INFUSION"
        super().__init__(text + (f"\n{title}" if title else ""), parent)
        self.setObjectName("trainingBanner")
        self.setAccessibleName("TRAINING: simulated patient, not a real infusion")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)


class TrainingSetup(QWidget):
    """Pick a scenario and a speed, then start."""

    sig_start = Signal(str, float)  # scenario path, speed
    sig_cancel = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.addWidget(TrainingBanner("Choose a scenario"))
        self.list = QListWidget()
        self.list.setObjectName("scenarioList")
        self.list.setAccessibleName("Scenarios")
        self.list.setAccessibleDescription("Each scenario by its patient and prescription; what happens is for the "
                                           "trainee to find out")
        self.list.setWordWrap(True)  # large type: a long scenario wraps, never hides behind a sideways scroll
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.currentRowChanged.connect(self._describe)
        self.description = QLabel("")
        self.description.setWordWrap(True)
        self.description.setObjectName("noteLine")
        self.description.setAccessibleName("The scenario's patient and prescription")
        row = QHBoxLayout()
        self.speed = QComboBox()
        self.speed.setObjectName("speed")
        self.speed.setAccessibleName("Simulation speed")
        self.speed.setAccessibleDescription("Simulated minutes per real minute; the debrief allows for it")
        for s in SPEEDS:
            self.speed.addItem(f"{s}x", float(s))
        self.speed.setCurrentIndex(SPEEDS.index(10))
        self.start_button = QPushButton("Start training (Ctrl+Enter)")
        self.start_button.setObjectName("confirm")
        self.start_button.setAccessibleName("Start training")
        self.start_button.setAccessibleDescription("Opens a training chair with the chosen scenario")
        self.start_button.clicked.connect(self.start)
        back = QPushButton("Back")
        back.setAccessibleDescription("Back to the page before, nothing started")
        back.clicked.connect(self.sig_cancel)
        speed_label = QLabel("&Speed")
        speed_label.setBuddy(self.speed)
        row.addWidget(speed_label)
        row.addWidget(self.speed)
        row.addStretch(1)
        row.addWidget(back)
        row.addWidget(self.start_button)
        self.error = QLabel("")
        self.error.setObjectName("errorLine")
        self.error.setWordWrap(True)
        pick = QLabel("S&cenarios (the patient and the prescription; the scenario's goals come with the debrief):")
        pick.setBuddy(self.list)
        lay.addWidget(pick)
        lay.addWidget(self.list, 1)
        lay.addWidget(self.description)
        lay.addWidget(self.error)
        lay.addLayout(row)
        self.reload()

    def reload(self) -> None:
        from titration.training.briefing import briefing
        from titration.training.scenario import read_scenario

        self.list.clear()
        self._info = []
        for path in scenario_files():
            number = path.stem.split("-", 1)[0]
            try:
                b = briefing(read_scenario(str(path)))
                title = f"Scenario {number}: {b.prescription.removeprefix('Prescription: ').split(';')[0]}, " \
                        f"{b.patient.removeprefix('Patient: ')}"
                desc = b.text() + "\nWhat happens is for you to find out; the debrief shows the scenario's goals."
            except (TitrationError, OSError) as exc:  # a bad file is listed with its error, not hidden
                title, desc = f"{path.stem} (cannot be read)", str(exc)
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            self.list.addItem(item)
            self._info.append(desc)
        if self.list.count():
            self.list.setCurrentRow(0)
        else:
            self.description.setText("No scenarios found in resources/scenarios/.")

    def _describe(self, row: int) -> None:
        self.description.setText(self._info[row] if 0 <= row < len(self._info) else "")

    def select(self, stem: str) -> bool:
        for i in range(self.list.count()):
            if Path(self.list.item(i).data(Qt.ItemDataRole.UserRole)).stem == stem:
                self.list.setCurrentRow(i)
                return True
        return False

    def start(self) -> None:
        item = self.list.currentItem()
        if item is None:
            self.error.setText("Choose a scenario first.")
            return
        self.error.setText("")
        self.sig_start.emit(item.data(Qt.ItemDataRole.UserRole), float(self.speed.currentData()))


class TrainingPanel(QGroupBox):
    """In a training chair: the clock controls, what the patient says, Take vitals, the debrief."""

    sig_take_vitals = Signal()
    sig_debrief_shown = Signal()  # the debrief is ready: the chair view brings it to the front

    def __init__(self, chair, parent=None):
        super().__init__("Simulation", parent)
        self.chair = chair
        lay = QVBoxLayout(self)
        row = QHBoxLayout()
        self.speed = QComboBox()
        self.speed.setObjectName("simSpeed")
        self.speed.setAccessibleName("Simulation speed")
        self.speed.setAccessibleDescription("Simulated minutes per real minute (Ctrl+] faster, Ctrl+[ slower)")
        for s in SPEEDS:
            self.speed.addItem(f"{s}x", float(s))
        i = self.speed.findData(float(chair.speed))
        self.speed.setCurrentIndex(i if i >= 0 else 0)
        self.speed.currentIndexChanged.connect(lambda _i: self._speed(float(self.speed.currentData())))
        self.hold_button = QPushButton("Pause simulation (Ctrl+Space)")
        self.hold_button.setObjectName("holdSimulation")
        self.hold_button.setAccessibleName("Pause the simulation")
        self.hold_button.setAccessibleDescription("Holds the simulated clock; the infusion is not paused")
        self.hold_button.setCheckable(True)
        self.hold_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.hold_button.toggled.connect(self._hold)
        row.addWidget(QLabel("Speed"))
        row.addWidget(self.speed)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addWidget(self.hold_button)
        self.clock_label = QLabel("")
        self.clock_label.setObjectName("simClock")
        lay.addWidget(self.clock_label)
        lay.addWidget(QLabel("The patient says:"))
        self.said = QListWidget()
        self.said.setObjectName("utterances")
        self.said.setAccessibleName("The patient says")
        self.said.setWordWrap(True)
        self.said.setMinimumHeight(70)
        self.said.setMaximumHeight(130)
        lay.addWidget(self.said)
        row2 = QVBoxLayout()
        self.take_button = QPushButton("Take vitals (Ctrl+Shift+T)")
        self.take_button.setObjectName("takeVitals")
        self.take_button.setAccessibleName("Take vitals")
        self.take_button.setAccessibleDescription("Fills the vitals fields with the simulated patient's observations")
        self.take_button.clicked.connect(self.sig_take_vitals)
        self.debrief_button = QPushButton("Debrief (Ctrl+Shift+D)")
        self.debrief_button.setObjectName("debriefButton")
        self.debrief_button.setAccessibleName("Debrief")
        self.debrief_button.setAccessibleDescription("What was expected against what was done, once the exercise ends")
        self.debrief_button.clicked.connect(self.show_debrief)
        row2.addWidget(self.take_button)
        row2.addWidget(self.debrief_button)
        lay.addLayout(row2)
        self.debrief = DebriefPanel()  # the chair view places it where there is room

    def _speed(self, speed: float) -> None:
        self.chair.set_speed(speed)
        if self.chair.run is not None:  # the debrief judges each duty at the speed it fell due at
            self.chair.run.set_speed(self.chair.now, speed)

    def _hold(self, on: bool) -> None:
        self.chair.hold_simulation(on)
        self.hold_button.setText("Resume simulation (Ctrl+Space)" if on else "Pause simulation (Ctrl+Space)")

    def toggle_hold(self) -> None:
        self.hold_button.toggle()

    def add_utterances(self, items, clock_text) -> None:
        for u in items:
            text = getattr(u, "text", str(u))
            at = getattr(u, "at_min", None)
            self.said.addItem(f"{clock_text(at) if at is not None else ''}  “{text}”")
        self.said.scrollToBottom()

    def refresh(self, t: float) -> None:
        c = self.chair
        state = "SIMULATION PAUSED" if c.sim_held else "running"
        self.clock_label.setText(f"Simulated time {c.clock_text(t)} · {c.speed:g}x · {state}")
        self.debrief_button.setEnabled(c.run is not None and c.state.status in ("completed", "stopped", "closed"))

    def show_debrief(self) -> None:
        run = self.chair.run
        if run is None:
            return
        try:
            d = run.debrief()
        except TitrationError as exc:
            self.debrief.error.setText(f"Debrief: {exc}")
            d = None
        if d is not None:
            self.debrief.show_debrief(d, run, self.facts())
        self.sig_debrief_shown.emit()

    def facts(self) -> DebriefFacts:
        """The run's heading: the scenario (now it may be said), the trainee signed in, the date, the speed."""
        run, chair = self.chair.run, self.chair
        assert run is not None
        sc = run.scenario
        signed = [e for e in chair.session.events if e.kind == "signin"]
        trainee = str(signed[-1].data.get("name", "")) if signed else ""
        speeds = [f"{v:g}x" + (f" from minute {at:.0f}" if at > 0 else "") for at, v in run.speeds]
        meta = sc.raw.get("meta") if isinstance(sc.raw.get("meta"), dict) else {}
        return DebriefFacts(sc.title, Path(sc.path).stem, trainee, chair.wall_start, "; ".join(speeds),
                            tuple(str(g) for g in (meta or {}).get("learning_goals", ())), sc.lesson)
