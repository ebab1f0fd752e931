"""The new-infusion form checked in one call: every bad field at once, in the nurse's words.

`check_form(FormRequest)` reads what was typed (text, as typed), checks every field on its own
against what the core allows, and only then builds the plan, once. It returns every problem with
the field's id, the value, what is allowed and one line in the nurse's words using the field's
label ("Temperature (°C): 98.6 is not allowed; 30 to 44"), the plan when there is one, and what
holds the start until the prescriber has decided (baseline vitals that grade mild or worse, the
checklist's holds). Numbers are plain digits with at most one point or comma; "120/80" typed as
the systolic pressure is split into systolic and diastolic when the diastolic field is empty, and
refused otherwise: never read as 12080.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .catalogue_file import load_catalogue
from .checklist import ChecklistAnswers, ChecklistResult, assess
from .day_fit import DEFAULT_CLOSING
from .dosing import split_course
from .errors import InputError, NeedsInput, TitrationError
from .limits import SOFT_LIMIT_WORDS
from .plan import CHILD_WEIGHT_KG, DOSE_RANGE, WEIGHT_RANGE, Plan, PlanRequest, build_plan
from .timefmt import parse_time_of_day
from .vitals import VITAL_FIELDS, Vitals

NUMBER = re.compile(r"^\d+(?:[.,]\d*)?$|^[.,]\d+$")

# field id -> (label, unit, (low, high), low is open) for every number the form takes
FIELDS: dict[str, tuple[str, str, tuple[float, float], bool]] = {
    "weight": ("Weight", "kg", WEIGHT_RANGE, False),
    "height": ("Height", "cm", (40.0, 250.0), False),
    "dose": ("Dose", "g/kg", DOSE_RANGE, True),
    "course_total": ("Course dose", "g/kg", (0.0, 10.0), True),
    "unit_cap": ("Unit's pump maximum", "mL/h", (0.0, 1200.0), True),
    "weeks": ("Weeks since the last infusion", "weeks", (0.0, 5200.0), False),
    "at_risk_cap": ("At-risk cap", "mg/kg/min", (0.0, 20.0), True),
    "tolerated": ("Previously tolerated maximum", "mg/kg/min", (0.0, 20.0), True),
    "age_years": ("Age", "years", (0.0, 120.0), False),
}
# the core's own field names (as build_plan's errors give them) -> the form's field
CORE_FIELDS = {"--weight-kg": "weight", "--dose-g-per-kg": "dose", "--height-cm": "height",
               "--max-ml-h": "unit_cap", "--at-risk-cap": "at_risk_cap", "--tolerated-max": "tolerated",
               "tolerated maximum": "tolerated", "--weeks-since-last": "weeks", "weeks since last infusion": "weeks",
               "course g/kg": "course_total", "age": "age_years", "--age-years": "age_years",
               "--protocol": "protocol", "override reason": "overrides", "override": "overrides",
               "--override": "overrides"}
# the words a core error may carry that only the command line uses
CLI_WORDS = ((re.compile(r"record a reason with --override ([a-z-]+)=REASON"),
              lambda m: f"tick 'Set aside: {SOFT_LIMIT_WORDS.get(m[1], m[1])}' and type the reason"),
             (re.compile(r"give --age-years"), "type the age"),
             (re.compile(r"--([a-z][a-z-]+)"), lambda m: m[1].replace("-", " ")))


@dataclass(frozen=True)
class FieldProblem:
    field: str  # the form's field id ("weight", "vital_temp_c", "checklist")
    value: str  # as typed
    allowed: str  # what is allowed, in words
    words: str  # one line for the nurse: "Weight (kg): 0 is not allowed; 2 to 250"
    missing: bool = False  # nothing typed yet (said quietly until Create is pressed)


@dataclass(frozen=True)
class FormRequest:
    """What the new-infusion form holds, as typed."""

    product: str
    indication: str
    texts: Mapping[str, str] = field(default_factory=dict)  # field id -> text (FIELDS, closing_time)
    per_infusion: bool = True  # the dose is per infusion (else a course split over days)
    course_days: int = 5
    sex: str | None = None
    child: bool = False  # the age band says a child: the age is required
    dosing_weight: str = "actual"
    protocol: str | None = None
    pump_resolution_ml_h: float = 0.1
    at_risk: bool = False
    first_infusion: bool = False
    product_switch: bool = False
    overrides: tuple[tuple[str, str], ...] = ()
    vitals: Mapping[str, str] = field(default_factory=dict)  # baseline: vital field -> text
    sbp_unrecordable: bool = False
    checklist: ChecklistAnswers | None = None
    prescriber: str = ""  # "discussed with the prescriber" (name), for the holds
    decision: str = ""  # start | do-not-start


@dataclass(frozen=True)
class FormCheck:
    problems: tuple[FieldProblem, ...]
    plan: Plan | None
    baseline: Vitals | None
    checklist: ChecklistResult | None
    holds: tuple[str, ...]  # what waits for the prescriber's decision
    blocks: tuple[str, ...]  # why Create cannot go ahead besides the fields (checklist, baseline, holds)
    course_per_infusion: float | None = None  # a course split: this infusion's g/kg
    general: str = ""  # a problem of the prescription as a whole (no single field)

    @property
    def ok(self) -> bool:
        """Create may go ahead: no problem, a plan, nothing blocks (holds decided: start)."""
        return not self.problems and self.plan is not None and not self.blocks and not self.general

    def by_field(self) -> dict[str, FieldProblem]:
        return {p.field: p for p in self.problems}


def problem(fid: str, label: str, value, allowed: str, *, missing: bool = False) -> FieldProblem:
    shown = f"{value:g}" if isinstance(value, float) else str(value)
    words = f"{label}: {allowed}" if missing else f"{label}: {shown} is not allowed; {allowed}"
    return FieldProblem(fid, shown, allowed, words, missing)


def required(fid: str, label: str, what: str) -> FieldProblem:
    """A value the form needs, said beside its field at once (not only once Create is pressed)."""
    return FieldProblem(fid, "", what, f"{label}: {what}")


def read_number(fid: str, text: str, label: str, unit: str) -> tuple[float | None, FieldProblem | None]:
    """The number typed (None when empty), or the problem: a sign, a letter, two points."""
    t = text.strip()
    if not t:
        return None, None
    head = f"{label} ({unit})" if unit else label
    if not NUMBER.match(t):
        if t.startswith("-"):
            return None, problem(fid, head, t, "a positive number (a minus sign is not possible here)")
        return None, FieldProblem(fid, t, "digits only", f"{head}: '{t}' is not a number; type digits only, with "
                                                         f"at most one decimal point")
    return float(t.replace(",", ".")), None


def in_range(fid: str, v: float, label: str, unit: str, bounds: tuple[float, float], lo_open: bool):
    lo, hi = bounds
    ok = (v > lo if lo_open else v >= lo) and v <= hi
    if ok:
        return None
    allowed = f"more than {lo:g} and at most {hi:g}" if lo_open else f"{lo:g} to {hi:g}"
    return problem(fid, f"{label} ({unit})", v, allowed)


def read_vitals(texts: Mapping[str, str], unrecordable: bool = False,
                on_oxygen: bool | None = None) -> tuple[Vitals | None, list[FieldProblem]]:
    """Vitals from the typed fields, every bad one named; '120/80' in the systolic field is split
    when the diastolic is empty (or the same), refused otherwise. `on_oxygen`: the oxygen box (None:
    not asked); unticked with an SpO2 typed records air (NEWS2 scores oxygen 2)."""
    values: dict = {}
    problems: list[FieldProblem] = []
    texts = dict(texts)
    sbp = texts.get("sbp", "").strip()
    if "/" in sbp:
        top, _, bottom = (x.strip() for x in sbp.partition("/"))
        dbp = texts.get("dbp", "").strip()
        if NUMBER.match(top) and NUMBER.match(bottom) and dbp in ("", bottom):
            texts["sbp"], texts["dbp"] = top, bottom
        else:
            problems.append(problem("vital_sbp", "Systolic BP (mmHg)", sbp,
                                    "the systolic number alone (the diastolic has its own field)"))
            texts["sbp"] = ""
    for key, (label, unit, (lo, hi)) in VITAL_FIELDS.items():
        v, bad = read_number(f"vital_{key}", texts.get(key, ""), label, unit)
        if bad is not None:
            problems.append(bad)
        elif v is not None:
            if not lo <= v <= hi:
                problems.append(problem(f"vital_{key}", f"{label} ({unit})", v, f"{lo:g} to {hi:g}"))
            else:
                values[key] = v
    if unrecordable:
        if "sbp" in values:
            problems.append(problem("vital_sbp", "Systolic BP (mmHg)", values.pop("sbp"),
                                    "no number when the systolic BP is recorded as unrecordable"))
        values["sbp_unrecordable"] = True
    if on_oxygen:
        values["on_oxygen"] = True
    elif on_oxygen is not None and "spo2" in values:
        values["on_oxygen"] = False
    if problems:
        return None, problems
    read = Vitals.from_dict(values)
    return (None if read.is_empty() else read), []


def plain(text: str) -> str:
    """A core message without command-line syntax."""
    for pattern, repl in CLI_WORDS:
        text = pattern.sub(repl, text)
    return text


def check_form(f: FormRequest) -> FormCheck:
    """Every problem of the form at once; the plan built once, when every field is sound."""
    problems: list[FieldProblem] = []
    n: dict[str, float | None] = {}
    for fid, (label, unit, bounds, lo_open) in FIELDS.items():
        v, bad = read_number(fid, f.texts.get(fid, ""), label, unit)
        if bad is None and v is not None:
            bad = in_range(fid, v, label, unit, bounds, lo_open)
        if bad is not None:
            problems.append(bad)
            v = None
        n[fid] = v
    bad_ids = {p.field for p in problems}
    if n["weight"] is None and "weight" not in bad_ids:
        problems.append(problem("weight", "Weight", "", "type the patient's weight in kg", missing=True))
    dose, per_infusion = None, None
    if f.per_infusion:
        dose = n["dose"]
        if dose is None and "dose" not in bad_ids:
            problems.append(problem("dose", "Dose", "", "type the dose in g/kg (this infusion, or a course)",
                                    missing=True))
    elif n["course_total"] is None:
        if "course_total" not in bad_ids:
            problems.append(problem("course_total", "Course dose", "", "type the course's total in g/kg",
                                    missing=True))
    else:
        try:
            dose = per_infusion = split_course(n["course_total"], int(f.course_days))[0]
        except InputError as exc:
            problems.append(problem("course_total", "Course dose (g/kg)", exc.value, plain(exc.allowed)))
    if n["age_years"] is None and "age_years" not in bad_ids:  # said at once: never assume an adult
        if f.child:
            problems.append(required("age_years", "Age", "type the child's age in years (a baby: 0.5); a child's "
                                     "vitals are graded by the paediatric bands for the age"))
        elif n["weight"] is not None and n["weight"] < CHILD_WEIGHT_KG:
            problems.append(required("age_years", "Age", f"type the patient's age in years: under "
                                     f"{CHILD_WEIGHT_KG:g} kg the age is required (a child's vitals are graded by "
                                     f"age)"))
    if n["at_risk_cap"] is not None and not f.at_risk:
        problems.append(problem("at_risk_cap", "At-risk cap (mg/kg/min)", n["at_risk_cap"],
                                "a cap only when the patient is at risk (tick 'At risk')"))
    closing = f.texts.get("closing_time", "").strip() or DEFAULT_CLOSING
    try:
        parse_time_of_day(closing, "Closing time")
    except InputError as exc:
        problems.append(problem("closing_time", "Closing time", exc.value, "a time of day like 18:00"))
        closing = DEFAULT_CLOSING
    for name, why in f.overrides:
        if not why.strip():
            problems.append(problem(f"override_{name}", f"Setting '{name}' aside needs a reason", "",
                                    "type it beside the ticked box", missing=True))
    baseline, vital_problems = read_vitals(f.vitals, f.sbp_unrecordable)
    problems += vital_problems
    checklist = assess(f.checklist) if f.checklist is not None else None
    plan, general = None, ""
    if not problems:
        req = PlanRequest(
            product=f.product, indication=f.indication, weight_kg=float(n["weight"] or 0), dose_g_per_kg=dose or 0.0,
            height_cm=n["height"], sex=f.sex, dosing_weight=f.dosing_weight, at_risk=f.at_risk,
            at_risk_cap_mg_kg_min=n["at_risk_cap"], first_infusion=f.first_infusion,
            product_switch=f.product_switch, weeks_since_last=n["weeks"], protocol=f.protocol,
            pump_resolution_ml_h=f.pump_resolution_ml_h, max_ml_h=n["unit_cap"],
            tolerated_max_mg_kg_min=n["tolerated"], age_years=n["age_years"], closing_clock=closing,
            overrides=tuple((k, v.strip()) for k, v in f.overrides))
        try:
            plan = build_plan(req)
        except (InputError, NeedsInput) as exc:
            fid = CORE_FIELDS.get(exc.field, "")
            if fid in FIELDS:
                label, unit, _, _ = FIELDS[fid]
                if isinstance(exc, NeedsInput):
                    problems.append(problem(fid, f"{label} needed", "", plain(exc.why), missing=True))
                else:
                    problems.append(problem(fid, f"{label} ({unit})", exc.value, plain(exc.allowed)))
            else:
                general = plain(exc.why if isinstance(exc, NeedsInput) else
                                f"{exc.field.lstrip('-').replace('-', ' ').capitalize()}: {exc.value} is not "
                                f"possible; {exc.allowed}")
        except TitrationError as exc:
            general = plain(str(exc))
    holds = list(checklist.holds) if checklist is not None else []
    if baseline is not None:
        g = load_catalogue().grade_vitals(baseline, None, n["age_years"])
        if g.grade != "none":
            holds.append(f"baseline vitals grade {g.grade} (" + "; ".join(r.split(" (")[0] for r in g.reasons) + ")")
    blocks = [f"Checklist: {b}" for b in (checklist.blocks if checklist is not None else ())]
    if baseline is None and not vital_problems:
        blocks.append("Baseline vitals: record them before the start")
    if holds:
        if f.decision == "do-not-start" and f.prescriber.strip():
            blocks.append(f"The prescriber ({f.prescriber.strip()}) decided not to start")
        elif f.decision != "start" or not f.prescriber.strip():
            blocks.append("Discuss with the prescriber first: " + "; ".join(holds)
                          + " (record the prescriber's name and 'start' or 'do not start')")
    return FormCheck(tuple(problems), plan, baseline, checklist, tuple(holds), tuple(blocks), per_infusion, general)


def default_indication(product) -> str:
    """The indication a fresh form shows for a product: its first, never one carried over from the
    last patient's product."""
    return next(iter(product.indications))
