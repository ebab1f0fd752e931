"""The infusion chart: cumulative volume on top, the pump rate as steps beneath, one time axis.

Every number comes from titration.report.chartdata (the core); this module only draws it.
Before the start (`set_plan`): the planned volume and the planned rate. During and after an
infusion (`set_session`): the original plan faded, the current plan (after any change) dashed,
the delivered volume solid, the confirmed rate as steps, and markers for what happened.
`refresh(now)` is the per-tick call: it moves the 'now' line and the delivered tip at constant
cost, and redraws everything only when the session has new events that change what is drawn
(a note changes nothing) or a new plan.

The chart is composed of parts with one job each: `ChartParts` (the plots, curves, legends and
lines it draws on), `Legends` (what the legends and the compact key list), `ChartFit` (legend
columns, headroom, axis titles), `EventLabels` (labels that never cover each other) and
`Markers` (a symbol per event, appended as events arrive).

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
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from titration.plan import Plan
from titration.report.chartdata import DeliveredTrace, Marker, plan_curve, rate_steps
from titration.session import Session
from titration.timefmt import span_hm
from ui.common.fonts import register_fonts

from .fit import ChartFit, EventLabels
from .legend import Legends, apply_look
from .markers import Markers
from .parts import ChartParts
from .style import CURVE_KEYS, UNDRAWN_EVENTS, Look


class InfusionChart(QWidget):
    """Two stacked plots (volume mL, rate mL/h) sharing one time axis in minutes."""

    def __init__(self, parent: QWidget | None = None, *, large: bool = False):
        super().__init__(parent)
        self.look = Look(register_fonts(), bool(large))
        self._plan: Plan | None = None
        self._session: Session | None = None
        self._trace = DeliveredTrace()
        self._n_events = -1
        self._plan_drawn: Plan | None = None
        self._now: float | None = None
        self._wall_start: float | None = None
        self._data: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._x_max = 60.0
        self._x_range_max = 60.0
        self._origin = 0.0  # session minute of the pump start: the x axis counts from it
        self._show_now = True
        self.stats = {"full_redraws": 0, "ticks": 0, "set_data": 0, "legend_rebuilds": 0, "skipped_redraws": 0}

        self.parts = ChartParts()
        self.legends = Legends(self.parts)
        self.labels = EventLabels(self.parts)
        self.fit = ChartFit(self.parts, self.legends, self.labels)
        self.marker_layer = Markers(self.parts, self.labels, self._elapsed)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.parts.key)
        lay.addWidget(self.parts.volume_plot, 3)
        lay.addWidget(self.parts.rate_plot, 2)
        self.parts.vp.getViewBox().sigResized.connect(self._fit)
        self.parts.rp.getViewBox().sigResized.connect(self._fit)
        self._apply_look()
        self.clear()

    # ------------------------------------------------------------------ public API
    def set_plan(self, plan: Plan | None) -> None:
        """Preview before the start: the planned volume and the planned rate."""
        self._session, self._plan = None, plan
        self._trace = DeliveredTrace()
        self._n_events, self._plan_drawn, self._now = -1, None, None
        self._draw_plan_preview()

    def set_session(self, session: Session | None, now_min: float | None = None) -> None:
        """Draw an infusion: original (faded), current (dashed), delivered (solid), markers."""
        self._session, self._plan = session, None
        self._trace = DeliveredTrace()
        self.marker_layer.reset()  # another session: start afresh
        self._n_events, self._plan_drawn = -1, None
        if session is None:
            self.clear()
            return
        if now_min is None:
            now_min = session.events[-1].at_min if session.events else 0.0
        self.refresh(now_min)

    def refresh(self, now_min: float) -> None:
        """Per tick: the 'now' line and the delivered tip; a full redraw only on new events or a new plan."""
        s = self._session
        self._now = now_min
        if s is None:
            return
        self.stats["ticks"] += 1
        if s.plan is not self._plan_drawn or len(s.events) < self._n_events:
            self._redraw_session(s, now_min)
        elif len(s.events) > self._n_events:
            if all(e.kind in UNDRAWN_EVENTS for e in s.events[self._n_events:]):
                self._n_events = len(s.events)  # a note: nothing drawn changes
                self.marker_layer.take_in(s)
                self.stats["skipped_redraws"] += 1
            else:
                self._redraw_session(s, now_min)
        p = self.parts
        t, v = self._trace.update(s, now_min)
        self._set(p.c_delivered, "delivered_ml", t, v)
        tr, rr = self._trace.rates(s, now_min)
        self._set(p.c_actual_rate, "actual_rate_ml_h", tr, rr)
        self._move_now(now_min)

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
        if self._session is not None:
            self._n_events = -1  # restyle the markers and labels
            self.refresh(self._now if self._now is not None else 0.0)
        elif self._plan is not None:
            self._draw_plan_preview()

    def set_show_now(self, show: bool) -> None:
        """Hide the 'now' line (a printed record after the end has no 'now')."""
        self._show_now = bool(show)
        for ln in (self.parts.now_line, self.parts.now_line_rate):
            ln.setVisible(self._show_now and self._session is not None)

    def curves(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """What is drawn, as (x, y) copies, keyed by curve name (for tests and exports)."""
        return {k: (np.array(x, copy=True), np.array(y, copy=True)) for k, (x, y) in self._data.items()}

    def markers(self) -> list[Marker]:
        return [m for m, _ in self.marker_layer.trace.pairs]

    def axis_title(self, key: str) -> str:
        return self.fit.axis_title(key)

    def clear(self) -> None:
        p = self.parts
        for c in p.curves():
            c.clear()
        self.marker_layer.clear()
        self._data = {k: (np.zeros(0), np.zeros(0)) for k in CURVE_KEYS}
        for ln in (p.now_line, p.now_line_rate, p.volume_line):
            ln.hide()
        self._sync_legends()
        self._set_ranges(60.0, 100.0, 100.0)

    # ------------------------------------------------------------------ drawing
    def _apply_look(self) -> None:
        apply_look(self.parts, self.look)
        self.set_wall_start(self._wall_start)

    def _sync_legends(self) -> None:
        if self.legends.sync(self._session is None, self.look):
            self.stats["legend_rebuilds"] += 1

    def _fit(self, *_a: object) -> None:
        self.fit.fit(self.look, self.height())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self.labels.place)

    def _draw_plan_preview(self) -> None:
        plan = self._plan
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
        p.c_original.clear()
        p.c_original_rate.clear()
        self._show_volume(plan.volume_ml)
        self.marker_layer.rate_labels(tr, rr, float(t[-1]), self.look)
        self._sync_legends()
        self._set_ranges(float(t[-1]), plan.volume_ml, float(rr.max()) if len(rr) else 10.0)

    def _redraw_session(self, s: Session, now_min: float) -> None:
        pt = self.parts
        self.stats["full_redraws"] += 1
        self._n_events, self._plan_drawn = len(s.events), s.plan
        self.marker_layer.clear_decor()
        p0, p = s.original_plan, s.plan
        self._set_origin(s.state.started_at or 0.0)
        t0, v0 = plan_curve(p0)  # drawn from the actual start: the plan as it would have run from then
        self._set(pt.c_original, "original_ml", t0 + self._origin, v0)
        tr0, rr0 = rate_steps(p0)
        self._set(pt.c_original_rate, "original_rate_ml_h", tr0 + self._origin, rr0)
        ended = s.status in ("stopped", "completed", "closed")
        if ended or not p.steps:
            self._data["current_ml"] = (np.zeros(0), np.zeros(0))
            self._data["planned_rate_ml_h"] = (np.zeros(0), np.zeros(0))
            pt.c_current.clear()
            pt.c_planned_rate.clear()
            end = s.state.end_min if s.state.end_min is not None else float(t0[-1])
            tr, rr = np.zeros(0), np.zeros(0)
        else:
            t, v = plan_curve(p)
            self._set(pt.c_current, "current_ml", t, v)
            tr, rr = rate_steps(p)
            self._set(pt.c_planned_rate, "planned_rate_ml_h", tr, rr)
            end = float(t[-1])
        self._show_volume(s.volume_ml)
        self._x_max = max(float(t0[-1]), end)
        if len(tr):
            self.marker_layer.rate_labels(tr, rr, end, self.look)
        self.marker_layer.draw(s, self.look)
        self._sync_legends()
        top_rate = max([float(rr0.max()) if len(rr0) else 0.0, float(rr.max()) if len(rr) else 0.0, 10.0])
        self._set_ranges(max(self._x_max, now_min), s.volume_ml, top_rate)

    def _show_volume(self, volume_ml: float) -> None:
        self.parts.volume_line.setValue(volume_ml)
        self.parts.volume_line.show()
        self.legends.volume_text = f"Prescribed {volume_ml:.0f} mL"  # in the legend: a label on the line collides

    def _elapsed(self, at_min: float) -> str:
        """An event's time as the x axis counts it: h:mm since the pump start."""
        if self._started() and at_min >= self._origin - 1e-9:
            return span_hm(at_min - self._origin)
        return span_hm(at_min)

    def _started(self) -> bool:
        return self._session is not None and self._session.state.started_at is not None

    def _set_origin(self, origin: float) -> None:
        """Elapsed time on the chart counts from the pump start, as everywhere else."""
        self._origin = float(origin)
        for pw in (self.parts.volume_plot, self.parts.rate_plot):
            ax = pw.getPlotItem().getAxis("bottom")
            if ax.origin != self._origin:
                ax.origin = self._origin
                ax.picture = None
                ax.update()

    def _move_now(self, now_min: float) -> None:
        now_line = self.parts.now_line
        for ln in (now_line, self.parts.now_line_rate):
            ln.setValue(now_min)
            ln.setVisible(self._show_now)
        now_line.label.setFormat(f"now {self._elapsed(now_min)}")
        if now_min > self._x_range_max - 1.0:  # past the right edge: widen (rare)
            self._set_ranges(max(self._x_max, now_min + 15.0), self.fit.y_max, self.fit.r_max)
        if self._show_now:
            self.labels.keep_now_inside()
            if self.labels.covers_now():
                self.labels.unstack()  # 'now' walked onto a label: move the label

    def _set(self, curve: pg.PlotDataItem, key: str, x: np.ndarray, y: np.ndarray) -> None:
        """Points, or steps (len(x) == len(y) + 1); nothing to draw clears the curve."""
        self._data[key] = (x, y)
        self.stats["set_data"] += 1
        if len(y):
            curve.setData(x, y)
        else:
            curve.clear()

    def _set_ranges(self, x_max: float, volume_ml: float, rate_max: float) -> None:
        # 6% room on the right keeps the last tick label whole; headroom on top holds the legend.
        self._x_range_max = x_max * 1.06 + 1.0
        self.fit.y_max, self.fit.r_max = volume_ml, rate_max
        # A little room below 0 so the 0 ticks and the markers at the start are not clipped (the x axis is shared).
        self.parts.vp.setXRange(-0.02 * self._x_range_max, self._x_range_max, padding=0)
        self._fit()
