"""The debrief of a training run: what the protocol expected against what the trainee did, the
score, the scenario's goals (shown only now: before the start they would give the answer away),
and its PDF.

The PDF names the trainee, the date and the simulation's speed; its file is named after the
scenario and the trainee, offered in the folder saved in last, and written 0600, whole or not at
all (titration.report.files.written), like every other export.
"""
from __future__ import annotations

import html
from dataclasses import asdict, dataclass

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QBrush, QColor, QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from titration.errors import TitrationError
from titration.report.files import written
from titration.report.names import date_text, default_file_name
from ui.common.save_dialog import ask_save_path, last_folder, saved_words
from ui.common.style import VERDICT_COLOURS

COLUMNS = {"verdict": "verdict", "at_min": "due (min)", "expected": "expected", "done": "done",
           "done_at": "done at (min)", "rule": "rule"}
WIDE = ("expected", "done", "rule")  # wrapped text; the short columns fit their contents


@dataclass(frozen=True)
class DebriefFacts:
    """Who ran which scenario, when and how fast: the debrief's heading and its file's name."""

    title: str  # the scenario's title (said only now)
    scenario: str  # its file's stem ("02-mild-reaction-first-increase")
    trainee: str  # the nurse signed in at the chair ("" when nobody signed in)
    when: float | None  # the run's start (wall clock)
    speed: str  # "10x", or "10x; 60x from minute 30"
    goals: tuple[str, ...] = ()
    lesson: str = ""

    def heading(self) -> str:
        who = self.trainee or "not signed in"
        return f"Trainee: {who} · Date: {date_text(self.when)} · Speed: {self.speed}"

    def file_name(self, folder: str) -> str:
        """'02-mild-reaction-first-increase - A Nurse - 2026-11-21 - training debrief.pdf'."""
        return default_file_name("training debrief", "pdf", chair=self.scenario,
                                 patient_id=self.trainee or "trainee", when=self.when, folder=folder)


def _item_dict(it) -> dict:
    if isinstance(it, dict):
        return it
    if hasattr(it, "to_dict"):
        return it.to_dict()
    return asdict(it)


def _cell(v) -> str:
    if isinstance(v, float):
        return f"{v:.1f}"
    if isinstance(v, (list, tuple)):
        return ", ".join(str(x) for x in v)
    return "" if v is None else str(v)


class DebriefPanel(QWidget):
    """The debrief: what the protocol expected against what the trainee did, the score, exports."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.data: dict | None = None
        self.run = None
        self.facts: DebriefFacts | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.score = QLabel("Debrief: shown when the exercise has ended (Ctrl+Shift+D).")
        self.score.setObjectName("debriefScore")
        self.score.setWordWrap(True)
        self.score.setAccessibleName("Debrief score")
        lay.addWidget(self.score)
        self.about = QLabel("")  # the scenario, its goals and lesson: only now
        self.about.setObjectName("noteLine")
        self.about.setWordWrap(True)
        self.about.setAccessibleName("The scenario and its goals")
        self.about.hide()
        lay.addWidget(self.about)
        self.table = QTableWidget(0, 0)
        self.table.setObjectName("debriefTable")
        self.table.setAccessibleName("Debrief")
        self.table.setAccessibleDescription("Each duty: the verdict, when it was due, what was expected, what was done")
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.setMinimumHeight(160)
        lay.addWidget(self.table, 1)
        self.error = QLabel("")
        self.error.setObjectName("errorLine")
        self.error.setWordWrap(True)
        lay.addWidget(self.error)
        self.saved = QLabel("")  # "Saved the debrief: /path/file.pdf"
        self.saved.setObjectName("readyLine")
        self.saved.setWordWrap(True)
        self.saved.hide()
        lay.addWidget(self.saved)
        row = QHBoxLayout()
        self.pdf_button = QPushButton("Export debrief (PDF)…")
        self.pdf_button.setAccessibleName("Export the debrief as PDF")
        self.pdf_button.setAccessibleDescription("Saves the debrief, named after the scenario and the trainee")
        self.pdf_button.clicked.connect(self._ask_pdf)
        self.responses_button = QPushButton("Save responses…")
        self.responses_button.setAccessibleName("Save the trainee's responses")
        self.responses_button.setAccessibleDescription("Saves what the trainee did, to replay it later")
        self.responses_button.clicked.connect(self._ask_responses)
        row.addWidget(self.pdf_button)
        row.addWidget(self.responses_button)
        lay.addLayout(row)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self.table.resizeRowsToContents()  # re-wrap at the new width (a debrief has a few dozen rows)

    def columns(self) -> list[str]:
        """The known columns in a reading order, then anything else the debrief carries."""
        seen: list[str] = []
        for it in (self.data or {}).get("items", []):
            for k in _item_dict(it):
                if k not in seen and k != "kind":
                    seen.append(k)
        return [k for k in COLUMNS if k in seen] + [k for k in seen if k not in COLUMNS]

    def score_line(self) -> str:
        d = self.data or {}
        counts = d.get("counts") or {}
        tally = ", ".join(f"{n} {v}" for v, n in counts.items() if n)
        outcome = d.get("outcome")
        return (f"Score: {_cell(d.get('score'))} / 100" + (f" · {outcome}" if outcome else "")
                + (f" · {tally}" if tally else ""))

    def about_text(self) -> str:
        f = self.facts
        if f is None:
            return ""
        lines = [f"Scenario: {f.title}", f.heading()]
        lines += [f"Goal: {g}" for g in f.goals]
        if f.lesson:
            lines.append(f"Lesson: {f.lesson}")
        return "\n".join(lines)

    def show_debrief(self, debrief, run=None, facts: DebriefFacts | None = None) -> None:
        self.run, self.facts = run, facts
        self.data = _item_dict(debrief)
        self.score.setText(self.score_line())
        self.about.setText(self.about_text())
        self.about.setVisible(facts is not None)
        items = [_item_dict(it) for it in self.data.get("items", [])]
        cols = self.columns()
        self.table.setColumnCount(len(cols))
        self.table.setHorizontalHeaderLabels([COLUMNS.get(c, c.replace("_", " ")) for c in cols])
        self.table.setRowCount(len(items))
        for r, it in enumerate(items):
            for c, key in enumerate(cols):
                item = QTableWidgetItem(_cell(it.get(key)))
                item.setToolTip(_cell(it.get(key)))
                if key == "verdict" and it.get(key) in VERDICT_COLOURS:
                    item.setForeground(QBrush(QColor(VERDICT_COLOURS[it[key]])))
                    f = item.font()
                    f.setBold(True)
                    item.setFont(f)
                self.table.setItem(r, c, item)
        h = self.table.horizontalHeader()
        for c, key in enumerate(cols):
            mode = QHeaderView.ResizeMode.Stretch if key in WIDE else QHeaderView.ResizeMode.ResizeToContents
            h.setSectionResizeMode(c, mode)
        self.table.resizeRowsToContents()

    def html(self) -> str:
        cols = self.columns()
        rows = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(_item_dict(it).get(c)))}</td>" for c in cols) + "</tr>"
                       for it in (self.data or {}).get("items", []))
        head = "".join(f"<th align='left'>{html.escape(COLUMNS.get(c, c))}</th>" for c in cols)
        about = "".join(f"<p>{html.escape(line)}</p>" for line in self.about_text().splitlines())
        return (f"<h1>TRAINING debrief</h1>{about}"
                f"<p><b>{html.escape(self.score_line())}</b></p>"
                f"<table border='1' cellspacing='0' cellpadding='3' width='100%'><tr>{head}</tr>{rows}</table>"
                f"<p><i>Training simulation: not a real infusion.</i></p>")

    def export_pdf(self, path: str) -> str:
        """The debrief as a PDF at `path` (0600, written whole); InputError when it cannot be written."""
        with written(path, "Debrief file") as tmp:
            writer = QPdfWriter(tmp)
            writer.setTitle("TRAINING debrief" + (f": {self.facts.title}" if self.facts else ""))
            writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                             QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter))
            writer.setResolution(150)
            doc = QTextDocument()
            doc.setHtml(self.html())
            doc.setPageSize(writer.pageLayout().paintRectPixels(writer.resolution()).size().toSizeF())
            doc.print_(writer)
            del writer  # the file is complete once the writer is gone
        return path

    def default_path(self) -> str:
        if self.facts is None:
            return default_file_name("training debrief", "pdf", folder=last_folder.folder())
        return self.facts.file_name(last_folder.folder())

    def _say_saved(self, what: str, path: str) -> None:
        last_folder.remember(path)
        self.error.setText("")
        self.saved.setText(saved_words(what, path))
        self.saved.show()

    def _ask_pdf(self) -> None:
        path = ask_save_path(self, "Export debrief", self.default_path(), "PDF (*.pdf)")
        if path:
            try:
                self._say_saved("debrief", self.export_pdf(path))
            except TitrationError as exc:
                self.error.setText(f"Export: {exc}")

    def save_responses(self, path: str) -> str:
        """The trainee's responses as JSON at `path` (0600, written whole)."""
        if self.run is None:
            raise TitrationError("there is no training run to save")
        with written(path, "Responses file") as tmp:
            self.run.save_responses(tmp)
        return path

    def _ask_responses(self) -> None:
        if self.run is None:
            return
        name = self.default_path().replace("training debrief.pdf", "responses.json")
        path = ask_save_path(self, "Save responses", name, "JSON (*.json)")
        if path:
            try:
                self._say_saved("responses", self.save_responses(path))
            except TitrationError as exc:
                self.error.setText(f"Save responses: {exc}")
