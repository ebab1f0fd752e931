"""A training chair's debrief page: the debrief at the chair's full width, under its title, with the
way back to the live chair (Esc). The chair's page swaps it in when the debrief is ready."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class DebriefPage(QWidget):
    def __init__(self, debrief: QWidget, parent=None):
        super().__init__(parent)
        pl = QVBoxLayout(self)
        row = QHBoxLayout()
        title = QLabel("Debrief: what the protocol expected, against what was done")
        title.setObjectName("chairHeader")
        self.back = QPushButton("Back to the chair (Esc)")
        self.back.setObjectName("debriefBack")
        self.back.setShortcut("Esc")
        row.addWidget(title, 1)
        row.addWidget(self.back)
        pl.addLayout(row)
        pl.addWidget(debrief, 1)
