"""The rules a symptom catalogue is made of: adult vital-sign bands, children's bands and normal
ranges by age, and combination rules. resources/symptoms.toml holds them with their sources (read by
catalogue_file)."""
from __future__ import annotations

import math
from dataclasses import dataclass

DERIVED_FIELDS = ("temp_rise_c", "sbp_fall", "sbp_fall_pct", "sbp_rise", "pulse_rise")  # against the baseline
# 1 when this reading is on supplemental oxygen the baseline was not on (0 on air, or on oxygen from the
# start); worked out without a baseline too (then any oxygen is new: the safer reading).
NEW_OXYGEN = "new_oxygen"
OPS = {">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, "<": lambda a, b: a < b}


def side_of(op: str) -> str:
    return "low" if op in ("<", "<=") else "high"


@dataclass(frozen=True)
class VitalsRule:
    label: str
    when: tuple[tuple[str, str, float], ...]
    grade: str
    source: str
    kind: str = "other"
    sign: str = ""
    ages: str = "adult"  # adult | all

    def holds(self, values: dict) -> bool:
        return all(f in values and OPS[op](values[f], v) for f, op, v in self.when)

    def can_judge(self, values: dict) -> bool:
        return all(f in values for f, _, _ in self.when)

    def sides(self) -> set[tuple[str, str]]:
        """(field, side) this rule grades on its own: only a rule on one absolute value covers it."""
        if len(self.when) != 1 or self.when[0][0] in DERIVED_FIELDS:
            return set()
        f, op, _ = self.when[0]
        return {(f, side_of(op))}


@dataclass(frozen=True)
class ChildBand:
    """A paediatric band: field op value (+ per_year x age) for ages [age_from, age_to)."""

    label: str
    field: str
    op: str
    value: float
    per_year: float
    age_from: float
    age_to: float
    grade: str
    source: str
    kind: str = "other"
    sign: str = ""

    def covers(self, age: float) -> bool:
        return self.age_from <= age < self.age_to

    def limit(self, age: float) -> float:
        # The source's own step: "70 + 2 x age" counts completed years (WAO 2011/2020).
        return self.value + self.per_year * math.floor(age)

    def holds(self, values: dict, age: float) -> bool:
        return self.field in values and OPS[self.op](values[self.field], self.limit(age))


@dataclass(frozen=True)
class NormalRange:
    """A child's normal range by age, [age_from, age_to): field -> (lowest, highest), both normal."""

    label: str
    age_from: float
    age_to: float
    ranges: dict
    source: str

    def covers(self, age: float) -> bool:
        return self.age_from <= age < self.age_to

    def side_outside(self, field: str, value: float) -> str | None:
        """'low' or 'high' when the value lies outside the normal range, None inside it (or unknown)."""
        if field not in self.ranges:
            return None
        lo, hi = self.ranges[field]
        return "low" if value < lo else "high" if value > hi else None


def within(at: float, hours: float | None, end: float | None) -> bool:
    """Is a finding at `at` (minutes) inside a window that runs from the start of the infusion to `hours`
    after its end? Before the end every finding is (None: the infusion has not ended; no limit)."""
    return end is None or hours is None or at <= end + hours * 60.0 + 1e-9


@dataclass(frozen=True)
class Criterion:
    """A combination rule: every group needs one member present (a sign or a symptom id), among the
    findings from the start of the infusion to `window_hours` after its end (its source's own window)."""

    id: str
    label: str
    require: tuple[tuple[str, ...], ...]
    grade: str
    kind: str
    source: str
    window_hours: float | None = None  # None: every finding of the infusion, whenever recorded
    window_source: str = ""

    def holds(self, present: set[str]) -> bool:
        return all(any(m in present for m in group) for group in self.require)

    def members(self) -> set[str]:
        return {m for group in self.require for m in group}

    def window_words(self) -> str:
        after = "any time after its end" if self.window_hours is None else f"{self.window_hours:g} h after its end"
        return f"findings from the start of the infusion to {after} count together"
