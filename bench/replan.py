"""replan_p95_ms: symptom recorded -> action proposed -> plan rebuilt -> chart data updated,
with 10,000 events already in the session's history."""
import copy
import time

from common import long_session, percentile


def run(n_events: int = 10_000, rounds: int = 200) -> dict:
    from titration.chartdata import DeliveredTrace, plan_curve, rate_steps

    base, t0 = long_session(n_events)
    times = []
    for i in range(rounds):
        s = copy.deepcopy(base)  # a fresh copy each round; not timed
        trace = DeliveredTrace()
        trace.update(s, t0)
        t = t0 + 1.0
        start = time.perf_counter()
        p = s.report_symptoms(t, ["chills" if i % 2 else "rigors"])  # symptom recorded, action proposed
        s.confirm(t, p)  # confirmed: the plan is rebuilt
        plan_curve(s.plan), rate_steps(s.plan)  # chart data for the new plan
        trace.update(s, t), trace.rates(s, t)
        times.append((time.perf_counter() - start) * 1000)
    return {"replan_p95_ms": percentile(times, 0.95), "_replan_median_ms": percentile(times, 0.5)}


if __name__ == "__main__":
    print(run())
