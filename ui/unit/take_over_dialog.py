"""Taking over a chair whose workstation has gone (its hold on the unit server expired).

The nurse answers the recovery question (what did the pump do meanwhile?) and gives a reason;
both are journaled by `AppModel.take_over`. Every figure shown is the unit server's summary,
only worded here. Keyboard: Alt+R "ran on", Alt+S "stopped", the reason, Alt+T takes over,
Escape cancels (nothing is taken).
"""
from __future__ import annotations

import time

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
)

from ui.chair.recovery_dialog import QUESTION


def describe(row: dict) -> str:
    """What the server last heard of the chair, in the nurse's words."""
    who = f"patient {row['patient_id']}" if row.get("patient_id") else "no patient identifier"
    was = row.get("last_holder") or "another workstation"
    since = ""
    if row.get("alive_age_s") is not None and row.get("seen_wall"):  # the server's clock: how long ago
        heard = row["seen_wall"] - row["alive_age_s"]
        since = f", last heard from at {time.strftime('%H:%M', time.localtime(heard))} (the server's count)"
    lines = [f"{row.get('chair', '')}, {who}: driven from workstation {was}{since}; its hold has expired.",
             f"{row.get('state', '').upper()} at {row.get('rate_ml_h', 0):g} mL/h, step {row.get('step', 0)} of "
             f"{row.get('steps', 0)}; {row.get('delivered_ml', 0):g} of {row.get('volume_ml', 0):g} mL recorded in."]
    return "\n".join(lines)


class TakeOverDialog(QDialog):
    """(pump, reason) once answered: pump is 'ran' or 'stopped' (None when the pump was not running)."""

    def __init__(self, parent, row: dict):
        super().__init__(parent)
        self.setObjectName("takeOverDialog")
        self.setWindowTitle(f"Take over {row.get('chair', '')}")
        self.running = row.get("state") == "running"
        lay = QVBoxLayout(self)
        text = QLabel(describe(row))
        text.setWordWrap(True)
        lay.addWidget(text)
        self.ran = QRadioButton(f"It &ran on at {row.get('rate_ml_h', 0):g} mL/h")
        self.stopped = QRadioButton("It was &stopped")
        self.group = QButtonGroup(self)
        if self.running:  # a paused or ended infusion had no pump running: nothing to ask
            ask = QLabel(QUESTION)
            f = ask.font()
            f.setBold(True)
            ask.setFont(f)
            lay.addWidget(ask)
            row_l = QHBoxLayout()
            for b in (self.ran, self.stopped):
                self.group.addButton(b)
                row_l.addWidget(b)
                b.toggled.connect(self._ready)
            lay.addLayout(row_l)
        lay.addWidget(QLabel("Why this workstation takes the chair over (journaled):"))
        self.reason = QLineEdit()
        self.reason.setObjectName("takeOverReason")
        self.reason.setPlaceholderText("e.g. workstation 2 froze; pump checked at the bedside")
        self.reason.textChanged.connect(self._ready)
        lay.addWidget(self.reason)
        self.error = QLabel("")
        self.error.setObjectName("errorLine")
        self.error.setWordWrap(True)
        lay.addWidget(self.error)
        buttons = QHBoxLayout()
        self.ok = QPushButton("&Take over")
        self.ok.setObjectName("takeOverButton")
        self.ok.setAutoDefault(False)  # Enter alone never answers a clinical question
        self.ok.clicked.connect(self.accept)
        cancel = QPushButton("Cancel (Esc)")
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.ok)
        lay.addLayout(buttons)
        self.setMinimumWidth(480)
        self._ready()
        (self.ran if self.running else self.reason).setFocus()

    @property
    def pump(self) -> str | None:
        if not self.running:
            return "stopped"
        return "ran" if self.ran.isChecked() else "stopped" if self.stopped.isChecked() else None

    def _ready(self, *_a) -> None:
        self.ok.setEnabled(self.pump is not None and bool(self.reason.text().strip()))
