"""Quitting with chairs not finished: for each running pump, what it does while the app is closed.

The answer is journaled per chair (`AppModel.record_quit`), so the next start knows the app was
quit on purpose and what each pump did meanwhile. Enter never means "quit": the default button is
"Stay", and Quit is enabled only once every running pump has its answer.
"""
from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

RUNS_ON, PAUSED = "runs-on", "paused"


class PumpQuestion(QGroupBox):
    """One running chair: 'the pump keeps running' or 'I pause the pump now'."""

    def __init__(self, chair, parent: QWidget | None = None):
        super().__init__(f"{chair.name}: running at {chair.state.pump_rate_ml_h:g} mL/h", parent)
        self.chair = chair
        lay = QHBoxLayout(self)
        self.group = QButtonGroup(self)
        self.runs_on = QRadioButton("The pump keeps running")
        self.paused = QRadioButton("I pause the pump now")
        for i, (b, what) in enumerate(((self.runs_on, "keeps running while the app is closed"),
                                       (self.paused, "is paused now; the pause is journaled"))):
            self.group.addButton(b, i)
            b.setAccessibleName(f"{chair.name}: {b.text()}")
            b.setAccessibleDescription(f"{chair.name}'s pump {what}")
            lay.addWidget(b)
        lay.addStretch(1)

    def answer(self) -> str | None:
        return {0: RUNS_ON, 1: PAUSED}.get(self.group.checkedId())


# what happens to a chair that is not running when the app closes, by its state
OTHER_WORDS = {"planned": "not started: it waits for its start", "paused": "the pump stays paused",
               "completed": "the observation is not closed", "stopped": "the observation is not closed"}


class QuitDialog(QDialog):
    """Asks about every running pump; lists the other unfinished chairs (they reopen at the next start)."""

    def __init__(self, parent: QWidget | None, chairs: list):
        super().__init__(parent)
        self.setObjectName("quitDialog")
        self.setWindowTitle("Quit: chairs are not finished")
        lay = QVBoxLayout(self)
        intro = QLabel("Every confirmed event is in the journal, and these chairs reopen at the next start.")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.questions = [PumpQuestion(c) for c in chairs if c.session.status == "running"]
        if self.questions:
            ask = QLabel("What will each pump do while the app is closed?")
            ask.setObjectName("bigValue")
            lay.addWidget(ask)
        for q in self.questions:
            q.group.idClicked.connect(lambda _i: self._answered())
            lay.addWidget(q)
        others = [c for c in chairs if c.session.status != "running"]
        self.others = QLabel("\n".join(f"{c.name}: {c.session.status} ({OTHER_WORDS.get(c.session.status, '')})"
                                       for c in others))
        self.others.setWordWrap(True)
        self.others.setVisible(bool(others))
        lay.addWidget(self.others)
        row = QHBoxLayout()
        row.addStretch(1)
        self.stay = QPushButton("Stay (do not quit)")
        self.stay.setObjectName("stayButton")
        self.stay.setAccessibleDescription("Closes this question; the app keeps running")
        self.quit_button = QPushButton("Quit")
        self.quit_button.setObjectName("quitButton")
        self.quit_button.setAccessibleName("Quit the app")
        self.quit_button.setAccessibleDescription("Journals what each pump does, then closes the app")
        self.quit_button.setAutoDefault(False)  # Enter never quits
        self.quit_button.setDefault(False)
        self.stay.setDefault(True)  # Enter (or Esc) keeps the app open
        self.stay.clicked.connect(self.reject)
        self.quit_button.clicked.connect(self.accept)
        row.addWidget(self.stay)
        row.addWidget(self.quit_button)
        lay.addLayout(row)
        self._answered()
        self.stay.setFocus()

    def _answered(self) -> None:
        self.quit_button.setEnabled(all(q.answer() is not None for q in self.questions))

    def pumps(self) -> dict:
        """chair -> 'runs-on' | 'paused' for each running chair (for AppModel.record_quit)."""
        return {q.chair: q.answer() for q in self.questions if q.answer() is not None}

    def summary(self) -> str:
        """Everything the dialog says, for the tests and the journal's reader."""
        lines = [q.title() for q in self.questions]
        return "\n".join(lines + ([self.others.text()] if self.others.text() else []))
