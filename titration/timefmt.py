"""Every time a nurse reads, worded in one place, each function named for what it gives.

Two kinds of time: a span (how long: "1:30", "2 h 04 min") and a time of day ("10:45").
Session times are minutes from the planned start; a time of day needs the wall-clock start of
the infusion (epoch seconds). One rounding rule everywhere: to the nearest whole minute (half
a minute up), so a finish time, the time left and the clock agree on every screen and export.
The core never reads the clock: `minutes_after_midnight` and `wall_time` turn a wall time the
caller gives into local words.
"""
from __future__ import annotations

import math
import time

from .errors import InputError

DAY_MIN = 24 * 60


def whole_minutes(minutes: float) -> int:
    """The one rounding rule: the nearest whole minute, half a minute up (never banker's rounding)."""
    return int(math.floor(minutes + 0.5))


# ---------------------------------------------------------------- spans
def span_hm(minutes: float) -> str:
    """A span as h:mm ("1:30", "0:05"): plan tables, times after the start."""
    m = whole_minutes(minutes)
    sign = "-" if m < 0 else ""
    m = abs(m)
    return f"{sign}{m // 60}:{m % 60:02d}"


def span_words(minutes: float) -> str:
    """A span in words ("2 h 04 min", "45 min")."""
    m = max(0, whole_minutes(minutes))
    h, rest = divmod(m, 60)
    return f"{h} h {rest:02d} min" if h else f"{rest} min"


def countdown(minutes: float) -> str:
    """A countdown to the second ("4:05", "1:02:03"): seconds matter only while counting down."""
    s = max(0, int(math.floor(minutes * 60 + 0.5)))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def after_start(t_min: float, started_min: float | None) -> str:
    """'+0:42' since the pump start; '' before it (or when it has not started)."""
    if started_min is None or t_min < started_min - 1e-9:
        return ""
    return "+" + span_hm(t_min - started_min)


def after_start_seconds(t_min: float, started_min: float | None) -> str:
    """'+0:42:05' since the pump start, for an event's own time; '' before the start."""
    if started_min is None or t_min < started_min - 1e-9:
        return ""
    s = int(math.floor((t_min - started_min) * 60 + 0.5))
    return f"+{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def day_offset(at_min: float) -> str:
    """A time with no clock in it, for a de-identified record: 'day 0, +1:30' after the start."""
    m = max(0, whole_minutes(at_min))
    day, rest = divmod(m, DAY_MIN)
    return f"day {day}, +{rest // 60}:{rest % 60:02d}"


# ---------------------------------------------------------------- times of day
def time_of_day(minutes_after_midnight: float) -> str:
    """'10:45' for minutes after midnight; a later day says so ('00:30 (+1 day)')."""
    m = whole_minutes(minutes_after_midnight)
    day, rest = divmod(m, DAY_MIN)
    return f"{rest // 60:02d}:{rest % 60:02d}" + (f" (+{day} day)" if day > 0 else "")


def parse_time_of_day(text: str, field: str = "closing time") -> float:
    """'18:00' -> minutes after midnight; InputError naming the field otherwise."""
    try:
        h, m = str(text).strip().split(":")
        if not (h.isdigit() and m.isdigit() and len(m) == 2):
            raise ValueError
        hh, mm = int(h), int(m)
        if not (0 <= hh <= 23 and 0 <= mm <= 59):
            raise ValueError
    except ValueError:
        raise InputError(field, text, "a time of day like 18:00") from None
    return hh * 60.0 + mm


def minutes_after_midnight(wall: float) -> float:
    """Local minutes after midnight of a wall-clock time (epoch seconds)."""
    lt = time.localtime(wall)
    return lt.tm_hour * 60 + lt.tm_min + (wall - math.floor(wall) + lt.tm_sec) / 60.0


def wall_time(wall: float) -> str:
    """'10:45': a wall-clock time (epoch seconds) as a local time of day, rounded like every other."""
    return time_of_day(minutes_after_midnight(wall)).split(" ")[0]


def wall_time_seconds(wall: float) -> str:
    """'10:45:07': a wall-clock time to the second, never rounded up (when something was last heard)."""
    return time.strftime("%H:%M:%S", time.localtime(math.floor(wall)))


def wall_date_time(wall: float) -> str:
    """'2026-12-01 10:45': a wall-clock time with its date (lists and records)."""
    rounded = math.floor(wall / 60.0 + 0.5) * 60.0
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(rounded))


def session_time(t_min: float | None, wall_start: float | None, speed: float = 1.0) -> str:
    """A session time as the nurse reads it: the time of day when the wall start is known, else
    '+h:mm' from the planned start; '—' for no time. `speed`: a training run's simulation speed."""
    if t_min is None:
        return "—"
    if wall_start is None:
        return "+" + span_hm(t_min)
    return wall_time(wall_start + t_min * 60.0 / (speed or 1.0))


def finish_words(now_min: float, end_min: float | None, wall_start: float | None, speed: float = 1.0) -> str:
    """'10:45, 2 h 04 min left' (or '10:45, due now'); '—' without an end."""
    if end_min is None:
        return "—"
    at = session_time(end_min, wall_start, speed)
    left = whole_minutes(end_min - now_min)
    return f"{at}, {span_words(left)} left" if left > 0 else f"{at}, due now"
