"""The only notion of time. The core never reads the wall clock: a caller passes a time source.

Session time is minutes from the planned start. Pausing a training simulation stops this clock;
pausing the infusion sets the rate to zero. The two are kept apart on purpose.
"""
from __future__ import annotations

from typing import Callable


class ManualClock:
    """A clock moved by hand: tests and headless runs."""

    def __init__(self, t: float = 0.0):
        self.t = float(t)

    def now(self) -> float:
        return self.t

    def advance(self, minutes: float) -> float:
        self.t += minutes
        return self.t

    def set(self, t: float) -> None:
        self.t = float(t)


class SourceClock:
    """Session minutes from a seconds source (the UI passes time.monotonic or time.time).

    speed > 1 runs a training simulation faster than real time; `hold()` freezes it.
    """

    def __init__(self, source: Callable[[], float], start_min: float = 0.0, speed: float = 1.0):
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.source = source
        self.speed = float(speed)
        self._base_min = float(start_min)
        self._anchor = source()
        self.held = False

    def now(self) -> float:
        if self.held:
            return self._base_min
        return self._base_min + (self.source() - self._anchor) * self.speed / 60.0

    def _rebase(self) -> None:
        self._base_min, self._anchor = self.now(), self.source()

    def set_speed(self, speed: float) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self._rebase()
        self.speed = float(speed)

    def hold(self) -> None:
        """Pause the simulation clock (not the infusion)."""
        if not self.held:
            self._rebase()
            self.held = True

    def release(self) -> None:
        if self.held:
            self._anchor = self.source()
            self.held = False
