"""The New-infusion form's "cannot start yet" panel: a fixed place and a fixed height, so the form
never moves under the nurse's pointer when a blocker comes or goes."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

BLOCK_LINES = 4  # the panel's fixed height, in lines; more blockers scroll inside it


class BlockPanel(QScrollArea):
    """'CANNOT START YET' or 'Ready', then the checklist's warnings: always in the same place with
    the same height (what does not fit scrolls inside it)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        inner = QWidget()
        v = QVBoxLayout(inner)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(2)
        self.label = QLabel("")
        self.label.setObjectName("blockLine")
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        v.addWidget(self.label)
        self.warnings = QLabel("")
        self.warnings.setObjectName("warnLine")
        self.warnings.setWordWrap(True)
        self.warnings.hide()
        v.addWidget(self.warnings)
        v.addStretch(1)
        self.setWidget(inner)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._fit()

    def _fit(self) -> None:
        self.setFixedHeight(self.label.fontMetrics().lineSpacing() * BLOCK_LINES + 12)

    def changeEvent(self, event):  # large type keeps four lines
        super().changeEvent(event)
        self._fit()

    def show_blocks(self, blocks: list[str]) -> None:
        if blocks:
            self.label.setText("CANNOT START YET:\n• " + "\n• ".join(blocks))
            self.label.setObjectName("blockLine")
        else:
            self.label.setText("Ready: check the plan, then Create (Ctrl+Enter).")
            self.label.setObjectName("readyLine")
        self.label.style().unpolish(self.label)
        self.label.style().polish(self.label)

    def text(self) -> str:
        return self.label.text()
