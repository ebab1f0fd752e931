"""Small wording helpers every screen and command shares, so a count reads as English ("1 event",
"2 events"), never "1 events" or "event(s)"."""
from __future__ import annotations


def count(n: int, singular: str, plural: str | None = None) -> str:
    """'1 event', '3 events', '0 chairs'."""
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"
