"""The infusion chart: cumulative volume on top, the pump rate as steps beneath, one time axis.

Every number comes from titration.report.chartdata (the core) through a `ChartFeed` (ui/chart/feed.py);
this module only draws it, and never holds a session. Before the start (`set_plan`): the planned
volume and the planned rate. During and after an infusion (`show_frame`, once per change of the
chair): the original plan faded, the current plan dashed, the delivered volume solid, the
confirmed rate as steps, and markers for what happened. A frame appends: a new event adds its
marker (and, for the events that change the infusion, a small number and a line in the list of
events beside the plots, never a text box over a curve); a replan redraws only the planned part;
a tick moves the 'now' line and the delivered tip at constant cost.

The chart is composed of parts with one job each: `ChartParts` (the plots, curves, legends and
lines it draws on), `Legends` (what the legends and the compact key list), `ChartFit` (legend
columns, headroom, axis titles, the 'now' label), `Markers` (a symbol per event, appended),
`StepLabels` (the mL/h over each planned step) and `EventList` (the numbered events in words).

The key: a wide chart (an export) lists the series in a legend inside each plot, in headroom kept
above the data. A narrow one (beside a chair's controls) would need a tall legend that covers the
curves and squashes them; there the in-plot legends hide and a compact key (one wrapping line of
text above the plots) says the same thing.

Colours: the Okabe-Ito palette (safe for the common colour-vision deficiencies), and every
series also differs by line style or width, so it reads in grey print too.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import QBoxLayout, QVBoxLayout, QWidget

from titration.plan import Plan
from titration.report.chartdata import Marker, plan_curve, rate_steps
from titration.session import Session
from titration.timefmt import span_hm
from ui.common.fonts import register_fonts

from .feed import ChartFeed, ChartFrame, PlanPart
from .fit import ChartFit
from .legend import Legends, apply_look
from .markers import EventList, Markers, StepLabels
from .parts import ChartParts
from .style import CURVE_KEYS, Look

WIDE_PX = 1000  # at least this wide, the list of events stands beside the plots; narrower, under them
SIDE_LIST_PX = 250


class InfusionChart(QWidget):
    """Two stacked plots (volume mL, rate mL/h) sharing one time axis in minutes."""

    def __init__(self, parent: QWidget | None = None, *, large: bool = False):
        super().__init__(parent)
        self.setObjectName("infusionChart")
        self.setAccessibleName("Infusion chart")
        self.setAccessibleDescription("Volume in and pump rate over time; the chart summary and the planned "
                                      "steps say the same in words")
        self.look = Look(register_fonts(), bool(large))
        self._preview = True  # a plan before the start (no session drawn)
        self._wall_start: float | None = None
        self._data: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._origin = 0.0  # session minute of the pump start: the x axis counts from it
        self._original_end = 0.0
        self._plan_end = 0.0
        self._rates_top = (0.0, 0.0)  # the original's and the current plan's highest rate
        self._volume = 100.0
        self._ranges: tuple[float, float, float] | None = None
        self._x_range_max = 60.0
        self._now: float | None = None
        self._show_now = True
        self.stats = {"full_redraws": 0, "plan_redraws": 0, "frames": 0, "set_data": 0, "legend_rebuilds": 0}

        self._now_timer = QTimer(self)
        self._now_timer.setSingleShot(True)
        self._now_timer.setInterval(0)
        self._now_timer.timeout.connect(self._keep_now_inside)
        self.parts = ChartParts()
        self.parts.volume_plot.setAccessibleName("Volume in over time")
        self.parts.rate_plot.setAccessibleName("Pump rate over time")
        self.legends = Legends(self.parts)
        self.fit = ChartFit(self.parts, self.legends)
        self.events = EventList()
        self.marker_layer = Markers(self.parts, self.events, self._elapsed)
        self.step_labels = StepLabels(self.parts)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.parts.key)
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.body.setSpacing(2)
        plots = QVBoxLayout()
        plots.setSpacing(0)
        plots.addWidget(self.parts.volume_plot, 3)
        plots.addWidget(self.parts.rate_plot, 2)
        self.body.addLayout(plots, 1)
        self.body.addWidget(self.events)
        lay.addLayout(self.body, 1)
        self.events.hide()
        self.parts.vp.getViewBox().sigResized.connect(self._fit)
        self.parts.rp.getViewBox().sigResized.connect(self._fit)
        self._apply_look()
        self.clear()

    # ------------------------------------------------------------------ public API
    def set_plan(self, plan: Plan | None) -> None:
        """Preview before the start: the planned volume and the planned rate."""
        self.clear()
        if plan is None:
            return
        p = self.parts
        self.stats["full_redraws"] += 1
        t, v = plan_curve(plan)
        self._data["original_ml"] = (t, v)  # before the start, the original is the plan itself
        self._set(p.c_current, "current_ml", t, v)
        tr, rr = rate_steps(plan)
        self._data["original_rate_ml_h"] = (tr, rr)
        self._set(p.c_planned_rate, "planned_rate_ml_h", tr, rr)
        self._show_volume(plan.volume_ml)
        self.step_labels.show(tr, rr, float(t[-1]), self.look)
        self._sync_legends()
        self._set_ranges(float(t[-1]), plan.volume_ml, float(rr.max()) if len(rr) else 10.0)

    def set_session(self, session: Session | None, now_min: float | None = None) -> None:
        """Draw an infusion once (an export, a test): a feed of its own, then dropped."""
        self.clear()
        if session is None:
            return
        if now_min is None:
            now_min = session.events[-1].at_min if session.events else 0.0
        self.show_frame(ChartFeed(session).frame(now_min))

    def show_frame(self, f: ChartFrame) -> None:
        """What is new in the infusion since the last frame: appended, or (a replan) the planned part."""
        self.stats["frames"] += 1
        p = self.parts
        changed = f.reset or self._preview
        if changed:
            self._start_session()
        if f.original is not None:
            (t0, v0), (tr0, rr0) = f.original
            self._set(p.c_original, "original_ml", t0, v0)
            self._set(p.c_original_rate, "original_rate_ml_h", tr0, rr0)
            self._set_origin(f.origin_min)
            self._original_end = float(t0[-1])
            self._rates_top = (float(rr0.max()) if len(rr0) else 0.0, self._rates_top[1])
            changed = True
        if f.plan is not None:
            self._draw_plan(f.plan)
            changed = True
        if self._volume != f.volume_ml or not p.volume_line.isVisible():
            self._show_volume(f.volume_ml)
            changed = True
        if f.markers:
            vitals_before = len(p.vitals_spots.data)
            self.marker_layer.append(f.markers, self.look)
            changed = changed or (vitals_before == 0 and len(p.vitals_spots.data) > 0)
        self._set(p.c_delivered, "delivered_ml", *f.delivered)
        self._set(p.c_actual_rate, "actual_rate_ml_h", *f.rates)
        if changed:
            self._sync_legends()
        self._now = f.now_min
        x_max = max(self._original_end, self._plan_end)
        self._set_ranges(max(x_max, f.now_min), self._volume, max(self._rates_top + (10.0,)))
        self._move_now(f.now_min)

    def set_wall_start(self, epoch_seconds: float | None) -> None:
        """Show clock time (HH:MM) on the top axis; None shows elapsed h:mm."""
        self._wall_start = epoch_seconds
        ax = self.parts.vp.getAxis("top")
        ax.wall_start = epoch_seconds
        ax.setLabel("Clock time" if epoch_seconds is not None else "Elapsed (h:mm)", **self.look.label_css())
        ax.picture = None  # tick strings changed: repaint them
        ax.update()

    def set_large(self, large: bool) -> None:
        """Large-type mode: bigger text and thicker lines."""
        self.look = Look(self.look.family, bool(large))
        self._apply_look()
        self.legends.invalidate()  # new text size: rebuild and refit the legends
        self.fit.invalidate()
        self.marker_layer.restyle(self.look)
        f = self.events.font()
        f.setPointSize(13 if large else 10)
        self.events.setFont(f)
        self.events.fit_rows()
        tr, rr = self._data.get("planned_rate_ml_h", (np.zeros(0), np.zeros(0)))
        self.step_labels.show(tr, rr, max(self._plan_end, self._original_end), self.look)
        self._sync_legends()
        self._fit()

    def set_show_now(self, show: bool) -> None:
        """Hide the 'now' line (a printed record after the end has no 'now')."""
        self._show_now = bool(show)
        for ln in (self.parts.now_line, self.parts.now_line_rate):
            ln.setVisible(self._show_now and not self._preview)

    def curves(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """What is drawn, as (x, y) copies, keyed by curve name (for tests and exports)."""
        return {k: (np.array(x, copy=True), np.array(y, copy=True)) for k, (x, y) in self._data.items()}

    def markers(self) -> list[Marker]:
        return [m for m, _ in self.marker_layer.pairs]

    def axis_title(self, key: str) -> str:
        return self.fit.axis_title(key)

    def clear(self) -> None:
        p = self.parts
        for c in p.curves():
            c.clear()
        self.marker_layer.clear()
        self.events.hide()
        self.step_labels.show(np.zeros(0), np.zeros(0), 0.0, self.look)
        self._data = {k: (np.zeros(0), np.zeros(0)) for k in CURVE_KEYS}
        for ln in (p.now_line, p.now_line_rate, p.volume_line):
            ln.hide()
        self._preview = True
        self._origin, self._original_end, self._plan_end, self._rates_top = 0.0, 0.0, 0.0, (0.0, 0.0)
        self._set_origin(0.0)
        self._sync_legends()
        self._set_ranges(60.0, 100.0, 100.0)

    # ------------------------------------------------------------------ drawing
    def _start_session(self) -> None:
        """A session from scratch: nothing of a plan preview or an earlier session stays. The list of
        events is there from the start (its room kept), so nothing moves when the first one comes."""
        self.clear()
        self._preview = False
        self.events.show()
        self.stats["full_redraws"] += 1

    def _draw_plan(self, part: PlanPart) -> None:
        """Only the planned part: the current plan's volume and rate, and the mL/h over its steps."""
        p = self.parts
        self.stats["plan_redraws"] += 1
        self._set(p.c_current, "current_ml", *part.volume)
        tr, rr = part.rate
        self._set(p.c_planned_rate, "planned_rate_ml_h", tr, rr)
        self._plan_end = part.end_min
        self._rates_top = (self._rates_top[0], float(rr.max()) if len(rr) else 0.0)
        self.step_labels.show(tr, rr, part.end_min, self.look)

    def _apply_look(self) -> None:
        apply_look(self.parts, self.look)
        self.set_wall_start(self._wall_start)

    def _sync_legends(self) -> None:
        if self.legends.sync(self._preview, self.look):
            self.stats["legend_rebuilds"] += 1
            self.fit.invalidate()
            self._fit()

    def _fit(self, *_a: object) -> None:
        self.fit.fit(self.look, self.height())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._now_timer.start()  # once laid out (a timer of the chart's own: it dies with the chart)

    def _keep_now_inside(self) -> None:
        self.fit.keep_now_inside()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        wide = event.size().width() >= WIDE_PX
        self.body.setDirection(QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom)
        if wide:
            self.events.setFixedWidth(SIDE_LIST_PX)
        else:
            self.events.setMinimumWidth(0)
            self.events.setMaximumWidth(16777215)
        self.events.max_rows = 0 if wide else 4 if event.size().height() >= 500 else 2
        self.events.fit_rows()

    def _show_volume(self, volume_ml: float) -> None:
        self._volume = volume_ml
        self.parts.volume_line.setValue(volume_ml)
        self.parts.volume_line.show()
        self.legends.volume_text = f"Prescribed {volume_ml:.0f} mL"  # in the legend: a label on the line collides

    def _elapsed(self, at_min: float) -> str:
        """An event's time as the x axis counts it: h:mm since the pump start."""
        if at_min >= self._origin - 1e-9:
            return span_hm(at_min - self._origin)
        return span_hm(at_min)

    def _set_origin(self, origin: float) -> None:
        """Elapsed time on the chart counts from the pump start, as everywhere else."""
        self._origin = float(origin)
        axes = [pw.getPlotItem().getAxis("bottom") for pw in (self.parts.volume_plot, self.parts.rate_plot)]
        for ax in axes + [self.parts.vp.getAxis("top")]:
            if ax.origin != self._origin:
                ax.origin = self._origin
                ax.picture = None
                ax.update()

    def _move_now(self, now_min: float) -> None:
        now_line = self.parts.now_line
        label = now_line.label
        text = f"now {self._elapsed(now_min)}"
        # The label follows its line: the move lays it out (the new text and its place) once, where
        # setFormat would lay it out a second time. The text changes once a minute.
        label.format = text
        for ln in (now_line, self.parts.now_line_rate):
            ln.setVisible(self._show_now)
            ln.setValue(now_min)
        if label.toPlainText() != text:  # 'now' did not move, or the label was hidden when it did
            label.valueChanged()
        if self._show_now:
            self.fit.keep_now_inside()

    def _set(self, curve: pg.PlotCurveItem, key: str, x: np.ndarray, y: np.ndarray) -> None:
        """Points, or steps (len(x) == len(y) + 1); nothing to draw clears the curve."""
        self._data[key] = (x, y)
        self.stats["set_data"] += 1
        if len(y):
            curve.setData(x=x, y=y, stepMode="center" if len(x) == len(y) + 1 else None)
        else:
            curve.clear()

    def _set_ranges(self, x_max: float, volume_ml: float, rate_max: float) -> None:
        """The view's ranges, set again only when what they hold has changed: the time axis when the
        plan's end moves (or 'now' walks past the edge), the heights (and the headroom the legends
        need) when the volume or the top rate changes."""
        old = self._ranges
        self._ranges = (x_max, volume_ml, rate_max)
        if old is None or not (old[0] - 1e-9 <= x_max <= self._x_range_max - 1.0) or x_max < old[0] - 1e-9:
            # 6% room on the right keeps the last tick label whole; a little room below 0 keeps the 0
            # ticks and the markers at the start whole (the x axis is shared)
            self._x_range_max = x_max * 1.06 + 1.0
            self.parts.vp.setXRange(-0.02 * self._x_range_max, self._x_range_max, padding=0)
        if old is None or old[1:] != (volume_ml, rate_max):
            self.fit.y_max, self.fit.r_max = volume_ml, rate_max
            self._fit()
