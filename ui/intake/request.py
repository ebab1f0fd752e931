"""The New-infusion page's fields handed to the core in one call (titration.intake.check_form).

`FormFields` reads the form's input boxes into a `FormRequest` and shows what the core says,
every bad field at once, in the nurse's words; it never builds a plan itself.
"""
from __future__ import annotations

from titration.intake import FIELDS, FormCheck, FormRequest, check_form
from titration.plan import Plan
from ui.chair.vitals_panel import VitalsForm
from ui.common.form_fields import CheckedEdit
from ui.intake.checklist import Checklist
from ui.intake.inputs import FlagsBox, PatientBox, PrescriptionBox
from ui.intake.prescriber_decision import PrescriberDecisionBox

MISSING = "\0"  # marks "not typed yet": said in the panel, outlined only once Create was tried
NUMBER_FIELDS = tuple(FIELDS)


class FormFields:
    """The form's inputs as the core's one request, and the core's answer as field errors."""

    def __init__(self, patient: PatientBox, prescription: PrescriptionBox, flags: FlagsBox, baseline: VitalsForm,
                 checklist: Checklist, decision: PrescriberDecisionBox):
        self.patient, self.prescription, self.flags = patient, prescription, flags
        self.baseline, self.checklist, self.decision = baseline, checklist, decision
        p, rx, fl = patient, prescription, flags
        # the field each of the core's names refers to (titration.intake.FIELDS, and the closing time)
        self.edits: dict[str, CheckedEdit] = {
            "weight": p.weight, "height": p.height_cm, "age_years": p.age_years, "dose": rx.dose,
            "course_total": rx.course_total, "unit_cap": rx.unit_cap, "closing_time": rx.closing_time,
            "weeks": fl.weeks, "at_risk_cap": fl.at_risk_cap, "tolerated": fl.tolerated}

    def form_request(self) -> FormRequest:
        p, rx, fl = self.patient, self.prescription, self.flags
        texts = {key: self.edits[key].text() for key in NUMBER_FIELDS + ("closing_time",)}
        sex = p.sex.currentText()
        return FormRequest(
            product=rx.product.currentData(), indication=rx.indication.currentData(), texts=texts,
            per_infusion=rx.per_infusion.isChecked(), course_days=int(rx.course_days.value()),
            sex=None if sex == "—" else sex, child=p.age.currentText().startswith("child"),
            dosing_weight=rx.dosing_weight.currentData(), protocol=rx.protocol.currentData(),
            pump_resolution_ml_h=rx.resolution.currentData(), at_risk=fl.at_risk.isChecked(),
            first_infusion=fl.first_infusion.isChecked(), product_switch=fl.product_switch.isChecked(),
            overrides=tuple((name, why.text()) for name, (cb, why) in fl.overrides.items() if cb.isChecked()),
            vitals={k: e.text() for k, e in self.baseline.fields.items()},
            sbp_unrecordable=self.baseline.sbp_unrecordable.isChecked(), checklist=self.checklist.answers(),
            prescriber=self.decision.prescriber(), decision=self.decision.decision())

    def checked(self) -> FormCheck:
        return check_form(self.form_request())

    def dose_per_infusion(self, check: FormCheck) -> float | None:
        """This infusion's g/kg (a course: the core's split, said beside the course field)."""
        rx = self.prescription
        if rx.per_infusion.isChecked():
            rx.course_split.setText("")
            return check.plan.request.dose_g_per_kg if check.plan is not None else None
        per = check.course_per_infusion
        rx.course_split.setText("" if per is None else
                                f"= {per:.3g} g/kg per infusion, day 1 of {int(rx.course_days.value())} "
                                f"(split by the core)")
        return per

    def check(self) -> tuple[Plan | None, dict[str, str], str]:
        """(plan or None, field -> plain error, a message for the preview): the core's one answer."""
        check = self.checked()
        self.dose_per_infusion(check)
        errors = {p.field: (MISSING if p.missing else "") + p.words for p in check.problems}
        plan = check.plan if not check.problems else None
        return plan, errors, check.general
