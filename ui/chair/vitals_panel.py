"""Vital signs entry: an inline panel (not a modal dialog), with the grade the values imply.

The grade comes from the core (catalogue.grade_vitals), against the baseline when there is one,
and for a child by the paediatric bands of the child's age (outside the child's normal range, never
below an adult's). A child's value no cited band covers
is not graded: the core says so and the form shows it plainly, for the nurse to judge. Empty
fields are simply not recorded. Typed values stay until they are recorded. "On oxygen" goes with
the SpO2 (NEWS2 scores oxygen 2): ticked, oxygen is recorded; unticked with an SpO2, air; it stays
ticked between entries (oxygen is a state, not a reading).
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from titration.catalogue_file import load_catalogue
from titration.errors import InputError, TitrationError
from titration.intake import read_vitals
from titration.vitals import VITAL_FIELDS, Vitals
from ui.common.style import GRADE_COLOURS

ORDER = ("temp_c", "pulse", "sbp", "dbp", "spo2", "rr")


class VitalsForm(QWidget):
    """Six fields; `vitals()` returns a core Vitals (or raises the core's InputError)."""

    sig_record = Signal(object)  # a valid Vitals
    sig_error = Signal(str)

    def __init__(self, parent=None, *, button_text: str = "Record vitals", catalogue=None,
                 age_years: float | None = None):
        super().__init__(parent)
        self.catalogue = catalogue or load_catalogue()
        self.baseline: Vitals | None = None
        self.age_years = age_years  # None: an adult (the core's adult bands)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        form.setVerticalSpacing(3)
        # a narrow column (large type): the field under its name
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.fields: dict[str, QLineEdit] = {}
        for key in ORDER:
            label, unit, (lo, hi) = VITAL_FIELDS[key]
            e = QLineEdit()
            e.setObjectName(f"vital_{key}")
            # no validator: it would drop the '/' of "120/80" and leave 12080; the core reads what was typed
            e.setPlaceholderText(f"{lo:g}–{hi:g}")
            e.setAccessibleName(label)
            e.setAccessibleDescription(f"{label} in {unit}, {lo:g} to {hi:g}")
            e.setMaximumWidth(110)
            e.textChanged.connect(self._preview)
            e.returnPressed.connect(self._record)
            self.fields[key] = e
            form.addRow(f"{label} ({unit})", e)
            if key == "sbp":  # shock: a pressure that cannot be measured is recorded as such (graded as 0)
                self.sbp_unrecordable = QCheckBox("Systolic BP unrecordable")
                self.sbp_unrecordable.setObjectName("sbpUnrecordable")
                self.sbp_unrecordable.toggled.connect(self._preview)
                form.addRow("", self.sbp_unrecordable)
            if key == "spo2":
                self.on_oxygen = QCheckBox("On oxygen (NEWS2 scores 2)")
                self.on_oxygen.setObjectName("onOxygen")
                self.on_oxygen.setAccessibleName("On oxygen")
                self.on_oxygen.setAccessibleDescription("The patient breathes added oxygen (NEWS2 scores 2)")
                self.on_oxygen.toggled.connect(self._preview)
                form.addRow("", self.on_oxygen)
        self.as_baseline = QCheckBox("Record as the baseline")
        self.as_baseline.setObjectName("asBaseline")
        self.as_baseline.hide()  # offered only when the infusion started without one
        form.addRow("", self.as_baseline)
        lay.addLayout(form)
        self.notice = QLabel("")  # no baseline: which rules are off (the core's words)
        self.notice.setObjectName("baselineNotice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        lay.addWidget(self.notice)
        self.news = QLabel("")  # the early-warning score with its parts (the core's words)
        self.news.setObjectName("news2Line")
        self.news.setWordWrap(True)
        self.news.hide()
        lay.addWidget(self.news)
        self.grade = QLabel("Grade implied: —")
        self.grade.setObjectName("vitalsGrade")
        self.grade.setWordWrap(True)
        lay.addWidget(self.grade)
        self.judge = QLabel("")  # a child's values no band covers: the nurse judges them
        self.judge.setObjectName("judgeLine")
        self.judge.setWordWrap(True)
        self.judge.hide()
        lay.addWidget(self.judge)
        row = QHBoxLayout()
        self.record_button = QPushButton(button_text)
        self.record_button.setObjectName("recordVitals")
        self.record_button.setAccessibleName(button_text)
        self.record_button.setAccessibleDescription("Record the vitals typed above; they are graded at once")
        self.record_button.clicked.connect(self._record)
        row.addWidget(self.record_button)
        row.addStretch(1)
        lay.addLayout(row)

    def set_baseline(self, baseline: Vitals | None) -> None:
        if baseline is self.baseline:
            return  # unchanged: keep what is shown (a recorded result stays until the next typing)
        self.baseline = baseline
        self._preview()

    def set_age(self, age_years: float | None) -> None:
        """The patient's age in years (None: an adult); a child's vitals are graded for the age."""
        self.age_years = age_years
        self._preview()

    def set_values(self, v: Vitals | None) -> None:
        """Pre-fill (training: run.take_vitals)."""
        d = v.to_dict() if v is not None else {}
        for key, e in self.fields.items():
            e.setText("" if key not in d else f"{d[key]:g}")
        if "on_oxygen" in d:
            self.on_oxygen.setChecked(bool(d["on_oxygen"]))

    def clear(self) -> None:
        for e in self.fields.values():
            e.clear()
        self.sbp_unrecordable.setChecked(False)
        self.as_baseline.setChecked(False)

    def show_state(self, notice: str, warning) -> None:
        """The core's baseline notice ('' when there is a baseline) and its NEWS2 result (or None)."""
        self.notice.setText(notice)
        self.notice.setVisible(bool(notice))
        self.as_baseline.setVisible(bool(notice))
        text = "" if warning is None else f"{warning.text()}: {warning.response}" + (
            f" ({warning.not_scored})" if warning.not_scored else "")
        self.news.setText(text)
        self.news.setVisible(bool(text))

    def vitals(self) -> Vitals:
        """The vitals typed (the core reads them: '120/80' in the systolic field is split or refused);
        InputError with every bad field in the nurse's words."""
        v, problems = read_vitals({k: e.text() for k, e in self.fields.items()}, self.sbp_unrecordable.isChecked(),
                                  on_oxygen=self.on_oxygen.isChecked())
        if problems:
            raise InputError(problems[0].field, problems[0].value, problems[0].allowed,
                             "; ".join(p.words for p in problems))
        return v if v is not None else Vitals()

    def _preview(self) -> None:
        self.show_judge(())
        try:
            v = self.vitals()
        except TitrationError:
            self.grade.setText("Grade implied: — (a value is out of range)")
            self.grade.setStyleSheet("")
            return
        if v.is_empty():
            self.grade.setText("Grade implied: —")
            self.grade.setStyleSheet("")
            return
        g = self.catalogue.grade_vitals(v, self.baseline, self.age_years)
        why = "; ".join(r.split(" (")[0] for r in g.reasons)
        self.grade.setText(f"Grade implied: {g.grade}" + (f" — {why}" if why else ""))
        self.grade.setStyleSheet(f"color: {GRADE_COLOURS[g.grade]}; font-weight: bold;")
        self.show_judge(g.judge)

    def show_recorded(self, g, when: str = "") -> None:
        """After recording: the grade the core gave, and what it left for the nurse to judge."""
        at = f" at {when}" if when else ""
        self.grade.setText(f"Recorded{at}: grade {g.grade}" + (" — NOT FULLY GRADED: judge below" if g.judge else ""))
        self.grade.setStyleSheet(f"color: {GRADE_COLOURS[g.grade]}; font-weight: bold;")
        self.show_judge(g.judge)

    def show_judge(self, lines) -> None:
        """The core's 'judge it yourself' lines (a child's value no cited band covers), or none."""
        self.judge.setText("\n".join(f"JUDGE IT YOURSELF — {x}" for x in lines))
        self.judge.setVisible(bool(lines))

    def _record(self) -> None:
        try:
            v = self.vitals()
        except TitrationError as exc:
            self.sig_error.emit(f"Vitals: {exc}")
            return
        if v.is_empty():
            self.sig_error.emit("Vitals: type at least one value")
            return
        self.sig_record.emit(v)
