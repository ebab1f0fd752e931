"""The Overview board: every chair as a tile, moved between with the arrow keys.

The board shows chair summaries and knows nothing of where they come from: `BoardModel`
takes a list of `ChairSummary` (this workstation's chairs today; the unit server's, from other
workstations, later) and the board draws whatever it was given last.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from ui.chair.summary import ChairSummary
from ui.common.style import INK, READ_ONLY_BG, TILE_BG, TILE_FOCUS_BG, TRAINING_EDGE, TRAINING_QUIET


class BoardModel(QObject):
    """The summaries the board shows, from whatever source feeds it."""

    sig_changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.summaries: list[ChairSummary] = []

    def set_summaries(self, summaries: list[ChairSummary]) -> None:
        summaries = list(summaries)
        if summaries != self.summaries:
            self.summaries = summaries
            self.sig_changed.emit()


def local_summaries(app_model) -> list[ChairSummary]:
    """This workstation's chairs."""
    return [c.summary() for c in app_model.chairs]


def tile_style(s: ChairSummary, read_only: bool) -> str:
    """A tile's look: the alert's colour as its border; a training chair violet and dashed (never a real
    chair's look); a chair driven elsewhere grey (read-only here). Each also says so in words."""
    c = TRAINING_EDGE if s.training and not s.alert else s.colour()
    width = 6 if s.alert == "ringing" else 3
    line = "dashed" if s.training else "solid"
    bg = TRAINING_QUIET[0] if s.training else READ_ONLY_BG if read_only else TILE_BG
    return (f"#chairTile {{ border: {width}px {line} {c}; border-radius: 6px; background: {bg}; }}"
            f"#chairTile:focus {{ background: {TILE_FOCUS_BG}; }}"
            f"#tileNext {{ font-weight: bold; color: {INK}; }}")


class ChairTile(QFrame):
    """One chair on the board; Enter or a click opens it."""

    sig_open = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("chairTile")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.summary: ChairSummary | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 8, 10, 8)
        self.title = QLabel("")
        self.title.setObjectName("tileTitle")
        self.body = QLabel("")
        self.body.setWordWrap(True)
        self.next = QLabel("")
        self.next.setObjectName("tileNext")
        self.next.setWordWrap(True)
        for w in (self.title, self.body, self.next):
            lay.addWidget(w)
        lay.addStretch(1)
        self.setMinimumSize(220, 150)
        self.setMaximumWidth(420)

    def show_summary(self, s: ChairSummary) -> None:
        self.summary = s
        lines = s.lines()
        self.title.setText(lines[0])
        self.body.setText("\n".join(lines[1:4]) + f"\n{lines[5]}")
        self.next.setText("\n".join([lines[4]] + lines[6:]))
        self.setAccessibleName(" ".join(lines))
        read_only = "read-only here" in s.workstation
        self.setAccessibleDescription("A training chair (simulated patient). Enter opens it" if s.training else
                                      "Driven from another workstation: Enter opens it read-only" if read_only else
                                      "Enter opens this chair")
        self.setStyleSheet(tile_style(s, read_only))

    def keyPressEvent(self, event):
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space) and self.summary is not None:
            self.sig_open.emit(self.summary.key)
            return
        super().keyPressEvent(event)

    def mouseReleaseEvent(self, event):
        if self.summary is not None:
            self.sig_open.emit(self.summary.key)
        super().mouseReleaseEvent(event)


class OverviewBoard(QScrollArea):
    """The tiles in a grid that fits the width; the arrow keys move between them."""

    sig_open = Signal(object)  # a ChairSummary.key

    def __init__(self, board: BoardModel, help_text: str = "", parent=None):
        super().__init__(parent)
        self.setObjectName("overview")
        self.board = board
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget()
        outer = self.column = QVBoxLayout(inner)  # heading, tiles, help: a page may add lines under the heading
        top = QHBoxLayout()
        self.heading = QLabel("Overview: every chair")
        self.heading.setObjectName("chairHeader")
        top.addWidget(self.heading, 1)
        self.top = top
        outer.addLayout(top)
        self.grid = QGridLayout()
        self.grid.setSpacing(10)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        outer.addLayout(self.grid)
        self.help = QLabel(help_text)
        self.help.setWordWrap(True)
        self.help.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        outer.addWidget(self.help)
        outer.addStretch(1)
        self.setWidget(inner)
        self.tiles: list[ChairTile] = []
        self._cols = 0
        board.sig_changed.connect(self.refresh)
        self.refresh()

    def add_button(self, text: str, fn) -> QPushButton:
        b = QPushButton(text)
        b.clicked.connect(fn)
        self.top.addWidget(b)
        return b

    def columns(self) -> int:
        return max(1, (self.viewport().width() - 20) // 250)

    def refresh(self) -> None:
        sums = self.board.summaries
        count = len(self.tiles)
        while len(self.tiles) < len(sums):
            t = ChairTile()
            t.sig_open.connect(self.sig_open)
            self.tiles.append(t)
        while len(self.tiles) > len(sums):
            t = self.tiles.pop()
            t.setParent(None)
            t.deleteLater()
        for t, s in zip(self.tiles, sums):
            if t.summary != s:  # only the chairs that changed are redrawn (a style sheet costs)
                t.show_summary(s)
        self._place(force=len(self.tiles) != count)
        self.help.setVisible(not sums)

    def _place(self, force: bool = False) -> None:
        cols = self.columns()
        if cols == self._cols and not force:
            return
        self._cols = cols
        for i, t in enumerate(self.tiles):
            self.grid.addWidget(t, i // cols, i % cols)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._place()

    def focus_first(self) -> None:
        if self.tiles:
            self.tiles[0].setFocus()

    def keyPressEvent(self, event):  # arrows move between tiles (the tile passes them up)
        step = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1, Qt.Key.Key_Up: -self._cols,
                Qt.Key.Key_Down: self._cols}.get(event.key())
        cur = next((i for i, t in enumerate(self.tiles) if t.hasFocus()), None)
        if step is None or cur is None:
            super().keyPressEvent(event)
            return
        j = cur + step
        if 0 <= j < len(self.tiles):
            self.tiles[j].setFocus()
        event.accept()
