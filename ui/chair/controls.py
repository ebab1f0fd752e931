"""The chair's other controls: pause, resume, stop and symptoms resolved; the reason box they
(and an early observation close) ask for; the emergency steps; the summary after the end."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout

from titration.timefmt import span_words
from ui.chair.after_end import AFTER_END_NOTE, look_out_lines
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

    def update_for(self, s) -> None:
        st, r = s.status, s.state.reaction
        ep = s.state.episode  # a reaction episode stays open, after the end too, until recorded resolved
        self.resolved_button.setEnabled((r is not None and r.resolved_at is None and st in ("running", "paused"))
                                        or (ep is not None and ep.resolved_at is None and ep.review_at is not None
                                            and st != "planned"))


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

    def offer(self, p, catalogue) -> None:
        """A stop proposal's steps (the core chose them by the reaction's kind)."""
        if p is not None and p.emergency:
            note = AFTER_END_NOTE if p.action == "emergency" else ""
            self.show_kind(p, catalogue.kind(p.kind), p.emergency, note)

    def show_kind(self, key, kind, steps, note: str = "") -> None:
        """Show `steps` under the kind's name and source, once per `key` (hidden stays hidden)."""
        if self.shown_for == key:
            return
        self.shown_for = key
        self.title.setText("SEVERE REACTION — EMERGENCY" if kind.id == "other" else f"STOP — {kind.label}")
        self.note.setText(note)
        self.note.setVisible(bool(note))
        self.steps.setText("\n".join(f"{i}. {x}" for i, x in enumerate(steps, 1)))
        self.source.setText(f"Source: {kind.source}")
        self.show()


class AfterPanel(QGroupBox):
    """After the end: what was given, and the button that closes the observation."""

    def __init__(self, chair, parent=None):
        super().__init__("After the infusion", parent)
        self.chair = chair
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

    def refresh(self, t: float) -> None:
        s, c = self.chair.session, self.chair
        st = s.state
        lines = [f"{'Completed' if st.status != 'stopped' else 'STOPPED'} at {c.clock_text(st.end_min)}."]
        if st.started_at is not None and st.end_min is not None:
            took = span_words(st.end_min - st.started_at)
            lines.append(f"Started {c.clock_text(st.started_at)}; infusion time {took}.")
        lines.append(f"Delivered {s.delivered_ml(t):.1f} of {s.volume_ml:.1f} mL.")
        top = max((seg[2] for seg in s.rate_segments()), default=0.0)
        tolerated = f"{st.tolerated_ml_h:g} mL/h" if st.tolerated_ml_h > 0 else "none recorded"
        lines.append(f"Highest pump rate {top:g} mL/h; highest tolerated {tolerated}.")
        lines.append(f"Reactions: {st.reactions} (highest grade {st.highest_grade}).")
        v = s.vitals_due(t)
        if v is not None and st.status != "closed":
            lines.append(f"Vitals: {v[1]} ({c.clock_text(v[0])}).")
        self.summary.setText("\n".join(lines))
        self.look_out.setText("Before the patient leaves, tell them to look out for (reactions can come hours "
                              "later):\n" + "\n".join(f"• {x}" for x in look_out_lines(s)))
        self.close_obs_button.setEnabled(st.status != "closed")
