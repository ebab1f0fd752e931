"""The main window's menus and keyboard shortcuts, and the Help > Shortcuts table.

Shortcuts are window-wide QActions that act on the page in front, so the same key works
wherever the focus is, and Help > Shortcuts lists them from the actions themselves. Each action
is connected to a callable: a window method, or what to do with the chair in front
(`MainWindow.on_chair`), never a method looked up by its name.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QHeaderView, QLabel, QMenu, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from ui.window.main_window import MainWindow


def make_actions(win: MainWindow) -> dict[str, QAction]:
    """Every menu entry of `win` (a MainWindow), by object name."""
    actions: dict[str, QAction] = {}
    mb = win.menuBar()

    def act(menu: QMenu, name: str, text: str, keys: str | list[str] | None, fn: Callable[[], object],
            checkable: bool = False) -> QAction:
        a = QAction(text, win)
        a.setObjectName(name)
        if isinstance(keys, (list, tuple)):
            a.setShortcuts([QKeySequence(k) for k in keys])
        elif keys:
            a.setShortcut(QKeySequence(keys))
        a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        a.setCheckable(checkable)
        a.triggered.connect(fn)
        menu.addAction(a)
        win.addAction(a)
        actions[name] = a
        return a

    chair = win.on_chair
    f = mb.addMenu("&File")
    act(f, "new", "New infusion", "Ctrl+N", win.show_new_infusion)
    act(f, "training", "New training session", "Ctrl+T", win.show_training_setup)
    act(f, "signIn", "Sign in / switch nurse…", "Ctrl+I", lambda: win.open_sign_in())
    f.addSeparator()
    act(f, "exportPlan", "Export rate chart…", "Ctrl+E", lambda: win.exports.rate_chart())
    act(f, "exportRecord", "Export infusion record…", "Ctrl+Shift+E", lambda: win.exports.record())
    act(f, "exportDeidentified", "Export de-identified record (for teaching)…", None,
        lambda: win.exports.record(deidentified=True))
    f.addSeparator()
    act(f, "closeChair", "Close this chair (after the observation)", "Ctrl+W", win.close_chair)
    act(f, "quit", "Quit", "Ctrl+Q", win.close)

    c = mb.addMenu("&Infusion")
    act(c, "confirm", "Confirm / start / create", ["Ctrl+Return", "Ctrl+Enter"], win.confirm)
    act(c, "acknowledge", "Acknowledge this chair's alert (silence)", "F8", win.acknowledge)
    act(c, "override", "Override the proposal…", "Ctrl+Shift+O", chair(lambda v: v.pump.open_override()))
    c.addSeparator()
    act(c, "vitals", "Record vitals (go to the vitals panel)", "Ctrl+Shift+V", chair(lambda v: v.focus_vitals()))
    act(c, "symptoms", "Report symptoms (go to the symptoms panel)", "Ctrl+Shift+S",
        chair(lambda v: v.focus_symptoms()))
    act(c, "report", "Report the ticked symptoms", "Ctrl+Shift+Return", chair(lambda v: v.report_ticked()))
    act(c, "resolved", "Symptoms resolved", "Ctrl+R", chair(lambda v: v.resolved()))
    c.addSeparator()
    act(c, "pause", "Pause infusion…", "Ctrl+P", chair(lambda v: v.open_reason("pause")))
    act(c, "resume", "Resume infusion", "Ctrl+Shift+R", chair(lambda v: v.resume()))
    act(c, "stop", "Stop infusion…", "Ctrl+Shift+X", chair(lambda v: v.open_reason("stop")))
    act(c, "closeObservation", "Close observation", "Ctrl+Shift+C", chair(lambda v: v.close_observation()))

    t = mb.addMenu("&Training")
    act(t, "holdSim", "Pause / resume simulation (clock)", "Ctrl+Space", win.toggle_simulation)
    act(t, "takeVitals", "Take vitals (simulated patient)", "Ctrl+Shift+T", chair(lambda v: v.take_vitals()))
    act(t, "faster", "Simulation faster", "Ctrl+]", lambda: win.change_speed(+1))
    act(t, "slower", "Simulation slower", "Ctrl+[", lambda: win.change_speed(-1))
    act(t, "debrief", "Debrief", "Ctrl+Shift+D", win.debrief)

    v = mb.addMenu("&View")
    act(v, "large", "Large type", "Ctrl+L", win.toggle_large, checkable=True)
    act(v, "nextChair", "Next chair", "Ctrl+PgDown", lambda: win.step_chair(+1))
    act(v, "prevChair", "Previous chair", "Ctrl+PgUp", lambda: win.step_chair(-1))
    act(v, "home", "Overview", "Ctrl+0", win.show_home)
    act(v, "unit", "Unit: every chair of the unit", "Ctrl+U", win.show_unit)
    act(v, "qualityReport", "Quality report…", None, win.show_quality_report)

    h = mb.addMenu("&Help")
    act(h, "shortcuts", "Shortcuts", "F1", win.show_shortcuts)
    return actions


# what acts on the chair in front: off while that chair is read-only here (driven from elsewhere)
CHAIR_INTENTS = ("confirm", "override", "vitals", "symptoms", "report", "resolved", "pause", "resume", "stop",
                 "closeObservation", "takeVitals")


def enable_for_page(actions: dict[str, QAction], read_only: str) -> None:
    """The Infusion menu's entries off (never silently inert) while the chair in front is read-only
    here; `read_only` says why ("" turns them back on)."""
    for name in CHAIR_INTENTS:
        a = actions.get(name)
        if a is not None:
            a.setEnabled(not read_only)
            a.setStatusTip(f"Not here: {read_only}" if read_only else "")


def shortcut_rows(actions: dict[str, QAction]) -> list[tuple[str, str]]:
    rows = []
    for a in actions.values():
        keys = " or ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in a.shortcuts())
        if keys:
            rows.append((keys, a.text()))
    return rows


def shortcuts_dialog(parent: QWidget, rows: list[tuple[str, str]]) -> QDialog:
    """Not modal: it never blocks a running countdown."""
    d = QDialog(parent)
    d.setObjectName("shortcutsDialog")
    d.setWindowTitle("Keyboard shortcuts")
    lay = QVBoxLayout(d)
    table = QTableWidget(len(rows), 2)
    table.setHorizontalHeaderLabels(["Keys", "Action"])
    table.verticalHeader().setVisible(False)
    for r, (k, what) in enumerate(rows):
        table.setItem(r, 0, QTableWidgetItem(k))
        table.setItem(r, 1, QTableWidgetItem(what))
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    lay.addWidget(table)
    lay.addWidget(QLabel("In the vitals panel, Enter records the values. Esc closes this window."))
    d.resize(560, 600)
    d.setModal(False)
    d.show()
    return d
