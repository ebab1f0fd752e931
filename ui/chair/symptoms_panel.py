"""Report symptoms: the catalogue's symptoms as tick boxes, grouped by grade (mild, moderate, severe).

Each label wraps (a tick box's own text cannot), so every symptom reads in full in a narrow
column and in large type ("Weakness or numbness on one side", never "Weakness or…").
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from titration.catalogue_file import load_catalogue
from ui.common.style import GRADE_COLOURS
from ui.common.widgets import WrapLabel


class SymptomLabel(WrapLabel):
    """A symptom's words beside its tick box; a click on the words ticks the box."""

    def __init__(self, text: str, box: QCheckBox):
        super().__init__(text)
        self.box = box
        self.setObjectName("symptomLabel")
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

    def resizeEvent(self, event):
        QLabel.resizeEvent(self, event)
        self._fit(fresh=True)  # wider again: back to fewer lines (a plain refit only ever grows)

    def mousePressEvent(self, event):
        if event.button() == Qt.MouseButton.LeftButton and self.box.isEnabled():
            self.box.click()
            self.box.setFocus()
        super().mousePressEvent(event)


class SymptomItem(QWidget):
    """A tick box (focus, Space) and its wrapping words."""

    def __init__(self, symptom, parent=None):
        super().__init__(parent)
        s = symptom
        h = QHBoxLayout(self)
        h.setContentsMargins(0, 0, 0, 0)
        h.setSpacing(4)
        self.box = QCheckBox()
        self.box.setObjectName(f"symptom_{s.id}")
        self.box.setAccessibleName(s.label)
        said = f'; a patient may say: "{s.words}"' if s.words else ""
        self.box.setAccessibleDescription(f"{s.grade} symptom{said}")
        self.words = SymptomLabel(s.label, self.box)
        tip = f'{s.label} ({s.grade}). A patient may say: "{s.words}"' if s.words else s.label
        for w in (self.box, self.words):
            w.setToolTip(tip)
        h.addWidget(self.box)
        h.addWidget(self.words, 1)


class SymptomsPanel(QWidget):
    sig_report = Signal(list)  # symptom ids

    def __init__(self, parent=None, catalogue=None):
        super().__init__(parent)
        self.catalogue = catalogue or load_catalogue()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.boxes: dict[str, QCheckBox] = {}
        self.labels: dict[str, SymptomLabel] = {}
        self.grids: list[tuple[QGridLayout, list[SymptomItem]]] = []
        for grade, symptoms in self.catalogue.by_grade().items():
            g = QGroupBox(f"{grade.capitalize()}")
            g.setObjectName(f"grade_{grade}")
            g.setStyleSheet(f"QGroupBox#grade_{grade} {{ border-left: 6px solid {GRADE_COLOURS[grade]}; }}")
            grid = QGridLayout(g)
            grid.setContentsMargins(8, 4, 4, 4)
            grid.setVerticalSpacing(1)
            items = []
            for s in symptoms:
                item = SymptomItem(s, g)
                self.boxes[s.id], self.labels[s.id] = item.box, item.words
                items.append(item)
            self.grids.append((grid, items))
            lay.addWidget(g)
        self.set_columns(1)
        row = QHBoxLayout()
        self.report_button = QPushButton("Report symptoms\n(Ctrl+Shift+Enter)")  # two lines: fits large type
        self.report_button.setObjectName("reportSymptoms")
        self.report_button.setAccessibleName("Report symptoms")
        self.report_button.setAccessibleDescription("Report the ticked symptoms: the reaction is graded and an "
                                                    "action proposed")
        self.report_button.clicked.connect(self._report)
        row.addWidget(self.report_button)
        row.addStretch(1)
        lay.addLayout(row)

    def set_columns(self, n: int) -> None:
        """Boxes in `n` columns (one by default: the words wrap less; none is ever cut)."""
        for grid, items in self.grids:
            for i, item in enumerate(items):
                grid.addWidget(item, i // n, i % n)
            for c in range(2):
                grid.setColumnStretch(c, 1 if c < n else 0)
        for lab in self.labels.values():
            lab.refit()

    def checked(self) -> list[str]:
        return [sid for sid, cb in self.boxes.items() if cb.isChecked()]

    def set_checked(self, ids) -> None:
        for sid, cb in self.boxes.items():
            cb.setChecked(sid in ids)

    def _report(self) -> None:
        self.sig_report.emit(self.checked())
