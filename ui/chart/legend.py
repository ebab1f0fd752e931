"""The chart's legends, its compact key, and its type and pen styles (normal or large type)."""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt

from .parts import ChartParts
from .style import GREY, KEY_GLYPHS, MARKER_STYLES, OKABE_ITO, ORIGINAL_ALPHA, Look, _pen


class Legends:
    """The in-plot legends and the compact key: they list only what is drawn."""

    def __init__(self, parts: ChartParts):
        self.parts = parts
        self.sig: tuple | None = None  # what the legends list; rebuilt only when it changes
        self.volume_text = ""  # "Prescribed 700 mL": said in the legend (a label on the line collides)

    def invalidate(self) -> None:
        """A new type size: rebuild on the next sync."""
        self.sig = None

    def sync(self, preview: bool, look: Look) -> bool:
        """The legend lists only what is drawn (no empty 'Stopped' entry on a calm infusion).

        Rebuilt only when that list changes: a new vitals entry on an infusion that already has
        some leaves the legends (and the key) as they are. True when they were rebuilt.
        """
        p = self.parts
        vol, rate = [], []
        for c, key, label in ((p.c_original, "original", "Original plan"),
                              (p.c_current, "current", "Plan" if preview else "Current plan"),
                              (p.c_delivered, "delivered", "Delivered")):
            if c.xData is not None and len(c.xData) or (c is p.c_delivered and not preview):
                vol.append((c, key, label))
        if len(p.vitals_spots.data):
            vol.append((p.vitals_spots, "vitals", MARKER_STYLES["vitals"][0]))
        if p.volume_line.isVisible():
            vol.append((p.volume_sample, "volume", self.volume_text))
        for c, label in ((p.c_original_rate, "Original rate"),
                         (p.c_planned_rate, "Planned rate"),
                         (p.c_actual_rate, "Pump rate (confirmed)")):
            if c.xData is not None and len(c.xData) or (c is p.c_actual_rate and not preview):
                rate.append((c, label))
        sig = (tuple((key, label) for _, key, label in vol), tuple(label for _, label in rate), look.large)
        if sig == self.sig:
            return False
        self.sig = sig
        p.legend_v.clear()
        p.legend_r.clear()
        for item, _key, label in vol:
            p.legend_v.addItem(item, label)
        for item, label in rate:
            p.legend_r.addItem(item, label)
        for lg in (p.legend_v, p.legend_r):
            for sample, _label in lg.items:  # a click on a legend entry must not hide a curve
                sample.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        p.key.setText(key_html([(key, label) for _, key, label in vol], preview, look))
        return True


def key_html(entries: list[tuple[str, str]], preview: bool, look: Look) -> str:
    """The compact key: a coloured glyph and a name per series; breaks only between entries.

    The rate plot uses the same colours and styles, so the key names both where they pair up.
    """
    pt = 14 if look.large else 11
    both = {"original": "Original plan", "current": "Plan" if preview else "Current plan",
            "delivered": "Delivered / pump rate"}
    parts = []
    for key, label in entries:
        glyph, colour = KEY_GLYPHS[key]
        text = both.get(key, label).replace(" ", "&nbsp;")
        parts.append(f'<span style="color:{colour}; font-weight:bold">{glyph}</span>&nbsp;{text}')
    return (f'<span style="font-family:\'{look.family}\'; font-size:{pt}pt">'
            + " &nbsp; ".join(parts) + "</span>")


def apply_look(p: ChartParts, look: Look) -> None:
    """Axes, titles, legends, pens and the 'now' label in the type size of `look`."""
    tick_pt = look.tick_pt
    w = 1.6 if look.large else 1.0  # line width factor
    for pw in (p.volume_plot, p.rate_plot):
        pi = pw.getPlotItem()
        for name in ("left", "bottom", "top"):
            ax = pi.getAxis(name)
            ax.setPen(pg.mkPen("#333"))
            ax.setTextPen(pg.mkPen("#000"))
            ax.setStyle(tickFont=look.font(tick_pt), tickTextOffset=6)
            ax.enableAutoSIPrefix(False)  # never "kmL"
        pi.getAxis("left").setWidth(int(tick_pt * 6.2))
    vp, rp = p.vp, p.rp
    css = look.label_css()
    vp.setLabel("left", "Volume in (mL)", **css)
    vp.getAxis("bottom").setStyle(showValues=False)
    vp.getAxis("bottom").setHeight(4)
    rp.setLabel("left", "Rate (mL/h)", **css)
    rp.setLabel("bottom", "Time from start (min)", **css)
    for lg in (p.legend_v, p.legend_r):
        lg.setLabelTextSize("14pt" if look.large else "11pt")
        lg.setBrush(pg.mkBrush(255, 255, 255, 225))
        lg.setPen(pg.mkPen(GREY))
    p.c_original.setPen(_pen(OKABE_ITO["sky_blue"], 3 * w, alpha=ORIGINAL_ALPHA))
    p.c_current.setPen(_pen(OKABE_ITO["blue"], 3 * w, Qt.PenStyle.DashLine))
    p.c_delivered.setPen(_pen(OKABE_ITO["vermillion"], 4 * w))
    p.c_original_rate.setPen(_pen(OKABE_ITO["sky_blue"], 3 * w, alpha=ORIGINAL_ALPHA))
    p.c_planned_rate.setPen(_pen(OKABE_ITO["blue"], 3 * w, Qt.PenStyle.DashLine))
    p.c_actual_rate.setPen(_pen(OKABE_ITO["vermillion"], 3.5 * w))
    p.volume_line.setPen(_pen(GREY, 1.5 * w, Qt.PenStyle.DashDotLine))
    for ln in (p.now_line, p.now_line_rate):
        ln.setPen(_pen(OKABE_ITO["black"], 2 * w))
    p.now_line.label.setFont(look.font(tick_pt, bold=True))
    p.now_line.label.setColor(OKABE_ITO["black"])
    p.now_line.label.fill = pg.mkBrush(255, 255, 255, 220)
    p.volume_sample.setPen(p.volume_line.pen)
