"""Symptom catalogue and reaction grading.

Symptoms give a grade; vitals and combination rules (anaphylaxis by its criteria) can raise it,
never lower it. A reaction has a kind as well as a grade; the emergency steps follow the kind (and add a line for
every other pattern that holds). A child's vitals are graded by the paediatric bands; outside the
child's normal range for the age the adult bands of that side are a floor; a value no band covers is
not graded and the nurse is asked to judge. The rules live in resources/symptoms.toml (read and loaded by
catalogue_file).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .bands import DERIVED_FIELDS, NEW_OXYGEN, ChildBand, Criterion, NormalRange, VitalsRule, side_of
from .errors import InputError
from .vitals import VITAL_FIELDS, Vitals

GRADES = ("none", "mild", "moderate", "severe")
GRADED_FIELDS = ("temp_c", "pulse", "sbp", "spo2", "rr")  # the diastolic pressure is recorded, not graded
SIDES = {"spo2": ("low",)}  # the sides of a value that can be dangerous (a high SpO2 is not)
WORDS = {"temp_c": "temperature", "pulse": "pulse", "sbp": "systolic BP", "spo2": "SpO2", "rr": "breathing rate"}


def grade_index(g: str) -> int:
    return GRADES.index(g)


def higher(a: str, b: str) -> str:
    return a if grade_index(a) >= grade_index(b) else b


def one_up(g: str) -> str:
    return GRADES[min(grade_index(g) + 1, len(GRADES) - 1)] if g != "none" else "none"


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
