"""The infusion record as CSV: one row per event (the 'planned' event left out)."""
from __future__ import annotations

import csv
import time

from titration.report.deidentify import elapsed
from titration.report.table import clock

RECORD_CSV_HEADER = ["at_min", "elapsed", "clock", "kind", "who", "what", "rate_ml_h", "grade"]


def describe(e, catalogue) -> str:
    try:  # one wording for the on-screen log and the printed record
        from ..event_log import describe as words
    except ImportError:  # the log widget is optional for exports
        return f"{e.kind} " + ", ".join(f"{k}={v}" for k, v in e.data.items() if k != "plan")
    return words(e, catalogue)


def write_record_csv(session, path: str, clean, wall_start: float | None = None, deidentified: bool = False) -> None:
    """`clean` is applied to every text cell (the de-identifying scrubber, or nothing). A
    de-identified record has no clock column values and gives elapsed time as 'day 0, +1:30'."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(RECORD_CSV_HEADER)
        for e in session.events:
            if e.kind == "planned":
                continue
            wall = "" if wall_start is None or deidentified else \
                time.strftime("%Y-%m-%d %H:%M", time.localtime(wall_start + e.at_min * 60))
            w.writerow([round(e.at_min, 2), elapsed(e.at_min) if deidentified else clock(e.at_min), wall, e.kind,
                        clean(e.who), clean(describe(e, session.catalogue)), e.data.get("rate_ml_h", ""),
                        e.data.get("grade", "")])
