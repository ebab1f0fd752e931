"""Files people print and file: the rate chart, and the infusion record after an infusion.

- `export_plan_file(plan, path, session=None, now_min=None)`: the rate chart, .pdf (A4, or Letter
  with page="letter"), .png, .svg, .csv. With a started session: what happened (plan_export.py).
- `export_record_file(session, path)`: .pdf, .csv or .json (FHIR); `deidentified=True` for teaching
  (record.py draws the PDF; the content, the CSV and the FHIR come from titration/report/, the
  same code as `python main.py journal export`).
- `default_file_name(...)`, `export_title(...)`: names and titles (titration/report/names.py, no Qt).

Every file is written whole or not at all, created 0600, and a path that cannot be written is one
line (titration/report/files.py). Charts: render.py; the page layout: document.py; what every
page says: facts.py. Qt is imported only when a file is written.
"""
from importlib import import_module

# Loaded on first use (PEP 562), so that the main window's Export actions (actions.py) cost
# nothing at start-up: the writers pull in the chart data and numpy.
_WHERE = {"patient_dict": ".facts", "default_file_name": "titration.report.names",
          "export_title": "titration.report.names", "export_plan_file": ".plan_export",
          "export_record_file": ".record", "write_record_pdf": ".record",
          "RECORD_CSV_HEADER": "titration.report.record_csv", "CHART_SIZE": ".render",
          "DECISION_SUPPORT": ".render", "PDF_CHART_SIZE": ".render", "export_chart": ".render"}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    where = _WHERE[name]
    value = getattr(import_module(f"{__name__}{where}" if where.startswith(".") else where), name)
    globals()[name] = value
    return value
