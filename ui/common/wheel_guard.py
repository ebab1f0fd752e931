"""The mouse wheel changes only a value the nurse has focused.

A closed drop-down or a spin box under a scrolling pointer would otherwise take the wheel: one
notch turns one product into another, or 0.1 mL/h pump resolution into 1 mL/h. One event filter
on the application covers every combo box and spin box, present and future; the wheel then
scrolls the page around them instead.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox


class WheelGuard(QObject):
    """Refuses wheel events to combo and spin boxes that do not have the keyboard focus."""

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Polish and isinstance(obj, (QComboBox, QAbstractSpinBox)):
            # Qt's default (WheelFocus) would hand the focus to the box the wheel passes over
            obj.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        elif (event.type() == QEvent.Type.Wheel and isinstance(obj, (QComboBox, QAbstractSpinBox))
              and not obj.hasFocus()):
            # an open popup list scrolls as usual; only the closed box is guarded
            view = obj.view() if isinstance(obj, QComboBox) else None
            if view is None or not view.isVisible():
                event.ignore()  # passed on to the parent: the page scrolls instead
                return True
        return False


_guard: WheelGuard | None = None


def install(app: QCoreApplication | None = None) -> WheelGuard:
    """Install the guard once on the application (calling again costs nothing)."""
    global _guard
    app = app or QApplication.instance()
    if _guard is None:
        _guard = WheelGuard()
        if app is not None:
            app.installEventFilter(_guard)
    return _guard
