"""The outbox: this workstation's local journal, sent to the unit server in order, and the
server kept whole by it.

Every event is committed locally first (the nurse never waits on the network). A sender thread
passes each infusion's unconfirmed events to the server (station.Station, the server's own
functions), notes what the server confirms, and every BEAT_S renews the leases of the infusions
driven here. Its connection has a time limit on every call, so a silent network cut is a failed
call within seconds, never a wait for ever; `status()` says so once nothing has answered for
SILENT_S, even while a call is still waiting.

At each (re)connection the outbox compares what the server holds of every infusion recorded here
within the retention period (resources/unit.toml) with its own record: what a server restored
from a backup lost is sent again ("healed"), a record changed on the server is shown, and an
infusion another workstation took over meanwhile is marked so (read-only here).

One infusion the server refuses never holds up another: its events stay here and `refused`
(or `fenced`, when another workstation took it over) says why, in the nurse's words. Each event
is checked against this workstation's own hash chain before it leaves: one changed on this disk
is refused here, loudly, and named.

The sender never stops by itself: an answer it cannot read (a packet the network repeated or
damaged) drops the connection, says so, and the next pass connects again.
"""
from __future__ import annotations

import os
import sqlite3
import threading
import time

from ..session import Session
from . import heal
from . import outbox_db as odb
from .active import refuse
from .base import ENDED, JournalError, ServerUnreachable, scrub
from .pg_conn import OutOfStep
from .renewals import Renewals, clocks
from .server_reader import ServerReader
from .station import DuplicateStation, Fenced, Refused, Station, infusion_of, new_instance

RETRY_MAX_S = 2.0  # a refused connection costs nothing; one through a dead link, connect_timeout
BEAT_S = 3.0  # lease renewal and the liveness check
SILENT_S = 10.0  # no answer for this long: the red line, whatever a call is still waiting for
CHECK_WAIT_S = 2.0  # a new infusion waits at most this long for the sender's connection
IN_DOUBT = ("the unit server was restored from a backup that may lack a takeover of this chair: this workstation "
            "does not drive it until the workstation that took it over comes back, or a nurse takes it over again")
OUT_OF_STEP_TRIES = 4  # connections made again at once in one pass after answers out of step (repeated packets)

# Throttle between batches (seconds): for a link that must not be flooded, and for the tests
# that kill a workstation in the middle of a send.
_PAUSE_S = float(os.environ.get("IVIG_OUTBOX_PAUSE_S", "0") or 0)


def retention_s() -> float:
    from ..unit_settings import load_unit_settings

    return load_unit_settings().retention_days * 86400.0


class Outbox:
    def __init__(self, local_path, url: str, workstation: str, nurse: str, installation: str):
        self.local_path = local_path
        self.url = url
        self.label = scrub(url)
        self.workstation = workstation
        self.nurse = nurse
        self.installation = installation
        self.instance = new_instance()
        self.retention_s = retention_s()
        self.unreachable = ""  # why the server cannot take events now ("" when it can)
        self.refused: dict[str, str] = {}  # infusion uid -> why the server refuses its events now
        self.fenced: dict[str, str] = {}  # infusion uid -> taken over by another workstation (read-only here)
        self.changed: dict[str, str] = {}  # infusion uid -> the server's record differs from this one
        self.healed: dict[str, int] = {}  # infusion uid -> events a restored server lacked, sent again
        self.superseded: dict[str, str] = {}  # infusion uid -> events recorded here that a take-back left behind
        self.chairs: dict[str, str] = {}  # infusion uid -> chair, for the messages
        self.sent_total = 0
        self.last_ok: float | None = None  # time.monotonic() of the last answer from the server
        self._born = time.monotonic()
        self._watched: dict[str, Session] = {}
        self._lock = threading.Lock()  # the dict above
        self._conn_lock = threading.RLock()  # the station connection: the sender, a takeover
        self._wake = threading.Event()
        self._idle = threading.Condition()
        self._passes = 0  # passes begun
        self._done = 0  # the number (1, 2, ...) of the last pass completed
        self._pending = -1
        self._stop = False
        self._last_beat = 0.0
        self._thread: threading.Thread | None = None
        self._station: Station | None = None
        self._reader = ServerReader(url)
        self._renewed = Renewals()
        db = self._open_local()
        try:
            for _sid, uid, state, why, chair, _n in odb.kept(db):
                if state == odb.FENCED:
                    self.fenced[uid] = why
                self.chairs[uid] = chair
        finally:
            db.close()

    # ------------------------------------------------------------------ the journal's side
    def watch(self, uid: str | None, session: Session, *_ignored) -> None:
        if uid:
            with self._lock:
                self._watched[uid] = session

    def unwatch(self, uid: str | None) -> None:
        with self._lock:
            self._watched.pop(uid, None)

    def kick(self) -> None:
        self._wake.set()

    def heartbeat(self) -> None:
        self._last_beat = 0.0
        self._wake.set()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="ivig-outbox", daemon=True)
            self._thread.start()

    def stop(self, flush_s: float = 0.0) -> None:
        """Stop the sender within a bounded time: a call still waiting on the network is cut."""
        if flush_s > 0 and self._thread is not None:
            self.flush(flush_s)
        self._stop = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=1.0)
            if self._thread.is_alive():
                self._cut()
                self._thread.join(timeout=3.0)
        if self._thread is None or not self._thread.is_alive():  # never close a connection a call still uses
            self._drop()
        self._reader.close()

    def flush(self, timeout: float = 10.0) -> int:
        """Wait until a pass has sent everything (or timeout); the events still waiting, counted
        afresh in the local journal (never an old pass's figure)."""
        if self._thread is None:
            self.send_now()
        else:
            deadline = time.monotonic() + timeout
            with self._idle:
                first = self._passes + 1  # only a pass begun after this call has seen every event written before it
                self._wake.set()
                while time.monotonic() < deadline:
                    if self._done >= first and self._pending == 0:
                        return 0
                    if self._done >= first and self._pending > 0 and not self.problem() and not self._due():
                        break  # a pass has seen it all: what waits now waits for a person, not for time
                    if self._done > first and self._pending > 0 and self.problem():
                        break
                    self._idle.wait(min(0.2, max(0.0, deadline - time.monotonic())))
                    self._wake.set()
        return self.waiting()

    def _due(self) -> int:
        """Events that wait for time (the next pass), not for a person (refused by the server; records
        taken over elsewhere are not sent at all)."""
        db = self._open_local()
        try:
            return sum(row[2] - row[1] for row in odb.to_send(db) if row[4] not in self.refused)
        finally:
            db.close()

    def waiting(self) -> int:
        db = self._open_local()
        try:
            return odb.waiting(db, self.retention_s)
        finally:
            db.close()

    def silent_s(self) -> float:
        """Seconds since the server last answered (since the start, if it never has)."""
        return time.monotonic() - (self.last_ok if self.last_ok is not None else self._born)

    def problem(self) -> str:
        """Why events cannot go now, as one line ("" when they can)."""
        if self.unreachable:
            return self.unreachable
        if self._thread is not None and self.silent_s() > SILENT_S:
            return f"no answer from the unit server for {self.silent_s():.0f} s"
        return ""

    def status(self) -> dict:
        return {"server": self.label, "unreachable": self.problem(), "waiting": max(self._pending, 0),
                "refused": dict(self.refused), "fenced": dict(self.fenced), "changed": dict(self.changed),
                "superseded": dict(self.superseded),
                "healed": dict(self.healed), "chairs": dict(self.chairs), "sent": self.sent_total,
                "silent_s": round(self.silent_s(), 1)}

    def reader(self):
        """A connection for reading the server (a watched chair), made on demand; one thread at a time."""
        return self._reader.get()

    def take(self, uid: str) -> dict:
        """Take over an infusion on the server (its lease expired), through this workstation's connection."""
        with self._conn_lock:
            try:
                return self._connected().take(uid)
            except ServerUnreachable:
                self._drop()
                raise

    def check_active(self, chair: str, patient_id: str | None, training: bool, uid: str | None = None) -> bool:
        """Ask the unit server whether the patient or the chair already has an active infusion
        elsewhere: AlreadyActive if so. True when the server answered; False when it could not be
        asked now (unreachable, or the sender busy on a slow link): the server still refuses the
        second infusion when its events arrive, and the red line says so."""
        if self.problem() or not self._conn_lock.acquire(timeout=CHECK_WAIT_S):
            return False
        try:
            st = self._connected()
            found = st.active(uid, chair, patient_id, training)
        except ServerUnreachable:
            self._drop()
            return False
        except (DuplicateStation, Refused):
            return False
        finally:
            self._conn_lock.release()
        self.last_ok = time.monotonic()
        refuse(found, chair, patient_id, training, uid)
        return True

    # ------------------------------------------------------------------ the sender
    def _run(self) -> None:
        pause = 0.2
        db = self._open_local()
        try:
            while not self._stop:
                try:
                    ok = self._pass(db)
                except (ValueError, TypeError, LookupError, AttributeError) as exc:
                    # an answer this side could not make sense of: said, the connection made again, go on
                    self.unreachable = (f"the unit server's answer could not be read ({type(exc).__name__}: {exc}); "
                                        "connecting again")
                    self._drop()
                    ok = False
                pause = 0.2 if ok else min(RETRY_MAX_S, pause * 2)
                self._wake.wait(BEAT_S if ok else pause)
                self._wake.clear()
        except BaseException as exc:  # anything else must not silence the red line: say it
            self.unreachable = f"the sender of this workstation stopped ({type(exc).__name__}: {exc})"
            raise
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

    def _connected(self) -> Station:
        if self._station is None:
            self._station = Station(self.url, self.installation, self.instance, self.workstation)
            self.last_ok = time.monotonic()
            self._heal(self._station)
        return self._station

    def _drop(self) -> None:
        st, self._station = self._station, None
        if st is not None:
            st.close()

    def _cut(self) -> None:
        from .pg_conn import cut

        st = self._station
        if st is not None and st.conn is not None:
            cut(st.conn)

    def _pass(self, db: sqlite3.Connection) -> bool:
        with self._idle:
            self._passes += 1
            number = self._passes
        ok = False
        try:
            for attempt in range(OUT_OF_STEP_TRIES):
                try:
                    with self._conn_lock:
                        st = self._connected()
                        self._send_all(db, st)
                        if time.monotonic() - self._last_beat >= BEAT_S:
                            self._beat(db, st)
                    break
                except OutOfStep:  # a fresh connection is clean: at once, not after the back-off
                    self._drop()
                    if attempt + 1 == OUT_OF_STEP_TRIES:
                        raise
            self.unreachable = ""
            ok = True
        except JournalError as exc:  # unreachable, a duplicate station, or the connection itself refused
            self.unreachable = scrub(str(exc))
            self._drop()
        except sqlite3.Error as exc:
            self.unreachable = f"this workstation's outbox {self.local_path} cannot be read: {exc}"
        try:
            self._pending = odb.waiting(db, self.retention_s)
            self.superseded = {uid: why for _sid, uid, state, why, _chair, n in odb.kept(db)
                               if state == odb.SUPERSEDED and n > 0}
        except sqlite3.Error:
            pass
        with self._idle:
            self._done = number
            self._idle.notify_all()
        return ok

    def _send_all(self, db: sqlite3.Connection, st: Station) -> None:
        size = odb.batch_size()
        for row in odb.to_send(db):
            if self._stop:
                return
            sid, sent, n, epoch, uid, chair = row[:6]
            self.chairs[uid] = chair
            try:
                sess, meta = infusion_of(row)
                while sent < n and not self._stop:
                    evs, damaged = odb.batch(db, sid, sent, size, meta)
                    if evs:
                        began = clocks()
                        have, added, epoch, last_hash = st.append(sess, evs, epoch)
                        self._renewed.note(uid, epoch, began)
                        self.last_ok = time.monotonic()
                        self.sent_total += added
                        sent = min(have, n)
                        odb.confirmed(db, sid, sent, epoch, last_hash)
                    if damaged:  # the good ones before it went; this one waits, named on the red line
                        raise Refused(damaged)
                    if not evs:
                        break
                    if _PAUSE_S:
                        time.sleep(_PAUSE_S)
            except Fenced as exc:
                self._fence(db, sid, uid, str(exc))
                continue
            except Refused as exc:  # this infusion waits, kept and shown; the next one goes on
                self.refused[uid] = f"chair {chair}: {exc}"
                continue
            self.refused.pop(uid, None)

    def _beat(self, db: sqlite3.Connection, st: Station) -> None:
        with self._lock:
            uids = [u for u, s in self._watched.items() if s.status not in ENDED]
        mine = odb.held(db, uids)
        began = clocks()
        for uid, is_held, holder, epoch, _since in st.beat(mine):
            if is_held:
                self._renewed.note(uid, epoch, began)
                if self.refused.get(uid, "").endswith(IN_DOUBT):
                    self.refused.pop(uid, None)
            elif is_held is None:  # in doubt after a restore (its own, or its claim compared): said until it is not
                self.refused.setdefault(uid, f"chair {self.chairs.get(uid, '?')}: {IN_DOUBT}")
            else:
                sid = odb.newest_local(db, uid)
                if sid is not None:
                    self._fence(db, sid, uid, f"chair {self.chairs.get(uid, '?')} is now driven from workstation "
                                              f"{holder} (taken over): read-only here; what this workstation "
                                              "recorded after that is kept here, not sent")
        self._last_beat = self.last_ok = time.monotonic()

    def _fence(self, db: sqlite3.Connection, sid: int, uid: str, why: str) -> None:
        odb.mark(db, sid, odb.FENCED, why)
        self.fenced[uid] = why
        self.refused.pop(uid, None)

    def _heal(self, st: Station) -> None:
        """Compare the server's record of each recent infusion with this one (heal.py), send again
        what a restore lost, then vouch for the leases renewed moments ago (renewals.py)."""
        db = self._open_local()
        try:
            found, chairs = heal.compare(db, st, self.retention_s)
            self.chairs.update(chairs)
            for f in found:
                if f.kind == "fenced":
                    self._fence(db, f.sid, f.uid, f.text)
                elif f.kind == "changed":
                    self.changed[f.uid] = f.text
                else:
                    self._healed(db, f.uid, heal.resend(db, st, f, self._answered))
            fresh = self._renewed.to_vouch()  # leases renewed moments ago: nobody can have taken them over
            if fresh:
                st.vouch(fresh)
            self.last_ok = time.monotonic()
        finally:
            db.close()


    def _answered(self) -> None:
        self.last_ok = time.monotonic()

    def _healed(self, db: sqlite3.Connection, uid: str, r: heal.Resent) -> None:
        if r.kind == "fenced":
            self._fence(db, r.sid, uid, r.text)
        elif r.kind == "refused":
            self.refused[uid] = r.text
        else:
            self.healed[uid] = self.healed.get(uid, 0) + r.events


def waiting_in(db: sqlite3.Connection) -> int:
    """Events of this workstation's journal not yet on the server (for the banner)."""
    return odb.waiting(db, retention_s())


__all__ = ["Outbox", "ServerUnreachable", "waiting_in"]
