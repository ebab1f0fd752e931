"""The infusion's event log as a table (time, who, what), filled from the session's events.

`sync(events)` appends only the rows it has not shown yet, so a clock tick costs the same with
ten events or a thousand.
"""
from __future__ import annotations

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from titration.reactions import load_catalogue, vitals_text
from ui.style import RED


def judge_text(d: dict) -> str:
    """The core's 'judge it yourself' lines kept with the event (a child's value no band covers)."""
    return "".join(f" — JUDGE IT YOURSELF: {x}" for x in d.get("judge", ()))


def describe(e, catalogue=None) -> str:
    """One line a nurse reads, from the event's own data."""
    cat = catalogue or load_catalogue()
    d, k = e.data, e.kind
    if k == "planned":
        return f"Plan made ({d.get('policy', '')} policy){' — TRAINING' if d.get('training') else ''}"
    if k == "vitals":
        g = d.get("grade", "none")
        return f"Vitals: {vitals_text(d.get('vitals', {}))} — grade {g}{judge_text(d)}"
    if k == "start":
        return f"Started: pump set to {d['rate_ml_h']:g} mL/h (step 1)"
    if k == "increase":
        return f"Pump set to {d['rate_ml_h']:g} mL/h (step {d['rung'] + 1})"
    if k == "symptoms":
        names = ", ".join(f"{cat.symptoms[s].label} ({cat.symptoms[s].grade})" if s in cat.symptoms else s
                          for s in d.get("symptoms", []))
        extra = f"; vitals {vitals_text(d['vitals'])}" if "vitals" in d else ""
        return f"Symptoms reported: {names}{extra}{judge_text(d)}"
    if k == "action":
        a = d.get("action", "")
        rate = f" — pump {d.get('rate_ml_h', 0):g} mL/h" if a not in ("pause", "stop") else ""
        if d.get("override"):
            return f"OVERRIDE: {a}{rate} instead of {d.get('proposed', '?')} — reason: {d['override']}"
        return f"Confirmed: {a}{rate} — {d.get('reason', '')}"
    if k == "resolved":
        return "Symptoms resolved"
    if k == "pause":
        return "Paused" + (f" — {d['reason']}" if d.get("reason") else "")
    if k == "resume":
        return f"Resumed at {d['rate_ml_h']:g} mL/h"
    if k == "stop":
        return f"STOPPED — {d.get('reason', '')}"
    if k == "complete":
        return f"Volume complete: {d.get('delivered_ml', 0):.1f} mL in; the pump's end confirmed"
    if k == "observed":
        return "Observation closed" + (f" early: {d['early']}" if d.get("early") else "")
    if k == "note":
        return f"Note: {d.get('text', '')}"
    return k


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
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.setWordWrap(True)  # a nurse reads the whole line, not an ellipsis
        h = self.horizontalHeader()
        # Time and who have a fixed format: sized once per batch of rows, not re-measured over the
        # whole table at every insert (ResizeToContents made opening a long record quadratic).
        h.setSectionResizeMode(0, QHeaderView.Interactive)
        h.setSectionResizeMode(1, QHeaderView.Interactive)
        h.setSectionResizeMode(2, QHeaderView.Stretch)

    def sync(self, events, unsaved_from: int | None = None) -> None:
        if len(events) == self.shown:
            return
        first = self.shown
        for i in range(self.shown, len(events)):
            e = events[i]
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
        for row in range(first, len(events)):
            self.resizeRowToContents(row)  # the new rows only: constant cost per new event
        self.shown = len(events)
        self.scrollToBottom()

    def refit(self) -> None:
        """After a change of type size: the time and who columns measured again (once, not per tick)."""
        self.resizeColumnToContents(0)
        self.resizeColumnToContents(1)
        self.resizeRowsToContents()

    def resizeEvent(self, event):  # noqa: N802 (Qt's name)
        """A narrower (or wider) log wraps its lines again: rows are re-measured only when the
        width changes (a window resize or large type), never on a clock tick."""
        old = event.oldSize().width()
        super().resizeEvent(event)
        if old != event.size().width() and self.rowCount():
            self.resizeRowsToContents()

    def texts(self) -> list[tuple[str, str, str]]:
        return [tuple(self.item(r, c).text() for c in range(3)) for r in range(self.rowCount())]
