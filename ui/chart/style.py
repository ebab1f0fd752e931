"""The chart's look: the Okabe-Ito palette, marker styles, pens, the compact key's glyphs, the type
size (`Look`) and the time axes (minutes from the pump start, or the clock). Shared by the chart
and its parts."""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPen

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
    "resume": ("Rate set again", "d", OKABE_ITO["blue"]),  # resumed, continued, stepped up: its label says which
    "stop": ("Stopped", "x", OKABE_ITO["black"]),
    "complete": ("Complete", "star", OKABE_ITO["blue"]),
}
# Numbered on the chart (a small number beside the marker) and listed beside it with what happened;
# the end shows itself, and vitals are many: their dots carry their values as a tip.
NUMBERED = ("symptoms", "slow", "pause", "resume", "stop", "complete")
VLINED = ("symptoms", "pause", "stop")  # get a dotted vertical line across both plots

CURVE_KEYS = ("original_ml", "current_ml", "delivered_ml", "planned_rate_ml_h", "actual_rate_ml_h",
              "original_rate_ml_h")


MINUTE_SPACINGS = ((15, 5), (30, 15), (60, 15), (120, 30), (240, 60), (480, 120), (960, 240))


def minute_spacing(span: float, labels: float) -> tuple[float, float]:
    """Major and minor tick spacing in minutes, as nurses count time: 15, 30 or 60 minutes (then
    whole hours); `labels` is how many labels fit along the axis."""
    wanted = max(2.0, labels)
    for major, minor in MINUTE_SPACINGS:
        if span / major <= wanted:
            return float(major), float(minor)
    return 1920.0, 480.0


def one_two_five(span: float, labels: float) -> float:
    """The smallest 1-2-5 step (1, 2, 5, 10, 20, 50 ...) that needs no more than `labels` labels."""
    wanted = max(2.0, labels)
    raw = max(span / wanted, 1e-9)
    p = 10.0 ** math.floor(math.log10(raw))
    for m in (1.0, 2.0, 5.0, 10.0):
        if m * p >= raw - 1e-12:
            return m * p
    return 10.0 * p


def multiples(lo: float, hi: float, step: float, offset: float = 0.0) -> list[float]:
    """offset + k * step within [lo, hi]."""
    k0, k1 = math.ceil((lo - offset) / step - 1e-9), math.floor((hi - offset) / step + 1e-9)
    return [offset + k * step for k in range(k0, k1 + 1)]


def _levels(lo: float, hi: float, major: float, minor: float, offset: float = 0.0) -> list:
    big = multiples(lo, hi, major, offset)
    seen = {round(v, 6) for v in big}
    small = [v for v in multiples(lo, hi, minor, offset) if round(v, 6) not in seen]
    return [(major, big), (minor, small)]


class _RoundAxis(pg.AxisItem):
    """An axis whose labelled ticks are round numbers; only the major ticks carry text."""

    sample = "0000"  # the widest label it shows, for how many fit

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.setStyle(maxTextLevel=0)

    def _labels_fit(self, size: float) -> float:
        font = self.style.get("tickFont") or QFont()
        fm = QFontMetrics(font)
        if self.orientation in ("left", "right"):
            return size / (fm.height() * 1.5)
        return size / (fm.horizontalAdvance(self.sample) + 16)


class VolumeAxis(_RoundAxis):
    """mL and mL/h on 1-2-5 steps (100, 200, 500 ...): never 29.7219."""

    def tickValues(self, minVal, maxVal, size):
        step = one_two_five(maxVal - minVal, self._labels_fit(size))
        mantissa = round(step / 10.0 ** math.floor(math.log10(step)))
        return _levels(max(minVal, 0.0), maxVal, step, step / (4.0 if mantissa == 2 else 5.0))

    def tickStrings(self, values, scale, spacing):
        return [f"{v:g}" for v in values]


class MinutesAxis(_RoundAxis):
    """Minutes from the pump start (the chair's one clock), ticked every 15, 30 or 60 minutes of it."""

    origin = 0.0  # the session minute the pump was started at (0 until it is)
    sample = "0000"

    def tickValues(self, minVal, maxVal, size):
        major, minor = minute_spacing(maxVal - minVal, self._labels_fit(size))
        return _levels(minVal, maxVal, major, minor, self.origin)

    def tickStrings(self, values, scale, spacing):
        return [f"{round(v - self.origin):d}" for v in values]


class ClockAxis(MinutesAxis):
    """The same minutes as the time of day (HH:MM) on the quarter hour, once the start time is
    known; before that, h:mm since the start."""

    wall_start: float | None = None
    sample = "00:00"

    def _offset(self) -> float:
        """The session minute of a midnight: clock ticks fall on the quarter hours of the day."""
        if self.wall_start is None:
            return self.origin
        lt = time.localtime(self.wall_start)
        start_clock = lt.tm_hour * 60 + lt.tm_min + (self.wall_start % 60) / 60.0
        return -start_clock

    def tickValues(self, minVal, maxVal, size):
        major, minor = minute_spacing(maxVal - minVal, self._labels_fit(size))
        return _levels(minVal, maxVal, major, minor, self._offset())

    def tickStrings(self, values, scale, spacing):
        if self.wall_start is None:
            return [span_hm(v - self.origin) for v in values]  # elapsed h:mm
        return [time.strftime("%H:%M", time.localtime(self.wall_start + v * 60.0 + 0.5)) for v in values]


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
