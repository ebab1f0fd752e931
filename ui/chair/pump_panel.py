"""The pump panel: the rate to set, the proposal in one line, "Why?", Confirm and Override.

It sits above the chair's scrolling column, so Confirm is always in view. The proposal reads as
one line a nurse acts on; the core's reasons and sources open under "Why?". Its colour is the
reaction grade's (severe red, moderate orange, mild amber), as everywhere.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFrame, QGridLayout, QGroupBox, QLabel, QLineEdit, QPushButton, QVBoxLayout

from titration.chair_state import ChairState
from ui.common.form_fields import FieldError, parse_number
from ui.common.style import GRADE_COLOURS, danger_css
from ui.common.widgets import label


class PumpPanel(QGroupBox):
    """What to set on the pump now, and the buttons that confirm or override it."""

    def __init__(self, chair, show_error, parent=None):
        super().__init__("Pump — Ctrl+Enter confirms", parent)
        self.chair = chair  # the intents (override); what is shown comes from the snapshot in show_state
        self.show_error = show_error
        pl = QVBoxLayout(self)
        pl.setSpacing(3)
        self.pump_title = label("pumpTitle")
        self.pump_rate = label("pumpRate")
        self.pump_units = label("pumpUnits", wrap=True)
        self.reason = label("proposalReason", wrap=True)  # the one line to act on
        for x in (self.pump_title, self.pump_rate, self.pump_units, self.reason):
            pl.addWidget(x)
        self.why_button = QPushButton("Why? ▸")
        self.why_button.setObjectName("whyButton")
        self.why_button.setCheckable(True)
        self.why_button.setFlat(True)
        self.why_button.toggled.connect(self._why)
        self.why = QFrame()
        wl = QVBoxLayout(self.why)
        wl.setContentsMargins(8, 0, 0, 0)
        self.why_text = label("proposalWhy", wrap=True)  # the core's reason, under "Why?"
        self.rule = label("proposalRule", wrap=True)  # the rule and its source
        self.rule.setStyleSheet("color: #555555;")
        wl.addWidget(self.why_text)
        wl.addWidget(self.rule)
        self.why.hide()
        pl.addWidget(self.why_button, 0, Qt.AlignmentFlag.AlignLeft)  # the reasons open at the top of the column below
        self.confirm_button = QPushButton("Confirm")
        self.confirm_button.setObjectName("confirm")
        self.confirm_button.setToolTip("Ctrl+Enter")
        self.override_button = QPushButton("Override… (Ctrl+Shift+O)")
        self.override_button.setFlat(True)
        self.override_button.setObjectName("overrideButton")
        self.override_button.clicked.connect(self.open_override)
        self.override_button.setAccessibleName("Override the proposal")
        self.override_button.setAccessibleDescription("Do something else than the proposal, with a reason")
        pl.addWidget(self.confirm_button)  # a row of its own: its words never clip
        pl.addWidget(self.override_button)
        pl.addWidget(self._override_panel())

    def _why(self, on: bool) -> None:
        self.why.setVisible(on)
        self.why_button.setText("Why? ▾" if on else "Why? ▸")

    def _override_panel(self) -> QFrame:
        self.override_panel = QFrame()
        self.override_panel.setFrameShape(QFrame.Shape.StyledPanel)
        g = QGridLayout(self.override_panel)
        self.ov_action = QComboBox()
        self.ov_action.setObjectName("overrideAction")
        for a in ("slow", "pause", "continue", "stop"):
            self.ov_action.addItem(a, a)
        self.ov_rate = QLineEdit()
        self.ov_rate.setObjectName("overrideRate")
        self.ov_rate.setPlaceholderText("mL/h")
        self.ov_rate.setMaximumWidth(90)
        self.ov_reason = QLineEdit()
        self.ov_reason.setObjectName("overrideReason")
        self.ov_reason.setPlaceholderText("reason (required)")
        self.ov_reason.returnPressed.connect(self.submit_override)
        ok = QPushButton("Record override")
        ok.setObjectName("submitOverride")
        ok.clicked.connect(self.submit_override)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.override_panel.hide)  # what was typed stays for next time
        g.addWidget(QLabel("Instead:"), 0, 0)
        g.addWidget(self.ov_action, 0, 1)
        g.addWidget(QLabel("rate"), 0, 2)
        g.addWidget(self.ov_rate, 0, 3)
        g.addWidget(self.ov_reason, 1, 0, 1, 4)
        g.addWidget(ok, 2, 0, 1, 2)
        g.addWidget(cancel, 2, 2, 1, 2)
        self.override_panel.hide()
        return self.override_panel

    # ------------------------------------------------------------------ intents
    def open_override(self) -> None:
        state = self.chair.state
        p = state.proposal
        if p is None:
            self.show_error("Override: there is no proposal to override")
            return
        if p.action == "stop":
            self.show_error("A stop cannot be overridden (severe reaction or policy stop).")
            return
        if not self.ov_rate.text():
            self.ov_rate.setText(f"{state.pump_rate_ml_h:g}")
        self.override_panel.show()
        self.ov_reason.setFocus()

    def submit_override(self) -> bool:
        try:
            rate = parse_number(self.ov_rate.text(), "Override rate", "mL/h")
        except FieldError as exc:
            self.show_error(str(exc))
            return False
        out = self.chair.override(self.ov_action.currentData(), rate or 0.0, self.ov_reason.text())
        if out.done:  # the core's answer itself (a refusal is said on the chair's error line)
            self.ov_reason.clear()
            self.override_panel.hide()
        return out.done

    # ------------------------------------------------------------------ rendering
    def _colour(self, grade: str) -> None:
        c = GRADE_COLOURS.get(grade) if grade not in ("none", "") else None
        self.reason.setStyleSheet(f"font-weight: bold; border-left: 8px solid {c}; padding-left: 6px;" if c else "")

    def show_state(self, state: ChairState) -> None:
        """Everything from the snapshot's pump view: no session is read here."""
        v = state.pump
        self.pump_title.setText(v.title)
        self.pump_rate.setText(v.rate_text)
        self.pump_units.setText(v.units_text)
        self.reason.setText(v.line)
        self.why_text.setText(v.why)
        self.rule.setText(v.rule)
        self._colour(v.grade)
        self.confirm_button.setText(v.confirm_text)
        self.confirm_button.setEnabled(v.confirm_enabled)
        self.confirm_button.setVisible(v.confirm_shown)
        self._name_confirm(v.confirm_name, v.confirm_description)
        self._danger(v.danger)
        self.override_button.setEnabled(v.override_enabled)
        self.override_button.setVisible(v.override_shown)
        self.why_button.setVisible(bool(self.why_text.text() or self.rule.text()))
        if not self.why_button.isVisible():
            self.why.hide()
        elif self.why_button.isChecked():
            self.why.show()

    def _danger(self, on: bool) -> None:
        """A STOP is confirmed with a red button, never the green of a step (white on red: 5.9:1)."""
        css = danger_css("confirm") if on else ""
        if self.confirm_button.styleSheet() != css:
            self.confirm_button.setStyleSheet(css)

    def _name_confirm(self, name: str, description: str) -> None:
        """One button starts the infusion and confirms each proposal: its accessible name says which."""
        if self.confirm_button.accessibleName() != name:
            self.confirm_button.setAccessibleName(name)
        if self.confirm_button.accessibleDescription() != description:
            self.confirm_button.setAccessibleDescription(description)
