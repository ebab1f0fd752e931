"""New infusion: patient, prescription, flags, the pre-infusion checklist, baseline vitals, plan preview.

A page of the main window, not a modal dialog: what the nurse typed stays when they go back to a
chair and return; after an infusion is created the form is empty again (the patient's own
history may then fill it, never the previous patient's values). The plan and every number come
from the core (build_plan); every field the core refuses is named beside itself, all at once,
in plain words. The "cannot start yet" panel has a fixed place and height, so the form never
moves under the pointer.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QGroupBox, QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from titration.checklist import ChecklistResult
from titration.intake import default_indication
from titration.policy import load_policies
from titration.products import load_library
from titration.protocols import load_protocols
from titration.timefmt import minutes_after_midnight
from titration.vitals import Vitals
from ui.chair.model import PatientInfo
from ui.chair.vitals_panel import VitalsForm
from ui.common.form_fields import FieldError
from ui.common.widgets import compact_combos, scrolled
from ui.intake.block_panel import BlockPanel
from ui.intake.checklist import Checklist
from ui.intake.history_offer import HistoryOffer
from ui.intake.inputs import FlagsBox, PatientBox, PrescriptionBox
from ui.intake.plan_preview import PlanPreview
from ui.intake.prescriber_decision import PrescriberDecisionBox
from ui.intake.request import MISSING, FormFields


@dataclass
class NewInfusion:
    """What the form hands to the model when the nurse creates the infusion."""

    plan: object
    policy_id: str
    patient: PatientInfo
    baseline: Vitals
    checklist: ChecklistResult
    chair_name: str = ""
    prescriber: str = ""  # discussed with the prescriber (the holds before the start): name
    decision: str = ""  # start | do-not-start ("" when nothing held the start)


class NewInfusionForm(QWidget):
    """The page on which the nurse enters an infusion and sees its plan before creating it."""

    sig_create = Signal(object)  # NewInfusion
    sig_cancel = Signal()

    def __init__(self, journal=None, parent=None, *, wall=None):
        super().__init__(parent)
        self.journal = journal
        self.wall = wall or time.time
        self.library = load_library()
        self.protocols = load_protocols()
        self.plan = None
        self.field_errors: dict[str, str] = {}
        self._tried = False  # Create was pressed: empty required fields are outlined too
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)
        self._debounce.timeout.connect(self.update_preview)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        title = QLabel("New infusion")
        title.setObjectName("chairHeader")
        outer.addWidget(title)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.split = split
        outer.addWidget(split, 1)

        left = QWidget()
        ll = QVBoxLayout(left)
        self.patient = PatientBox()
        self.prescription = PrescriptionBox(self.library, load_policies())
        self.flags = FlagsBox()
        for box in (self.patient, self.prescription, self.flags):
            ll.addWidget(box)
        self.checklist = Checklist()
        ll.addWidget(self.checklist)
        base = QGroupBox("Baseline vitals (before the start)")
        bl = QVBoxLayout(base)
        self.baseline = VitalsForm(button_text="Check values")
        self.baseline.record_button.hide()
        bl.addWidget(self.baseline)
        ll.addWidget(base)
        self.decision = PrescriberDecisionBox()  # shown while something holds the start (the core's holds)
        self.decision.sig_changed.connect(self._show_blockers)
        ll.addWidget(self.decision)
        ll.addStretch(1)
        self.inputs_scroll = scrolled(left, 300)
        self.inputs_scroll.setFrameShape(QFrame.Shape.StyledPanel)
        split.addWidget(self.inputs_scroll)

        self.preview = PlanPreview()
        self.preview.setMinimumWidth(280)
        split.addWidget(self.preview)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([560, 660])

        self.blockers = BlockPanel()
        outer.addWidget(self.blockers)
        row = QHBoxLayout()
        self.export_button = QPushButton("Export chart…")
        self.export_button.setToolTip("Export the rate chart of this plan (Ctrl+E)")
        self.export_button.setObjectName("exportPlan")
        row.addWidget(self.export_button)
        row.addStretch(1)
        self.cancel_button = QPushButton("Back (keeps what you typed)")
        self.cancel_button.clicked.connect(self.sig_cancel)
        self.create_button = QPushButton("Create (Ctrl+Enter)")
        self.create_button.setObjectName("confirm")
        self.create_button.setAccessibleName("Create the infusion")
        self.create_button.setAccessibleDescription("Creates the chair with this plan (Ctrl+Enter); you start it there")
        self.create_button.clicked.connect(self.create_infusion)
        row.addWidget(self.cancel_button)
        row.addWidget(self.create_button)
        outer.addLayout(row)
        self.fields = FormFields(self.patient, self.prescription, self.flags, self.baseline, self.checklist,
                                 self.decision)
        self.history = HistoryOffer(self.patient, self.prescription, self.flags, journal, self.wall, self)
        self.history.sig_changed.connect(self._history_changed)
        compact_combos(self)
        self._wire()
        self._product_changed()
        self._checklist_changed()

    def _wire(self) -> None:
        p, rx, fl = self.patient, self.prescription, self.flags
        p.patient_id.editingFinished.connect(self.history.lookup)
        p.age.currentTextChanged.connect(self.checklist.set_age_band)
        p.age.currentTextChanged.connect(self.schedule_preview)
        p.age_years.textChanged.connect(self._age_changed)
        p.sex.currentIndexChanged.connect(lambda _i: self._patient_changed())
        rx.product.currentIndexChanged.connect(self._product_changed)
        rx.indication.currentIndexChanged.connect(self._indication_changed)
        for e in self.fields.edits.values():
            e.textChanged.connect(self.schedule_preview)
        rx.course_days.valueChanged.connect(self.schedule_preview)
        for box in (p.sex, rx.dosing_weight, rx.protocol, rx.resolution):
            box.currentIndexChanged.connect(self.schedule_preview)
        rx.dose_mode.idClicked.connect(lambda _i: self.schedule_preview())
        for cb in (fl.first_infusion, fl.product_switch, fl.at_risk):
            cb.toggled.connect(self.schedule_preview)
        fl.at_risk.toggled.connect(lambda _b: self._at_risk_ui())
        for cb, why in fl.overrides.values():
            cb.toggled.connect(self.schedule_preview)
            why.textChanged.connect(self.schedule_preview)
        self.checklist.sig_changed.connect(self._checklist_changed)
        for vital in self.baseline.fields.values():
            vital.textChanged.connect(lambda _t: self._show_blockers())

    def _age_changed(self) -> None:
        """A typed age sets the band (the checklist's over-65 risk factor) and grades the baseline."""
        self.baseline.set_age(self.patient.follow_age())
        self._patient_changed()
        self.schedule_preview()

    def _patient_changed(self) -> None:
        """The checklist asks only the questions that apply to this patient's age and sex (the core's rule)."""
        try:
            age = self.patient.age_years.value()
        except FieldError:
            age = None
        sex = self.patient.sex.currentText()
        self.checklist.set_patient(age, None if sex == "—" else sex)

    # ------------------------------------------------------------------ reactions to input
    def _product_changed(self) -> None:
        rx = self.prescription
        p = self.library[rx.product.currentData()]
        rx.fill_indications(p, rx.indication.currentData())
        self._indication_changed()
        self.history.lookup()

    def _indication_changed(self) -> None:
        rx = self.prescription
        p = self.library[rx.product.currentData()]
        rx.fill_protocols(p, p.indications.get(rx.indication.currentData()), self.protocols)
        self._at_risk_ui()
        self.schedule_preview()

    def _at_risk_ui(self) -> None:
        rx, fl = self.prescription, self.flags
        p = self.library[rx.product.currentData()]
        ind = p.indications.get(rx.indication.currentData())
        on = fl.at_risk.isChecked()
        fl.at_risk_cap.setEnabled(on)
        if ind is None:
            return
        if ind.at_risk_ceiling_only:  # a figure that is a ceiling, never a target: the cap is asked for
            bound = "below" if ind.at_risk_exclusive else "at most"
            fl.at_risk_note.setText(f"The label says 'minimum rate practicable' for patients at risk: enter the "
                                      f"prescriber's cap in mg/kg/min ({bound} {ind.at_risk_as_written}, a ceiling, "
                                      f"not a target)." if on else "")
        elif ind.at_risk_max_mg_kg_min is not None:
            fl.at_risk_note.setText(f"Label cap for patients at risk: {ind.at_risk_as_written} "
                                      f"(a lower prescriber's cap may be entered).")
        else:
            fl.at_risk_note.setText("The label gives no number for patients at risk ('minimum rate "
                                      "practicable'): enter the prescriber's cap in mg/kg/min." if on else "")
        ask = on and (ind.at_risk_max_mg_kg_min is None or ind.at_risk_ceiling_only)
        fl.at_risk_note.setStyleSheet("background: #fff4cc; border-left: 6px solid #E69F00; padding: 3px;"
                                        if ask else "")

    def _checklist_changed(self) -> None:
        r = self.checklist.result()
        # The checklist forces flags on (it never clears what the nurse ticked by hand).
        fl = self.flags
        for box, forced in ((fl.at_risk, r.at_risk), (fl.product_switch, r.product_switch),
                            (fl.first_infusion, r.first_infusion)):
            if forced and not box.isChecked():
                box.setChecked(True)
            box.setEnabled(not forced)
            box.setToolTip("set by the pre-infusion checklist" if forced else "")
        self._show_blockers(r)
        self.schedule_preview()

    def _show_blockers(self, r: ChecklistResult | None = None) -> list[str]:
        check = self.fields.checked()  # the core's one answer: checklist, baseline, holds and the prescriber's decision
        r = check.checklist or r or self.checklist.result()
        self.decision.show_holds(check.holds)
        blocks = list(check.blocks)
        if self.field_errors:
            blocks.append("Fix the fields marked in red: " + "; ".join(self.field_errors.values()))
        elif self.plan is None:
            blocks.append("Plan: complete the prescription (see the message above the table)")
        blocks += self.history.blocks()
        self.blockers.show_blocks(blocks)
        warn = r.warnings + r.notes
        self.blockers.warnings.setText("\n".join(f"• {w}" for w in warn))
        self.blockers.warnings.setVisible(bool(warn))
        self.create_button.setEnabled(not blocks)
        return blocks

    def _history_changed(self) -> None:
        """The history lookup started, failed or filled what it offers: blockers and preview again."""
        self.schedule_preview()
        self._show_blockers()

    # ------------------------------------------------------------------ the plan
    def schedule_preview(self, *_a) -> None:
        self._debounce.start()

    def update_preview(self) -> None:
        self._debounce.stop()
        plan, errors, general = self.fields.check()
        self.plan = plan
        self.field_errors = {k: v.lstrip(MISSING) for k, v in errors.items()}
        for key, edit in self.fields.edits.items():
            text = errors.get(key, "")
            edit.set_error("" if text.startswith(MISSING) and not self._tried else text.lstrip(MISSING))
        errors = self.field_errors
        if plan is not None:
            self.preview.show_plan(plan)
            self.preview.show_day_fit_from_now(plan, minutes_after_midnight(self.wall()))
        else:
            msg = general or ("; ".join(errors.values()) if errors else "")
            self.preview.clear(msg)
            first = next(iter(errors), None)
            if first is not None and first not in ("weight", "dose") and first in self.fields.edits:
                self.inputs_scroll.ensureWidgetVisible(self.fields.edits[first])  # show the nurse where to type
        self._show_blockers()

    # ------------------------------------------------------------------ create
    def create_infusion(self) -> bool:
        self._tried = True
        self.update_preview()
        blocks = self._show_blockers()
        if blocks or self.plan is None:
            first = next(iter(self.field_errors), None)
            self.fields.edits.get(first or "", self.blockers).setFocus()
            return False
        r = self.checklist.result()
        p = self.patient
        age = self.plan.request.age_years
        band = p.age.currentText() if p.age.currentIndex() else ""
        info = PatientInfo(p.patient_id.text().strip(), f"{age:g} years" if age is not None else band,
                           r.notes + r.warnings)
        held = bool(self.fields.checked().holds)
        self.sig_create.emit(NewInfusion(self.plan, self.prescription.policy.currentData(), info,
                                         self.baseline.vitals(), r, p.chair_name.text().strip(),
                                         self.decision.prescriber() if held else "",
                                         self.decision.decision() if held else ""))
        return True

    def reset(self) -> None:
        """After an infusion was created: an empty form for the next patient (nothing of this one)."""
        p, rx, fl = self.patient, self.prescription, self.flags
        for e in (p.patient_id, p.chair_name, *(e for k, e in self.fields.edits.items() if k != "closing_time")):
            e.clear()
        self.baseline.clear()
        self.checklist.clear()
        for cb in (fl.first_infusion, fl.product_switch, fl.at_risk):
            cb.setChecked(False)
        for cb, why in fl.overrides.values():
            cb.setChecked(False)
            why.clear()
        rx.per_infusion.setChecked(True)
        rx.course_days.setValue(5)
        for box in (p.age, p.sex, rx.product, rx.dosing_weight, rx.protocol, rx.resolution):
            box.setCurrentIndex(0)
        # the product's own first indication: never the last patient's indication on another product
        rx.indication.setCurrentIndex(max(rx.indication.findData(
            default_indication(self.library[rx.product.currentData()])), 0))
        self.decision.clear()
        rx.policy.setCurrentIndex(max(rx.policy.findData("tiered"), 0))
        self.history.clear()
        self._tried = False
        self.update_preview()
        self.inputs_scroll.verticalScrollBar().setValue(0)
