"""The values a session is made of: its events, the proposal it makes, the open reaction, its state."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import SessionError
from .findings import FindingsRecord

if TYPE_CHECKING:
    from .episode import Episode
    from .vitals import Vitals

OBSERVATION_MIN = 60.0  # observe for an hour after the end (design section 1)
EPS = 1e-9
# Not a clinical figure: the unit server's bound (an event beyond it is no infusion's), far beyond any
# record (a chair reopened months after it was planned still records). An absurd time (1e300, a
# damaged record) is refused, and the rounds between two events are counted in bounded time.
MAX_AT_MIN = 1_000_000  # minutes, about two years


def event_time(v) -> float:
    """An event's time as recorded: minutes after the planning, a number from 0 to MAX_AT_MIN."""
    if (type(v) is not float and type(v) is not int) or not 0.0 <= v <= MAX_AT_MIN:  # NaN fails the range
        raise SessionError(f"an event's time is minutes from 0 to {MAX_AT_MIN} (about two years) after the planning, "
                           f"not {v!r}")
    return float(v)

KINDS = ("planned", "vitals", "start", "increase", "symptoms", "action", "resolved",
         "pause", "resume", "stop", "complete", "observed", "note",
         "signin", "vial", "vial_removed", "premedication",  # bedside.py
         "checklist", "prescriber",  # holds.py: the checklist's answers, a prescriber's decision before the start
         "prescriber_rate",  # prescriber_rate.py: a prescriber's new maximum or rate
         "app_closed")  # reopen.py: the app was quit on purpose, with what the pump does meanwhile


@dataclass(frozen=True)
class Event:
    at_min: float
    kind: str
    who: str = "nurse"
    data: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"at_min": self.at_min, "kind": self.kind, "who": self.who, **self.data}  # exact: replay must agree

    @classmethod
    def from_dict(cls, d: dict) -> "Event":
        d = dict(d)
        return cls(event_time(d.pop("at_min")), d.pop("kind"), d.pop("who", "nurse"), d)


ACTION_LINES = {
    "increase": "Increase: set the pump to {rate:g} mL/h.",
    "slow": "SLOW DOWN: set the pump to {rate:g} mL/h.",
    "pause": "PAUSE: set the pump to 0.",
    "resume": "RESUME: set the pump to {rate:g} mL/h.",
    "stop": "STOP: set the pump to 0.",
    "complete": "END: the bag should be empty. Confirm the pump has finished (and the line is flushed).",
    "review": "REVIEW: tell the medical team now; the pump is off.",
    "emergency": "EMERGENCY: the pump is off; call for help now.",
}


@dataclass(frozen=True)
class Proposal:
    """What the nurse should do now; confirming it records that it was done."""

    action: str  # increase | slow | pause | resume | stop | complete (the nurse confirms the end)
    # | review (after the end: a medical review) | emergency (after the end: the kind's emergency steps)
    rate_ml_h: float  # the pump rate after the action
    rung: int  # ladder position after the action (-1 when stopped)
    reason: str
    rule: str = ""  # the policy rule and its source
    grade: str = "none"
    emergency: tuple[str, ...] = ()
    kind: str = "other"  # what the reaction probably is (resources/symptoms.toml [[kind]])

    def one_line(self) -> str:
        """The one line a nurse acts on ("STOP: set the pump to 0. Call for help ..."); the reasons and
        sources stay behind it. An emergency adds the first of the catalogue's emergency steps."""
        line = ACTION_LINES.get(self.action, self.action + ": {rate:g} mL/h.").format(rate=self.rate_ml_h)
        if self.emergency:
            line += f" {self.emergency[0]}"
        elif self.grade not in ("none", "", None):
            line += f" {self.grade.capitalize()} reaction."
        return line

    def to_dict(self) -> dict:
        d = {"action": self.action, "rate_ml_h": self.rate_ml_h, "rung": self.rung, "reason": self.reason,
             "rule": self.rule, "grade": self.grade}
        if self.grade != "none":
            d["reaction_kind"] = self.kind  # not "kind": that key is the event's own
        return d


@dataclass
class Reaction:
    at_min: float
    grade: str
    action: str = ""  # the confirmed action: slow | pause | stop
    acted_at: float | None = None
    review_at: float | None = None
    resolved_at: float | None = None
    resume_rung: int = 0
    after_resolved: str = "hold"
    unresolved: str = "stop"
    kind: str = "other"


@dataclass
class State:
    status: str = "planned"  # planned | running | paused | stopped | completed | closed
    rate_ml_h: float = 0.0
    t_rate: float = 0.0
    delivered_at_rate: float = 0.0
    rung: int = 0
    rung_started: float = 0.0
    held_until: float | None = None
    ceiling_ml_h: float | None = None  # the rate held after a reaction: no further increase
    cap_ml_h: float | None = None  # a prescriber's new maximum: the ladder climbs to it, no higher
    reaction: Reaction | None = None
    reactions: int = 0
    last_grade: str = "none"  # how the last reaction was handled (recurrence escalates from it)
    pending: Proposal | None = None
    baseline: Vitals | None = None
    last_vitals_at: float | None = None
    last_increase_at: float | None = None
    tolerated_ml_h: float = 0.0
    highest_grade: str = "none"
    started_at: float | None = None
    end_min: float | None = None
    resume_assumed_at: float | None = None
    episode: Episode | None = None  # the current (or last) reaction episode
    findings: FindingsRecord = field(default_factory=FindingsRecord)  # every finding of the infusion, by time
    latest: dict = field(default_factory=dict)  # the latest value of each vital sign (for NEWS2)
    paused_from_ml_h: float | None = None  # the rate before the last pause (the last tolerated one)
