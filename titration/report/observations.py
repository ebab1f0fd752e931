"""Were the observations taken when they were due? Each round of vital signs the schedule asked for
(clinical-reference 2.4: every 15 min while titrating or during a reaction, at each increase,
hourly at the maximum, at the end and after the observation hour), against when they were taken.

The events are replayed in order into a fresh session and asked, before each one, what was due:
the same rules the chair's countdown showed, so the record and the screen agree.
"""
from __future__ import annotations

from dataclasses import dataclass

LATE_AFTER_MIN = 5.0  # a round taken more than 5 min after it fell due is late (as a training debrief allows)


@dataclass(frozen=True, slots=True)
class Round:
    due_min: float
    why: str
    taken_min: float | None  # None: missed
    status: str  # on time | late | missed | not yet due

    @property
    def late_by(self) -> float:
        return 0.0 if self.taken_min is None else max(0.0, self.taken_min - self.due_min)


def _has_vitals(e) -> bool:
    return e.kind == "vitals" or (e.kind == "symptoms" and "vitals" in e.data)


def _interval(why: str) -> float:
    return 60.0 if why.startswith("hourly") else 15.0


def rounds(session, until: float | None = None) -> list[Round]:
    """Every round due up to `until` (default: the last event), with when it was taken, if it was.
    A round not taken by the time the schedule moved on (the next observations, a step, the end)
    and more than LATE_AFTER_MIN overdue then is missed."""
    from ..session import Session

    events = session.events
    if not events:
        return []
    until = events[-1].at_min if until is None else until
    s = Session.replay(events[:1], session.policy, session.catalogue)
    watch = RoundsWatch()
    for e in events[1:]:
        watch.before(s, e)
        s.apply(e)
    return watch.finish(s, until)


class RoundsWatch:
    """The rounds of one replay, event by event: `before(session, event)` ahead of each event the
    replay applies, then `finish(session, until)` (the unit report replays each infusion once)."""

    def __init__(self):
        self.out: list[Round] = []
        self.seen: set[float] = set()  # due times already listed
        self.where: dict[float, int] = {}  # due time -> its row in `out`

    def _keep(self, rs) -> None:
        for r in rs:
            key = round(r.due_min, 4)
            if key in self.where and r.taken_min is not None:  # listed as overdue, taken since: late, not missed
                self.out[self.where[key]] = r
            elif key not in self.seen:
                self.seen.add(key)
                self.where[key] = len(self.out)
                self.out.append(r)

    def before(self, s, e) -> None:
        if s.status == "planned":
            return
        due = s.vitals_due(e.at_min)
        if due is not None:
            self._keep(_between(due, e.at_min, self.seen) if _has_vitals(e) else _passed(due, e.at_min, self.seen))

    def finish(self, s, until: float) -> list[Round]:
        due = s.vitals_due(until)
        if due is not None and s.status not in ("planned", "closed"):
            self._keep(_between(due, None, self.seen, until))
        return self.out


def _passed(due: tuple[float, str], now: float, seen: set[float]) -> list[Round]:
    """Rounds overdue by more than LATE_AFTER_MIN at `now`, not taken (an event that is not observations)."""
    at, why = due
    out = []
    while at + LATE_AFTER_MIN < now - 1e-9:
        if round(at, 4) not in seen:
            out.append(Round(at, why, None, "missed"))
        at += _interval(why)
    return out


def _between(due: tuple[float, str], taken: float | None, seen: set[float], until: float | None = None) -> list[Round]:
    """The round due at due[0], taken at `taken` (None: not yet), and any missed in between."""
    at, why = due
    step = _interval(why)
    out = []
    end = taken if taken is not None else until
    # rounds that fell due and passed a whole interval without observations are missed
    while end is not None and end >= at + step - 1e-9 and (taken is None or taken > at + LATE_AFTER_MIN):
        if round(at, 4) not in seen:
            out.append(Round(at, why, None, "missed"))
        at += step
    if taken is None:
        if until < at - 1e-9:
            out.append(Round(at, why, None, "not yet due"))
        else:
            out.append(Round(at, why, None, "missed" if until > at + LATE_AFTER_MIN else "due now"))
        return out
    if taken < at - 1e-9:
        return out  # taken before it fell due: an extra observation, not a round
    out.append(Round(at, why, taken, "late" if taken > at + LATE_AFTER_MIN else "on time"))
    return out


def summary(rs: list[Round]) -> str:
    late = sum(1 for r in rs if r.status == "late")
    missed = sum(1 for r in rs if r.status == "missed")
    done = sum(1 for r in rs if r.taken_min is not None)
    if not late and not missed:
        return f"Observations: {done} rounds, all on time"
    return f"Observations: {done} rounds taken; {late} LATE, {missed} MISSED"
