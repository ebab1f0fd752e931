"""`unit report --db PATH|URL --from DATE --to DATE --out FILE.pdf|.html [--training]`: the unit's
quality report over a period (report/quality.py), from a journal file or the unit server.

The HTML file is written without Qt; a PDF loads Qt (offscreen when there is no display), as the
other exports do. Training runs are left out unless --training is given.
"""
from __future__ import annotations

import argparse
import os
import time
from datetime import date, datetime, timedelta

from ..errors import InputError

OPTIONS = ("date_from", "date_to", "out", "training")


def add_arguments(p) -> None:
    p.add_argument("--from", dest="date_from", metavar="DATE", default=argparse.SUPPRESS,
                   type=_date("--from"), help="report: the first day, YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", metavar="DATE", default=argparse.SUPPRESS, type=_date("--to"),
                   help="report: the last day, YYYY-MM-DD (included)")
    p.add_argument("--out", metavar="FILE", default=argparse.SUPPRESS, help="report: report.pdf or report.html")
    p.add_argument("--training", action="store_true", default=argparse.SUPPRESS,
                   help="report: count training runs too (left out by default)")


def _date(field: str):
    def parse(text: str) -> date:
        try:
            if len(text) != 10:
                raise ValueError
            return date.fromisoformat(text)
        except ValueError:
            raise InputError(field, text, "a date as YYYY-MM-DD") from None
    return parse


def refuse_report_options(a) -> None:
    for name in OPTIONS:
        if getattr(a, name, None) not in (None, False):
            shown = {"date_from": "--from", "date_to": "--to"}.get(name, f"--{name}")
            raise InputError(shown, getattr(a, name), "nothing here: it belongs to 'unit report'")


def cmd_report(a) -> int:
    from ..store.read_ahead import start_reading
    from .hooks import HOOKS
    from .journal import given_db

    first, last, out = getattr(a, "date_from", None), getattr(a, "date_to", None), getattr(a, "out", None)
    for field, value in (("--from", first), ("--to", last), ("--out", out)):
        if value is None:
            raise InputError(field, None, "needed by 'unit report' (--from DATE --to DATE --out FILE.pdf|.html)")
    if last < first:
        raise InputError("--to", last.isoformat(), f"a day on or after --from ({first.isoformat()})")
    for field, day in (("--from", first), ("--to", last)):
        if not 1970 <= day.year <= 9998:  # what the clock and a day after it can hold
            raise InputError(field, day.isoformat(), "a day in the years 1970 to 9998")
    ext = os.path.splitext(out)[1].lower()
    if ext not in (".pdf", ".html", ".htm"):
        raise InputError("--out", out, "a file name ending .pdf or .html")
    if a.json:
        raise InputError("--json", True, "nothing with 'unit report' (it writes a file)")
    if given_db(a) is not None:
        start_reading(given_db(a))  # a journal file comes in from disk while the report's code loads
    from ..report.files import check_path
    from ..report.quality import build
    from ..store.base import default_db, is_url, scrub
    from ..store.quality_source import report_facts

    db = given_db(a) or default_db()
    db = str(db).strip() if is_url(str(db)) else os.fspath(db)
    check_path(out, "--out")  # before the work, not after it
    if not is_url(db) and os.path.exists(out) and os.path.exists(db) and os.path.samefile(out, db):
        raise InputError("--out", out, "a file other than the journal the report reads (--db)")
    training = bool(getattr(a, "training", False))
    t0 = time.perf_counter()
    start = datetime.combine(first, datetime.min.time()).timestamp()
    end = datetime.combine(last + timedelta(days=1), datetime.min.time()).timestamp()
    pdf = HOOKS.get("report_pdf") if ext == ".pdf" else None
    if ext == ".pdf" and pdf is None:
        raise InputError("--out", out, "a .html file (the PDF is written by main.py's Qt writer)")
    write_pdf = None

    def ready_pdf() -> None:  # Qt loaded while the workers replay (forked before it: see collect)
        nonlocal write_pdf
        write_pdf = pdf(out)

    facts, label = report_facts(db, start, end, training, meanwhile=ready_pdf if pdf is not None else None)
    report = build(facts, first, last, training, datetime.now().strftime("%Y-%m-%d %H:%M"), scrub(label))
    if write_pdf is not None:
        write_pdf(report, out)
    else:
        from ..report.quality_html import write_html

        write_html(report, out)
    counted = sum(1 for f in facts if f.started)
    print(f"wrote {out}: {counted} infusion(s) from {first.isoformat()} to {last.isoformat()} ({report.scope}) "
          f"in {time.perf_counter() - t0:.1f} s")
    return 0
