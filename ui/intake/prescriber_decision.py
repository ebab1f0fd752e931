"""'Discussed with the prescriber': the name and the decision (start / do not start) that a hold
before the start waits for. Which holds there are is the core's answer (titration.intake,
titration.holds); this box only takes the decision, and is shown only while something holds."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QRadioButton, QVBoxLayout


class PrescriberDecisionBox(QGroupBox):
    sig_changed = Signal()

    def __init__(self, parent=None):
        super().__init__("Discussed with the prescriber", parent)
        self.setObjectName("prescriberDecision")
        lay = QVBoxLayout(self)
        self.holds = QLabel("")
        self.holds.setWordWrap(True)
        lay.addWidget(self.holds)
        self.name = QLineEdit()
        self.name.setObjectName("prescriberName")
        self.name.setPlaceholderText("prescriber's name")
        self.name.setAccessibleName("Prescriber's name")
        lay.addWidget(self.name)
        row = QHBoxLayout()
        self.group = QButtonGroup(self)
        self.start = QRadioButton("Start")
        self.no = QRadioButton("Do not start")
        for i, b in enumerate((self.start, self.no)):
            self.group.addButton(b, i)
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        self.name.textChanged.connect(self.sig_changed)
        self.group.idClicked.connect(lambda _i: self.sig_changed.emit())
        self.hide()

    def show_holds(self, holds) -> None:
        self.holds.setText("Held until the prescriber decides: " + "; ".join(holds) if holds else "")
        self.setVisible(bool(holds))

    def prescriber(self) -> str:
        return self.name.text().strip()

    def decision(self) -> str:
        return {0: "start", 1: "do-not-start"}.get(self.group.checkedId(), "")

    def clear(self) -> None:
        self.name.clear()
        self.group.setExclusive(False)
        for b in (self.start, self.no):
            b.setChecked(False)
        self.group.setExclusive(True)
        self.hide()
