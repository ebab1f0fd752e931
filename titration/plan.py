"""A Plan: an immutable list of Steps, built from a prescription, a ladder and the limits.

Rules (shared/design.md section 3): the canonical rate is mg/kg/min; pump rates are rounded
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
from .products import Product, get_product
from .protocols import Protocol, resolve
from .units import below, mg_kg_min_from_ml_h, ml_h, ml_kg_min, round_down

SOFT_LIMITS = ("first-infusion", "unit-cap", "tolerated-max")
HARD_LIMITS = ("label-max", "at-risk")
WEIGHT_RANGE = (2.0, 250.0)
DOSE_RANGE = (0.0, 2.0)  # g/kg in one infusion; 2 g/kg single dose is the highest in ref 4
RESTART_WEEKS = 8  # ref 2.1: more than 8 weeks since the last infusion


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
class Limit:
    name: str
    hard: bool
    cap_ml_h: float  # the highest pump setting this limit allows (after rounding down)
    as_written: str
    source: str
    overridden: str | None = None  # the recorded reason, for a soft limit set aside


@dataclass(frozen=True, slots=True)
class Rung:
    """One rate of the ladder in pump units, after caps, rounding and merging."""

    rate_ml_h: float
    rate_mg_kg_min: float  # what the rounded pump rate delivers
    target_mg_kg_min: float  # what the ladder asked for
    minutes: float | None  # None: runs until the volume is in
    limited_by: str | None


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
        caps = [l.cap_ml_h for l in self.limits if not l.overridden]
        return mg_kg_min_from_ml_h(min(caps), self.rate_weight_kg, self.concentration_mg_per_ml)

    def mg_kg_min(self, rate_ml_h: float) -> float:
        """What a pump rate delivers, as mg/kg/min at the rate weight."""
        return mg_kg_min_from_ml_h(rate_ml_h, self.rate_weight_kg, self.concentration_mg_per_ml)

    def grams(self, volume_ml: float) -> float:
        return volume_ml * self.concentration_mg_per_ml / 1000.0

    def ml_kg_min(self, rate_ml_h: float) -> float:
        return ml_kg_min(mg_kg_min_from_ml_h(rate_ml_h, self.rate_weight_kg, self.concentration_mg_per_ml),
                         self.concentration_mg_per_ml)

    def step_at(self, t: float) -> Step | None:
        for s in self.steps:
            if s.start_min <= t < s.end_min:
                return s
        return None

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
    if req.weeks_since_last is not None:
        _check_number("--weeks-since-last", req.weeks_since_last, 0, 5200)
    for name, reason in req.overrides:
        if name not in SOFT_LIMITS:
            raise InputError("override", name, f"a soft limit ({', '.join(SOFT_LIMITS)}); hard limits cannot be overridden")
        if not str(reason).strip():
            raise InputError("override reason", reason, "a reason for setting the limit aside")


def _limits(req: PlanRequest, product: Product, ind, proto: Protocol, kg: float) -> list[Limit]:
    conc, res = product.concentration_mg_per_ml, req.pump_resolution_ml_h
    over = dict(req.overrides)

    def cap(mg: float, exclusive: bool = False) -> float:
        raw = ml_h(mg, kg, conc)
        return below(raw, res) if exclusive else round_down(raw, res)

    src = "; ".join(ind.sources)
    out = [Limit("label-max", True, cap(ind.max_mg_kg_min), ind.max_as_written, f"label: {src}")]
    if req.at_risk:
        if ind.at_risk_max_mg_kg_min is not None:
            if req.at_risk_cap_mg_kg_min is not None and req.at_risk_cap_mg_kg_min > ind.at_risk_max_mg_kg_min + 1e-9:
                raise InputError("--at-risk-cap", req.at_risk_cap_mg_kg_min,
                                 f"at most the label's at-risk cap of {ind.at_risk_as_written}")
            mg = req.at_risk_cap_mg_kg_min or ind.at_risk_max_mg_kg_min
            written = f"{mg:g} mg/kg/min" if req.at_risk_cap_mg_kg_min else ind.at_risk_as_written
            excl = ind.at_risk_exclusive and not req.at_risk_cap_mg_kg_min
            who = "prescriber's cap" if req.at_risk_cap_mg_kg_min else "label"
            out.append(Limit("at-risk", True, cap(mg, excl), ("< " if excl else "") + written, f"{who}: {src}"))
        elif req.at_risk_cap_mg_kg_min is None:
            raise NeedsInput(
                "--at-risk-cap",
                f"the {product.name} label gives no number for patients at risk of renal dysfunction or "
                f"thrombosis ('minimum rate practicable'); give the prescriber's cap in mg/kg/min",
            )
        else:
            if req.at_risk_cap_mg_kg_min > ind.max_mg_kg_min:
                raise InputError("--at-risk-cap", req.at_risk_cap_mg_kg_min, f"at most the label maximum {ind.max_as_written}")
            out.append(Limit("at-risk", True, cap(req.at_risk_cap_mg_kg_min), f"{req.at_risk_cap_mg_kg_min:g} mg/kg/min",
                             "prescriber's cap (the label says only 'minimum rate practicable')"))
    if req.first_infusion and proto.first_infusion_max is not None:
        mg = proto.first_infusion_max.mg_kg_min(conc)
        out.append(Limit("first-infusion", False, cap(mg), str(proto.first_infusion_max),
                         f"protocol {proto.id}: {'; '.join(proto.sources[:1])}", over.get("first-infusion")))
    if req.max_ml_h is not None:
        out.append(Limit("unit-cap", False, round_down(req.max_ml_h, res), f"{req.max_ml_h:g} mL/h",
                         "unit's maximum pump rate (local setting)", over.get("unit-cap")))
    if req.tolerated_max_mg_kg_min is not None:
        out.append(Limit("tolerated-max", False, cap(req.tolerated_max_mg_kg_min), f"{req.tolerated_max_mg_kg_min:g} mg/kg/min",
                         "patient's previously tolerated maximum (history)", over.get("tolerated-max")))
    return out


# A limit named in an error, so it says which value took the rate to nothing (issue 11).
LIMIT_NAMES = {"at-risk": "at-risk cap", "tolerated-max": "previously tolerated maximum",
               "first-infusion": "first-infusion maximum", "label-max": "label maximum"}


def _rungs(targets, limits: list[Limit], kg: float, conc: float, res: float) -> tuple[Rung, ...]:
    applied = [l for l in limits if not l.overridden]
    rungs: list[Rung] = []
    for mg, minutes in targets:
        rate = round_down(ml_h(mg, kg, conc), res)
        limited = None
        for l in applied:
            if l.cap_ml_h < rate - 1e-9:
                rate, limited = l.cap_ml_h, l.name
        if rate <= 0 and limited == "unit-cap":  # a pump cap below one pump step: the cap is the slip
            raise InputError("--max-ml-h", next(l.as_written for l in limits if l.name == limited),
                             f"a cap of at least one pump step ({res:g} mL/h): it rounds down to 0 mL/h")
        if rate <= 0:  # a rate in mg/kg/min too small for this pump at this weight
            what = f"the {LIMIT_NAMES[limited]} {next(l.as_written for l in limits if l.name == limited)}" \
                if limited in LIMIT_NAMES else f"{mg:g} mg/kg/min"
            raise InputError("--pump-resolution", res, f"a finer resolution: {what} at {kg:g} kg rounds down to 0 mL/h")
        rung = Rung(rate, mg_kg_min_from_ml_h(rate, kg, conc), mg, minutes, limited)
        if rungs and abs(rungs[-1].rate_ml_h - rate) < 1e-9:
            prev = rungs[-1]
            merged = None if prev.minutes is None or minutes is None else prev.minutes + minutes
            rungs[-1] = replace(prev, minutes=merged, target_mg_kg_min=mg, limited_by=limited or prev.limited_by)
        else:
            rungs.append(rung)
    last = rungs[-1]
    rungs[-1] = replace(last, minutes=None)
    # A lower cap can leave later rungs below earlier ones only if a ladder falls; they never do.
    return tuple(rungs)


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
    dw = dosing_weight(Patient(req.weight_kg, req.height_cm, req.sex), req.dosing_weight)
    rate_kg = min(dw.kg, req.weight_kg)
    dose = compute_dose(dw.kg, req.dose_g_per_kg, conc, product.vial_sizes_g, req.round_dose)
    limits = _limits(req, product, ind, proto, rate_kg)
    targets = proto.ladder.targets(conc, ind.initial_mg_kg_min, ind.initial_minutes, ind.max_mg_kg_min)
    rungs = _rungs(targets, limits, rate_kg, conc, req.pump_resolution_ml_h)
    notes = []
    if proto.is_local:
        notes.append(f"LOCAL protocol {proto.id}: the label gives no step sizes ({', '.join(ind.unconfirmed) or 'see protocol'} unconfirmed).")
    if req.restart_at_initial:
        notes.append(f"Starts at the initial rate: {req.restart_at_initial} (ref 2.1).")
    for l in limits:
        if l.overridden:
            notes.append(f"Soft limit {l.name} ({l.as_written}) set aside: {l.overridden}")
    plan = Plan(
        request=req, product_name=product.name, protocol_id=proto.id, protocol_name=proto.name,
        protocol_kind=proto.kind, concentration_mg_per_ml=conc, dosing=dw, rate_weight_kg=rate_kg, dose=dose,
        limits=tuple(limits), rungs=rungs, steps=(), notes=tuple(notes),
        sources=tuple(ind.sources) + tuple(s for s in proto.sources if proto.kind != "label"),
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
        lines.append(f"Rate weight: {kg:g} kg (the lower of actual and dosing weight, so no per-kg maximum is exceeded).")
    lines.append(f"Dose: {r.dose_g_per_kg:g} g/kg x {dw.kg:g} kg = {d.prescribed_g:.2f} g.")
    if d.rounded:
        lines.append(f"Dose {d.rounded}.")
    lines.append(f"Volume: {d.dose_g:g} g x 1000 / {conc:g} mg/mL = {d.volume_ml:.1f} mL.")
    if d.vials:
        lines.append("Vials: " + " + ".join(f"{n} x {s:g} g" for s, n in d.vials) + f" = {d.vials_total_g:g} g.")
    lines.append(f"Rate: mL/h = mg/kg/min x {kg:g} kg x 60 / {conc:g} mg/mL, rounded down to {r.pump_resolution_ml_h:g} mL/h.")
    for i, g in enumerate(plan.rungs, 1):
        raw = ml_h(g.target_mg_kg_min, kg, conc)
        cap = f", capped by {g.limited_by}" if g.limited_by else ""
        lines.append(f"  Step {i}: {g.target_mg_kg_min:.3g} mg/kg/min x {kg:g} x 60 / {conc:g} = {raw:.2f} -> {g.rate_ml_h:g} mL/h{cap}.")
    for l in plan.limits:
        kind = "hard" if l.hard else "soft"
        state = f" (set aside: {l.overridden})" if l.overridden else ""
        lines.append(f"Limit {l.name} ({kind}): {l.as_written} = at most {l.cap_ml_h:g} mL/h{state}. Source: {l.source}")
    lines.append(f"Total: {plan.volume_ml:.1f} mL in {plan.duration_min:.1f} min ({fmt_hm(plan.duration_min)}).")
    return lines + list(plan.notes)


def fmt_hm(minutes: float) -> str:
    m = int(round(minutes))
    return f"{m // 60} h {m % 60:02d} min"


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
            {"name": l.name, "hard": l.hard, "max_ml_h": l.cap_ml_h, "as_written": l.as_written,
             "source": l.source, "overridden": l.overridden}
            for l in plan.limits
        ],
        "notes": list(plan.notes),
        "arithmetic": plan.arithmetic(),
    }
