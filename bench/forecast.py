"""forecast_10k_s: the chair-time forecast over 10,000 simulated infusions."""
import time

from common import median


def run() -> dict:
    from titration.forecast import forecast
    from titration.plan import PlanRequest, build_plan

    plan = build_plan(PlanRequest("octagam-10", "itp", 70, 1.0))
    forecast(plan, n=10_000, seed=1)  # warm-up (numpy's first calls)
    times = []
    for seed in range(7):
        t = time.perf_counter()
        forecast(plan, n=10_000, seed=seed)
        times.append(time.perf_counter() - t)
    return {"forecast_10k_s": median(times)}


if __name__ == "__main__":
    print(run())
