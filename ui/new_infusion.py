"""New infusion: patient, prescription, flags, the pre-infusion checklist, baseline vitals, plan preview.

A page of the main window, not a modal dialog: what the nurse typed stays when they go back to a
chair and return. The plan and every number in the preview come from the core (build_plan,
report.rows, plan.arithmetic); errors from the core are shown as one clear line.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from titration.dosing import split_course
from titration.errors import NeedsInput, TitrationError
from titration.plan import PlanRequest, build_plan, fmt_hm
from titration.policy import load_policies
from titration.products import INDICATIONS, load_library
from titration.protocols import load_protocols
from titration.reactions import Vitals
from titration.report.table import clock, rows
from ui import optional
from ui.checklist import Checklist, ChecklistResult
from ui.model import PatientInfo
from ui.vitals_dialog import VitalsForm

AGE_BANDS = ("—", "child (under 18)", "adult 18–65", "over 65")


@dataclass
class NewInfusion:
    """What the form hands to the model when the nurse creates the infusion."""

    plan: object
    policy_id: str
    patient: PatientInfo
    baseline: Vitals
    checklist: ChecklistResult


def number_edit(placeholder: str, name: str) -> QLineEdit:
    e = QLineEdit()
    e.setObjectName(name)
    e.setPlaceholderText(placeholder)
    e.setValidator(QDoubleValidator(0.0, 100000.0, 3, e))
    e.setMaximumWidth(140)
    return e


def read_number(e: QLineEdit) -> float | None:
    t = e.text().strip().replace(",", ".")
    if not t:
        return None
    try:
        return float(t)
    except ValueError:
        return None


class NewInfusionForm(QWidget):
    sig_create = Signal(object)  # NewInfusion
    sig_cancel = Signal()

    def __init__(self, journal=None, parent=None, *, wall=None):
        super().__init__(parent)
        self.journal = journal
        self.wall = wall or time.time
        self.library = load_library()
        self.protocols = load_protocols()
        self.policies = load_policies()
        self.plan = None
        self.history_offer: dict | None = None
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)
        self._debounce.timeout.connect(self.update_preview)

        outer = QVBoxLayout(self)
        title = QLabel("New infusion")
        title.setObjectName("chairHeader")
        outer.addWidget(title)
        split = QSplitter(Qt.Horizontal)
        outer.addWidget(split, 1)

        # ---------------------------------------------------------------- left: the inputs
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.addWidget(self._patient_box())
        ll.addWidget(self._prescription_box())
        ll.addWidget(self._flags_box())
        self.checklist = Checklist()
        self.checklist.sig_changed.connect(self._checklist_changed)
        ll.addWidget(self.checklist)
        base = QGroupBox("Baseline vitals (before the start)")
        bl = QVBoxLayout(base)
        self.baseline = VitalsForm(button_text="Check values")
        self.baseline.record_button.hide()
        for e in self.baseline.fields.values():
            e.textChanged.connect(lambda _t: self._show_blockers())
        bl.addWidget(self.baseline)
        ll.addWidget(base)
        ll.addStretch(1)
        scroll = QScrollArea()
        self.scroll = scroll
        scroll.setWidgetResizable(True)
        scroll.setWidget(left)
        scroll.setMinimumWidth(470)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        split.addWidget(scroll)

        # ---------------------------------------------------------------- right: the preview
        right = QWidget()
        rl = QVBoxLayout(right)
        self.summary = QLabel("Enter the weight and the dose to see the plan.")
        self.summary.setObjectName("bigValue")
        self.summary.setWordWrap(True)
        rl.addWidget(self.summary)
        self.error = QLabel("")
        self.error.setObjectName("errorLine")
        self.error.setWordWrap(True)
        rl.addWidget(self.error)
        self.plan_notes = QLabel("")  # LOCAL protocol, starts at the initial rate, a limit set aside
        self.plan_notes.setObjectName("warnLine")
        self.plan_notes.setWordWrap(True)
        self.plan_notes.hide()
        rl.addWidget(self.plan_notes)
        self.table = QTableWidget(0, 7)
        self.table.setObjectName("planTable")
        self.table.setHorizontalHeaderLabels(["Time", "mL/h", "mg/kg/min", "mL/kg/min", "step mL", "total mL", "note"])
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMinimumHeight(90)
        parts = QSplitter(Qt.Vertical)  # the nurse can give the table, chart or arithmetic more room
        parts.addWidget(self.table)
        self.chart = optional.chart_widget()
        self.chart.setMinimumHeight(180)
        parts.addWidget(self.chart)
        box = QWidget()
        bl2 = QVBoxLayout(box)
        bl2.setContentsMargins(0, 0, 0, 0)
        self.arithmetic = QPlainTextEdit()
        self.arithmetic.setObjectName("arithmetic")
        self.arithmetic.setReadOnly(True)
        self.arithmetic.setMinimumHeight(60)
        bl2.addWidget(QLabel("How these numbers were worked out:"))
        bl2.addWidget(self.arithmetic)
        parts.addWidget(box)
        parts.setSizes([200, 400, 180])
        rl.addWidget(parts, 1)
        split.addWidget(right)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([640, 660])

        # ---------------------------------------------------------------- bottom: blockers and buttons
        self.blockers = QLabel("")
        self.blockers.setObjectName("blockLine")
        self.blockers.setWordWrap(True)
        self.blockers.hide()
        self.warnings = QLabel("")
        self.warnings.setObjectName("warnLine")
        self.warnings.setWordWrap(True)
        self.warnings.hide()
        outer.addWidget(self.blockers)
        outer.addWidget(self.warnings)
        row = QHBoxLayout()
        self.export_button = QPushButton("Export rate chart…")
        self.export_button.setObjectName("exportPlan")
        row.addWidget(self.export_button)
        row.addStretch(1)
        self.cancel_button = QPushButton("Back to the chairs (keeps what you typed)")
        self.cancel_button.clicked.connect(self.sig_cancel)
        self.create_button = QPushButton("Create infusion (Ctrl+Enter)")
        self.create_button.setObjectName("confirm")
        self.create_button.clicked.connect(self.create)
        row.addWidget(self.cancel_button)
        row.addWidget(self.create_button)
        outer.addLayout(row)
        self._product_changed()
        self._checklist_changed()

    # ------------------------------------------------------------------ input groups
    def _patient_box(self) -> QGroupBox:
        g = QGroupBox("Patient")
        f = QFormLayout(g)
        self.patient_id = QLineEdit()
        self.patient_id.setObjectName("patientId")
        self.patient_id.setPlaceholderText("optional: hospital number (for the history)")
        self.patient_id.editingFinished.connect(self._lookup_history)
        self.weight = number_edit("kg (required)", "weight")
        self.height = number_edit("cm (optional)", "height")
        self.sex = QComboBox()
        self.sex.addItems(["—", "female", "male"])
        self.age = QComboBox()
        self.age.setObjectName("ageBand")
        self.age.addItems(AGE_BANDS)
        self.age.currentTextChanged.connect(self.checklist_age)
        f.addRow("Identifier", self.patient_id)
        f.addRow("Weight", self.weight)
        f.addRow("Height", self.height)
        f.addRow("Sex", self.sex)
        f.addRow("Age band", self.age)
        self.history = QLabel("")
        self.history.setObjectName("warnLine")
        self.history.setWordWrap(True)
        self.history.hide()
        f.addRow(self.history)
        for w in (self.weight, self.height):
            w.textChanged.connect(self.schedule_preview)
        self.sex.currentIndexChanged.connect(self.schedule_preview)
        return g

    def checklist_age(self, band: str) -> None:
        self.checklist.set_age_band(band)

    def _prescription_box(self) -> QGroupBox:
        g = QGroupBox("Prescription")
        f = QFormLayout(g)
        self.product = QComboBox()
        self.product.setObjectName("product")
        for pid, p in self.library.items():
            self.product.addItem(f"{p.name} — {p.concentration_mg_per_ml:g} mg/mL", pid)
        self.product.currentIndexChanged.connect(self._product_changed)
        self.indication = QComboBox()
        self.indication.setObjectName("indication")
        self.indication.currentIndexChanged.connect(self._indication_changed)
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
        self.dose = number_edit("g/kg", "dose")
        self.course_total = number_edit("g/kg in total", "courseTotal")
        self.course_days = QSpinBox()
        self.course_days.setObjectName("courseDays")
        self.course_days.setRange(1, 7)
        self.course_days.setValue(5)
        self.course_days.setSuffix(" days")
        self.course_split = QLabel("")
        dl.addWidget(self.per_infusion, 0, 0)
        dl.addWidget(self.dose, 0, 1)
        dl.addWidget(QLabel("g/kg"), 0, 2)
        dl.addWidget(self.course, 1, 0)
        dl.addWidget(self.course_total, 1, 1)
        dl.addWidget(QLabel("g/kg over"), 1, 2)
        dl.addWidget(self.course_days, 2, 1)
        dl.addWidget(self.course_split, 3, 0, 1, 3)
        dl.setColumnStretch(3, 1)
        f.addRow("Dose", dose_row)
        for w in (self.dose, self.course_total):
            w.textChanged.connect(self.schedule_preview)
        self.course_days.valueChanged.connect(self.schedule_preview)
        self.dose_mode.idClicked.connect(lambda _i: self.schedule_preview())

        self.dosing_weight = QComboBox()
        self.dosing_weight.setObjectName("dosingWeight")
        for m, text in (("actual", "actual weight"), ("auto", "auto (adjusted if BMI > 30)"),
                        ("adjusted", "adjusted (DDW)"), ("ideal", "ideal (Devine)")):
            self.dosing_weight.addItem(text, m)
        self.dosing_weight.currentIndexChanged.connect(self.schedule_preview)
        f.addRow("Dosing weight", self.dosing_weight)
        self.protocol = QComboBox()
        self.protocol.setObjectName("protocol")
        self.protocol.currentIndexChanged.connect(self.schedule_preview)
        f.addRow("Protocol", self.protocol)
        self.policy = QComboBox()
        self.policy.setObjectName("policy")
        for pid, pol in self.policies.items():
            self.policy.addItem(pol.name, pid)
        i = self.policy.findData("tiered")
        self.policy.setCurrentIndex(max(i, 0))
        f.addRow("Reaction policy", self.policy)
        self.unit_cap = number_edit("mL/h (optional)", "unitCap")
        self.unit_cap.textChanged.connect(self.schedule_preview)
        f.addRow("Unit's pump maximum", self.unit_cap)
        self.resolution = QComboBox()
        self.resolution.setObjectName("resolution")
        for r in (0.1, 1.0):
            self.resolution.addItem(f"{r:g} mL/h", r)
        self.resolution.currentIndexChanged.connect(self.schedule_preview)
        f.addRow("Pump resolution", self.resolution)
        return g

    def _flags_box(self) -> QGroupBox:
        g = QGroupBox("Flags")
        f = QFormLayout(g)
        self.first_infusion = QCheckBox("First infusion")
        self.first_infusion.setObjectName("firstInfusion")
        self.product_switch = QCheckBox("Product switch (a different brand from last time)")
        self.product_switch.setObjectName("productSwitch")
        self.weeks = number_edit("weeks (optional)", "weeksSinceLast")
        self.at_risk = QCheckBox("At risk of renal dysfunction or thrombosis")
        self.at_risk.setObjectName("atRisk")
        self.at_risk_cap = number_edit("mg/kg/min", "atRiskCap")
        self.at_risk_note = QLabel("")
        self.at_risk_note.setWordWrap(True)
        self.tolerated = number_edit("mg/kg/min (optional)", "toleratedMax")
        for w in (self.first_infusion, self.product_switch, self.at_risk):
            w.toggled.connect(self.schedule_preview)
        for w in (self.weeks, self.at_risk_cap, self.tolerated):
            w.textChanged.connect(self.schedule_preview)
        self.at_risk.toggled.connect(lambda _b: self._at_risk_ui())
        f.addRow(self.first_infusion)
        f.addRow(self.product_switch)
        f.addRow("Weeks since the last infusion", self.weeks)
        f.addRow(self.at_risk)
        f.addRow("At-risk cap", self.at_risk_cap)
        f.addRow(self.at_risk_note)
        f.addRow("Previously tolerated maximum", self.tolerated)
        # Soft limits may be set aside with a recorded reason (design 3); hard limits never.
        self.overrides: dict[str, tuple[QCheckBox, QLineEdit]] = {}
        for name, text in (("first-infusion", "Set aside the first-infusion maximum"),
                           ("unit-cap", "Set aside the unit's pump maximum"),
                           ("tolerated-max", "Set aside the previously tolerated maximum")):
            cb = QCheckBox(text)
            cb.setObjectName(f"override_{name}")
            why = QLineEdit()
            why.setObjectName(f"overrideReason_{name}")
            why.setPlaceholderText("reason (required)")
            why.setEnabled(False)
            cb.toggled.connect(why.setEnabled)
            cb.toggled.connect(self.schedule_preview)
            why.textChanged.connect(self.schedule_preview)
            row = QWidget()
            rl = QHBoxLayout(row)
            rl.setContentsMargins(0, 0, 0, 0)
            rl.addWidget(cb)
            rl.addWidget(why, 1)
            f.addRow(row)
            self.overrides[name] = (cb, why)
        return g

    # ------------------------------------------------------------------ reactions to input
    def _product_changed(self) -> None:
        pid = self.product.currentData()
        p = self.library[pid]
        keep = self.indication.currentData()
        self.indication.blockSignals(True)
        self.indication.clear()
        for iid in p.indications:
            self.indication.addItem(f"{INDICATIONS.get(iid, iid)} ({iid})", iid)
        j = self.indication.findData(keep)
        self.indication.setCurrentIndex(max(j, 0))
        self.indication.blockSignals(False)
        self._indication_changed()
        self._lookup_history()

    def _indication_changed(self) -> None:
        p = self.library[self.product.currentData()]
        ind = p.indications.get(self.indication.currentData())
        self.protocol.blockSignals(True)
        self.protocol.clear()
        if ind is not None:
            default = "label" if ind.ladder == "label" else ind.ladder
            kind = "the label's ladder" if default == "label" else f"LOCAL protocol {default}"
            self.protocol.addItem(f"Default: {kind}", None)
            if ind.label_ladder is not None:
                self.protocol.addItem("label", "label")
            for pr_id, pr in self.protocols.items():
                if not pr.not_for(p):
                    self.protocol.addItem(f"{pr.name} ({pr.kind})", pr_id)
        self.protocol.blockSignals(False)
        self._at_risk_ui()
        self.schedule_preview()

    def _at_risk_ui(self) -> None:
        p = self.library[self.product.currentData()]
        ind = p.indications.get(self.indication.currentData())
        on = self.at_risk.isChecked()
        self.at_risk_cap.setEnabled(on)
        if ind is None:
            return
        if ind.at_risk_max_mg_kg_min is not None:
            self.at_risk_note.setText(f"Label cap for patients at risk: {ind.at_risk_as_written} "
                                      f"(a lower prescriber's cap may be entered).")
        else:
            self.at_risk_note.setText("The label gives no number for patients at risk ('minimum rate "
                                      "practicable'): enter the prescriber's cap in mg/kg/min." if on else "")
        ask = on and ind.at_risk_max_mg_kg_min is None
        self.at_risk_note.setStyleSheet("background: #fff4cc; border-left: 6px solid #E69F00; padding: 3px;" if ask else "")

    def _checklist_changed(self) -> None:
        r = self.checklist.result()
        # The checklist forces flags on (it never clears what the nurse ticked by hand).
        for box, forced in ((self.at_risk, r.at_risk), (self.product_switch, r.product_switch),
                            (self.first_infusion, r.first_infusion)):
            if forced and not box.isChecked():
                box.setChecked(True)
            box.setEnabled(not forced)
            box.setToolTip("set by the pre-infusion checklist" if forced else "")
        self._show_blockers(r)
        self.schedule_preview()

    def _show_blockers(self, r: ChecklistResult | None = None) -> list[str]:
        r = r or self.checklist.result()
        blocks = [f"Checklist: {b}" for b in r.blocks]
        try:
            base = self.baseline.vitals()
            if base.is_empty():
                blocks.append("Baseline vitals: record them before the start")
        except TitrationError as exc:
            blocks.append(f"Baseline vitals: {exc}")
        if self.plan is None:
            blocks.append("Plan: complete the prescription (see the message above the table)")
        self.blockers.setText("CANNOT START YET:\n• " + "\n• ".join(blocks) if blocks else "")
        self.blockers.setVisible(bool(blocks))
        warn = r.warnings + r.notes
        self.warnings.setText("\n".join(f"• {w}" for w in warn))
        self.warnings.setVisible(bool(warn))
        self.create_button.setEnabled(not blocks)
        return blocks

    def _lookup_history(self) -> None:
        """The patient's history offers the last brand, the tolerated maximum and past reactions.

        The offered values are put in the visible fields, where the nurse can see and change them.
        """
        self.history_offer = None
        self.history.hide()
        pid = self.patient_id.text().strip()
        if not pid or self.journal is None:
            self._show_blockers()
            return
        mod = optional.load("titration.store.history")
        if mod is None:
            return
        try:
            ph = mod.History(self.journal).for_patient(pid)
            offer = ph.offer(self.product.currentData(), now_wall=self.wall()) if ph is not None else None
        except Exception as exc:  # noqa: BLE001 - a history problem must not block the form
            self.history.setText(f"History unavailable: {exc}")
            self.history.show()
            return
        if not offer:
            self.history.setText(f"No earlier infusion on record for {pid}.")
            self.history.show()
            self._show_blockers()
            return
        self.history_offer = dict(offer)
        self.history.setText("From this patient's history:\n" + "\n".join(self._history_lines()))
        self.history.show()
        req = offer.get("request") or {}
        if req.get("tolerated_max_mg_kg_min") is not None:
            self.tolerated.setText(f"{float(req['tolerated_max_mg_kg_min']):g}")
        if req.get("weeks_since_last") is not None and not self.weeks.text().strip():
            self.weeks.setText(f"{float(req['weeks_since_last']):g}")
        if req.get("product_switch"):
            self.product_switch.setChecked(True)
        if req.get("first_infusion"):
            self.first_infusion.setChecked(True)
        self.schedule_preview()

    def _history_lines(self) -> list[str]:
        o = self.history_offer or {}
        out = list(o.get("warnings") or [])
        if o.get("tolerated_why"):
            out.append(f"Previously tolerated maximum: {o['tolerated_why']}")
        if o.get("last_product_name"):
            out.append(f"Last infusion: {o['last_product_name']} on {o.get('last_date', '?')}")
        return out

    # ------------------------------------------------------------------ the plan
    def schedule_preview(self, *_a) -> None:
        self._debounce.start()

    def dose_per_infusion(self) -> float | None:
        if self.per_infusion.isChecked():
            self.course_split.setText("")
            return read_number(self.dose)
        total = read_number(self.course_total)
        if total is None:
            self.course_split.setText("")
            return None
        days = split_course(total, int(self.course_days.value()))
        self.course_split.setText(f"= {days[0]:.3g} g/kg per infusion, day 1 of {len(days)} (split by the core)")
        return days[0]

    def request(self) -> PlanRequest:
        weight = read_number(self.weight)
        if weight is None:
            raise NeedsInput("Weight", "type the patient's weight in kg")
        dose = self.dose_per_infusion()
        if dose is None:
            raise NeedsInput("Dose", "type the dose in g/kg (this infusion, or a course)")
        sex = self.sex.currentText()
        return PlanRequest(
            product=self.product.currentData(), indication=self.indication.currentData(),
            weight_kg=weight, dose_g_per_kg=dose, height_cm=read_number(self.height),
            sex=None if sex == "—" else sex, dosing_weight=self.dosing_weight.currentData(),
            at_risk=self.at_risk.isChecked(),
            at_risk_cap_mg_kg_min=read_number(self.at_risk_cap) if self.at_risk.isChecked() else None,
            first_infusion=self.first_infusion.isChecked(), product_switch=self.product_switch.isChecked(),
            weeks_since_last=read_number(self.weeks), protocol=self.protocol.currentData(),
            pump_resolution_ml_h=self.resolution.currentData(), max_ml_h=read_number(self.unit_cap),
            tolerated_max_mg_kg_min=read_number(self.tolerated),
            overrides=tuple((name, why.text().strip()) for name, (cb, why) in self.overrides.items()
                            if cb.isChecked()),
        )

    def update_preview(self) -> None:
        self._debounce.stop()
        self.plan = None
        self.at_risk_cap.setStyleSheet("")
        try:
            plan = build_plan(self.request())
        except NeedsInput as exc:
            self._clear_preview(str(exc))
            if exc.field == "--at-risk-cap":
                self.at_risk_cap.setStyleSheet("border: 2px solid #D55E00;")
                self.scroll.ensureWidgetVisible(self.at_risk_cap)  # show the nurse where to type it
                self.error.setText(f"At-risk cap needed: {exc.why}")
        except TitrationError as exc:
            self._clear_preview(str(exc))
        else:
            self.plan = plan
            self._show_plan(plan)
        self._show_blockers()

    def _clear_preview(self, message: str) -> None:
        self.error.setText(message)
        self.plan_notes.hide()
        self.summary.setText("No plan yet.")
        self.table.setRowCount(0)
        self.arithmetic.setPlainText("")
        if hasattr(self.chart, "clear"):
            self.chart.clear()

    def _show_plan(self, plan) -> None:
        self.error.setText("")
        top = plan.rungs[-1]
        local = " — LOCAL protocol" if plan.protocol_kind == "local" else ""
        self.summary.setText(
            f"{plan.product_name}: {plan.dose.dose_g:g} g = {plan.volume_ml:.1f} mL over "
            f"{fmt_hm(plan.duration_min)}; starts at {plan.rungs[0].rate_ml_h:g} mL/h, up to {top.rate_ml_h:g} mL/h"
            f" (protocol {plan.protocol_id}{local})")
        self.plan_notes.setText("\n".join(plan.notes))
        self.plan_notes.setVisible(bool(plan.notes))
        data = rows(plan)
        self.table.setRowCount(len(data))
        for r, row in enumerate(data):
            note = "until volume complete" if row["until_volume_complete"] else ""
            if row["limited_by"]:
                note += (", " if note else "") + f"capped: {row['limited_by']}"
            cells = (f"{clock(row['start_min'])}–{clock(row['end_min'])}", f"{row['rate_ml_h']:g}",
                     f"{row['rate_mg_kg_min']:.2f}", f"{row['rate_ml_kg_min']:.4f}", f"{row['volume_ml']:.1f}",
                     f"{row['cumulative_ml']:.1f}", note)
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if 0 < c < 6:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.table.setItem(r, c, item)
        self.arithmetic.setPlainText("\n".join(plan.arithmetic() + ["", "Sources:"] + list(plan.sources)))
        # the whole table in view (a ladder has a handful of steps)
        rows_h = sum(self.table.rowHeight(i) for i in range(self.table.rowCount()))
        need = rows_h + self.table.horizontalHeader().height() + 2 * self.table.frameWidth() + 4
        self.table.setMinimumHeight(min(max(need, 90), 320))
        if optional.is_chart(self.chart):
            self.chart.set_plan(plan)

    # ------------------------------------------------------------------ create
    def create(self) -> bool:
        self.update_preview()
        blocks = self._show_blockers()
        if blocks:
            self.blockers.setFocus()
            return False
        r = self.checklist.result()
        info = PatientInfo(self.patient_id.text().strip(), self.age.currentText() if self.age.currentIndex() else "",
                           r.notes + r.warnings)
        self.sig_create.emit(NewInfusion(self.plan, self.policy.currentData(), info, self.baseline.vitals(), r))
        return True

    def reset(self) -> None:
        """After an infusion was created: a clean form for the next patient."""
        for e in (self.patient_id, self.weight, self.height, self.dose, self.course_total, self.weeks,
                  self.at_risk_cap, self.tolerated, self.unit_cap):
            e.clear()
        self.baseline.clear()
        for yn in (self.checklist.prior_reaction, self.checklist.iga, self.checklist.pregnant,
                   self.checklist.breastfeeding, self.checklist.vaccine, self.checklist.infection, self.checklist.brand):
            yn.set_value(None)
        for cb in list(self.checklist.renal.values()) + list(self.checklist.thrombosis.values()):
            cb.setChecked(False)
        self.checklist.hydrated.setChecked(False)
        for cb in (self.first_infusion, self.product_switch, self.at_risk):
            cb.setChecked(False)
        for cb, why in self.overrides.values():
            cb.setChecked(False)
            why.clear()
        self.age.setCurrentIndex(0)
        self.sex.setCurrentIndex(0)
        self.history_offer = None
        self.history.hide()
        self.update_preview()
