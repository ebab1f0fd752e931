"""The journal: every event of every infusion, committed to SQLite before anyone sees it.

One file (stdlib sqlite3), WAL mode with synchronous=FULL: when `Session._append` calls our
listener, the event is on disk before the call returns, and so before the screen (a later
listener) shows it. The file and its -wal/-shm companions are mode 0600.

Trust: each event row stores SHA-256(previous row's hash + canonical JSON of the event, its
session's identity, its sequence number and the wall time it was written). `verify()` walks the
chain: an edited row no longer matches its hash, a deleted row breaks the link of the next one,
and a row removed from the end no longer matches the recorded chain head. This makes edits by
hand evident; it cannot stop someone who recomputes the whole chain (that needs a signing key).

Errors never lose a record silently:
- a file that is not a readable journal is never overwritten: it is renamed aside with a time
  stamp (`journal.sqlite3.corrupt-YYYYmmdd-HHMMSS`) and a new journal started; `notice` says so;
- a journal open in another copy of the app raises `JournalLocked`;
- a folder or file we cannot write raises `JournalError` naming it;
- a full disk raises `JournalFull` from the session listener. How the UI shows it: the
  exception propagates out of the session intent (`confirm`, `pause`, ...), which the UI calls
  inside `try: ... except JournalError as e:` and then shows `str(e)` in a red, blocking
  banner ("NOT RECORDED ..."). The event is already in the session in memory, and the journal
  keeps track of what it has written: the next event of that session (or `retry()`) writes
  every unwritten event first, in order, so nothing is dropped once space is freed.

Training sessions are journaled too, marked in a column, and kept out of patient history.
The wall clock is injected (`now=`) so the core itself never reads the time.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

from ..errors import TitrationError
from ..session import Session

APP_ID = 0x49564947  # "IVIG" in PRAGMA application_id: our journal, not any SQLite file
GENESIS = "0" * 64
ENDED = ("completed", "stopped", "closed")
SET_ASIDE = "Set aside, never started:"  # a note that closes an infusion that was not started
BUSY_TIMEOUT_S = 2.0


class JournalError(TitrationError):
    """The journal cannot be opened or written; the message says what to do."""


class JournalLocked(JournalError):
    """Another copy of the app has this journal open."""


class JournalFull(JournalError):
    """The disk is full: events are being kept in memory, not recorded."""


class _Unreadable(Exception):
    """The file is not a readable journal (corrupt, or another program's file)."""


@dataclass
class Recovered:
    """An infusion the journal holds as unfinished, rebuilt from its events."""

    id: int
    session: Session
    chair: str
    patient_id: str | None
    training: bool
    wall_start: float
    last_wall: float  # wall time the last event was written
    speed: float = 1.0  # session minutes per real minute (training simulations run fast)
    alive_wall: float | None = None  # the app's last sign of life (heartbeat), if later

    @property
    def last_at_min(self) -> float:
        return self.session.events[-1].at_min

    @property
    def last_seen_wall(self) -> float:
        return max(self.last_wall, self.alive_wall or self.last_wall)


def _set_aside(s: Session) -> bool:
    last = s.events[-1]
    return s.status == "planned" and last.kind == "note" and str(last.data.get("text", "")).startswith(SET_ASIDE)


def default_path() -> Path:
    env = os.environ.get("IVIG_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("ivig-titration", appauthor=False)) / "journal.sqlite3"


def canonical(obj) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def chain_hash(prev: str, payload: str) -> str:
    return hashlib.sha256(f"{prev}\n{payload}".encode("utf-8")).hexdigest()


def _payload(meta: dict, seq: int, wall: float, event: dict) -> str:
    return canonical({"session": meta, "seq": seq, "wall": wall, "event": event})


# ---------------------------------------------------------------------------- schema
def _m1(c: sqlite3.Connection) -> None:
    """The record itself: sessions, chained events, the chain head."""
    c.execute("""CREATE TABLE sessions(
        id INTEGER PRIMARY KEY AUTOINCREMENT, chair TEXT NOT NULL, patient_id TEXT,
        training INTEGER NOT NULL, wall_start REAL NOT NULL, created_wall REAL NOT NULL)""")
    c.execute("""CREATE TABLE events(
        id INTEGER PRIMARY KEY AUTOINCREMENT, session_id INTEGER NOT NULL REFERENCES sessions(id),
        seq INTEGER NOT NULL, wall REAL NOT NULL, body TEXT NOT NULL,
        prev_hash TEXT NOT NULL, hash TEXT NOT NULL, UNIQUE(session_id, seq))""")
    c.execute("CREATE TABLE chain_head(one INTEGER PRIMARY KEY CHECK (one = 1), n INTEGER NOT NULL, hash TEXT NOT NULL)")
    c.execute("INSERT INTO chain_head VALUES (1, 0, ?)", (GENESIS,))


def _m2(c: sqlite3.Connection) -> None:
    """Derived columns for fast listing and recovery (status, product), the simulation speed and
    a heartbeat. They are caches of what the events say, so they stay outside the hash chain."""
    for col in ("speed REAL NOT NULL DEFAULT 1.0", "status TEXT NOT NULL DEFAULT 'planned'",
                "product TEXT", "alive_wall REAL"):
        c.execute(f"ALTER TABLE sessions ADD COLUMN {col}")
    c.execute("CREATE INDEX sessions_patient ON sessions(patient_id, training)")
    c.execute("CREATE INDEX sessions_status ON sessions(status)")
    for (sid,) in c.execute("SELECT id FROM sessions").fetchall():
        bodies = [json.loads(b) for (b,) in c.execute("SELECT body FROM events WHERE session_id=? ORDER BY seq", (sid,))]
        try:
            s = Session.replay(bodies)
            status, product = s.status, s.original_plan.request.product
        except Exception:  # noqa: BLE001 - an unreadable session keeps its events; verify() will say why
            status, product = "planned", None
        c.execute("UPDATE sessions SET status=?, product=? WHERE id=?", (status, product, sid))


MIGRATIONS: list[tuple[int, Callable[[sqlite3.Connection], None]]] = [(1, _m1), (2, _m2)]
LATEST = MIGRATIONS[-1][0]


# ---------------------------------------------------------------------------- the journal
class Journal:
    def __init__(self, path: str | os.PathLike | None = None, *, now: Callable[[], float] = time.time,
                 readonly: bool = False):
        self.path = Path(path).expanduser() if path else default_path()
        self.notice = ""  # shown on screen: a file moved aside, a migration
        self.failing = ""  # the last write error, until a write succeeds again
        self.readonly = readonly
        self._now = now
        self._db: sqlite3.Connection | None = None
        self._lock_fd: int | None = None
        self._attached: dict[int, tuple[Session, Callable]] = {}  # session id -> (session, listener)
        self._stored: dict[int, int] = {}  # session id -> events written
        self._meta: dict[int, dict] = {}  # session id -> the identity that is hashed
        self._recovered: dict[int, tuple[int, Session]] = {}  # id(Session) -> (session id, session)
        if readonly:
            self._db = self._open_readonly()
        else:
            self._db = self._open()

    # ------------------------------------------------------------------ opening
    def _open(self) -> sqlite3.Connection:
        folder = self.path.parent
        where = "choose another file with --db PATH or the IVIG_DB variable"
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise JournalError(f"cannot create the journal folder {folder}: {exc.strerror}; {where}") from None
        if not os.access(folder, os.W_OK | os.X_OK):
            raise JournalError(f"cannot write in the journal folder {folder} (permission denied); {where}")
        if self.path.is_dir():
            raise JournalError(f"the journal {self.path} is a folder, not a file; {where}")
        if self.path.exists() and not os.access(self.path, os.R_OK | os.W_OK):
            raise JournalError(f"cannot read and write the journal {self.path} (permission denied); {where}")
        self._take_lock()
        try:
            try:
                return self._connect()
            except _Unreadable as why:
                aside = self._move_aside()
                self.notice = (f"The journal {self.path} could not be read ({why}). It was kept unchanged as "
                               f"{aside.name} and a new journal was started.")
                return self._connect()
        except BaseException:
            self._release_lock()
            raise

    def _take_lock(self) -> None:
        """One app per journal: two copies would both reopen the same unfinished infusions."""
        try:
            import fcntl
        except ImportError:  # Windows: SQLite's own locking is all we have
            return
        lock = self.path.with_name(self.path.name + ".lock")
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise JournalError(f"cannot create the lock file {lock}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            try:
                other = os.pread(fd, 32, 0).decode(errors="replace").strip()
            finally:
                os.close(fd)
            who = f" (process {other})" if other else ""
            raise JournalLocked(f"the journal {self.path} is open in another copy of the app{who}; "
                                "close that copy first, or use another file with --db PATH") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._lock_fd = fd

    def _release_lock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing the descriptor releases the flock
            self._lock_fd = None

    def _connect(self) -> sqlite3.Connection:
        if not self.path.exists():  # created private before SQLite opens it (-wal/-shm copy the mode)
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        try:
            c = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as exc:
            raise JournalError(f"cannot open the journal {self.path}: {exc}") from None
        try:
            version = self._check(c)
            os.chmod(self.path, 0o600)  # ours: keep it private (an older copy may have been 0644)
            if version > LATEST:
                raise JournalError(f"the journal {self.path} was written by a newer version of the app "
                                   f"(schema {version}; this version reads up to {LATEST}); it was not changed")
            mode = c.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise JournalError(f"the journal {self.path} cannot use write-ahead logging here (got {mode!r}); "
                                   "put it on a local disk")
            c.execute("PRAGMA synchronous=FULL")
            c.execute("PRAGMA foreign_keys=ON")
            self._migrate(c, version)
            self._protect_companions()
        except _Unreadable:
            c.close()
            raise
        except sqlite3.OperationalError as exc:
            c.close()
            raise self._error(exc, "opening the journal") from None
        except BaseException:
            c.close()
            raise
        return c

    def _check(self, c: sqlite3.Connection) -> int:
        """The schema version, after making sure this is our journal and it is intact.

        Only reads: nothing is written to a file before we know it is ours.
        """
        try:
            app = c.execute("PRAGMA application_id").fetchone()[0]
            tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if app == 0 and not tables:
                return 0
            if app != APP_ID:
                raise _Unreadable("it is not a journal of this app")
            ok = c.execute("PRAGMA quick_check").fetchone()[0]
            if ok != "ok":
                raise _Unreadable(f"it is damaged: {ok}")
            if "schema_version" not in tables:
                raise _Unreadable("it has no schema version")
            return int(c.execute("SELECT version FROM schema_version").fetchone()[0])
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or getattr(exc, "sqlite_errorname", "").startswith("SQLITE_BUSY"):
                raise JournalLocked(f"the journal {self.path} is locked by another program; close it and try again") \
                    from None
            raise _Unreadable(str(exc)) from None
        except sqlite3.DatabaseError as exc:
            raise _Unreadable(str(exc)) from None

    def _migrate(self, c: sqlite3.Connection, version: int) -> None:
        if version == LATEST:
            return
        if version > 0:  # keep the old file as it was, as desktop apps do before a migration
            bak = self.path.with_name(f"{self.path.name}.bak-v{version}")
            fd = os.open(bak, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.close(fd)
            dst = sqlite3.connect(bak)
            try:
                c.backup(dst)
            finally:
                dst.close()
            self.notice = (self.notice + " " if self.notice else "") + \
                f"The journal was upgraded from schema {version} to {LATEST}; the old file is kept as {bak.name}."
        for v, step in MIGRATIONS:
            if v <= version:
                continue
            c.execute("BEGIN IMMEDIATE")
            try:
                if v == 1:
                    c.execute(f"PRAGMA application_id={APP_ID}")
                    c.execute("CREATE TABLE schema_version(version INTEGER NOT NULL)")
                    c.execute("INSERT INTO schema_version VALUES (0)")
                step(c)
                c.execute("UPDATE schema_version SET version=?", (v,))
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise

    def _protect_companions(self) -> None:
        for suffix in ("-wal", "-shm"):
            p = self.path.with_name(self.path.name + suffix)
            if p.exists():
                os.chmod(p, 0o600)

    def _move_aside(self) -> Path:
        stamp = datetime.fromtimestamp(self._now()).strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        n = 1
        while aside.exists():
            n += 1
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
        os.rename(self.path, aside)
        for suffix in ("-wal", "-shm"):  # a stale WAL must not be replayed into the new file
            p = self.path.with_name(self.path.name + suffix)
            if p.exists():
                os.rename(p, aside.with_name(aside.name + suffix))
        return aside

    def _open_readonly(self) -> sqlite3.Connection:
        if not self.path.is_file():
            raise JournalError(f"there is no journal file at {self.path}")
        uri = "file:" + str(self.path.resolve()).replace("?", "%3f").replace("#", "%23") + "?mode=ro"
        try:
            c = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            version = self._check(c)
        except _Unreadable as why:
            raise JournalError(f"{self.path} is not a readable journal ({why})") from None
        except sqlite3.Error as exc:
            raise JournalError(f"cannot read the journal {self.path}: {exc}") from None
        if version == 0:
            c.close()
            raise JournalError(f"{self.path} is empty: no journal has been written there yet")
        if version != LATEST:
            c.close()
            raise JournalError(f"the journal {self.path} has schema {version}; this version reads {LATEST} "
                               "(open it once in the app to upgrade it)")
        return c

    # ------------------------------------------------------------------ writing
    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise JournalError("the journal is closed: nothing can be recorded")
        return self._db

    def _error(self, exc: sqlite3.Error, doing: str) -> JournalError:
        name = getattr(exc, "sqlite_errorname", "") or ""
        msg = str(exc)
        if name == "SQLITE_FULL" or "full" in msg:
            return JournalFull(f"NOT RECORDED: the disk holding the journal ({self.path}) is full while {doing}. "
                               "Free disk space now; what was not recorded is kept and written at the next action.")
        if name.startswith("SQLITE_BUSY") or "locked" in msg:
            return JournalLocked(f"NOT RECORDED: the journal {self.path} is locked by another program while {doing}")
        if name.startswith("SQLITE_READONLY") or "readonly" in msg:
            return JournalError(f"NOT RECORDED: the journal {self.path} can no longer be written (read-only) "
                                f"while {doing}")
        return JournalError(f"NOT RECORDED: the journal {self.path} failed while {doing}: {msg}")

    def _tx(self, fn: Callable[[sqlite3.Connection], object], doing: str):
        c = self._conn()
        if self.readonly:
            raise JournalError("this journal was opened read-only")
        try:
            c.execute("BEGIN IMMEDIATE")
            out = fn(c)
            c.execute("COMMIT")
        except sqlite3.Error as exc:
            try:
                c.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            err = self._error(exc, doing)
            self.failing = str(err)
            raise err from None
        self.failing = ""
        return out

    def _insert(self, c: sqlite3.Connection, sid: int, session: Session, start: int) -> int:
        """Write session.events[start:] and move the chain head; inside a transaction."""
        n, prev = c.execute("SELECT n, hash FROM chain_head").fetchone()
        meta = self._meta[sid]
        new = session.events[start:]
        for i, e in enumerate(new):
            seq, wall = start + i, float(self._now())
            try:
                body = e.to_dict()
                h = chain_hash(prev, _payload(meta, seq, wall, body))
                text = canonical(body)
            except (TypeError, ValueError) as exc:
                raise sqlite3.DataError(f"event {e.kind} at {e.at_min:g} min cannot be stored: {exc}") from None
            c.execute("INSERT INTO events(session_id, seq, wall, body, prev_hash, hash) VALUES (?,?,?,?,?,?)",
                      (sid, seq, wall, text, prev, h))
            prev = h
        c.execute("UPDATE chain_head SET n=?, hash=?", (n + len(new), prev))
        c.execute("UPDATE sessions SET status=? WHERE id=?", (session.status, sid))
        return len(new)

    def attach(self, session: Session, *, chair: str, patient_id: str | None, training: bool,
               wall_start: float, speed: float = 1.0, session_id: int | None = None) -> int:
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
        training = bool(training or session.training)
        created = float(self._now())

        def write(c):
            cur = c.execute("INSERT INTO sessions(chair, patient_id, training, wall_start, created_wall, speed, product)"
                            " VALUES (?,?,?,?,?,?,?)", (chair, patient_id, int(training), float(wall_start), created,
                                                       float(speed), session.original_plan.request.product))
            sid = cur.lastrowid
            self._meta[sid] = self._identity(sid, chair, patient_id, training, wall_start)
            try:
                self._insert(c, sid, session, 0)
            except BaseException:
                del self._meta[sid]
                raise
            return sid

        sid = self._tx(write, "starting the record of a new infusion")
        self._stored[sid] = len(session.events)
        self._subscribe(sid, session)
        return sid

    def _continue(self, sid: int, session: Session) -> int:
        row = self._conn().execute("SELECT chair, patient_id, training, wall_start FROM sessions WHERE id=?",
                                   (sid,)).fetchone()
        if row is None:
            raise JournalError(f"there is no session {sid} in the journal {self.path}")
        stored = self.events(sid)
        mine = [json.loads(canonical(e.to_dict())) for e in session.events[:len(stored)]]
        if mine != stored:
            raise JournalError(f"session {sid} in the journal does not match this infusion's events; not continued")
        self._meta[sid] = self._identity(sid, row[0], row[1], bool(row[2]), row[3])
        self._stored[sid] = len(stored)
        self._subscribe(sid, session)
        self._write(sid)
        return sid

    @staticmethod
    def _identity(sid, chair, patient_id, training, wall_start) -> dict:
        return {"id": sid, "chair": chair, "patient_id": patient_id, "training": bool(training),
                "wall_start": float(wall_start)}

    def _subscribe(self, sid: int, session: Session) -> None:
        def listener(_event) -> None:
            self._write(sid)

        session.listeners.insert(0, listener)
        self._attached[sid] = (session, listener)

    def _write(self, sid: int) -> None:
        session, _ = self._attached[sid]
        start = self._stored[sid]
        if start >= len(session.events):
            return
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
        recovery can then say how long the app was really away."""
        ids = [sid for sid, (s, _) in self._attached.items() if s.status not in ENDED]
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
                self._tx(lambda c: c.execute("UPDATE sessions SET status='set-aside' WHERE id=?", (sid,)),
                         "setting an infusion aside")

    def detach(self, session: Session) -> None:
        for sid, (s, fn) in list(self._attached.items()):
            if s is session:
                if fn in s.listeners:
                    s.listeners.remove(fn)
                del self._attached[sid]

    def close(self) -> None:
        for s, _ in list(self._attached.values()):
            self.detach(s)
        if self._db is not None:
            self._db.close()
            self._db = None
        self._release_lock()

    def __enter__(self) -> "Journal":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ reading
    def sessions(self, training: bool | None = None, patient_id: str | None = None) -> list[dict]:
        """Sessions in the order they were started; `training` False lists real infusions only."""
        q = ("SELECT s.id, s.chair, s.patient_id, s.training, s.wall_start, s.speed, s.status, s.product, s.alive_wall,"
             " (SELECT count(*) FROM events e WHERE e.session_id = s.id),"
             " (SELECT max(wall) FROM events e WHERE e.session_id = s.id) FROM sessions s")
        where, args = [], []
        if training is not None:
            where.append("s.training = ?")
            args.append(int(training))
        if patient_id is not None:
            where.append("s.patient_id = ?")
            args.append(patient_id)
        if where:
            q += " WHERE " + " AND ".join(where)
        q += " ORDER BY s.wall_start, s.id"
        keys = ("id", "chair", "patient_id", "training", "wall_start", "speed", "status", "product", "alive_wall",
                "n_events", "last_wall")
        out = []
        for row in self._conn().execute(q, args):
            d = dict(zip(keys, row))
            d["training"] = bool(d["training"])
            out.append(d)
        return out

    def events(self, session_id: int) -> list[dict]:
        rows = self._conn().execute("SELECT body FROM events WHERE session_id=? ORDER BY seq", (session_id,))
        return [json.loads(b) for (b,) in rows]

    def session(self, session_id: int) -> Session:
        """The infusion rebuilt from its events (SessionError if they do not replay)."""
        return Session.replay(self.events(session_id))

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
            self._recovered[id(s)] = (d["id"], s)
            out.append(Recovered(d["id"], s, d["chair"], d["patient_id"], d["training"], d["wall_start"],
                                 d["last_wall"], d["speed"] or 1.0, d["alive_wall"]))
        return out

    def verify(self) -> list[str]:
        """Problems with the record (edits, deletions, a damaged file); empty when intact."""
        c = self._conn()
        problems: list[str] = []
        ok = c.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            problems.append(f"the file is damaged: {ok}")
        meta = {r[0]: self._identity(*r) for r in
                c.execute("SELECT id, chair, patient_id, training, wall_start FROM sessions")}
        prev, n = GENESIS, 0
        next_seq: dict[int, int] = {}
        rows = c.execute("SELECT id, session_id, seq, wall, body, prev_hash, hash FROM events ORDER BY id")
        for rid, sid, seq, wall, body, prev_hash, h in rows:
            n += 1
            where = f"event row {rid} (session {sid}, event #{seq + 1})"
            if prev_hash != prev:
                problems.append(f"{where}: the chain is broken before it (a row was deleted or changed)")
            if seq != next_seq.get(sid, 0):
                problems.append(f"{where}: session {sid} is missing event #{next_seq.get(sid, 0) + 1}")
            next_seq[sid] = seq + 1
            if sid not in meta:
                problems.append(f"{where}: its session is missing (deleted)")
            else:
                try:
                    expected = chain_hash(prev_hash, _payload(meta[sid], seq, wall, json.loads(body)))
                except (ValueError, TypeError):
                    expected = None
                if expected != h:
                    problems.append(f"{where}: its content does not match its hash (edited)")
            prev = h
        head_n, head_hash = c.execute("SELECT n, hash FROM chain_head").fetchone()
        if head_n != n or head_hash != prev:
            problems.append(f"the journal records {head_n} events ending in {head_hash[:12]}..., but holds {n} "
                            f"ending in {prev[:12]}... (events at the end were removed or added)")
        for sid in meta:
            if sid not in next_seq:
                problems.append(f"session {sid} has no events (they were deleted)")
        if not problems:
            problems += self._check_status_cache()
        return problems

    def _check_status_cache(self) -> list[str]:
        """Recovery trusts the cached status to skip finished infusions: it must match the events."""
        out = []
        for sid, cached in self._conn().execute("SELECT id, status FROM sessions").fetchall():
            try:
                s = self.session(sid)
            except Exception as exc:  # noqa: BLE001 - reported, not raised
                out.append(f"session {sid}: its events do not replay ({exc})")
                continue
            allowed = {s.status} | ({"set-aside"} if _set_aside(s) else set())
            if cached not in allowed:
                out.append(f"session {sid}: recorded as '{cached}' but its events say '{s.status}' "
                           "(changed by hand? recovery would miss it)")
        return out
