"""`python bench/train_many.py [N ...]`: `train` replaying N recorded actions (speed under abuse).

A trainee's file of N notes and observations after the perfect nurse's own actions. The time
should grow in proportion to N (linear), not N squared. Prints seconds and seconds per 1,000 actions.
Beyond the responses file's limit (20,000 actions, 5 MB) `train` refuses the file at once; the
replay itself is then timed in-process (TrainingRun.replay), to show it stays linear.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import ROOT

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
    import contextlib
    import io

    from titration.cli.main import main
    from titration.training.responses import MAX_ACTIONS
    from titration.training.run import TrainingRun
    from titration.training.scenario import read_scenario

    out = {}
    with tempfile.TemporaryDirectory() as d:
        for n in sizes:
            path = os.path.join(d, f"r{n}.json")
            with open(path, "w") as fh:
                json.dump(responses(n), fh)
            t = time.perf_counter()
            if n <= MAX_ACTIONS:
                with contextlib.redirect_stdout(io.StringIO()):  # the debrief is not the point here
                    rc = main(["train", SCENARIO, "--responses", path, "--json"])
            else:
                with open(path) as fh:
                    doc = json.load(fh)
                TrainingRun.replay(read_scenario(SCENARIO), doc["responses"], seed=0).debrief()
                rc = "(in-process: over the file limit)"
            dt = time.perf_counter() - t
            out[f"_train_{n}_s"] = dt
            if n == 10_000:
                out["train_10k_s"] = dt
            print(f"{n:>7} actions: {dt:7.2f} s  ({dt / n * 1000:.3f} s per 1,000)  exit {rc}", file=sys.stderr)
    return out


if __name__ == "__main__":
    run(tuple(int(x) for x in sys.argv[1:]) or (1_000, 10_000))
