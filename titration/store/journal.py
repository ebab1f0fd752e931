"""The journal: every event of every infusion, committed before anyone sees it.

`Journal(db)` takes a file path (the embedded SQLite journal, the default) or a
`postgresql://` URL (the unit server). Either way each event is first committed to a local
SQLite file (synchronous=FULL), so a chair never waits on the network: when `Session._append`
calls our listener, the event is on disk before the call returns, and so before the screen (a
later listener) shows it. With a URL, that local file is the outbox: a sender thread passes its
events to the server in order (see outbox.py) and the nurse sees "Unit server unreachable ..."
while it cannot.

Errors never lose a record silently (sqlite_store.py). A full disk raises `JournalFull` from the
session listener; the exception propagates out of the session intent (`confirm`, `pause`, ...),
which the UI shows in a red banner. The event is already in the session in memory, and the
journal keeps track of what it has written: the next event of that session (or `retry()`) writes
every unwritten event first, in order.

Training sessions are journaled too, marked, and kept out of patient history.
The wall clock is injected (`now=`) so the core itself never reads the time.
"""
from __future__ import annotations

import os
import time
import uuid
from pathlib import Path
from typing import Callable

from ..session import Session
from .active import check_real_chair_name, refuse
from .base import (
    ENDED,
    SET_ASIDE,
    AlreadyActive,
    JournalError,
    LeaseLost,
    Recovered,
    _set_aside,
    by,
    canonical,
    check_name,
    connection_problem,
    default_db,
    identity,
    is_url,
    local_default,
    nurse_name,
    workstation_name,
)
from .sqlite_store import SqliteStore, insert_events


def open_reader(db, *, now: Callable[[], float] = time.time, checked: bool = False):
    """A read-only store for listing and verifying: the SQLite file, or the unit server. `checked`: this run
    has already opened the file and checked it is intact (a worker process of the report)."""
    if is_url(db):
        from .pg_store import PgStore

        return PgStore(db, readonly=True)
    return SqliteStore(db, now=now, readonly=True, checked=checked)


class Journal:
    def __init__(self, db=None, *, now: Callable[[], float] = time.time, readonly: bool = False,
                 outbox: str | os.PathLike | None = None, workstation: str | None = None,
                 nurse: str | None = None, start_sender: bool = True):
        if db is not None and not str(db).strip():
            raise JournalError("no journal given (an empty name): give a file or a postgresql:// URL")
        db = default_db() if db is None else db
        self.url = db.strip() if is_url(db) else None
        problem = connection_problem(self.url) if self.url else ""
        if problem:  # before anything is made on this workstation; no value of the string is shown
            raise JournalError(problem)
        self.failing = ""  # the last write error, until a write succeeds again
        self.readonly = readonly
        self.workstation = workstation or workstation_name()
        self.nurse = nurse or nurse_name()
        self._now = now
        self._attached: dict[int, tuple[Session, Callable]] = {}  # session id -> (session, listener)
        self._stored: dict[int, int] = {}  # session id -> events written
        self._meta: dict[int, dict] = {}  # session id -> the identity that is hashed
        self._uids: dict[int, str] = {}
        self._recovered: dict[int, tuple[int, Session]] = {}  # id(Session) -> (session id, session)
        self.outbox = None
        self.damaged: list[Path] = []  # damaged outboxes set aside, not yet salvaged (loud until they are)
        self.history_note = ""  # where the last patient history was read from, when not the unit server
        check_name("the workstation name", self.workstation)
        check_name("the nurse's name", self.nurse)
        if readonly:
            self.store = open_reader(db, now=now)
            self.local = None
        else:
            path = Path(outbox or os.environ.get("IVIG_OUTBOX") or local_default()) if self.url else Path(db)
            self.local = self.store = SqliteStore(path, now=now, own=bool(self.url))
            if self.url:
                from .outbox import Outbox
                from .outbox_db import DamagedId, installation_id
                from .salvage import adopt_identity, unsalvaged

                try:
                    if self.local.aside is not None:  # damaged just now: keep this workstation's identity
                        adopt_identity(self.local, self.local.aside)
                    try:
                        self.installation = installation_id(self.local.conn(), self.local.path)
                    except DamagedId as why:  # set aside like any damaged outbox: loud until salvaged
                        self.local.replace_damaged(str(why))
                        self.installation = installation_id(self.local.conn(), self.local.path)
                    self.damaged = unsalvaged(self.local.path)
                    self.outbox = Outbox(self.local.path, self.url, self.workstation, self.nurse, self.installation)
                except BaseException:
                    self.local.close()
                    raise
                if start_sender:
                    self.outbox.start()
        self.notice = self.store.notice
        if self.damaged:
            from .salvage import damaged_line

            self.notice = (self.notice + " " if self.notice else "") + damaged_line(self.damaged)

    @property
    def path(self):
        """The file written first (the outbox, with a server), or the server read (its URL, scrubbed)."""
        return self.store.path if self.local is None else self.local.path

    @property
    def _db(self):
        return self.local.db if self.local is not None else None

    # ------------------------------------------------------------------ writing
    def _tx(self, fn, doing: str):
        if self.local is None:
            raise JournalError("this journal was opened read-only")
        try:
            out = self.local.tx(fn, doing)
        except AlreadyActive:  # a refusal, not a failing journal
            raise
        except JournalError as err:
            self.failing = str(err)
            raise
        self.failing = ""
        if self.outbox is not None:
            self.outbox.kick()
        return out

    def _insert(self, c, sid: int, session: Session, start: int) -> int:
        try:
            bodies = [e.to_dict() for e in session.events[start:]]
        except (TypeError, ValueError) as exc:
            import sqlite3

            raise sqlite3.DataError(f"an event cannot be stored: {exc}") from None
        return insert_events(c, sid, self._meta[sid], by(self.workstation, self.nurse), bodies, start, self._now,
                             session.status)

    def attach(self, session: Session, *, chair: str, patient_id: str | None, training: bool,
               wall_start: float, speed: float = 1.0, session_id: int | None = None,
               uid: str | None = None) -> int:
        """Record the session's events so far and every later one, synchronously. Returns its id.

        A session that came from `unfinished()` (and `recovery.recover`) continues its own record:
        only the events added since are written, under the same id. Our listener goes first in
        `session.listeners`, so a later listener (the screen) hears of an event only once it is
        on disk; if writing fails, the intent raises JournalError and the screen is not told.
        """
        for sid, (s, _) in self._attached.items():
            if s is session:
                return sid
        if session_id is None and id(session) in self._recovered:
            rid, rs = self._recovered[id(session)]
            session_id = rid if rs is session else None
        if session_id is not None:
            return self._continue(session_id, session)
        check_name("the chair's name", chair)
        check_name("the patient identifier", patient_id, empty_ok=True)
        training = bool(training or session.training)
        check_real_chair_name(chair, training)
        if self.outbox is not None and session.status not in ENDED:  # the unit's other workstations
            self.outbox.check_active(chair, patient_id, training, uid)
        created = float(self._now())
        taken_over = uid is not None
        uid = uid or uuid.uuid4().hex

        def write(c):
            if not taken_over and session.status not in ENDED:  # this journal's own, in this transaction
                refuse(self.local.active(c), chair, patient_id, training, uid)
            cur = c.execute("INSERT INTO sessions(chair, patient_id, training, wall_start, created_wall, speed, "
                            "product, uid, workstation, nurse) VALUES (?,?,?,?,?,?,?,?,?,?)",
                            (chair, patient_id, int(training), float(wall_start), created, float(speed),
                             session.original_plan.request.product, uid, self.workstation, self.nurse))
            sid = cur.lastrowid
            self._meta[sid] = identity(sid, chair, patient_id, training, wall_start, uid, speed)
            try:
                self._insert(c, sid, session, 0)
            except BaseException:
                del self._meta[sid]
                raise
            if self.outbox is not None:
                c.execute("INSERT INTO outbox(session_id, sent) VALUES (?, 0)", (sid,))
            return sid

        sid = self._tx(write, "starting the record of a new infusion")
        self._uids[sid] = uid
        self._stored[sid] = len(session.events)
        self._subscribe(sid, session)
        return sid

    def _continue(self, sid: int, session: Session) -> int:
        row = self.local.conn().execute("SELECT chair, patient_id, training, wall_start, uid, speed FROM sessions "
                                        "WHERE id=?", (sid,)).fetchone()
        if row is None:
            raise JournalError(f"there is no session {sid} in the journal {self.path}")
        stored = self.events(sid)
        import json

        mine = [json.loads(canonical(e.to_dict())) for e in session.events[:len(stored)]]
        if mine != stored:
            raise JournalError(f"session {sid} in the journal does not match this infusion's events; not continued")
        self._meta[sid] = identity(sid, row[0], row[1], bool(row[2]), row[3], row[4], row[5])
        self._uids[sid] = row[4]
        self._stored[sid] = len(stored)
        self._subscribe(sid, session)
        self._write(sid)
        return sid

    def _subscribe(self, sid: int, session: Session) -> None:
        def listener(_event) -> None:
            self._write(sid)

        session.listeners.insert(0, listener)
        self._attached[sid] = (session, listener)
        if self.outbox is not None:
            self.outbox.watch(self._uids.get(sid), session)

    def _write(self, sid: int) -> None:
        session, _ = self._attached[sid]
        start = self._stored[sid]
        if start >= len(session.events):
            return
        why = self.fenced(sid)
        if why:
            raise LeaseLost(f"NOT RECORDED: {why}")
        last = session.events[-1]
        n = self._tx(lambda c: self._insert(c, sid, session, start),
                     f"recording '{last.kind}' at {last.at_min:.1f} min")
        self._stored[sid] = start + n

    def unwritten(self) -> int:
        """Events held in memory that the journal has not written yet (after a failed write)."""
        return sum(len(s.events) - self._stored[sid] for sid, (s, _) in self._attached.items())

    def retry(self) -> None:
        """Write whatever a failed write left behind; raises again if it still cannot."""
        for sid in list(self._attached):
            self._write(sid)

    def alive(self, wall: float | None = None) -> None:
        """Heartbeat for the running infusions (call every half minute or so): after a crash,
        recovery can then say how long the app was really away; on the unit server it renews
        this workstation's hold on its chairs."""
        ids = [sid for sid, (s, _) in self._attached.items() if s.status not in ENDED]
        if self.outbox is not None:
            self.outbox.heartbeat()
        if not ids:
            return
        w = float(self._now() if wall is None else wall)
        self._tx(lambda c: c.executemany("UPDATE sessions SET alive_wall=? WHERE id=?", [(w, i) for i in ids]),
                 "noting that the app is running")

    def set_aside(self, session: Session, reason: str, at_min: float | None = None, who: str = "nurse") -> None:
        """Close the record of an infusion that was never started (the patient went home), so it
        is not reopened at every start. The reason is recorded as a note, in the hash chain."""
        if session.status != "planned":
            raise JournalError("only an infusion that has not started can be set aside; stop it instead")
        if not reason.strip():
            raise JournalError("setting an infusion aside needs a reason")
        at = session.events[-1].at_min if at_min is None else max(at_min, session.events[-1].at_min)
        session.note(at, f"{SET_ASIDE} {reason.strip()}", who=who)  # written by our listener
        for sid, (s, _) in self._attached.items():
            if s is session:
                self._tx(lambda c, sid=sid: c.execute("UPDATE sessions SET status='set-aside' WHERE id=?", (sid,)),
                         "setting an infusion aside")

    def detach(self, session: Session) -> None:
        for sid, (s, fn) in list(self._attached.items()):
            if s is session:
                if fn in s.listeners:
                    s.listeners.remove(fn)
                del self._attached[sid]
                if self.outbox is not None:
                    self.outbox.unwatch(self._uids.get(sid))

    def waiting(self) -> int:
        """Events recorded here that the unit server does not have yet (0 without a server)."""
        if self.outbox is None or self.local is None:
            return 0
        from .outbox_db import waiting

        return waiting(self.local.conn(), self.outbox.retention_s)

    def not_driven_here(self) -> set[int]:
        """Local records this workstation no longer drives (taken over elsewhere, or superseded)."""
        if self.outbox is None:
            return set()
        from .outbox_db import kept

        return {row[0] for row in kept(self.local.conn())}

    def fenced(self, sid: int) -> str:
        """Why this workstation may no longer record the infusion (taken over elsewhere), or ""."""
        if self.outbox is None:
            return ""
        return self.outbox.fenced.get(self._uids.get(sid), "")

    def flush(self, timeout: float = 10.0) -> int:
        """Wait (up to timeout) for the outbox to reach the server; events still waiting."""
        return 0 if self.outbox is None else self.outbox.flush(timeout)

    def close(self, flush_s: float = 0.0) -> None:
        for s, _ in list(self._attached.values()):
            self.detach(s)
        if self.outbox is not None:
            self.outbox.stop(flush_s)
        self.store.close()

    def __enter__(self) -> "Journal":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ reading
    def sessions(self, training: bool | None = None, patient_id: str | None = None, states: bool = True) -> list[dict]:
        return self.store.sessions(training=training, patient_id=patient_id, states=states)

    def events(self, session_id: int) -> list[dict]:
        return self.store.events(session_id)

    def active(self) -> list:
        """This journal's active infusions (store/active.py); History.running_now asks the unit server."""
        return self.store.active()

    def running_for(self, patient_id: str) -> list:
        return self.store.running_for(patient_id)

    def session(self, session_id: int) -> Session:
        """The infusion rebuilt from its events (SessionError if they do not replay), with the reaction
        policy and symptom catalogue of the library version it was planned with when that version
        is kept here (library/cache.py): an infusion keeps its version, after a crash too."""
        from ..library.cache import replay_rules

        events = self.events(session_id)
        return Session.replay(events, **replay_rules(events))

    def verify(self) -> list[str]:
        return self.store.verify()

    def unfinished(self) -> list[Recovered]:
        """Infusions not completed, stopped or closed, rebuilt from their events, oldest first."""
        out = []
        for d in self.sessions():
            if d["status"] in ENDED or d["status"] == "set-aside":
                continue
            try:
                s = self.session(d["id"])
            except Exception as exc:  # noqa: BLE001 - one unreadable record must not hide the others
                line = f"Session {d['id']} (chair {d['chair']}) could not be rebuilt from the journal: {exc}"
                self.notice = (self.notice + " " if self.notice else "") + line
                continue
            if s.status in ENDED or _set_aside(s):
                continue
            out.append(Recovered(d["id"], s, d["chair"], d["patient_id"], d["training"], d["wall_start"],
                                 d["last_wall"], d["speed"] or 1.0, d["alive_wall"], d.get("uid")))
        if self.outbox is not None:  # taken over by another workstation: known here, no network asked
            from .outbox_db import kept

            gone = {row[0]: row for row in kept(self.local.conn())}  # see not_driven_here
            for r in [r for r in out if r.id in gone]:
                out.remove(r)
                _sid, _uid, state, why, _chair, _n = gone[r.id]
                if state == "fenced":
                    line = (f"Chair {r.chair} is not reopened here: {why}. This workstation's record of it is "
                            "kept.")
                    self.notice = (self.notice + " " if self.notice else "") + line
        for r in out:
            self._recovered[id(r.session)] = (r.id, r.session)
        return out

