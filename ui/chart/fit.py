"""How the infusion chart fits its space: legend columns or the compact key, headroom above the
data, y-axis titles that never run into each other, and the 'now' label kept inside the plot.
Runs on a resize or a change of what is drawn (and 'now' on a tick), never more.
"""
from __future__ import annotations

from PySide6.QtGui import QFontMetrics

from .legend import Legends
from .parts import ChartParts
from .style import Look

LEGEND_MAX_ROWS = 2  # a taller in-plot legend gives way to the compact key above the plots
LEGEND_MAX_SHARE = 0.3  # ...as does one taller than this share of the plot (the PDF chart's two rows take 0.28)
AXIS_TITLES = {"volume": ("Volume in (mL)", "mL"), "rate": ("Rate (mL/h)", "mL/h")}


class ChartFit:
    """The layout decisions of the infusion chart: legend columns or the key, headroom, axis titles."""

    def __init__(self, parts: ChartParts, legends: Legends):
        self.parts, self.legends = parts, legends
        self.compact = False  # legends hidden, the key above the plots instead
        self.y_max = 100.0  # the prescribed volume: the top of the volume data
        self.r_max = 100.0  # the top rate
        self._sig: tuple | None = None  # (legend, plot size, large) the legend layout was fitted for
        self._fitting = False

    def invalidate(self) -> None:
        self._sig = None

    def fit(self, look: Look, chart_height: int) -> None:
        """Legend columns that fit the plot's width, and just enough headroom above the data to hold them.

        Runs on a resize or a redraw, never per tick. The chart is narrow beside a chair's controls and
        wide in an export: a fixed layout would either cover the curves or waste the top of the plot.
        When the volume legend would need more than LEGEND_MAX_ROWS rows (or too much of the height),
        both in-plot legends hide and the compact key above the plots lists the series instead; the
        headroom is then only what the 'now' label and the rate labels need.
        """
        if self._fitting:  # showing or hiding the key resizes the plot: no recursion
            return
        self._fitting = True
        try:
            key = self.parts.key
            vb = self.parts.vp.getViewBox()
            h = vb.height()
            if key.isVisible():  # judge by the height the plot has without the key (no flip-flop)
                h += key.height() * 3 / 5
            # keyed on the chart's own size, which the key does not change: one decision per size
            sig = (self.legends.sig, round(vb.width()), round(chart_height / 8), look.large)
            if sig != self._sig:  # the column search re-lays out the legend: only when it can change
                self._sig = sig
                self._choose_layout(h)
            self._fit_headroom(look)
            self._fit_axis_titles(look)
            self.keep_now_inside()
        finally:
            self._fitting = False

    def _fit_axis_titles(self, look: Look) -> None:
        """Each y-axis title is written along its own plot's height: the full title where it fits,
        just its unit where it would not (so the two titles never run into each other)."""
        css = look.label_css()
        fm = QFontMetrics(look.font(int(css["font-size"][:-2])))
        for key, pw in (("volume", self.parts.volume_plot), ("rate", self.parts.rate_plot)):
            full, short = AXIS_TITLES[key]
            room = pw.getPlotItem().getViewBox().height()
            text = next((t for t in (full, short) if fm.horizontalAdvance(t) + 8 <= room), "")
            ax = pw.getPlotItem().getAxis("left")
            if ax.labelText != text or ax.label.isVisible() != bool(text):
                if text:
                    pw.getPlotItem().setLabel("left", text, **css)
                else:  # too short even for the unit: no title rather than one over the other
                    ax.labelText = ""
                    ax.showLabel(False)

    def keep_now_inside(self) -> None:
        """The 'now' label to the right of its line, or to the left where the right edge is near."""
        now_line = self.parts.now_line
        lab = now_line.label
        vb = self.parts.vp.getViewBox()
        x0, x1 = vb.viewRange()[0]
        right_px = (x1 - now_line.value()) * vb.width() / max(x1 - x0, 1e-9)
        side = (1, 0.5) if lab.boundingRect().width() + 6 > right_px else (0, 0.5)
        if lab.anchors[0] != side:
            lab.anchors = [side, side]
            lab.updatePosition()

    def axis_title(self, key: str) -> str:
        pw = self.parts.volume_plot if key == "volume" else self.parts.rate_plot
        return pw.getPlotItem().getAxis("left").labelText

    def _choose_layout(self, h: float) -> None:
        """In-plot legends (as many columns as fit) or, when they would not fit, the compact key."""
        p = self.parts
        for pw, lg in ((p.volume_plot, p.legend_v), (p.rate_plot, p.legend_r)):
            w = pw.getPlotItem().getViewBox().width()
            n = len(lg.items)
            for cols in range(max(n, 1), 0, -1):
                lg.setColumnCount(cols)
                if lg.boundingRect().width() <= w - 24:
                    break
        vb = p.vp.getViewBox()
        lg = p.legend_v
        rows = -(-len(lg.items) // max(1, lg.columnCount))
        too_tall = h > 40 and lg.boundingRect().height() + 8 > LEGEND_MAX_SHARE * h
        compact = vb.width() > 0 and len(lg.items) > 0 and (rows > LEGEND_MAX_ROWS or too_tall)
        self.compact = compact
        p.key.setVisible(compact)
        p.legend_v.setVisible(not compact)

    def _fit_headroom(self, look: Look) -> None:
        p = self.parts
        label_px = 30 if look.large else 22  # the mL/h written above the top rate step
        now_px = 28 if look.large else 22  # the 'now' label, under the prescribed-volume line
        for pw, lg, top, below, extra_px in ((p.volume_plot, p.legend_v, self.y_max, 0.03, 6),
                                             (p.rate_plot, p.legend_r, self.r_max, 0.04, label_px)):
            vb = pw.getPlotItem().getViewBox()
            h = vb.height()
            n = len(lg.items)
            lo = -below * top  # a little room below 0: the 0 tick and the first markers stay whole
            legend_px = lg.boundingRect().height() + 8 if n and not self.compact else 0.0
            # In a small chart the rate legend would crush the steps; the volume legend above
            # already tells the styles apart (faded original, dashed plan, solid delivered).
            squeeze = self.compact or (lg is p.legend_r and h > 40 and legend_px > 0.3 * h)
            if lg is p.legend_r:
                lg.setVisible(not squeeze)
                if squeeze:
                    legend_px = 0.0
            if self.compact and pw is p.volume_plot:
                extra_px = 12  # the prescribed-volume line clear of the plot's frame
            f = min(0.6, (legend_px + extra_px) / h) if h > 40 else 0.25
            hi = (top - f * lo) / (1.0 - f)  # the band above `top` is f of the plot's height
            pw.getPlotItem().setYRange(lo, hi, padding=0)
            if pw is p.volume_plot:  # 'now' label just under the prescribed-volume line, clear of the legend
                y = 0.86 * top if not self.compact else top - (now_px / h if h > 40 else 0.1) * (hi - lo)
                p.now_line.label.setPosition(min(0.95, max(0.05, (y - lo) / (hi - lo))))
