"""What is due on one chair, as alerts with a priority, and how long each stays silenced.

Priorities follow the pattern of IEC 60601-1-8 (medical electrical equipment, alarm systems):
high (immediate response: a STOP, an emergency, a severe reaction), medium (prompt response: a
reaction to act on, the bag empty, vitals overdue), low (awareness: a step due, vitals due, the
observation hour over). The priority travels with words, never as a colour alone; the screen
chooses the colours (high red, medium yellow, low cyan). An alert stays until the thing is done
(the core no longer says it is due). Acknowledging silences its sound and flashing for the
unit's silence time (resources/unit.toml, [alerts] silence_min); if it is still not done by then
it rings again. A training chair's alerts say TRAINING, so they are never taken for a real one.
"""
from __future__ import annotations

from dataclasses import dataclass

from .session import Session
from .session_events import EPS

PRIORITIES = ("high", "medium", "low")  # loudest first
OVERDUE_MIN = 15.0  # vitals this late are overdue: medium priority (every-15-min rounds: one round missed)


@dataclass(frozen=True)
class Alert:
    key: tuple  # what is due, so that one acknowledgement silences it until it changes
    kind: str  # step | reaction | end | vitals | observation
    priority: str  # high | medium | low
    text: str  # the words, in capitals where the nurse must act now
    grade: str = "none"  # the reaction grade behind a proposal
    silenced: bool = False
    silenced_until_min: float | None = None

    def to_dict(self) -> dict:
        d = {"kind": self.kind, "priority": self.priority, "text": self.text, "grade": self.grade,
             "silenced": self.silenced}
        if self.silenced_until_min is not None:
            d["silenced_until_min"] = round(self.silenced_until_min, 2)
        return d


def _proposal_priority(action: str, grade: str) -> str:
    if action in ("stop", "emergency") or grade == "severe":
        return "high"
    if grade in ("mild", "moderate") or action in ("review", "complete"):
        return "medium"
    return "low"


def due_alerts(s: Session, t: float) -> list[Alert]:
    """Every thing due now on this session (the core's answers), loudest first."""
    out: list[Alert] = []
    if s.status in ("running", "paused") or (s.state.pending is not None and s.status != "planned"):
        p = s.due(t)
        if p is not None:
            kind = "step" if p.action == "increase" and p.grade == "none" else \
                "end" if p.action == "complete" else "reaction"
            out.append(Alert(("due", p.action, p.rate_ml_h, p.rung, p.reason), kind,
                             _proposal_priority(p.action, p.grade), p.one_line(), p.grade))
    if s.status in ("running", "paused", "completed", "stopped"):
        v = s.vitals_due(t)
        if v is not None and v[0] <= t + EPS:
            late = t - v[0] >= OVERDUE_MIN - EPS
            out.append(Alert(("vitals", round(v[0], 3), v[1]), "vitals", "medium" if late else "low",
                             f"VITALS {'OVERDUE' if late else 'DUE'}: {v[1]}"))
    if s.status in ("completed", "stopped"):
        end = s.observation_ends_at()
        if end is not None and t >= end:
            out.append(Alert(("observation", round(end, 3)), "observation", "low",
                             "OBSERVATION HOUR OVER: record the end vitals and close the observation"))
    out.sort(key=lambda a: PRIORITIES.index(a.priority))
    return out


class AlertBook:
    """The alerts of one chair and until when each acknowledged one stays quiet."""

    def __init__(self, silence_min: float | None = None) -> None:
        if silence_min is None:
            from .unit_settings import load_unit_settings

            silence_min = load_unit_settings().silence_min
        self.silence_min = silence_min
        self.quiet_until: dict[tuple, float] = {}
        self.current: list[Alert] = []

    def update(self, due: list[Alert], t: float) -> bool:
        """Take the alerts due at `t`; True if what is shown changed."""
        keys = {a.key for a in due}
        for k in [k for k in self.quiet_until if k not in keys]:
            del self.quiet_until[k]  # done: a later alert with the same key rings afresh
        new = [silence(a, self.quiet_until, t) for a in due]
        changed = new != self.current
        self.current = new
        return changed

    def acknowledge(self, t: float, kinds: tuple[str, ...] | None = None) -> list[Alert]:
        """Silence the ringing alerts (of `kinds`, or all); returns the ones silenced now."""
        done = []
        for a in self.current:
            if not a.silenced and (kinds is None or a.key[0] in kinds):
                self.quiet_until[a.key] = t + self.silence_min
                done.append(a)
        return done

    @property
    def ringing(self) -> bool:
        return any(not a.silenced for a in self.current)


def silence(a: Alert, quiet_until: dict[tuple, float], t: float) -> Alert:
    """The alert as it stands at t: silenced until its time if the nurse acknowledged it."""
    until = quiet_until.get(a.key)
    quiet = until is not None and t < until
    return Alert(a.key, a.kind, a.priority, a.text, a.grade, quiet, until if quiet else None)
