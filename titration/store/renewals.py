"""When each lease driven from this workstation was last renewed, on two clocks: what it may vouch
for to a unit server restored from a backup (pg_leases.py, ivig_vouch).

A vouch says "nobody can have taken this chair over since": only true of a lease renewed less than a
lease's length ago. Both clocks must say so: the one that runs through a suspend (the monotonic one
where the system has none) and the wall clock, so neither a sleep nor a clock set back makes a long
silence look short.
"""
from __future__ import annotations

import time

from .pg_common import LEASE_S

VOUCH_MARGIN_S = 15.0  # clocks run at slightly different rates: vouch only well inside the lease


def clocks() -> tuple[float, float]:
    """(a clock that runs through a suspend where the system has one, else the monotonic clock;
    the wall clock)."""
    boot = getattr(time, "CLOCK_BOOTTIME", None)
    return (time.clock_gettime(boot) if boot is not None else time.monotonic()), time.time()


class Renewals:
    def __init__(self):
        self._at: dict[str, tuple[int, tuple[float, float]]] = {}  # uid -> (epoch, clocks() as the call began)

    def note(self, uid: str, epoch: int, began: tuple[float, float]) -> None:
        self._at[uid] = (epoch, began)

    def to_vouch(self) -> list[tuple[str, int]]:
        """(uid, epoch) of the leases renewed well inside a lease's length ago, by both clocks."""
        mono, wall = clocks()
        limit = LEASE_S - VOUCH_MARGIN_S
        return [(uid, epoch) for uid, (epoch, (m0, w0)) in self._at.items()
                if 0 <= mono - m0 < limit and 0 <= wall - w0 < limit]
