"""The infusion record after an infusion: .pdf (chart, events, vitals, reactions, signature lines)
or .csv (the events). `deidentified=True` (for teaching) writes it from the de-identified
session (titration/report/deidentify.py): no identifier, no free text, no wall-clock time."""
from __future__ import annotations

import time
from pathlib import Path

from titration.errors import InputError
from titration.report.chartdata import markers
from titration.report.deidentify import Scrubber, deidentified_session, elapsed
from titration.report.files import written
from titration.report.table import clock

from .document import Document, neutral_dates
from .facts import chart_block, end_min, generated, patient_dict, patient_lines, plan_facts, record_facts
from .names import export_title
from .record_csv import describe, write_record_csv
from .render import DECISION_SUPPORT, PDF_CHART_SIZE, done, export_chart


def export_record_file(session, path, *, deidentified: bool = False, patient: dict | str | None = None,
                       page: str = "a4", now_min: float | None = None, wall_start: float | None = None,
                       field: str = "record file") -> str:
    """The infusion record: .pdf or .csv, created 0600 (it is a patient's record)."""
    path = str(path)
    patient = patient_dict(patient)
    ext = Path(path).suffix.lower()
    if ext not in (".pdf", ".csv"):
        raise InputError(field, path, "a file ending in .pdf or .csv")
    now = end_min(session) if now_min is None else now_min
    if deidentified:
        session, wall_start = deidentified_session(session), None  # no free text, no clock time
        scrub = Scrubber(patient)
    else:
        scrub = str
    with written(path, field) as tmp:
        if ext == ".csv":
            write_record_csv(session, tmp, scrub, wall_start, deidentified)
            return path
        ended = session.state.end_min is not None
        chart = export_chart(session=session, now_min=now, wall_start=wall_start, size=PDF_CHART_SIZE, large=True,
                             show_now=not ended)
        try:
            _record_pdf(session, chart, tmp, page, patient, deidentified, now, scrub, wall_start)
        finally:
            done(chart)
        if deidentified:
            neutral_dates(tmp)
    return path


def _when(at_min: float, wall_start: float | None) -> str:
    """Elapsed h:mm, with the clock time in front when the start's wall time is known."""
    if wall_start is None:
        return clock(at_min)
    return time.strftime("%H:%M", time.localtime(wall_start + at_min * 60.0)) + f" (+{clock(at_min)})"


def _record_pdf(session, chart, path, page, patient, deidentified, now, scrub, wall_start=None) -> int:
    when = (lambda t: elapsed(t)) if deidentified else (lambda t: _when(t, wall_start))
    p0 = session.original_plan
    title = export_title("infusion record", p0.product_name, patient_id=patient.get("id"), deidentified=deidentified,
                         training=session.training, when=wall_start)
    doc = Document(path, page, scrub(title), scrub(title))
    doc.text(scrub(title), 15, bold=True)
    doc.lines([scrub(t) for t in patient_lines(patient, deidentified)], pt=10.5, indent=0)
    doc.lines([scrub(t) for t in plan_facts(p0)], pt=10.5, indent=0)
    doc.heading("Summary")
    if wall_start is not None:
        doc.lines([time.strftime("Started: %Y-%m-%d %H:%M %Z", time.localtime(wall_start))], pt=10.5)
    doc.lines([scrub(t) for t in record_facts(session, now)], pt=10.5)
    doc.heading("Timeline")
    chart_block(doc, chart, doc.height * 0.5)

    reactions = [m for m in markers(session) if m.kind in ("symptoms", "slow", "pause", "resume", "stop", "resolved")]
    doc.heading("Reactions and actions")
    if reactions:
        doc.table(["Time", "What"], [[when(m.at_min), scrub(m.label)] for m in reactions],
                  [1.3 if wall_start or deidentified else 0.7, 6.0], pt=9.5)
    else:
        doc.lines(["No reaction recorded."])

    vit = [e for e in session.events if e.kind == "vitals" or (e.kind == "symptoms" and "vitals" in e.data)]
    doc.heading("Vital signs")
    if vit:
        body = []
        for e in vit:
            v = e.data.get("vitals", {})
            bp = f"{v['sbp']:g}/{v['dbp']:g}" if "sbp" in v and "dbp" in v else f"{v.get('sbp', '')}"

            def num(key, fmt="g", v=v):
                return format(v[key], fmt) if key in v else ""

            body.append([when(e.at_min), num("temp_c", ".1f"), num("pulse"), bp, num("spo2"), num("rr"),
                         e.data.get("grade", "with symptoms"), scrub(e.who)])
        doc.table(["Time", "Temp °C", "Pulse", "BP", "SpO2 %", "RR", "Grade", "Who"], body,
                  [1.3 if wall_start or deidentified else 0.8, 0.9, 0.8, 1.0, 0.8, 0.6, 1.2, 1.0], pt=9.5,
                  align_right={1, 2, 3, 4, 5})
    else:
        doc.lines(["No vital signs recorded."])

    doc.heading("Events")
    body = [[when(e.at_min), scrub(e.who), scrub(describe(e, session.catalogue))]
            for e in session.events if e.kind != "planned"]
    doc.table(["Time", "Who", "What"], body, [1.3 if wall_start or deidentified else 0.7, 0.9, 6.0], pt=9,
              shade=lambda i: "#F6F6F6" if i % 2 else None)

    doc.heading("Signatures")
    for who in ("Nurse", "Second check"):
        doc.sign_here([(f"{who} (name)", 0.45), ("Signature", 0.33), ("Date", 0.22)])
    doc.spacer(10)
    doc.text(DECISION_SUPPORT, 9.5, bold=True)
    times = "Times are elapsed from the start (day, +h:mm)." if deidentified else \
        "Times are clock time (+h:mm from the start)." if wall_start else "Times are h:mm from the start."
    doc.text(f"{generated(deidentified)} by the IVIg titration assistant. {times}", 9, colour="#333333")
    return doc.save()


