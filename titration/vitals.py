"""A reading of vital signs: its fields, their plausible ranges and flags (an unrecordable systolic
pressure, oxygen or air), checked as it is made or read from a record, and said in a chart's words.
Grading it is the catalogue's (reactions.py)."""
from __future__ import annotations

import math
from dataclasses import dataclass

from .errors import InputError

VITAL_FIELDS = {  # field: (label, unit, plausible range)
    "temp_c": ("Temperature", "°C", (30.0, 44.0)),
    "pulse": ("Pulse", "/min", (0, 250)),  # down to 0: an arrest must be recordable
    "sbp": ("Systolic BP", "mmHg", (0, 260)),  # down to 0 (or unrecordable): shock must be recordable
    "dbp": ("Diastolic BP", "mmHg", (0, 160)),
    "spo2": ("SpO2", "%", (0, 100)),
    "rr": ("Respiratory rate", "/min", (4, 120)),  # a newborn breathes up to ~90/min (Bedside PEWS bands)
}

UNRECORDABLE = "sbp_unrecordable"  # a systolic pressure that cannot be measured (shock): graded as 0 mmHg
ON_OXYGEN = "on_oxygen"  # supplemental oxygen (true) or air (false) at this reading; absent: not stated
VITALS_KEYS = (*VITAL_FIELDS, UNRECORDABLE, ON_OXYGEN)
FLAGS = (UNRECORDABLE, ON_OXYGEN)
_KEYS = frozenset(VITALS_KEYS)
_RANGES = tuple((name, lo, hi) for name, (_, _, (lo, hi)) in VITAL_FIELDS.items())


def _check_number(name: str, v, lo: float, hi: float) -> None:
    """Refuse a reading's value that is not a finite number in its field's range."""
    label, unit, _ = VITAL_FIELDS[name]
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or not lo <= v <= hi:
        shown = f"{v:g}" if isinstance(v, float) else str(v)
        raise InputError(name, v, f"{lo:g} to {hi:g}", f"{label} ({unit}): {shown} is not allowed; {lo:g} to {hi:g}")


def _check_flags(unrecordable, oxygen, sbp) -> None:
    if not isinstance(unrecordable, bool):
        raise InputError(UNRECORDABLE, unrecordable, "true or false")
    if oxygen is not None and not isinstance(oxygen, bool):
        raise InputError(ON_OXYGEN, oxygen, "true (on oxygen) or false (on air)")
    if unrecordable and sbp is not None:
        raise InputError("sbp", sbp, "no number when the systolic BP is recorded as unrecordable")


def _unknown(d) -> None:
    unknown = set(d) - _KEYS
    raise InputError("vitals", sorted(unknown)[0], f"one of {', '.join(VITALS_KEYS)}")


@dataclass(frozen=True)
class Vitals:
    temp_c: float | None = None
    pulse: float | None = None
    sbp: float | None = None
    dbp: float | None = None
    spo2: float | None = None
    rr: float | None = None
    sbp_unrecordable: bool = False
    on_oxygen: bool | None = None  # NEWS2 scores oxygen 2 (RCP 2017); None: not stated with this reading

    def __post_init__(self):
        for name, lo, hi in _RANGES:  # each number in its range (FLAGS apart)
            v = getattr(self, name)
            if v is None or ((type(v) is float or type(v) is int) and lo <= v <= hi):
                continue  # the usual case, checked at once (a NaN or an infinity fails the range)
            _check_number(name, v, lo, hi)
        _check_flags(self.sbp_unrecordable, self.on_oxygen, self.sbp)

    def to_dict(self) -> dict:
        out = {}  # not dataclasses.asdict: it deep-copies, and a replay reads thousands of vitals
        for k in VITALS_KEYS:
            v = getattr(self, k)
            if v is not None and (v is not False or k == ON_OXYGEN):  # "on air" is said, not left out
                out[k] = v
        return out

    def values(self) -> dict:
        """The numbers to grade: an unrecordable systolic pressure counts as 0 mmHg; oxygen as 1 (air 0),
        as the early-warning score reads it."""
        d = {}
        for k in VITAL_FIELDS:  # the numbers of to_dict, without its flags: a replay asks this of every reading
            v = getattr(self, k)
            if v is not None:
                d[k] = v
        if self.sbp_unrecordable:
            d["sbp"] = 0.0
        if self.on_oxygen is not None:
            d[ON_OXYGEN] = 1.0 if self.on_oxygen else 0.0
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Vitals":
        if not _KEYS.issuperset(d):
            _unknown(d)
        return cls(**d)

    @classmethod
    def values_of(cls, d: dict) -> dict:
        """`from_dict(d).values()`, refused in the same words, without making the reading: a replay
        reads thousands of readings and keeps few (the baseline, those that raise a reaction)."""
        if not isinstance(d, dict):
            return cls.from_dict(d).values()
        if not _KEYS.issuperset(d):
            _unknown(d)
        out = {}
        for name, lo, hi in _RANGES:  # as __post_init__, in the same order
            v = d.get(name)
            if v is None:
                continue
            if not ((type(v) is float or type(v) is int) and lo <= v <= hi):
                _check_number(name, v, lo, hi)
            out[name] = v
        unrecordable, oxygen = d.get(UNRECORDABLE, False), d.get(ON_OXYGEN)
        _check_flags(unrecordable, oxygen, d.get("sbp"))
        if unrecordable:
            out["sbp"] = 0.0
        if oxygen is not None:
            out[ON_OXYGEN] = 1.0 if oxygen else 0.0
        return out

    def is_empty(self) -> bool:
        return not self.to_dict()


def vitals_text(d: dict) -> str:
    """Recorded vitals in the short form a chart reads: 'T 37.2 °C, P 80/min, BP 120/75, ...'."""
    parts = []
    if "temp_c" in d:
        parts.append(f"T {d['temp_c']:g} °C")
    if "pulse" in d:
        parts.append(f"P {d['pulse']:g}/min")
    if "sbp" in d and "dbp" in d:
        parts.append(f"BP {d['sbp']:g}/{d['dbp']:g}")
    elif "sbp" in d:
        parts.append(f"SBP {d['sbp']:g}")
    elif d.get(UNRECORDABLE):
        parts.append("SBP unrecordable")
    elif "dbp" in d:
        parts.append(f"DBP {d['dbp']:g}")
    if "spo2" in d:
        parts.append(f"SpO2 {d['spo2']:g}%")
    if "rr" in d:
        parts.append(f"RR {d['rr']:g}/min")
    if ON_OXYGEN in d:
        parts.append("on oxygen" if d[ON_OXYGEN] else "on air")
    return ", ".join(parts)
