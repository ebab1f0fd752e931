"""Checks on a prescription before it is planned: soft limits with the label's (or the indication's)
own words, refused without a recorded reason (--override NAME=REASON), noted in the plan with one."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import InputError

if TYPE_CHECKING:
    from .plan import PlanRequest


def check_population(req: PlanRequest, product, ind) -> str:
    """A product labelled for a population (adults; 12 years and over): planning for a younger patient is a
    soft limit, refused without a recorded reason, in the label's own words. Returns the note, or ''."""
    reason = dict(req.overrides).get("population")
    below = ind.min_age_years is not None and req.age_years is not None and req.age_years < ind.min_age_years
    if not below:
        if reason:  # nothing to set aside: a slip, never ignored
            raise InputError("--override", "population", "an override only for a patient outside the label's "
                             "population (give --age-years)")
        return ""
    words = f"{product.name} ({req.indication}): the label covers '{ind.population_words}'"
    if not reason:
        raise InputError("--age-years", req.age_years, f"a patient of at least {ind.min_age_years:g} years: {words}; "
                         f"record a reason with --override population=REASON to plan outside it")
    return f"Soft limit population set aside: {words}; this patient is {req.age_years:g} years. Reason: {reason}."


def check_single_dose(req: PlanRequest) -> str:
    """A single infusion above the indication's usual one is a soft limit: refused without a recorded
    reason (the course split is offered); with a reason, a note. Returns the note, or ''."""
    from .dosing import offered_split
    from .products import load_usual_doses

    usual = load_usual_doses().get(req.indication)
    if usual is None or req.dose_g_per_kg <= usual.single_g_per_kg + 1e-9:
        if "single-dose" in dict(req.overrides):  # nothing to set aside: a slip, never ignored
            within = "no usual single dose is recorded for this indication" if usual is None else \
                f"{req.dose_g_per_kg:g} g/kg is within the usual single infusion of {usual.single_g_per_kg:g} g/kg"
            raise InputError("--override", "single-dose", f"an override only for a dose above the usual ({within})")
        return ""
    split = offered_split(req.dose_g_per_kg, usual.single_g_per_kg)
    offer = f"{len(split)} infusions of {split[0]:.2g} g/kg on consecutive days"
    reason = dict(req.overrides).get("single-dose")
    if not reason:
        raise InputError("--dose-g-per-kg", req.dose_g_per_kg,
                         f"at most the usual single infusion of {usual.single_g_per_kg:g} g/kg for {req.indication} "
                         f"({usual.source}); split the course ({offer}), or record a reason with "
                         f"--override single-dose=REASON")
    return (f"Soft limit single-dose ({usual.single_g_per_kg:g} g/kg in one infusion) set aside: {reason}. "
            f"The usual course split would be {offer}.")
