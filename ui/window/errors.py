"""The desktop app's one top-level error handler.

An unexpected error (a bug) anywhere, in a button's handler, a timer or a worker thread, becomes
one line on the screen and on stderr, never a traceback, and the window stays usable. The line
is also journaled, once, as a note in the record of the chair in front (what the nurse was
doing when it happened). Every other handler in ui/ catches only the errors it means.
IVIG_DEBUG=1 prints Python's own report as well.
"""
from __future__ import annotations

import os
import queue
import sys
import threading
import traceback
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

if TYPE_CHECKING:
    from ui.window.main_window import MainWindow

DRAIN_MS = 200  # how soon a worker thread's error reaches the screen


def one_line(kind: type[BaseException], exc: BaseException) -> str:
    return f"internal error: {kind.__name__}: {exc} (set IVIG_DEBUG=1 for details)"


class TopLevelErrors(QObject):
    """sys.excepthook (what Qt's event loop calls for an error in a slot) and threading.excepthook."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.win: MainWindow | None = None  # set once the window exists
        self.lines: list[str] = []  # every line said, in order
        self._journaled: set[tuple[int, str]] = set()  # (chair, line): a repeating error is journaled once
        self._from_threads: queue.Queue[str] = queue.Queue()  # a worker thread never touches Qt
        self.timer = QTimer(self)
        self.timer.setInterval(DRAIN_MS)
        self.timer.timeout.connect(self._drain)

    def install(self) -> None:
        sys.excepthook = self.on_error
        threading.excepthook = self.on_thread_error
        self.timer.start()

    def on_error(self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        line = one_line(kind, exc)
        self._debug(kind, exc, tb)
        print(line, file=sys.stderr)
        self.say(line)

    def on_thread_error(self, args: threading.ExceptHookArgs) -> None:  # the worker's thread: no Qt here
        if args.exc_type is SystemExit:
            return
        line = one_line(args.exc_type, args.exc_value or args.exc_type())
        self._debug(args.exc_type, args.exc_value, args.exc_traceback)
        print(line, file=sys.stderr)
        self._from_threads.put(line)

    def say(self, line: str) -> None:
        """The line in the status bar and on the chair in front, and once in that chair's record."""
        self.lines.append(line)
        win = self.win
        if win is None:
            return
        try:
            win.statusBar().showMessage(line, 30000)
            view = win.current_view()
            if view is not None:
                chair = view.chair
                if (id(chair), line) not in self._journaled:
                    self._journaled.add((id(chair), line))
                    chair.note(f"The app met an {line}; it went on.")  # refused on a closed or read-only chair
                view.show_error(line)
        except Exception:  # noqa: BLE001 - the one top-level handler: saying an error must never raise another
            pass

    def _drain(self) -> None:
        while True:
            try:
                line = self._from_threads.get_nowait()
            except queue.Empty:
                return
            self.say(line)

    @staticmethod
    def _debug(kind: type[BaseException], exc: BaseException | None, tb: TracebackType | None) -> None:
        if os.environ.get("IVIG_DEBUG"):
            traceback.print_exception(kind, exc, tb)
