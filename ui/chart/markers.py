"""The chart's events: a symbol per event, a small number beside the ones that change the infusion
and the same number in the list beside the plots (what happened, in words), never a text box over
a curve; and the mL/h written over each planned step. Markers are appended as events arrive; the
step labels are kept and moved when the plan changes, never built again."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QFont, QPainterPath, QPen, QTransform
from PySide6.QtWidgets import QAbstractItemView, QGraphicsLineItem, QListWidget, QListWidgetItem

from titration.report.chartdata import Marker
from ui.common.style import GRADE_COLOURS  # the one grade palette (severe red, moderate orange, mild amber)

from .parts import ChartParts
from .style import GREY, MARKER_STYLES, NUMBERED, OKABE_ITO, VLINED, Look, _pen


class EventList(QListWidget):
    """The numbered events of the chart, in words: what the numbers on the plot stand for."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("chartEvents")
        self.setAccessibleName("Chart events")
        self.setAccessibleDescription("The numbered events on the infusion chart: when, and what happened")
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.setWordWrap(True)
        self.setStyleSheet("QListWidget#chartEvents { background: white; color: black; border: none; }")

        self.max_rows = 4  # under the plots: at most this many rows in view (the rest scroll)
        self.show_all = False  # on paper nothing scrolls: every row in view (exports)

    def add(self, number: int, when: str, what: str) -> None:
        item = QListWidgetItem(f"{number}   {when}   {what}")
        item.setToolTip(what)
        self.addItem(item)  # scrolled to once per frame by the caller (a scroll lays the list out)

    def fit_rows(self) -> None:
        """Under the plots, max_rows rows tall whatever it holds (nothing moves when an event comes);
        beside them, the plots' height."""
        if not self.max_rows:
            self.setMinimumHeight(0)
            self.setMaximumHeight(16777215)
            return
        rows = max(self.count(), self.max_rows) if self.show_all else self.max_rows
        h = rows * self.row_height() + 2 * self.frameWidth() + 4
        if self.height() != h or self.minimumHeight() != h:
            self.setFixedHeight(h)

    def row_height(self) -> int:
        return self.fontMetrics().lineSpacing() + 2

    def hidden_rows(self) -> int:
        """Rows under the plots that would need scrolling to be read."""
        return max(self.count() - self.max_rows, 0) if self.max_rows else 0

    def texts(self) -> list[str]:
        return [self.item(i).text() for i in range(self.count())]


@lru_cache(maxsize=512)  # a path per (number, height): built once, shared by every chart
def number_symbol(n: int, above: int) -> tuple[QPainterPath, float]:
    """The number `n` as a scatter symbol drawn above its marker (`above` numbers already stand at
    that moment, so this one goes higher still), and the symbol's size in glyph heights.

    pyqtgraph draws a symbol into a square of the spot's size centred on the spot, and clips what lies
    outside it: the number is placed in the upper part of a square big enough to reach it, the rest
    of which stays empty (the marker shows through)."""
    path = QPainterPath()
    f = QFont()
    f.setBold(True)
    f.setPointSize(10)
    path.addText(0, 0, f, str(n))
    br = path.boundingRect()
    glyph = max(br.width(), br.height(), 1e-9)
    lift = 1.3 + 1.15 * above  # the number's centre above the marker's, in glyph heights
    box = 2.0 * (lift + 0.65)  # the square's side, in glyph heights
    tr = QTransform()
    tr.scale(1.0 / (glyph * box), 1.0 / (glyph * box))
    tr.translate(-br.x() - br.width() / 2.0, -br.y() - br.height() / 2.0 - lift * glyph)
    return tr.map(path), box


# pyqtgraph renders each scatter symbol once into its atlas, keyed by the pen's and the brush's
# identity: a fresh pen per spot would render (and grow the atlas by) every spot anew. Shared, so
# never changed in place.
@lru_cache(maxsize=64)
def spot_brush(colour: str) -> QBrush:
    return pg.mkBrush(colour)


@lru_cache(maxsize=64)
def spot_pen(colour: str | None, width: float = 1.0) -> QPen:
    """An outline; None: none (pyqtgraph would make a fresh empty pen per spot)."""
    return pg.mkPen(colour, width=width)


@dataclass(frozen=True)
class Tip:
    """A spot's hover text, and what it marks."""

    kind: str
    text: str

    def __str__(self) -> str:
        return self.text


class Markers:
    """The markers of a session's events, appended as they arrive (a redraw never rebuilds them)."""

    def __init__(self, parts: ChartParts, events: EventList, elapsed: Callable[[float], str]):
        self.parts, self.events = parts, events
        self.elapsed = elapsed  # an event's time as the x axis counts it
        self.pairs: list[tuple[Marker, float]] = []  # every marker drawn, with its height (mL)
        self.numbered: list[Marker] = []
        self._stack: list[tuple[float, int]] = []  # (minute, level) of each number drawn: a close one goes above
        self._lines: list[tuple[pg.PlotItem, QGraphicsLineItem]] = []
        self._big = False

    def clear(self) -> None:
        self.parts.vitals_spots.clear()
        self.parts.event_spots.clear()
        for pi, ln in self._lines:
            pi.getViewBox().removeItem(ln)
        self.pairs, self.numbered, self._lines, self._stack = [], [], [], []
        self.events.clear()

    def append(self, pairs: tuple[tuple[Marker, float], ...] | list[tuple[Marker, float]], look: Look) -> None:
        """Draw the markers of new events: their symbols, numbers, list rows and dotted lines."""
        if look.large != self._big:
            self.restyle(look)
        vitals, spots = self._spots(pairs, look.large, fresh=True)
        if vitals:
            self.parts.vitals_spots.addPoints(vitals)
        if spots:
            self.parts.event_spots.addPoints(spots)
        if any(m.kind in NUMBERED for m, _ in pairs):
            self.events.scrollToBottom()

    def restyle(self, look: Look) -> None:
        """A new type size: the symbols and numbers drawn again at it."""
        self._big = look.large
        self._stack = []
        vitals, spots = self._spots(self.pairs, look.large, fresh=False)
        for it, new in ((self.parts.vitals_spots, vitals), (self.parts.event_spots, spots)):
            it.clear()
            if new:
                it.addPoints(new)

    def _spots(self, pairs, big: bool, fresh: bool) -> tuple[list[dict], list[dict]]:
        """The spots of `pairs` (vitals, the rest with their numbers); `fresh`: new events, which are
        also kept, listed and given their dotted lines."""
        vitals: list[dict] = []
        spots: list[dict] = []
        n = 0
        for m, y in pairs:
            if fresh:
                self.pairs.append((m, y))
            if m.kind not in MARKER_STYLES:
                continue  # a note, a start: in the event log, not on the chart
            (vitals if m.kind == "vitals" else spots).append(self._spot(m, y, big))
            if m.kind in NUMBERED:
                if fresh:
                    self.numbered.append(m)
                    self.events.add(len(self.numbered), self.elapsed(m.at_min), m.label)
                n = len(self.numbered) if fresh else n + 1
                spots.append(self._spot_number(n, m, y, big))
            if fresh and m.kind in VLINED:
                self._line(m)
        return vitals, spots

    def _spot(self, m: Marker, y: float, big: bool) -> dict:
        kind = m.kind
        colour = GRADE_COLOURS.get(m.grade, MARKER_STYLES[kind][2]) if kind == "symptoms" else MARKER_STYLES[kind][2]
        size = (16 if big else 12) if kind != "vitals" else (12 if big else 9)
        return {"pos": (m.at_min, y), "data": Tip(kind, f"{self.elapsed(m.at_min)}  {m.label}"),
                "brush": spot_brush(colour), "symbol": MARKER_STYLES[kind][1],
                "pen": spot_pen("k" if kind != "stop" else colour, 1.5 if kind != "stop" else 3.0), "size": size}

    def _spot_number(self, n: int, m: Marker, y: float, big: bool) -> dict:
        symbol, box = number_symbol(n, self._level(m.at_min))
        return {"pos": (m.at_min, y), "symbol": symbol, "size": (13 if big else 10) * box,
                "brush": spot_brush(OKABE_ITO["black"]), "pen": spot_pen(None),
                "data": Tip("number", f"{n}: {self.elapsed(m.at_min)}  {m.label}")}

    def _level(self, at_min: float) -> int:
        """How many numbers up this one goes: above any drawn within a few per cent of the time axis
        (two events five minutes apart would otherwise print their numbers over each other)."""
        lo, hi = self.parts.vp.getViewBox().viewRange()[0]
        near = max(0.04 * (hi - lo), 0.5)
        used = {level for t, level in self._stack if abs(t - at_min) < near}
        level = min(set(range(len(used) + 1)) - used)
        self._stack.append((at_min, level))
        return level

    def kinds(self) -> list[str]:
        """The kind of every spot on the events' scatter ('number' for a number), in order."""
        return [d.kind for d in self.parts.event_spots.data["data"]]

    def _line(self, m: Marker) -> None:
        """A dotted line across both plots at the event (a plain line item: cheap to add)."""
        colour = GRADE_COLOURS.get(m.grade, GREY) if m.kind == "symptoms" else MARKER_STYLES[m.kind][2]
        pen = _pen(colour, 1.5, Qt.PenStyle.DotLine)
        for pi in (self.parts.vp, self.parts.rp):
            ln = QGraphicsLineItem(m.at_min, -1e6, m.at_min, 1e6)
            ln.setPen(pen)
            ln.setZValue(5)
            pi.getViewBox().addItem(ln, ignoreBounds=True)  # the view box only: no plot bookkeeping for a line
            self._lines.append((pi, ln))

    def line_minutes(self) -> list[float]:
        return [ln.line().x1() for pi, ln in self._lines if pi is self.parts.vp]


class StepLabels:
    """The mL/h of each planned step, written over it (what goes into the pump). A text item keeps
    its text when hidden: a replan mostly moves the same rates to other steps, so the item that
    already holds a rate is moved and shown, and only a rate not held by any is written again
    (laying a text out costs more than everything else about the labels)."""

    KEPT = 16  # text items kept at most; a plan has a handful of steps, from a short list of rates

    def __init__(self, parts: ChartParts):
        self.parts = parts
        self.items: list[pg.TextItem] = []  # every item made: shown, or hidden with its text kept
        self.shown: list[pg.TextItem] = []  # the labels in view, in the order of the steps
        self._large: bool | None = None

    def show(self, t: np.ndarray, r: np.ndarray, x_end: float, look: Look) -> None:
        if look.large != self._large:
            self._large = look.large
            font = look.font(14 if look.large else 11, bold=True)
            for ti in self.items:
                ti.setFont(font)
        wanted = []  # (text, x, rate, anchor) of each label, in step order
        if len(t):
            span = max(x_end - float(t[0]), 1.0)
            top = float(max(r)) if len(r) else 0.0
            short = self.parts.rp.getViewBox().height() < 120  # beside a chair's controls, in large type
            for a, b, rate in zip(t[:-1], t[1:], r):
                if rate <= 0 or (b - a) < 0.04 * span:
                    continue
                # over its step; in a short rate plot under the top steps (no room above them there)
                anchor = (0.5, 0.0) if short and rate >= 0.6 * top > 0 else (0.5, 1.0)
                wanted.append((f"{rate:g}", (a + b) / 2.0, float(rate), anchor))
        holding: dict[str, list[pg.TextItem]] = {}
        for ti in reversed(self.items):
            holding.setdefault(ti.toPlainText(), []).append(ti)
        picked = [holding[text].pop() if holding.get(text) else None for text, *_ in wanted]
        taken = {id(ti) for ti in picked if ti is not None}
        spare = [ti for ti in self.items if id(ti) not in taken]  # free for another text, or hidden
        self.shown = []
        for ti, (text, x, rate, anchor) in zip(picked, wanted):
            if ti is None and (len(self.items) < self.KEPT or not spare):  # a rate no item holds
                ti = self._new(text, look)
            elif ti is None:  # ...and enough items kept: a spare one is written again
                ti = spare.pop(0)
                ti.setText(text)
            if tuple(ti.anchor) != anchor:
                ti.setAnchor(anchor)
            ti.setPos(x, rate)
            ti.show()
            self.shown.append(ti)
        for ti in spare:
            ti.hide()

    def _new(self, text: str, look: Look) -> pg.TextItem:
        ti = pg.TextItem(text, color=OKABE_ITO["blue"], anchor=(0.5, 1.0))
        ti.setFont(look.font(14 if look.large else 11, bold=True))
        ti.hide()
        self.parts.rp.addItem(ti, ignoreBounds=True)
        self.items.append(ti)
        return ti

    def texts(self) -> list[str]:
        """The labels in view, in the order of the steps."""
        return [ti.toPlainText() for ti in self.shown]
