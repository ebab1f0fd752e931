"""A Plan: an immutable list of Steps, built from a prescription, a ladder and the limits.

Rules (docs/design.md section 3): the canonical rate is mg/kg/min; pump rates are rounded
DOWN to the pump resolution; limits are checked after rounding; hard limits (label maximum,
the label's numeric at-risk cap, a prescriber's at-risk cap) cannot be overridden; soft limits
(first-infusion maximum, unit mL/h cap, previously tolerated maximum) can, with a reason;
neighbouring steps at one rate are one step; the last step runs until the volume is in.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace

from .dosing import Dose, DosingWeight, Patient, compute_dose, dosing_weight
from .errors import InputError, NeedsInput
from .limits import SOFT_LIMITS, Limit, Rung, label_pace, limits_for, rungs_for
from .prescription import check_population, check_single_dose
from .products import get_product
from .protocols import resolve
from .timefmt import span_words
from .units import mg_kg_min_from_ml_h, ml_h, ml_kg_min

WEIGHT_RANGE = (2.0, 250.0)
DOSE_RANGE = (0.0, 2.0)  # g/kg in one infusion; 2 g/kg single dose is the highest in ref 4
RESTART_WEEKS = 8  # ref 2.1: more than 8 weeks since the last infusion
CHILD_WEIGHT_KG = 40  # under this (or under 18 years) the age is required: never assume an adult


@dataclass(frozen=True, slots=True)
class PlanRequest:
    product: str
    indication: str
    weight_kg: float
    dose_g_per_kg: float
    height_cm: float | None = None
    sex: str | None = None
    dosing_weight: str = "actual"
    at_risk: bool = False
    at_risk_cap_mg_kg_min: float | None = None
    first_infusion: bool = False
    product_switch: bool = False
    weeks_since_last: float | None = None
    protocol: str | None = None
    pump_resolution_ml_h: float = 0.1
    max_ml_h: float | None = None
    tolerated_max_mg_kg_min: float | None = None
    overrides: tuple[tuple[str, str], ...] = ()  # (soft limit name, reason)
    round_dose: str = "none"
    age_years: float | None = None  # under 18: a child's vitals are graded by paediatric bands (adult ones a floor)
    start_clock: str | None = None  # "HH:MM" the infusion starts: checks the day's fit (day_fit)
    closing_clock: str = "18:00"  # the unit's closing time (a setting)
    max_hours: float | None = None  # the longest infusion the unit accepts (a setting)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["overrides"] = [list(o) for o in self.overrides]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "PlanRequest":
        d = dict(d)
        d["overrides"] = tuple(tuple(o) for o in d.get("overrides", ()))
        return cls(**d)

    @property
    def restart_at_initial(self) -> str:
        """Why this infusion must start at the initial rate, or ''."""
        why = []
        if self.first_infusion:
            why.append("first infusion")
        if self.product_switch:
            why.append("product switch")
        if self.weeks_since_last is not None and self.weeks_since_last > RESTART_WEEKS:
            why.append(f"more than {RESTART_WEEKS} weeks since the last infusion")
        return ", ".join(why)


@dataclass(frozen=True, slots=True)
class Step:
    start_min: float
    end_min: float
    rate_ml_h: float
    rate_mg_kg_min: float
    volume_ml: float
    rung: int  # index into Plan.rungs; -1 for a pause
    limited_by: str | None = None
    holds_to_end: bool = False  # runs until the volume is in

    @property
    def minutes(self) -> float:
        return self.end_min - self.start_min


@dataclass(frozen=True, slots=True)
class Plan:
    request: PlanRequest
    product_name: str
    protocol_id: str
    protocol_name: str
    protocol_kind: str
    concentration_mg_per_ml: float
    dosing: DosingWeight
    rate_weight_kg: float
    dose: Dose
    limits: tuple[Limit, ...]
    rungs: tuple[Rung, ...]
    steps: tuple[Step, ...]
    notes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    delivered_at_start_ml: float = 0.0
    replanned_at_min: float | None = None  # None for the original plan
    table_column_kg: float | None = None  # a printed weight table's column the rates were read from

    @property
    def volume_ml(self) -> float:
        return self.dose.volume_ml

    @property
    def start_min(self) -> float:
        return self.steps[0].start_min if self.steps else 0.0

    @property
    def end_min(self) -> float:
        return self.steps[-1].end_min if self.steps else (self.replanned_at_min or 0.0)

    @property
    def duration_min(self) -> float:
        return self.end_min

    @property
    def max_rate_mg_kg_min(self) -> float:
        """The lowest applied cap, as mg/kg/min at the rate weight."""
        caps = [lim.cap_ml_h for lim in self.limits if not lim.overridden and not lim.first_step_only]
        return mg_kg_min_from_ml_h(min(caps), self.rate_weight_kg, self.concentration_mg_per_ml)

    def mg_kg_min(self, rate_ml_h: float) -> float:
        """What a pump rate delivers, as mg/kg/min at the rate weight."""
        return mg_kg_min_from_ml_h(rate_ml_h, self.rate_weight_kg, self.concentration_mg_per_ml)

    def grams(self, volume_ml: float) -> float:
        return volume_ml * self.concentration_mg_per_ml / 1000.0

    def ml_kg_min(self, rate_ml_h: float) -> float:
        return ml_kg_min(mg_kg_min_from_ml_h(rate_ml_h, self.rate_weight_kg, self.concentration_mg_per_ml),
                         self.concentration_mg_per_ml)

    def points(self) -> tuple[list[float], list[float]]:
        """Cumulative volume (mL) at each step boundary: a piecewise-linear curve."""
        ts, vs = [self.start_min], [self.delivered_at_start_ml]
        for s in self.steps:
            ts.append(s.end_min)
            vs.append(vs[-1] + s.volume_ml)
        return ts, vs

    def replan(self, at_min: float, delivered_ml: float, rung: int, *, first_minutes: float | None = None,
               ceiling_ml_h: float | None = None, pause_until: float | None = None) -> "Plan":
        """The rest of the infusion from the current state; this plan stays as it was."""
        steps = lay_out(self, at_min, delivered_ml, rung, first_minutes=first_minutes,
                        ceiling_ml_h=ceiling_ml_h, pause_until=pause_until)
        return replace(self, steps=steps, delivered_at_start_ml=delivered_ml, replanned_at_min=at_min)

    def arithmetic(self) -> list[str]:
        return explain(self)


def _check_number(name: str, v, lo: float, hi: float, lo_open: bool = False) -> None:
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
    ok = ok and (v > lo if lo_open else v >= lo) and v <= hi
    if not ok:
        bound = f"above {lo:g}" if lo_open else f"from {lo:g}"
        raise InputError(name, v, f"a number {bound} to {hi:g}")


def validate(req: PlanRequest) -> None:
    _check_number("--weight-kg", req.weight_kg, *WEIGHT_RANGE)
    _check_number("--dose-g-per-kg", req.dose_g_per_kg, *DOSE_RANGE, lo_open=True)
    if req.height_cm is not None:
        _check_number("--height-cm", req.height_cm, 40, 250)
    if req.sex not in (None, "female", "male"):
        raise InputError("--sex", req.sex, "female or male")
    _check_number("--pump-resolution", req.pump_resolution_ml_h, 0, 10, lo_open=True)
    if req.max_ml_h is not None:
        _check_number("--max-ml-h", req.max_ml_h, 0, 1200, lo_open=True)  # Alaris range tops at 1200 (ref 6)
    if req.at_risk_cap_mg_kg_min is not None:
        _check_number("--at-risk-cap", req.at_risk_cap_mg_kg_min, 0, 20, lo_open=True)
        if not req.at_risk:  # never dropped: a cap without the at-risk flag is a slip, not a no-op
            raise InputError("--at-risk-cap", req.at_risk_cap_mg_kg_min, "a cap only together with --at-risk")
    if req.tolerated_max_mg_kg_min is not None:
        _check_number("--tolerated-max", req.tolerated_max_mg_kg_min, 0, 20, lo_open=True)
    if req.start_clock is not None:
        from .day_fit import DaySettings
        from .timefmt import parse_time_of_day

        parse_time_of_day(req.start_clock, "--start")
        DaySettings(req.closing_clock, req.max_hours)
    if req.age_years is not None:
        _check_number("age", req.age_years, 0, 120)
    elif req.weight_kg < CHILD_WEIGHT_KG:  # do not assume an adult: a child's vitals are graded by age
        raise NeedsInput("--age-years", f"the patient's age: a patient under {CHILD_WEIGHT_KG:g} kg may be a child, "
                                        f"whose vitals are graded by age")
    if req.weeks_since_last is not None:
        _check_number("--weeks-since-last", req.weeks_since_last, 0, 5200)
    for name, reason in req.overrides:
        if name not in SOFT_LIMITS:
            raise InputError("override", name,
                             f"a soft limit ({', '.join(SOFT_LIMITS)}); hard limits cannot be overridden")
        if not str(reason).strip():
            raise InputError("override reason", reason, "a reason for setting the limit aside")


def lay_out(plan: Plan, at_min: float, delivered_ml: float, rung: int, *, first_minutes: float | None = None,
            ceiling_ml_h: float | None = None, pause_until: float | None = None) -> tuple[Step, ...]:
    """Steps from `rung` on, starting at `at_min`, until the volume is in."""
    kg, conc = plan.rate_weight_kg, plan.concentration_mg_per_ml
    left = plan.volume_ml - delivered_ml
    steps: list[Step] = []
    t = at_min
    if left <= 1e-9:
        return ()
    if pause_until is not None and pause_until > t:
        steps.append(Step(t, pause_until, 0.0, 0.0, 0.0, -1))
        t = pause_until
    rungs = plan.rungs
    for i in range(max(rung, 0), len(rungs)):
        r = rungs[i]
        rate, minutes, limited = r.rate_ml_h, r.minutes, r.limited_by
        if i == rung and first_minutes is not None and minutes is not None:
            minutes = first_minutes
        if ceiling_ml_h is not None and rate >= ceiling_ml_h - 1e-9:
            rate, minutes = min(rate, ceiling_ml_h), None
            limited = limited if rate == r.rate_ml_h else "reaction"
        mg = mg_kg_min_from_ml_h(rate, kg, conc)
        if minutes is None or rate * minutes / 60.0 >= left - 1e-9:
            steps.append(Step(t, t + left / rate * 60.0, rate, mg, left, i, limited, True))
            return tuple(steps)
        v = rate * minutes / 60.0
        steps.append(Step(t, t + minutes, rate, mg, v, i, limited))
        t += minutes
        left -= v
    raise AssertionError("the last rung always holds to the end")


def build_plan(req: PlanRequest, library: dict | None = None, protocols: dict | None = None) -> Plan:
    validate(req)
    product = get_product(req.product, library)
    ind = product.indication(req.indication)
    proto = resolve(product, ind, req.protocol, protocols)
    conc = product.concentration_mg_per_ml
    single_dose_note = check_single_dose(req)
    population_note = check_population(req, product, ind)
    dw = dosing_weight(Patient(req.weight_kg, req.height_cm, req.sex), req.dosing_weight)
    rate_kg = min(dw.kg, req.weight_kg)
    dose = compute_dose(dw.kg, req.dose_g_per_kg, conc, product.vial_sizes_g, req.round_dose)
    limits = limits_for(req, product, ind, proto, rate_kg)
    targets = proto.ladder.targets(conc, ind.initial_mg_kg_min, ind.initial_minutes, ind.max_mg_kg_min)
    label_targets = None
    if proto.kind != "label" and ind.label_ladder is not None:
        label_targets = ind.label_ladder.targets(conc, ind.initial_mg_kg_min, ind.initial_minutes, ind.max_mg_kg_min)
    targets, paced = label_pace(targets, ind, label_targets)
    column = None
    if proto.weight_columns_kg is not None:
        column = proto.column_kg(rate_kg)
        if column is None:
            lo, hi, step = proto.weight_columns_kg
            raise InputError("--protocol", proto.id, f"a patient of {lo:g} to under {hi + step:g} kg: the printed "
                             f"{proto.name} table has columns from {lo:g} to {hi:g} kg (this patient: {rate_kg:g} kg)")
    rungs = rungs_for(targets, limits, rate_kg, conc, req.pump_resolution_ml_h, ladder_kg=column)
    notes = []
    if proto.is_local:
        unconfirmed = ", ".join(ind.unconfirmed) or "see protocol"
        notes.append(f"LOCAL protocol {proto.id}: the label gives no step sizes ({unconfirmed} unconfirmed).")
    if proto.kind == "label" and ind.ladder_provenance:
        notes.append(f"Ladder provenance: {ind.ladder_provenance}.")
    if column is not None:
        notes.append(f"{proto.name}: rates read from the printed {column:g} kg column ({rate_kg:g} kg rounded down "
                     f"to the 5-kg column below, as the table says); check them against the printed table.")
    notes += paced
    if single_dose_note:
        notes.append(single_dose_note)
    if population_note:
        notes.append(population_note)
    if req.restart_at_initial:
        notes.append(f"Starts at the initial rate: {req.restart_at_initial} (ref 2.1).")
    if req.first_infusion and ind.first_infusion_words:
        notes.append(f"Label on first infusions: '{ind.first_infusion_words}'")
    if req.age_years is not None and req.age_years < 18:
        notes.append(f"A child ({req.age_years:g} years): vitals are graded by the paediatric bands for the age; "
                     "outside the child's normal range never below an adult's (resources/symptoms.toml); a value "
                     "no band covers is shown for the nurse to judge.")
    for lim in limits:
        if lim.overridden:
            notes.append(f"Soft limit {lim.name} ({lim.as_written}) set aside: {lim.overridden}")
    plan = Plan(
        request=req, product_name=product.name, protocol_id=proto.id, protocol_name=proto.name,
        protocol_kind=proto.kind, concentration_mg_per_ml=conc, dosing=dw, rate_weight_kg=rate_kg, dose=dose,
        limits=tuple(limits), rungs=rungs, steps=(), notes=tuple(notes),
        sources=tuple(ind.sources) + tuple(s for s in proto.sources if proto.kind != "label"),
        table_column_kg=column,
    )
    return replace(plan, steps=lay_out(plan, 0.0, 0.0, 0))


def explain(plan: Plan) -> list[str]:
    """The arithmetic behind every number, in words a second nurse can check."""
    r, d, dw = plan.request, plan.dose, plan.dosing
    conc, kg = plan.concentration_mg_per_ml, plan.rate_weight_kg
    lines = [f"Dosing weight: {dw.kg:g} kg ({dw.reason})."]
    if dw.ideal_kg is not None:
        lines.append(f"Ideal body weight (Devine): {dw.ideal_kg:.1f} kg; BMI {dw.bmi:.1f}.")
    if kg != dw.kg or kg != r.weight_kg:
        lines.append(f"Rate weight: {kg:g} kg (the lower of actual and dosing weight,"
                     " so no per-kg maximum is exceeded).")
    lines.append(f"Dose: {r.dose_g_per_kg:g} g/kg x {dw.kg:g} kg = {d.prescribed_g:.2f} g.")
    if d.rounded:
        lines.append(f"Dose {d.rounded}.")
    lines.append(f"Volume: {d.dose_g:g} g x 1000 / {conc:g} mg/mL = {d.volume_ml:.1f} mL.")
    if d.vials:
        lines.append("Vials: " + " + ".join(f"{n} x {s:g} g" for s, n in d.vials) + f" = {d.vials_total_g:g} g.")
    lines.append(f"Rate: mL/h = mg/kg/min x {kg:g} kg x 60 / {conc:g} mg/mL,"
                 f" rounded down to {r.pump_resolution_ml_h:g} mL/h.")
    col = plan.table_column_kg
    if col is not None:
        lines.append(f"Ladder rates read at the printed table's {col:g} kg column; caps at {kg:g} kg.")
    for i, g in enumerate(plan.rungs, 1):
        at = col or kg
        raw = ml_h(g.target_mg_kg_min, at, conc)
        cap = f", capped by {g.limited_by}" if g.limited_by else ""
        lines.append(f"  Step {i}: {g.target_mg_kg_min:.3g} mg/kg/min x {at:g} x 60 / {conc:g} = {raw:.2f}"
                     f" -> {g.rate_ml_h:g} mL/h{cap}.")
    for lim in plan.limits:
        kind = ("hard" if lim.hard else "soft") + (", first step" if lim.first_step_only else "")
        state = f" (set aside: {lim.overridden})" if lim.overridden else ""
        lines.append(f"Limit {lim.name} ({kind}): {lim.as_written} = at most {lim.cap_ml_h:g} mL/h{state}."
                     f" Source: {lim.source}")
    lines.append(f"Total: {plan.volume_ml:.1f} mL in {plan.duration_min:.1f} min ({span_words(plan.duration_min)}).")
    fit = plan_day_fit(plan)
    if fit is not None and not fit.fits:
        lines += [f"DOES NOT FIT THE DAY: {fit.message}"] + [f"  Choice: {c.words}" for c in fit.choices]
    return lines + list(plan.notes)


def plan_day_fit(plan: Plan):
    """The day's fit for a plan whose request gives a start time, else None."""
    r = plan.request
    if r.start_clock is None:
        return None
    from .day_fit import DaySettings, day_fit
    from .timefmt import parse_time_of_day

    return day_fit(plan, parse_time_of_day(r.start_clock, "--start"), DaySettings(r.closing_clock, r.max_hours))


def plan_json(plan: Plan) -> dict:
    return {
        "product": plan.request.product,
        "indication": plan.request.indication,
        "protocol": plan.protocol_id,
        "concentration_mg_per_ml": plan.concentration_mg_per_ml,
        "dosing_weight_kg": plan.dosing.kg,
        "dosing_weight_method": plan.dosing.method,
        "rate_weight_kg": plan.rate_weight_kg,
        "dose_g": round(plan.dose.dose_g, 3),
        "volume_ml": round(plan.volume_ml, 1),
        "vials": [{"size_g": s, "count": n} for s, n in plan.dose.vials],
        "max_rate_mg_kg_min": round(plan.max_rate_mg_kg_min, 3),
        "steps": [
            {
                "start_min": round(s.start_min, 1),
                "end_min": round(s.end_min, 1),
                "rate_ml_h": s.rate_ml_h,
                "rate_mg_kg_min": round(s.rate_mg_kg_min, 3),
                "volume_ml": round(s.volume_ml, 1),
                "until_volume_complete": s.holds_to_end,
                "limited_by": s.limited_by,
            }
            for s in plan.steps
        ],
        "duration_min": round(plan.duration_min, 1),
        "limits": [
            {"name": lim.name, "hard": lim.hard, "max_ml_h": lim.cap_ml_h, "as_written": lim.as_written,
             "source": lim.source, "overridden": lim.overridden, "first_step_only": lim.first_step_only}
            for lim in plan.limits
        ],
        "table_column_kg": plan.table_column_kg,
        "age_years": plan.request.age_years,
        "day_fit": None if plan_day_fit(plan) is None else plan_day_fit(plan).to_dict(),
        "notes": list(plan.notes),
        "arithmetic": plan.arithmetic(),
    }
