"""The alert strip: whatever is due on any chair, named by chair and action, on every page.

It sits at the top of the main window with a fixed height (two rows; more scroll inside it), so
nothing below it moves when an alert comes or goes. Each alert says its priority in words first
("HIGH:", "MEDIUM:", "LOW:"), in the colours of IEC 60601-1-8 (high red, medium yellow, low cyan:
ui.common.style), never colour alone. A training chair's alerts come after every real chair's,
marked TRAINING in their own colour, so a simulated patient is never taken for a real one. A
ringing alert flashes and beeps until its chair's Acknowledge (which silences only that chair, for a
while, and is journaled); it stays on the strip, quiet, until the thing is done. It never opens a
dialog (nothing may steal focus from a running countdown). The flash and the beep run on their own
GUI-thread timer.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from ui.common.style import (
    ALERT_COLOURS,
    ALERT_EDGE,
    ALERT_QUIET,
    MUTED,
    PRIORITY_WORDS,
    TRAINING_ALERT,
    TRAINING_EDGE,
    TRAINING_QUIET,
)
from ui.common.widgets import ElidedLabel

FLASH_MS = 500
BEEP_EVERY = 4  # flashes between beeps (2 s)
ROWS = 2  # rows in view; the strip's height never changes
TRAINING_MARK = "TRAINING"


def alert_words(chair_name: str, alerts, training: bool) -> str:
    """One chair's alerts in words: each starts with its priority ('HIGH: Bay A chair 3: STOP ...');
    a training chair's line starts with TRAINING."""
    parts = []
    for i, a in enumerate(alerts):
        text = a.text + ("  (acknowledged)" if a.silenced else "")
        word = PRIORITY_WORDS.get(a.priority, a.priority.upper())
        parts.append(f"{word}: {chair_name}: {text}" if i == 0 else f"{word}: {text}")
    line = "   ·   ".join(parts)
    return f"{TRAINING_MARK} · {line}" if training else line


class AlertRow(QFrame):
    """One chair's alerts: 'LOW: Bay A, chair 3: VITALS DUE …' [Go to chair] [Acknowledge]."""

    def __init__(self, chair, strip: "AlertStrip"):
        super().__init__()
        self.chair = chair
        self.setObjectName("alertRow")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 2, 4, 2)
        self.text = ElidedLabel("alertText")  # one line: the buttons stay in view (full text as tooltip)
        self.go = QPushButton("Go to chair")
        self.ack = QPushButton("Acknowledge")
        self.ack.setObjectName("acknowledge")
        self.go.setAccessibleName(f"Go to {chair.name}")
        self.go.setAccessibleDescription(f"Shows {chair.name}, whose alert this is")
        self.ack.setAccessibleName(f"Acknowledge {chair.name}'s alert")
        self.ack.setAccessibleDescription("Silences this chair's alert for a while (journaled); it stays shown "
                                          "until done (F8)")
        for b in (self.go, self.ack):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a click must not move the nurse's typing focus
        self.go.clicked.connect(lambda: strip.sig_open.emit(chair))
        self.ack.clicked.connect(chair.acknowledge)
        lay.addWidget(self.text, 1)
        lay.addWidget(self.go)
        lay.addWidget(self.ack)

    def full_text(self) -> str:
        return self.text.full_text()

    def show_alerts(self, alerts, on: bool) -> None:
        training = bool(self.chair.training)
        words = alert_words(self.chair.name, alerts, training)
        self.text.setText(words)
        self.setAccessibleName(words)
        self.setAccessibleDescription("A training chair's alert (simulated patient)" if training else
                                      "An alert on a real chair")
        ringing = any(not a.silenced for a in alerts)
        self.ack.setEnabled(ringing)
        priority = alerts[0].priority if alerts else "low"
        if training:
            loud, quiet, edge, style = TRAINING_ALERT, TRAINING_QUIET, TRAINING_EDGE, "dashed"
        else:
            loud, quiet = ALERT_COLOURS[priority], ALERT_QUIET[priority]
            edge, style = ALERT_EDGE[priority], "solid"
        bg, fg = loud if ringing and on else quiet
        self.setStyleSheet(f"#alertRow {{ background: {bg}; border-left: 10px {style} {edge}; }}"
                           f"#alertText {{ color: {fg}; font-weight: bold; }}")


class AlertStrip(QScrollArea):
    """Every chair's alerts, one row per chair, visible from every page."""

    sig_open = Signal(object)  # a ChairModel: show it

    def __init__(self, parent=None, beep=None):
        super().__init__(parent)
        self.setObjectName("alertStrip")
        self.setAccessibleName("Alerts")
        self.setAccessibleDescription("What is due on every chair, loudest first; a training chair's alerts come "
                                      "last, marked TRAINING")
        self._beep = beep or QApplication.beep
        self.beeps = 0  # how many times it beeped (tests read it)
        self._on = False
        self._count = 0
        self.chairs: list = []
        self.rows: dict = {}
        self.order: list = []  # the chairs shown, top to bottom
        inner = QWidget()
        self.lay = QVBoxLayout(inner)
        self.lay.setContentsMargins(0, 0, 0, 0)
        self.lay.setSpacing(2)
        self.quiet = QLabel("Nothing due on any chair.")
        self.quiet.setAccessibleName("Alerts: nothing due on any chair")
        self.quiet.setStyleSheet(f"color: {MUTED}; padding-left: 8px;")
        self.lay.addWidget(self.quiet)
        self.lay.addStretch(1)
        self.setWidget(inner)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._timer = QTimer(self)
        self._timer.setInterval(FLASH_MS)
        self._timer.timeout.connect(self._flash)
        self._fit()

    def refit(self) -> None:
        self._fit()

    def _fit(self) -> None:
        row = max(QPushButton("Ag").sizeHint().height(), self.fontMetrics().lineSpacing()) + 6
        self.setFixedHeight(ROWS * row + 4)

    def changeEvent(self, event):  # large type keeps two rows in view
        super().changeEvent(event)
        if event.type() == event.Type.FontChange:
            self._fit()

    @property
    def active(self) -> bool:
        """Flashing and beeping: some chair has an alert nobody acknowledged."""
        return self._timer.isActive()

    def add_chair(self, chair) -> None:
        self.chairs.append(chair)
        chair.sig_alerts.connect(lambda _a: self.refresh())
        self.refresh()

    def remove_chair(self, chair) -> None:
        if chair in self.chairs:
            self.chairs.remove(chair)
        self.refresh()

    def text(self) -> str:
        return "\n".join(self.rows[c].full_text() for c in self.order if c in self.rows)

    def refresh(self) -> None:
        # real chairs first, training chairs after them: never mixed
        alerting = [c for c in self.chairs if c.alerts() and not c.training] + \
                   [c for c in self.chairs if c.alerts() and c.training]
        for c in [c for c in self.rows if c not in alerting]:
            row = self.rows.pop(c)
            row.setParent(None)
            row.deleteLater()
        for i, c in enumerate(alerting):
            if c not in self.rows:
                self.rows[c] = AlertRow(c, self)
            self.lay.insertWidget(i, self.rows[c])
            self.rows[c].show_alerts(c.alerts(), self._on)
        self.order = alerting
        self.quiet.setVisible(not alerting)
        ringing = any(c.ringing for c in alerting)
        if ringing and not self._timer.isActive():
            self._count = 0
            self._timer.start()
            self._on = True
            self._ring()
            self._paint()
        elif not ringing and self._timer.isActive():
            self._timer.stop()
            self._on = False
            self._paint()

    def _ring(self) -> None:
        self.beeps += 1
        self._beep()

    def _flash(self) -> None:
        self._count += 1
        self._on = not self._on
        self._paint()
        if self._count % BEEP_EVERY == 0:
            self._ring()

    def _paint(self) -> None:
        for c, row in self.rows.items():
            row.show_alerts(c.alerts(), self._on)
