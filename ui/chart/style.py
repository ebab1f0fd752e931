"""The chart's look: the Okabe-Ito palette, marker styles, pens, the compact key's glyphs, the type
size (`Look`) and the time axes (minutes from the pump start, or the clock). Shared by the chart
and its parts."""
from __future__ import annotations

import time
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPen

from titration.timefmt import span_hm

# Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
}
GREY = "#8C8C8C"

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

    def tickSpacing(self, minVal, maxVal, size):
        major, minor = _nice_spacing(maxVal - minVal, size)
        return [(major, 0), (minor, 0)]

    def tickStrings(self, values, scale, spacing):
        return [f"{v - self.origin:g}" for v in values]


class ClockAxis(MinutesAxis):
    """The same minutes as wall-clock time (HH:MM), once the start time is known."""

    wall_start: float | None = None

    def tickStrings(self, values, scale, spacing):
        if self.wall_start is None:
            return [span_hm(v) for v in values]  # elapsed h:mm
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


def _pen(colour: str, width: float, style=Qt.PenStyle.SolidLine, alpha: int = 255) -> QPen:
    c = QColor(colour)
    c.setAlpha(alpha)
    p = pg.mkPen(c, width=width)
    p.setStyle(style)
    p.setCosmetic(True)
    return p


@dataclass(frozen=True)
class Look:
    """The chart's type: its font family and normal or large type."""

    family: str
    large: bool = False

    @property
    def tick_pt(self) -> int:
        return 14 if self.large else 11

    def font(self, pt: int, bold: bool = False) -> QFont:
        f = QFont(self.family, pt)
        f.setBold(bold)
        return f

    def label_css(self) -> dict[str, str]:
        return {"font-size": "15pt" if self.large else "12pt", "font-family": self.family, "color": "#000"}
