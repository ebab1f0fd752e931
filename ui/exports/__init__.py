"""Files people print and file: the rate chart, and the infusion record after an infusion.

- `plan_export.export_plan_file(plan, path, session=None, now_min=None)`: the rate chart, .pdf (A4, or Letter
  with page="letter"), .png, .svg, .csv. With a started session: what happened (plan_export.py).
- `record.export_record_file(session, path)`: .pdf, .csv or .json (FHIR); `deidentified=True` for teaching
  (record.py draws the PDF; the content, the CSV and the FHIR come from titration/report/, the
  same code as `python main.py journal export`).
- `actions.ExportActions`: the window's Export actions (a file name asked for, one line said).
- Names and titles: titration/report/names.py (no Qt).

Every file is written whole or not at all, created 0600, and a path that cannot be written is one
line (titration/report/files.py). Charts: render.py; the page layout: document.py; what every
page says: facts.py. Qt is imported only when a file is written.
"""
