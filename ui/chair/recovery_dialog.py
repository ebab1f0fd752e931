"""After a crash: ask the nurse what the pump did while the app was closed.

All numbers come from `titration.store.recovery.summary` and `titration.reopen.reopening` (how the
app closed: on purpose or not); this dialog only words and shows them.
Keyboard: Alt+R "ran on", Alt+S "stopped", Tab between them, Escape = decide later (None).
The nurse who knows when the pump stopped gives that minute instead (Alt+A): the suggested time is
only a default, and no time before the last recorded event or after now is accepted.
"""
from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget

from titration.reopen import PumpAnswer, reopening
from titration.store.base import Recovered
from titration.store.recovery import Summary, summary


def _minutes(m: float) -> str:
    m = int(m)  # whole minutes away, not rounded up
    if m < 1:
        return "less than a minute"
    if m < 120:
        return f"{m} min"
    return f"{m // 60} h {m % 60:02d} min"


QUESTION = "What did the pump do meanwhile?"


def _chair(name: str) -> str:
    return name if name.lower().startswith("chair") else f"Chair {name}"


def question_text(s: Summary, closed: str = "") -> str:
    who = f"patient {s.patient_id}" if s.patient_id else "no patient identifier"
    lines = [
        closed or f"The app was closed unexpectedly {_minutes(s.away_min)} ago.",
        f"{_chair(s.chair)}, {who}{' (TRAINING)' if s.training else ''}, last rate {s.rate_ml_h:g} mL/h.",
        f"Recorded up to minute {s.last_at_min:.0f} of the infusion: {s.delivered_ml:.1f} of {s.volume_ml:g} mL in.",
    ]
    if s.completes_if_ran_at is not None:
        lines.append(f"If it ran on, the volume was complete at minute {s.completes_if_ran_at:.0f}.")
    else:
        lines.append(f"If it ran on, about {s.delivered_if_ran_ml:.1f} mL are in now.")
    return "\n".join(lines)


class RecoveryDialog(QDialog):
    def __init__(self, parent: QWidget | None, recovered: Recovered, now_wall: float):
        super().__init__(parent)
        self.choice: str | PumpAnswer | None = None
        s = summary(recovered, now_wall)
        r = reopening(recovered.session, recovered.last_wall, recovered.last_seen_wall, now_wall, recovered.speed)
        self.setWindowTitle(f"Reopening {_chair(s.chair)}")
        self.setObjectName("recoveryDialog")
        text = QLabel(question_text(s, r.words()))
        text.setObjectName("recoveryText")
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        ask = QLabel(QUESTION)
        ask.setObjectName("recoveryQuestion")
        f = ask.font()
        f.setBold(True)
        f.setPointSizeF(f.pointSizeF() * 1.2)
        ask.setFont(f)
        self.ran = QPushButton(f"It &ran on at {s.rate_ml_h:g} mL/h")
        self.stopped = QPushButton(f"It was &stopped (at minute {r.default_stop_min:.0f}, when the app was last "
                                   f"seen working)")
        for b, name, value in ((self.ran, "ranButton", "ran"), (self.stopped, "stoppedButton", "stopped")):
            b.setObjectName(name)
            b.setAccessibleName(b.text().replace("&", ""))
            b.setAutoDefault(False)  # Enter alone never answers a clinical question
            b.clicked.connect(lambda _=False, v=value: self._choose(v))
        row = QHBoxLayout()
        row.addWidget(self.ran)
        row.addWidget(self.stopped)
        # or the minute the nurse knows it stopped: from the last recorded event to now, never outside
        self.stop_minute = QSpinBox()
        self.stop_minute.setObjectName("stopMinute")
        self.stop_minute.setRange(math.ceil(r.last_at_min - 1e-9), max(math.ceil(r.last_at_min - 1e-9),
                                                                      math.floor(r.now_min + 1e-9)))
        self.stop_minute.setValue(min(max(round(r.default_stop_min), self.stop_minute.minimum()),
                                      self.stop_minute.maximum()))
        self.stop_minute.setPrefix("minute ")
        self.stop_minute.setAccessibleName("When the pump stopped")
        self.stop_minute.setAccessibleDescription("The infusion's minute the pump stopped at, from the last recorded "
                                                  "event to now")
        self.stopped_at = QPushButton("It stopped &at this minute")
        self.stopped_at.setObjectName("stoppedAtButton")
        self.stopped_at.setAccessibleName(self.stopped_at.text().replace("&", ""))
        self.stopped_at.setAutoDefault(False)
        self.stopped_at.clicked.connect(self._stopped_at)
        when = QHBoxLayout()
        when.addWidget(QLabel("Or, if you know when it stopped:"))
        when.addWidget(self.stop_minute)
        when.addWidget(self.stopped_at)
        when.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addWidget(text)
        lay.addSpacing(8)
        lay.addWidget(ask)
        lay.addLayout(row)
        lay.addLayout(when)
        self.setMinimumWidth(440)
        self.text = text
        self.ran.setFocus()

    def _stopped_at(self) -> None:
        self.choice = PumpAnswer(ran=False, stopped_at_min=float(self.stop_minute.value()))
        self.accept()

    def _choose(self, value: str) -> None:
        self.choice = value
        self.accept()


def ask_pump_state(parent: QWidget | None, recovered: Recovered, now_wall: float) -> str | PumpAnswer | None:
    """'ran', 'stopped' (at the time suggested), a PumpAnswer (stopped at the nurse's minute), or None
    (the nurse closed the dialog: ask again later).

    A paused or not yet started infusion had no pump running: nothing is asked ('stopped').
    """
    if recovered.session.status != "running":
        return "stopped"
    dlg = RecoveryDialog(parent, recovered, now_wall)
    try:
        dlg.exec()
        return dlg.choice
    finally:
        dlg.deleteLater()  # Qt deletes it once control is back in the event loop
