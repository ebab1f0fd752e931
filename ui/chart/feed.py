"""What the infusion chart draws of a session, as frames to append: no Qt here.

The chair's model owns a `ChartFeed` for its session and hands the chart one `ChartFrame` per
change; the chart never holds the session. A frame carries only what is new: the markers of new
events (appended), the planned part when the plan changed (a replan redraws only that), the
original plan when the pump start moved it, and the delivered tip (every tick, constant cost).
Every number comes from titration.report.chartdata (the core).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from titration.plan import Plan
from titration.report.chartdata import DeliveredTrace, Marker, MarkerTrace, plan_curve, rate_steps
from titration.session import Session

Curve = tuple[np.ndarray, np.ndarray]
ENDED = ("stopped", "completed", "closed")


@dataclass(frozen=True)
class StepRow:
    """One row of the planned steps (the chart's text alternative): session minutes and mL/h."""

    number: int
    start_min: float
    end_min: float
    rate_ml_h: float
    total_ml: float  # the volume in when this step ends


@dataclass(frozen=True)
class PlanPart:
    """The planned part of the chart: drawn again only when the plan changes."""

    volume: Curve  # cumulative planned volume (t, mL); empty once the infusion has ended
    rate: Curve  # planned pump rate as steps (edges t, mL/h)
    end_min: float  # where the plan (or, once ended, the infusion) ends
    steps: tuple[StepRow, ...]


@dataclass(frozen=True)
class ChartFrame:
    now_min: float
    reset: bool  # a new session (or a shorter record): draw from scratch
    origin_min: float  # the pump start: the x axis counts from it
    volume_ml: float  # the prescribed volume
    original: tuple[Curve, Curve] | None  # the original plan (volume, rate), when it must be drawn again
    plan: PlanPart | None  # the planned part, when it changed
    markers: tuple[tuple[Marker, float], ...]  # new since the last frame, with their height (mL)
    delivered: Curve
    rates: Curve  # the confirmed pump rate as steps up to now


def step_rows(plan: Plan) -> tuple[StepRow, ...]:
    t, v = plan_curve(plan)
    out = []
    for i, st in enumerate(plan.steps):
        total = float(np.interp(st.end_min, t, v)) if len(t) else 0.0
        out.append(StepRow(i + 1, st.start_min, st.end_min, st.rate_ml_h, total))
    return tuple(out)


def plan_part(plan: Plan, ended: bool, end_min: float | None) -> PlanPart:
    if ended or not plan.steps:
        empty = (np.zeros(0), np.zeros(0))
        t0, _ = plan_curve(plan)
        return PlanPart(empty, empty, float(end_min if end_min is not None else t0[-1]), ())
    t, v = plan_curve(plan)
    return PlanPart((t, v), rate_steps(plan), float(t[-1]), step_rows(plan))


class ChartFeed:
    """A session's chart, one frame per change: the delivered tip every tick, the rest only when new."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._trace = DeliveredTrace()
        self._markers = MarkerTrace()
        self._plan: Plan | None = None
        self._ended: bool | None = None
        self._origin: float | None = None
        self._n = -1

    def frame(self, now_min: float) -> ChartFrame:
        s = self.session
        st = s.state
        reset = self._n < 0 or len(s.events) < self._n
        if reset:
            self._trace, self._markers = DeliveredTrace(), MarkerTrace()
            self._plan, self._ended, self._origin = None, None, None
        self._n = len(s.events)
        origin = st.started_at or 0.0
        original = None
        if origin != self._origin:
            self._origin = origin
            t0, v0 = plan_curve(s.original_plan)  # drawn from the actual start: the plan as it would have run
            tr0, rr0 = rate_steps(s.original_plan)
            original = ((t0 + origin, v0), (tr0 + origin, rr0))
        ended = st.status in ENDED
        plan = None
        if s.plan is not self._plan or ended != self._ended:
            self._plan, self._ended = s.plan, ended
            plan = plan_part(s.plan, ended, st.end_min)
        markers = tuple(self._markers.update(s))
        delivered = self._trace.update(s, now_min)
        rates = self._trace.rates(s, now_min)
        return ChartFrame(now_min, reset, origin, s.volume_ml, original, plan, markers, delivered, rates)
