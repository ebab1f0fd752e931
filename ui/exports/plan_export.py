"""The rate chart: before the start, the plan; on a running or ended chair, what happened (delivered
volume and rate, pauses, the stop) beside what is planned from now."""
from __future__ import annotations

import csv
from pathlib import Path

from titration.errors import InputError
from titration.report.files import written
from titration.report.names import export_title
from titration.report.table import write_plan_csv
from titration.timefmt import span_hm

from .document import Document
from .facts import (
    chart_block,
    generated,
    happened_table,
    patient_dict,
    patient_lines,
    plan_facts,
    record_facts,
    step_table,
    what_happened,
)
from .render import CHART_SIZE, DECISION_SUPPORT, PDF_CHART_SIZE, TITLE_HEIGHT, done, export_chart, write_png, write_svg

FORMATS = (".pdf", ".png", ".svg", ".csv")
HAPPENED_CSV_HEADER = ["start_min", "end_min", "elapsed_start", "elapsed_end", "state", "rate_ml_h", "rate_mg_kg_min",
                       "volume_ml", "cumulative_ml"]


def export_plan_file(plan, path, *, page: str = "a4", patient: dict | str | None = None, deidentified: bool = False,
                     wall_start: float | None = None, session=None, now_min: float | None = None,
                     field: str = "export file") -> str:
    """Write the rate chart to `path` (.pdf .png .svg .csv, by the extension). With a started
    `session`, the chart shows what happened up to `now_min` (default: its last event)."""
    path = str(path)
    patient = patient_dict(patient)
    ext = Path(path).suffix.lower()
    if ext not in FORMATS:
        raise InputError(field, path, "a file ending in .pdf, .png, .svg or .csv")
    started = session is not None and session.status != "planned"
    if session is not None:
        plan = session.original_plan
    now: float | None = now_min
    at = 0.0  # a started chair: what happened runs to this minute
    if started:
        at = now = now_min if now_min is not None else (session.events[-1].at_min if session.events else 0.0)
    training = bool(session is not None and session.training)
    title = export_title("rate chart" if started else "rate plan", plan.product_name, patient_id=patient.get("id"),
                         deidentified=deidentified, training=training, when=wall_start)
    with written(path, field) as tmp:
        if ext == ".csv":
            if started:
                _happened_csv(session, at, tmp)
            else:
                write_plan_csv(plan, tmp)
            return path
        pdf = ext == ".pdf"
        size = PDF_CHART_SIZE if pdf else (CHART_SIZE[0], CHART_SIZE[1] - TITLE_HEIGHT)
        ended = started and session.state.end_min is not None
        chart = export_chart(plan=None if started else plan, session=session if started else None, now_min=now,
                             wall_start=wall_start, size=size, large=pdf, show_now=not ended)
        try:
            if ext == ".png":
                write_png(chart, tmp, title)
            elif ext == ".svg":
                write_svg(chart, tmp, title)
            elif started:
                _happened_pdf(session, chart, tmp, page, patient, deidentified, at, title)
            else:
                _plan_pdf(plan, chart, tmp, page, patient, deidentified, title)
        finally:
            done(chart)
    return path


def _happened_csv(session, now: float, path: str) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HAPPENED_CSV_HEADER)
        for r in what_happened(session, now):
            w.writerow([round(float(r["start_min"]), 2), round(float(r["end_min"]), 2), span_hm(r["start_min"]),
                        span_hm(r["end_min"]), r["state"], float(r["rate_ml_h"]), round(r["rate_mg_kg_min"], 4),
                        round(r["volume_ml"], 2),
                        round(r["cumulative_ml"], 2)])


def _head(doc: Document, title: str, patient, deidentified: bool, plan) -> None:
    doc.text(title, 15, bold=True)
    doc.text(DECISION_SUPPORT, 10, bold=True, colour="#A03A00", space_before=2)
    doc.lines(patient_lines(patient, deidentified), pt=10.5, indent=0)
    doc.lines(plan_facts(plan), pt=10.5, indent=0)
    if plan.protocol_kind == "local":
        doc.text("LOCAL PROTOCOL: the label gives no step sizes; these steps are your unit's, not the manufacturer's.",
                 10, bold=True, colour="#A03A00", space_before=3)


def _tail(doc: Document, plan, deidentified: bool) -> int:
    doc.heading("How these numbers were worked out")
    doc.lines(plan.arithmetic())
    doc.heading("Sources")
    doc.lines(list(plan.sources) or ["—"])
    doc.spacer(8)
    doc.text(DECISION_SUPPORT, 10, bold=True)
    doc.text(generated(deidentified) + " by the IVIg titration assistant.", 9, colour="#333333")
    return doc.save()


def _plan_pdf(plan, chart, path: str, page: str, patient, deidentified: bool, title: str) -> int:
    doc = Document(path, page, title, title)
    _head(doc, title, patient, deidentified, plan)
    doc.heading("Rate steps")
    step_table(doc, plan)
    doc.heading("Chart")
    chart_block(doc, chart, doc.height * 0.55)
    return _tail(doc, plan, deidentified)


def _happened_pdf(session, chart, path: str, page: str, patient, deidentified: bool, now: float, title: str) -> int:
    p0 = session.original_plan
    doc = Document(path, page, title, title)
    _head(doc, title, patient, deidentified, p0)
    doc.heading(f"What happened (to {span_hm(now)} after the start)")
    doc.lines(record_facts(session, now), pt=10.5)
    happened_table(doc, session, now, span_hm)
    doc.heading("Chart: planned (faint), delivered (solid), events")
    chart_block(doc, chart, doc.height * 0.5)
    if session.status in ("running", "paused") and session.plan.steps:
        doc.heading("Rate steps planned from now")
        step_table(doc, session.plan)
    return _tail(doc, session.plan, deidentified)
