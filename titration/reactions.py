"""Symptom catalogue and reaction grading: symptoms give a grade; vitals can raise it, never lower it."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from functools import lru_cache

from .data import Table, load_toml, resource
from .errors import InputError

GRADES = ("none", "mild", "moderate", "severe")
VITAL_FIELDS = {  # field: (label, unit, plausible range)
    "temp_c": ("Temperature", "°C", (30.0, 44.0)),
    "pulse": ("Pulse", "/min", (20, 250)),
    "sbp": ("Systolic BP", "mmHg", (40, 260)),
    "dbp": ("Diastolic BP", "mmHg", (20, 160)),
    "spo2": ("SpO2", "%", (50, 100)),
    "rr": ("Respiratory rate", "/min", (4, 60)),
}
DERIVED_FIELDS = ("temp_rise_c", "sbp_fall")
OPS = {">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, "<": lambda a, b: a < b}


def grade_index(g: str) -> int:
    return GRADES.index(g)


def higher(a: str, b: str) -> str:
    return a if grade_index(a) >= grade_index(b) else b


def one_up(g: str) -> str:
    return GRADES[min(grade_index(g) + 1, len(GRADES) - 1)] if g != "none" else "none"


@dataclass(frozen=True)
class Vitals:
    temp_c: float | None = None
    pulse: float | None = None
    sbp: float | None = None
    dbp: float | None = None
    spo2: float | None = None
    rr: float | None = None

    def __post_init__(self):
        for f in fields(self):
            v = getattr(self, f.name)
            if v is None:
                continue
            label, unit, (lo, hi) = VITAL_FIELDS[f.name]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or not lo <= v <= hi:
                raise InputError(f.name, v, f"{label} from {lo:g} to {hi:g} {unit}")

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, d: dict) -> "Vitals":
        unknown = set(d) - set(VITAL_FIELDS)
        if unknown:
            raise InputError("vitals", sorted(unknown)[0], f"one of {', '.join(VITAL_FIELDS)}")
        return cls(**d)

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
    elif "dbp" in d:
        parts.append(f"DBP {d['dbp']:g}")
    if "spo2" in d:
        parts.append(f"SpO2 {d['spo2']:g}%")
    if "rr" in d:
        parts.append(f"RR {d['rr']:g}/min")
    return ", ".join(parts)


@dataclass(frozen=True)
class Symptom:
    id: str
    grade: str
    label: str
    words: str


@dataclass(frozen=True)
class VitalsRule:
    label: str
    when: tuple[tuple[str, str, float], ...]
    grade: str
    source: str

    def holds(self, values: dict) -> bool:
        return all(f in values and OPS[op](values[f], v) for f, op, v in self.when)


@dataclass(frozen=True)
class Grading:
    grade: str
    reasons: tuple[str, ...]  # each with its source


@dataclass(frozen=True)
class Catalogue:
    symptoms: dict[str, Symptom]
    rules: tuple[VitalsRule, ...]
    emergency_steps: tuple[str, ...]
    emergency_source: str
    sources: tuple[str, ...]

    def symptom(self, sid: str) -> Symptom:
        if sid not in self.symptoms:
            raise InputError("symptom", sid, f"one of {', '.join(self.symptoms)}")
        return self.symptoms[sid]

    def by_grade(self) -> dict[str, list[Symptom]]:
        out: dict[str, list[Symptom]] = {g: [] for g in GRADES[1:]}
        for s in self.symptoms.values():
            out[s.grade].append(s)
        return out

    def grade_vitals(self, vitals: Vitals | None, baseline: Vitals | None = None) -> Grading:
        if vitals is None or vitals.is_empty():
            return Grading("none", ())
        values = vitals.to_dict()
        if baseline is not None:
            if vitals.temp_c is not None and baseline.temp_c is not None:
                values["temp_rise_c"] = round(vitals.temp_c - baseline.temp_c, 3)
            if vitals.sbp is not None and baseline.sbp is not None:
                values["sbp_fall"] = baseline.sbp - vitals.sbp
        grade, reasons = "none", []
        for rule in self.rules:
            if rule.holds(values):
                grade = higher(grade, rule.grade)
                reasons.append(f"{rule.label} -> {rule.grade} ({rule.source})")
        return Grading(grade, tuple(reasons))

    def grade(self, symptom_ids, vitals: Vitals | None = None, baseline: Vitals | None = None) -> Grading:
        grade, reasons = "none", []
        for sid in symptom_ids:
            s = self.symptom(sid)
            grade = higher(grade, s.grade)
            reasons.append(f"{s.label}: {s.grade}")
        v = self.grade_vitals(vitals, baseline)
        if grade_index(v.grade) > grade_index(grade):
            reasons.append(f"vitals raise the grade from {grade} to {v.grade}")
        return Grading(higher(grade, v.grade), tuple(reasons) + v.reasons)


def read_catalogue(path: str) -> Catalogue:
    top = Table(load_toml(path), str(path))
    symptoms: dict[str, Symptom] = {}
    for t in top.tables("symptom"):
        sid = t.str("id")
        if sid in symptoms:
            raise t.fail("id", f"{sid!r} appears twice")
        symptoms[sid] = Symptom(sid, t.str("grade", choices=GRADES[1:]), t.str("label"), t.str("words", ""))
    rules = []
    for t in top.tables("vitals"):
        when = t.raw("when")
        if not isinstance(when, list) or not when:
            raise t.fail("when", "must be a list of [field, op, value]")
        conds = []
        for c in when:
            ok = isinstance(c, list) and len(c) == 3 and c[0] in (*VITAL_FIELDS, *DERIVED_FIELDS) and c[1] in OPS
            if not ok or isinstance(c[2], bool) or not isinstance(c[2], (int, float)):
                raise t.fail("when", f"{c!r} must be [field, op, number] with a field of "
                             f"{', '.join((*VITAL_FIELDS, *DERIVED_FIELDS))} and an op of {', '.join(OPS)}")
            conds.append((c[0], c[1], float(c[2])))
        rules.append(VitalsRule(t.str("label"), tuple(conds), t.str("grade", choices=GRADES[1:]), t.str("source")))
    em = top.table("emergency")
    return Catalogue(symptoms, tuple(rules), em.strs("steps"), em.str("source"), top.strs("sources", ()))


@lru_cache(maxsize=4)
def load_catalogue(path: str | None = None) -> Catalogue:
    return read_catalogue(path or resource("symptoms.toml"))
