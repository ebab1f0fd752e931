"""When the plan no longer fits the day: the core's plain warning and the nurse's choices.

The answer is the core's (titration.day_fit: Session.day_fit for a chair, day_fit for a plan not
yet started). The closing time is the unit's setting, typed on the New-infusion form and kept
with the plan's request (closing_clock), so the chair and a recovered record use the same one.
In the chair the nurse can record a choice as a note: discussed with the prescriber, or stop at
the set time with the dose given by then and the remainder to give another day.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QPushButton, QVBoxLayout

from ui.common.widgets import label


def fit_text(fit) -> str:
    return fit.message + "\n" + "\n".join(f"• {c.words}" for c in fit.choices)


class DayFitPanel(QFrame):
    """The warning and the choices; hidden while the plan fits the day."""

    sig_note = Signal(str)  # a choice the nurse records (the chair writes it as a note)

    def __init__(self, parent=None, *, actions: bool = True):
        super().__init__(parent)
        self.setObjectName("dayFit")
        self.fit = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        self.title = label("dayFitTitle", "DOES NOT FIT THE DAY", wrap=True)
        lay.addWidget(self.title)
        self.text = label("dayFitText", wrap=True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        lay.addWidget(self.text)
        self.prescriber_button = QPushButton("Record: discussed with the prescriber")
        self.prescriber_button.setObjectName("dayFitPrescriber")
        self.prescriber_button.clicked.connect(self._prescriber)
        self.stop_at_button = QPushButton("Record: stop at the set time")
        self.stop_at_button.setObjectName("dayFitStopAt")
        self.stop_at_button.clicked.connect(self._stop_at)
        for b in (self.prescriber_button, self.stop_at_button):
            lay.addWidget(b)  # one a row: the words never clip in a narrow column
            if not actions:
                b.hide()  # (never show() a widget before it has a parent: it would open as a window)
        self.hide()

    def show_fit(self, fit, prefix: str = "") -> None:
        """The core's DayFit (None or fitting: hidden)."""
        self.fit = fit
        if fit is None or fit.fits:
            self.hide()
            return
        self.title.setText(f"DOES NOT FIT THE DAY — expected to end at {fit.finish_clock}")
        text = prefix + fit_text(fit)
        if self.text.text() != text:
            self.text.setText(text)
        stop = next((c for c in fit.choices if c.id == "stop-at"), None)
        self.stop_at_button.setEnabled(stop is not None)
        self.show()

    def _prescriber(self) -> None:
        if self.fit is not None:
            self.sig_note.emit(f"Day fit: discussed with the prescriber. {self.fit.message}")

    def _stop_at(self) -> None:
        stop = next((c for c in self.fit.choices if c.id == "stop-at"), None) if self.fit else None
        if stop is not None:
            self.sig_note.emit(f"Day fit: the nurse chose to {stop.words[0].lower()}{stop.words[1:]}")
