"""The unit server in the window: a feed of chair summaries for the Unit board, and the banner
that says when the server is unreachable.

The feed listens (LISTEN/NOTIFY, titration.store.board) in a plain Python thread and hands the
summaries over through a queue; a QTimer on the GUI thread drains it and emits the signals.
No Qt signal is ever emitted from the worker thread (PySide6 >= 6.8 crashes on that, see
docs/peers-and-pitfalls.md), and the GUI never waits on the network.

Hook for the Overview board: `feed.sig_snapshot(list[dict])` gives every chair (first paint and
after a reconnect), `feed.sig_changed(list[dict])` the chairs that changed; each dict is one
chair's summary (chair, patient_id, product_name, rate_ml_h, step, steps, state, next_due,
next_due_wall, alerts, held_by, lease_expired, uid). `feed.sig_problem(str)` says when the
board cannot be refreshed ("" when it can again). A chair driven from another workstation is
shown read-only and live: `feed.watch(uid)`, then `feed.sig_session(uid, Session)` after each
change. A chair whose lease expired is taken over with `AppModel.take_over(uid, pump, reason)`.
"""
from __future__ import annotations

import queue
import sqlite3
import threading
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel

from titration.errors import TitrationError
from titration.words import count
from ui.common.net_call import NETWORK_ERRORS
from ui.common.style import TEXT_PAIRS

if TYPE_CHECKING:
    from ui.window.main_window import MainWindow

DRAIN_MS = 250
RETRY_S = 2.0


class UnitFeed(QObject):
    sig_snapshot = Signal(list)
    sig_changed = Signal(list)
    sig_problem = Signal(str)
    sig_session = Signal(str, object)  # (uid, Session): a watched chair as the server holds it now

    def __init__(self, url: str, parent=None, listener_factory=None, wall=time.time):
        super().__init__(parent)
        self.url = url
        self._factory = listener_factory
        self.wall = wall  # stamps when the server was heard (a test passes its own clock)
        self.heard_wall: float | None = None  # the server last answered then (the board's "not updated since")
        self.started_wall: float | None = None
        self._q: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._watched: set[str] = set()
        self._reload: set[str] = set()
        self._lock = threading.Lock()
        self.timer = QTimer(self)
        self.timer.setInterval(DRAIN_MS)
        self.timer.timeout.connect(self.drain)

    def start(self) -> None:
        if self.started_wall is None:
            self.started_wall = self.wall()
        if self._thread is None:
            self._thread = threading.Thread(target=self._listen, name="ivig-unit-board", daemon=True)
            self._thread.start()
        self.timer.start()

    def stop(self) -> None:
        self._stop.set()
        self.timer.stop()
        if self._thread is not None:
            self._thread.join(timeout=3)
            self._thread = None

    def watch(self, uid: str) -> None:
        """Follow one chair driven elsewhere: `sig_session` brings its infusion now and after each change."""
        with self._lock:
            self._watched.add(uid)
            self._reload.add(uid)

    def unwatch(self, uid: str) -> None:
        with self._lock:
            self._watched.discard(uid)

    def drain(self) -> None:
        """GUI thread: pass on what the listener found."""
        while True:
            try:
                kind, payload = self._q.get_nowait()
            except queue.Empty:
                return
            if kind == "session":
                self.sig_session.emit(*payload)
                continue
            if kind == "heard":
                self.heard_wall = payload
                continue
            {"snapshot": self.sig_snapshot, "changed": self.sig_changed, "problem": self.sig_problem}[kind].emit(
                payload)

    def _wall_of(self, monotonic_at: float) -> float:
        """A listener's monotonic stamp as this feed's wall time."""
        return self.wall() - (time.monotonic() - monotonic_at)

    def _listen(self) -> None:  # worker thread: no Qt here
        factory = self._factory
        if factory is None:
            from titration.store.board import UnitListener

            factory = UnitListener
        while not self._stop.is_set():
            listener = None
            try:
                listener = factory(self.url)
                self._q.put(("snapshot", listener.snapshot()))
                self._q.put(("heard", self.wall()))
                self._q.put(("problem", ""))
                heard = None
                while not self._stop.is_set():
                    changed = listener.changes(timeout=0.5)
                    # the listener's own stamp when it has one (it asks the server every few seconds)
                    answered = getattr(listener, "answered", None)
                    if answered != heard or answered is None:
                        heard = answered
                        self._q.put(("heard", self.wall() if answered is None else self._wall_of(answered)))
                    if changed:
                        self._q.put(("changed", changed))
                    with self._lock:
                        due = self._reload | {str(r.get("uid")) for r in changed} & self._watched
                        self._reload = set()
                    for uid in due:  # replayed here, in the worker: the GUI thread never waits on it
                        self._q.put(("session", (uid, listener.session(uid))))
            except NETWORK_ERRORS as exc:  # the server or the network: say it, try again
                self._q.put(("problem", f"The unit board cannot be refreshed: {exc}"))
                self._stop.wait(RETRY_S)
            except BaseException:
                self._q.put(("problem", "The unit board stopped: an internal error (see the line at the bottom)"))
                raise  # to the app's top-level handler
            finally:
                if listener is not None:
                    try:
                        listener.close()
                    except NETWORK_ERRORS:  # a dead connection
                        pass


LAPSE_S = 60.0  # silent this long: say that chairs driven here may soon be taken over elsewhere


def banner_text(status: dict, waiting: int, damaged: str = "") -> str:
    """What the banner says for the outbox's status ("" hides it): the real cause, in words."""
    lines = []
    if status.get("unreachable"):
        lines.append(f"Unit server not taking events ({status['unreachable']}): recording on this workstation "
                     f"({count(waiting, 'event')} waiting)")
        if status.get("silent_s", 0) > LAPSE_S:
            lines.append("After 90 s without the unit server another workstation may take over the chairs driven "
                         "here (after checking the pump at the bedside)")
    for why in status.get("refused", {}).values():
        lines.append(f"Not accepted by the unit server, kept on this workstation: {why}")
    for why in status.get("fenced", {}).values():
        lines.append(f"READ-ONLY here: {why}")
    for why in status.get("changed", {}).values():
        lines.append(f"Check the unit's record: {why}")
    for why in status.get("superseded", {}).values():
        lines.append(f"Kept on this workstation, never sent: {why}")
    if damaged:
        lines.append(damaged)
    return "\n".join(lines)


class OutboxBanner(QLabel):
    """Red line at the top while the unit server cannot take this workstation's events, and the
    chairs another workstation took over turned read-only (`on_fenced`, given the uids and why)."""

    def __init__(self, journal, parent=None, interval_ms: int = 1000, on_fenced=None):
        super().__init__("", parent)
        self.journal = journal
        self.on_fenced = on_fenced
        self.setObjectName("alarmLine")
        self.setWordWrap(True)
        fg, bg = TEXT_PAIRS["#alarmLine"]
        self.setStyleSheet(f"QLabel {{ background: {bg}; color: {fg}; font-weight: bold; padding: 4px; }}")
        self.hide()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()

    def refresh(self) -> None:
        ob = getattr(self.journal, "outbox", None)
        if ob is None:
            self.hide()
            return
        status = ob.status()
        try:
            waiting = self.journal.waiting()
        except (TitrationError, sqlite3.Error):  # the local journal's own errors are shown by its banner
            waiting = status.get("waiting", 0)
        damaged = ""
        if getattr(self.journal, "damaged", None):
            from titration.store.salvage import damaged_line

            damaged = damaged_line(self.journal.damaged)
        text = banner_text(status, waiting, damaged)
        self.setText(text)
        self.setToolTip(status.get("unreachable", ""))  # why, for whoever looks after the server
        self.setVisible(bool(text))
        if status.get("fenced") and self.on_fenced is not None:
            self.on_fenced(status["fenced"])


def attach_unit(win: MainWindow, journal) -> tuple[OutboxBanner | None, UnitFeed | None]:
    """Put the banner at the top of the window and start the feed; (banner, feed) or (None, None)."""
    if getattr(journal, "outbox", None) is None:
        return None, None
    banner = OutboxBanner(journal, win, on_fenced=win.unit.lock_fenced)
    win.add_banner(banner)
    feed = UnitFeed(journal.outbox.url, win)
    win.unit.set_feed(feed)  # the Unit board (ui.unit.view) follows the feed
    feed.start()
    library = LibraryFollow(win, journal.outbox.url)
    win.unit.set_library(library)
    library.start()
    return banner, feed


class LibraryFollow:
    """The unit's drug library, followed: a version activated on the server is fetched and verified
    in a worker thread (titration.store.library_sync) and applied here, on the GUI thread, for the
    next infusion."""

    def __init__(self, win, url: str):
        from titration.store.library_sync import LibraryWatch

        self.win = win
        self.watch = LibraryWatch(url)
        self.timer = QTimer(win)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.poll)

    def start(self) -> None:
        self.timer.start()
        self.watch.start()

    def poll(self) -> None:
        from titration.store.library_sync import apply

        decision = self.watch.poll()
        if decision is not None:
            now = apply(decision)
            self.win.show_notice(f"{now.line()}. It applies to the next infusion; running infusions keep the "
                                 "version they were planned with.")
            self.win.unit.refresh()  # its line says which version this workstation runs

    def stop(self) -> None:
        self.timer.stop()
        self.watch.stop()
