"""The chart in words, for a screen reader (and anyone who prefers numbers to a picture): a one-line
summary (the pump rate now, the volume in, the next step) and the plan as a table of steps.

The summary is worded from the chair's snapshot; the table from the planned part of a chart frame
(`ui.chart.feed.PlanPart`), so it changes exactly when the drawn plan changes.
"""
from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from titration.chair_state import ChairState
from titration.timefmt import span_hm
from ui.common.widgets import WrapLabel

from .feed import StepRow

STEP_COLUMNS = ("Step", "From", "Until", "Rate (mL/h)", "Volume in by then (mL)")


def summary_words(s: ChairState) -> str:
    """'Chart: pump 42 mL/h; 37.8 of 700.0 mL in; next: step 2: 84 mL/h at 08:30 (in 4:05)'."""
    if s.status == "planned":
        return (f"Chart: the plan, {s.volumes.prescribed_ml:.0f} mL in {s.steps} steps, the first at "
                f"{s.target_ml_h:g} mL/h; not started")
    rate = f"pump {s.pump_rate_ml_h:g} mL/h" if s.status in ("running", "paused") else s.status
    return f"Chart: {rate}; {s.volumes.text} in; next: {s.next_step.words or '—'}"


class ChartSummary(WrapLabel):
    """The chart's text alternative, one line: what a screen reader says for the picture."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("chartSummary")
        self.setWordWrap(True)
        self.setAccessibleName("Chart summary")
        self.setAccessibleDescription("The infusion chart in words: the pump rate now, the volume in, the next step")

    def show_state(self, s: ChairState) -> None:
        text = summary_words(s)
        if text != self.text():
            self.setText(text)


class PlannedSteps(QTableWidget):
    """The plan as rows: each step's times from the pump start, its rate and the volume in by its end."""

    def __init__(self) -> None:
        super().__init__(0, len(STEP_COLUMNS))
        self.setObjectName("plannedSteps")
        self.setAccessibleName("Planned steps")
        self.setAccessibleDescription("The plan as a table: each step's start and end after the pump start, "
                                      "its rate and the volume in by its end")
        self.setHorizontalHeaderLabels(list(STEP_COLUMNS))
        self.verticalHeader().hide()
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)
        self._shown: tuple[StepRow, ...] | None = None

    def show_steps(self, steps: tuple[StepRow, ...], origin_min: float) -> None:
        """The current plan's steps (none once the infusion has ended); times count from the pump start."""
        if steps == self._shown:
            return
        self._shown = steps
        self.setRowCount(len(steps))
        for r, st in enumerate(steps):
            cells = (str(st.number), span_hm(max(0.0, st.start_min - origin_min)),
                     span_hm(max(0.0, st.end_min - origin_min)), f"{st.rate_ml_h:g}", f"{st.total_ml:.0f}")
            for c, text in enumerate(cells):
                self.setItem(r, c, QTableWidgetItem(text))

    def rows(self) -> list[tuple[str, ...]]:
        def cell(r: int, c: int) -> str:
            item = self.item(r, c)
            return item.text() if item is not None else ""

        return [tuple(cell(r, c) for c in range(self.columnCount())) for r in range(self.rowCount())]
