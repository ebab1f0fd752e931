"""The outbox: this workstation's local journal, sent to the unit server in order.

Every event is committed locally first (the nurse never waits on the network). A sender thread
passes each infusion's unsent events to the server in batches (pg_append.receive); the server
tells how many it holds and the outbox notes that. The server is the truth on what arrived: a
workstation killed between the server's commit and its own note resends, and the server drops
what it already has (event uids), so nothing is lost and nothing is doubled.

While the server cannot be reached, `unreachable` holds the reason and `waiting()` how many
events wait; the sender tries again with a growing pause (up to RETRY_MAX_S). Events the server
refuses (another workstation holds the chair) stay here, and `refused` says why.
"""
from __future__ import annotations

import os
import sqlite3
import threading
import time

from ..session import Session
from .base import JournalError, LeaseHeld, ServerUnreachable, scrub
from .unit import chair_summary

RETRY_MAX_S = 5.0
BEAT_S = 30.0


# Throttle between batches (seconds): for a link that must not be flooded, and for the tests
# that kill a workstation in the middle of a send.
_PAUSE_S = float(os.environ.get("IVIG_OUTBOX_PAUSE_S", "0") or 0)


def batch_size() -> int:
    try:
        return max(1, int(os.environ.get("IVIG_OUTBOX_BATCH", "500")))
    except ValueError:
        return 500


class Outbox:
    def __init__(self, local_path, url: str, workstation: str, nurse: str):
        self.local_path = local_path
        self.url = url
        self.label = scrub(url)
        self.workstation = workstation
        self.nurse = nurse
        self.unreachable = ""  # why the server cannot be reached now ("" when it can)
        self.refused: dict[str, str] = {}  # infusion uid -> why the server refuses its events
        self.sent_total = 0
        self._summaries: dict[str, dict] = {}
        self._watched: dict[str, tuple[Session, float | None, float]] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._idle = threading.Condition()
        self._passes = 0  # passes begun
        self._done = 0  # the number (1, 2, ...) of the last pass completed
        self._pending = -1
        self._stop = False
        self._beat = False
        self._thread: threading.Thread | None = None
        self._server = None
        self._reader = None

    # ------------------------------------------------------------------ the journal's side
    def watch(self, uid: str | None, session: Session, wall_start: float | None = None, speed: float = 1.0) -> None:
        if uid:
            with self._lock:
                self._watched[uid] = (session, wall_start, speed)

    def unwatch(self, uid: str | None) -> None:
        with self._lock:
            self._watched.pop(uid, None)

    def note(self, uid: str | None, session: Session, wall_start: float | None, speed: float) -> None:
        """The chair's board summary as of its last event (made here, in the driving thread)."""
        if uid:
            s = chair_summary(session, wall_start=wall_start, speed=speed)
            with self._lock:
                self._summaries[uid] = s

    def kick(self) -> None:
        self._wake.set()

    def heartbeat(self) -> None:
        self._beat = True
        self._wake.set()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="ivig-outbox", daemon=True)
            self._thread.start()

    def stop(self, flush_s: float = 0.0) -> None:
        if flush_s > 0:
            self.flush(flush_s)
        self._stop = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=max(1.0, flush_s))
        for c in (self._server, self._reader):
            if c is not None:
                try:
                    c.close()
                except Exception:  # noqa: BLE001 - closing a dead connection
                    pass
        self._server = self._reader = None

    def flush(self, timeout: float = 10.0) -> int:
        """Wait until a pass has sent everything (or timeout); the events still waiting."""
        if self._thread is None:
            self.send_now()
            return self._pending
        deadline = time.monotonic() + timeout
        with self._idle:
            first = self._passes + 1  # only a pass begun after this call has seen every event written before it
            self._wake.set()
            while time.monotonic() < deadline:
                if self._done >= first and self._pending == 0:
                    return 0
                if self._done > first and self._pending > 0 and (self.unreachable or self.refused):
                    break
                self._idle.wait(min(0.2, max(0.0, deadline - time.monotonic())))
                self._wake.set()
        return max(self._pending, 0)

    def status(self) -> dict:
        return {"server": self.label, "unreachable": self.unreachable, "waiting": max(self._pending, 0),
                "refused": dict(self.refused), "sent": self.sent_total}

    def reader(self):
        """A connection for reading the server (patient history, the board), made on demand."""
        from .pg_store import PgStore

        if self._reader is not None:
            try:
                self._reader.q("SELECT 1")
                return self._reader
            except JournalError:
                self._reader.close()
                self._reader = None
        self._reader = PgStore(self.url, readonly=True)
        return self._reader

    # ------------------------------------------------------------------ the sender
    def _run(self) -> None:
        pause = 0.2
        db = self._open_local()
        try:
            while not self._stop:
                ok = self._pass(db)
                pause = 0.2 if ok else min(RETRY_MAX_S, pause * 2)
                self._wake.wait(BEAT_S if ok and self._pending == 0 else pause)
                self._wake.clear()
        finally:
            db.close()

    def send_now(self) -> bool:
        """One pass in the calling thread (the `unit send` command, tests)."""
        db = self._open_local()
        try:
            return self._pass(db)
        finally:
            db.close()

    def _open_local(self) -> sqlite3.Connection:
        c = sqlite3.connect(self.local_path, timeout=10.0, isolation_level=None, check_same_thread=False)
        c.execute("PRAGMA synchronous=FULL")
        return c

    def _pass(self, db: sqlite3.Connection) -> bool:
        with self._idle:
            self._passes += 1
            number = self._passes
        try:
            if self._server is None:
                from .pg_store import PgStore

                self._server = PgStore(self.url)
            self._send_all(db)
            if self._beat:
                self._beat = False
                from .pg_append import heartbeat

                with self._lock:
                    uids = [u for u, (s, _, _) in self._watched.items() if s.status not in ("completed", "stopped",
                                                                                          "closed")]
                heartbeat(self._server, uids, self.workstation, time.time())
            self.unreachable = ""
            ok = True
        except Exception as exc:  # noqa: BLE001 - any failure: keep the events, say why, try again
            self.unreachable = _reason(exc, self.label)
            if self._server is not None:
                try:
                    self._server.close()
                except Exception:  # noqa: BLE001
                    pass
                self._server = None
            ok = False
        try:
            self._pending = _waiting(db)
        except sqlite3.Error:
            pass
        with self._idle:
            self._done = number
            self._idle.notify_all()
        return ok

    def _send_all(self, db: sqlite3.Connection) -> None:
        from .pg_append import receive

        rows = db.execute(
            "SELECT o.session_id, o.sent, (SELECT coalesce(max(seq) + 1, 0) FROM events e "
            "WHERE e.session_id = o.session_id) AS n, s.uid, s.chair, s.patient_id, s.training, s.wall_start, "
            "s.speed, s.product, s.workstation, s.nurse FROM outbox o JOIN sessions s ON s.id = o.session_id "
            "WHERE n > o.sent ORDER BY o.session_id").fetchall()
        size = batch_size()
        for sid, sent, n, uid, chair, pid, training, wall_start, speed, product, ws, nurse in rows:
            if uid in self.refused:
                continue
            sess = {"uid": uid, "chair": chair, "patient_id": pid, "training": bool(training),
                    "wall_start": wall_start, "speed": speed, "product": product, "workstation": ws or "",
                    "nurse": nurse or ""}
            while sent < n and not self._stop:
                evs = db.execute("SELECT seq, wall, body, workstation, nurse FROM events WHERE session_id=? AND "
                                 "seq >= ? ORDER BY seq LIMIT ?", (sid, sent, size)).fetchall()
                last_batch = evs[-1][0] + 1 >= n
                summary = self._summary(db, sid, uid, wall_start, speed) if last_batch else None
                try:
                    have, added = receive(self._server, sess, evs, summary, self.workstation, self.nurse)
                except LeaseHeld as exc:
                    self.refused[uid] = str(exc)
                    break
                self.sent_total += added
                sent = min(have, n)
                db.execute("UPDATE outbox SET sent=? WHERE session_id=?", (sent, sid))
                if _PAUSE_S:
                    time.sleep(_PAUSE_S)

    def _summary(self, db, sid: int, uid: str, wall_start: float, speed: float) -> dict:
        with self._lock:
            s = self._summaries.get(uid)
        if s is not None:
            return s
        import json

        try:
            session = Session.replay([json.loads(b) for (b,) in db.execute(
                "SELECT body FROM events WHERE session_id=? ORDER BY seq", (sid,))])
            return chair_summary(session, wall_start=wall_start, speed=speed)
        except Exception:  # noqa: BLE001 - the board says it cannot read this one; the events still go
            return {"state": "unreadable", "alerts": ["this infusion's record does not replay"]}


def _waiting(db: sqlite3.Connection) -> int:
    (n,) = db.execute("SELECT coalesce(sum((SELECT coalesce(max(seq) + 1, 0) FROM events e "
                      "WHERE e.session_id = o.session_id) - o.sent), 0) FROM outbox o").fetchone()
    return int(n)


def _reason(exc: Exception, label: str) -> str:
    if isinstance(exc, JournalError):
        return scrub(str(exc))
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return scrub(f"the unit server {label} stopped answering: {text}")


def waiting_in(db: sqlite3.Connection) -> int:
    """Events of this workstation's journal not yet on the server (for the banner)."""
    return _waiting(db)


__all__ = ["Outbox", "ServerUnreachable", "waiting_in"]
