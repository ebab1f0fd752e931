"""Symptom catalogue and reaction grading.

Symptoms give a grade; vitals and combination rules (anaphylaxis by its criteria) can raise it,
never lower it. A reaction has a kind as well as a grade; the emergency steps follow the kind.
A child's vitals are graded only by the paediatric bands; a value no band covers is not graded
and the nurse is asked to judge. The rules live in resources/symptoms.toml (read by catalogue_file).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

from .bands import DERIVED_FIELDS, ChildBand, Criterion, VitalsRule, side_of
from .errors import InputError

GRADES = ("none", "mild", "moderate", "severe")
VITAL_FIELDS = {  # field: (label, unit, plausible range)
    "temp_c": ("Temperature", "°C", (30.0, 44.0)),
    "pulse": ("Pulse", "/min", (0, 250)),  # down to 0: an arrest must be recordable
    "sbp": ("Systolic BP", "mmHg", (0, 260)),  # down to 0 (or unrecordable): shock must be recordable
    "dbp": ("Diastolic BP", "mmHg", (0, 160)),
    "spo2": ("SpO2", "%", (0, 100)),
    "rr": ("Respiratory rate", "/min", (4, 120)),  # a newborn breathes up to ~90/min (Bedside PEWS bands)
}
GRADED_FIELDS = ("temp_c", "pulse", "sbp", "spo2", "rr")  # the diastolic pressure is recorded, not graded
SIDES = {"spo2": ("low",)}  # the sides of a value that can be dangerous (a high SpO2 is not)
WORDS = {"temp_c": "temperature", "pulse": "pulse", "sbp": "systolic BP", "spo2": "SpO2", "rr": "breathing rate"}


def grade_index(g: str) -> int:
    return GRADES.index(g)


def higher(a: str, b: str) -> str:
    return a if grade_index(a) >= grade_index(b) else b


def one_up(g: str) -> str:
    return GRADES[min(grade_index(g) + 1, len(GRADES) - 1)] if g != "none" else "none"


UNRECORDABLE = "sbp_unrecordable"  # a systolic pressure that cannot be measured (shock): graded as 0 mmHg
VITALS_KEYS = (*VITAL_FIELDS, UNRECORDABLE)


@dataclass(frozen=True)
class Vitals:
    temp_c: float | None = None
    pulse: float | None = None
    sbp: float | None = None
    dbp: float | None = None
    spo2: float | None = None
    rr: float | None = None
    sbp_unrecordable: bool = False

    def __post_init__(self):
        for name, (label, unit, (lo, hi)) in VITAL_FIELDS.items():  # each number, in its range
            v = getattr(self, name)
            if v is None:
                continue
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or not lo <= v <= hi:
                raise InputError(name, v, f"{label} from {lo:g} to {hi:g} {unit}")
        if not isinstance(self.sbp_unrecordable, bool):
            raise InputError(UNRECORDABLE, self.sbp_unrecordable, "true or false")
        if self.sbp_unrecordable and self.sbp is not None:
            raise InputError("sbp", self.sbp, "no number when the systolic BP is recorded as unrecordable")

    def to_dict(self) -> dict:
        out = {}  # not dataclasses.asdict: it deep-copies, and a replay reads thousands of vitals
        for k in VITALS_KEYS:
            v = getattr(self, k)
            if v is not None and v is not False:
                out[k] = v
        return out

    def values(self) -> dict:
        """The numbers to grade: an unrecordable systolic pressure counts as 0 mmHg."""
        d = {k: v for k, v in self.to_dict().items() if k != UNRECORDABLE}
        if self.sbp_unrecordable:
            d["sbp"] = 0.0
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Vitals":
        unknown = set(d) - set(VITAL_FIELDS) - {UNRECORDABLE}
        if unknown:
            raise InputError("vitals", sorted(unknown)[0], f"one of {', '.join(VITAL_FIELDS)}, {UNRECORDABLE}")
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
    elif d.get(UNRECORDABLE):
        parts.append("SBP unrecordable")
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
    kind: str = "other"
    signs: tuple[str, ...] = ()
    late: bool = False
    source: str = ""


@dataclass(frozen=True)
class Kind:
    """What a reaction probably is: its words on screen and its emergency steps."""

    id: str
    label: str
    words: str
    steps: tuple[str, ...]
    source: str
    look_out: str = ""  # what to tell the patient to look out for after they leave


@dataclass(frozen=True)
class Grading:
    grade: str
    reasons: tuple[str, ...]  # each with its source
    kind: str = "other"
    judge: tuple[str, ...] = ()  # values no band could grade (a child): the nurse judges them
    criteria: tuple[str, ...] = ()  # combination rules that held (ids)
    signs: tuple[str, ...] = ()

    @property
    def needs_judgement(self) -> bool:
        return bool(self.judge)


def age_text(age: float) -> str:
    if age < 1 / 12:
        return "under 1 month"
    return f"{int(age * 12)} months" if age < 1 else f"{age:g} years"


@dataclass(frozen=True)
class Hit:
    """One vital-sign band (or the early-warning score) that held."""

    label: str
    grade: str
    kind: str
    sign: str
    source: str


@dataclass(frozen=True)
class Catalogue:
    symptoms: dict[str, Symptom]
    rules: tuple[VitalsRule, ...]
    emergency_steps: tuple[str, ...]  # the default list (kind "other")
    emergency_source: str
    sources: tuple[str, ...]
    kinds: dict[str, Kind] = field(default_factory=dict)
    criteria: tuple[Criterion, ...] = ()
    child_bands: tuple[ChildBand, ...] = ()
    adult_from_years: float = 18.0
    children_source: str = ""
    adult_bands_from_years: float = 18.0  # from this age every adult band grades a child too
    adult_sides: frozenset = frozenset()  # (field, side) adult bands grade at every age

    def symptom(self, sid: str) -> Symptom:
        if sid not in self.symptoms:
            raise InputError("symptom", sid, f"one of {', '.join(self.symptoms)}")
        return self.symptoms[sid]

    def by_grade(self) -> dict[str, list[Symptom]]:
        out: dict[str, list[Symptom]] = {g: [] for g in GRADES[1:]}
        for s in self.symptoms.values():
            out[s.grade].append(s)
        return out

    # ------------------------------------------------------------ kinds, for the screen
    def kind(self, kid: str) -> Kind:
        return self.kinds.get(kid) or self.kinds.get("other") or Kind("other", "Reaction", "Reaction",
                                                                       self.emergency_steps, self.emergency_source)

    def emergency_for(self, kid: str) -> tuple[str, ...]:
        """The emergency steps for a reaction of this kind (shown when it stops the infusion)."""
        return self.kind(kid).steps

    def late_symptoms(self) -> list[Symptom]:
        return [s for s in self.symptoms.values() if s.late]

    def look_out(self) -> list[str]:
        """What to tell the patient to look out for after they leave (late reactions), with sources."""
        return [f"{k.label}: {k.look_out} ({k.source})" for k in self.kinds.values() if k.look_out]

    def is_child(self, age_years: float | None) -> bool:
        return age_years is not None and age_years < self.adult_from_years

    def baseline_rules(self) -> list[str]:
        """The rules that compare with a baseline: off until baseline vitals are recorded."""
        return [r.label for r in self.rules if any(f in DERIVED_FIELDS for f, _, _ in r.when)]

    # ------------------------------------------------------------ grading
    def values(self, vitals: Vitals, baseline: Vitals | None) -> dict:
        values = vitals.values()
        if baseline is not None:
            base = baseline.values()
            if "temp_c" in values and "temp_c" in base:
                values["temp_rise_c"] = round(values["temp_c"] - base["temp_c"], 3)
            if "sbp" in values and base.get("sbp"):
                values["sbp_fall"] = base["sbp"] - values["sbp"]
                values["sbp_fall_pct"] = round((base["sbp"] - values["sbp"]) / base["sbp"] * 100.0, 6)
        return values

    def _adult_rule_grades_child(self, rule: VitalsRule, age: float) -> bool:
        """A child is never graded less severely than an adult where the danger is the same: on the
        sides where a child's normal range lies inside the adult's (adult_sides), at every age, and
        from adult_bands_from_years on every side."""
        if rule.ages == "all" or age >= self.adult_bands_from_years:
            return True
        sides = rule.sides()
        return bool(sides) and sides <= self.adult_sides

    def findings(self, vitals: Vitals | None, baseline: Vitals | None = None,
                 age: float | None = None) -> tuple[list[Hit], list[str]]:
        """Every band that holds for these vitals, and the values no band covers (a child's).

        For a child, coverage is per side (low, high) and per absolute value: a fever rule does not
        cover a low temperature, and a fall from baseline does not cover a low absolute pressure.
        """
        if vitals is None or vitals.is_empty():
            return [], []
        values = self.values(vitals, baseline)
        hits, covered = [], set()
        child = self.is_child(age)
        for rule in self.rules:
            if child and not self._adult_rule_grades_child(rule, age):
                continue
            if rule.can_judge(values):
                covered |= rule.sides()
            if rule.holds(values):
                hits.append(Hit(rule.label, rule.grade, rule.kind, rule.sign, rule.source))
        judge = []
        if child:
            for band in self.child_bands:
                if band.covers(age):
                    covered.add((band.field, side_of(band.op)))
                    if band.holds(values, age):
                        hits.append(Hit(band.label, band.grade, band.kind, band.sign, band.source))
            for f in GRADED_FIELDS:
                missing = [sd for sd in SIDES.get(f, ("low", "high")) if (f, sd) not in covered]
                if f in values and missing:
                    label, unit, _ = VITAL_FIELDS[f]
                    sep = "" if unit[0] in "/%" else " "
                    what = "not graded" if len(missing) > 1 else f"a {missing[0]} {WORDS[f]} is not graded"
                    judge.append(f"{label} {values[f]:g}{sep}{unit}: {what} for a child of {age_text(age)} "
                                 f"(no cited paediatric band): judge it yourself against your paediatric chart")
        return hits, judge

    def grade_vitals(self, vitals: Vitals | None, baseline: Vitals | None = None,
                     age_years: float | None = None) -> Grading:
        return self.grade((), vitals, baseline, age_years, _say_raise=False)

    def grade(self, symptom_ids, vitals: Vitals | None = None, baseline: Vitals | None = None,
              age_years: float | None = None, *, _say_raise: bool = True) -> Grading:
        """Grade symptoms and vitals together: own grades, then vitals bands, then combination rules."""
        hits, judge = self.findings(vitals, baseline, age_years)
        return self.combine(symptom_ids, hits, judge, say_raise=_say_raise)

    def combine(self, symptom_ids, hits, judge=(), *, say_raise: bool = True) -> Grading:
        """Symptoms and band hits together (one entry, or every finding of a reaction episode)."""
        reasons: list[str] = []
        contributors: list[tuple[str, str]] = []  # (grade, kind)
        present: set[str] = set()
        grade = "none"
        for sid in symptom_ids:
            s = self.symptom(sid)
            grade = higher(grade, s.grade)
            reasons.append(f"{s.label}: {s.grade}")
            contributors.append((s.grade, s.kind))
            present |= {sid, *s.signs}
        if hits:
            v_grade = "none"
            for h in hits:
                v_grade = higher(v_grade, h.grade)
                contributors.append((h.grade, h.kind))
                if h.sign:
                    present.add(h.sign)
            if grade_index(v_grade) > grade_index(grade) and say_raise:
                reasons.append(f"vitals raise the grade from {grade} to {v_grade}")
            reasons += [f"{h.label} -> {h.grade} ({h.source})" for h in hits]
            grade = higher(grade, v_grade)
        held = []
        for c in self.criteria:
            if c.holds(present):
                held.append(c)
                if grade_index(c.grade) > grade_index(grade):
                    reasons.append(f"{c.label}: {grade} -> {c.grade} ({c.source})")
                else:
                    reasons.append(f"{c.label} ({c.source})")
                grade = higher(grade, c.grade)
        kind = self._kind_of(grade, contributors, held)
        signs = tuple(sorted(p for p in present if p not in self.symptoms))
        return Grading(grade, tuple(reasons), kind, tuple(judge), tuple(c.id for c in held), signs)

    def _kind_of(self, grade: str, contributors, held) -> str:
        """The kind of the strongest finding: a combination rule first (the first in the file), then
        the kind with the most findings at the top grade (a respiratory picture is not "febrile"
        because of one fever), then the kind listed first in the file."""
        if grade == "none":
            return "other"
        top = [c for c in held if c.grade == grade] or held
        if top:
            return top[0].kind
        order = list(self.kinds) or ["other"]
        best = [k for g, k in contributors if g == grade] or [k for _, k in contributors] or ["other"]
        return min(set(best), key=lambda k: (-best.count(k), order.index(k) if k in order else len(order)))


def read_catalogue(path: str) -> Catalogue:
    from .catalogue_file import read_catalogue as read

    return read(path)


@lru_cache(maxsize=4)
def load_catalogue(path: str | None = None) -> Catalogue:
    from .data import library_resource

    return read_catalogue(path or library_resource("symptoms.toml"))
