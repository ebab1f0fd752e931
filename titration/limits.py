"""The limits a plan keeps, and the ladder in pump units under them.

Hard limits (the label maximum, the label's initial rate for the first step, the label's numeric
at-risk cap or the prescriber's) cannot be overridden; soft limits (first-infusion maximum, a
unit's mL/h cap, a previously tolerated maximum) can, with a recorded reason. Pump rates are
rounded DOWN; a limit is checked after rounding. No step climbs faster than the label allows.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from .errors import InputError, NeedsInput
from .products import Product
from .protocols import Protocol
from .units import below, mg_kg_min_from_ml_h, ml_h, round_down

SOFT_LIMITS = ("first-infusion", "unit-cap", "tolerated-max", "single-dose", "population")
# each soft limit in the nurse's words (the new-infusion form's tick boxes: "Set aside: ...")
SOFT_LIMIT_WORDS = {"first-infusion": "first-infusion maximum", "unit-cap": "unit's pump maximum",
                    "tolerated-max": "tolerated maximum", "single-dose": "usual single-infusion dose",
                    "population": "the label's population (age)"}
HARD_LIMITS = ("label-max", "guideline-max", "at-risk", "label-initial")  # guideline-max: max_from = "guideline"


@dataclass(frozen=True, slots=True)
class Limit:
    name: str
    hard: bool
    cap_ml_h: float  # the highest pump setting this limit allows (after rounding down)
    as_written: str
    source: str
    overridden: str | None = None  # the recorded reason, for a soft limit set aside
    first_step_only: bool = False  # the label's initial rate: a limit of the first step only


@dataclass(frozen=True, slots=True)
class Rung:
    """One rate of the ladder in pump units, after caps, rounding and merging."""

    rate_ml_h: float
    rate_mg_kg_min: float  # what the rounded pump rate delivers
    target_mg_kg_min: float  # what the ladder asked for
    minutes: float | None  # None: runs until the volume is in
    limited_by: str | None


def limits_for(req, product: Product, ind, proto: Protocol, kg: float) -> list[Limit]:
    conc, res = product.concentration_mg_per_ml, req.pump_resolution_ml_h
    over = dict(req.overrides)

    def cap(mg: float, exclusive: bool = False) -> float:
        raw = ml_h(mg, kg, conc)
        return below(raw, res) if exclusive else round_down(raw, res)

    src = "; ".join(ind.sources)
    whose = "guideline" if ind.max_from == "guideline" else "label"  # a guideline's maximum is named as such
    written = ind.max_as_written + (" (guideline)" if whose == "guideline" else "")
    initial_from = ind.initial_source or ind.sources[0]
    initial_words = "the label's initial rate" + (", from its page for another indication" if ind.initial_source
                                                  else "")
    out = [Limit(f"{whose}-max", True, cap(ind.max_mg_kg_min), written, f"{whose}: {src}"),
           Limit("label-initial", True, cap(ind.initial_mg_kg_min), ind.initial_as_written,
                 f"{initial_words}, a hard limit of the first step ({initial_from})", first_step_only=True)]
    if req.at_risk:
        if ind.at_risk_ceiling_only:  # another indication's figure: the prescriber sets the cap, at most that
            out.append(_ceiling_only_cap(req, product, ind, cap))
        elif ind.at_risk_max_mg_kg_min is not None:
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
                raise InputError("--at-risk-cap", req.at_risk_cap_mg_kg_min,
                                 f"at most the label maximum {ind.max_as_written}")
            out.append(Limit("at-risk", True, cap(req.at_risk_cap_mg_kg_min),
                             f"{req.at_risk_cap_mg_kg_min:g} mg/kg/min",
                             "prescriber's cap (the label says only 'minimum rate practicable')"))
    if req.first_infusion and proto.first_infusion_max is not None:
        mg = proto.first_infusion_max.mg_kg_min(conc)
        out.append(Limit("first-infusion", False, cap(mg), str(proto.first_infusion_max),
                         f"protocol {proto.id}: {'; '.join(proto.sources[:1])}", over.get("first-infusion")))
    weeks = ind.first_infusion_max_after_weeks
    long_gap = weeks is not None and req.weeks_since_last is not None and req.weeks_since_last > weeks
    if (req.first_infusion or long_gap) and ind.first_infusion_max_mg_kg_min is not None:
        who = "first infusions" if req.first_infusion else f"more than {weeks:g} weeks since the last dose"
        out.append(Limit("first-infusion", False, cap(ind.first_infusion_max_mg_kg_min),
                         ind.first_infusion_max_as_written,
                         f"label, {who}: '{ind.first_infusion_words}' ({src})", over.get("first-infusion")))
    if req.max_ml_h is not None:
        out.append(Limit("unit-cap", False, round_down(req.max_ml_h, res), f"{req.max_ml_h:g} mL/h",
                         "unit's maximum pump rate (local setting)", over.get("unit-cap")))
    if req.tolerated_max_mg_kg_min is not None:
        out.append(Limit("tolerated-max", False, cap(req.tolerated_max_mg_kg_min),
                         f"{req.tolerated_max_mg_kg_min:g} mg/kg/min",
                         "patient's previously tolerated maximum (history)", over.get("tolerated-max")))
    return out


def _ceiling_only_cap(req, product, ind, cap) -> Limit:
    """An at-risk figure that is a ceiling, never a target to climb to: printed on another indication's
    page, or the label's own "less than" beside "minimum rate practicable". The prescriber's cap is asked
    for; the figure is its ceiling (a "less than" figure excludes itself)."""
    below = "below" if ind.at_risk_exclusive else "at most"
    where = {"other-indication": "a figure from another indication's page",
             "compendium": f"a compendium's figure, not the current label's: '{ind.at_risk_words}'"}.get(
        ind.at_risk_from, f"the label's '{ind.at_risk_words}'")
    if req.at_risk_cap_mg_kg_min is None:
        raise NeedsInput(
            "--at-risk-cap",
            f"the {product.name} label for this indication says 'minimum rate practicable' for patients at "
            f"risk of renal dysfunction or thrombosis; give the prescriber's cap in mg/kg/min ({below} "
            f"{ind.at_risk_as_written}, {where}: a ceiling, not a target)")
    mg, ceiling = req.at_risk_cap_mg_kg_min, ind.at_risk_max_mg_kg_min
    if mg > ceiling + 1e-9 or (ind.at_risk_exclusive and mg >= ceiling - 1e-9):
        what = {"other-indication": "the figure on another indication's page is a ceiling",
                "compendium": "the compendium's figure is a ceiling"}.get(ind.at_risk_from,
                                                                          "the label's figure is a ceiling")
        raise InputError("--at-risk-cap", mg, f"{below} {ind.at_risk_as_written} ({what})")
    return Limit("at-risk", True, cap(mg), f"{mg:g} mg/kg/min",
                 f"prescriber's cap (the label says 'minimum rate practicable'; {below} {ind.at_risk_as_written}, "
                 f"{where}: {'; '.join(ind.sources)})")


# A limit named in an error, so it says which value took the rate to nothing.
LIMIT_NAMES = {"at-risk": "at-risk cap", "tolerated-max": "previously tolerated maximum",
               "first-infusion": "first-infusion maximum", "label-max": "label maximum",
               "guideline-max": "guideline maximum"}


def rungs_for(targets, limits: list[Limit], kg: float, conc: float, res: float,
              ladder_kg: float | None = None) -> tuple[Rung, ...]:
    """The ladder in mL/h under the limits. `ladder_kg`: the weight the ladder's rates are read at
    (a printed weight table's column); caps are always at the rate weight `kg`."""
    applied = [lim for lim in limits if not lim.overridden]
    rungs: list[Rung] = []
    for i, (mg, minutes) in enumerate(targets):
        rate = round_down(ml_h(mg, ladder_kg or kg, conc), res)
        limited = None
        for lim in applied:
            if lim.first_step_only and i > 0:
                continue
            if lim.cap_ml_h < rate - 1e-9:
                rate, limited = lim.cap_ml_h, lim.name
        if rate <= 0 and limited == "unit-cap":  # a pump cap below one pump step: the cap is the slip
            raise InputError("--max-ml-h", next(lim.as_written for lim in limits if lim.name == limited),
                             f"a cap of at least one pump step ({res:g} mL/h): it rounds down to 0 mL/h")
        if rate <= 0:  # a rate in mg/kg/min too small for this pump at this weight: say which cap met it
            what = f"the {LIMIT_NAMES[limited]} {next(lim.as_written for lim in limits if lim.name == limited)}" \
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




def label_pace(targets, ind, label_targets=None) -> tuple[list[tuple[float, float | None]], list[str]]:
    """No step climbs faster than the label: the first step lasts at least the label's time at the
    initial rate, each later one at least the label's interval; where the label gives its whole
    ladder (`label_targets`), no step starts above the label's own rate at that minute.
    Returns the targets and what changed."""
    out, notes = [], []
    t = 0.0
    held_top = None
    for i, (mg, minutes) in enumerate(targets):
        least = ind.initial_minutes if i == 0 else ind.step_minutes
        if minutes is not None and least is not None and minutes < least - 1e-9:
            notes.append(f"Step {i + 1} lengthened from {minutes:g} to {least:g} min: "
                         f"the label allows no faster climb.")
            minutes = least
        if label_targets:
            allowed = label_rate_at(label_targets, t)
            if mg > allowed + 1e-9:
                notes.append(f"Step {i + 1} held to {allowed:.3g} mg/kg/min (not {mg:.3g}): the label's own ladder "
                             f"is at {allowed:.3g} mg/kg/min {t:g} min after the start.")
                held_top = mg if minutes is None else None
                mg = allowed
        out.append((mg, minutes))
        if minutes is not None:
            t += minutes
    if held_top is not None:  # the last step was held: climb on with the label's own later steps
        start = t
        for s_start, s_mg in label_steps(label_targets):
            if s_start <= start + 1e-9 or s_mg <= out[-1][0] + 1e-9:
                continue
            at = max(s_start, start + (ind.step_minutes or 0.0))  # never sooner than the label's interval
            out[-1] = (out[-1][0], at - start)
            out.append((min(s_mg, held_top), None))
            start = at
            if s_mg >= held_top - 1e-9:
                break
    return out, notes


def label_steps(label_targets) -> list[tuple[float, float]]:
    """(start minute, mg/kg/min) of each step of the label's own ladder."""
    out, start = [], 0.0
    for mg, minutes in label_targets:
        out.append((start, mg))
        if minutes is None:
            break
        start += minutes
    return out


def label_rate_at(label_targets, t: float) -> float:
    """The label ladder's rate (mg/kg/min) at minute t, stepping up on time as tolerated."""
    start, rate = 0.0, label_targets[0][0]
    for mg, minutes in label_targets:
        if start > t + 1e-9:
            break
        rate = mg
        if minutes is None:
            break
        start += minutes
    return rate
