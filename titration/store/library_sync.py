"""A workstation and the unit's drug library: at start, and whenever the unit activates another
version (LISTEN/NOTIFY on `ivig_library`), the active version is fetched, verified and kept
(library/cache.py); the process then plans with it. Without a server, or with a server that has
no active version, the bundled library is used, as before; with a server out of reach, the last
version verified here (the kept copy), else the bundled one, and the line says why.

`fetch` does the network and file work (any thread); `apply` switches what this process plans with
and must run where plans are made (the GUI thread): a running infusion keeps its version.
"""
from __future__ import annotations

import queue
import threading
from dataclasses import dataclass

from ..library import cache
from .base import JournalError, ServerUnreachable, is_url
from .library_server import LibraryRefused, LibraryServer

RETRY_S = 5.0


@dataclass(frozen=True)
class Decision:
    folder: str | None  # None: the bundled library
    source: str  # "unit server" | "kept copy" | "bundled"
    note: str = ""


def fetch(url: str) -> Decision:
    """What the workstation should plan with now, by asking the unit server (bounded in time)."""
    try:
        with LibraryServer(url) as srv:
            active = srv.active_number()
            if active is None:
                return Decision(None, "bundled", "the unit server has no active library version yet")
            version, digest = active
            try:
                folder = cache.kept(digest, version)  # kept here already, and still intact: not fetched again
                if folder is None:
                    full = srv.active(with_files=True)
                    if full is None or full.content_hash != digest:
                        return _fallback("the unit server's active version changed while it was read; asking again "
                                         "at the next change")
                    folder = cache.install(full.files, digest, version)
            except cache.Unverified as why:
                return _fallback(f"the unit server's version {version} was NOT used: {why}")
            except OSError as exc:
                return _fallback(f"the unit server's version {version} could not be kept here: {exc.strerror}")
            return Decision(folder, "unit server")
    except (ServerUnreachable, JournalError, LibraryRefused) as exc:
        return _fallback(f"the unit server could not be asked ({exc})")


def _fallback(why: str) -> Decision:
    kept = cache.last_good()
    if kept is not None:
        version, _digest, folder = kept
        return Decision(folder, "kept copy", why)
    return Decision(None, "bundled", why + "; no version of the unit's is kept here")


def apply(decision: Decision) -> cache.Running:
    """Plan with the decided library from now on (the next infusion); nothing changes for running ones."""
    now = cache.running()
    target = decision.folder
    if target is not None and now.folder == target and now.source == decision.source:
        return now
    return cache.use(target, decision.source, decision.note)


def at_start(journal) -> cache.Running:
    """The app's start: the unit server's active version when the journal is a server, else bundled."""
    url = getattr(journal, "url", None)
    if not url or not is_url(url):
        return cache.running()
    return apply(fetch(url))


class LibraryWatch:
    """Hears the unit server activate a version; `poll()` (GUI thread) hands over a Decision to apply."""

    def __init__(self, url: str):
        self.url = url
        self._q: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="ivig-library", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=3)

    def poll(self) -> Decision | None:
        """The newest decision since the last poll, if any (older ones are superseded)."""
        latest = None
        while True:
            try:
                latest = self._q.get_nowait()
            except queue.Empty:
                return latest

    def _run(self) -> None:  # worker thread: the network and files only, never the process's library
        from .pg_conn import connect, psycopg
        from .pg_library import CHANNEL

        first = True
        while not self._stop.is_set():
            conn = None
            try:
                conn = connect(self.url, autocommit=True)
                conn.execute(f"LISTEN {CHANNEL}")
                if not first:  # a reconnection: an activation may have been missed meanwhile
                    self._q.put(fetch(self.url))
                first = False
                while not self._stop.is_set():
                    heard = [n.payload for n in conn.notifies(timeout=1.0, stop_after=1)]
                    if any(p.startswith("active:") for p in heard):
                        self._q.put(fetch(self.url))
            except (ServerUnreachable, JournalError, psycopg().Error):
                self._stop.wait(RETRY_S)
            finally:
                if conn is not None:
                    try:
                        conn.close()
                    except psycopg().Error:
                        pass
