"""The plan preview beside the New-infusion inputs: summary, rate table, chart, arithmetic.

Every number is the core's (report.rows, plan.arithmetic); with no plan it shows nothing of an
earlier one: the table, the chart and the arithmetic are all cleared together.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from titration.day_fit import DaySettings, day_fit
from titration.report.table import rows
from titration.timefmt import span_hm, span_words, time_of_day
from ui.chair.day_fit_panel import DayFitPanel
from ui.chart.infusion_chart import InfusionChart
from ui.common.widgets import scrolled

EMPTY = "Enter the weight and the dose to see the plan."
DAY_FIT_MAX_H = 130  # the day-fit warning scrolls beyond this: the plan's rates stay in view
CHART_MIN_H = 180  # below this the two stacked plots cannot be read: the chart gives way
ARITHMETIC_H = 90


class PlanPreview(QWidget):
    """Shows one plan (or says there is none yet)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        rl = QVBoxLayout(self)
        rl.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel(EMPTY)
        self.summary.setObjectName("bigValue")
        self.summary.setWordWrap(True)
        rl.addWidget(self.summary)
        self.error = QLabel("")
        self.error.setObjectName("errorLine")
        self.error.setWordWrap(True)
        rl.addWidget(self.error)
        self.plan_notes = QLabel("")  # LOCAL protocol, starts at the initial rate, a limit set aside
        self.plan_notes.setObjectName("warnLine")
        self.plan_notes.setWordWrap(True)
        self.plan_notes.hide()
        rl.addWidget(self.plan_notes)
        # the core's day fit, if the infusion started now (its choices are made in the chair)
        self.day_fit = DayFitPanel(actions=False)
        self.day_fit_area = scrolled(self.day_fit, 200)
        self.day_fit_area.setMaximumHeight(DAY_FIT_MAX_H)
        self.day_fit_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # words to read: the Tab order skips it
        self.day_fit_area.hide()
        rl.addWidget(self.day_fit_area)
        self.table = QTableWidget(0, 7)
        self.table.setObjectName("planTable")
        self.table.setHorizontalHeaderLabels(["Time", "mL/h", "mg/kg/min", "mL/kg/min", "step mL", "total mL", "note"])
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMinimumHeight(60)
        self.table.setMinimumWidth(200)  # it scrolls sideways in a narrow window
        # the nurse can give the table, chart or arithmetic more room
        parts = self.parts = QSplitter(Qt.Orientation.Vertical)
        parts.addWidget(self.table)
        self.chart = InfusionChart()
        self.chart.setMinimumHeight(80)
        self.chart.setVisible(False)  # nothing to draw until there is a plan
        parts.addWidget(self.chart)
        box = QWidget()
        bl = QVBoxLayout(box)
        bl.setContentsMargins(0, 0, 0, 0)
        self.arithmetic = QPlainTextEdit()
        self.arithmetic.setObjectName("arithmetic")
        self.arithmetic.setReadOnly(True)
        self.arithmetic.setMinimumHeight(36)
        bl.addWidget(QLabel("How these numbers were worked out:"))
        bl.addWidget(self.arithmetic)
        parts.addWidget(box)
        parts.setSizes([200, 400, 180])
        rl.addWidget(parts, 1)

    def clear(self, message: str) -> None:
        """No plan: say why, and show nothing of an earlier plan (no other patient's chart)."""
        self.error.setText(message)
        self.plan_notes.hide()
        self.show_day_fit(None)
        self.summary.setText("No plan yet.")
        self.table.setRowCount(0)
        self.arithmetic.setPlainText("")
        self.chart.clear()
        self.chart.setVisible(False)

    def show_day_fit_from_now(self, plan, now_min: float) -> None:
        """The core's answer to 'does it fit the day if it starts now?' (the closing time: the request's)."""
        fit = day_fit(plan, now_min, DaySettings(plan.request.closing_clock))
        self.show_day_fit(fit, f"If the infusion starts now ({time_of_day(now_min)}): ")

    def show_day_fit(self, fit, prefix: str = "") -> None:
        """The core's DayFit for this plan (None or fitting: nothing shown)."""
        self.day_fit.show_fit(fit, prefix)
        self.day_fit_area.setVisible(fit is not None and not fit.fits)

    def show_plan(self, plan) -> None:
        self.error.setText("")
        top = plan.rungs[-1]
        local = " — LOCAL protocol" if plan.protocol_kind == "local" else ""
        self.summary.setText(
            f"{plan.product_name}: {plan.dose.dose_g:g} g = {plan.volume_ml:.1f} mL over "
            f"{span_words(plan.duration_min)}; starts at {plan.rungs[0].rate_ml_h:g} mL/h, up to {top.rate_ml_h:g} mL/h"
            f" (protocol {plan.protocol_id}{local})")
        self.plan_notes.setText("\n".join(plan.notes))
        self.plan_notes.setVisible(bool(plan.notes))
        data = rows(plan)
        self.table.setRowCount(len(data))
        for r, row in enumerate(data):
            note = "until volume complete" if row["until_volume_complete"] else ""
            if row["limited_by"]:
                note += (", " if note else "") + f"capped: {row['limited_by']}"
            cells = (f"{span_hm(row['start_min'])}–{span_hm(row['end_min'])}", f"{row['rate_ml_h']:g}",
                     f"{row['rate_mg_kg_min']:.2f}", f"{row['rate_ml_kg_min']:.4f}", f"{row['volume_ml']:.1f}",
                     f"{row['cumulative_ml']:.1f}", note)
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if 0 < c < 6:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.arithmetic.setPlainText("\n".join(plan.arithmetic() + ["", "Sources:"] + list(plan.sources)))
        self.chart.set_plan(plan)
        self.chart.setVisible(True)
        self._share()

    def _share(self) -> None:
        """The rates first: the whole table in view (a ladder has a handful of steps), then the
        arithmetic; the chart takes what is left, and gives way in a short window rather than being
        drawn too small to read (Export chart... still makes it full size)."""
        if self.table.rowCount() == 0:
            return
        rows_h = sum(self.table.rowHeight(i) for i in range(self.table.rowCount()))
        bar = self.table.horizontalScrollBar()
        bar_h = bar.sizeHint().height() if bar.isVisible() else 0  # a narrow window scrolls the table sideways
        need = min(rows_h + self.table.horizontalHeader().height() + bar_h + 2 * self.table.frameWidth() + 4, 260)
        room = self.parts.height() - 2 * self.parts.handleWidth()
        arithmetic = ARITHMETIC_H
        chart = room - need - arithmetic
        if chart < CHART_MIN_H:
            chart, arithmetic = 0, max(room - need, ARITHMETIC_H)
        self.parts.setSizes([need, chart, arithmetic])  # sizes, not minimums: a short window still fits

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._share()
