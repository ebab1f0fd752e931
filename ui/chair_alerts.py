"""What is due on one chair, as alerts, and how long each is silenced after an acknowledgement.

An alert stays on the strip until the thing is done (the core no longer says it is due).
Acknowledging silences its sound and flashing for the unit's silence time (resources/unit.toml,
[alerts] silence_min); if it is still not done by then it rings again. Only time bookkeeping
here: what is due is the core's answer.
"""
from __future__ import annotations

from dataclasses import dataclass

from titration.unit_settings import load_unit_settings


@dataclass(frozen=True)
class Alert:
    key: tuple
    kind: str  # step | reaction | vitals | observation
    text: str
    grade: str = "none"  # the reaction grade behind a proposal, for its colour
    silenced: bool = False


def due_alerts(session, t: float) -> list[Alert]:
    """Every thing due now on this session (the core's answers), loudest first."""
    s = session
    out = []
    if s.status in ("running", "paused"):
        p = s.due(t)
        if p is not None:
            kind = "step" if p.action in ("increase", "complete") and p.grade == "none" else "reaction"
            out.append(Alert(("due", p.action, p.rate_ml_h, p.rung, p.reason), kind, p.one_line(), p.grade))
    if s.status in ("running", "paused", "completed", "stopped"):
        v = s.vitals_due(t)
        if v is not None and v[0] <= t + 1e-9:
            out.append(Alert(("vitals", round(v[0], 3), v[1]), "vitals", f"VITALS DUE: {v[1]}"))
    if s.status in ("completed", "stopped"):
        end = s.observation_ends_at()
        if end is not None and t >= end:
            out.append(Alert(("observation", round(end, 3)), "observation",
                             "OBSERVATION HOUR OVER: record the end vitals and close the observation"))
    return out


class AlertBook:
    """The alerts of one chair and when each acknowledged one may ring again."""

    def __init__(self, silence_min: float | None = None):
        self.silence_min = load_unit_settings().silence_min if silence_min is None else silence_min
        self.quiet_until: dict[tuple, float] = {}
        self.current: list[Alert] = []

    def update(self, due: list[Alert], t: float) -> bool:
        """Take the alerts due at `t`; True if what is shown changed."""
        keys = {a.key for a in due}
        for k in [k for k in self.quiet_until if k not in keys]:
            del self.quiet_until[k]  # done: a later alert with the same key rings afresh
        new = [Alert(a.key, a.kind, a.text, a.grade, t < self.quiet_until.get(a.key, float("-inf")))
               for a in due]
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
