"""Rate units and the rounding rule.

The canonical rate is mg of IgG per kg per minute. Labels state rates in several
units; they are parsed once, on load, into mg/kg/min. Pump rates (mL/h) are
always rounded DOWN to the pump resolution: a rate is never rounded up.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .errors import InputError

# Factor that turns a value in the unit into mg/kg/min, given concentration C mg/mL.
_UNITS = {
    "mg/kg/min": lambda v, c: v,
    "mg/kg/h": lambda v, c: v / 60.0,
    "mL/kg/min": lambda v, c: v * c,
    "mL/kg/h": lambda v, c: v * c / 60.0,
}
UNITS = tuple(_UNITS)

_RATE_RE = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(\S+)\s*$")


@dataclass(frozen=True, slots=True)
class Rate:
    """A rate as a label writes it, e.g. Rate(0.5, "mL/kg/h")."""

    value: float
    unit: str

    def mg_kg_min(self, conc_mg_per_ml: float) -> float:
        return _UNITS[self.unit](self.value, conc_mg_per_ml)

    def __str__(self) -> str:
        return f"{self.value:g} {self.unit}"


def parse_rate(text: str, where: str = "rate") -> Rate:
    """Parse '0.5 mL/kg/h' into a Rate; raise InputError naming `where`."""
    if not isinstance(text, str):
        raise InputError(where, text, f"a rate like '1 mg/kg/min' (units: {', '.join(UNITS)})")
    m = _RATE_RE.match(text)
    if not m or m.group(2) not in _UNITS:
        raise InputError(where, text, f"a rate like '1 mg/kg/min' (units: {', '.join(UNITS)})")
    value = float(m.group(1))
    if not value > 0:
        raise InputError(where, text, "a rate above zero")
    return Rate(value, m.group(2))


def ml_h(mg_kg_min: float, weight_kg: float, conc_mg_per_ml: float) -> float:
    """mL/h = mg/kg/min x kg x 60 / (mg/mL). Not rounded."""
    return mg_kg_min * weight_kg * 60.0 / conc_mg_per_ml


def mg_kg_min_from_ml_h(rate_ml_h: float, weight_kg: float, conc_mg_per_ml: float) -> float:
    return rate_ml_h * conc_mg_per_ml / (weight_kg * 60.0)


def ml_kg_min(mg_kg_min: float, conc_mg_per_ml: float) -> float:
    return mg_kg_min / conc_mg_per_ml


def round_down(rate_ml_h: float, resolution: float) -> float:
    """Round a pump rate DOWN to a multiple of the resolution.

    A tiny tolerance keeps exact products such as 0.7 * 60 from falling one
    step low because of binary floating point; it can never round up by more
    than 1e-9 of a step, far below any pump's accuracy.
    """
    if resolution <= 0:
        raise ValueError("resolution must be positive")
    steps = math.floor(rate_ml_h / resolution + 1e-9)
    return round(steps * resolution, 6)


def below(cap_ml_h: float, resolution: float) -> float:
    """Largest multiple of the resolution strictly below a cap (for '<' limits)."""
    r = round_down(cap_ml_h, resolution)
    if r >= cap_ml_h - 1e-9:
        r = round(r - resolution, 6)
    return max(r, 0.0)
