"""The chair's "Now" panel: state, rate, next step, vitals, volume, expected finish, observation.

Every row is the core's words (titration/chair_panels.py, `now_view`, in the chair's snapshot): a
countdown first, then the time. No next step is shown past the expected end; the forecast is worked
out once per plan in the core, never on a tick.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QProgressBar

from titration.chair_state import ChairState
from ui.common.widgets import label

ROWS = (("state", "State"), ("rate", "Pump rate now"), ("elapsed", "Elapsed"), ("next_step", "Next step"),
        ("vitals", "Vitals due"), ("volume", "Volume in"), ("finish", "Expected finish"),
        ("forecast", "Likely done by"), ("observation", "Observation"))


class NowPanel(QGroupBox):
    """The state of the infusion at this moment, in words and clock times."""

    def __init__(self, parent=None):
        super().__init__("Now", parent)
        g = QGridLayout(self)
        g.setVerticalSpacing(4)
        self.labels: dict[str, QLabel] = {}
        for i, (key, text) in enumerate(ROWS):
            name = QLabel(text)
            name.setStyleSheet("color: #555555;")
            val = label(f"status_{key}", wrap=True)
            val.setProperty("class", "bigValue")
            self.labels[key] = val
            g.addWidget(name, 2 * i, 0, Qt.AlignmentFlag.AlignTop)
            g.addWidget(val, 2 * i, 1)
            if key == "volume":
                self.volume_bar = QProgressBar()
                self.volume_bar.setTextVisible(False)
                self.volume_bar.setMaximumHeight(8)
                g.addWidget(self.volume_bar, 2 * i + 1, 1)
        g.setColumnStretch(1, 1)

    def show_state(self, state: ChairState) -> None:
        """Every row from the snapshot's Now view: no session is read here."""
        for key, text in state.now.rows().items():
            self.labels[key].setText(text)
        self.volume_bar.setValue(state.now.volume_percent)
