"""Premedication given before (or during) an infusion: drug, dose, route and the time it was given.

The unit's usual premedications are a list in resources/unit.toml (each with its source); the
nurse picks one or types another. A dose the list does not give is typed: the app never fills
in a dose the prescription did not state.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .errors import InputError

UNITS = ("mg", "g", "microgram", "mL")
ROUTES = ("oral", "IV", "IM", "SC")
MAX_BEFORE_MIN = 24 * 60  # a premedication is recorded within the day it was given


@dataclass(frozen=True, slots=True)
class PremedOption:
    """One of the unit's usual premedications. `dose` None: the nurse types the prescribed dose."""

    drug: str
    dose: float | None
    unit: str
    routes: tuple[str, ...]
    atc: str
    source: str


@dataclass(frozen=True, slots=True)
class Premedication:
    drug: str
    dose: float
    unit: str
    route: str
    given_min: float  # session minutes; before the start is negative-or-earlier than the start
    from_list: bool = False

    def to_dict(self) -> dict:
        return {"drug": self.drug, "dose": self.dose, "unit": self.unit, "route": self.route,
                "given_min": self.given_min, "from_list": self.from_list}

    @classmethod
    def from_dict(cls, d: dict) -> "Premedication":
        return premedication(d.get("drug"), d.get("dose"), d.get("unit"), d.get("route"), d.get("given_min"),
                             bool(d.get("from_list", False)))


def premedication(drug: object, dose: object, unit: object, route: object, given_min: object,
                  from_list: bool = False) -> Premedication:
    name = " ".join(str(drug or "").split())
    if not name or len(name) > 80:
        raise InputError("drug", drug, "the drug's name, 1 to 80 characters")
    if isinstance(dose, bool) or not isinstance(dose, (int, float)) or not math.isfinite(dose) or not 0 < dose <= 10000:
        raise InputError("dose", dose, "the dose given, a number above 0 (like 1000 or 10)")
    if unit not in UNITS:
        raise InputError("unit", unit, f"one of {', '.join(UNITS)}")
    if route not in ROUTES:
        raise InputError("route", route, f"one of {', '.join(ROUTES)}")
    if isinstance(given_min, bool) or not isinstance(given_min, (int, float)) or not math.isfinite(given_min):
        raise InputError("given at", given_min, "the time it was given (minutes of this infusion)")
    return Premedication(name, float(dose), unit, route, float(given_min), bool(from_list))


def check_time(p: Premedication, at_min: float) -> None:
    """Recorded when given or afterwards, never for a time still to come; within the day."""
    if p.given_min > at_min + 1e-9:
        raise InputError("given at", p.given_min, f"a time not after now ({at_min:g} min): record it once given")
    if p.given_min < at_min - MAX_BEFORE_MIN:
        raise InputError("given at", p.given_min, "a time within the last 24 hours")


def read_options(tables) -> tuple[PremedOption, ...]:
    out = []
    for t in tables:
        t.only(("drug", "dose", "unit", "routes", "atc", "source"))
        routes = t.strs("routes")
        for r in routes:
            if r not in ROUTES:
                raise t.fail("routes", f"{r!r} is not one of {', '.join(ROUTES)}")
        out.append(PremedOption(t.str("drug"), t.num("dose", None, lo=0, hi=10000, lo_open=True),
                                t.str("unit", choices=UNITS), routes, t.str("atc", ""), t.str("source")))
    return tuple(out)
