"""The window's Export actions: the rate chart and the infusion record of the page in front.

A composed object of the main window (the menus and shortcuts stay in ui/window/actions.py): it
asks for a file name, writes the file with ui.exports and says what happened in one line. What
it needs from the window is the `ExportHost` seam: the chair in front, the New-infusion page's
plan, and where to say a problem.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtWidgets import QStatusBar, QWidget

from titration.errors import TitrationError
from titration.plan import Plan
from titration.report.names import default_file_name
from ui.chair.model import ChairModel
from ui.common.save_dialog import ask_save_path, last_folder, saved_words

if TYPE_CHECKING:
    from ui.chair.view import ChairView  # built with the first chair (the window paints sooner)


class ExportHost(Protocol):
    """What the Export actions ask of the window."""

    def current_view(self) -> ChairView | None:
        """The chair in front, or None."""
        ...

    def preview_plan(self) -> tuple[Plan | None, str] | None:
        """(the New-infusion page's plan, its patient identifier); None: the page was never opened."""
        ...

    def show_export_problem(self, text: str) -> None:
        """One line where the nurse is looking."""
        ...

    def statusBar(self) -> QStatusBar: ...


class ExportActions:
    """Export the rate chart or the infusion record of the page in front, to a file the nurse names."""

    def __init__(self, host: ExportHost, parent: QWidget, journal):
        self.host, self.parent, self.journal = host, parent, journal

    def rate_chart(self, path: str | None = None) -> str | None:
        """The rate chart of the plan in front (the preview, or the chair's plan)."""
        from ui.exports.plan_export import export_plan_file  # the writers pull in the chart and numpy

        v = self.host.current_view()
        if v is not None:  # a chair: what happened so far, beside the plan
            c = v.chair
            plan: Plan | None = c.session.original_plan
            session, now, chair, training = c.session, c.time_now(), c.name, c.training
            patient: str | None = c.patient.identifier
            wall = c.wall_start
        else:  # the preview, if the New-infusion page was ever opened
            plan, patient = self.host.preview_plan() or (None, "")
            session, now, chair, training, wall = None, None, "", False, None
        if plan is None:
            self.host.show_export_problem("Export: there is no plan yet")
            return None
        patient = None if training else patient  # a simulation has no patient identifier
        name = default_file_name("rate chart", "pdf", chair=chair, patient_id=patient, training=training, when=wall,
                                 folder=last_folder.folder())
        chosen = plan
        return self._export(path, "Export rate chart", "rate chart", name,
                            "PDF (*.pdf);;PNG (*.png);;SVG (*.svg);;CSV (*.csv)",
                            lambda p: export_plan_file(chosen, p, patient=patient or None, wall_start=wall,
                                                       session=session, now_min=now))

    def record(self, path: str | None = None, deidentified: bool = False) -> str | None:
        from ui.exports.record import export_record_file

        v = self.host.current_view()
        if v is None:
            self.host.show_export_problem("Export: open a chair first")
            return None
        chair = v.chair
        patient = None if chair.training else chair.patient.identifier or None
        name = default_file_name("infusion record", "pdf", chair=chair.name, patient_id=patient,
                                 training=chair.training, when=chair.wall_start, deidentified=deidentified,
                                 folder=last_folder.folder())
        title = "Export de-identified record (for teaching)" if deidentified else "Export infusion record"
        what = "de-identified record" if deidentified else "infusion record"
        return self._export(path, title, what, name, "PDF (*.pdf);;CSV (*.csv);;FHIR R4 Bundle (*.json)",
                            lambda p: export_record_file(
                                chair.session, p, deidentified=deidentified, patient=patient, chair=chair.name,
                                now_min=chair.time_now(), wall_start=chair.wall_start, session_id=chair.journal_id,
                                uid=self._journal_uid(chair)))

    def _journal_uid(self, chair: ChairModel) -> str | None:
        """The infusion's identity in the journal (as `journal export` names it), where there is one."""
        if self.journal is None or chair.journal_id is None:
            return None
        try:
            return next((d.get("uid") for d in self.journal.sessions() if d["id"] == chair.journal_id), None)
        except TitrationError:  # the journal cannot be read now: the export names the journal row instead
            return None

    def _export(self, path: str | None, title: str, what: str, default_name: str, filters: str,
                write) -> str | None:
        """Ask for a file name (unless given: the last folder is offered), write it with ui.exports, and
        say what happened, with the path."""
        if not path:
            path = ask_save_path(self.parent, title, default_name, filters)
        if not path:
            return None
        try:
            write(path)
        except (TitrationError, OSError) as exc:  # a path that cannot be written, a record that cannot be read
            self.host.show_export_problem(f"Export failed: {exc}")
            return None
        last_folder.remember(path)
        self.host.statusBar().showMessage(saved_words(what, path), 20_000)
        return path
