"""The infusion's event log as a table (time, who, what), filled from the infusion's events.

`append(new)` adds only the rows not shown yet (the chair's model hands over the new events), so a
clock tick costs the same with ten events or a thousand.
"""
from __future__ import annotations

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from titration.catalogue_file import load_catalogue
from titration.report.event_words import describe
from ui.common.style import RED


class EventLog(QTableWidget):
    def __init__(self, clock_text, parent=None, catalogue=None, elapsed=None):
        super().__init__(0, 3, parent)
        self._clock_text = clock_text  # session minutes -> "HH:MM"
        self._elapsed = elapsed  # session minutes -> "+h:mm:ss" since the pump start ("" before it)
        self.catalogue = catalogue or load_catalogue()
        self.shown = 0
        self.setObjectName("eventLog")
        self.setHorizontalHeaderLabels(["Time", "Who", "What"])
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setWordWrap(True)  # a nurse reads the whole line, not an ellipsis
        h = self.horizontalHeader()
        # Time and who have a fixed format: sized once per batch of rows, not re-measured over the
        # whole table at every insert (ResizeToContents made opening a long record quadratic).
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        h.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)

    def sync(self, events, unsaved_from: int | None = None) -> None:
        """Show a whole record's events: only those not shown yet are appended."""
        self.append(events[self.shown:], unsaved_from)

    def append(self, new, unsaved_from: int | None = None) -> None:
        """Append the events after the ones shown (`new`: those events only, in order)."""
        if not new:
            return
        first = self.shown
        for i, e in enumerate(new, first):
            m = int(e.at_min)
            s = int(round((e.at_min - m) * 60)) % 60
            if self._elapsed is not None:
                since = self._elapsed(e.at_min)
                when = f"{self._clock_text(e.at_min)}  ({since})" if since else self._clock_text(e.at_min)
            else:
                when = f"{self._clock_text(e.at_min)}  (+{m // 60}:{m % 60:02d}:{s:02d})"
            what = describe(e, self.catalogue)
            if unsaved_from is not None and i >= unsaved_from:
                what = "NOT SAVED — " + what
            row = self.rowCount()
            self.insertRow(row)
            for col, text in enumerate((when, e.who, what)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if e.kind in ("stop",) or (e.kind == "action" and e.data.get("override")) or e.data.get("judge"):
                    item.setForeground(QBrush(QColor(RED)))
                self.setItem(row, col, item)
        if first == 0:
            self.resizeColumnToContents(0)
            self.resizeColumnToContents(1)
        self.shown = first + len(new)
        for row in range(first, self.shown):
            self.resizeRowToContents(row)  # the new rows only: constant cost per new event
        self.scrollToBottom()

    def refit(self) -> None:
        """After a change of type size: the time and who columns measured again (once, not per tick)."""
        self.resizeColumnToContents(0)
        self.resizeColumnToContents(1)
        self.resizeRowsToContents()

    def resizeEvent(self, event):
        """A narrower (or wider) log wraps its lines again: rows are re-measured only when the
        width changes (a window resize or large type), never on a clock tick."""
        old = event.oldSize().width()
        super().resizeEvent(event)
        if old != event.size().width() and self.rowCount():
            self.resizeRowsToContents()

    def texts(self) -> list[tuple[str, str, str]]:
        def cell(r: int, c: int) -> str:
            item = self.item(r, c)
            return item.text() if item is not None else ""

        return [(cell(r, 0), cell(r, 1), cell(r, 2)) for r in range(self.rowCount())]
