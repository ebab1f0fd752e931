"""Charts for export: a dedicated, never-on-screen InfusionChart, drawn to PNG or SVG with a title.

The chart is resized, shown with WA_DontShowOnScreen and laid out before rendering
(peers-and-pitfalls C.2: an unshown plot exports at size 0 or stacked). SVG is vector: the widget
is rendered straight onto a QSvgGenerator painter (pyqtgraph's SVGExporter fails on this stack).
Every exported chart carries its title: product, patient identifier or
"de-identified", date, and TRAINING where it is one.
"""
from __future__ import annotations

import os
import sys

from titration.errors import TitrationError

CHART_SIZE = (1200, 800)  # px: PNG and SVG size, title included
TITLE_HEIGHT = 48  # px: the title band above the chart in a PNG or SVG
PDF_CHART_SIZE = (900, 620)  # px: the chart's layout in a PDF, in large type, so it prints at about 9 pt
DECISION_SUPPORT = "Decision support only: check every rate against the prescription before setting the pump."


# ---------------------------------------------------------------------- Qt set-up
_OWNED: list = []  # the command line's own QApplication, once made


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
        _OWNED.append(app)  # keep a reference for the life of the process
    from ui.common.fonts import register_fonts

    register_fonts()
    return app


def export_chart(plan=None, session=None, *, now_min: float | None = None, size=CHART_SIZE,
                 wall_start: float | None = None, large: bool = False, show_now: bool = True):
    """A laid-out, off-screen InfusionChart showing the plan or the session."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QGraphicsView

    from ui.chart.infusion_chart import InfusionChart

    app = _qt_app()
    chart = InfusionChart(large=large)
    chart.set_show_now(show_now)
    for view in (chart.parts.volume_plot, chart.parts.rate_plot):
        # pyqtgraph caches the view background as a bitmap; in an SVG or PDF that becomes an embedded image
        view.setCacheMode(QGraphicsView.CacheModeFlag.CacheNone)
    chart.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)  # never flashes a window on a real display
    chart.resize(*size)
    chart.set_wall_start(wall_start)
    chart.show()
    app.processEvents()  # lay out before drawing (pyqtgraph#8, #1997)
    if session is not None:
        chart.set_session(session, now_min)
    else:
        chart.set_plan(plan)
    app.processEvents()
    events = chart.events
    if events.hidden_rows():  # on paper nothing scrolls: the chart grows by the rows the list would hide
        grow = events.hidden_rows() * events.row_height()
        events.show_all = True
        chart.resize(chart.width(), chart.height() + grow)
        app.processEvents()
        events.scrollToTop()
    return chart


def done(chart) -> None:
    chart.hide()
    chart.deleteLater()


def render_chart(chart, painter, x: float, y: float, width: float) -> float:
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


def _draw_title(painter, title: str, width: int) -> None:
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QFont

    from ui.common.fonts import register_fonts

    f = QFont(register_fonts())
    f.setPixelSize(20)
    f.setBold(True)
    painter.setFont(f)
    painter.setPen(QColor("#000000"))
    painter.drawText(QRectF(16, 0, width - 32, TITLE_HEIGHT),
                     int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), title)


def write_png(chart, path: str, title: str) -> None:
    """The title band, then the chart, on white."""
    from PySide6.QtGui import QColor, QImage, QPainter

    w, h = chart.width(), chart.height() + TITLE_HEIGHT
    img = QImage(w, h, QImage.Format.Format_ARGB32)
    img.fill(QColor("white"))
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    _draw_title(p, title, w)
    render_chart(chart, p, 0, TITLE_HEIGHT, w)
    p.end()
    if not img.save(path, "PNG"):  # type: ignore[call-overload]  # the stub says bytes; only str works (6.11)
        raise TitrationError(f"could not write {path}")


def write_svg(chart, path: str, title: str) -> None:
    from PySide6.QtCore import QRect, QSize
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator

    w, h = chart.width(), chart.height() + TITLE_HEIGHT
    gen = QSvgGenerator()
    gen.setFileName(path)
    gen.setSize(QSize(w, h))
    gen.setViewBox(QRect(0, 0, w, h))
    gen.setResolution(96)
    gen.setTitle(title)
    gen.setDescription(DECISION_SUPPORT)
    p = QPainter(gen)
    if not p.isActive():
        raise TitrationError(f"could not write {path}")
    _draw_title(p, title, w)
    render_chart(chart, p, 0, TITLE_HEIGHT, w)
    p.end()
