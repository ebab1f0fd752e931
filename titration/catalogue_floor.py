"""What no symptom catalogue may lower: the signs the sources call an emergency are always severe.

This floor lives here, not in resources/symptoms.toml, so that a damaged or carelessly edited
catalogue cannot lower it: the catalogue is refused on load instead. Raising a grade, adding a
sign or adding a rule is always allowed. Each entry names its source.
"""
from __future__ import annotations

from .bands import NEW_OXYGEN
from .errors import DataError
from .reactions import grade_index
from .vitals import VITAL_FIELDS

SEVERE = "severe"

# Symptoms that stop the infusion on their own (catalogue id: source).
EMERGENCY_SYMPTOMS = {
    "angioedema": "NHS Borders, Normal Human Immunoglobulin guideline (G), severe reactions: angioedema; "
                  "WAO Anaphylaxis Guidance 2020 (G): swelling of lips, tongue or uvula",
    "stridor": "WAO Anaphylaxis Guidance 2020 (G), criterion 2: laryngeal involvement after exposure is anaphylaxis",
    "wheeze": "NHS Borders (G), severe reactions: severe dyspnoea or wheeze; WAO 2020 (G), criterion 2: bronchospasm",
    "severe-dyspnoea": "NHS Borders (G), severe reactions: severe dyspnoea (anaphylaxis, TRALI)",
    "collapse": "WAO 2020 (G), criterion 1: reduced blood pressure or end-organ dysfunction (collapse, syncope); "
                "NHS Borders (G): severe hypotension",
    "chest-pain": "US IVIG labels, patient counselling (17.2), e.g. Bivigam prescribing information "
                  "(prescriberpoint.com/therapies/bivigam-a2244aa): report acute chest pain at once (thrombosis); "
                  "NHS Borders (G): TRALI is severe",
    "one-sided-weakness": "US IVIG labels' boxed warning (thrombosis) and patient counselling (17.2, Bivigam "
                          "prescribing information): numbness or weakness on one side of the body",
    "speech-difficulty": "US IVIG labels' boxed warning: thrombosis, stroke among the events; a stroke sign "
                         "(the safer reading)",
    "painful-swollen-limb": "US IVIG labels, patient counselling (17.2, Bivigam prescribing information): pain "
                            "and/or swelling of an arm or leg with warmth (thrombosis)",
}

# Combination rules that are anaphylaxis by its criteria: always severe (criterion id: source).
EMERGENCY_CRITERIA = {
    "anaphylaxis-skin": "WAO 2020 criterion 1; NIAID/FAAN 2006 criterion 1 (G): anaphylaxis",
    "anaphylaxis-hypotension": "WAO 2020 criterion 2; NIAID/FAAN 2006 criterion 3 (G): anaphylaxis",
    "anaphylaxis-airway": "WAO 2020 criterion 2 (G): bronchospasm or laryngeal involvement after exposure",
    "anaphylaxis-respiratory-gut": "NIAID/FAAN 2006 criterion 2 (G): two organ systems after exposure",
}

# The shortest time window each combination rule may have (hours after the end of the infusion): the
# shortest its sources give. A catalogue may make a window longer, never shorter (criterion id: hours, source).
MIN_WINDOW_HOURS = {
    **{cid: (6.0, "NHS Borders (G): acute reactions during the infusion or within six hours after; WAO 2020 (G): "
                  "'minutes to several hours' after exposure") for cid in EMERGENCY_CRITERIA},
    "trali": (6.0, "TRALI definition, Canadian Consensus Conference 2004 (G): during or within 6 h"),
    "circulatory-overload": (6.0, "TACO definition, ISBT 2011 (G): within 6 h (12 h in the 2018 revision)"),
    "aseptic-meningitis": (12.0, "Heart Transplant Protocol (G): during or 10-12 h after (up to seven days: "
                                 "Jolles & Hill, BMJ 1998)"),
}

# Adult readings some vitals rule must grade severe: (what, values as the catalogue sees them, source).
EMERGENCY_VITALS = (
    ("systolic 89 mmHg", {"sbp": 89.0},
     "WAO 2020 (G): hypotension in adults is systolic < 90 mmHg; after exposure, alone, it is anaphylaxis"),
    ("systolic 110 mmHg from a baseline of 160 (a fall of 31 %)",
     {"sbp": 110.0, "sbp_fall": 50.0, "sbp_fall_pct": 31.25},
     "WAO 2020 (G): a fall of more than 30 % from baseline is hypotension"),
)

# How far a derived value can go (a vital sign's own range is in vitals.VITAL_FIELDS).
DERIVED_RANGES = {"temp_rise_c": (-14.0, 14.0), "sbp_fall": (-220.0, 220.0), "sbp_fall_pct": (-100.0, 100.0),
                  "sbp_rise": (-260.0, 260.0), "pulse_rise": (-250.0, 250.0), NEW_OXYGEN: (0.0, 1.0)}


def _range(field: str) -> tuple[float, float]:
    return DERIVED_RANGES[field] if field in DERIVED_RANGES else VITAL_FIELDS[field][2]


def check_floor(cat, path: str) -> None:
    """Refuse a catalogue that grades an emergency sign below severe, leaves one out, or holds a
    threshold no reading can reach (a rule or band that can never hold, or always holds)."""
    ids = list(cat.symptoms)
    for sid, source in EMERGENCY_SYMPTOMS.items():
        if sid not in cat.symptoms:
            raise DataError(path, "symptom", f"has no {sid!r}: a sign the sources call an emergency must stay "
                                             f"in the catalogue, graded severe ({source})")
        grade = cat.symptoms[sid].grade
        if grade_index(grade) < grade_index(SEVERE):
            raise DataError(path, f"symptom[{ids.index(sid)}].grade",
                            f"{grade!r} for {sid} is below severe: a sign the sources call an emergency "
                            f"always stops the infusion ({source})")
    crit = [c.id for c in cat.criteria]
    for cid, source in EMERGENCY_CRITERIA.items():
        if cid not in crit:
            raise DataError(path, "criteria", f"has no {cid!r}: anaphylaxis by its criteria must stay in the "
                                              f"catalogue, graded severe ({source})")
        c = cat.criteria[crit.index(cid)]
        if grade_index(c.grade) < grade_index(SEVERE):
            raise DataError(path, f"criteria[{crit.index(cid)}].grade",
                            f"{c.grade!r} for {cid} is below severe: anaphylaxis always stops the infusion ({source})")
    for i, c in enumerate(cat.criteria):
        least, source = MIN_WINDOW_HOURS.get(c.id, (0.0, ""))
        if c.window_hours is not None and c.window_hours < least:
            raise DataError(path, f"criteria[{i}].window_hours",
                            f"{c.window_hours:g} h for {c.id} is shorter than its sources allow: at least {least:g} h "
                            f"after the end of the infusion ({source})")
    for i, rule in enumerate(cat.rules):
        for j, (field, _op, value) in enumerate(rule.when):
            lo, hi = _range(field)
            if not lo <= value <= hi:
                raise DataError(path, f"vitals[{i}].when[{j}]",
                                f"{field} {value:g} is outside what a reading can be ({lo:g} to {hi:g})")
    for i, band in enumerate(cat.child_bands):
        lo, hi = _range(band.field)
        for age in (band.age_from, band.age_to):
            if not lo <= band.limit(age) <= hi:
                raise DataError(path, f"paediatric[{i}].value",
                                f"{band.field} {band.limit(age):g} at {age:g} years is outside what a reading can be "
                                f"({lo:g} to {hi:g})")
    for what, values, source in EMERGENCY_VITALS:
        held = [(i, r) for i, r in enumerate(cat.rules) if r.holds(values)]
        top = max(held, key=lambda ir: grade_index(ir[1].grade), default=None)
        if top is None:
            raise DataError(path, "vitals", f"no rule grades an adult's {what} severe ({source})")
        if grade_index(top[1].grade) < grade_index(SEVERE):
            raise DataError(path, f"vitals[{top[0]}].grade",
                            f"{top[1].grade!r}: an adult's {what} must grade severe ({source})")
