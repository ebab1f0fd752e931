"""The pump panel: the rate to set, the proposal in one line, "Why?", Confirm and Override.

It sits above the chair's scrolling column, so Confirm is always in view. The proposal reads as
one line a nurse acts on; the core's reasons and sources open under "Why?". Its colour is the
reaction grade's (severe red, moderate orange, mild amber), as everywhere.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFrame, QGridLayout, QGroupBox, QLabel, QLineEdit, QPushButton, QVBoxLayout

from ui.common.form_fields import FieldError, parse_number
from ui.common.style import GRADE_COLOURS
from ui.common.widgets import label


class PumpPanel(QGroupBox):
    """What to set on the pump now, and the buttons that confirm or override it."""

    def __init__(self, chair, show_error, parent=None):
        super().__init__("Pump — Ctrl+Enter confirms", parent)
        self.chair = chair
        self.session = chair.session
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
        p = self.chair.proposal()
        if p is None:
            self.show_error("Override: there is no proposal to override")
            return
        if p.action == "stop":
            self.show_error("A stop cannot be overridden (severe reaction or policy stop).")
            return
        if not self.ov_rate.text():
            self.ov_rate.setText(f"{self.session.state.rate_ml_h:g}")
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
    def _rate(self, rate: float) -> None:
        plan = self.session.original_plan
        self.pump_rate.setText(f"{rate:g} mL/h")
        self.pump_units.setText(f"{plan.mg_kg_min(rate):.2f} mg/kg/min · {plan.ml_kg_min(rate):.4f} mL/kg/min "
                                f"(at {plan.rate_weight_kg:g} kg, {plan.concentration_mg_per_ml:g} mg/mL)")

    def _colour(self, grade: str) -> None:
        c = GRADE_COLOURS.get(grade) if grade not in ("none", "") else None
        self.reason.setStyleSheet(f"font-weight: bold; border-left: 8px solid {c}; padding-left: 6px;" if c else "")

    def show_now(self, t: float, p) -> None:
        """Render for session time `t`; `p` is the core's proposal now (or None)."""
        self._show(t, p)
        self.why_button.setVisible(bool(self.why_text.text() or self.rule.text()))
        if not self.why_button.isVisible():
            self.why.hide()
        elif self.why_button.isChecked():
            self.why.show()

    def _danger(self, on: bool) -> None:
        """A STOP is confirmed with a red button, never the green of a step (white on red: 5.9:1)."""
        css = f"#confirm {{ background: {GRADE_COLOURS['severe']}; color: white; }}" if on else ""
        if self.confirm_button.styleSheet() != css:
            self.confirm_button.setStyleSheet(css)

    def _name_confirm(self, name: str, description: str) -> None:
        """One button starts the infusion and confirms each proposal: its accessible name says which."""
        if self.confirm_button.accessibleName() != name:
            self.confirm_button.setAccessibleName(name)
        if self.confirm_button.accessibleDescription() != description:
            self.confirm_button.setAccessibleDescription(description)

    def _show(self, t: float, p) -> None:
        s, c = self.session, self.chair
        st = s.status
        ended = st in ("completed", "stopped", "closed")
        self.confirm_button.setVisible(not ended or p is not None)  # after the end: only advice to confirm
        self.override_button.setEnabled(p is not None and p.action not in ("stop", "review", "emergency"))
        self.override_button.setVisible(not ended)
        if st == "planned":
            self._rate(s.rungs[0].rate_ml_h)
            self.pump_title.setText("Set pump to (step 1)")
            ready = s.state.baseline is not None
            self.reason.setText("Start the infusion when the pump is set." if ready
                              else "Record the baseline vitals first (Vitals panel), then start.")
            plan = s.original_plan
            self.why_text.setText("")
            self.rule.setText(f"protocol {plan.protocol_id}" + (" (LOCAL)" if plan.protocol_kind == "local" else ""))
            self.confirm_button.setText("Start: pump is set")
            self.confirm_button.setEnabled(ready)
            self._name_confirm("Start the infusion", f"The pump is set to {s.rungs[0].rate_ml_h:g} mL/h (step 1): "
                               "start the infusion")
            self._colour("none")
            return
        if p is not None:
            if p.action == "complete":  # the bag is empty: the nurse confirms the pump has finished
                self.pump_title.setText("END: the bag should be empty")
                self.pump_rate.setText(f"{s.delivered_ml(t):.0f} mL in")
                self.pump_units.setText(f"of {s.volume_ml:.0f} mL; the pump delivers nothing more")
            elif p.action in ("pause", "stop"):
                self.pump_title.setText("PAUSE: set the pump to 0" if p.action == "pause" else "STOP THE INFUSION")
                self.pump_rate.setText("0 mL/h" if p.action == "pause" else "STOP")
                self.pump_units.setText("")
            elif p.action in ("review", "emergency"):  # after the end: the pump is already off
                self.pump_title.setText("EMERGENCY STEPS" if p.action == "emergency" else "URGENT MEDICAL REVIEW")
                self.pump_rate.setText("pump off")
                self.pump_units.setText("")
            else:
                self.pump_title.setText({"increase": "Increase", "slow": "SLOW DOWN",
                                         "resume": "RESUME"}.get(p.action, p.action) + ": set pump to")
                self._rate(p.rate_ml_h)
            self.reason.setText(p.one_line())
            self.why_text.setText(p.reason)
            self.rule.setText((f"grade {p.grade} · " if p.grade != "none" else "") + p.rule)
            self._colour(p.grade)
            self.confirm_button.setText("Confirm: pump finished" if p.action == "complete" else f"Confirm: {p.action}")
            self.confirm_button.setEnabled(True)
            self._name_confirm("Confirm the proposal", p.one_line())
            self._danger(p.action in ("stop", "emergency"))
            return
        self._colour("none")
        self.confirm_button.setText("Nothing to confirm")
        self.confirm_button.setEnabled(False)
        self._danger(False)
        self._name_confirm("Confirm the proposal", "Nothing to confirm now")
        self.rule.setText("")
        self.why_text.setText("")
        rx = s.state.reaction
        if st == "running":
            self.pump_title.setText("Pump runs at")
            self._rate(s.state.rate_ml_h)
            nxt = s.next_step_at()  # the core gives no step past the end of the infusion
            if rx is not None:
                self.reason.setText(f"Reaction ({rx.grade}): escalation on hold"
                                  + (f"; review at {c.clock_text(rx.review_at)}" if rx.review_at is not None else ""))
            elif nxt is None:
                self.reason.setText("Keep this rate until the volume is in.")
            else:
                self.reason.setText(f"Next step at {c.clock_text(nxt)}.")
        elif st == "paused":
            self.pump_title.setText("Infusion PAUSED")
            self.pump_rate.setText("0 mL/h")
            self.pump_units.setText("")
            if rx is not None and rx.review_at is not None:
                self.reason.setText(f"Reaction ({rx.grade}): review at {c.clock_text(rx.review_at)}. "
                                  f"Mark 'Symptoms resolved' when they are.")
            else:
                self.reason.setText("Paused by the nurse: Resume when ready.")
        else:
            word = {"completed": "Infusion COMPLETED", "stopped": "Infusion STOPPED",
                    "closed": "Observation closed"}[st]
            self.pump_title.setText(word)
            self.pump_rate.setText(f"{s.delivered_ml(t):.1f} mL in")
            self.pump_units.setText(f"of {s.volume_ml:.1f} mL, ended {c.clock_text(s.state.end_min)}")
            self.reason.setText("")
