"""`python bench/train_many.py [N ...]`: `train` replaying N recorded actions (issue 11, speed under abuse).

A trainee's file of N notes and observations after the perfect nurse's own actions. The time
should grow in proportion to N (linear), not N squared. Prints seconds and seconds per 1,000 actions.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import ROOT  # noqa: E402

SCENARIO = os.path.join(ROOT, "resources", "scenarios", "02-mild-reaction-first-increase.toml")


def responses(n: int) -> dict:
    from titration.training.run import perfect_run
    from titration.training.scenario import read_scenario

    run = perfect_run(read_scenario(SCENARIO), close=False)
    base = run.responses()
    start = next(i for i, r in enumerate(base) if r["kind"] == "start")
    at = base[start]["at_min"]
    extra = []
    for i in range(n):  # all at the start minute, between the start and the first step
        if i % 2:
            extra.append({"at_min": at, "kind": "note", "who": "nurse", "text": f"note {i}"})
        else:
            extra.append({"at_min": at, "kind": "vitals", "who": "nurse",
                          "vitals": {"temp_c": 36.8, "pulse": 76, "sbp": 122, "dbp": 76, "spo2": 98, "rr": 14}})
    return {"seed": 0, "responses": base[:start + 1] + extra + base[start + 1:]}


def run(sizes=(1_000, 10_000)) -> dict:
    from titration.cli.main import main

    out = {}
    with tempfile.TemporaryDirectory() as d:
        for n in sizes:
            path = os.path.join(d, f"r{n}.json")
            with open(path, "w") as fh:
                json.dump(responses(n), fh)
            t = time.perf_counter()
            rc = main(["train", SCENARIO, "--responses", path, "--json"])
            dt = time.perf_counter() - t
            out[f"_train_{n}_s"] = dt
            print(f"{n:>7} actions: {dt:7.2f} s  ({dt / n * 1000:.3f} s per 1,000)  exit {rc}", file=sys.stderr)
    return out


if __name__ == "__main__":
    sizes = tuple(int(x) for x in sys.argv[1:]) or (1_000, 10_000)
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        run(sizes)
