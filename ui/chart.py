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

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QFont, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from titration.report.chartdata import DeliveredTrace, Marker, MarkerTrace, plan_curve, rate_steps
from titration.report.table import clock

from .chart_fit import ChartFit
from .fonts import register_fonts

# Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
}
GREY = "#8C8C8C"
from ui.style import GRADE_COLOURS  # noqa: E402 - the one grade palette (severe red, moderate orange, mild amber)

# Marker kinds drawn as one scatter series each: (legend name, symbol, colour).
MARKER_STYLES = {
    "vitals": ("Vitals", "o", OKABE_ITO["green"]),
    "symptoms": ("Symptoms", "t", OKABE_ITO["orange"]),
    "slow": ("Slowed", "t1", OKABE_ITO["purple"]),
    "pause": ("Paused", "s", OKABE_ITO["purple"]),
    "resume": ("Resumed", "d", OKABE_ITO["blue"]),
    "stop": ("Stopped", "x", OKABE_ITO["black"]),
    "complete": ("Complete", "star", OKABE_ITO["blue"]),
}
LABELLED = ("symptoms", "slow", "pause", "resume", "stop")  # get a text label on the chart (the end shows itself)
VLINED = ("symptoms", "pause", "stop")  # get a dotted vertical line across both plots

# Events that change neither a curve nor a drawn marker: the chart skips its full redraw for them.
UNDRAWN_EVENTS = ("note",)

CURVE_KEYS = ("original_ml", "current_ml", "delivered_ml", "planned_rate_ml_h", "actual_rate_ml_h",
              "original_rate_ml_h")


def _nice_spacing(span: float, pixels: float) -> tuple[float, float]:
    """Major/minor tick spacing in minutes that match how nurses count time (15, 30, 60 min)."""
    wanted = max(2.0, pixels / 75.0)  # about one label per 75 px
    for major, minor in ((5, 1), (10, 5), (15, 5), (30, 10), (60, 15), (120, 30), (240, 60), (480, 120)):
        if span / major <= wanted:
            return float(major), float(minor)
    return 960.0, 240.0


class MinutesAxis(pg.AxisItem):
    """Minutes from the pump start (the chair's one clock), ticked on 15/30/60-minute boundaries."""

    origin = 0.0  # the session minute the pump was started at (0 until it is)

    def tickSpacing(self, minVal, maxVal, size):  # noqa: N802 (pyqtgraph's name)
        major, minor = _nice_spacing(maxVal - minVal, size)
        return [(major, 0), (minor, 0)]

    def tickStrings(self, values, scale, spacing):  # noqa: N802
        return [f"{v - self.origin:g}" for v in values]


class ClockAxis(MinutesAxis):
    """The same minutes as wall-clock time (HH:MM), once the start time is known."""

    wall_start: float | None = None

    def tickStrings(self, values, scale, spacing):  # noqa: N802
        if self.wall_start is None:
            return [clock(v) for v in values]  # elapsed h:mm
        return [time.strftime("%H:%M", time.localtime(self.wall_start + v * 60.0)) for v in values]


def _faded(colour: str, alpha: int) -> str:
    """The colour a line drawn with `alpha` shows on white (the key's text has no transparency)."""
    c = QColor(colour)
    a = alpha / 255.0
    return QColor(*(round(v * a + 255 * (1.0 - a)) for v in (c.red(), c.green(), c.blue()))).name()


ORIGINAL_ALPHA = 150  # the original plan is drawn faded

# The compact key's glyph for each series: (text, colour). Same colours and styles as the lines.
KEY_GLYPHS = {
    "original": ("\u2501\u2501", _faded(OKABE_ITO["sky_blue"], ORIGINAL_ALPHA)),  # solid, faded
    "current": ("\u254d\u254d", OKABE_ITO["blue"]),  # dashed
    "delivered": ("\u2501\u2501", OKABE_ITO["vermillion"]),  # solid
    "vitals": ("\u25cf", OKABE_ITO["green"]),
    "volume": ("\u2500\u00b7\u2500", GREY),  # dash-dot
}


def _pen(colour: str, width: float, style=Qt.SolidLine, alpha: int = 255) -> QPen:
    c = QColor(colour)
    c.setAlpha(alpha)
    p = pg.mkPen(c, width=width)
    p.setStyle(style)
    p.setCosmetic(True)
    return p


class InfusionChart(ChartFit, QWidget):
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

    def _draw_markers(self, s) -> None:
        """Append the markers of new events; redraw them all only for a new session or a new type size."""
        rebuilds = self._mtrace.rebuilds
        added = self._mtrace.update(s)
        big = self._large
        if self._mtrace.rebuilds != rebuilds or self._spots_big != big:
            added = self._mtrace.pairs
            for it in self.marker_items.values():
                it.clear()
            self._labelled, self._spots_big = [], big
        new_spots: dict[str, list] = {}
        for m, y in added:
            if m.kind in self.marker_items:
                new_spots.setdefault(m.kind, []).append(self._spot(m, y, big))
            if m.kind in LABELLED or m.kind in VLINED:
                self._labelled.append((m, y))
        for kind, spots in new_spots.items():
            self.marker_items[kind].addPoints(spots, symbol=MARKER_STYLES[kind][1])
        self._draw_labels(s.volume_ml, big)

    def _spot(self, m: Marker, y: float, big: bool) -> dict:
        kind = m.kind
        colour = GRADE_COLOURS.get(m.grade, MARKER_STYLES[kind][2]) if kind == "symptoms" else MARKER_STYLES[kind][2]
        size = (18 if big else 14) if kind != "vitals" else (12 if big else 9)
        return {"pos": (m.at_min, y), "data": f"{self._elapsed(m.at_min)}  {m.label}", "brush": pg.mkBrush(colour),
                "pen": pg.mkPen("k" if kind != "stop" else colour, width=1.5 if kind != "stop" else 3), "size": size}

    def _draw_labels(self, vol: float, big: bool) -> None:
        """Text labels and dotted lines for the few events that change the plan (a short list)."""
        groups: dict[float, list[tuple[Marker, float]]] = {}
        for m, y in self._labelled:
            if m.kind in LABELLED:
                groups.setdefault(round(m.at_min, 1), []).append((m, y))
        vp, rp = self.volume_plot.getPlotItem(), self.rate_plot.getPlotItem()
        for i, (x, group) in enumerate(groups.items()):
            text = "\n".join(f"{self._elapsed(m.at_min)} {m.label}" for m, _ in group)
            ti = pg.TextItem(text, color=OKABE_ITO["black"], anchor=(0.0, 0.5),
                             fill=pg.mkBrush(255, 255, 255, 225), border=pg.mkPen(GREY))
            ti.setFont(self._font(11 if not big else 14))
            # Beside the event's dotted line, in the empty middle of the plot (the curves run
            # low early and high late); successive labels step down so they do not pile up.
            ti.setPos(x, min(0.8 * vol, max(vol * (0.55 - 0.13 * (i % 4)), group[0][1] + 0.08 * vol)))
            ti.setZValue(25)
            vp.addItem(ti, ignoreBounds=True)
            self._decor.append((vp, ti))
            self._event_labels.append((ti, x))
        self._place_labels()
        QTimer.singleShot(0, self._place_labels)  # again once the plot is laid out (sizes are known then)
        for m, _ in self._labelled:
            if m.kind in VLINED:
                colour = GRADE_COLOURS.get(m.grade, GREY) if m.kind == "symptoms" else MARKER_STYLES[m.kind][2]
                for pi in (vp, rp):
                    ln = pg.InfiniteLine(pos=float(m.at_min), angle=90, movable=False, pen=_pen(colour, 1.5, Qt.DotLine))
                    ln.setZValue(5)
                    pi.addItem(ln, ignoreBounds=True)
                    self._decor.append((pi, ln))

    def _rate_labels(self, t: np.ndarray, r: np.ndarray, x_end: float) -> None:
        """The mL/h of each planned step, written over it (what goes into the pump)."""
        rp = self.rate_plot.getPlotItem()
        span = max(x_end - float(t[0]), 1.0)
        for a, b, rate in zip(t[:-1], t[1:], r):
            if rate <= 0 or (b - a) < 0.04 * span:
                continue
            ti = pg.TextItem(f"{rate:g}", color=OKABE_ITO["blue"], anchor=(0.5, 1.0))
            ti.setFont(self._font(11 if not self._large else 14, bold=True))
            ti.setPos((a + b) / 2.0, rate)
            rp.addItem(ti, ignoreBounds=True)
            self._decor.append((rp, ti))

    def _show_volume(self, volume_ml: float) -> None:
        self.volume_line.setValue(volume_ml)
        self.volume_line.show()
        self._volume_text = f"Prescribed {volume_ml:.0f} mL"  # said in the legend: a label on the line collides

    def _elapsed(self, at_min: float) -> str:
        """An event's time as the x axis counts it: h:mm since the pump start."""
        if self._started() and at_min >= self._origin - 1e-9:
            return clock(at_min - self._origin)
        return clock(at_min)

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

    def _sync_legends(self) -> None:
        """The legend lists only what is drawn (no empty 'Stopped' entry on a calm infusion).

        Rebuilt only when that list changes: a new vitals entry on an infusion that already has
        some leaves the legends (and the key) as they are.
        """
        preview = self._session is None
        vol, rate = [], []
        for c, key, label in ((self.c_original, "original", "Original plan"),
                              (self.c_current, "current", "Plan" if preview else "Current plan"),
                              (self.c_delivered, "delivered", "Delivered")):
            if c.xData is not None and len(c.xData) or (c is self.c_delivered and not preview):
                vol.append((c, key, label))
        if len(self.marker_items["vitals"].data):
            vol.append((self.marker_items["vitals"], "vitals", MARKER_STYLES["vitals"][0]))
        if self.volume_line.isVisible():
            vol.append((self._volume_sample, "volume", self._volume_text))
        for c, label in ((self.c_original_rate, "Original rate"),
                         (self.c_planned_rate, "Planned rate"),
                         (self.c_actual_rate, "Pump rate (confirmed)")):
            if c.xData is not None and len(c.xData) or (c is self.c_actual_rate and not preview):
                rate.append((c, label))
        sig = (tuple((key, label) for _, key, label in vol), tuple(label for _, label in rate), self._large)
        if sig == self._legend_sig:
            return
        self._legend_sig = sig
        self.stats["legend_rebuilds"] += 1
        self._legend_v.clear()
        self._legend_r.clear()
        for c, _key, label in vol:
            self._legend_v.addItem(c, label)
        for c, label in rate:
            self._legend_r.addItem(c, label)
        for lg in (self._legend_v, self._legend_r):
            for sample, _label in lg.items:  # a click on a legend entry must not hide a curve
                sample.setAcceptedMouseButtons(Qt.NoButton)
        self.key.setText(self._key_html([(key, label) for _, key, label in vol], preview))

    def _key_html(self, entries: list[tuple[str, str]], preview: bool) -> str:
        """The compact key: a coloured glyph and a name per series; breaks only between entries.

        The rate plot uses the same colours and styles, so the key names both where they pair up.
        """
        pt = 14 if self._large else 11
        both = {"original": "Original plan", "current": "Plan" if preview else "Current plan",
                "delivered": "Delivered / pump rate"}
        parts = []
        for key, label in entries:
            glyph, colour = KEY_GLYPHS[key]
            text = both.get(key, label).replace(" ", "&nbsp;")
            parts.append(f'<span style="color:{colour}; font-weight:bold">{glyph}</span>&nbsp;{text}')
        return (f'<span style="font-family:\'{self.family}\'; font-size:{pt}pt">'
                + " &nbsp; ".join(parts) + "</span>")

    # ------------------------------------------------------------------ style
    _volume_text = ""
    _show_now = True
    _x_range_max = 60.0
    _y_max = 100.0
    _r_max = 100.0

    def _font(self, pt: int, bold: bool = False) -> QFont:
        f = QFont(self.family, pt)
        f.setBold(bold)
        return f

    def _label_css(self) -> dict:
        return {"font-size": "15pt" if self._large else "12pt", "font-family": self.family, "color": "#000"}

    def _apply_style(self) -> None:
        big = self._large
        tick_pt = 14 if big else 11
        w = 1.6 if big else 1.0  # line width factor
        for pw in (self.volume_plot, self.rate_plot):
            pi = pw.getPlotItem()
            for name in ("left", "bottom", "top"):
                ax = pi.getAxis(name)
                ax.setPen(pg.mkPen("#333"))
                ax.setTextPen(pg.mkPen("#000"))
                ax.setStyle(tickFont=self._font(tick_pt), tickTextOffset=6)
                ax.enableAutoSIPrefix(False)  # never "kmL"
            pi.getAxis("left").setWidth(int(tick_pt * 6.2))
        vp, rp = self.volume_plot.getPlotItem(), self.rate_plot.getPlotItem()
        css = self._label_css()
        vp.setLabel("left", "Volume in (mL)", **css)
        vp.getAxis("bottom").setStyle(showValues=False)
        vp.getAxis("bottom").setHeight(4)
        rp.setLabel("left", "Rate (mL/h)", **css)
        rp.setLabel("bottom", "Time from start (min)", **css)
        self.set_wall_start(self._wall_start)
        for lg in (self._legend_v, self._legend_r):
            lg.setLabelTextSize("14pt" if big else "11pt")
            lg.setBrush(pg.mkBrush(255, 255, 255, 225))
            lg.setPen(pg.mkPen(GREY))
        self.c_original.setPen(_pen(OKABE_ITO["sky_blue"], 3 * w, alpha=ORIGINAL_ALPHA))
        self.c_current.setPen(_pen(OKABE_ITO["blue"], 3 * w, Qt.DashLine))
        self.c_delivered.setPen(_pen(OKABE_ITO["vermillion"], 4 * w))
        self.c_original_rate.setPen(_pen(OKABE_ITO["sky_blue"], 3 * w, alpha=ORIGINAL_ALPHA))
        self.c_planned_rate.setPen(_pen(OKABE_ITO["blue"], 3 * w, Qt.DashLine))
        self.c_actual_rate.setPen(_pen(OKABE_ITO["vermillion"], 3.5 * w))
        self.volume_line.setPen(_pen(GREY, 1.5 * w, Qt.DashDotLine))
        for ln in (self.now_line, self.now_line_rate):
            ln.setPen(_pen(OKABE_ITO["black"], 2 * w))
        self.now_line.label.setFont(self._font(tick_pt, bold=True))
        self.now_line.label.setColor(OKABE_ITO["black"])
        self.now_line.label.fill = pg.mkBrush(255, 255, 255, 220)
        self._volume_sample.setPen(self.volume_line.pen)

    @staticmethod
    def _tip(x, y, data):
        return str(data)
