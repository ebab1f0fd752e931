"""A small page layout for PDF exports: blocks flowed onto A4 or Letter pages, tables whose header
repeats after a page break, a footer with "page i of n" drawn once all pages are known."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from titration.errors import InputError, TitrationError

PAGES = ("a4", "letter")


@dataclass
class Block:
    height: float
    draw: Callable  # draw(painter, x, y, width)
    keep_with_next: bool = False
    repeat_header: Callable | None = None  # a table's row: draw(painter, x, y) its header again after a page break
    header_height: float = 0.0


class Document:
    """Blocks flowed onto pages, drawn with a page footer (page i of n) once all pages are known."""

    MARGIN_MM = 15.0

    def __init__(self, path: str, page: str, title: str, footer: str):
        from PySide6.QtCore import QMarginsF
        from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter

        if page not in PAGES:
            raise InputError("page", page, "a4 or letter")
        self.path, self.title, self.footer = path, title, footer
        self.writer = QPdfWriter(path)
        self.writer.setResolution(96)  # the widget's own DPI, so chart fonts keep their size
        size = QPageSize(QPageSize.PageSizeId.A4 if page == "a4" else QPageSize.PageSizeId.Letter)
        m = self.MARGIN_MM
        self.writer.setPageLayout(QPageLayout(size, QPageLayout.Orientation.Portrait, QMarginsF(m, m, m, m),
                                              QPageLayout.Unit.Millimeter))
        self.writer.setTitle(title)
        self.writer.setCreator("IVIg titration assistant")
        rect = self.writer.pageLayout().paintRectPixels(96)
        self.width, self.height = float(rect.width()), float(rect.height())
        self.blocks: list[Block] = []

    # measuring uses the writer's metrics, so the flow matches what is drawn
    def font(self, pt: float, bold: bool = False):
        from PySide6.QtGui import QFont

        from ui.common.fonts import register_fonts

        f = QFont(register_fonts())
        f.setPointSizeF(pt)
        f.setBold(bold)
        return f

    def metrics(self, font):
        from PySide6.QtGui import QFontMetricsF

        return QFontMetricsF(font, self.writer)

    def text(self, text: str, pt: float = 10.0, bold: bool = False, colour: str = "#000000",
             space_before: float = 0.0, keep_with_next: bool = False, indent: float = 0.0) -> None:
        """A wrapped paragraph."""
        from PySide6.QtCore import QRectF, Qt

        font = self.font(pt, bold)
        fm = self.metrics(font)
        w = self.width - indent
        r = fm.boundingRect(QRectF(0, 0, w, 1e6), int(Qt.TextFlag.TextWordWrap), text)
        h = r.height() + space_before

        def draw(p, x, y, width, font=font, text=text):
            from PySide6.QtGui import QColor

            p.setFont(font)
            p.setPen(QColor(colour))
            p.drawText(QRectF(x + indent, y + space_before, width - indent, h), int(Qt.TextFlag.TextWordWrap), text)

        self.blocks.append(Block(h, draw, keep_with_next))

    def heading(self, text: str) -> None:
        self.text(text, 12.5, bold=True, space_before=10.0, keep_with_next=True)

    def lines(self, items: list[str], pt: float = 9.5, indent: float = 10.0) -> None:
        for it in items:
            self.text(it, pt, indent=indent)

    def table(self, header: list[str], body: list[list[str]], widths: list[float], pt: float = 9.0,
              align_right: frozenset[int] | set[int] = frozenset(), shade: Callable[[int], str | None] | None = None,
              bold_cols: frozenset[int] | set[int] = frozenset()) -> None:
        """A table with a repeated header after each page break; widths are fractions of the page."""
        from PySide6.QtCore import QRectF, Qt
        from PySide6.QtGui import QColor, QPen

        font, bold = self.font(pt), self.font(pt, True)
        pad = 3.0
        total = sum(widths)
        cols = [w / total * self.width for w in widths]

        def row_height(cells, f):
            m = self.metrics(f)
            return max(m.boundingRect(QRectF(0, 0, c - 2 * pad, 1e6), int(Qt.TextFlag.TextWordWrap), t).height()
                       for c, t in zip(cols, cells)) + 2 * pad

        def draw_row(p, x, y, cells, f, fill=None, h=None):
            h = h or row_height(cells, f)
            if fill:
                p.fillRect(QRectF(x, y, sum(cols), h), QColor(fill))
            p.setPen(QColor("#000000"))
            cx = x
            for i, (c, t) in enumerate(zip(cols, cells)):
                p.setFont(bold if i in bold_cols else f)
                side = Qt.AlignmentFlag.AlignRight if i in align_right else Qt.AlignmentFlag.AlignLeft
                flags = int(Qt.TextFlag.TextWordWrap) | int(side)
                p.drawText(QRectF(cx + pad, y + pad, c - 2 * pad, h - 2 * pad), flags, t)
                cx += c
            p.setPen(QPen(QColor("#9A9A9A"), 0.6))
            p.drawLine(x, y + h, x + sum(cols), y + h)
            return h

        hh = row_height(header, bold)
        self.blocks.append(Block(hh, lambda p, x, y, w: draw_row(p, x, y, header, bold, "#E8EEF4", hh),
                                 keep_with_next=True))
        for i, cells in enumerate(body):
            h = row_height(cells, font)
            fill = shade(i) if shade else None
            self.blocks.append(Block(
                h, lambda p, x, y, w, cells=cells, fill=fill, h=h: draw_row(p, x, y, cells, font, fill, h),
                repeat_header=lambda p, x, y, hh=hh: draw_row(p, x, y, header, bold, "#E8EEF4", hh), header_height=hh))

    def sign_here(self, fields: list[tuple[str, float]], pt: float = 10.5) -> None:
        """One row of 'Label: ________' fields (fractions of the width), drawn as lines, never wrapped."""
        from PySide6.QtCore import QPointF, QRectF, Qt
        from PySide6.QtGui import QColor, QPen

        font = self.font(pt)
        fm = self.metrics(font)
        h = fm.height() * 2.6

        def draw(p, x, y, width):
            p.setFont(font)
            total = sum(f for _, f in fields)
            cx = x
            for label, frac in fields:
                w = frac / total * width
                tw = fm.horizontalAdvance(label + ": ")
                base = y + h - fm.descent() - 2
                p.setPen(QColor("#000000"))
                p.drawText(QRectF(cx, y, tw, h - 2), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom),
                           label + ":")
                p.setPen(QPen(QColor("#000000"), 0.8))
                p.drawLine(QPointF(cx + tw, base), QPointF(cx + w - 14, base))
                cx += w

        self.blocks.append(Block(h, draw))

    def image(self, height: float, draw: Callable) -> None:
        self.blocks.append(Block(height, draw))

    def spacer(self, h: float) -> None:
        self.blocks.append(Block(h, lambda *a: None))

    def _paginate(self) -> list[list[tuple[Block, float, bool]]]:
        footer_h = 24.0
        usable = self.height - footer_h
        pages: list[list[tuple[Block, float, bool]]] = [[]]
        y = 0.0
        i = 0
        n = len(self.blocks)
        while i < n:
            b = self.blocks[i]
            need = b.height
            j = i  # keep a heading with what follows it
            while self.blocks[j].keep_with_next and j + 1 < n:
                j += 1
                need += self.blocks[j].height
            if y + need > usable and y > 0:
                pages.append([])
                y = 0.0
                if b.repeat_header is not None:  # a table continues: repeat its header
                    pages[-1].append((b, y, True))
                    y += b.header_height
            pages[-1].append((b, y, False))
            y += b.height
            i += 1
        return pages

    def save(self) -> int:
        from PySide6.QtCore import QLineF, QRectF, Qt
        from PySide6.QtGui import QColor, QPainter, QPen

        pages = self._paginate()
        p = QPainter(self.writer)
        if not p.isActive():
            raise TitrationError(f"could not write {self.path}")
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        foot = self.font(8)
        for k, page in enumerate(pages):
            if k:
                self.writer.newPage()
            for b, y, header_only in page:
                if header_only and b.repeat_header is not None:
                    b.repeat_header(p, 0.0, y)
                else:
                    b.draw(p, 0.0, y, self.width)
            p.setPen(QPen(QColor("#9A9A9A"), 0.6))
            p.drawLine(QLineF(0.0, self.height - 20, self.width, self.height - 20))
            p.setFont(foot)
            p.setPen(QColor("#333333"))
            # one line
            footer = self.metrics(foot).elidedText(self.footer, Qt.TextElideMode.ElideMiddle, self.width * 0.8)
            middle = Qt.AlignmentFlag.AlignVCenter
            p.drawText(QRectF(0, self.height - 17, self.width * 0.8, 16), int(Qt.AlignmentFlag.AlignLeft | middle),
                       footer)
            p.drawText(QRectF(0, self.height - 17, self.width, 16), int(Qt.AlignmentFlag.AlignRight | middle),
                       f"page {k + 1} of {len(pages)}")
        p.end()
        return len(pages)




def neutral_dates(path: str) -> None:
    """Qt stamps the time of writing into the PDF's metadata (the Info dictionary and the XMP
    stream); a de-identified record carries no wall-clock date, so every digit of those dates is
    overwritten with 0 in place, byte for byte (the file's cross-reference offsets stay right)."""
    zero = lambda m: m.group(1) + re.sub(rb"\d", b"0", m.group(2)) + m.group(3)  # noqa: E731
    with open(path, "r+b") as fh:
        data = fh.read()
        clean = re.sub(rb"(/(?:CreationDate|ModDate) ?\()([^)]*)(\))", zero, data)
        clean = re.sub(rb'(\w+:\w*Date=")([^"]*)(")', zero, clean)
        clean = re.sub(rb"(<(\w+:\w*Date)>)([^<]*)(</)", lambda m: m.group(1) + re.sub(rb"\d", b"0", m.group(3))
                       + m.group(4), clean)
        if clean != data:
            fh.seek(0)
            fh.write(clean)
