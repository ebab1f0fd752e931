"""The chart's legends, its compact key and its type and pen styles (normal or large type).
A mixin of InfusionChart."""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont

from .style import GREY, KEY_GLYPHS, MARKER_STYLES, OKABE_ITO, ORIGINAL_ALPHA, _pen


class ChartLegend:
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
