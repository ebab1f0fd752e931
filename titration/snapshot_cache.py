"""The parts of a chair's snapshot that cost more than a clock tick may spend, worked out once and kept.

The finish forecast simulates 10,000 infusions (titration/forecast.py, numpy): once per plan, so a
replan works it out again and a tick never does. The record after the end walks the pump's record:
once per event. The core's `Chair` keeps one of these; a snapshot made without one (the unit board's
summary of a chair driven elsewhere) has no forecast and works the record out each time.
"""
from __future__ import annotations

from .chair_clock import ChairClock
from .chair_panels import after_end_view
from .chair_state import AfterEndView, FinishForecast
from .errors import TitrationError
from .plan import Plan
from .session import Session


def finish_forecast(plan: Plan) -> FinishForecast | None:
    """The forecast for a plan (None for a plan without steps, or when its parameters cannot be read:
    the forecast is an extra, never a blocker)."""
    if not plan.steps:
        return None
    from .forecast import forecast  # numpy: only once a chair shows a plan (`plan --json` stays light)

    try:
        f = forecast(plan, n=10000, seed=0)
    except TitrationError:
        return None
    return FinishForecast(f.median_min, f.p90_min)


class SnapshotCache:
    def __init__(self) -> None:
        self._plan: Plan | None = None
        self._forecast: FinishForecast | None = None
        self._after_for: tuple[Session, int] | None = None
        self._after: AfterEndView | None = None

    def forecast(self, s: Session) -> FinishForecast | None:
        """The forecast of the session's current plan, worked out when the plan is new."""
        if s.plan is not self._plan:
            self._plan = s.plan
            self._forecast = finish_forecast(s.plan)
        return self._forecast

    def after_end(self, s: Session, clock: ChairClock) -> AfterEndView | None:
        """The record after the end, worked out again only when an event was added (or the session replaced)."""
        key = self._after_for
        if key is None or key[0] is not s or key[1] != len(s.events):
            self._after_for = (s, len(s.events))
            self._after = after_end_view(s, clock)
        return self._after
