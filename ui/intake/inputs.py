"""The input groups of the New-infusion form: patient, prescription, flags.

Each group only builds and holds its widgets; the form (ui.intake.form) wires them to the plan
preview. Number fields are NumberEdits: their errors show beside them (ui.common.form_fields).
"""
from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QWidget,
)

from titration.catalogue_file import load_catalogue
from titration.day_fit import DEFAULT_CLOSING
from titration.limits import SOFT_LIMIT_WORDS, SOFT_LIMITS
from titration.products import INDICATIONS
from ui.common.form_fields import ClockEdit, FieldError, NumberEdit, field_row

AGE_BANDS = ("—", "child (under 18)", "adult 18–65", "over 65")
# soft limits the prescriber may set aside with a recorded reason (design 3); hard limits never
SOFT_LIMIT_TEXT = tuple((name, f"Set aside: {SOFT_LIMIT_WORDS[name]}") for name in SOFT_LIMITS)


def band_for(age_years: float | None) -> str | None:
    """The age band of an age in years (None when no age is typed): child as the core counts one."""
    if age_years is None:
        return None
    if load_catalogue().is_child(age_years):
        return AGE_BANDS[1]
    return AGE_BANDS[3] if age_years > 65 else AGE_BANDS[2]


class PatientBox(QGroupBox):
    """Who the patient is, where they sit, and the body measures the dose needs."""

    def __init__(self, parent=None):
        super().__init__("Patient", parent)
        f = QFormLayout(self)
        f.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # a narrow window puts the field under its name
        self.patient_id = QLineEdit()
        self.patient_id.setObjectName("patientId")
        self.patient_id.setPlaceholderText("optional: hospital number (for the history)")
        self.patient_id.setAccessibleName("Patient identifier")
        self.chair_name = QLineEdit()
        self.chair_name.setObjectName("chairName")
        self.chair_name.setPlaceholderText("e.g. Bay A, chair 3 (the physical chair)")
        self.chair_name.setAccessibleName("Chair")
        self.weight = NumberEdit("Weight", "kg", "kg (required)", "weight")
        self.height_cm = NumberEdit("Height", "cm", "cm (optional)", "height")
        self.sex = QComboBox()
        self.sex.setObjectName("sex")
        self.sex.setAccessibleName("Sex")
        self.sex.addItems(["—", "female", "male"])
        # The age in years grades a child's vitals by the paediatric bands (the core's age_years);
        # the band follows it when it is typed (over 65 is a renal risk factor).
        self.age_years = NumberEdit("Age", "years", "years (a baby: 0.5)", "ageYears")
        self.age = QComboBox()
        self.age.setObjectName("ageBand")
        self.age.setAccessibleName("Age band")
        self.age.addItems(AGE_BANDS)
        f.addRow("Identifier", self.patient_id)
        f.addRow("Chair", self.chair_name)
        f.addRow("Weight", field_row(self.weight))
        f.addRow("Height", field_row(self.height_cm))
        f.addRow("Sex", self.sex)
        f.addRow("Age", field_row(self.age_years, QLabel("years")))
        f.addRow("Age band", self.age)
        self.history = QLabel("")
        self.history.setObjectName("warnLine")
        self.history.setWordWrap(True)
        self.history.hide()
        f.addRow(self.history)


    def follow_age(self) -> float | None:
        """The age typed (None if empty or not a number); the band follows it and is locked while
        an age is typed. The age is what grades a child's vitals (the core's age_years)."""
        try:
            age = self.age_years.value()
        except FieldError:
            age = None
        band = band_for(age)
        if band is not None:
            self.age.setCurrentIndex(self.age.findText(band))
        self.age.setEnabled(band is None)
        self.age.setToolTip("from the age typed above" if band is not None else "")
        return age if band is not None else None


class PrescriptionBox(QGroupBox):
    """Product, indication, dose (one infusion or a course), dosing weight, protocol, pump."""

    def __init__(self, library, policies, parent=None):
        super().__init__("Prescription", parent)
        f = QFormLayout(self)
        f.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # a narrow window puts the field under its name
        self.product = QComboBox()
        self.product.setObjectName("product")
        self.product.setAccessibleName("Product")
        for pid, p in library.items():
            self.product.addItem(f"{p.name} — {p.concentration_mg_per_ml:g} mg/mL", pid)
        self.indication = QComboBox()
        self.indication.setObjectName("indication")
        self.indication.setAccessibleName("Indication")
        f.addRow("Product", self.product)
        f.addRow("Indication", self.indication)

        dose_row = QWidget()
        dl = QGridLayout(dose_row)
        dl.setContentsMargins(0, 0, 0, 0)
        self.dose_mode = QButtonGroup(self)
        self.per_infusion = QRadioButton("This infusion")
        self.course = QRadioButton("A course")
        self.per_infusion.setChecked(True)
        self.dose_mode.addButton(self.per_infusion, 0)
        self.dose_mode.addButton(self.course, 1)
        self.dose = NumberEdit("Dose", "g/kg", "g/kg", "dose")
        self.course_total = NumberEdit("Course dose", "g/kg", "g/kg in total", "courseTotal")
        self.course_days = QSpinBox()
        self.course_days.setObjectName("courseDays")
        self.course_days.setRange(1, 7)
        self.course_days.setValue(5)
        self.course_days.setSuffix(" days")
        self.course_split = QLabel("")
        dl.addWidget(self.per_infusion, 0, 0)
        dl.addWidget(field_row(self.dose, QLabel("g/kg")), 0, 1)
        dl.addWidget(self.course, 1, 0)
        dl.addWidget(field_row(self.course_total, QLabel("g/kg over")), 1, 1)
        dl.addWidget(self.course_days, 2, 1)
        dl.addWidget(self.course_split, 3, 0, 1, 2)
        dl.setColumnStretch(1, 1)
        f.addRow("Dose", dose_row)

        self.dosing_weight = QComboBox()
        self.dosing_weight.setObjectName("dosingWeight")
        for m, text in (("actual", "actual weight"), ("auto", "auto (adjusted if BMI > 30)"),
                        ("adjusted", "adjusted (DDW)"), ("ideal", "ideal (Devine)")):
            self.dosing_weight.addItem(text, m)
        f.addRow("Dosing weight", self.dosing_weight)
        self.protocol = QComboBox()
        self.protocol.setObjectName("protocol")
        f.addRow("Protocol", self.protocol)
        self.policy = QComboBox()
        self.policy.setObjectName("policy")
        for pid, pol in policies.items():
            self.policy.addItem(pol.name, pid)
        self.policy.setCurrentIndex(max(self.policy.findData("tiered"), 0))
        f.addRow("Reaction policy", self.policy)
        self.unit_cap = NumberEdit("Unit's pump maximum", "mL/h", "mL/h (optional)", "unitCap")
        f.addRow("Unit's pump maximum", field_row(self.unit_cap))
        # the unit's closing time (a setting, not clinical data): a plan that runs past it is said plainly
        self.closing_time = ClockEdit("Unit closes at", "", "18:00", "closingTime")
        self.closing_time.setText(DEFAULT_CLOSING)
        self.closing_time.setToolTip("The unit's closing time: a plan expected to finish after it is flagged")
        f.addRow("Unit closes at", field_row(self.closing_time))
        self.resolution = QComboBox()
        self.resolution.setObjectName("resolution")
        for r in (0.1, 1.0):
            self.resolution.addItem(f"{r:g} mL/h", r)
        f.addRow("Pump resolution", self.resolution)

    def fill_indications(self, product, keep) -> None:
        """The product's indications, keeping the one chosen when the new product has it too."""
        self.indication.blockSignals(True)
        self.indication.clear()
        for iid in product.indications:
            self.indication.addItem(f"{INDICATIONS.get(iid, iid)} ({iid})", iid)
        self.indication.setCurrentIndex(max(self.indication.findData(keep), 0))
        self.indication.blockSignals(False)

    def fill_protocols(self, product, ind, protocols) -> None:
        """The default ladder, the label's, and every protocol the core allows for this product."""
        self.protocol.blockSignals(True)
        self.protocol.clear()
        if ind is not None:
            default = "label" if ind.ladder == "label" else ind.ladder
            kind = "the label's ladder" if default == "label" else f"LOCAL protocol {default}"
            self.protocol.addItem(f"Default: {kind}", None)
            if ind.label_ladder is not None:
                self.protocol.addItem("label", "label")
            for pr_id, pr in protocols.items():
                if not pr.not_for(product):
                    self.protocol.addItem(f"{pr.name} ({pr.kind})", pr_id)
        self.protocol.blockSignals(False)


class FlagsBox(QGroupBox):
    """What the plan must respect: first infusion, switch, at risk, tolerated maximum, set-asides."""

    def __init__(self, parent=None):
        super().__init__("Flags", parent)
        f = QFormLayout(self)
        f.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # a narrow window puts the field under its name
        self.first_infusion = QCheckBox("First infusion")
        self.first_infusion.setObjectName("firstInfusion")
        self.product_switch = QCheckBox("Product switch (another brand than last time)")
        self.product_switch.setObjectName("productSwitch")
        self.weeks = NumberEdit("Weeks since the last infusion", "weeks", "weeks (optional)", "weeksSinceLast")
        self.at_risk = QCheckBox("At risk of renal dysfunction or thrombosis")
        self.at_risk.setObjectName("atRisk")
        self.at_risk_cap = NumberEdit("At-risk cap", "mg/kg/min", "mg/kg/min", "atRiskCap")
        self.at_risk_note = QLabel("")
        self.at_risk_note.setWordWrap(True)
        self.tolerated = NumberEdit("Previously tolerated maximum", "mg/kg/min", "mg/kg/min (optional)",
                                    "toleratedMax")
        f.addRow(self.first_infusion)
        f.addRow(self.product_switch)
        f.addRow("Weeks since the last infusion", field_row(self.weeks))
        f.addRow(self.at_risk)
        f.addRow("At-risk cap", field_row(self.at_risk_cap))
        f.addRow(self.at_risk_note)
        f.addRow("Previously tolerated maximum", field_row(self.tolerated))
        self.overrides: dict[str, tuple[QCheckBox, QLineEdit]] = {}
        for name, text in SOFT_LIMIT_TEXT:
            cb = QCheckBox(text)
            cb.setObjectName(f"override_{name}")
            why = QLineEdit()
            why.setObjectName(f"overrideReason_{name}")
            why.setPlaceholderText("reason (required)")
            why.setEnabled(False)
            cb.toggled.connect(why.setEnabled)
            row = QWidget()
            rl = QHBoxLayout(row)
            rl.setContentsMargins(0, 0, 0, 0)
            rl.addWidget(cb)
            rl.addWidget(why, 1)
            f.addRow(row)
            self.overrides[name] = (cb, why)
