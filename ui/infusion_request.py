"""The New-infusion page's fields read into a PlanRequest, with every bad field found at once.

A mixin of NewInfusionForm: the core checks one field at a time; a refused field is replaced by a
value the core accepts (only for checking) so the next refusal is found too, and each is said in
plain words beside its own field, never with the command-line option names.
"""
from __future__ import annotations

from dataclasses import replace

from titration.day_fit import DEFAULT_CLOSING
from titration.dosing import split_course
from titration.errors import InputError, NeedsInput, TitrationError
from titration.plan import CHILD_WEIGHT_KG, WEIGHT_RANGE, PlanRequest, build_plan
from ui.form_fields import FieldError, plain_allowed, plain_error

MISSING = "\0"  # marks "not typed yet": said in the panel, outlined only once Create was tried
# the core's field names (as its errors give them) -> the form's field
CORE_FIELDS = {"--weight-kg": "weight", "--dose-g-per-kg": "dose", "--height-cm": "height",
               "--max-ml-h": "unit_cap", "--at-risk-cap": "at_risk_cap", "tolerated maximum": "tolerated",
               "weeks since last infusion": "weeks", "course g/kg": "course_total", "age": "age_years"}
# a value the core accepts, put in place of a refused one only to go on checking the other fields.
# The dose's is small: below every indication's usual single infusion (a soft limit of the core).
STAND_IN_DOSE = 0.1
STAND_IN = {"weight": ("weight_kg", WEIGHT_RANGE[1]), "dose": ("dose_g_per_kg", STAND_IN_DOSE),
            "height": ("height_cm", None), "unit_cap": ("max_ml_h", None),
            "at_risk_cap": ("at_risk_cap_mg_kg_min", None),
            "tolerated": ("tolerated_max_mg_kg_min", None), "weeks": ("weeks_since_last", None),
            "age_years": ("age_years", None)}
NUMBER_FIELDS = ("weight", "height", "dose", "course_total", "unit_cap", "weeks", "at_risk_cap", "tolerated",
                 "age_years")


class RequestFromFields:
    def _numbers(self, errors: dict[str, str]) -> dict[str, float | None]:
        """Every number field read; each one that is not a number goes in `errors`."""
        out = {}
        for key in NUMBER_FIELDS:
            try:
                out[key] = getattr(self, key).value()
            except FieldError as exc:
                errors[key] = str(exc)
                out[key] = None
        return out

    def dose_per_infusion(self, total: float | None = None) -> float | None:
        if self.per_infusion.isChecked():
            self.course_split.setText("")
            try:
                return self.dose.value()
            except FieldError:
                return None
        if total is None:
            self.course_split.setText("")
            return None
        days = split_course(total, int(self.course_days.value()))
        self.course_split.setText(f"= {days[0]:.3g} g/kg per infusion, day 1 of {len(days)} (split by the core)")
        return days[0]

    def _request(self, n: dict, errors: dict[str, str]) -> PlanRequest | None:
        if n["weight"] is None and "weight" not in errors:
            errors["weight"] = MISSING + "Weight: type the patient's weight in kg"
        dose = None
        if self.per_infusion.isChecked():
            dose = n["dose"]
            if dose is None and "dose" not in errors:
                errors["dose"] = MISSING + "Dose: type the dose in g/kg (this infusion, or a course)"
        elif n["course_total"] is None:
            errors.setdefault("course_total", MISSING + "Course dose: type the course's total in g/kg")
        else:
            try:
                dose = self.dose_per_infusion(n["course_total"])
            except InputError as exc:
                errors["course_total"] = plain_error("Course", "g/kg" if exc.field == "course g/kg" else "",
                                                     exc.value, exc.allowed)
        if n["age_years"] is None and "age_years" not in errors and self.age.currentText().startswith("child"):
            errors["age_years"] = ("Age: type the child's age in years (a baby: 0.5); a child's vitals are "
                                   "graded by the paediatric bands for the age")
        elif n["age_years"] is None and "age_years" not in errors and n["weight"] is not None \
                and n["weight"] < CHILD_WEIGHT_KG:
            errors["age_years"] = (f"Age: type the patient's age in years: under {CHILD_WEIGHT_KG:g} kg the age is "
                                   f"required (a child's vitals are graded by age)")
        try:
            closing = self.closing_time.value()
        except FieldError as exc:
            errors["closing_time"] = str(exc)
            closing = DEFAULT_CLOSING
        sex = self.sex.currentText()
        return PlanRequest(
            product=self.product.currentData(), indication=self.indication.currentData(),
            weight_kg=n["weight"] if n["weight"] is not None else WEIGHT_RANGE[1],
            dose_g_per_kg=dose if dose is not None else STAND_IN_DOSE, height_cm=n["height"],
            sex=None if sex == "—" else sex, dosing_weight=self.dosing_weight.currentData(),
            at_risk=self.at_risk.isChecked(),
            at_risk_cap_mg_kg_min=n["at_risk_cap"] if self.at_risk.isChecked() else None,
            first_infusion=self.first_infusion.isChecked(), product_switch=self.product_switch.isChecked(),
            weeks_since_last=n["weeks"], protocol=self.protocol.currentData(),
            pump_resolution_ml_h=self.resolution.currentData(), max_ml_h=n["unit_cap"],
            tolerated_max_mg_kg_min=n["tolerated"], age_years=n["age_years"], closing_clock=closing,
            overrides=tuple((name, why.text().strip()) for name, (cb, why) in self.overrides.items()
                            if cb.isChecked()),
        )

    def request(self) -> PlanRequest:
        """The request from the fields; InputError naming the first bad field (for callers outside)."""
        errors: dict[str, str] = {}
        req = self._request(self._numbers(errors), errors)
        if errors:
            key, text = next(iter(errors.items()))
            raise InputError(key, getattr(self, key).text(), text)
        return req

    def _check(self) -> tuple[object | None, dict[str, str], str]:
        """(plan or None, field -> plain error, a message for the preview) with every bad field found.

        The core checks one field at a time; a refused field is replaced by a value the core
        accepts (only for checking) so the next refusal is found too.
        """
        errors: dict[str, str] = {}
        req = self._request(self._numbers(errors), errors)
        for key, _why in list(errors.items()):  # not numbers: do not let the core see them
            if key in STAND_IN:
                attr, value = STAND_IN[key]
                req = replace(req, **{attr: value})
        general = ""
        for _ in range(len(CORE_FIELDS) + 2):
            try:
                plan = build_plan(req)
            except (InputError, NeedsInput) as exc:
                key = CORE_FIELDS.get(exc.field)
                if key is None or key not in STAND_IN or key in errors:
                    general = self._plain(exc)
                    break
                edit = getattr(self, key)
                if isinstance(exc, NeedsInput):
                    errors[key] = f"{edit.label} needed: {exc.why}"
                    req = replace(req, at_risk=False) if key == "at_risk_cap" else req
                else:
                    errors[key] = plain_error(edit.label, edit.unit, exc.value, exc.allowed)
                attr, value = STAND_IN[key]
                req = replace(req, **{attr: value})
            except TitrationError as exc:
                general = self._plain(exc)
                break
            else:
                return (None if errors else plan), errors, general
        return None, errors, general

    @staticmethod
    def _plain(exc: Exception) -> str:
        """A core error without command-line option names."""
        if isinstance(exc, InputError) and exc.field == "override reason":
            return "Setting a limit aside needs a reason: type it beside the ticked box"
        if isinstance(exc, InputError):
            field = exc.field.lstrip("-").replace("-", " ")
            return f"{field[:1].upper()}{field[1:]}: {exc.value} is not possible; {plain_allowed(exc.allowed, '')}"
        return plain_allowed(str(exc), "")
