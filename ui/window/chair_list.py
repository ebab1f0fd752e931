"""The chair list at the side of the window: each chair at a glance, an alerting one highlighted."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from ui.common.style import ALERT_BG


class ChairList(QWidget):
    """One entry per chair (its summary's lines); choosing one asks the window to show that chair."""

    sig_chosen = Signal(object)  # a ChairModel

    def __init__(self, parent=None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(QLabel("Chairs"))
        self.list = QListWidget()
        self.list.setObjectName("chairList")
        self.list.setAccessibleName("Chairs")
        self.list.setAccessibleDescription("The chairs on this workstation; Enter opens one")
        self.list.setWordWrap(True)
        self.list.setSpacing(2)
        self.list.currentItemChanged.connect(self._chosen)
        lay.addWidget(self.list, 1)
        self.items: dict = {}
        self.setMinimumWidth(150)

    def _chosen(self, item, _prev=None) -> None:
        if item is not None:
            self.sig_chosen.emit(item.data(Qt.ItemDataRole.UserRole))

    def add(self, chair) -> None:
        item = QListWidgetItem("")
        item.setData(Qt.ItemDataRole.UserRole, chair)
        self.items[chair] = item
        self.list.addItem(item)
        chair.sig_alerts.connect(lambda _a, c=chair: self.refresh_one(c))
        chair.sig_changed.connect(lambda c=chair: self.refresh_one(c))
        self.refresh_one(chair)

    def remove(self, chair) -> None:
        item = self.items.pop(chair, None)
        if item is not None:
            self.list.takeItem(self.list.row(item))

    def select(self, chair) -> None:
        item = self.items.get(chair)
        if item is not None:
            self.list.setCurrentItem(item)

    def step(self, step: int) -> None:
        n = self.list.count()
        if n:
            self.list.setCurrentRow((self.list.currentRow() + step) % n)

    def refresh(self) -> None:
        for chair in self.items:
            self.refresh_one(chair)

    def refresh_one(self, chair) -> None:
        item = self.items.get(chair)
        if item is None:
            return
        s = chair.summary()
        alert = "⚠ " if s.alert else ""
        lines = s.lines()
        text = f"{alert}{lines[0]}\n" + "\n".join(lines[1:])
        if item.text() != text:
            item.setText(text)
            # an alerting chair stands out in the list even when another chair is in front
            item.setBackground(QBrush(QColor(ALERT_BG)) if alert else QBrush())
