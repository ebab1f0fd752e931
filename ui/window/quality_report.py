"""View > Quality report: the unit's quality report over a period, from this workstation's journal
or, with a unit server, from the server: its headline figures, each section's answer and tables
here, and the whole report (with its charts) saved as PDF or HTML.

Everything is worked out in the core (titration/report/quality.py, from the facts that
titration/store/quality_source.py gathers); the work runs off the GUI thread (ui.net_call), so
the chairs' countdowns never wait on it.
"""
from __future__ import annotations

import os
from datetime import date, datetime, timedelta

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
)

from titration.report.quality import QualityReport
from ui.common.net_call import NetCall
from ui.common.save_dialog import ask_save_path, last_folder, saved_words


def journal_source(journal) -> str | None:
    """What the report reads: the unit server when there is one, else this workstation's journal file."""
    outbox = getattr(journal, "outbox", None)
    if outbox is not None:
        return outbox.url
    path = getattr(journal, "path", None)
    return None if path is None else os.fspath(path)


def make_report(db: str, first: date, last: date, training: bool):
    """The report (titration.report.quality_model.QualityReport); called in a worker thread."""
    from titration.report.quality import build
    from titration.store.base import scrub
    from titration.store.quality_source import report_facts

    start = datetime.combine(first, datetime.min.time()).timestamp()
    end = datetime.combine(last + timedelta(days=1), datetime.min.time()).timestamp()
    facts, label = report_facts(db, start, end, training, workers=1)  # a thread of the app: no worker processes
    return build(facts, first, last, training, datetime.now().strftime("%Y-%m-%d %H:%M"), scrub(label))


class ReportWindow(QDialog):
    """Not modal: the chairs stay in reach while the report is read."""

    def __init__(self, journal, parent=None):
        super().__init__(parent)
        self.setObjectName("qualityReport")
        self.setWindowTitle("Unit quality report")
        self.resize(900, 640)
        self.source = journal_source(journal)
        self.report: QualityReport | None = None
        self.net = NetCall(self)  # the report is worked out off the GUI thread
        today = QDate.currentDate()
        self.first, self.last = QDateEdit(today.addDays(-30)), QDateEdit(today)
        for edit in (self.first, self.last):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.training = QCheckBox("Count training runs too")
        self.make_button = QPushButton("Make the report")
        self.make_button.clicked.connect(self.make)
        self.save_pdf = QPushButton("Save as PDF…")
        self.save_html = QPushButton("Save as HTML…")
        self.save_pdf.clicked.connect(lambda: self.save(".pdf"))
        self.save_html.clicked.connect(lambda: self.save(".html"))
        self.status = QLabel("Choose the period, then Make the report." if self.source else
                             "No journal is open on this workstation: there is nothing to report.")
        self.status.setWordWrap(True)
        self.view = QTextBrowser()
        top = QHBoxLayout()
        for w in (QLabel("From"), self.first, QLabel("to"), self.last, self.training, self.make_button):
            top.addWidget(w)
        top.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.save_pdf)
        bottom.addWidget(self.save_html)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.status)
        lay.addWidget(self.view, 1)
        lay.addLayout(bottom)
        self._enable()

    def _enable(self) -> None:
        self.make_button.setEnabled(bool(self.source))
        self.save_pdf.setEnabled(self.report is not None)
        self.save_html.setEnabled(self.report is not None)

    def period(self) -> tuple[date, date]:
        first, last = self.first.date().toPython(), self.last.date().toPython()
        assert isinstance(first, date) and isinstance(last, date)  # a QDate is always a day
        return first, last

    def make(self) -> None:
        first, last = self.period()
        if last < first:
            self.status.setText(f"To: {last.isoformat()} is before From ({first.isoformat()}): choose a later day.")
            return
        db, training = self.source, self.training.isChecked()
        if db is None:
            return
        self.make_button.setEnabled(False)
        self.status.setText(f"Working out the report from {first.isoformat()} to {last.isoformat()}…")
        self.net.run(lambda: make_report(db, first, last, training), self.show_report, self.failed)

    def show_report(self, report) -> None:
        from titration.report.quality_html import html

        self.report = report
        self.status.setText(f"{report.title}: {report.period}, {report.scope}. The saved PDF and HTML have the "
                            "charts too.")
        self.view.setHtml(html(report, charts=False))
        self._enable()

    def failed(self, exc) -> None:
        self.status.setText(f"The report could not be made: {exc}")
        self._enable()

    def save(self, ext: str) -> str | None:
        if self.report is None:
            return None
        first, last = self.period()
        name = f"unit quality report {first.isoformat()} to {last.isoformat()}{ext}"
        path = ask_save_path(self, "Save the quality report", name, "PDF (*.pdf)" if ext == ".pdf" else "HTML (*.html)")
        return self.write(path, ext) if path else None

    def write(self, path: str, ext: str) -> str | None:
        from titration.errors import TitrationError

        if self.report is None:
            return None
        try:
            if ext == ".pdf":
                from ui.exports.quality import write_quality_pdf

                write_quality_pdf(self.report, path)
            else:
                from titration.report.quality_html import write_html

                write_html(self.report, path)
        except TitrationError as exc:
            QMessageBox.warning(self, "Not saved", str(exc))
            return None
        last_folder.remember(path)
        self.status.setText(saved_words("quality report", path))
        return path
