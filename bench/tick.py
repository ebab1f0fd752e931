"""tick_ratio: one live update at 10,000 events against at 10 events (core + chart data).

A live update is what the chair view does every tick: what is due, the vitals due, volume in,
the expected end, and the delivered trace's tip. It must not grow with the history.
"""
import time

from common import long_session, median


def tick_cost(session, t0: float, ticks: int = 2000) -> float:
    from titration.chartdata import DeliveredTrace

    trace = DeliveredTrace()
    trace.update(session, t0)
    samples = []
    for rep in range(7):
        start = time.perf_counter()
        for k in range(ticks):
            t = t0 + k * 1e-4
            session.due(t), session.vitals_due(t), session.delivered_ml(t), session.expected_end(t)
            session.next_step_at()
            trace.update(session, t), trace.rates(session, t)
        samples.append((time.perf_counter() - start) / ticks)
    return median(samples)


def run() -> dict:
    small, ts = long_session(10)
    big, tb = long_session(10_000)
    # interleave to share the machine's noise
    a, b = [], []
    for _ in range(3):
        a.append(tick_cost(small, ts))
        b.append(tick_cost(big, tb))
    return {"tick_ratio": median(b) / median(a), "_tick_us_10": median(a) * 1e6, "_tick_us_10k": median(b) * 1e6}


if __name__ == "__main__":
    print(run())
