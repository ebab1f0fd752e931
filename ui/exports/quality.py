"""The unit's quality report as a PDF: the headline figures as tiles, then each section's answer,
its charts (bars drawn with QPainter onto the page, their numbers on them) and its tables.

What it says is worked out in the core (titration/report/quality.py); the HTML file is written
there too. This module only draws, on the page layout the other exports use (document.py).
"""
from __future__ import annotations

from PySide6.QtCore import Qt

from titration.report.files import written
from titration.report.quality_html import bar_number, nice_top
from titration.report.quality_model import Chart, QualityReport

from .document import Document

# text placement for QPainter.drawText (Qt's flags as the int it takes)
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
WRAP = int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap)
CENTRE = int(Qt.AlignmentFlag.AlignHCenter)
CENTRE_WRAP = int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap)
LEFT_ONLY = int(Qt.AlignmentFlag.AlignLeft)


COLOURS = ("#2f6f9f", "#c0392b", "#7f8c8d", "#27ae60")


def write_quality_pdf(report: QualityReport, path: str, page: str = "a4") -> str:
    ready_writer()
    with written(path, "--out") as tmp:
        _draw(report, tmp, page)
    return path


def ready_writer():
    """write_quality_pdf, with the application it draws in made (the window's, or an offscreen one for
    the command line): a cold start reads Qt's libraries and plugins from disk, a third of a second
    the command line spends while its workers replay."""
    from .render import _qt_app

    _qt_app()
    return write_quality_pdf


def _draw(r: QualityReport, path: str, page: str) -> int:
    title = f"{r.title}: {r.period}"
    doc = Document(path, page, title, f"{title} · generated {r.generated}")
    doc.text(title, 16, bold=True)
    doc.text(f"{r.scope[0].upper()}{r.scope[1:]}. Generated {r.generated}.", 9.5, colour="#444444")
    _tiles(doc, r)
    for s in r.sections:
        doc.heading(s.title)
        doc.text(s.answer, 10.5, bold=True, keep_with_next=True)
        for c in s.charts:
            _chart(doc, c)
        for t in s.tables:
            if not t.rows:
                continue
            doc.text(t.title, 9.5, bold=True, space_before=4, keep_with_next=True)
            n = len(t.header)
            widths = [2.6 if i == 0 else (3.2 if "reason" in t.header[i] else 1.0) for i in range(n)]
            doc.table(list(t.header), [list(row) for row in t.rows], widths, pt=8.5, align_right=set(t.numeric),
                      shade=lambda i: "#F6F6F6" if i % 2 else None)
    doc.heading("How the figures are counted")
    doc.lines(r.notes, pt=8.5, indent=0)
    return doc.save()


def _tiles(doc: Document, r: QualityReport) -> None:
    """The headline figures, four to a row: what a charge nurse looks at first."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor, QPen

    per_row, gap, th = 4, 6.0, 64.0
    rows = (len(r.figures) + per_row - 1) // per_row
    label_f, value_f, note_f = doc.font(8), doc.font(15, True), doc.font(7.5)

    def draw(p, x, y, width):
        tw = (width - gap * (per_row - 1)) / per_row
        for k, f in enumerate(r.figures):
            cx, cy = x + (k % per_row) * (tw + gap), y + 6 + (k // per_row) * (th + gap)
            box = QRectF(cx, cy, tw, th)
            p.fillRect(box, QColor("#FDECEE" if f.alarm else "#F4F7FA"))
            p.setPen(QPen(QColor("#B00020" if f.alarm else "#9AAABB"), 0.8))
            p.drawRect(box)
            p.setPen(QColor("#333333"))
            p.setFont(label_f)
            p.drawText(QRectF(cx + 5, cy + 3, tw - 10, 14), LEFT, f.label)
            p.setPen(QColor("#B00020" if f.alarm else "#111111"))
            p.setFont(value_f)
            p.drawText(QRectF(cx + 5, cy + 17, tw - 10, 24), LEFT, f.value)
            p.setPen(QColor("#444444"))
            p.setFont(note_f)
            p.drawText(QRectF(cx + 5, cy + 42, tw - 10, 20), WRAP, f.note)

    doc.image(12 + rows * (th + gap), draw)


def _chart(doc: Document, c: Chart) -> None:
    height = (22 + 17 * len(c.labels)) if c.horizontal else 190.0
    doc.text(c.title, 9.5, bold=True, space_before=6, keep_with_next=True)
    doc.image(height + 6, lambda p, x, y, w: (_hbars if c.horizontal else _vbars)(doc, p, c, x, y + 4, w, height))


def _vbars(doc, p, c: Chart, x: float, y: float, w: float, h: float) -> None:
    from PySide6.QtCore import QPointF, QRectF
    from PySide6.QtGui import QColor, QPen

    left, bottom, top = 40.0, 34.0, 16.0
    n, k = len(c.labels), len(c.series)
    peak = nice_top(max((v for _, vs in c.series for v in vs), default=0.0))
    slot = (w - left - 4) / max(1, n)
    bw = max(0.6, slot * 0.8 / k)
    ph = h - bottom - top
    small, tiny = doc.font(7.5), doc.font(6.5)
    p.setFont(small)
    for frac in (0.0, 0.5, 1.0):
        yy = y + top + ph * (1 - frac)
        p.setPen(QPen(QColor("#DDDDDD"), 0.6))
        p.drawLine(QPointF(x + left, yy), QPointF(x + w - 4, yy))
        p.setPen(QColor("#333333"))
        p.drawText(QRectF(x, yy - 7, left - 4, 14), RIGHT, f"{peak * frac:g}")
    p.drawText(QRectF(x + left, y, w - left, 12), LEFT, c.unit)
    for j, (name, _) in enumerate(c.series if k > 1 else ()):
        lx = x + left + 150 + j * 90
        p.fillRect(QRectF(lx, y + 2, 8, 8), QColor(COLOURS[j % 4]))
        p.drawText(QRectF(lx + 11, y, 80, 12), LEFT, name)
    every = max(1, -(-n // 14))  # at most ~14 labels: they never run together
    for i, label in enumerate(c.labels):
        for j, (_, vs) in enumerate(c.series):
            v = vs[i]
            bh = ph * v / peak
            bx = x + left + i * slot + slot * 0.1 + j * bw
            p.fillRect(QRectF(bx, y + top + ph - bh, bw, bh), QColor(COLOURS[j % 4]))
            if n <= 16 and v > 0:
                p.setFont(tiny)
                p.setPen(QColor("#111111"))
                p.drawText(QRectF(bx - 10, y + top + ph - bh - 11, bw + 20, 10), CENTRE, bar_number(v))
        if i % every == 0:
            p.setFont(tiny if n > 8 else small)
            p.setPen(QColor("#333333"))
            cx = x + left + i * slot + slot / 2
            span = slot * every
            p.drawText(QRectF(cx - span / 2, y + top + ph + 6, span, bottom - 8),
                       CENTRE_WRAP, label)
    if c.note:
        p.setFont(tiny)
        p.drawText(QRectF(x + left, y + h - 9, w - left, 9), LEFT_ONLY, c.note)


def _hbars(doc, p, c: Chart, x: float, y: float, w: float, h: float) -> None:
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor

    left, row = w * 0.32, 17.0
    peak = nice_top(max((v for _, vs in c.series for v in vs), default=0.0))
    pw = w - left - 40
    small = doc.font(7.5)
    p.setFont(small)
    for i, label in enumerate(c.labels):
        yy = y + 4 + i * row
        v = c.series[0][1][i]
        bw = pw * v / peak
        p.setPen(QColor("#333333"))
        p.drawText(QRectF(x, yy, left - 6, row), RIGHT, label)
        p.fillRect(QRectF(x + left, yy + 3, bw, row - 6), QColor(COLOURS[0]))
        p.drawText(QRectF(x + left + bw + 4, yy, 60, row), LEFT, bar_number(v))
    p.setPen(QColor("#555555"))
    p.drawText(QRectF(x + left, y + 6 + len(c.labels) * row, pw, 12), LEFT, c.unit)
