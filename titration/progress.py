"""Where an infusion is: its folded state and the volume arithmetic that follows from it.

One job: the pump's running rate and the volume it has delivered. The schedule, the reaction
flow and the replanner read it (and the flow changes the rate through `set_rate` and `end`);
none of them keeps a copy of the state.
"""
from __future__ import annotations

from .session_events import EPS, State


class Progress:
    def __init__(self, volume_ml: float, state: State | None = None) -> None:
        self.volume_ml = volume_ml
        self.state = state if state is not None else State()

    @property
    def status(self) -> str:
        return self.state.status

    def delivered_ml(self, t: float) -> float:
        s = self.state
        if s.status != "running":
            return s.delivered_at_rate
        return min(self.volume_ml, s.delivered_at_rate + s.rate_ml_h * max(0.0, t - s.t_rate) / 60.0)

    def completion_at(self) -> float | None:
        """When the prescribed volume is (or will be) in at the running rate; None unless running."""
        s = self.state
        if s.status != "running" or s.rate_ml_h <= 0:
            return None
        return s.t_rate + (self.volume_ml - s.delivered_at_rate) / s.rate_ml_h * 60.0

    def volume_in(self, t: float) -> bool:
        """The prescribed volume is in by t and the nurse has not yet confirmed the end."""
        done = self.completion_at()
        return done is not None and done <= t + EPS

    def pump_rate(self, t: float) -> float:
        """The rate the pump delivers at t: 0 once the prescribed volume is in (the bag is empty)."""
        s = self.state
        return 0.0 if s.status != "running" or self.volume_in(t) else s.rate_ml_h

    def set_rate(self, at: float, rate: float) -> None:
        """A new running rate from `at` (the volume so far is counted at the old one)."""
        s = self.state
        s.delivered_at_rate = self.delivered_ml(at) if s.status == "running" else s.delivered_at_rate
        s.t_rate, s.rate_ml_h = at, rate

    def run_again(self, at: float, rate: float) -> None:
        """A paused pump runs again at `rate` (nothing was delivered while it was paused)."""
        s = self.state
        s.status = "running"
        s.t_rate, s.rate_ml_h = at, rate

    def pause(self, at: float) -> None:
        s = self.state
        if s.status == "running":
            s.paused_from_ml_h = s.rate_ml_h
        self.set_rate(at, 0.0)
        s.status = "paused"

    def note_tolerated(self, at: float) -> None:
        """The running rate was tolerated (no reaction, nothing pending, no open episode)."""
        s = self.state
        calm = s.episode is None or not s.episode.is_open(at)
        if s.status == "running" and s.reaction is None and s.pending is None and calm:
            s.tolerated_ml_h = max(s.tolerated_ml_h, s.rate_ml_h)

    def end(self, at: float, status: str, review_minutes: float) -> None:
        """The infusion ends (stopped or completed): the pump is off, an open episode is acted on."""
        s = self.state
        if s.episode is not None and s.episode.is_open(at):
            s.episode.acted(at, review_minutes)
        if s.status == "running":
            s.delivered_at_rate = self.delivered_ml(at)
        s.t_rate, s.rate_ml_h, s.status, s.end_min, s.pending = at, 0.0, status, at, None
