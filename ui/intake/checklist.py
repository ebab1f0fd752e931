"""The pre-infusion checklist's widgets. The questions, which of them apply to this patient, and what
the answers mean (blocks, holds for the prescriber, warnings, flags) are the core's
(titration/checklist.py); `result()` hands the answers there.
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from titration.checklist import (
    BY_ID,
    RENAL,
    SRC_HYDRATION,
    SRC_RISK,
    THROMBOSIS,
    ChecklistAnswers,
    ChecklistResult,
    assess,
    can_be_pregnant,
)


class YesNo(QWidget):
    """Two radio buttons; value() is None until answered."""

    changed = Signal()

    def __init__(self, labels=("No", "Yes"), parent=None):
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.group = QButtonGroup(self)
        self.buttons = []
        for i, text in enumerate(labels):
            b = QRadioButton(text)
            self.group.addButton(b, i)
            self.buttons.append(b)
            lay.addWidget(b)
        lay.addStretch(1)
        self.group.idClicked.connect(lambda _i: self.changed.emit())

    def value(self) -> int | None:
        i = self.group.checkedId()
        return None if i < 0 else i

    def set_value(self, i: int | None) -> None:
        if i is None:
            self.group.setExclusive(False)
            for b in self.buttons:
                b.setChecked(False)
            self.group.setExclusive(True)
        else:
            self.buttons[i].setChecked(True)
        self.changed.emit()


class Checklist(QGroupBox):
    sig_changed = Signal()

    def __init__(self, parent=None):
        super().__init__("Pre-infusion checklist", parent)
        self.child = False  # set from the age band (a child's vitals: the core's paediatric bands, by age)
        lay = QVBoxLayout(self)
        grid = QGridLayout()
        grid.setColumnStretch(0, 1)
        lay.addLayout(grid)
        wording: dict[int, QLabel] = {}  # each question's words, by its row

        def question(row: int, text: str, src: str, labels=("No", "Yes"), below: bool = False) -> YesNo:
            q = QLabel(text)
            q.setWordWrap(True)
            q.setToolTip(src)
            w = YesNo(labels)
            w.setAccessibleName(text)  # the answers are read with their question, not as a bare "No"
            for b in w.buttons:
                b.setAccessibleDescription(text)
            w.changed.connect(self.sig_changed)
            wording[row] = q
            if below:  # three answers: on their own line, so a narrow window still shows them all
                grid.addWidget(q, row, 0, 1, 2)
                grid.addWidget(w, row + 1, 0, 1, 2)
            else:
                grid.addWidget(q, row, 0)
                grid.addWidget(w, row, 1)
            return w

        self.labels: dict[str, QLabel] = {}

        def core(row: int, qid: str, below: bool = False) -> YesNo:
            q = BY_ID[qid]
            w = question(row, q.text, q.source, q.answers, below)
            self.labels[qid] = wording[row]
            return w

        self.prior_reaction = core(0, "prior_reaction")
        self.iga = core(1, "iga")
        self.pregnant = core(2, "pregnant")
        self.breastfeeding = core(3, "breastfeeding")
        self.vaccine = core(4, "vaccine")
        self.infection = core(5, "infection")
        self.brand = core(6, "brand", below=True)
        self.age_years: float | None = None
        self.sex: str | None = None

        # IgA override: a prescriber's decision, recorded with a reason
        self.iga_box = QWidget()
        ob = QHBoxLayout(self.iga_box)
        ob.setContentsMargins(20, 0, 0, 0)
        self.iga_override = QCheckBox("Prescriber override recorded")
        self.iga_prescriber = QLineEdit()
        self.iga_prescriber.setPlaceholderText("prescriber")
        self.iga_reason = QLineEdit()
        self.iga_reason.setPlaceholderText("reason (required for an override)")
        for w in (self.iga_override, self.iga_prescriber, self.iga_reason):
            ob.addWidget(w)
        self.iga_override.toggled.connect(self.sig_changed)
        self.iga_prescriber.textChanged.connect(self.sig_changed)
        self.iga_reason.textChanged.connect(self.sig_changed)
        lay.addWidget(self.iga_box)
        self.iga_box.setVisible(False)

        self.renal: dict[str, QCheckBox] = {}
        self.thrombosis: dict[str, QCheckBox] = {}
        for title, items, store in (("Renal risk factors", RENAL, self.renal),
                                    ("Thrombosis risk factors", THROMBOSIS, self.thrombosis)):
            g = QGroupBox(title)
            g.setToolTip(SRC_RISK)
            gl = QGridLayout(g)
            gl.setVerticalSpacing(1)
            for i, (key, text) in enumerate(items):
                cb = QCheckBox(text)
                cb.setObjectName(f"risk_{key}")
                cb.toggled.connect(self.sig_changed)
                store[key] = cb
                gl.addWidget(cb, i, 0)  # one column: fits a narrow window in large type
            lay.addWidget(g)

        self.hydrated = QCheckBox("Patient adequately hydrated (confirm)")
        self.hydrated.setToolTip(SRC_HYDRATION)
        self.hydrated.toggled.connect(self.sig_changed)
        lay.addWidget(self.hydrated)
        self.iga.changed.connect(lambda: self.iga_box.setVisible(self.iga.value() == 1))

    def questions(self) -> list[YesNo]:
        return [self.prior_reaction, self.iga, self.pregnant, self.breastfeeding, self.vaccine, self.infection,
                self.brand]

    def clear(self) -> None:
        """Every question unanswered again, every box cleared (a new patient)."""
        for yn in self.questions():
            yn.set_value(None)
        for cb in list(self.renal.values()) + list(self.thrombosis.values()) + [self.hydrated, self.iga_override]:
            cb.setChecked(False)
        self.iga_prescriber.clear()
        self.iga_reason.clear()

    def set_age_band(self, band: str) -> None:
        """Over 65 is a renal risk factor and advanced age a thrombosis one (boxed warnings)."""
        old = band == "over 65"
        self.child = band.startswith("child")
        self.renal["age-over-65"].setChecked(old)
        self.thrombosis["advanced-age"].setChecked(old)

    def set_patient(self, age_years: float | None, sex: str | None) -> None:
        """Questions that cannot apply to this patient are not asked (the core says which)."""
        self.age_years, self.sex = age_years, sex
        ask = can_be_pregnant(age_years, sex)
        for qid, yn in (("pregnant", self.pregnant), ("breastfeeding", self.breastfeeding)):
            yn.setVisible(ask)
            self.labels[qid].setVisible(ask)
        self.sig_changed.emit()

    def answers(self) -> ChecklistAnswers:
        ticked = tuple(f"renal:{k}" for k, cb in self.renal.items() if cb.isChecked()) + \
            tuple(f"thrombosis:{k}" for k, cb in self.thrombosis.items() if cb.isChecked())
        return ChecklistAnswers(
            {"prior_reaction": self.prior_reaction.value(), "iga": self.iga.value(), "pregnant": self.pregnant.value(),
             "breastfeeding": self.breastfeeding.value(), "vaccine": self.vaccine.value(),
             "infection": self.infection.value(), "brand": self.brand.value()},
            ticked, self.hydrated.isChecked(), self.iga_prescriber.text(), self.iga_reason.text(),
            self.iga_override.isChecked(), self.age_years, self.sex)

    def result(self) -> ChecklistResult:
        return assess(self.answers())
