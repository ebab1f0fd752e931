"""The chair's other controls: pause, resume, stop and symptoms resolved; the reason box they
(and an early observation close) ask for; the emergency steps; the summary after the end."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout

from titration.chair_state import ChairState, EmergencyView
from ui.common.style import danger_css
from ui.common.widgets import label

REASON_BUTTONS = {"pause": "Pause now", "stop": "STOP the infusion", "close": "Close the observation early"}


class ReasonBox(QFrame):
    """One line for a reason, shown in full width under the pump panel (always in view)."""

    def __init__(self, submit, parent=None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("reasonPanel")
        v = QVBoxLayout(self)
        v.setContentsMargins(6, 4, 6, 4)
        self.title = QLabel("")
        self.title.setWordWrap(True)
        v.addWidget(self.title)
        h = QHBoxLayout()
        self.kind = "pause"
        self.edit = QLineEdit()
        self.edit.setObjectName("reasonEdit")
        self.edit.setMinimumWidth(160)
        self.edit.returnPressed.connect(submit)
        self.ok = QPushButton("Pause")
        self.ok.setObjectName("submitReason")
        self.ok.clicked.connect(submit)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.hide)
        h.addWidget(self.edit, 1)
        h.addWidget(self.ok)
        h.addWidget(cancel)
        v.addLayout(h)
        self.hide()

    def open(self, kind: str) -> None:
        self.kind = kind
        self.ok.setText(REASON_BUTTONS[kind])
        # STOP looks like danger, as on the pump panel (no side padding: its words fit a 1024-px window)
        css = danger_css("submitReason", "3px 0px") if kind == "stop" else ""
        if self.ok.styleSheet() != css:
            self.ok.setStyleSheet(css)
        self.title.setText({"pause": "Why pause? (optional)", "stop": "Why stop? (required)",
                            "close": "The hour is not over: why close the observation now? (required)"}[kind])
        self.edit.setPlaceholderText("reason (optional)" if kind == "pause" else "reason (required)")
        self.show()
        self.edit.setFocus()


class InfusionControls(QGroupBox):
    """'Symptoms resolved', enabled as the state allows (Pause, Resume and Stop are in the chair's
    fixed header, always in view)."""

    def __init__(self, parent=None):
        super().__init__("Reaction", parent)
        cl = QGridLayout(self)
        self.resolved_button = QPushButton("Symptoms resolved (Ctrl+R)")
        self.resolved_button.setObjectName("resolvedButton")
        self.resolved_button.setAccessibleName("Symptoms resolved")
        self.resolved_button.setAccessibleDescription("Record that the reaction's symptoms are over")
        cl.addWidget(self.resolved_button, 0, 0)

    def show_state(self, state: ChairState) -> None:
        # a reaction episode stays open, after the end too, until recorded resolved (the core says when)
        self.resolved_button.setEnabled(state.intents.can_resolve)


class EmergencyPanel(QFrame):
    """The emergency steps of the reaction's kind (resources/symptoms.toml [[kind]]), with their
    source: a febrile reaction stopped by recurrence gets the febrile steps, not the anaphylaxis box."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("emergency")
        self.shown_for = None
        lay = QVBoxLayout(self)
        self.title = QLabel("SEVERE REACTION — EMERGENCY")
        self.title.setObjectName("emergencyTitle")
        self.title.setWordWrap(True)
        lay.addWidget(self.title)
        self.note = label("emergencyNote", wrap=True)
        lay.addWidget(self.note)
        self.steps = label("emergencySteps", wrap=True)
        self.steps.setAccessibleName("Emergency steps")
        self.steps.setAccessibleDescription("What to do now, in order, for this reaction")
        lay.addWidget(self.steps)
        self.source = label("emergencySource", wrap=True)
        lay.addWidget(self.source)
        hide = QPushButton("Hide emergency steps")
        hide.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        hide.clicked.connect(self.hide)
        lay.addWidget(hide)
        self.hide()

    def offer(self, state: ChairState) -> None:
        """A STOP's (or after the end, the emergency) proposal's steps: the core chose them by the
        reaction's kind. Shown once per proposal: hidden stays hidden."""
        if state.proposal is not None and state.emergency is not None:
            self.show_steps((state.proposal, state.emergency), state.emergency)

    def show_steps(self, key, e: EmergencyView) -> None:
        """Show the steps under the kind's name and source, once per `key` (hidden stays hidden)."""
        if self.shown_for == key:
            return
        self.shown_for = key
        self.title.setText(e.title)
        self.note.setText(e.note)
        self.note.setVisible(bool(e.note))
        self.steps.setText("\n".join(f"{i}. {x}" for i, x in enumerate(e.steps, 1)))
        self.source.setText(f"Source: {e.source}")
        self.show()


class AfterPanel(QGroupBox):
    """After the end: what was given, and the button that closes the observation."""

    def __init__(self, parent=None):
        super().__init__("After the infusion", parent)
        sl = QVBoxLayout(self)
        self.summary = label("summary", wrap=True)
        sl.addWidget(self.summary)
        # reactions that come hours later: what the patient is told before they leave (the core's words)
        self.look_out = label("lookOut", wrap=True)
        self.look_out.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        sl.addWidget(self.look_out)
        self.close_obs_button = QPushButton("Close observation (Ctrl+Shift+C)")
        self.close_obs_button.setObjectName("closeObservation")
        self.close_obs_button.setAccessibleName("Close the observation")
        self.close_obs_button.setAccessibleDescription("The observation after the infusion is over: close the record")
        sl.addWidget(self.close_obs_button)
        self.hide()

    def show_state(self, state: ChairState) -> None:
        """The record after the end (the core's lines) and what the patient is told; hidden before the end."""
        after = state.after_end
        self.setVisible(after is not None)
        if after is None:
            return
        lines = list(after.lines)
        if self.summary.text() != "\n".join(lines):
            self.summary.setText("\n".join(lines))
        look = ("Before the patient leaves, tell them to look out for (reactions can come hours later):\n"
                + "\n".join(f"• {x}" for x in after.look_out))
        if self.look_out.text() != look:
            self.look_out.setText(look)
        self.close_obs_button.setEnabled(state.status != "closed")
