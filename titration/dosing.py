"""Dosing weight, dose, volume, vials and course split (clinical-reference section 4)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations_with_replacement

from .errors import InputError

CM_PER_INCH = 1 / 0.393701  # ref 4.1: 1 cm = 0.393701 in
DEVINE_MIN_HEIGHT_CM = 152.4  # 60 in: Devine is defined from 5 ft (Ontario uses the same threshold)
METHODS = ("actual", "ideal", "adjusted", "auto")
SOURCE_IBW = "Devine IBW, nba.gov.au BloodSTAR calculator (G), ref 4.1"
SOURCE_DDW = "DDW = IBW + 0.4 x (actual - IBW), nba.gov.au BloodSTAR (G), ref 4.1"
# Rounding to whole vials (ASCIA, Ontario: ref 4.2) is a convenience; more than this change to the
# prescribed dose is a different prescription, so the dose is kept (a local rule, not a guideline's).
MAX_VIAL_ROUNDING = 0.10


@dataclass(frozen=True, slots=True)
class Patient:
    weight_kg: float
    height_cm: float | None = None
    sex: str | None = None  # "female" | "male"

    @property
    def bmi(self) -> float | None:
        if self.height_cm is None:
            return None
        return self.weight_kg / (self.height_cm / 100) ** 2


@dataclass(frozen=True, slots=True)
class DosingWeight:
    kg: float
    method: str  # actual | ideal | adjusted
    reason: str
    ideal_kg: float | None = None
    bmi: float | None = None


def ideal_body_weight(height_cm: float, sex: str) -> float:
    """Devine: male 50 + 2.3 x (in - 60); female 45.5 + 2.3 x (in - 60)."""
    if sex not in ("female", "male"):
        raise InputError("--sex", sex, "female or male")
    if height_cm < DEVINE_MIN_HEIGHT_CM:
        raise InputError("--height-cm", height_cm,
                         f"at least {DEVINE_MIN_HEIGHT_CM} cm for an ideal weight (Devine starts at 60 in)")
    inches = height_cm * 0.393701
    return (50.0 if sex == "male" else 45.5) + 2.3 * (inches - 60)


def dosing_weight(p: Patient, method: str = "actual") -> DosingWeight:
    if method not in METHODS:
        raise InputError("--dosing-weight", method, "actual, adjusted, ideal or auto")
    bmi = p.bmi
    if method == "actual":
        return DosingWeight(p.weight_kg, "actual", "actual body weight", bmi=bmi)
    if method == "auto":
        if p.height_cm is None or p.sex is None:
            return DosingWeight(p.weight_kg, "actual", "auto: actual weight (height and sex not given)", bmi=bmi)
        if p.height_cm < DEVINE_MIN_HEIGHT_CM:
            return DosingWeight(p.weight_kg, "actual", f"auto: actual weight (height under {DEVINE_MIN_HEIGHT_CM} cm)",
                                bmi=bmi)
        if bmi <= 30:
            return DosingWeight(p.weight_kg, "actual", f"auto: actual weight (BMI {bmi:.1f} is not above 30)", bmi=bmi)
        method = "adjusted"
        why = f"auto: adjusted weight because BMI {bmi:.1f} > 30"
    else:
        why = f"{method} weight as asked"
    if p.height_cm is None or p.sex is None:
        raise InputError("--dosing-weight", method, "actual (an ideal or adjusted weight needs --height-cm and --sex)")
    ibw = ideal_body_weight(p.height_cm, p.sex)
    if ibw >= p.weight_kg:
        # An ideal or adjusted weight is never above the actual weight (both formulas are for
        # patients heavier than ideal): the actual weight is used.
        return DosingWeight(p.weight_kg, "actual", f"{why}; actual weight {p.weight_kg:g} kg is not above the ideal "
                            f"weight {ibw:.1f} kg, so the actual weight is used", ideal_kg=ibw, bmi=bmi)
    if method == "ideal":
        return DosingWeight(round(ibw, 2), "ideal", f"{why}; {SOURCE_IBW}", ideal_kg=ibw, bmi=bmi)
    ddw = ibw + 0.4 * (p.weight_kg - ibw)
    return DosingWeight(round(ddw, 2), "adjusted", f"{why}; {SOURCE_DDW}", ideal_kg=ibw, bmi=bmi)


@dataclass(frozen=True, slots=True)
class Dose:
    prescribed_g: float  # dose_g_per_kg x dosing weight, before any rounding
    dose_g: float  # what is given
    volume_ml: float
    vials: tuple[tuple[float, int], ...]  # (size g, count), fewest vials covering dose_g
    vials_total_g: float | None
    rounded: str  # how the dose was rounded, or ""


def fewest_vials(dose_g: float, sizes: tuple[float, ...]) -> tuple[tuple[float, int], ...]:
    """The vial set covering the dose with the least waste, then the fewest vials."""
    if not sizes:
        return ()
    best = None
    biggest = max(sizes)
    n_max = math.ceil(dose_g / biggest - 1e-9)
    for n in range(max(n_max, 1), n_max + 4):
        for combo in combinations_with_replacement(sorted(sizes, reverse=True), n):
            total = sum(combo)
            if total + 1e-9 >= dose_g:
                key = (round(total - dose_g, 6), n)
                if best is None or key < best[0]:
                    best = (key, combo)
        if best is not None and best[0][0] == 0:
            break
    combo = best[1]
    return tuple((s, combo.count(s)) for s in sorted(set(combo), reverse=True))


def compute_dose(dosing_kg: float, g_per_kg: float, conc_mg_per_ml: float,
                 vial_sizes: tuple[float, ...] = (), round_to: str = "none") -> Dose:
    """round_to: 'none', or 'vial' (nearest multiple of the smallest vial; a tie rounds down).

    Rounding to whole vials may change the dose by at most MAX_VIAL_ROUNDING; beyond that the
    prescribed dose is kept and the reason is given."""
    prescribed = dosing_kg * g_per_kg
    dose, rounded = prescribed, ""
    if round_to == "vial":
        if not vial_sizes:
            raise InputError("--round-to-vial", "vial",
                             "vial sizes for this product (none are confirmed in the library)")
        step = min(vial_sizes)
        whole = max(math.floor(prescribed / step + 0.5 - 1e-9) * step, step)
        change = abs(whole - prescribed) / prescribed
        if change > MAX_VIAL_ROUNDING + 1e-9:
            rounded = (f"not rounded: whole {step:g} g vials ({whole:g} g) would change the prescribed "
                       f"{prescribed:.2f} g by {change * 100:.0f} %, more than {MAX_VIAL_ROUNDING * 100:.0f} %; "
                       f"the prescribed dose is kept")
        else:
            dose = whole
            rounded = (f"rounded to the nearest {step:g} g vial multiple (ASCIA/Ontario, ref 4.2):"
                       f" {prescribed:.2f} g -> {dose:g} g")
    elif round_to != "none":
        raise InputError("--round-dose", round_to, "none or vial")
    vials = fewest_vials(dose, vial_sizes)
    return Dose(
        prescribed_g=prescribed, dose_g=dose, volume_ml=dose * 1000.0 / conc_mg_per_ml,
        vials=vials, vials_total_g=sum(s * n for s, n in vials) if vials else None, rounded=rounded,
    )


def split_course(total_g_per_kg: float, days: int) -> list[float]:
    """A course (e.g. 2 g/kg over 5 days) as equal daily doses in g/kg."""
    if not (isinstance(days, int) and 1 <= days <= 7):
        raise InputError("days", days, "a whole number of days from 1 to 7")
    if not (0 < total_g_per_kg <= 4):
        raise InputError("course g/kg", total_g_per_kg, "above 0 and at most 4 g/kg")
    return [total_g_per_kg / days] * days


def offered_split(g_per_kg: float, usual_single: float) -> list[float]:
    """The course split offered for a dose above the usual single infusion: the fewest equal infusions
    that each stay within it (e.g. 2 g/kg with a usual 1 g/kg: two infusions of 1 g/kg)."""
    days = max(1, math.ceil(g_per_kg / usual_single - 1e-9))
    return split_course(g_per_kg, min(days, 7))
