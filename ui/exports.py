"""Files people print and file: the rate chart before an infusion, the record after it.

- `export_plan_file(plan, path)`: .pdf (A4, or Letter with page="letter"), .png, .svg, .csv.
- `export_record_file(session, path)`: .pdf (timeline chart, events, vitals, reactions,
  delivered volume, signature lines) or .csv (the events); `deidentified=True` leaves out the
  patient's name and identifier (for teaching).

Charts are drawn by a dedicated, never-on-screen InfusionChart: resized, shown with
WA_DontShowOnScreen and laid out before rendering (peers-and-pitfalls C.2: an unshown plot
exports at size 0 or stacked). PDF and SVG are vector: the widget is rendered straight onto a
QPdfWriter / QSvgGenerator painter (pyqtgraph's SVGExporter fails on this stack; it has no PDF
exporter). Every number comes from the core (plan.arithmetic(), report.rows, the session).
"""
from __future__ import annotations

import csv
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from titration.errors import InputError, TitrationError
from titration.plan import fmt_hm
from titration.products import INDICATIONS
from titration.report.chartdata import markers
from titration.report.table import clock, rows, write_plan_csv

CHART_SIZE = (1200, 800)  # px: PNG and SVG size
PDF_CHART_SIZE = (900, 620)  # px: the chart's layout in a PDF, in large type, so it prints at about 9 pt
PAGES = ("a4", "letter")
DECISION_SUPPORT = "Decision support only: check every rate against the prescription before setting the pump."


# ---------------------------------------------------------------------- Qt set-up
def _qt_app():
    """The running QApplication, or an offscreen one for the command line."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        from PySide6.QtCore import qInstallMessageHandler

        def quiet(mode, context, message):  # the command line prints one line, not Qt's chatter
            if "propagateSizeHints" not in message:
                print(message, file=sys.stderr)

        qInstallMessageHandler(quiet)
        app = QApplication(["ivig-export"])
        _qt_app.owned = app  # keep a reference for the life of the process
    from .fonts import register_fonts

    register_fonts()
    return app


def export_chart(plan=None, session=None, *, now_min: float | None = None, size=CHART_SIZE,
                 wall_start: float | None = None, large: bool = False, show_now: bool = True):
    """A laid-out, off-screen InfusionChart showing the plan or the session."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QGraphicsView

    from .chart import InfusionChart

    app = _qt_app()
    chart = InfusionChart(large=large)
    chart.set_show_now(show_now)
    for view in (chart.volume_plot, chart.rate_plot):
        # pyqtgraph caches the view background as a bitmap; in an SVG or PDF that becomes an embedded image
        view.setCacheMode(QGraphicsView.CacheModeFlag.CacheNone)
    chart.setAttribute(Qt.WA_DontShowOnScreen, True)  # never flashes a window on a real display
    chart.resize(*size)
    chart.set_wall_start(wall_start)
    chart.show()
    app.processEvents()  # lay out before drawing (pyqtgraph#8, #1997)
    if session is not None:
        chart.set_session(session, now_min)
    else:
        chart.set_plan(plan)
    app.processEvents()
    return chart


def _done(chart) -> None:
    chart.hide()
    chart.deleteLater()


def _render_chart(chart, painter, x: float, y: float, width: float) -> float:
    """Draw the chart scaled to `width` at (x, y); return the height used."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QRegion
    from PySide6.QtWidgets import QWidget

    scale = width / chart.width()
    painter.save()
    painter.translate(x, y)
    painter.scale(scale, scale)
    chart.render(painter, QPoint(0, 0), QRegion(), QWidget.RenderFlag.DrawChildren)
    painter.restore()
    return chart.height() * scale


def _write_png(chart, path: str) -> None:
    from PySide6.QtGui import QColor, QImage, QPainter

    img = QImage(chart.width(), chart.height(), QImage.Format_ARGB32)
    img.fill(QColor("white"))
    p = QPainter(img)
    p.setRenderHint(QPainter.Antialiasing)
    p.setRenderHint(QPainter.TextAntialiasing)
    _render_chart(chart, p, 0, 0, chart.width())
    p.end()
    if not img.save(path, "PNG"):
        raise TitrationError(f"could not write {path}")


def _write_svg(chart, path: str, title: str) -> None:
    from PySide6.QtCore import QRect, QSize
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator

    gen = QSvgGenerator()
    gen.setFileName(path)
    gen.setSize(QSize(chart.width(), chart.height()))
    gen.setViewBox(QRect(0, 0, chart.width(), chart.height()))
    gen.setResolution(96)
    gen.setTitle(title)
    gen.setDescription(DECISION_SUPPORT)
    p = QPainter(gen)
    if not p.isActive():
        raise TitrationError(f"could not write {path}")
    _render_chart(chart, p, 0, 0, chart.width())
    p.end()


# ---------------------------------------------------------------------- a small page layout
@dataclass
class Block:
    height: float
    draw: Callable  # draw(painter, x, y, width)
    keep_with_next: bool = False


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
        size = QPageSize(QPageSize.A4 if page == "a4" else QPageSize.Letter)
        m = self.MARGIN_MM
        self.writer.setPageLayout(QPageLayout(size, QPageLayout.Portrait, QMarginsF(m, m, m, m), QPageLayout.Millimeter))
        self.writer.setTitle(title)
        self.writer.setCreator("IVIg titration assistant")
        rect = self.writer.pageLayout().paintRectPixels(96)
        self.width, self.height = float(rect.width()), float(rect.height())
        self.blocks: list[Block] = []

    # measuring uses the writer's metrics, so the flow matches what is drawn
    def font(self, pt: float, bold: bool = False):
        from PySide6.QtGui import QFont

        from .fonts import register_fonts

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
        r = fm.boundingRect(QRectF(0, 0, w, 1e6), int(Qt.TextWordWrap), text)
        h = r.height() + space_before

        def draw(p, x, y, width, font=font, text=text):
            from PySide6.QtGui import QColor

            p.setFont(font)
            p.setPen(QColor(colour))
            p.drawText(QRectF(x + indent, y + space_before, width - indent, h), int(Qt.TextWordWrap), text)

        self.blocks.append(Block(h, draw, keep_with_next))

    def heading(self, text: str) -> None:
        self.text(text, 12.5, bold=True, space_before=10.0, keep_with_next=True)

    def lines(self, items: list[str], pt: float = 9.5, indent: float = 10.0) -> None:
        for it in items:
            self.text(it, pt, indent=indent)

    def table(self, header: list[str], body: list[list[str]], widths: list[float], pt: float = 9.0,
              align_right: set[int] = frozenset(), shade: Callable[[int], str | None] | None = None,
              bold_cols: set[int] = frozenset()) -> None:
        """A table with a repeated header after each page break; widths are fractions of the page."""
        from PySide6.QtCore import QRectF, Qt
        from PySide6.QtGui import QColor, QPen

        font, bold = self.font(pt), self.font(pt, True)
        pad = 3.0
        total = sum(widths)
        cols = [w / total * self.width for w in widths]

        def row_height(cells, f):
            m = self.metrics(f)
            return max(m.boundingRect(QRectF(0, 0, c - 2 * pad, 1e6), int(Qt.TextWordWrap), t).height()
                       for c, t in zip(cols, cells)) + 2 * pad

        def draw_row(p, x, y, cells, f, fill=None, h=None):
            h = h or row_height(cells, f)
            if fill:
                p.fillRect(QRectF(x, y, sum(cols), h), QColor(fill))
            p.setPen(QColor("#000000"))
            cx = x
            for i, (c, t) in enumerate(zip(cols, cells)):
                p.setFont(bold if i in bold_cols else f)
                flags = int(Qt.TextWordWrap) | int(Qt.AlignRight if i in align_right else Qt.AlignLeft)
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
            b = Block(h, lambda p, x, y, w, cells=cells, fill=fill, h=h: draw_row(p, x, y, cells, font, fill, h))
            b.repeat_header = lambda p, x, y, hh=hh: draw_row(p, x, y, header, bold, "#E8EEF4", hh)
            b.header_height = hh
            self.blocks.append(b)

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
                p.drawText(QRectF(cx, y, tw, h - 2), int(Qt.AlignLeft | Qt.AlignBottom), label + ":")
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
                if getattr(b, "repeat_header", None):  # a table continues: repeat its header
                    pages[-1].append((b, y, True))
                    y += b.header_height
            pages[-1].append((b, y, False))
            y += b.height
            i += 1
        return pages

    def save(self) -> int:
        from PySide6.QtCore import QRectF, Qt
        from PySide6.QtGui import QColor, QPainter, QPen

        pages = self._paginate()
        p = QPainter(self.writer)
        if not p.isActive():
            raise TitrationError(f"could not write {self.path}")
        p.setRenderHint(QPainter.Antialiasing)
        p.setRenderHint(QPainter.TextAntialiasing)
        foot = self.font(8)
        for k, page in enumerate(pages):
            if k:
                self.writer.newPage()
            for b, y, header_only in page:
                if header_only:
                    b.repeat_header(p, 0.0, y)
                else:
                    b.draw(p, 0.0, y, self.width)
            p.setPen(QPen(QColor("#9A9A9A"), 0.6))
            p.drawLine(0, self.height - 20, self.width, self.height - 20)
            p.setFont(foot)
            p.setPen(QColor("#333333"))
            p.drawText(QRectF(0, self.height - 17, self.width * 0.8, 16), int(Qt.AlignLeft | Qt.AlignVCenter),
                       self.footer)
            p.drawText(QRectF(0, self.height - 17, self.width, 16), int(Qt.AlignRight | Qt.AlignVCenter),
                       f"page {k + 1} of {len(pages)}")
        p.end()
        return len(pages)


def _chart_block(doc: Document, chart, max_height: float) -> None:
    width = doc.width
    h = chart.height() * width / chart.width()
    if h > max_height:
        width = width * max_height / h
        h = max_height
    x0 = (doc.width - width) / 2.0
    doc.image(h + 6.0, lambda p, x, y, w: _render_chart(chart, p, x + x0, y + 3.0, width))


def _generated() -> str:
    return time.strftime("Generated %Y-%m-%d %H:%M %Z", time.localtime())


def _protocol_text(plan) -> str:
    if plan.protocol_kind == "local":
        return f"{plan.protocol_name} [{plan.protocol_id}] — LOCAL protocol, not from the label"
    return f"{plan.protocol_name} (from the label)" if plan.protocol_kind == "label" else \
        f"{plan.protocol_name} [{plan.protocol_id}]"


def _plan_facts(plan) -> list[str]:
    r, d, dw = plan.request, plan.dose, plan.dosing
    vials = " + ".join(f"{n} x {s:g} g" for s, n in d.vials) if d.vials else "—"
    return [
        f"Patient weight: {r.weight_kg:g} kg   ·   dosing weight: {dw.kg:g} kg ({dw.method}: {dw.reason})"
        + (f"   ·   rate weight: {plan.rate_weight_kg:g} kg" if plan.rate_weight_kg != dw.kg else ""),
        f"Product: {plan.product_name}, {plan.concentration_mg_per_ml:g} mg/mL",
        f"Indication: {INDICATIONS.get(r.indication, r.indication)}",
        f"Dose: {r.dose_g_per_kg:g} g/kg = {d.dose_g:g} g = {plan.volume_ml:.1f} mL   ·   vials: {vials}",
        f"Protocol: {_protocol_text(plan)}",
        f"Maximum rate: {plan.max_rate_mg_kg_min:.2f} mg/kg/min = {plan.rungs[-1].rate_ml_h:g} mL/h   ·   "
        f"planned duration {plan.duration_min:.0f} min ({fmt_hm(plan.duration_min)})",
    ]


def _step_table(doc: Document, plan) -> None:
    body = []
    for row in rows(plan):
        note = "until volume complete" if row["until_volume_complete"] else ""
        if row["limited_by"]:
            note = (note + "; " if note else "") + f"capped: {row['limited_by']}"
        body.append([str(row["step"]), f"{clock(row['start_min'])}–{clock(row['end_min'])}",
                     f"{row['rate_ml_h']:.1f}", f"{row['rate_mg_kg_min']:.2f}", f"{row['rate_ml_kg_min']:.4f}",
                     f"{row['volume_ml']:.1f}", f"{row['cumulative_ml']:.1f}", note])
    doc.table(["Step", "Time h:mm", "Pump mL/h", "mg/kg/min", "mL/kg/min", "Step mL", "Total mL", "Note"],
              body, [0.5, 1.25, 1.05, 1.0, 1.0, 0.85, 0.85, 1.5], pt=9.5, align_right={0, 2, 3, 4, 5, 6},
              shade=lambda i: "#F6F6F6" if i % 2 else None, bold_cols={2})  # the pump setting stands out


def patient_dict(patient) -> dict:
    """{'id', 'name'} from a dict, a bare identifier string, or an object with .identifier/.id/.name."""
    if not patient:
        return {}
    if isinstance(patient, dict):
        return {k: patient.get(k) for k in ("id", "name") if patient.get(k)}
    if isinstance(patient, str):
        return {"id": patient}
    out = {"id": getattr(patient, "identifier", None) or getattr(patient, "id", None),
           "name": getattr(patient, "name", None)}
    return {k: str(v) for k, v in out.items() if v}


def _patient_lines(patient: dict | None, deidentified: bool) -> list[str]:
    if deidentified:
        return ["Patient: DE-IDENTIFIED for teaching (no name or identifier)"]
    if not patient:
        return []
    out = []
    if patient.get("name"):
        out.append(f"Patient: {patient['name']}")
    if patient.get("id"):
        out.append(f"Identifier: {patient['id']}")
    return out


# ---------------------------------------------------------------------- the plan
def export_plan_file(plan, path, *, page: str = "a4", patient: dict | str | None = None, deidentified: bool = False,
                     wall_start: float | None = None) -> str:
    """Write the plan to `path`; the format follows the extension (.pdf .png .svg .csv)."""
    path = str(path)
    patient = patient_dict(patient)
    ext = Path(path).suffix.lower()
    if ext not in (".pdf", ".png", ".svg", ".csv"):
        raise InputError("export file", path, "a file ending in .pdf, .png, .svg or .csv")
    _check_folder(path)
    if ext == ".csv":
        write_plan_csv(plan, path)
        return path
    pdf = ext == ".pdf"
    chart = export_chart(plan=plan, wall_start=wall_start, size=PDF_CHART_SIZE if pdf else CHART_SIZE, large=pdf)
    try:
        if ext == ".png":
            _write_png(chart, path)
        elif ext == ".svg":
            _write_svg(chart, path, f"IVIg rate plan: {plan.product_name}")
        else:
            _plan_pdf(plan, chart, path, page, patient, deidentified)
    finally:
        _done(chart)
    return path


def _plan_pdf(plan, chart, path: str, page: str, patient, deidentified: bool) -> int:
    title = f"IVIg rate plan — {plan.product_name}"
    doc = Document(path, page, title, f"{title} · {_generated()}")
    doc.text(title, 17, bold=True)
    doc.text(DECISION_SUPPORT, 10, bold=True, colour="#A03A00", space_before=2)
    doc.lines(_patient_lines(patient, deidentified), pt=10.5, indent=0)
    doc.lines(_plan_facts(plan), pt=10.5, indent=0)
    if plan.protocol_kind == "local":
        doc.text("LOCAL PROTOCOL: the label gives no step sizes; these steps are your unit's, not the manufacturer's.",
                 10, bold=True, colour="#A03A00", space_before=3)
    doc.heading("Rate steps")
    _step_table(doc, plan)
    doc.heading("Chart")
    _chart_block(doc, chart, doc.height * 0.55)
    doc.heading("How these numbers were worked out")
    doc.lines(plan.arithmetic())
    doc.heading("Sources")
    doc.lines(list(plan.sources) or ["—"])
    doc.spacer(8)
    doc.text(DECISION_SUPPORT, 10, bold=True)
    doc.text(_generated() + " by the IVIg titration assistant.", 9, colour="#333333")
    return doc.save()


# ---------------------------------------------------------------------- the infusion record
def _describe(e, catalogue) -> str:
    try:  # one wording for the on-screen log and the printed record
        from .event_log import describe
    except ImportError:  # the log widget is optional for exports
        return f"{e.kind} " + ", ".join(f"{k}={v}" for k, v in e.data.items() if k != "plan")
    return describe(e, catalogue)


def _scrub(text: str, patient: dict | None) -> str:
    """Remove the patient's name and identifier from free text (a nurse may have typed them)."""
    for key in ("name", "id"):
        v = str((patient or {}).get(key) or "").strip()
        if len(v) >= 3:  # a one- or two-character id would wipe digits out of every number
            text = text.replace(v, "[removed]")
    return text


def _when(at_min: float, wall_start: float | None) -> str:
    """Elapsed h:mm, with the clock time in front when the start's wall time is known."""
    if wall_start is None:
        return clock(at_min)
    return time.strftime("%H:%M", time.localtime(wall_start + at_min * 60.0)) + f" (+{clock(at_min)})"


def _end_min(session) -> float:
    st = session.state
    if st.end_min is not None:
        return st.end_min
    return session.events[-1].at_min if session.events else 0.0


def _record_facts(session, now_min: float) -> list[str]:
    st, p0 = session.state, session.original_plan
    delivered = session.delivered_ml(now_min)
    outcome = {"completed": "completed", "closed": "completed, observation closed", "stopped": "STOPPED",
               "running": "still running", "paused": "paused", "planned": "not started"}.get(st.status, st.status)
    lines = [
        f"Outcome: {outcome}" + (f" at {clock(st.end_min)} ({st.end_min:.0f} min)" if st.end_min is not None else ""),
        f"Delivered: {delivered:.1f} mL of {session.volume_ml:.1f} mL prescribed"
        f" ({p0.grams(delivered):.1f} g of {p0.dose.dose_g:g} g)",
        (f"Highest rate tolerated: {st.tolerated_ml_h:g} mL/h = {p0.mg_kg_min(st.tolerated_ml_h):.2f} mg/kg/min"
         if st.tolerated_ml_h else "Highest rate tolerated: none recorded"),
        f"Reactions: {st.reactions} (highest grade: {st.highest_grade})   ·   policy: {session.policy.id}",
    ]
    if session.training:
        lines.insert(0, "TRAINING SIMULATION — not a patient record")
    return lines


def export_record_file(session, path, *, deidentified: bool = False, patient: dict | str | None = None,
                       page: str = "a4", now_min: float | None = None, wall_start: float | None = None) -> str:
    """The infusion record after an infusion: .pdf (chart, events, vitals, reactions, signatures) or .csv."""
    path = str(path)
    patient = patient_dict(patient)
    ext = Path(path).suffix.lower()
    if ext not in (".pdf", ".csv"):
        raise InputError("record file", path, "a file ending in .pdf or .csv")
    _check_folder(path)
    now = _end_min(session) if now_min is None else now_min
    scrub = (lambda t: _scrub(t, patient)) if deidentified else (lambda t: t)
    if ext == ".csv":
        _record_csv(session, path, scrub, wall_start)
        return path
    ended = session.state.end_min is not None
    chart = export_chart(session=session, now_min=now, wall_start=wall_start, size=PDF_CHART_SIZE, large=True,
                         show_now=not ended)
    try:
        _record_pdf(session, chart, path, page, patient, deidentified, now, scrub, wall_start)
    finally:
        _done(chart)
    return path


RECORD_CSV_HEADER = ["at_min", "elapsed", "clock", "kind", "who", "what", "rate_ml_h", "grade"]


def _record_csv(session, path: str, scrub, wall_start: float | None = None) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(RECORD_CSV_HEADER)
        for e in session.events:
            if e.kind == "planned":
                continue
            wall = "" if wall_start is None else time.strftime("%Y-%m-%d %H:%M", time.localtime(wall_start + e.at_min * 60))
            w.writerow([round(e.at_min, 2), clock(e.at_min), wall, e.kind, e.who, scrub(_describe(e, session.catalogue)),
                        e.data.get("rate_ml_h", ""), e.data.get("grade", "")])


def _record_pdf(session, chart, path, page, patient, deidentified, now, scrub, wall_start=None) -> int:
    p0 = session.original_plan
    title = f"IVIg infusion record — {p0.product_name}"
    doc = Document(path, page, title, f"{title} · {_generated()}")
    doc.text(title, 17, bold=True)
    doc.lines([scrub(t) for t in _patient_lines(patient, deidentified)], pt=10.5, indent=0)
    doc.lines(_plan_facts(p0), pt=10.5, indent=0)
    doc.heading("Summary")
    if wall_start is not None:
        doc.lines([time.strftime("Started: %Y-%m-%d %H:%M %Z", time.localtime(wall_start))], pt=10.5)
    doc.lines(_record_facts(session, now), pt=10.5)
    doc.heading("Timeline")
    _chart_block(doc, chart, doc.height * 0.5)

    reactions = [m for m in markers(session) if m.kind in ("symptoms", "slow", "pause", "resume", "stop", "resolved")]
    doc.heading("Reactions and actions")
    if reactions:
        doc.table(["Time", "What"], [[_when(m.at_min, wall_start), scrub(m.label)] for m in reactions],
                  [1.3 if wall_start else 0.7, 6.0], pt=9.5)
    else:
        doc.lines(["No reaction recorded."])

    vit = [e for e in session.events if e.kind == "vitals" or (e.kind == "symptoms" and "vitals" in e.data)]
    doc.heading("Vital signs")
    if vit:
        body = []
        for e in vit:
            v = e.data.get("vitals", {})
            bp = f"{v['sbp']:g}/{v['dbp']:g}" if "sbp" in v and "dbp" in v else f"{v.get('sbp', '')}"
            def num(key, fmt="g"):
                return format(v[key], fmt) if key in v else ""

            body.append([_when(e.at_min, wall_start), num("temp_c", ".1f"), num("pulse"), bp, num("spo2"), num("rr"),
                         e.data.get("grade", "with symptoms"), e.who])
        doc.table(["Time", "Temp °C", "Pulse", "BP", "SpO2 %", "RR", "Grade", "Who"], body,
                  [1.3 if wall_start else 0.8, 0.9, 0.8, 1.0, 0.8, 0.6, 1.2, 1.0], pt=9.5, align_right={1, 2, 3, 4, 5})
    else:
        doc.lines(["No vital signs recorded."])

    doc.heading("Events")
    body = [[_when(e.at_min, wall_start), e.who, scrub(_describe(e, session.catalogue))]
            for e in session.events if e.kind != "planned"]
    doc.table(["Time", "Who", "What"], body, [1.3 if wall_start else 0.7, 0.9, 6.0], pt=9,
              shade=lambda i: "#F6F6F6" if i % 2 else None)

    doc.heading("Signatures")
    for who in ("Nurse", "Second check"):
        doc.sign_here([(f"{who} (name)", 0.45), ("Signature", 0.33), ("Date", 0.22)])
    doc.spacer(10)
    doc.text(DECISION_SUPPORT, 9.5, bold=True)
    times = "Times are clock time (+h:mm from the start)." if wall_start else "Times are h:mm from the start."
    doc.text(f"{_generated()} by the IVIg titration assistant. {times}", 9, colour="#333333")
    return doc.save()


def _check_folder(path: str) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise InputError("export file", path, "a path in an existing folder")
    if not os.access(folder, os.W_OK):
        raise InputError("export file", path, "a path in a folder you can write to")
