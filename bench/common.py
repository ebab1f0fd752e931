"""Shared bits for the benchmarks: paths, a 10,000-event session, percentiles."""
from __future__ import annotations

import os
import statistics
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
PY = sys.executable


def compile_sources() -> None:
    """Write our .pyc files, as an install does. A warm-up run cannot where PYTHONDONTWRITEBYTECODE
    is set (this machine sets it): every start would then compile our modules, ~15 ms of a
    `plan --json` that no installed copy pays."""
    import compileall

    for d in ("titration", "ui"):
        compileall.compile_dir(os.path.join(ROOT, d), quiet=1)
    compileall.compile_file(os.path.join(ROOT, "main.py"), quiet=1)


def percentile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    k = (len(xs) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def median(xs):
    return statistics.median(xs)


def long_session(n_events: int):
    """A running Octagam 10% infusion whose history holds n_events events (vitals, notes, steps)."""
    from titration.plan import PlanRequest, build_plan
    from titration.session import Session
    from titration.vitals import Vitals

    # A large dose (set aside as a single infusion, with a reason) at a low unit cap, so the
    # infusion is still running after many events.
    s = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 2.0, max_ml_h=60,
                                       overrides=(("single-dose", "benchmark: a long infusion"),))))
    base = Vitals(temp_c=36.8, pulse=72, sbp=124, dbp=78, spo2=98, rr=14)
    s.record_vitals(0, base)
    s.start(0)
    t = 0.0
    while len(s.events) < n_events:
        t += 0.01
        p = s.due(t)
        if p is not None:
            s.confirm(t, p)
        elif len(s.events) % 2:
            s.record_vitals(t, base)
        else:
            s.note(t, "observation")
    return s, t
