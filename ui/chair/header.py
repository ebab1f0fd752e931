"""The chair's fixed header: who and what, the clock and the state; then the pump rate now, the next
action and the time to it, and Pause, Resume and Stop. It sits above every scrolling column, so
these are in view whatever the type size or the window's height.

It draws only from the chair's snapshot (`ChairState`) and sends intents as signals; the buttons are
enabled as the snapshot's intents allow (a chair driven from another workstation allows none, and
says why in each button's tooltip).
"""
from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QPushButton, QWidget

from titration.chair_state import ChairState
from ui.common.style import BASE_PT, GRADE_COLOURS, STATE_COLOURS
from ui.common.widgets import ElidedLabel, WrapLabel, label

W = TypeVar("W", bound=QWidget)

HEADER_ACTION = {"stop": "STOP NOW", "pause": "PAUSE NOW", "slow": "SLOW DOWN NOW",
                 "complete": "BAG EMPTY: CONFIRM END", "emergency": "EMERGENCY", "review": "URGENT REVIEW"}


def _named(w: W, name: str, description: str) -> W:
    w.setAccessibleName(name)
    w.setAccessibleDescription(description)
    return w


class ChairHeader(QFrame):
    """The rows that never scroll away: the title, the pump rate now, the next action, Pause and Stop."""

    sig_pause = Signal()
    sig_resume = Signal()
    sig_stop = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("chairHeaderBar")
        self.title = ElidedLabel("chairHeader")
        self.now_label = label("nowClock")
        self.now_label.setToolTip("the time now, and how long since the pump was started")
        self.state_badge = label("stateBadge")
        self.pump_now = _named(WrapLabel(), "Pump rate now", "What the pump is to be set to now, or what it runs at")
        self.next_action = _named(WrapLabel(), "Next action", "What is due next, and when")
        for w, name in ((self.pump_now, "pumpNow"), (self.next_action, "nextAction")):
            w.setObjectName(name)
            w.setWordWrap(True)
        self.pause_button = _named(QPushButton("Pause… (Ctrl+P)"), "Pause the infusion",
                                   "Pause the pump; a reason can be given")
        self.resume_button = _named(QPushButton("Resume (Ctrl+Shift+R)"), "Resume the infusion",
                                    "Set the pump running again at the rate it had")
        self.stop_button = _named(QPushButton("Stop… (Ctrl+Shift+X)"), "Stop the infusion",
                                  "Stop the infusion for good; a reason is required")
        for b, name in ((self.pause_button, "pauseButton"), (self.resume_button, "resumeButton"),
                        (self.stop_button, "stopButton")):
            b.setObjectName(name)
            b.setProperty("oneLine", b.text())
        self.pause_button.clicked.connect(self.sig_pause)
        self.resume_button.clicked.connect(self.sig_resume)
        self.stop_button.clicked.connect(self.sig_stop)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(8)
        self.grid.setVerticalSpacing(2)
        top = QHBoxLayout()
        top.setSpacing(12)
        top.addWidget(self.title, 1)
        for lab in (self.now_label, self.state_badge):
            top.addWidget(lab, 0, Qt.AlignmentFlag.AlignVCenter)
        self.top = top
        self.buttons = QHBoxLayout()
        self.buttons.setSpacing(4)
        for b in (self.pause_button, self.resume_button, self.stop_button):
            self.buttons.addWidget(b)
        self.large: bool | None = None
        self.set_large(False)

    def set_large(self, large: bool) -> None:
        """Normal type: the rate, the next action and the buttons on one row. Large type has a layout of
        its own: the rate and the buttons on one row, the next action on the whole width under them, and
        the buttons' shortcuts left to their tooltips (words that cannot wrap must not widen the row)."""
        if large == self.large:
            return
        self.large = large
        g = self.grid
        for w in (self.pump_now, self.next_action):
            g.removeWidget(w)
        g.removeItem(self.top)
        g.removeItem(self.buttons)
        g.addLayout(self.top, 0, 0, 1, 3)
        if large:
            g.addWidget(self.pump_now, 1, 0, 1, 2)
            g.addLayout(self.buttons, 1, 2)
            g.addWidget(self.next_action, 2, 0, 1, 3)
        else:
            g.addWidget(self.pump_now, 1, 0)
            g.addWidget(self.next_action, 1, 1)
            g.addLayout(self.buttons, 1, 2)
        for w, extra in ((self.pump_now, 5), (self.next_action, 2)):
            f = w.font()
            f.setPointSize(BASE_PT[large] + extra)
            f.setBold(True)
            w.setFont(f)
        g.setColumnStretch(0, 2 if large else 3)
        g.setColumnStretch(1, 3)
        g.setColumnStretch(2, 0)
        for b in (self.pause_button, self.resume_button, self.stop_button):
            one = str(b.property("oneLine"))
            b.setText(one.split(" (")[0] if large else one)
            b.setToolTip(one[one.find("(") + 1:-1] if "(" in one else "")

    def refit(self) -> None:
        """Measure the wrapped lines again once a new type size has reached them."""
        for w in (self.pump_now, self.next_action):
            w.refit()

    def show_state(self, s: ChairState, title: str, clock: str) -> None:
        """Everything from the snapshot: no session is read here."""
        self.title.setText(title)
        self.now_label.setText(clock)
        self._badge(s)
        self.pump_now.setText(s.pump_line)
        d = s.next_due
        if d is None:
            nxt = "Next: nothing due" if s.status not in ("stopped", "completed", "closed") else "Next: —"
        elif d.at_text == "now":
            nxt = f"NOW: {d.what}"
        else:
            nxt = f"Next: {d.what} at {d.at_text}" + (f" ({d.in_text})" if d.in_text else "")
        self.next_action.setText(nxt)
        grade = s.proposal.grade if s.proposal is not None else ""
        now = d is not None and d.at_text == "now"
        bar = GRADE_COLOURS.get(grade, GRADE_COLOURS["alert"]) if now else "transparent"
        css = f"border-left: 6px solid {bar}; padding-left: 6px;"  # the words say it too: NOW
        if self.next_action.styleSheet() != css:  # a new style sheet re-polishes: only when it changes
            self.next_action.setStyleSheet(css)
        it = s.intents
        for b, ok, intent in ((self.pause_button, it.can_pause, "pause"), (self.resume_button, it.can_resume, "resume"),
                              (self.stop_button, it.can_stop, "stop")):
            b.setEnabled(ok)
            b.setStatusTip(it.reason(intent) if not ok else "")
        # Resume takes Pause's place while the pump is paused: the row keeps its width
        self.resume_button.setVisible(s.status == "paused")
        self.pause_button.setVisible(s.status != "paused")

    def _badge(self, s: ChairState) -> None:
        """The state, unless an action is due that contradicts it (never RUNNING beside a STOP)."""
        p = s.proposal
        if p is not None and p.action in HEADER_ACTION:
            text = HEADER_ACTION[p.action]
            colour = GRADE_COLOURS["alert"] if p.grade == "none" else GRADE_COLOURS.get(p.grade, GRADE_COLOURS["alert"])
        else:
            text, colour = s.status.upper(), STATE_COLOURS.get(s.status, "#555")
        if self.state_badge.text() != text:
            self.state_badge.setText(text)
            self.state_badge.setAccessibleName("Chair state")
            self.state_badge.setStyleSheet(f"background: {colour}; color: white; font-weight: bold; padding: 4px 10px;")
