"""replan_p95_ms: symptom recorded -> action proposed -> plan rebuilt -> chart updated, with
10,000 events already in the session's history. Also reported: the core alone (no chart)."""
import copy
import gc
import time

from common import long_session, percentile


def run(n_events: int = 10_000, rounds: int = 200) -> dict:
    from titration.report.chartdata import DeliveredTrace, plan_curve, rate_steps

    base, t0 = long_session(n_events)
    times = []
    for i in range(rounds):
        s = copy.deepcopy(base)  # a fresh copy each round; not timed
        trace = DeliveredTrace()
        trace.update(s, t0)
        t = t0 + 1.0
        gc.collect()  # the copy's garbage is the benchmark's, not the replan's: collected before timing
        start = time.perf_counter()
        p = s.report_symptoms(t, ["chills" if i % 2 else "rigors"])  # symptom recorded, action proposed
        s.confirm(t, p)  # confirmed: the plan is rebuilt
        plan_curve(s.plan), rate_steps(s.plan)  # chart data for the new plan
        trace.update(s, t), trace.rates(s, t)
        times.append((time.perf_counter() - start) * 1000)
    out = {"_replan_core_p95_ms": percentile(times, 0.95), "_replan_core_median_ms": percentile(times, 0.5)}
    out.update(with_chart(base, t0))
    return out


def with_chart(base, t0: float, rounds: int = 60) -> dict:
    """The same, through to the chair's chart as the chair draws it: its feed hands the chart one
    frame (the new markers appended, only the planned part redrawn)."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from ui.chart.feed import ChartFeed
    from ui.chart.infusion_chart import InfusionChart

    app = QApplication.instance() or QApplication([])
    chart = InfusionChart()
    chart.resize(420, 560)
    chart.show()
    times = []
    cpu = []  # the process's own time: what the replan costs, whatever else the machine is doing
    for i in range(rounds):
        s = copy.deepcopy(base)
        feed = ChartFeed(s)
        chart.show_frame(feed.frame(t0))
        app.processEvents()
        t = t0 + 1.0
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        p = s.report_symptoms(t, ["chills" if i % 2 else "rigors"])
        s.confirm(t, p)
        chart.show_frame(feed.frame(t))  # the new events: their markers appended, the new plan drawn
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return {"replan_p95_ms": percentile(times, 0.95), "_replan_chart_median_ms": percentile(times, 0.5),
            "_replan_chart_cpu_p95_ms": percentile(cpu, 0.95)}


if __name__ == "__main__":
    print(run())
