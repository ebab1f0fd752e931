"""The infusion record as a PDF page a ward files: summary, nurses, vials and lots, premedication,
the timeline chart, reactions (during and after the infusion, with grade, kind and the action
taken), vital signs with each round's timeliness, every event, and signature lines.

What it says is worked out in the core (titration/report/record.py); the CSV and FHIR files are
written there too, by the same `write_record` the command line uses (`journal export`). This
module only draws: `write_record_pdf` is the PDF writer handed to it.
"""
from __future__ import annotations

from titration.report.export import format_of, write_record
from titration.report.names import export_title
from titration.report.record import RecordSource

from .document import Document, neutral_dates
from .facts import chart_block, end_min, generated, patient_dict, patient_lines
from .render import DECISION_SUPPORT, PDF_CHART_SIZE, done, export_chart

FINDING_WORDS = {"matched": "product checked", "unknown-gtin": "GTIN not in library", "other-product": "OTHER PRODUCT"}


def export_record_file(session, path, *, deidentified: bool = False, patient: dict | str | None = None,
                       page: str = "a4", now_min: float | None = None, wall_start: float | None = None,
                       field: str = "record file", chair: str = "", uid: str | None = None,
                       session_id: int | None = None, force: bool = True) -> str:
    """The infusion record: .pdf, .csv or .json (FHIR), created 0600 (it is a patient's record).
    The window has already asked about replacing a file, so `force` is on by default here."""
    patient = patient_dict(patient)
    src = RecordSource(session, patient.get("id"), patient.get("name"), chair, wall_start, session_id, uid,
                       end_min(session) if now_min is None else now_min)
    return write_record(src, path, format_of(path, field), deidentified=deidentified, force=force,
                        pdf=write_record_pdf, page=page, field=field)


def write_record_pdf(record, path: str, page: str, scrub) -> int:
    ended = record.end_min is not None
    chart = export_chart(session=record.session, now_min=record.now_min, wall_start=record.wall_start,
                         size=PDF_CHART_SIZE, large=True, show_now=not ended)
    try:
        pages = _record_pdf(record, chart, path, page, scrub)
    finally:
        done(chart)
    if record.deidentified:
        neutral_dates(path)
    return pages


def _num(values: dict, key: str, fmt: str = "g") -> str:
    return format(values[key], fmt) if key in values else ""


def _table(doc: Document, header, body, widths, **kw) -> None:
    doc.table(header, body, widths, pt=kw.pop("pt", 9), shade=lambda i: "#F6F6F6" if i % 2 else None, **kw)


def _record_pdf(r, chart, path: str, page: str, scrub) -> int:
    title = scrub(export_title("infusion record", r.product_name, patient_id=r.patient_id,
                               deidentified=r.deidentified, training=r.training, when=r.wall_start))
    tw = 1.35 if r.wall_start or r.deidentified else 0.7  # the time column
    doc = Document(path, page, title, title)
    doc.text(title, 15, bold=True)
    patient = {"id": r.patient_id, "name": r.patient_name}
    doc.lines([scrub(t) for t in patient_lines({k: v for k, v in patient.items() if v}, r.deidentified)], pt=10.5,
              indent=0)
    if r.chair:
        doc.lines([f"Chair: {scrub(r.chair)}"], pt=10.5, indent=0)
    doc.heading("Summary")
    if r.wall_start is not None:
        import time

        doc.lines([time.strftime("Started: %Y-%m-%d %H:%M %Z", time.localtime(r.wall_start))], pt=10.5)
    doc.lines([scrub(t) for t in r.facts()], pt=10.5)

    doc.heading("Nurses")
    people = [f"Signed in: {scrub(n)} ({scrub(i)}) at {r.when(at)}" for n, i, at in r.nurses] or \
        ["No nurse signed in: events are attributed to the workstation's nurse"]
    people += [f"Second nurse for the {what}: {scrub(name)} at {r.when(at)}" for what, at, name in r.second_checks]
    doc.lines(people)

    doc.heading("Vials and lots")
    if r.vials:
        _table(doc, ["#", "GTIN", "Lot", "Expiry", "g", "Serial", "Entered", "Check"],
               [[str(v.number), v.gtin, scrub(v.lot), v.expiry or "—", f"{v.grams:g}", scrub(v.serial) or "—",
                 v.entry,
                 FINDING_WORDS.get(v.finding, v.finding) + (f"; REMOVED: {scrub(v.removed)}" if v.removed else "")]
                for v in r.vials], [0.3, 1.5, 1.05, 1.0, 0.4, 1.0, 0.75, 1.7], align_right={0, 4})
        doc.lines([f"Lot {scrub(lot)}: {n} vial{'s' if n != 1 else ''}, {g:g} g" + (f", expiry {exp}" if exp else "")
                   for _, lot, exp, n, g in r.lots] + [r.dose_check])
    else:
        doc.lines(["No vial recorded (lots unknown for this infusion)."])

    doc.heading("Premedication")
    if r.premedications:
        _table(doc, ["Given at", "Drug", "Dose", "Route", "Recorded by"],
               [[r.when(p.given_min), scrub(p.drug), f"{p.dose:g} {p.unit}", p.route,
                 f"{scrub(p.who)}, {r.when(p.at_min)}"] for p in r.premedications], [tw, 1.6, 0.9, 0.7, 2.0])
    else:
        doc.lines(["No premedication recorded."])

    doc.heading("Timeline")
    chart_block(doc, chart, doc.height * 0.45)

    doc.heading("Reactions")
    if r.reactions:
        _table(doc, ["Time", "Reported", "Grade", "Kind", "Action taken", "Resolved"],
               [[r.when(x.at_min) + ("\nAFTER THE END" if x.after_end else ""), ", ".join(x.symptoms), x.grade,
                 x.kind_label, scrub(x.action) + (f" ({r.when(x.action_at)})" if x.action_at is not None else ""),
                 r.when(x.resolved_at) if x.resolved_at is not None else "—"] for x in r.reactions],
               [tw, 1.1, 0.9, 1.2, 2.8, tw])  # "moderate" whole in its column
    else:
        doc.lines(["No reaction recorded."])

    doc.heading("Vital signs")
    if r.vitals:
        rounds = {x.taken_min: x for x in r.rounds if x.taken_min is not None}
        body = []
        for v in r.vitals:
            x = v.values
            bp = f"{x['sbp']:g}/{x['dbp']:g}" if "sbp" in x and "dbp" in x else f"{x.get('sbp', '')}"
            rd = rounds.get(v.at_min)
            due = "" if rd is None else ("on time" if rd.status == "on time" else f"LATE {rd.late_by:.0f} min")
            body.append([r.when(v.at_min), _num(x, "temp_c", ".1f"), _num(x, "pulse"), bp, _num(x, "spo2"),
                         _num(x, "rr"), v.grade, due, scrub(v.who)])
        _table(doc, ["Time", "Temp °C", "Pulse", "BP", "SpO2 %", "RR", "Grade", "Round", "Who"], body,
               [tw, 0.7, 0.6, 0.8, 0.65, 0.45, 0.9, 0.9, 1.1], pt=9, align_right={1, 2, 3, 4, 5})
    else:
        doc.lines(["No vital signs recorded."])
    missed = [x for x in r.rounds if x.status == "missed"]
    if missed:
        doc.text("Observations MISSED: " + "; ".join(f"due {r.when(x.due_min)} ({x.why})" for x in missed), 10,
                 bold=True, colour="#A03A00", space_before=3)

    doc.heading("Events")
    _table(doc, ["Time", "Who", "What"], [[r.when(at), scrub(who), scrub(words)]
                                          for at, who, kind, words, _data in r.events if kind != "planned"],
           [tw, 1.0, 6.0])

    doc.heading("Signatures")
    for who in ("Nurse", "Second check"):
        doc.sign_here([(f"{who} (name)", 0.45), ("Signature", 0.33), ("Date", 0.22)])
    doc.spacer(10)
    doc.text(DECISION_SUPPORT, 9.5, bold=True)
    times = "Times are elapsed from the start (day, +h:mm)." if r.deidentified else \
        "Times are clock time (+h:mm from the start)." if r.wall_start else "Times are h:mm from the start."
    doc.text(f"{generated(r.deidentified)} by the IVIg titration assistant. {times}", 9, colour="#333333")
    return doc.save()

