"""Calls that wait on the network (the unit server), run off the GUI thread.

A plain Python thread runs the call; its result (or its error) goes into a queue, and a QTimer on
the GUI thread drains the queue and calls back there. No Qt signal is ever emitted from the worker
thread (PySide6 >= 6.8 crashes on that), and the window never waits on the network: the same
pattern as the unit board's feed (ui/unit/server_feed.py).
"""
from __future__ import annotations

import queue
import threading

from PySide6.QtCore import QObject, QTimer

from titration.errors import TitrationError

DRAIN_MS = 50
# What a call to the unit server may fail with: the store's own errors (unreachable, a lease held...)
# and the network's. Anything else is a bug: it reaches the app's top-level handler (one line).
NETWORK_ERRORS = (TitrationError, OSError)


class CallFailed(RuntimeError):
    """What the caller hears when the call met a bug (the bug itself is said by the top-level handler)."""


class NetCall(QObject):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._q: queue.Queue = queue.Queue()
        self._running = 0
        self.timer = QTimer(self)
        self.timer.setInterval(DRAIN_MS)
        self.timer.timeout.connect(self.drain)

    @property
    def busy(self) -> bool:
        return self._running > 0

    def run(self, fn, done, failed) -> None:
        """fn() in a worker; then done(result) or failed(error) on the GUI thread."""
        self._running += 1

        def work() -> None:  # worker thread: no Qt here
            answered = False
            try:
                self._q.put((done, fn()))
                answered = True
            except NETWORK_ERRORS as exc:  # handed to the GUI thread, shown there as one line
                self._q.put((failed, exc))
                answered = True
            finally:
                if not answered:  # a bug: the caller still hears that the call ended
                    self._q.put((failed, CallFailed("an internal error; see the line at the bottom of the window")))

        threading.Thread(target=work, name="ivig-net-call", daemon=True).start()
        self.timer.start()

    def drain(self) -> None:
        """GUI thread: hand each finished call its answer."""
        while True:
            try:
                callback, payload = self._q.get_nowait()
            except queue.Empty:
                break
            self._running -= 1
            callback(payload)
        if not self._running:
            self.timer.stop()
