"""`journal export SESSION_ID --format pdf|csv|fhir|fhir-transaction [--out FILE] [--deidentified]
[--force] [--db PATH|URL]`: one infusion's record from the journal, written by the same code as
the window's Export (titration/report/export.py).

Without --out the file gets the window's default name in the working folder (chair, patient or
"training", date), never an existing file's; an existing --out is replaced only with --force.
The journal is opened read-only. A PDF loads Qt (offscreen when there is no display); the other
formats never do.
"""
from __future__ import annotations

import argparse

from ..errors import InputError
from .args import choice, whole

FORMAT_CHOICES = ("pdf", "csv", "fhir", "fhir-transaction")
OPTIONS = ("session_id", "format", "out", "deidentified", "force")


def add_arguments(p) -> None:
    """The export's own arguments on the `journal` parser (used only with the action 'export')."""
    p.add_argument("session_id", nargs="?", metavar="SESSION_ID", type=whole("SESSION_ID", 1, 2**62),
                   help="export: the session's id (as `journal` lists it)")
    p.add_argument("--format", type=choice("--format", FORMAT_CHOICES), default=argparse.SUPPRESS,
                   help="export: " + ", ".join(FORMAT_CHOICES))
    p.add_argument("--out", metavar="FILE", default=argparse.SUPPRESS,
                   help="export: the file to write (default: the window's file name, in this folder)")
    p.add_argument("--deidentified", action="store_true", default=argparse.SUPPRESS,
                   help="export: no identifier, name, free text or clock time (for teaching)")
    p.add_argument("--force", action="store_true", default=argparse.SUPPRESS,
                   help="export: replace --out if it exists")


def refuse_export_options(a) -> None:
    """`journal` (list) and `journal verify` take none of the export's arguments: one line, exit 2."""
    for name in OPTIONS:
        value = getattr(a, name, None)
        if value is not None and value is not False:
            shown = "SESSION_ID" if name == "session_id" else f"--{name}"
            raise InputError(shown, value, "nothing here: it belongs to 'journal export SESSION_ID ...'")


def cmd_export(a) -> int:
    from ..report.export import EXTENSIONS, write_record
    from ..report.names import default_file_name
    from ..report.record import RecordSource
    from ..session import Session
    from .hooks import HOOKS
    from .journal import _open, _path

    if a.session_id is None:
        raise InputError("SESSION_ID", None, "the id of the session to export (`python main.py journal` lists them)")
    fmt = getattr(a, "format", None)
    if fmt is None:
        raise InputError("--format", None, "one of " + ", ".join(FORMAT_CHOICES))
    for name in ("json", "real"):
        if getattr(a, name, False):
            raise InputError(f"--{name}", True, "nothing with 'journal export' (it writes a file)")
    deidentified, force = getattr(a, "deidentified", False), getattr(a, "force", False)
    j = _open(_path(a))
    try:
        row = next((d for d in j.sessions() if d["id"] == a.session_id), None)
        if row is None:
            raise InputError("SESSION_ID", a.session_id, "the id of a session in this journal (`journal` lists them)")
        events = []
        for rid, _, ev, why in j.store.event_rows(a.session_id):
            if why:
                raise InputError("SESSION_ID", a.session_id, f"a session whose record is intact (event row {rid} is "
                                                             f"damaged: {why}; see `journal verify`)")
            events.append(ev)
    finally:
        j.close()
    session = Session.replay(events)
    training = bool(row["training"] or session.training)
    patient = None if training else row["patient_id"]
    src = RecordSource(session, patient_id=row["patient_id"], chair=row["chair"] or "", wall_start=row["wall_start"],
                       session_id=a.session_id, uid=row.get("uid"), now_min=events[-1]["at_min"] if events else 0.0)
    out = getattr(a, "out", None) or default_file_name("infusion record", EXTENSIONS[fmt], chair=row["chair"] or "",
                                                      patient_id=patient, training=training, when=row["wall_start"],
                                                      deidentified=deidentified)
    path = write_record(src, out, fmt, deidentified=deidentified, force=force,
                        pdf=HOOKS.get("record_pdf") if fmt == "pdf" else None, field="--out")
    print(f"wrote {path} ({fmt}{', de-identified' if deidentified else ''})")
    return 0
