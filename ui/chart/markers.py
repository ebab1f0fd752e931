"""The chart's event markers: a symbol per event, text labels and dotted lines for the few events
that change the plan, and the mL/h written over each planned step."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer

from titration.report.chartdata import Marker, MarkerTrace
from titration.session import Session
from ui.common.style import GRADE_COLOURS  # the one grade palette (severe red, moderate orange, mild amber)

from .fit import EventLabels
from .parts import ChartParts
from .style import GREY, LABELLED, MARKER_STYLES, OKABE_ITO, VLINED, Look, _pen


class Markers:
    """The markers of a session's events, taken in as they arrive, and the per-redraw decorations
    (event labels, dotted lines, the mL/h over each step)."""

    def __init__(self, parts: ChartParts, labels: EventLabels, elapsed: Callable[[float], str]):
        self.parts, self.labels = parts, labels
        self.elapsed = elapsed  # an event's time as the x axis counts it
        self.trace = MarkerTrace()  # markers taken in as events arrive
        self._labelled: list[tuple[Marker, float]] = []  # the few that get a text label or a line
        self._spots_big: bool | None = None  # the type size the marker spots were drawn at
        self._decor: list[tuple[pg.PlotItem, pg.GraphicsObject]] = []  # removed on the next redraw

    def reset(self) -> None:
        """Another session (or none): start afresh."""
        self.trace, self._labelled, self._spots_big = MarkerTrace(), [], None

    def clear(self) -> None:
        for it in self.parts.marker_items.values():
            it.clear()
        self.reset()
        self.clear_decor()

    def clear_decor(self) -> None:
        for pi, it in self._decor:
            pi.removeItem(it)
        self._decor = []
        self.labels.clear()

    def take_in(self, s: Session) -> None:
        """Events that draw nothing (notes) still move the trace on."""
        self.trace.update(s)

    def draw(self, s: Session, look: Look) -> None:
        """Append the markers of new events; redraw them all only for a new session or a new type size."""
        rebuilds = self.trace.rebuilds
        added = self.trace.update(s)
        big = look.large
        items = self.parts.marker_items
        if self.trace.rebuilds != rebuilds or self._spots_big != big:
            added = self.trace.pairs
            for it in items.values():
                it.clear()
            self._labelled, self._spots_big = [], big
        new_spots: dict[str, list] = {}
        for m, y in added:
            if m.kind in items:
                new_spots.setdefault(m.kind, []).append(self._spot(m, y, big))
            if m.kind in LABELLED or m.kind in VLINED:
                self._labelled.append((m, y))
        for kind, spots in new_spots.items():
            items[kind].addPoints(spots, symbol=MARKER_STYLES[kind][1])
        self._draw_labels(s.volume_ml, look)

    def _spot(self, m: Marker, y: float, big: bool) -> dict:
        kind = m.kind
        colour = GRADE_COLOURS.get(m.grade, MARKER_STYLES[kind][2]) if kind == "symptoms" else MARKER_STYLES[kind][2]
        size = (18 if big else 14) if kind != "vitals" else (12 if big else 9)
        return {"pos": (m.at_min, y), "data": f"{self.elapsed(m.at_min)}  {m.label}", "brush": pg.mkBrush(colour),
                "pen": pg.mkPen("k" if kind != "stop" else colour, width=1.5 if kind != "stop" else 3), "size": size}

    def _draw_labels(self, vol: float, look: Look) -> None:
        """Text labels and dotted lines for the few events that change the plan (a short list)."""
        groups: dict[float, list[tuple[Marker, float]]] = {}
        for m, y in self._labelled:
            if m.kind in LABELLED:
                groups.setdefault(round(m.at_min, 1), []).append((m, y))
        vp, rp = self.parts.vp, self.parts.rp
        for i, (x, group) in enumerate(groups.items()):
            text = "\n".join(f"{self.elapsed(m.at_min)} {m.label}" for m, _ in group)
            ti = pg.TextItem(text, color=OKABE_ITO["black"], anchor=(0.0, 0.5),
                             fill=pg.mkBrush(255, 255, 255, 225), border=pg.mkPen(GREY))
            ti.setFont(look.font(14 if look.large else 11))
            # Beside the event's dotted line, in the empty middle of the plot (the curves run
            # low early and high late); successive labels step down so they do not pile up.
            ti.setPos(x, min(0.8 * vol, max(vol * (0.55 - 0.13 * (i % 4)), group[0][1] + 0.08 * vol)))
            ti.setZValue(25)
            vp.addItem(ti, ignoreBounds=True)
            self._decor.append((vp, ti))
            self.labels.add(ti, x)
        self.labels.place()
        QTimer.singleShot(0, self.labels.place)  # again once the plot is laid out (sizes are known then)
        for m, _ in self._labelled:
            if m.kind in VLINED:
                colour = GRADE_COLOURS.get(m.grade, GREY) if m.kind == "symptoms" else MARKER_STYLES[m.kind][2]
                for pi in (vp, rp):
                    ln = pg.InfiniteLine(pos=float(m.at_min), angle=90, movable=False,
                                         pen=_pen(colour, 1.5, Qt.PenStyle.DotLine))
                    ln.setZValue(5)
                    pi.addItem(ln, ignoreBounds=True)
                    self._decor.append((pi, ln))

    def rate_labels(self, t: np.ndarray, r: np.ndarray, x_end: float, look: Look) -> None:
        """The mL/h of each planned step, written over it (what goes into the pump)."""
        rp = self.parts.rp
        span = max(x_end - float(t[0]), 1.0)
        for a, b, rate in zip(t[:-1], t[1:], r):
            if rate <= 0 or (b - a) < 0.04 * span:
                continue
            ti = pg.TextItem(f"{rate:g}", color=OKABE_ITO["blue"], anchor=(0.5, 1.0))
            ti.setFont(look.font(14 if look.large else 11, bold=True))
            ti.setPos((a + b) / 2.0, rate)
            rp.addItem(ti, ignoreBounds=True)
            self._decor.append((rp, ti))
