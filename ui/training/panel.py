"""Training mode: the scenario picker, the TRAINING banner, the simulated patient's words,
the simulation clock (speed, "Pause simulation"), and the debrief.

"Pause simulation" holds the clock (nothing moves); "Pause infusion" sets the pump to zero.
They are different buttons with different words, on purpose (peers: SimTIVA #19).
"""
from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QMarginsF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from titration.data import resource
from titration.errors import TitrationError

SPEEDS = (1, 2, 5, 10, 20, 30, 60)


def scenario_files() -> list[Path]:
    folder = Path(resource("scenarios"))
    return sorted(folder.glob("*.toml")) if folder.is_dir() else []


class TrainingBanner(QLabel):
    def __init__(self, title: str = "", parent=None):
        text = "TRAINING — SIMULATED PATIENT — NOT A REAL INFUSION"
        super().__init__(text + (f"\n{title}" if title else ""), parent)
        self.setObjectName("trainingBanner")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)


class TrainingSetup(QWidget):
    """Pick a scenario and a speed, then start."""

    sig_start = Signal(str, float)  # scenario path, speed
    sig_cancel = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.addWidget(TrainingBanner("Choose a scenario"))
        self.list = QListWidget()
        self.list.setObjectName("scenarioList")
        self.list.currentRowChanged.connect(self._describe)
        self.description = QLabel("")
        self.description.setWordWrap(True)
        self.description.setObjectName("noteLine")
        row = QHBoxLayout()
        self.speed = QComboBox()
        self.speed.setObjectName("speed")
        for s in SPEEDS:
            self.speed.addItem(f"{s}x", float(s))
        self.speed.setCurrentIndex(SPEEDS.index(10))
        self.start_button = QPushButton("Start training (Ctrl+Enter)")
        self.start_button.setObjectName("confirm")
        self.start_button.clicked.connect(self.start)
        back = QPushButton("Back")
        back.clicked.connect(self.sig_cancel)
        row.addWidget(QLabel("Speed"))
        row.addWidget(self.speed)
        row.addStretch(1)
        row.addWidget(back)
        row.addWidget(self.start_button)
        self.error = QLabel("")
        self.error.setObjectName("errorLine")
        self.error.setWordWrap(True)
        lay.addWidget(QLabel("Scenarios (resources/scenarios):"))
        lay.addWidget(self.list, 1)
        lay.addWidget(self.description)
        lay.addWidget(self.error)
        lay.addLayout(row)
        self.reload()

    def reload(self) -> None:
        from titration.training.scenario import read_scenario

        self.list.clear()
        self._info = []
        for path in scenario_files():
            try:
                sc = read_scenario(str(path))
                title, desc = sc.title, str((sc.raw.get("meta") or {}).get("description", ""))
                r = sc.request
                what = f"{r.product} · {r.indication} · {r.weight_kg:g} kg · {r.dose_g_per_kg:g} g/kg"
                desc = (desc + "\n" if desc else "") + what
            except (TitrationError, OSError) as exc:  # a bad file is listed with its error, not hidden
                title, desc = f"{path.stem} (cannot be read)", str(exc)
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            self.list.addItem(item)
            self._info.append(desc)
        if self.list.count():
            self.list.setCurrentRow(0)
        else:
            self.description.setText("No scenarios found in resources/scenarios/.")

    def _describe(self, row: int) -> None:
        self.description.setText(self._info[row] if 0 <= row < len(self._info) else "")

    def select(self, stem: str) -> bool:
        for i in range(self.list.count()):
            if Path(self.list.item(i).data(Qt.ItemDataRole.UserRole)).stem == stem:
                self.list.setCurrentRow(i)
                return True
        return False

    def start(self) -> None:
        item = self.list.currentItem()
        if item is None:
            self.error.setText("Choose a scenario first.")
            return
        self.error.setText("")
        self.sig_start.emit(item.data(Qt.ItemDataRole.UserRole), float(self.speed.currentData()))


class TrainingPanel(QGroupBox):
    """In a training chair: the clock controls, what the patient says, Take vitals, the debrief."""

    sig_take_vitals = Signal()
    sig_debrief_shown = Signal()  # the debrief is ready: the chair view brings it to the front

    def __init__(self, chair, parent=None):
        super().__init__("Simulation", parent)
        self.chair = chair
        lay = QVBoxLayout(self)
        row = QHBoxLayout()
        self.speed = QComboBox()
        self.speed.setObjectName("simSpeed")
        for s in SPEEDS:
            self.speed.addItem(f"{s}x", float(s))
        i = self.speed.findData(float(chair.speed))
        self.speed.setCurrentIndex(i if i >= 0 else 0)
        self.speed.currentIndexChanged.connect(lambda _i: chair.set_speed(self.speed.currentData()))
        self.hold_button = QPushButton("Pause simulation (Ctrl+Space)")
        self.hold_button.setObjectName("holdSimulation")
        self.hold_button.setCheckable(True)
        self.hold_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.hold_button.toggled.connect(self._hold)
        row.addWidget(QLabel("Speed"))
        row.addWidget(self.speed)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addWidget(self.hold_button)
        self.clock_label = QLabel("")
        self.clock_label.setObjectName("simClock")
        lay.addWidget(self.clock_label)
        lay.addWidget(QLabel("The patient says:"))
        self.said = QListWidget()
        self.said.setObjectName("utterances")
        self.said.setWordWrap(True)
        self.said.setMinimumHeight(70)
        self.said.setMaximumHeight(130)
        lay.addWidget(self.said)
        row2 = QVBoxLayout()
        self.take_button = QPushButton("Take vitals (Ctrl+Shift+T)")
        self.take_button.setObjectName("takeVitals")
        self.take_button.clicked.connect(self.sig_take_vitals)
        self.debrief_button = QPushButton("Debrief (Ctrl+Shift+D)")
        self.debrief_button.setObjectName("debriefButton")
        self.debrief_button.clicked.connect(self.show_debrief)
        row2.addWidget(self.take_button)
        row2.addWidget(self.debrief_button)
        lay.addLayout(row2)
        self.debrief = DebriefPanel()  # the chair view places it where there is room

    def _hold(self, on: bool) -> None:
        self.chair.hold_simulation(on)
        self.hold_button.setText("Resume simulation (Ctrl+Space)" if on else "Pause simulation (Ctrl+Space)")

    def toggle_hold(self) -> None:
        self.hold_button.toggle()

    def add_utterances(self, items, clock_text) -> None:
        for u in items:
            text = getattr(u, "text", str(u))
            at = getattr(u, "at_min", None)
            self.said.addItem(f"{clock_text(at) if at is not None else ''}  “{text}”")
        self.said.scrollToBottom()

    def refresh(self, t: float) -> None:
        c = self.chair
        state = "SIMULATION PAUSED" if c.sim_held else "running"
        self.clock_label.setText(f"Simulated time {c.clock_text(t)} · {c.speed:g}x · {state}")
        self.debrief_button.setEnabled(c.run is not None and c.session.status in ("completed", "stopped", "closed"))

    def show_debrief(self) -> None:
        run = self.chair.run
        if run is None:
            return
        try:
            d = run.debrief()
        except TitrationError as exc:
            self.debrief.error.setText(f"Debrief: {exc}")
            d = None
        if d is not None:
            self.debrief.show_debrief(d, run, self.chair.scenario_title)
        self.sig_debrief_shown.emit()


def _debrief_dict(d) -> dict:
    if hasattr(d, "to_dict"):
        return d.to_dict()
    return {"items": list(getattr(d, "items", [])), "score": getattr(d, "score", None)}


def _item_dict(it) -> dict:
    if isinstance(it, dict):
        return it
    if hasattr(it, "to_dict"):
        return it.to_dict()
    if hasattr(it, "__dataclass_fields__"):
        from dataclasses import asdict

        return asdict(it)
    return {"item": str(it)}


COLUMNS = {"verdict": "verdict", "at_min": "due (min)", "expected": "expected", "done": "done",
           "done_at": "done at (min)", "rule": "rule"}
WIDE = ("expected", "done", "rule")  # wrapped text; the short columns fit their contents
VERDICT_COLOURS = {"correct": "#009E73", "late": "#E69F00", "early": "#E69F00", "missed": "#D55E00", "wrong": "#D55E00"}


def _cell(v) -> str:
    if isinstance(v, float):
        return f"{v:.1f}"
    if isinstance(v, (list, tuple)):
        return ", ".join(str(x) for x in v)
    return "" if v is None else str(v)


class DebriefPanel(QWidget):
    """The debrief: what the protocol expected against what the trainee did, the score, exports."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.data: dict | None = None
        self.run = None
        self.title = ""
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.score = QLabel("Debrief: shown when the exercise has ended (Ctrl+Shift+D).")
        self.score.setObjectName("debriefScore")
        self.score.setWordWrap(True)
        lay.addWidget(self.score)
        self.table = QTableWidget(0, 0)
        self.table.setObjectName("debriefTable")
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.setMinimumHeight(220)
        lay.addWidget(self.table)
        self.error = QLabel("")
        self.error.setObjectName("errorLine")
        lay.addWidget(self.error)
        row = QHBoxLayout()
        self.pdf_button = QPushButton("Export debrief (PDF)…")
        self.pdf_button.clicked.connect(self._ask_pdf)
        self.responses_button = QPushButton("Save responses…")
        self.responses_button.clicked.connect(self._ask_responses)
        row.addWidget(self.pdf_button)
        row.addWidget(self.responses_button)
        lay.addLayout(row)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self.table.resizeRowsToContents()  # re-wrap at the new width (a debrief has a few dozen rows)

    def columns(self) -> list[str]:
        """The known columns in a reading order, then anything else the debrief carries."""
        seen: list[str] = []
        for it in (self.data or {}).get("items", []):
            for k in _item_dict(it):
                if k not in seen and k != "kind":
                    seen.append(k)
        return [k for k in COLUMNS if k in seen] + [k for k in seen if k not in COLUMNS]

    def show_debrief(self, debrief, run=None, title: str = "") -> None:
        self.run, self.title = run, title
        self.data = _debrief_dict(debrief)
        score = self.data.get("score")
        counts = self.data.get("counts") or {}
        tally = ", ".join(f"{n} {v}" for v, n in counts.items() if n)
        outcome = self.data.get("outcome")
        self.score.setText(f"Score: {_cell(score)} / 100" + (f" · {outcome}" if outcome else "")
                           + (f" · {tally}" if tally else ""))
        items = [_item_dict(it) for it in self.data.get("items", [])]
        cols = self.columns()
        self.table.setColumnCount(len(cols))
        self.table.setHorizontalHeaderLabels([COLUMNS.get(c, c.replace("_", " ")) for c in cols])
        self.table.setRowCount(len(items))
        for r, it in enumerate(items):
            for c, key in enumerate(cols):
                item = QTableWidgetItem(_cell(it.get(key)))
                item.setToolTip(_cell(it.get(key)))
                if key == "verdict" and it.get(key) in VERDICT_COLOURS:
                    item.setForeground(QBrush(QColor(VERDICT_COLOURS[it[key]])))
                    f = item.font()
                    f.setBold(True)
                    item.setFont(f)
                self.table.setItem(r, c, item)
        h = self.table.horizontalHeader()
        for c, key in enumerate(cols):
            mode = QHeaderView.ResizeMode.Stretch if key in WIDE else QHeaderView.ResizeMode.ResizeToContents
            h.setSectionResizeMode(c, mode)
        self.table.resizeRowsToContents()

    def html(self) -> str:
        cols = self.columns()
        rows = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(_item_dict(it).get(c)))}</td>" for c in cols) + "</tr>"
                       for it in (self.data or {}).get("items", []))
        head = "".join(f"<th align='left'>{html.escape(COLUMNS.get(c, c))}</th>" for c in cols)
        return (f"<h1>Training debrief</h1><p><b>{html.escape(self.title)}</b></p>"
                f"<p><b>{html.escape(self.score.text())}</b></p>"
                f"<table border='1' cellspacing='0' cellpadding='3' width='100%'><tr>{head}</tr>{rows}</table>"
                f"<p><i>Training simulation: not a real infusion.</i></p>")

    def export_pdf(self, path: str) -> None:
        writer = QPdfWriter(path)
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                         QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter))
        writer.setResolution(150)
        doc = QTextDocument()
        doc.setHtml(self.html())
        doc.setPageSize(writer.pageLayout().paintRectPixels(writer.resolution()).size().toSizeF())
        doc.print_(writer)

    def _ask_pdf(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getSaveFileName(self, "Export debrief", "debrief.pdf", "PDF (*.pdf)")
        if path:
            try:
                self.export_pdf(path)
            except OSError as exc:
                self.error.setText(f"Export: {exc}")

    def _ask_responses(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        if self.run is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Save responses", "responses.json", "JSON (*.json)")
        if path:
            try:
                self.run.save_responses(path)
            except (TitrationError, OSError) as exc:
                self.error.setText(f"Save responses: {exc}")
