"""The alert bar: a due step or vitals check flashes and beeps until the nurse acknowledges it.

It never opens a dialog (nothing may steal focus from a running countdown). The flash and the
beep run on their own GUI-thread timer, so they cost nothing per clock tick.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QPushButton

from ui.style import ALERT_BG, ALERT_FG, ALERT_FLASH_BG, ALERT_FLASH_FG

FLASH_MS = 500
BEEP_EVERY = 4  # flashes between beeps (2 s)


class AlertBar(QFrame):
    sig_acknowledge = Signal()

    def __init__(self, parent=None, beep=None):
        super().__init__(parent)
        self.setObjectName("alertBar")
        self._beep = beep or QApplication.beep
        self.beeps = 0  # how many times it beeped (tests read it)
        self._on = False
        self._count = 0
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 6, 10, 6)
        self.text = QLabel("")
        self.text.setObjectName("alertText")
        self.text.setWordWrap(True)
        self.button = QPushButton("Acknowledge (F8)")
        self.button.setObjectName("acknowledge")
        self.button.setFocusPolicy(Qt.NoFocus)  # a click must not move the nurse's typing focus
        self.button.clicked.connect(self.sig_acknowledge)
        lay.addWidget(self.text, 1)
        lay.addWidget(self.button)
        self._timer = QTimer(self)
        self._timer.setInterval(FLASH_MS)
        self._timer.timeout.connect(self._flash)
        self.hide()

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def show_alerts(self, alerts) -> None:
        if not alerts:
            self._timer.stop()
            self.hide()
            return
        self.text.setText("   ·   ".join(a.text for a in alerts))
        self.show()
        if not self._timer.isActive():
            self._count = 0
            self._timer.start()
            self._ring()
        self._paint(True)

    def _ring(self) -> None:
        self.beeps += 1
        self._beep()

    def _flash(self) -> None:
        self._count += 1
        self._paint(not self._on)
        if self._count % BEEP_EVERY == 0:
            self._ring()

    def _paint(self, on: bool) -> None:
        self._on = on
        bg, fg = (ALERT_FLASH_BG, ALERT_FLASH_FG) if on else (ALERT_BG, ALERT_FG)
        self.setStyleSheet(f"#alertBar {{ background: {bg}; border: 3px solid {ALERT_FLASH_BG}; }}"
                           f"#alertText {{ color: {fg}; font-weight: bold; }}")
