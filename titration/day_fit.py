"""When a plan no longer fits the day: the expected finish against the unit's closing time and the
longest infusion it accepts, with the choices a nurse has.

After a reaction, a replan that holds a low rate can run for many hours. This says so plainly and
offers: discuss with the prescriber; or stop at a set time, recording the dose given and the
remainder to give another day. Nothing here acts: the nurse chooses. The closing time (default
18:00) and the longest infusion are the unit's settings, not clinical figures.
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import InputError
from .timefmt import parse_time_of_day, time_of_day

DEFAULT_CLOSING = "18:00"


@dataclass(frozen=True)
class DaySettings:
    closing: str = DEFAULT_CLOSING  # the unit's closing time
    max_hours: float | None = None  # the longest infusion the unit accepts, if it sets one

    def __post_init__(self):
        parse_time_of_day(self.closing)
        if self.max_hours is not None and not (isinstance(self.max_hours, (int, float)) and 0 < self.max_hours <= 48):
            raise InputError("longest infusion", self.max_hours, "a number of hours above 0 and at most 48")


@dataclass(frozen=True)
class Choice:
    id: str  # prescriber | stop-at
    words: str


@dataclass(frozen=True)
class DayFit:
    fits: bool
    finish_min: float  # session minutes
    finish_clock: str
    message: str  # one plain line; "" when it fits
    choices: tuple[Choice, ...] = ()
    stop_at_min: float | None = None  # the 'stop at a set time' choice: when (session minutes)
    given_g: float | None = None  # the dose given by then
    remainder_g: float | None = None  # to give another day

    def to_dict(self) -> dict:
        return {"fits": self.fits, "finish_min": round(self.finish_min, 1), "finish_clock": self.finish_clock,
                "message": self.message, "choices": [{"id": c.id, "words": c.words} for c in self.choices],
                "stop_at_min": None if self.stop_at_min is None else round(self.stop_at_min, 1),
                "given_g": None if self.given_g is None else round(self.given_g, 2),
                "remainder_g": None if self.remainder_g is None else round(self.remainder_g, 2)}


def volume_by(plan, t: float) -> float:
    """Volume (mL) the plan has in by session time t (its steps are piecewise linear)."""
    ts, vs = plan.points()
    if t <= ts[0]:
        return vs[0]
    for (t0, v0), (t1, v1) in zip(zip(ts, vs), zip(ts[1:], vs[1:])):
        if t <= t1:
            return v0 + (v1 - v0) * (t - t0) / (t1 - t0) if t1 > t0 else v1
    return vs[-1]


def day_fit(plan, start_clock_min: float, settings: DaySettings | None = None, finish_min: float | None = None,
            started_min: float = 0.0) -> DayFit:
    """Does the plan's expected finish fit the day? `start_clock_min`: the time of day (minutes after
    midnight) of session minute 0; `finish_min`: the expected end if not the plan's (a pause running on);
    `started_min`: when the infusion began (session minutes), for the longest-infusion check."""
    settings = settings or DaySettings()
    end = plan.end_min if finish_min is None else finish_min
    closing = parse_time_of_day(settings.closing)
    close_at = closing - start_clock_min  # session minutes
    if close_at <= 0:
        close_at += 24 * 60  # started after closing time: the closing of the next day
    limits = [(close_at, f"the unit's closing time, {settings.closing}")]
    if settings.max_hours is not None:
        limits.append((started_min + settings.max_hours * 60, f"the longest infusion the unit accepts, "
                                                              f"{settings.max_hours:g} h"))
    finish_clock = time_of_day(start_clock_min + end)
    over = [(at, why) for at, why in limits if end > at + 1e-9]
    if not over:
        return DayFit(True, end, finish_clock, "")
    stop_at, why = min(over)
    given_ml = min(volume_by(plan, stop_at), plan.volume_ml)
    given_g, total_g = plan.grams(given_ml), plan.grams(plan.volume_ml)
    remainder = max(total_g - given_g, 0.0)
    stop_clock = time_of_day(start_clock_min + stop_at)
    message = (f"At the planned rates the infusion ends at {finish_clock}, after {why}. "
               f"It does not fit the day: choose what to do now.")
    choices = (
        Choice("prescriber", "Discuss with the prescriber (a different rate within the label's limits, "
                             "or a plan for another day)."),
        Choice("stop-at", f"Stop at {stop_clock}: record the dose given by then (about {given_g:.1f} g of "
                          f"{total_g:.1f} g) and the remainder ({remainder:.1f} g) to give another day."),
    )
    return DayFit(False, end, finish_clock, message, choices, stop_at, given_g, remainder)
