"""One function writes the infusion record in every format, for the command line
(`journal export`) and the window alike: PDF (drawn by the window's Qt code, handed in as `pdf`),
CSV, FHIR (a collection Bundle) or FHIR as a transaction Bundle. The file is written whole or not
at all, created 0600, and an existing file is replaced only when asked (`force`)."""
from __future__ import annotations

import os

from ..errors import InputError
from .deidentify import Scrubber
from .files import written
from .record import RecordSource, build_record

FORMATS = ("pdf", "csv", "fhir", "fhir-transaction")
EXTENSIONS = {"pdf": "pdf", "csv": "csv", "fhir": "fhir.json", "fhir-transaction": "fhir-transaction.json"}


def format_of(path: str, field: str = "record file") -> str:
    """The format a file name asks for: .pdf, .csv, or .json (a FHIR collection Bundle)."""
    ext = os.path.splitext(str(path))[1].lower()
    fmt = {".pdf": "pdf", ".csv": "csv", ".json": "fhir"}.get(ext)
    if fmt is None:
        raise InputError(field, str(path), "a file ending in .pdf, .csv or .json (FHIR)")
    return fmt


def write_record(src: RecordSource, path, fmt: str, *, deidentified: bool = False, force: bool = False,
                 pdf=None, page: str = "a4", field: str = "--out") -> str:
    """Write the record of `src` to `path` in `fmt` (FORMATS). `pdf(record, tmp_path, page, scrub)`
    draws the PDF (the window's Qt code); without it a PDF is refused in one line."""
    from .fhir.bundle import build_bundle, bundle_json
    from .record_csv import write_record_csv

    path = os.fspath(path)
    if fmt not in FORMATS:
        raise InputError("--format", fmt, "one of " + ", ".join(FORMATS))
    if os.path.lexists(path) and not force:
        raise InputError(field, path, "a file that does not exist yet (give --force to replace it)")
    if fmt == "pdf" and pdf is None:
        raise InputError("--format", fmt, "csv, fhir or fhir-transaction (the PDF needs the desktop app's Qt)")
    record = build_record(src, deidentified)
    scrub = Scrubber({"id": src.patient_id, "name": src.patient_name}) if deidentified else str
    bundle = None
    if fmt.startswith("fhir"):  # built before the file is opened: an invalid bundle leaves nothing behind
        bundle = build_bundle(record, transaction=fmt == "fhir-transaction", session_id=src.session_id)
    with written(path, field) as tmp:
        if fmt == "csv":
            write_record_csv(record, tmp, scrub)
        elif bundle is not None:
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.write(bundle_json(bundle))
        else:
            pdf(record, tmp, page, scrub)
    return path
