"""Report symptoms: the catalogue's symptoms as tick boxes, grouped by grade (mild, moderate, severe)."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QGridLayout, QGroupBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from titration.reactions import load_catalogue
from ui.style import GRADE_COLOURS


class SymptomsPanel(QWidget):
    sig_report = Signal(list)  # symptom ids

    def __init__(self, parent=None, catalogue=None):
        super().__init__(parent)
        self.catalogue = catalogue or load_catalogue()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.boxes: dict[str, QCheckBox] = {}
        self.grids: list[tuple[QGridLayout, list[QCheckBox]]] = []
        for grade, symptoms in self.catalogue.by_grade().items():
            g = QGroupBox(f"{grade.capitalize()}")
            g.setObjectName(f"grade_{grade}")
            g.setStyleSheet(f"QGroupBox#grade_{grade} {{ border-left: 6px solid {GRADE_COLOURS[grade]}; }}")
            grid = QGridLayout(g)
            grid.setContentsMargins(8, 4, 4, 4)
            grid.setVerticalSpacing(1)
            boxes = []
            for s in symptoms:
                cb = QCheckBox(s.label)
                cb.setObjectName(f"symptom_{s.id}")
                cb.setToolTip(f'{s.label} ({s.grade}). A patient may say: "{s.words}"' if s.words else s.label)
                self.boxes[s.id] = cb
                boxes.append(cb)
            self.grids.append((grid, boxes))
            lay.addWidget(g)
        self.set_columns(1)
        row = QHBoxLayout()
        self.report_button = QPushButton("Report symptoms (Ctrl+Shift+Enter)")
        self.report_button.setObjectName("reportSymptoms")
        self.report_button.clicked.connect(self._report)
        row.addWidget(self.report_button)
        row.addStretch(1)
        lay.addLayout(row)

    def set_columns(self, n: int) -> None:
        """Boxes in `n` columns (one by default: the longest names then never clip in a narrow column)."""
        for grid, boxes in self.grids:
            for i, cb in enumerate(boxes):
                grid.addWidget(cb, i // n, i % n)

    def checked(self) -> list[str]:
        return [sid for sid, cb in self.boxes.items() if cb.isChecked()]

    def set_checked(self, ids) -> None:
        for sid, cb in self.boxes.items():
            cb.setChecked(sid in ids)

    def _report(self) -> None:
        self.sig_report.emit(self.checked())
