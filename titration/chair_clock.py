"""Session minutes in the nurse's words, for one chair: the time of day (by its wall start and
speed), or +h:mm from the start when no wall start is known; a thing due with its countdown."""
from __future__ import annotations

from .chair_state import ChairFacts, Due
from .session_events import EPS
from .timefmt import countdown, session_time


class ChairClock:
    def __init__(self, facts: ChairFacts) -> None:
        self.facts = facts

    def at(self, t: float | None) -> str:
        return session_time(t, self.facts.wall_start, self.facts.speed)

    def due(self, what: str, at: float | None, now: float) -> Due:
        if at is None:
            return Due(what, None, "")
        if at <= now + EPS:
            return Due(what, at, "now", "now")
        return Due(what, at, self.at(at), f"in {countdown(at - now)}")

    def in_at(self, at: float, now: float) -> str:
        """'in 12:30 (at 10:45)': a countdown first, then the time (the chair's Now panel)."""
        return f"in {countdown(at - now)} (at {self.at(at)})"
