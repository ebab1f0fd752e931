"""pdf_export_s: a rate-chart PDF (A4), in a warm process, median of repeated exports."""
import os
import tempfile
import time

from common import median


def run() -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from titration.plan import PlanRequest, build_plan
    from ui.exports.plan_export import export_plan_file

    app = QApplication.instance() or QApplication([])  # noqa: F841 (kept alive for the exports)
    plan = build_plan(PlanRequest("octagam-10", "itp", 70, 1.0))
    times = []
    with tempfile.TemporaryDirectory() as d:
        for i in range(8):
            path = os.path.join(d, f"plan{i}.pdf")
            t = time.perf_counter()
            export_plan_file(plan, path)
            times.append(time.perf_counter() - t)
    return {"pdf_export_s": median(times[1:]), "_pdf_first_export_s": times[0]}


if __name__ == "__main__":
    print(run())
