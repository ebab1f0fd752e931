"""Small presentational pieces the chair's panels share: wrapped labels, scrolling columns, countdowns."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QWidget


class WrapLabel(QLabel):
    """A word-wrapped label that asks for the height its text needs at its width.

    (Qt lays out wrapped labels for a guessed width; inside a scroll area that guess clips the
    last line. Asking again on every resize keeps every line visible.)
    """

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._fit()

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit(fresh=True)

    def setText(self, text: str) -> None:
        if text != self.text():
            shorter = len(text) < len(self.text())
            super().setText(text)
            self._fit(fresh=shorter)  # a shorter text may need fewer lines than the minimum says

    def refit(self) -> None:
        """Measure again (after a type-size change, once the new font is in place)."""
        self.ensurePolished()
        self._fit(fresh=True)

    def _fit(self, fresh: bool = False) -> None:
        if fresh and self.minimumHeight():
            self.setMinimumHeight(0)  # QLabel's measure never goes below the minimum: measure without it
        h = self.heightForWidth(max(self.width(), 50)) if self.text() else 0
        if h != self.minimumHeight():
            self.setMinimumHeight(h)


class ColumnScroll(QScrollArea):
    """Scrolls up and down only, and is never narrower than what it holds (nothing is clipped at
    the side: the window's minimum width includes the column's)."""

    def setWidget(self, w: QWidget) -> None:
        super().setWidget(w)
        w.installEventFilter(self)

    def eventFilter(self, obj, event):  # what it holds grew (large type): ask the splitter again
        if obj is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
        return super().eventFilter(obj, event)

    def minimumSizeHint(self):
        hint = super().minimumSizeHint()
        w = self.widget()
        if w is not None:
            need = w.minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width() + 2 * self.frameWidth()
            hint.setWidth(max(hint.width(), need, self.minimumWidth()))
        return hint


def scrolled(w: QWidget, min_width: int) -> QScrollArea:
    """A side column that scrolls when the window is short, without a frame."""
    scroll = ColumnScroll()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidget(w)
    scroll.setMinimumWidth(min_width)
    # never a silent cut: a bar says there is more
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    return scroll


def label(name: str, text: str = "", wrap: bool = False) -> QLabel:
    w = WrapLabel(text) if wrap else QLabel(text)
    w.setObjectName(name)
    w.setWordWrap(wrap)
    w.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return w


def compact_combos(root: QWidget, chars: int = 10) -> None:
    """Drop-downs under `root` ask only for `chars` characters of width (their lists still show
    every item in full), so a long product or protocol name never widens the page."""
    from PySide6.QtWidgets import QComboBox

    for box in root.findChildren(QComboBox):
        box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        box.setMinimumContentsLength(chars)
        box.view().setMinimumWidth(box.view().sizeHintForColumn(0) + 24)


class ElidedLabel(QLabel):
    """One line that ends in '…' when the window is narrow (the whole text is its tooltip)."""

    def __init__(self, name: str, parent=None):
        super().__init__(parent)
        self.setObjectName(name)
        self._full = ""
        from PySide6.QtWidgets import QSizePolicy

        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def setText(self, text: str) -> None:
        if text != self._full:
            self._full = text
            self.setToolTip(text)
            self.setAccessibleName(text)  # a screen reader reads the whole line, never the elided one
            self._elide()

    def full_text(self) -> str:
        return self._full

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._elide()

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, max(self.width(), 20))
        if shown != super().text():
            super().setText(shown)


class AfterFirstPaint(QObject):
    """Calls `then()` once, after the first paint of `widget` (a widget visible at start-up)."""

    def __init__(self, widget, then):
        super().__init__(widget)
        self.then = then
        widget.installEventFilter(self)

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and self.then is not None:
            then, self.then = self.then, None
            obj.removeEventFilter(self)
            then()
        return False
