"""The main window's Export actions: the rate chart and the infusion record of the page in front.

A mixin of MainWindow (the menus and shortcuts stay in ui/window/actions.py): it asks for a file
name, writes the file with ui.exports and says what happened in one line.
"""
from __future__ import annotations

from PySide6.QtWidgets import QFileDialog

from ui import optional


class ExportActions:
    def export_rate_chart(self, path: str | None = None) -> str | None:
        """The rate chart of the plan in front (the preview, or the chair's plan)."""
        from titration.report.names import default_file_name

        v = self.current_view()
        session, now, chair, training = None, None, "", False
        if v is not None:  # a chair: what happened so far, beside the plan
            c = v.chair
            plan, patient, wall, session, now = c.session.original_plan, c.patient.identifier, c.wall_start, \
                c.session, c.time_now()
            chair, training = c.name, c.training
        else:  # the preview, if the New-infusion page was ever opened
            plan = self._new_form.plan if self._new_form is not None else None
            patient = self._new_form.patient.patient_id.text().strip() if self._new_form is not None else ""
            wall = None
        if plan is None:
            self._export_error("Export: there is no plan yet")
            return None
        patient = None if training else patient  # a simulation has no patient identifier
        name = default_file_name("rate chart", "pdf", chair=chair, patient_id=patient, training=training, when=wall)
        return self._export(path, "Export rate chart", name,
                            "PDF (*.pdf);;PNG (*.png);;SVG (*.svg);;CSV (*.csv)",
                            lambda mod, p: mod.export_plan_file(plan, p, patient=patient or None, wall_start=wall,
                                                                session=session, now_min=now))

    def export_record(self, path: str | None = None, deidentified: bool = False) -> str | None:
        v = self.current_view()
        if v is None:
            self._export_error("Export: open a chair first")
            return None
        from titration.report.names import default_file_name

        chair = v.chair
        patient = None if chair.training else chair.patient.identifier or None
        name = default_file_name("infusion record", "pdf", chair=chair.name, patient_id=patient,
                                 training=chair.training, when=chair.wall_start, deidentified=deidentified)
        title = "Export de-identified record (for teaching)" if deidentified else "Export infusion record"
        return self._export(path, title, name, "PDF (*.pdf);;CSV (*.csv);;FHIR R4 Bundle (*.json)",
                            lambda mod, p: mod.export_record_file(
                                chair.session, p, deidentified=deidentified, patient=patient, chair=chair.name,
                                now_min=chair.time_now(), wall_start=chair.wall_start, session_id=chair.journal_id,
                                uid=self._journal_uid(chair)))

    def _journal_uid(self, chair) -> str | None:
        """The infusion's identity in the journal (as `journal export` names it), where there is one."""
        from titration.errors import TitrationError

        journal = getattr(self.model, "journal", None)
        if journal is None or chair.journal_id is None:
            return None
        try:
            return next((d.get("uid") for d in journal.sessions() if d["id"] == chair.journal_id), None)
        except TitrationError:  # the journal cannot be read now: the export names the journal row instead
            return None

    def _export(self, path: str | None, title: str, default_name: str, filters: str, write) -> str | None:
        """Ask for a file name (unless given), write it with ui.exports, and say what happened."""
        mod = optional.load("ui.exports")
        for part in ("ui.exports.plan_export", "ui.exports.record"):  # the package loads its writers lazily
            if mod is None or optional.load(part) is None:
                key = "ui.exports" if mod is None else part
                self._export_error(f"Export is not available ({optional.missing().get(key)})")
                return None
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, title, default_name, filters)
        if not path:
            return None
        try:
            write(mod, path)
        except Exception as exc:  # noqa: BLE001 - one line for the nurse
            self._export_error(f"Export failed: {exc}")
            return None
        self.statusBar().showMessage(f"Wrote {path}", 8000)
        return path

    def _export_error(self, text: str) -> None:
        v = self.current_view()
        if v is not None:
            v.show_error(text)
        elif self._new_form is not None:
            self._new_form.preview.error.setText(text)
        else:  # nothing opened yet: the status bar says it
            self.statusBar().showMessage(text, 8000)

