"""A prescriber's new rate, entered as a structured record: the prescriber's name, a new maximum and,
or, a rate to set now, and the reason. The way out when a reaction left the plan holding a low rate
for the rest of the day: only a prescriber changes that.

The core checks the entry against the hard limits, journals it and plans the rest of the infusion
again (titration.prescriber_rate); this panel only collects the fields and shows the intent's
answer: done, or refused with the reasons in the nurse's words.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFormLayout, QFrame, QGroupBox, QLineEdit, QPushButton, QVBoxLayout

from titration.chair import Outcome
from titration.chair_state import ChairState
from titration.prescriber_rate import PrescriberRate
from ui.common.form_fields import FieldError, parse_number
from ui.common.widgets import label

FIELDS = (("prescriber", "Prescriber", "Who decided: the prescriber's name"),
          ("max_ml_h", "New maximum (mL/h)", "The highest rate for the rest of the infusion; the steps climb to it"),
          ("rate_ml_h", "Rate now (mL/h)", "A rate to set on the pump now, at most the new maximum"),
          ("reason", "Reason", "Why the prescriber changed the rate"))


class PrescriberRatePanel(QGroupBox):
    """The prescriber's new rate: closed until the nurse opens it; the answer is shown under it."""

    def __init__(self, submit: Callable[[PrescriberRate], Outcome], parent=None):
        super().__init__("Prescriber", parent)
        self.submit = submit
        lay = QVBoxLayout(self)
        self.open_button = QPushButton("Record a prescriber's new rate…")
        self.open_button.setObjectName("openPrescriberRate")
        self.open_button.setAccessibleName("Record a prescriber's new rate")
        self.open_button.setAccessibleDescription("A prescriber changed the maximum or the rate: record who, what "
                                                  "and why; the plan is made again from it")
        self.open_button.setCheckable(True)
        self.open_button.toggled.connect(self._open)
        lay.addWidget(self.open_button)
        self.form = QFrame()
        f = QFormLayout(self.form)
        f.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.fields: dict[str, QLineEdit] = {}
        for key, text, description in FIELDS:
            e = QLineEdit()
            e.setObjectName(f"prescriber_{key}")
            e.setAccessibleName(text)
            e.setAccessibleDescription(description)
            e.setPlaceholderText("optional" if key in ("max_ml_h", "rate_ml_h") else "required")
            self.fields[key] = e
            f.addRow(text, e)
        self.record_button = QPushButton("Record the new rate")
        self.record_button.setObjectName("recordPrescriberRate")
        self.record_button.setAccessibleName("Record the prescriber's new rate")
        self.record_button.setAccessibleDescription("Checked against the hard limits, journaled, the plan made again")
        self.record_button.clicked.connect(self.record)
        f.addRow(self.record_button)
        lay.addWidget(self.form)
        self.answer = label("prescriberAnswer", wrap=True)
        self.answer.setAccessibleName("Prescriber's new rate: answer")
        lay.addWidget(self.answer)
        self.form.hide()
        self.answer.hide()

    def _open(self, on: bool) -> None:
        self.form.setVisible(on)
        if on:
            self.fields["prescriber"].setFocus()

    def show_state(self, s: ChairState) -> None:
        """Offered while the core allows it (running or paused, no reaction being handled)."""
        # shown only while it can be used: during a reaction its room goes to what is due now
        self.setVisible(s.intents.can_record_prescriber_rate)

    def entry(self) -> PrescriberRate:
        """The fields as an entry (FieldError for a number that is not one); the core checks the rest."""
        t = {k: e.text() for k, e in self.fields.items()}
        return PrescriberRate(t["prescriber"], t["reason"], parse_number(t["max_ml_h"], "New maximum", "mL/h"),
                              parse_number(t["rate_ml_h"], "Rate now", "mL/h"))

    def record(self) -> Outcome:
        """Send the entry; the answer (done, or the reasons it was refused) is shown and returned."""
        try:
            out = self.submit(self.entry())
        except FieldError as exc:
            out = Outcome(False, (str(exc),))
        if out.done:
            e = self.entry()
            parts = [f"new maximum {e.max_ml_h:g} mL/h" if e.max_ml_h is not None else "",
                     f"pump to {e.rate_ml_h:g} mL/h" if e.rate_ml_h is not None else ""]
            self.answer.setText("Recorded: " + ", ".join(p for p in parts if p) + "; the plan is made again from it.")
            for e2 in self.fields.values():
                e2.clear()
            self.open_button.setChecked(False)
        else:
            self.answer.setText("Not recorded: " + out.message)
        self.answer.show()
        return out
