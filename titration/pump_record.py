"""The pump's record in a session: each confirmed rate change, and the minutes the pump has run.

Kept as the events are folded, so asking costs the same with ten events or ten thousand (vitals,
notes and other events add nothing here).
"""
from __future__ import annotations

from .session_events import EPS


class PumpRecord:
    def __init__(self) -> None:
        self.changes: list[tuple[float, float | None]] = []  # (at, mL/h); None ends the last segment
        self._run = (0.0, 0.0, 0.0)  # (minutes run before the last change, its time, its rate)

    def change(self, at: float, rate: float | None) -> None:
        self._run = (self.minutes_run(at), at, rate or 0.0)
        self.changes.append((at, rate))

    def minutes_run(self, at: float) -> float:
        """Minutes the pump has run (at any rate above 0) from the start until `at`."""
        before, since, rate = self._run
        return before + (max(0.0, at - since) if rate > 0 else 0.0)

    def segments(self, until: float | None, done: float | None) -> list[tuple[float, float, float]]:
        """Confirmed pump rates as (start, end, mL/h), pauses included as 0; `done`: when the bag
        empties at the running rate (the pump delivers nothing after it)."""
        segs: list[tuple[float, float, float]] = []
        cur: tuple[float, float] | None = None
        for at, rate in self.changes:
            if cur is not None and at > cur[0] + EPS:
                segs.append((cur[0], at, cur[1]))
            cur = (at, rate) if rate is not None else None
        if cur is not None:
            end = until if until is not None else (done or cur[0])
            if done is not None and end > done + EPS:  # the bag is empty: the pump delivers nothing more
                if done > cur[0]:
                    segs.append((cur[0], done, cur[1]))
                segs.append((max(done, cur[0]), end, 0.0))
            elif end > cur[0]:
                segs.append((cur[0], end, cur[1]))
        return segs
