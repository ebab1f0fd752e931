"""Files people print and file: the rate chart, and the infusion record after an infusion.

- `export_plan_file(plan, path, session=None, now_min=None)`: the rate chart, .pdf (A4, or Letter
  with page="letter"), .png, .svg, .csv. With a started session: what happened (plan_export.py).
- `export_record_file(session, path)`: .pdf or .csv; `deidentified=True` for teaching (record.py).
- `default_file_name(...)`, `export_title(...)`: names and titles (names.py, no Qt).

Every file is written whole or not at all, created 0600, and a path that cannot be written is one
line (titration/report/files.py). Charts: render.py; the page layout: document.py; what every
page says: facts.py. Qt is imported only when a file is written.
"""
from .facts import patient_dict
from .names import default_file_name, export_title
from .plan_export import export_plan_file
from .record import export_record_file
from .record_csv import RECORD_CSV_HEADER
from .render import CHART_SIZE, DECISION_SUPPORT, PDF_CHART_SIZE, export_chart

__all__ = ["CHART_SIZE", "DECISION_SUPPORT", "PDF_CHART_SIZE", "RECORD_CSV_HEADER", "default_file_name",
           "export_chart", "export_plan_file", "export_record_file", "export_title", "patient_dict"]
