"""The infusion chart: cumulative volume on top, the pump rate as steps beneath, one time axis.

Every number comes from titration.report.chartdata (the core); this module only draws it.
Before the start (`set_plan`): the planned volume and the planned rate. During and after an
infusion (`set_session`): the original plan faded, the current plan (after any change) dashed,
the delivered volume solid, the confirmed rate as steps, and markers for what happened.
`refresh(now)` is the per-tick call: it moves the 'now' line and the delivered tip at constant
cost, and redraws everything only when the session has new events that change what is drawn
(a note changes nothing) or a new plan.

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
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from titration.report.chartdata import DeliveredTrace, Marker, MarkerTrace, plan_curve, rate_steps
from titration.timefmt import span_hm
from ui.common.fonts import register_fonts

from .fit import ChartFit
from .legend import ChartLegend
from .markers import ChartMarkers
from .style import (  # noqa: F401 - the chart's public names stay importable from here
    CURVE_KEYS,
    GREY,
    KEY_GLYPHS,
    LABELLED,
    MARKER_STYLES,
    OKABE_ITO,
    ORIGINAL_ALPHA,
    UNDRAWN_EVENTS,
    VLINED,
    ClockAxis,
    MinutesAxis,
    _faded,
    _nice_spacing,
    _pen,
)


class InfusionChart(ChartMarkers, ChartLegend, ChartFit, QWidget):
    """Two stacked plots (volume mL, rate mL/h) sharing one time axis in minutes."""

    def __init__(self, parent: QWidget | None = None, *, large: bool = False):
        super().__init__(parent)
        self.family = register_fonts()
        self._large = large
        self._plan = None
        self._session = None
        self._trace = DeliveredTrace()
        self._n_events = -1
        self._plan_drawn = None
        self._now: float | None = None
        self._wall_start: float | None = None
        self._data: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._mtrace = MarkerTrace()  # markers taken in as events arrive
        self._labelled: list[tuple[Marker, float]] = []  # the few that get a text label or a line
        self._spots_big: bool | None = None  # the type size the marker spots were drawn at
        self._decor: list = []  # per-redraw items (labels, vertical lines), removed on the next redraw
        self._event_labels: list[tuple[pg.TextItem, float]] = []  # (label, its event's minute), for placing
        self._x_max = 60.0
        self._origin = 0.0  # session minute of the pump start: the x axis counts from it
        self._legend_sig = None  # what the legends list; rebuilt only when it changes
        self._fit_sig = None  # (legend, plot size, large) the legend layout was fitted for
        self._compact = False  # legends hidden, the key above the plots instead
        self.stats = {"full_redraws": 0, "ticks": 0, "set_data": 0, "legend_rebuilds": 0, "skipped_redraws": 0}

        self.volume_plot = pg.PlotWidget(background="w", axisItems={
            "bottom": MinutesAxis("bottom"), "top": ClockAxis("top")})
        self.rate_plot = pg.PlotWidget(background="w", axisItems={"bottom": MinutesAxis("bottom")})
        self.rate_plot.setXLink(self.volume_plot)
        self.volume_plot.setObjectName("volumePlot")
        self.rate_plot.setObjectName("ratePlot")
        self.key = QLabel()  # the compact key of a narrow chart (hidden when the in-plot legends fit)
        self.key.setObjectName("chartKey")
        self.key.setTextFormat(Qt.RichText)
        self.key.setWordWrap(True)
        self.key.setStyleSheet("QLabel#chartKey { background: white; color: black; padding: 3px 8px; }")
        self.key.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Minimum)
        self.key.hide()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.key)
        lay.addWidget(self.volume_plot, 3)
        lay.addWidget(self.rate_plot, 2)

        for pw in (self.volume_plot, self.rate_plot):
            pi = pw.getPlotItem()
            pi.setMenuEnabled(False)  # no pyqtgraph "Export..." or plot options for nurses
            pi.getViewBox().setMenuEnabled(False)
            pi.hideButtons()
            pi.setMouseEnabled(x=False, y=False)  # a stray drag must not move the chart
            pi.disableAutoRange()
            pi.showGrid(x=True, y=True, alpha=0.25)
        self.volume_plot.getPlotItem().showAxis("top")
        for pw in (self.volume_plot, self.rate_plot):  # an empty right axis keeps the last tick label inside
            pw.getPlotItem().showAxis("right")
            pw.getPlotItem().getAxis("right").setStyle(showValues=False)
            pw.getPlotItem().getAxis("right").setWidth(28)

        vp, rp = self.volume_plot.getPlotItem(), self.rate_plot.getPlotItem()
        # One row along the top, in headroom kept above the prescribed volume / top rate, so the
        # legend never covers a curve. Markers carry their own text labels, so only vitals are listed.
        self._legend_v = vp.addLegend(offset=(8, 4), labelTextSize="11pt", labelTextColor="#000", colCount=4)
        self._legend_r = rp.addLegend(offset=(8, 4), labelTextSize="11pt", labelTextColor="#000", colCount=3)
        # Named curves (pyqtgraph's export and our tests find them by name).
        self.c_original = vp.plot(name="Original plan", antialias=True)
        self.c_current = vp.plot(name="Current plan", antialias=True)
        self.c_delivered = vp.plot(name="Delivered", antialias=True)
        self.c_original_rate = rp.plot(name="Original rate", stepMode="center", antialias=True)
        self.c_planned_rate = rp.plot(name="Planned rate", stepMode="center", antialias=True)
        self.c_actual_rate = rp.plot(name="Pump rate (confirmed)", stepMode="center", antialias=True)
        for c, name in ((self.c_original, "original_ml"), (self.c_current, "current_ml"),
                        (self.c_delivered, "delivered_ml"), (self.c_original_rate, "original_rate_ml_h"),
                        (self.c_planned_rate, "planned_rate_ml_h"), (self.c_actual_rate, "actual_rate_ml_h")):
            c.setObjectName(name)
        self.marker_items: dict[str, pg.ScatterPlotItem] = {}
        for kind, (name, symbol, colour) in MARKER_STYLES.items():
            it = pg.ScatterPlotItem(name=name, symbol=symbol, hoverable=True, tip=self._tip, size=12,
                                    brush=pg.mkBrush(colour), pen=pg.mkPen("k", width=1.2))
            it.setZValue(20)
            vp.addItem(it)
            self.marker_items[kind] = it
        self.volume_line = pg.InfiniteLine(angle=0, movable=False, name="Prescribed volume")
        self._volume_sample = pg.PlotDataItem(name="Prescribed volume")  # its legend sample only, never drawn
        vp.addItem(self.volume_line, ignoreBounds=True)
        vp.getViewBox().sigResized.connect(self._fit_legends)
        rp.getViewBox().sigResized.connect(self._fit_legends)
        self.now_line = pg.InfiniteLine(angle=90, movable=False, name="now", label="now",
                                        labelOpts={"position": 0.74, "anchors": [(0, 0.5), (0, 0.5)]})
        self.now_line_rate = pg.InfiniteLine(angle=90, movable=False, name="now (rate)")
        vp.addItem(self.now_line, ignoreBounds=True)
        rp.addItem(self.now_line_rate, ignoreBounds=True)
        for ln in (self.now_line, self.now_line_rate, self.volume_line):
            ln.setZValue(30)
            ln.hide()
        self._apply_style()
        self.clear()

    # ------------------------------------------------------------------ public API
    def set_plan(self, plan) -> None:
        """Preview before the start: the planned volume and the planned rate."""
        self._session, self._plan = None, plan
        self._trace = DeliveredTrace()
        self._n_events, self._plan_drawn, self._now = -1, None, None
        self._draw_plan_preview()

    def set_session(self, session, now_min: float | None = None) -> None:
        """Draw an infusion: original (faded), current (dashed), delivered (solid), markers."""
        self._session, self._plan = session, None
        self._trace = DeliveredTrace()
        self._mtrace, self._labelled, self._spots_big = MarkerTrace(), [], None  # another session: start afresh
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
            self._redraw_session(now_min)
        elif len(s.events) > self._n_events:
            if all(e.kind in UNDRAWN_EVENTS for e in s.events[self._n_events:]):
                self._n_events = len(s.events)  # a note: nothing drawn changes
                self._mtrace.update(s)
                self.stats["skipped_redraws"] += 1
            else:
                self._redraw_session(now_min)
        t, v = self._trace.update(s, now_min)
        self._set(self.c_delivered, "delivered_ml", t, v)
        tr, rr = self._trace.rates(s, now_min)
        self._set(self.c_actual_rate, "actual_rate_ml_h", tr, rr)
        self._move_now(now_min)

    def set_wall_start(self, epoch_seconds: float | None) -> None:
        """Show clock time (HH:MM) on the top axis; None shows elapsed h:mm."""
        self._wall_start = epoch_seconds
        ax = self.volume_plot.getPlotItem().getAxis("top")
        ax.wall_start = epoch_seconds
        ax.setLabel("Clock time" if epoch_seconds is not None else "Elapsed (h:mm)", **self._label_css())
        ax.picture = None  # tick strings changed: repaint them
        ax.update()

    def set_large(self, large: bool) -> None:
        """Large-type mode: bigger text and thicker lines."""
        self._large = bool(large)
        self._apply_style()
        self._legend_sig = self._fit_sig = None  # new text size: rebuild and refit the legends
        if self._session is not None:
            self._n_events = -1  # restyle the markers and labels
            self.refresh(self._now if self._now is not None else 0.0)
        elif self._plan is not None:
            self._draw_plan_preview()

    def set_show_now(self, show: bool) -> None:
        """Hide the 'now' line (a printed record after the end has no 'now')."""
        self._show_now = bool(show)
        for ln in (self.now_line, self.now_line_rate):
            ln.setVisible(self._show_now and self._session is not None)

    def curves(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """What is drawn, as (x, y) copies, keyed by curve name (for tests and exports)."""
        return {k: (np.array(x, copy=True), np.array(y, copy=True)) for k, (x, y) in self._data.items()}

    def markers(self) -> list[Marker]:
        return [m for m, _ in self._mtrace.pairs]

    def clear(self) -> None:
        for c in (self.c_original, self.c_current, self.c_delivered, self.c_original_rate, self.c_planned_rate,
                  self.c_actual_rate):
            c.clear()
        for it in self.marker_items.values():
            it.clear()
        self._mtrace, self._labelled, self._spots_big = MarkerTrace(), [], None
        self._clear_decor()
        self._data = {k: (np.zeros(0), np.zeros(0)) for k in CURVE_KEYS}
        for ln in (self.now_line, self.now_line_rate, self.volume_line):
            ln.hide()
        self._sync_legends()
        self._set_ranges(60.0, 100.0, 100.0)

    # ------------------------------------------------------------------ drawing
    def _draw_plan_preview(self) -> None:
        plan = self._plan
        self.clear()
        if plan is None:
            return
        self.stats["full_redraws"] += 1
        t, v = plan_curve(plan)
        self._data["original_ml"] = (t, v)  # before the start, the original is the plan itself
        self._set(self.c_current, "current_ml", t, v)
        tr, rr = rate_steps(plan)
        self._data["original_rate_ml_h"] = (tr, rr)
        self._set(self.c_planned_rate, "planned_rate_ml_h", tr, rr)
        self.c_original.clear()
        self.c_original_rate.clear()
        self._show_volume(plan.volume_ml)
        self._rate_labels(tr, rr, float(t[-1]))
        self._sync_legends()
        self._set_ranges(float(t[-1]), plan.volume_ml, float(rr.max()) if len(rr) else 10.0)

    def _redraw_session(self, now_min: float) -> None:
        s = self._session
        self.stats["full_redraws"] += 1
        self._n_events, self._plan_drawn = len(s.events), s.plan
        self._clear_decor()
        p0, p = s.original_plan, s.plan
        self._set_origin(s.state.started_at or 0.0)
        t0, v0 = plan_curve(p0)  # drawn from the actual start: the plan as it would have run from then
        self._set(self.c_original, "original_ml", t0 + self._origin, v0)
        tr0, rr0 = rate_steps(p0)
        self._set(self.c_original_rate, "original_rate_ml_h", tr0 + self._origin, rr0)
        ended = s.status in ("stopped", "completed", "closed")
        if ended or not p.steps:
            self._data["current_ml"] = (np.zeros(0), np.zeros(0))
            self._data["planned_rate_ml_h"] = (np.zeros(0), np.zeros(0))
            self.c_current.clear()
            self.c_planned_rate.clear()
            end = s.state.end_min if s.state.end_min is not None else float(t0[-1])
            tr, rr = np.zeros(0), np.zeros(0)
        else:
            t, v = plan_curve(p)
            self._set(self.c_current, "current_ml", t, v)
            tr, rr = rate_steps(p)
            self._set(self.c_planned_rate, "planned_rate_ml_h", tr, rr)
            end = float(t[-1])
        self._show_volume(s.volume_ml)
        self._x_max = max(float(t0[-1]), end)
        if len(tr):
            self._rate_labels(tr, rr, end)
        self._draw_markers(s)
        self._sync_legends()
        top_rate = max([float(rr0.max()) if len(rr0) else 0.0, float(rr.max()) if len(rr) else 0.0, 10.0])
        self._x_max = max(float(t0[-1]), end)
        self._set_ranges(max(self._x_max, now_min), s.volume_ml, top_rate)

    def _show_volume(self, volume_ml: float) -> None:
        self.volume_line.setValue(volume_ml)
        self.volume_line.show()
        self._volume_text = f"Prescribed {volume_ml:.0f} mL"  # said in the legend: a label on the line collides

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
        for pw in (self.volume_plot, self.rate_plot):
            ax = pw.getPlotItem().getAxis("bottom")
            if ax.origin != self._origin:
                ax.origin = self._origin
                ax.picture = None
                ax.update()

    def _move_now(self, now_min: float) -> None:
        for ln in (self.now_line, self.now_line_rate):
            ln.setValue(now_min)
            ln.setVisible(self._show_now)
        self.now_line.label.setFormat(f"now {self._elapsed(now_min)}")
        if now_min > self._x_range_max - 1.0:  # past the right edge: widen (rare)
            self._set_ranges(max(self._x_max, now_min + 15.0), self._y_max, self._r_max)
        if self._show_now:
            self._keep_now_inside()
            r = self.now_line.label.sceneBoundingRect()
            if any(ti.isVisible() and ti.sceneBoundingRect().intersects(r) for ti, _ in self._event_labels):
                self._unstack_labels()  # 'now' walked onto a label: move the label

    def _set(self, curve, key: str, x: np.ndarray, y: np.ndarray) -> None:
        """Points, or steps (len(x) == len(y) + 1); nothing to draw clears the curve."""
        self._data[key] = (x, y)
        self.stats["set_data"] += 1
        if len(y):
            curve.setData(x, y)
        else:
            curve.clear()

    def _set_ranges(self, x_max: float, volume_ml: float, rate_max: float) -> None:
        # 6% room on the right keeps the last tick label whole; headroom on top holds the legend.
        self._x_range_max, self._y_max, self._r_max = x_max * 1.06 + 1.0, volume_ml, rate_max
        # A little room below 0 so the 0 ticks and the markers at the start are not clipped (the x axis is shared).
        self.volume_plot.getPlotItem().setXRange(-0.02 * self._x_range_max, self._x_range_max, padding=0)
        self._fit_legends()

    def _clear_decor(self) -> None:
        for pi, it in self._decor:
            pi.removeItem(it)
        self._decor = []
        self._event_labels = []
