"""Reaction policies (resources/policies/*.toml): a grade becomes a proposed action."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .data import Table, library_resource, load_toml, stem, toml_files
from .errors import InputError

ACTIONS = ("slow", "pause", "stop")
AFTER = ("may-escalate", "hold")
UNRESOLVED = ("moderate", "stop")
RECURRENCE = ("escalate", "grade-up", "stop")
CAME_BACK = ("stop", "escalate")  # symptoms back inside the review window after "resolved" was recorded


@dataclass(frozen=True)
class GradeRule:
    action: str  # slow | pause | stop
    first_step: str = "pause"  # what "slow" becomes when there is no lower tolerated rate
    unresolved: str = "stop"  # after the review window: "moderate" (treat as moderate) or "stop"
    after_resolved: str = "hold"  # may-escalate | hold (stay at the resumed rate to the end)


@dataclass(frozen=True)
class Policy:
    id: str
    name: str
    review_minutes: float
    recurrence: str  # escalate | stop
    rules: dict[str, GradeRule]
    sources: tuple[str, ...]
    description: str = ""
    came_back: str = "stop"  # stop | escalate (as a further reaction, one grade higher)

    def rule(self, grade: str) -> GradeRule:
        return self.rules[grade]

    def effective_grade(self, grade: str, earlier_reactions: int, previous: str | None = None) -> tuple[str, str]:
        """The grade to act on, and why it differs (a recurrence).

        Reactions in one infusion add up: each further reaction is handled one grade higher than
        the one before it (`previous`, as it was handled), and never lower than its own grade, so a
        third reaction always stops. Under recurrence = "stop" the second one stops.
        """
        from .reactions import GRADES, grade_index, higher, one_up

        if earlier_reactions == 0 or grade == "none":
            return grade, ""
        nth = ordinal(earlier_reactions + 1)
        if self.recurrence == "stop":
            return "severe", f"a {nth} reaction in this infusion stops it ({self.name})"
        if earlier_reactions >= 2:
            return "severe", f"a {nth} reaction in this infusion stops it, whatever its own grade"
        floor = one_up(previous if previous and previous != "none" else grade)
        eff = higher(grade, floor)
        if eff == grade:
            return grade, ""  # already at least one grade higher than the last: nothing to add
        if grade_index(eff) >= len(GRADES) - 1 and grade != "severe":
            return eff, (f"a {nth} reaction in this infusion is handled one grade higher than the last "
                         f"({previous or grade}): STOP")
        return eff, f"a {nth} reaction in this infusion is handled one grade higher than the last: {grade} -> {eff}"


    def came_back_grade(self, grade: str, why: str) -> tuple[str, str]:
        """Symptoms back inside the review window after they were recorded resolved: the grade to act
        on, and why. NHS Borders: "if symptoms return or escalate: STOP INFUSION, DO NOT RESTART"."""
        back = "symptoms came back after they were recorded resolved, inside the review window"
        if self.came_back == "stop":
            return "severe", f"{back}: STOP, do not restart (NHS Borders: symptoms that return or escalate stop " \
                             f"the infusion; {self.name})"
        return grade, back + (f"; {why}" if why else "")


def ordinal(n: int) -> str:
    return {1: "first", 2: "second", 3: "third"}.get(n, f"{n}th")


def read_policy(path: str) -> Policy:
    t = Table(load_toml(path), path)
    t.schema_version(1, missing=1)  # policies written before files carried a version are version 1
    pid = t.str("id")
    if pid != stem(path):
        raise t.fail("id", f"{pid!r} must match the file name {stem(path)!r}")
    rules = {}
    for grade in ("mild", "moderate"):
        g = t.table(grade)
        rules[grade] = GradeRule(
            action=g.str("action", choices=ACTIONS),
            first_step=g.str("first_step", "pause", choices=("pause", "stop")),
            unresolved=g.str("unresolved", "stop", choices=UNRESOLVED),
            after_resolved=g.str("after_resolved", "hold", choices=AFTER),
        )
    sev = t.table("severe")
    if sev.str("action", choices=ACTIONS) != "stop":
        raise sev.fail("action", "a severe reaction always stops the infusion")
    rules["severe"] = GradeRule("stop")
    recurrence = t.str("recurrence", choices=RECURRENCE)
    # "grade-up" is the older name; it now means the cumulative rule (the safer reading).
    recurrence = "escalate" if recurrence == "grade-up" else recurrence
    policy = Policy(pid, t.str("name"), t.num("review_minutes", lo=5, hi=120), recurrence, rules, t.strs("sources"),
                    t.str("description", ""), t.str("came_back", "stop", choices=CAME_BACK))
    t.finish()
    return policy


@lru_cache(maxsize=4)
def load_policies(folder: str | None = None) -> dict[str, Policy]:
    return {p.id: p for p in (read_policy(f) for f in toml_files(folder or library_resource("policies")))}


def get_policy(pid: str | None = None) -> Policy:
    policies = load_policies()
    pid = pid or "tiered"
    if pid not in policies:
        raise InputError("policy", pid, f"one of {', '.join(policies)}")
    return policies[pid]
