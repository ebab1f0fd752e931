"""The hard limits on a pump rate for the whole infusion, not only when the plan is made.

No rate set by a confirmation, an override, a resume or a replayed journal event may exceed:
- this plan's maximum (its top rung: label maximum, at-risk cap and the soft caps kept);
- the label's initial rate, until the first step's time has been run (a hard limit);
- a reaction's ceiling: nothing climbs while a reaction episode is open, and a resume goes to the
  last tolerated rate or lower;
- the rate the policy holds after a reaction (stay there to the end).
The session asks before it records anything; the answer says which limit and why.
"""
from __future__ import annotations

from dataclasses import dataclass

from .session_events import EPS


@dataclass(frozen=True)
class Allowed:
    rate_ml_h: float
    why: str

    def refuses(self, rate_ml_h: float) -> bool:
        return rate_ml_h > self.rate_ml_h + EPS


@dataclass(frozen=True)
class RateGuard:
    top_ml_h: float
    initial_ml_h: float  # the label's initial rate in pump units
    first_step_min: float | None  # None: the first rate holds to the end

    @classmethod
    def for_plan(cls, plan) -> "RateGuard":
        initial = next((lim.cap_ml_h for lim in plan.limits if lim.name == "label-initial"), plan.rungs[0].rate_ml_h)
        return cls(plan.rungs[-1].rate_ml_h, initial, plan.rungs[0].minutes)

    def allowed(self, state, minutes_run: float, at: float, *, resume: bool = False,
                last_tolerated: float | None = None) -> Allowed:
        """The highest rate that may be set at `at`, and the limit that sets it."""
        out = Allowed(self.top_ml_h, f"this plan's maximum of {self.top_ml_h:g} mL/h")
        if self.first_step_min is None or minutes_run < self.first_step_min - EPS:
            left = "" if self.first_step_min is None else \
                f" until the first step's {self.first_step_min:g} min have run ({minutes_run:.0f} min so far)"
            out = _lower(out, self.initial_ml_h, f"the label's initial rate of {self.initial_ml_h:g} mL/h{left}")
        if state.ceiling_ml_h is not None:
            out = _lower(out, state.ceiling_ml_h, f"the last tolerated rate of {state.ceiling_ml_h:g} mL/h "
                                                  f"(held after a reaction)")
        ep = state.episode
        if ep is not None and ep.is_open(at) and ep.ceiling_ml_h is not None:
            out = _lower(out, ep.ceiling_ml_h, f"{ep.ceiling_ml_h:g} mL/h: no rate climbs while a reaction "
                                               f"episode is open (since {ep.opened_at:g} min)")
        if resume and last_tolerated is not None:
            out = _lower(out, last_tolerated, f"the last tolerated rate of {last_tolerated:g} mL/h "
                                              f"(a resume goes there or lower)")
        return out


def _lower(a: Allowed, rate: float, why: str) -> Allowed:
    return Allowed(rate, why) if rate < a.rate_ml_h - EPS else a
