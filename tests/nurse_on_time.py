"""A nurse who does what is due, on time: the tests' way of running an infusion forward."""
from __future__ import annotations


def follow(s, until: float) -> None:
    """Confirm whatever the session says is due (steps, reviews, the end), when it is due, up to `until`."""
    while True:
        nxt = s.next_due_at()
        if nxt is None or nxt > until:
            return
        t = max(nxt, s.events[-1].at_min)
        p = s.due(t)
        if p is None:
            return
        s.confirm(t, p)
