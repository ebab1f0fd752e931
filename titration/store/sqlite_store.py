"""The SQLite store: one file (stdlib sqlite3), WAL mode with synchronous=FULL, mode 0600.

A write returns only once the event is on disk. Errors never lose a record silently:
- a file that is not a journal of this app (a text file, a device, a folder, another program's
  database) is refused and left exactly as it was; nothing is created beside it (file_kind.py).
  The outbox is the exception (`own`): whatever is at its path and cannot be read is damage;
- a journal of ours that is damaged is renamed aside with a time stamp
  (`journal.sqlite3.corrupt-YYYYmmdd-HHMMSS`) and a new one started; `notice` says so;
- a journal open in another copy of the app raises `JournalLocked` (the lock is taken on the
  file itself, its device and inode, so no second name or link gives it two writers);
- a full disk raises `JournalFull`.
"""
from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Callable

from . import file_lock
from .base import JournalError, JournalFull, JournalLocked, Store, session_filter
from .chain import body_of, check_caches, walk
from .file_kind import BUSY_TIMEOUT_S, WHERE, refuse_foreign
from .read_ahead import read_through
from .sqlite_schema import APP_ID, LATEST, migrate

SESSION_KEYS = ("id", "chair", "patient_id", "training", "wall_start", "speed", "status", "product", "alive_wall",
                "n_events", "last_wall", "uid", "first_wall")


class _Unreadable(Exception):
    """Our journal, but it cannot be read (damaged)."""


class SqliteStore(Store):
    kind = "sqlite"

    def __init__(self, path, *, now: Callable[[], float], readonly: bool = False, checked: bool = False,
                 own: bool = False):
        self.path = Path(path).expanduser()
        self.own = own  # the workstation's outbox at its own path: a file the app made there
        self._checked = checked  # this run has already read the file through (the report's workers)
        self.notice = ""
        self.readonly = readonly
        self._now = now
        self._lock_fd: int | None = None
        self.aside: Path | None = None  # where a damaged journal was set aside when it was opened
        self.db: sqlite3.Connection | None = None
        self.db = self._open_readonly() if readonly else self._open()
        cols = {r[1] for r in self.db.execute("PRAGMA table_info(sessions)")}
        self._uid = "s.uid" if "uid" in cols else "NULL"

    @property
    def label(self) -> str:
        return str(self.path)

    # ------------------------------------------------------------------ opening
    def _open(self) -> sqlite3.Connection:
        folder = self.path.parent
        refuse_foreign(self.path, self.own)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise JournalError(f"cannot create the journal folder {folder}: {exc.strerror}; {WHERE}") from None
        if not os.access(folder, os.W_OK | os.X_OK):
            raise JournalError(f"cannot write in the journal folder {folder} (permission denied); {WHERE}")
        if self.path.exists() and not os.access(self.path, os.R_OK | os.W_OK):
            raise JournalError(f"cannot read and write the journal {self.path} (permission denied); {WHERE}")
        self._take_lock()
        try:
            try:
                return self._connect()
            except _Unreadable as why:
                aside = self._move_aside()
                self.aside = aside
                self._take_lock()  # the new file at this name; the copy set aside is let go
                self.notice = (f"The journal {self.path} could not be read ({why}). It was kept unchanged as "
                               f"{aside.name} and a new journal was started.")
                return self._connect()
        except BaseException:
            self._release_lock()
            raise

    def _take_lock(self) -> None:
        """One app per journal (file_lock): two copies would both reopen the same unfinished
        infusions. Taken again on a new file (after a damaged one was set aside), the lock on the
        old file is let go."""
        fd = file_lock.take(self.path)
        self._release_lock()
        self._lock_fd = fd

    def _release_lock(self) -> None:
        file_lock.release(self._lock_fd)
        self._lock_fd = None

    def _connect(self) -> sqlite3.Connection:
        if not self.path.exists():  # created private before SQLite opens it (-wal/-shm copy the mode)
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        try:
            c = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise JournalError(f"cannot open the journal {self.path}: {exc}") from None
        try:
            version = self._check(c)
            os.chmod(self.path, 0o600)  # ours: keep it private (an older copy may have been 0644)
            if version > LATEST:
                raise JournalError(f"the journal {self.path} was made by a newer version of this app (schema "
                                   f"{version}; this version reads up to {LATEST}); update the app. It was not changed")
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
            raise self.error(exc, "opening the journal") from None
        except BaseException:
            c.close()
            raise
        return c

    def _check(self, c: sqlite3.Connection) -> int:
        """The schema version, after making sure this is our journal and it is intact. Only reads."""
        try:
            app = c.execute("PRAGMA application_id").fetchone()[0]
            tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if app == 0 and not tables:
                return 0
            if app != APP_ID:
                if self.own:
                    raise _Unreadable("its header is not the one this app writes (damaged)")
                raise JournalError(f"{self.path} is not a journal of this app; it was left as it was; {WHERE}")
            if not self._checked:
                read_through(self.path)
            ok = "ok" if self._checked else c.execute("PRAGMA quick_check").fetchone()[0]
            if ok != "ok":
                raise _Unreadable("it is damaged: " + "; ".join(ok.splitlines()))  # one line, as errors are said
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
        migrate(c, version)

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

    def replace_damaged(self, why: str) -> Path:
        """A journal of ours that opened but holds a damaged part: set it aside and start a new
        one, loudly, as for a file that cannot be read at all."""
        self.db.close()
        aside = self._move_aside()
        self.aside = aside
        self._take_lock()
        self.db = self._connect()
        self.notice = (f"The journal {self.path} could not be used ({why}). It was kept unchanged as {aside.name} "
                       "and a new journal was started.")
        return aside

    def _open_readonly(self) -> sqlite3.Connection:
        if not self.path.is_file():
            if self.path.exists():
                raise JournalError(f"{self.path} is not a journal file (a folder or a device?)")
            raise JournalError(f"there is no journal file at {self.path}")
        refuse_foreign(self.path, self.own)
        base = "file:" + str(self.path.resolve()).replace("?", "%3f").replace("#", "%23")
        try:
            c = sqlite3.connect(base + "?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            try:
                version = self._check(c)
            except _Unreadable as why:
                if "unable to open" not in str(why) and "readonly" not in str(why):
                    raise
                # Read-only storage (no -shm can be made): read the file as it is, unchanging.
                c.close()
                c = sqlite3.connect(base + "?immutable=1", uri=True, isolation_level=None)
                version = self._check(c)
        except _Unreadable as why:
            raise JournalError(f"{self.path} is a journal of this app but it is damaged ({why})") from None
        except sqlite3.Error as exc:
            raise JournalError(f"cannot read the journal {self.path}: {exc}") from None
        if version == 0:
            c.close()
            raise JournalError(f"{self.path} is empty: no journal has been written there yet")
        if version > LATEST:
            c.close()
            raise JournalError(f"the journal {self.path} was made by a newer version of this app (schema {version}; "
                               f"this version reads up to {LATEST}); update the app")
        if version != LATEST:
            self.old_version = version
        return c

    # ------------------------------------------------------------------ writing
    def conn(self) -> sqlite3.Connection:
        if self.db is None:
            raise JournalError("the journal is closed: nothing can be recorded")
        return self.db

    def error(self, exc: sqlite3.Error, doing: str) -> JournalError:
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

    def tx(self, fn: Callable[[sqlite3.Connection], object], doing: str):
        c = self.conn()
        if self.readonly:
            raise JournalError("this journal was opened read-only")
        try:
            c.execute("BEGIN IMMEDIATE")
            out = fn(c)
            c.execute("COMMIT")
        except sqlite3.Error as exc:
            _rollback(c)
            raise self.error(exc, doing) from None
        except BaseException:  # a refusal decided inside the transaction (active.py): nothing is kept
            _rollback(c)
            raise
        return out

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
        self._release_lock()

    # ------------------------------------------------------------------ reading
    def sessions(self, training: bool | None = None, patient_id: str | None = None, states: bool = True) -> list[dict]:
        """Sessions in the order they were started; `training` False lists real infusions only (the
        status is the cached one, kept with every write: `states` is for the server's listing)."""
        q = ("SELECT s.id, s.chair, s.patient_id, s.training, s.wall_start, s.speed, s.status, s.product, s.alive_wall,"
             " (SELECT count(*) FROM events e WHERE e.session_id = s.id),"
             f" (SELECT max(wall) FROM events e WHERE e.session_id = s.id), {self._uid},"
             " (SELECT min(wall) FROM events e WHERE e.session_id = s.id) FROM sessions s")
        where, args = session_filter(training, patient_id, "?", int)
        q += where + " ORDER BY s.wall_start, s.id"
        out = []
        for row in self.conn().execute(q, args):
            d = dict(zip(SESSION_KEYS, row))
            d["training"] = bool(d["training"])
            out.append(d)
        return out

    def active(self, c: sqlite3.Connection | None = None) -> list:
        """The infusions this journal holds as active (active.py), oldest first. With an outbox,
        not those another workstation took over or a newer record here continues (their local
        status is no longer kept up to date: the server's is)."""
        from .active import NOT_ACTIVE, Active

        c = c or self.conn()
        cols = {r[1] for r in c.execute("PRAGMA table_info(sessions)")}
        tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        ws = "s.workstation" if "workstation" in cols else "NULL"
        uid = "s.uid" if "uid" in cols else "NULL"
        kept = ("AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.session_id = s.id AND o.state <> 'open')"
                if "outbox" in tables and "state" in {r[1] for r in c.execute("PRAGMA table_info(outbox)")} else "")
        marks = ",".join("?" * len(NOT_ACTIVE))
        rows = c.execute(f"SELECT s.chair, s.patient_id, s.training, {ws}, s.wall_start, s.status, {uid} "
                         f"FROM sessions s WHERE s.status NOT IN ({marks}) {kept} ORDER BY s.id", NOT_ACTIVE)
        return [Active(chair, pid, bool(tr), w or "", float(ws0), st, u) for chair, pid, tr, w, ws0, st, u in rows]

    def event_rows(self, session_id: int):
        """(row id, seq, event or None, what is wrong) for each stored event, in order, streamed."""
        c = self.conn()
        cur = c.cursor()
        cur.row_factory = None
        c.text_factory = bytes
        try:
            cur.execute("SELECT id, seq, CAST(body AS BLOB) FROM events WHERE session_id=? ORDER BY seq", (session_id,))
            for rid, seq, raw in cur:
                ev, why = body_of(raw)
                yield rid, seq, ev, why
        finally:
            c.text_factory = str

    def verify(self) -> list[str]:
        """Problems with the record (edits, deletions, a damaged file); empty when intact.
        JournalError (exit 2) when the file cannot be read to the end (an I/O error, a lock)."""
        try:
            return self._verify()
        except sqlite3.OperationalError as exc:
            raise JournalError(f"the journal {self.path} could not be read to the end: {exc}") from None
        except sqlite3.DatabaseError as exc:
            return [f"the file is damaged: {exc}"]

    def _verify(self) -> list[str]:
        c = self.conn()
        problems: list[str] = []
        ok = c.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            problems.append(f"the file is damaged: {ok}")
        cols = {r[1] for r in c.execute("PRAGMA table_info(sessions)")}
        uid = "uid" if "uid" in cols else "NULL"
        who = "workstation, nurse" if "uid" in cols else "NULL, NULL"
        from .base import identity

        c.text_factory = bytes
        try:
            meta = {r[0]: identity(r[0], *[_t(x) for x in r[1:3]], r[3], r[4], _t(r[5]), r[6]) for r in
                    c.execute(f"SELECT id, chair, patient_id, training, wall_start, {uid}, speed FROM sessions")}
            rows = c.execute(f"SELECT id, session_id, seq, wall, CAST(body AS BLOB), prev_hash, hash, {who} "
                             "FROM events ORDER BY id")
            head = c.execute("SELECT n, hash FROM chain_head").fetchone()
            problems += walk(rows, meta, (head[0], _t(head[1])))
        finally:
            c.text_factory = str
        if not problems:
            problems += check_caches(self)
        return problems


def _rollback(c: sqlite3.Connection) -> None:
    try:
        c.execute("ROLLBACK")
    except sqlite3.Error:
        pass


def _t(v):
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else v


def insert_events(c: sqlite3.Connection, sid: int, meta: dict, who: dict | None, bodies: list[dict],
                  start: int, now: Callable[[], float], status: str) -> int:
    """Append events start.. of a session and move the chain head; inside a transaction."""
    from .base import _payload, canonical, chain_hash

    n, prev = c.execute("SELECT n, hash FROM chain_head").fetchone()
    ws, nurse = (who or {}).get("workstation"), (who or {}).get("nurse")
    for i, body in enumerate(bodies):
        seq, wall = start + i, float(now())
        try:
            h = chain_hash(prev, _payload(meta, seq, wall, body, who))
            text = canonical(body)
        except (TypeError, ValueError) as exc:
            raise sqlite3.DataError(f"event {body.get('kind')} at {body.get('at_min')} min cannot be stored: "
                                    f"{exc}") from None
        c.execute("INSERT INTO events(session_id, seq, wall, body, prev_hash, hash, workstation, nurse) "
                  "VALUES (?,?,?,?,?,?,?,?)", (sid, seq, wall, text, prev, h, ws, nurse))
        prev = h
    c.execute("UPDATE chain_head SET n=?, hash=?", (n + len(bodies), prev))
    c.execute("UPDATE sessions SET status=? WHERE id=?", (status, sid))
    return len(bodies)
