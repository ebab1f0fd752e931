"""The New-infusion page's fields handed to the core in one call (titration.intake.check_form).

A mixin of NewInfusionForm (the Qt engineer turns it into an object of its own): it reads the
widgets into a `FormRequest` and shows what the core says, every bad field at once, in the
nurse's words; it never builds a plan itself.
"""
from __future__ import annotations

from titration.errors import InputError
from titration.intake import FIELDS, FormCheck, FormRequest, check_form

MISSING = "\0"  # marks "not typed yet": said in the panel, outlined only once Create was tried
NUMBER_FIELDS = tuple(FIELDS)


class RequestFromFields:
    def form_request(self) -> FormRequest:
        texts = {key: getattr(self, key).text() for key in NUMBER_FIELDS}
        texts["closing_time"] = self.closing_time.text()
        sex = self.sex.currentText()
        decision = getattr(self, "decision", None)
        return FormRequest(
            product=self.product.currentData(), indication=self.indication.currentData(), texts=texts,
            per_infusion=self.per_infusion.isChecked(), course_days=int(self.course_days.value()),
            sex=None if sex == "—" else sex, child=self.age.currentText().startswith("child"),
            dosing_weight=self.dosing_weight.currentData(), protocol=self.protocol.currentData(),
            pump_resolution_ml_h=self.resolution.currentData(), at_risk=self.at_risk.isChecked(),
            first_infusion=self.first_infusion.isChecked(), product_switch=self.product_switch.isChecked(),
            overrides=tuple((name, why.text()) for name, (cb, why) in self.overrides.items() if cb.isChecked()),
            vitals={k: e.text() for k, e in self.baseline.fields.items()},
            sbp_unrecordable=self.baseline.sbp_unrecordable.isChecked(), checklist=self.checklist.answers(),
            prescriber=decision.prescriber() if decision is not None else "",
            decision=decision.decision() if decision is not None else "")

    def checked(self) -> FormCheck:
        return check_form(self.form_request())

    def dose_per_infusion(self, check: FormCheck | None = None) -> float | None:
        """This infusion's g/kg (a course: the core's split, said beside the course field)."""
        check = check or self.checked()
        if self.per_infusion.isChecked():
            self.course_split.setText("")
            return check.plan.request.dose_g_per_kg if check.plan is not None else None
        per = check.course_per_infusion
        self.course_split.setText("" if per is None else
                                  f"= {per:.3g} g/kg per infusion, day 1 of {int(self.course_days.value())} "
                                  f"(split by the core)")
        return per

    def request(self):
        """The plan's request from the fields; InputError naming the first bad field (for callers outside)."""
        check = self.checked()
        if check.problems or check.plan is None:
            first = check.problems[0] if check.problems else None
            if first is None:
                raise InputError("prescription", "", check.general or "a complete prescription")
            raise InputError(first.field, first.value, first.words)
        return check.plan.request

    def _check(self) -> tuple[object | None, dict[str, str], str]:
        """(plan or None, field -> plain error, a message for the preview): the core's one answer."""
        check = self.checked()
        self.dose_per_infusion(check)
        errors = {p.field: (MISSING if p.missing else "") + p.words for p in check.problems}
        plan = check.plan if not check.problems else None
        return plan, errors, check.general
