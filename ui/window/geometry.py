"""The window's size: what fits the screen at the first start, and what the nurse left it at (QSettings)."""
from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

SETTINGS = ("ivig-titration", "chair-workstation")


def app_settings() -> QSettings:
    return QSettings(*SETTINGS)


def first_size(win: QWidget) -> None:
    """1440x900 where the screen has room; never larger than the screen (a ward's 1024x700)."""
    screen = win.screen() or QGuiApplication.primaryScreen()
    w, h = 1440, 900
    if screen is not None:
        room = screen.availableGeometry()
        w, h = min(w, room.width()), min(h, room.height())
    win.resize(w, h)


def restore_geometry(win: QWidget, settings: QSettings | None) -> None:
    if settings is None:
        return
    geo = settings.value("geometry", QByteArray(), type=QByteArray)
    if isinstance(geo, QByteArray) and not geo.isEmpty():
        win.restoreGeometry(geo)
