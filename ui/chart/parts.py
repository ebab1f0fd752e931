"""What the infusion chart is drawn with: two plots sharing a time axis, their curves, legends and
marker series, the prescribed-volume and 'now' lines, and the compact key. Built once per chart;
the chart and its helpers (legends, fit, markers) are handed this object and draw on it."""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy

from .style import MARKER_STYLES, ClockAxis, MinutesAxis, VolumeAxis


def _tip(x: float, y: float, data: object) -> str:
    return str(data)


def _curve(plot: pg.PlotItem, name: str) -> pg.PlotCurveItem:
    """A named curve in `plot`. A PlotCurveItem, not the PlotDataItem that `plot()` makes: the chart
    uses none of its sampling, log or symbol modes, and setting its data costs about a tenth as much
    (a replan sets four curves, a tick two). The core's numbers are finite: no scan for NaN on a draw."""
    c = pg.PlotCurveItem(name=name, antialias=True, skipFiniteCheck=True)
    plot.addItem(c)
    return c


class ChartParts:
    """The pyqtgraph items of one chart (volume on top, the pump rate as steps beneath)."""

    def __init__(self) -> None:
        self.volume_plot = pg.PlotWidget(background="w", axisItems={
            "bottom": MinutesAxis("bottom"), "top": ClockAxis("top"), "left": VolumeAxis("left")})
        self.rate_plot = pg.PlotWidget(background="w", axisItems={"bottom": MinutesAxis("bottom"),
                                                                  "left": VolumeAxis("left")})
        self.rate_plot.setXLink(self.volume_plot)
        self.volume_plot.setObjectName("volumePlot")
        self.rate_plot.setObjectName("ratePlot")
        self.key = QLabel()  # the compact key of a narrow chart (hidden when the in-plot legends fit)
        self.key.setObjectName("chartKey")
        self.key.setTextFormat(Qt.TextFormat.RichText)
        self.key.setWordWrap(True)
        self.key.setStyleSheet("QLabel#chartKey { background: white; color: black; padding: 3px 8px; }")
        self.key.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.key.hide()

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

        vp, rp = self.vp, self.rp
        # One row along the top, in headroom kept above the prescribed volume / top rate, so the
        # legend never covers a curve. Events are numbered and listed beside the plots, so only vitals are listed.
        self.legend_v = vp.addLegend(offset=(8, 4), labelTextSize="11pt", labelTextColor="#000", colCount=4)
        self.legend_r = rp.addLegend(offset=(8, 4), labelTextSize="11pt", labelTextColor="#000", colCount=3)
        # Named curves (pyqtgraph's export and our tests find them by name). The rate curves are
        # steps: the chart sets them with one more edge than rates (stepMode "center").
        self.c_original = _curve(vp, "Original plan")
        self.c_current = _curve(vp, "Current plan")
        self.c_delivered = _curve(vp, "Delivered")
        self.c_original_rate = _curve(rp, "Original rate")
        self.c_planned_rate = _curve(rp, "Planned rate")
        self.c_actual_rate = _curve(rp, "Pump rate (confirmed)")
        for c, name in ((self.c_original, "original_ml"), (self.c_current, "current_ml"),
                        (self.c_delivered, "delivered_ml"), (self.c_original_rate, "original_rate_ml_h"),
                        (self.c_planned_rate, "planned_rate_ml_h"), (self.c_actual_rate, "actual_rate_ml_h")):
            c.setObjectName(name)
        # Vitals are many: a scatter of their own (the legend lists it). Every other event, and the
        # numbers beside the ones that change the infusion (text symbols), share one scatter: a new
        # event costs one append, however long the record.
        self.vitals_spots = pg.ScatterPlotItem(name=MARKER_STYLES["vitals"][0], symbol="o", hoverable=True, tip=_tip,
                                               size=9, brush=pg.mkBrush(MARKER_STYLES["vitals"][2]),
                                               pen=pg.mkPen("k", width=1.2))
        self.event_spots = pg.ScatterPlotItem(name="Events", hoverable=True, tip=_tip)
        for z, it in ((20, self.vitals_spots), (21, self.event_spots)):
            it.setZValue(z)
            vp.addItem(it)
        self.volume_line = pg.InfiniteLine(angle=0, movable=False, name="Prescribed volume")
        self.volume_sample = pg.PlotDataItem(name="Prescribed volume")  # its legend sample only, never drawn
        vp.addItem(self.volume_line, ignoreBounds=True)
        self.now_line = pg.InfiniteLine(angle=90, movable=False, name="now", label="now",
                                        labelOpts={"position": 0.74, "anchors": [(0, 0.5), (0, 0.5)]})
        self.now_line_rate = pg.InfiniteLine(angle=90, movable=False, name="now (rate)")
        vp.addItem(self.now_line, ignoreBounds=True)
        rp.addItem(self.now_line_rate, ignoreBounds=True)
        for ln in (self.now_line, self.now_line_rate, self.volume_line):
            ln.setZValue(30)
            ln.hide()

    @property
    def vp(self) -> pg.PlotItem:
        return self.volume_plot.getPlotItem()

    @property
    def rp(self) -> pg.PlotItem:
        return self.rate_plot.getPlotItem()

    def curves(self) -> tuple[pg.PlotCurveItem, ...]:
        return (self.c_original, self.c_current, self.c_delivered, self.c_original_rate, self.c_planned_rate,
                self.c_actual_rate)
