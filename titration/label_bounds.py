"""Bounds no IVIg label goes beyond: a library figure outside them is damage, refused on load.

They are not the limits a plan keeps (those are each label's own, in resources/products.toml);
they catch a figure no label could have given ("80 mg/kg/min", a step of 1 minute). Each bound
is the extreme of the labels it names, so a correct figure from any of them always passes.
A product whose label goes further needs its bound (and its source) changed here, deliberately.
"""
from __future__ import annotations

from .units import Rate

# The highest label maximum: Panzyga 10%, PI, 14 mg/kg/min (0.14 mL/kg/min). Panzyga US prescribing
# information, dosage table (rxreasoner.com/monographs/panzyga/usage; prescriberpoint.com/therapies/
# panzyga-e2cc5dd). Octagam 10% ITP (12, octagamusa.com/octagam10/usage/) and Gammagard Liquid MMN
# (9, gammagard.com/hcp/mmn/dosing-administration) come next.
MAX_MG_KG_MIN = 14.0
MAX_SOURCE = "the highest maximum of any IVIg label (Panzyga PI, 14 mg/kg/min: rxreasoner.com/monographs/panzyga)"

# The highest initial rate: Gamunex-C, CIDP, 2 mg/kg/min (0.02 mL/kg/min) for the first 30 min
# (Gamunex-C infusion rate chart, studyres.com/doc/5246419/gamunex-c-infusion-rate-chart). Every
# other label starts at 0.5 to 1 mg/kg/min.
INITIAL_MG_KG_MIN = 2.0
INITIAL_SOURCE = "the highest initial rate of any IVIg label (Gamunex-C CIDP, 2 mg/kg/min: gamunex-c rate chart)"

# The highest numeric cap for patients at risk of renal dysfunction or thrombosis: Octagam 5%,
# "less than 0.07 mL/kg/min [3.3 mg/kg/min]" (octagamusa.com/octagam5/usage-and-support/), which is
# 3.5 mg/kg/min written in mL/kg/min at 50 mg/mL; Octagam 10% (pfizerpro.com octagam-10 dosing) and
# Panzyga (panzygausa.com/citp/dosing-infusion) say 3.3 mg/kg/min.
AT_RISK_MG_KG_MIN = 3.5
AT_RISK_SOURCE = "the highest at-risk cap of any IVIg label (Octagam 5%, < 0.07 mL/kg/min: octagamusa.com)"

# The shortest time at the initial rate: Bivigam, 10 minutes
# (bivigam.com/healthcare-professionals/dosing-and-administration). Others: 15 or 30 minutes.
FIRST_MINUTES = 10.0
FIRST_SOURCE = "the shortest time at the initial rate of any IVIg label (Bivigam, 10 min: bivigam.com)"

# The shortest interval between increases: every 15 minutes (Gammaplex, gammaplex.com/
# gammaplex-5-percent-dosing; Asceniv, asceniv.com/clinical-dosing.html; Panzyga "every 15-30 min",
# panzygausa.com/citp/dosing-infusion). Bivigam: 20, Octagam and Gammagard Liquid: 30.
STEP_MINUTES = 15.0
STEP_SOURCE = "the shortest interval between increases of any IVIg label (every 15 min: Gammaplex, Asceniv, Panzyga)"

# Every intravenous immunoglobulin the library holds is a 5% or a 10% solution (each product's label,
# cited in products.toml). A concentration decides every mL/h: 50 written for a 10% product doubles
# the pump rates, so a figure outside 50-100 mg/mL is refused until its label is added here.
CONCENTRATIONS_MG_PER_ML = (50.0, 100.0)


def check_rate(t, key: str, rate: Rate | None, conc: float, bound: float, source: str) -> None:
    """Refuse a rate above a bound (mg/kg/min at this concentration), naming the bound's source."""
    if rate is not None and rate.mg_kg_min(conc) > bound + 1e-9:
        mg = rate.mg_kg_min(conc)
        shown = f"{rate}" if rate.unit == "mg/kg/min" else f"{rate} ({mg:.3g} mg/kg/min)"
        raise t.fail(key, f"{shown} is above {bound:g} mg/kg/min, {source}")


def check_minutes(t, key: str, minutes: float | None, least: float, why: str) -> None:
    """Refuse an interval shorter than `least` minutes."""
    if minutes is not None and minutes < least - 1e-9:
        raise t.fail(key, f"{minutes:g} min is shorter than {least:g} min, {why}")


def first_minutes(ladder, initial_minutes: float | None) -> float:
    """How long a ladder holds its first step (as Ladder.targets works it out)."""
    start = initial_minutes if ladder.rule == "double" else None
    return ladder.first_minutes or start or ladder.step_minutes


def check_ladder(t, ladder, conc: float) -> None:
    """A ladder on its own: intervals and rates within what any label gives."""
    check_minutes(t, "step_minutes", ladder.step_minutes, STEP_MINUTES, STEP_SOURCE)
    check_minutes(t, "first_minutes", ladder.first_minutes, FIRST_MINUTES, FIRST_SOURCE)
    for i, r in enumerate(ladder.rates):
        check_rate(t, f"rates[{i}]", r, conc, INITIAL_MG_KG_MIN if i == 0 else MAX_MG_KG_MIN,
                   INITIAL_SOURCE if i == 0 else MAX_SOURCE)
    check_rate(t, "start", ladder.start, conc, INITIAL_MG_KG_MIN, INITIAL_SOURCE)
    check_rate(t, "increment", ladder.increment, conc, MAX_MG_KG_MIN, MAX_SOURCE)


def check_pace(t, ladder, ind, what: str) -> None:
    """A ladder an indication uses climbs no faster than that indication's label."""
    if ind.step_minutes is not None and ladder.step_minutes < ind.step_minutes - 1e-9:
        raise t.fail("step_minutes" if what == "label_ladder" else "ladder",
                     f"{what} steps every {ladder.step_minutes:g} min, faster than the label's "
                     f"{ind.step_minutes:g} min")
    first = first_minutes(ladder, ind.initial_minutes)
    if ind.initial_minutes is not None and first < ind.initial_minutes - 1e-9:
        raise t.fail("first_minutes" if what == "label_ladder" else "ladder",
                     f"{what} holds the initial rate {first:g} min, shorter than the label's "
                     f"{ind.initial_minutes:g} min")


def check_indication(t, ind, conc: float, protocols: dict) -> None:
    """An indication's label figures within the bounds above, and its ladder no faster than it."""
    for key, value, bound, source in (("initial", ind.initial_mg_kg_min, INITIAL_MG_KG_MIN, INITIAL_SOURCE),
                                      ("max", ind.max_mg_kg_min, MAX_MG_KG_MIN, MAX_SOURCE),
                                      ("at_risk_max", ind.at_risk_max_mg_kg_min, AT_RISK_MG_KG_MIN, AT_RISK_SOURCE)):
        if value is not None and value > bound + 1e-9:
            written = {"initial": ind.initial_as_written, "max": ind.max_as_written,
                       "at_risk_max": ind.at_risk_as_written}[key]
            shown = written if written.endswith("mg/kg/min") else f"{written} ({value:.3g} mg/kg/min)"
            raise t.fail(key, f"{shown} is above {bound:g} mg/kg/min, {source}")
    check_minutes(t, "initial_minutes", ind.initial_minutes, FIRST_MINUTES, FIRST_SOURCE)
    check_minutes(t, "step_minutes", ind.step_minutes, STEP_MINUTES, STEP_SOURCE)
    if ind.label_ladder is not None:
        lt = t.table("label_ladder")
        check_ladder(lt, ind.label_ladder, conc)
        check_pace(lt, ind.label_ladder, ind, "label_ladder")
    elif ind.ladder in protocols:
        check_pace(t, protocols[ind.ladder].ladder, ind, f"protocol {ind.ladder}")
