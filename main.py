"""IVIg infusion-rate titration assistant: the desktop app, or a headless command (see --help).

The core (titration/) never imports Qt; the two entry points that need it are handed in here
and imported only when used, so headless commands start fast.
"""
import os
import sys

from titration.cli.main import main
from titration.errors import InputError, TitrationError


def run_gui(args) -> int:
    try:
        from ui.app import run
    except ImportError as exc:
        raise TitrationError(f"the desktop app could not load Qt ({exc}); see README, 'System libraries'") from None
    return run(args)


def export_chart(plan, path) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from ui.exports.plan_export import export_plan_file
    except ImportError as exc:
        raise InputError("--export", path, f"a .csv file (chart export could not load Qt: {exc})") from None
    export_plan_file(plan, path, field="--export")


def record_pdf(record, path, page, scrub) -> int:
    """The infusion record's PDF for `journal export`: Qt, offscreen when there is no display."""
    try:
        from ui.exports.record import write_record_pdf
    except ImportError as exc:
        raise InputError("--format", "pdf",
                         f"csv, fhir or fhir-transaction (the PDF could not load Qt: {exc})") from None
    return write_record_pdf(record, path, page, scrub)


def report_pdf(path):
    """The quality report's PDF writer for `unit report`, (report, path) -> path, made ready: Qt
    loaded, offscreen when there is no display (the report asks for it while its workers replay)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from ui.exports.quality import ready_writer
    except ImportError as exc:
        raise InputError("--out", path, f"a .html file (the PDF could not load Qt: {exc})") from None
    return ready_writer()


if __name__ == "__main__":
    sys.exit(main(hooks={"gui": run_gui, "export": export_chart, "record_pdf": record_pdf,
                         "report_pdf": report_pdf}))
