"""The pre-infusion checklist (clinical-reference section 5).

Each answer may block the start, warn, or set a flag the plan uses (at risk, product switch,
first infusion). The wording and sources are from the reference; nothing here computes a rate.
`result()` says what the answers mean; the new-infusion form refuses to start while it blocks.
"""
from __future__ import annotations

from dataclasses import dataclass, field

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

RENAL = (  # boxed warnings (L), ref 1 and 5
    ("renal-insufficiency", "pre-existing renal insufficiency"),
    ("diabetes", "diabetes mellitus"),
    ("age-over-65", "age over 65"),
    ("volume-depletion", "volume depletion"),
    ("sepsis", "sepsis"),
    ("paraproteinaemia", "paraproteinaemia"),
    ("nephrotoxic-drugs", "nephrotoxic drugs"),
)
THROMBOSIS = (  # boxed warnings (L); obesity: medinfogalway.ie (G), ref 5
    ("advanced-age", "advanced age"),
    ("immobilisation", "prolonged immobilisation"),
    ("hypercoagulable", "hypercoagulable condition"),
    ("prior-thrombosis", "history of venous or arterial thrombosis"),
    ("estrogens", "estrogens"),
    ("central-catheter", "indwelling central venous catheter"),
    ("hyperviscosity", "hyperviscosity"),
    ("cv-risk", "cardiovascular risk factors"),
    ("obesity", "obesity"),
)
SRC_REACTION = "nsccm.org.np ICU protocol (G); MIMS Gamunex-C HK (L2); epgonline Gammagard Liquid (L2)"
SRC_IGA = "epgonline.org (L2); MIMS Thailand Kiovig (L2)"
SRC_PREG = "Privigen, Flebogamma and Gammagard SmPC (L); ch.oddb.org reg 57676 (L)"
SRC_VACCINE = ("Swiss SmPC ch.oddb.org 61547/58314 (L); gov.uk immunoglobulin patient information (G); "
               "BNF via gpnotebook (G)")
SRC_INFECTION = "Immunodeficiency UK FAQ (G)"
SRC_RISK = "US IVIG boxed warnings (L)"
SRC_HYDRATION = "US IVIG boxed warnings (L): ensure adequate hydration before administration"
SRC_SWITCH = ("privigen.com, gammagard.com professional pages (L): switching product, start at the minimum rate "
              "(ref 2.1)")


@dataclass
class ChecklistResult:
    blocks: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    at_risk: bool = False
    risk_factors: list[str] = field(default_factory=list)
    product_switch: bool = False
    first_infusion: bool = False
    override: str = ""  # the prescriber's IgA override, as recorded
    answers: dict = field(default_factory=dict)  # question -> answer, for the record

    @property
    def ok(self) -> bool:
        return not self.blocks

    def record(self) -> str:
        """The answers as one line for the journal."""
        parts = ["Pre-infusion checklist: " + "; ".join(f"{q}: {a}" for q, a in self.answers.items())]
        parts += [f"BLOCK {b}" for b in self.blocks]
        parts += [f"warning: {w}" for w in self.warnings]
        if self.risk_factors:
            parts.append("risk factors: " + ", ".join(self.risk_factors))
        if self.override:
            parts.append(f"IgA override: {self.override}")
        parts += self.notes
        return " | ".join(parts)


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

        def question(row: int, text: str, src: str, labels=("No", "Yes"), below: bool = False) -> YesNo:
            q = QLabel(text)
            q.setWordWrap(True)
            q.setToolTip(src)
            w = YesNo(labels)
            w.changed.connect(self.sig_changed)
            if below:  # three answers: on their own line, so a narrow window still shows them all
                grid.addWidget(q, row, 0, 1, 2)
                grid.addWidget(w, row + 1, 0, 1, 2)
            else:
                grid.addWidget(q, row, 0)
                grid.addWidget(w, row, 1)
            return w

        self.prior_reaction = question(0, "Previous severe or anaphylactic reaction to immunoglobulin?", SRC_REACTION)
        self.iga = question(1, "IgA deficiency with antibodies against IgA?", SRC_IGA)
        self.pregnant = question(2, "Pregnant?", SRC_PREG)
        self.breastfeeding = question(3, "Breastfeeding?", SRC_PREG)
        self.vaccine = question(4, "Live vaccine in the last 2 weeks, or one planned in the next 3 months?",
                                SRC_VACCINE)
        self.infection = question(5, "Infection today?", SRC_INFECTION)
        self.brand = question(6, "Same brand as last time?", SRC_SWITCH,
                              ("Yes, same", "No, a switch", "First infusion"),
                              below=True)

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

    def result(self) -> ChecklistResult:
        r = ChecklistResult()
        for key, yn in (("previous severe reaction", self.prior_reaction), ("IgA deficiency with antibodies", self.iga),
                        ("pregnant", self.pregnant), ("breastfeeding", self.breastfeeding),
                        ("live vaccine", self.vaccine), ("infection today", self.infection),
                        ("same brand", self.brand)):
            v = yn.value()
            r.answers[key] = "unanswered" if v is None else yn.buttons[v].text()
        r.answers["hydrated"] = "confirmed" if self.hydrated.isChecked() else "not confirmed"
        pr = self.prior_reaction.value()
        if pr is None:
            r.blocks.append("answer: previous severe reaction to immunoglobulin?")
        elif pr == 1:
            r.blocks.append("previous severe or anaphylactic reaction to immunoglobulin: contraindicated, "
                            "do not start; contact the prescriber")
        iga = self.iga.value()
        if iga is None:
            r.blocks.append("answer: IgA deficiency with anti-IgA antibodies?")
        elif iga == 1:
            who, why = self.iga_prescriber.text().strip(), self.iga_reason.text().strip()
            if self.iga_override.isChecked() and who and why:
                r.override = f"{who}: {why}"
                r.warnings.append("IgA deficiency with anti-IgA antibodies: started on the prescriber's override "
                                  f"({who}: {why})")
            else:
                r.blocks.append("IgA deficiency with anti-IgA antibodies: contraindicated unless the prescriber's "
                                "override is recorded with a name and a reason")
        for what, yn in (("pregnant?", self.pregnant), ("breastfeeding?", self.breastfeeding),
                         ("live vaccine in the last 2 weeks or planned in the next 3 months?", self.vaccine),
                         ("infection today?", self.infection)):
            if yn.value() is None:  # every question answered, so none is skipped by accident
                r.blocks.append(f"answer: {what}")
        if self.pregnant.value() == 1:
            r.notes.append("Pregnancy: safety not established in controlled trials; give with caution. IVIg crosses "
                           "the placenta, more in the third trimester; experience suggests no harm to the pregnancy, "
                           "fetus or neonate. Dosing weight: pre-pregnancy weight (Ontario).")
        if self.breastfeeding.value() == 1:
            r.notes.append("Breastfeeding: immunoglobulin passes into milk and may help protect the baby; "
                           "no negative effects expected.")
        if self.vaccine.value() == 1:
            r.warnings.append("Live vaccines: immunoglobulin may impair live attenuated vaccines (measles, rubella, "
                              "mumps, varicella) for at least 6 weeks and up to 3 months; leave 3 months before "
                              "such a vaccine; normal Ig not less than 2 weeks after one. Tell the prescriber.")
        if self.infection.value() == 1:
            r.warnings.append("Infection today raises the reaction risk: consider delaying (ask the prescriber).")
        brand = self.brand.value()
        if brand is None:
            r.blocks.append("answer: same brand as last time?")
        elif brand == 1:
            r.product_switch = True
            r.warnings.append("Product switch: the infusion starts at the initial rate.")
        elif brand == 2:
            r.first_infusion = True
        for store, kind in ((self.renal, "renal"), (self.thrombosis, "thrombosis")):
            for cb in store.values():
                if cb.isChecked():
                    r.risk_factors.append(f"{kind}: {cb.text()}")
        r.at_risk = bool(r.risk_factors)
        if not self.hydrated.isChecked():
            r.blocks.append("confirm the patient is adequately hydrated")
        return r
