"""The chart's event markers: a symbol per event, text labels and dotted lines for the few events
that change the plan, and the mL/h written over each planned step. A mixin of InfusionChart."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer

from titration.report.chartdata import Marker
from ui.common.style import GRADE_COLOURS  # the one grade palette (severe red, moderate orange, mild amber)

from .style import GREY, LABELLED, MARKER_STYLES, OKABE_ITO, VLINED, _pen


class ChartMarkers:
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
                    ln = pg.InfiniteLine(pos=float(m.at_min), angle=90, movable=False,
                                         pen=_pen(colour, 1.5, Qt.DotLine))
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
