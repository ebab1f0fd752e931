"""Symptom catalogue and reaction grading.

Symptoms give a grade; vitals and combination rules (anaphylaxis by its criteria) can raise it,
never lower it. A reaction has a kind as well as a grade; the emergency steps follow the kind (and add a line for
every other pattern that holds). A child's vitals are graded by the paediatric bands; outside the
child's normal range for the age the adult bands of that side are a floor; a value no band covers is
not graded and the nurse is asked to judge. The rules live in resources/symptoms.toml (read and loaded by
catalogue_file).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from .bands import DERIVED_FIELDS, NEW_OXYGEN, ChildBand, Criterion, NormalRange, VitalsRule, side_of
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
    signs: tuple[str, ...] = ()  # the signs that make up its picture: a tie between kinds goes to more of them
    also: str = ""  # the step shown when this kind's pattern holds too but another kind names the reaction
    window_hours: float | None = None  # its picture counts the findings to this long after the end (hours)
    window_source: str = ""


@dataclass(frozen=True)
class Grading:
    grade: str
    reasons: tuple[str, ...]  # each with its source
    kind: str = "other"
    judge: tuple[str, ...] = ()  # values no band could grade (a child): the nurse judges them
    criteria: tuple[str, ...] = ()  # combination rules that held (ids)
    signs: tuple[str, ...] = ()


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
    adult_sides: frozenset = frozenset()  # (field, side) adult bands grade at every age (no cited normal range)
    normal_ranges: tuple[NormalRange, ...] = ()  # a child's normal range by age: outside it, adult bands are a floor

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

    def emergency_for(self, kid: str, criteria=()) -> tuple[str, ...]:
        """The emergency steps for a reaction of this kind (shown when it stops the infusion), then the
        step of every other kind whose pattern (combination rule) holds too."""
        steps = list(self.kind(kid).steps)
        by_id = {c.id: c for c in self.criteria}
        for cid in criteria:
            other = self.kinds.get(by_id[cid].kind) if cid in by_id else None
            if other is not None and other.id != kid and other.also and other.also not in steps:
                steps.append(other.also)
        return tuple(steps)

    def look_out(self) -> list[str]:
        """What to tell the patient to look out for after they leave (late reactions), with sources."""
        return [f"{k.label}: {k.look_out} ({k.source})" for k in self.kinds.values() if k.look_out]

    def is_child(self, age_years: float | None) -> bool:
        return age_years is not None and age_years < self.adult_from_years

    def normal_for(self, age: float) -> NormalRange | None:
        """The child's cited normal range for the age (None where none is cited)."""
        return next((r for r in self.normal_ranges if r.covers(age)), None)

    def baseline_rules(self, age_years: float | None = None) -> list[str]:
        """The rules that compare with a baseline: off until baseline vitals are recorded (a child's
        bands that do are listed for a child)."""
        rules = [r.label for r in self.rules if any(f in DERIVED_FIELDS for f, _, _ in r.when)]
        if self.is_child(age_years):
            rules += [b.label for b in self.child_bands if b.field in DERIVED_FIELDS and b.covers(age_years)]
        return rules

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
                values["sbp_rise"] = values["sbp"] - base["sbp"]
            if "pulse" in values and "pulse" in base:
                values["pulse_rise"] = values["pulse"] - base["pulse"]
        if vitals.on_oxygen is not None:  # a new need for oxygen: the baseline was not on it (or is unknown)
            values[NEW_OXYGEN] = 1.0 if vitals.on_oxygen and not (baseline and baseline.on_oxygen) else 0.0
        return values

    def _adult_rule_grades_child(self, rule: VitalsRule, age: float, values: dict) -> bool:
        """An adult band grades a child's value only where the value lies outside the child's cited
        normal range for the age, on the band's own side (a floor there: never below an adult); inside
        the range the children's bands alone grade. Sides with no cited range (adult_sides: temperature)
        are graded by the adult bands at every age; a rule on derived values alone, only if ages = all."""
        if rule.ages == "all" or age >= self.adult_bands_from_years:
            return True
        normal = self.normal_for(age)
        absolute = [(f, side_of(op)) for f, op, _ in rule.when if f not in DERIVED_FIELDS]
        if not absolute:
            return False
        for f, side in absolute:
            if (f, side) in self.adult_sides:
                continue
            if normal is None or f not in values or normal.side_outside(f, values[f]) != side:
                return False
        return True

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
            if child and not self._adult_rule_grades_child(rule, age, values):
                continue
            if rule.can_judge(values):
                covered |= rule.sides()
            if rule.holds(values):
                hits.append(Hit(rule.label, rule.grade, rule.kind, rule.sign, rule.source))
        judge = []
        if child:
            normal = self.normal_for(age)
            if normal is not None:  # inside the range: normal for the age; outside it: the adult floor
                covered |= {(f, sd) for f in normal.ranges for sd in ("low", "high")}
            covered |= self.adult_sides
            for band in self.child_bands:
                if band.covers(age):
                    covered.add((band.field, side_of(band.op)))
                    if band.holds(values, age):
                        hits.append(Hit(band.label, band.grade, band.kind, band.sign, band.source))
            for f in GRADED_FIELDS:
                missing = [sd for sd in SIDES.get(f, ("low", "high")) if (f, sd) not in covered
                           and f in values and self._beyond_adult_band(f, sd, values[f])]
                if missing:
                    label, unit, _ = VITAL_FIELDS[f]
                    sep = "" if unit[0] in "/%" else " "
                    what = "not graded" if len(missing) > 1 else f"a {missing[0]} {WORDS[f]} is not graded"
                    judge.append(f"{label} {values[f]:g}{sep}{unit}: {what} for a child of {age_text(age)} "
                                 f"(no cited paediatric band): judge it yourself against your paediatric chart")
        return hits, judge

    def _beyond_adult_band(self, f: str, side: str, value: float) -> bool:
        """Is the value on that side at all (low, or high), by the adult band that starts there? A
        child's 37.2 °C is not a low temperature: no "judge it yourself" line is said for a side the
        value is not on. A side no adult band marks is always said (nothing tells it is normal)."""
        edges = [v for r in self.rules if len(r.when) == 1 for (fld, op, v) in r.when
                 if fld == f and side_of(op) == side]
        if not edges:
            return True
        return value <= max(edges) if side == "low" else value >= min(edges)

    def grade_vitals(self, vitals: Vitals | None, baseline: Vitals | None = None,
                     age_years: float | None = None) -> Grading:
        return self.grade((), vitals, baseline, age_years, _say_raise=False)

    def grade(self, symptom_ids, vitals: Vitals | None = None, baseline: Vitals | None = None,
              age_years: float | None = None, *, _say_raise: bool = True) -> Grading:
        """Grade symptoms and vitals together: own grades, then vitals bands, then combination rules."""
        hits, judge = self.findings(vitals, baseline, age_years)
        return self.combine(symptom_ids, hits, judge, say_raise=_say_raise)

    def combine(self, symptom_ids, hits, judge=(), *, say_raise: bool = True, carried=None,
                pictures=None) -> Grading:
        """Symptoms and band hits together (one entry, or every finding of a reaction episode).

        `carried`: criteria completed with earlier findings of the infusion, within their windows
        (criterion id: why); they hold as if found here. `pictures`: the members found within each
        kind's window (kind id: members), for naming the kind."""
        carried, pictures = carried or {}, pictures or {}
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
            here = c.holds(present)
            if not here and c.id not in carried:
                continue
            held.append(c)
            what = f"{c.label} ({c.source})" if here else carried[c.id]
            if grade_index(c.grade) > grade_index(grade):
                what = f"{c.label}: {grade} -> {c.grade} ({c.source})" if here else f"{what}: {grade} -> {c.grade}"
            reasons.append(what)
            grade = higher(grade, c.grade)
        signs = tuple(sorted(p for p in present if p not in self.symptoms))
        kind = self._kind_of(grade, contributors, held, present, pictures)
        return Grading(grade, tuple(reasons), kind, tuple(judge), tuple(c.id for c in held), signs)

    def _kind_of(self, grade: str, contributors, held, present: set, pictures) -> str:
        """What the reaction probably is. A combination rule that holds at the top grade names it; of
        several, the one whose kind matches more of its picture (ISBT 2011: breathing, a fast pulse and a
        raised pressure make circulatory overload rather than TRALI). Without one, the kind with the most
        findings at the top grade; a tie goes to the kind with more of its picture (a respiratory picture
        is not "febrile" because of one fever), then to the kind listed first. A picture counts what is
        found here and what was found within the kind's own window (`pictures`). When the top grade names
        no kind ("other": a sign of no one cause, such as new confusion), the kind of another finding
        whose picture at least two findings make up names it (headache, vomiting and confusion: aseptic
        meningitis)."""
        if grade == "none":
            return "other"
        order = list(self.kinds) or ["other"]

        def matching(k: str) -> int:
            kind = self.kinds.get(k)
            return len((present | set(pictures.get(k, ()))) & set(kind.signs)) if kind is not None else 0

        def rank(k: str, findings: int = 0) -> tuple:
            return (-findings, -matching(k), order.index(k) if k in order else len(order))

        top = [c for c in held if c.grade == grade] or held
        if top:
            return min(dict.fromkeys(c.kind for c in top), key=rank)
        best = [k for g, k in contributors if g == grade] or [k for _, k in contributors] or ["other"]
        kind = min(set(best), key=lambda k: rank(k, best.count(k)))
        if kind == "other":
            pictured = [k for k in dict.fromkeys(k for _, k in contributors) if k != "other" and matching(k) >= 2]
            if pictured:
                kind = min(pictured, key=rank)
        return kind
