"""A damaged outbox: never forgotten, and its readable events recovered.

When this workstation's outbox cannot be read, the journal sets it aside (`NAME.corrupt-STAMP`)
and starts a fresh one, so recording never stops. Events in the damaged copy may not have reached
the unit server: until `unit salvage` has recovered them, every path says so (the red line, and
exit 1 from `unit send`, `unit status` and a journaled `simulate`).

`salvage` reads the damaged copy row by row (a damaged page loses only the rows on it), takes
each infusion's events in order up to the first one missing (filled from the unit server's copy
where the server has it), and appends them to the fresh outbox's own record; the outbox then
sends what the server lacks. The damaged copy is kept, renamed `.salvaged`.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import outbox_db as odb
from .base import _payload, by, chain_hash, identity

SUFFIX = ".salvaged"


def unsalvaged(path) -> list[Path]:
    """Damaged copies of this outbox set aside and not yet salvaged, oldest first."""
    p = Path(path)
    out = [q for q in p.parent.glob(p.name + ".corrupt-*")
           if not q.name.endswith(("-wal", "-shm", SUFFIX, SUFFIX + "-wal", SUFFIX + "-shm"))]
    return sorted(out)


def damaged_line(paths) -> str:
    """The red line's words while a damaged outbox waits to be salvaged."""
    names = ", ".join(p.name for p in paths)
    return (f"THIS WORKSTATION'S OUTBOX WAS DAMAGED and set aside ({names}): events in it may not have reached "
            "the unit server. Close the app and run `python main.py unit salvage` to recover them.")


def old_installation(aside: Path) -> str | None:
    """The installation id kept in a damaged copy, if it can still be read."""
    try:
        with _reading(aside) as c:
            row = c.execute("SELECT installation FROM station").fetchone()
    except (sqlite3.Error, OSError):
        return None
    try:
        value = _t(row[0]) if row else None
    except UnicodeDecodeError:
        return None
    return value if isinstance(value, str) and len(value) == 32 else None


@dataclass
class Salvaged:
    file: str
    infusions: int = 0
    events: int = 0  # recovered into the outbox
    from_server: int = 0  # missing here, taken from the server's copy
    unreadable: int = 0  # rows that could not be read here (the server's copy may have had them)
    dropped: int = 0  # events read here but after a gap nobody could fill: kept in the damaged copy only

    @property
    def complete(self) -> bool:
        """Everything recovered: no event left behind, every unreadable row made good from the server."""
        return not self.dropped and self.unreadable <= self.from_server
    notes: list[str] = field(default_factory=list)


def _open(path: Path) -> sqlite3.Connection:
    uri = "file:" + str(path.resolve()).replace("?", "%3f").replace("#", "%23") + "?mode=ro"
    c = sqlite3.connect(uri, uri=True, timeout=2.0, isolation_level=None)
    c.text_factory = bytes
    return c


# SQLite's own header fields that every file of ours holds (sqlite.org/fileformat.html, 1.3)
_MAGIC = b"SQLite format 3\x00"
_FIXED = bytes([2, 2, 0, 64, 32, 32])  # bytes 18-23: WAL read/write versions, no reserve, payload fractions
_PAGE_SIZES = (4096, 1024, 2048, 8192, 16384, 32768, 65536, 512)  # this app's journals use SQLite's default first


def _header(size: int) -> bytes:
    """The 100 bytes of SQLite's header as this app writes them, for a page size: the values that
    may differ (change counter, database size, freelist) left for SQLite to work out from the file."""
    from .sqlite_schema import APP_ID

    h = bytearray(100)
    h[0:16] = _MAGIC
    h[16:18] = (1 if size == 65536 else size).to_bytes(2, "big")
    h[18:24] = _FIXED
    h[40:44] = (1).to_bytes(4, "big")  # schema cookie
    h[44:48] = (4).to_bytes(4, "big")  # schema format 4
    h[56:60] = (1).to_bytes(4, "big")  # UTF-8
    h[68:72] = APP_ID.to_bytes(4, "big")
    return bytes(h)


def _readable(copy: Path) -> bool:
    try:
        c = _open(copy)
        try:
            c.execute("SELECT count(*) FROM sqlite_master").fetchone()
            c.execute("SELECT count(*) FROM sessions").fetchone()
        finally:
            c.close()
    except sqlite3.Error:
        return False
    return True


@contextmanager
def _reading(path: Path):
    """A read-only connection to a damaged copy. When its first bytes are damaged (SQLite's header,
    wholly or in part), a private copy with the header this app writes put back is read instead:
    the rest of the file is intact and its rows can be recovered. The page size, if lost, is the
    first of SQLite's sizes at which the copy reads."""
    from .file_kind import damaged_header

    with open(path, "rb") as f:
        head = f.read(101)
    if head.startswith(_MAGIC) and not damaged_header(head):
        c = _open(path)
        try:
            yield c
        finally:
            c.close()
        return
    folder = tempfile.mkdtemp(prefix="ivig-salvage-")
    try:
        copy = Path(folder) / "outbox.sqlite3"
        shutil.copyfile(path, copy)
        wal = path.with_name(path.name + "-wal")
        if wal.exists():
            shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
        size = int.from_bytes(head[16:18], "big") if len(head) >= 18 else 0
        size = 65536 if size == 1 else size
        length = path.stat().st_size
        tries = ([size] if size in _PAGE_SIZES else []) + [p for p in _PAGE_SIZES if p != size and length % p == 0]
        for page in tries or [4096]:
            with open(copy, "r+b") as f:
                f.write(_header(page))
            if _readable(copy):
                break
        c = _open(copy)
        try:
            yield c
        finally:
            c.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _rows(c: sqlite3.Connection, table: str, cols: str) -> tuple[list[tuple], int]:
    """Every readable row of a table, read one at a time by row id; (rows, rows that failed)."""
    try:
        top = c.execute(f"SELECT max(rowid) FROM {table}").fetchone()[0] or 0
    except sqlite3.Error:
        try:
            top = c.execute("SELECT seq FROM sqlite_sequence WHERE name=?", (table,)).fetchone()[0]
        except (sqlite3.Error, TypeError):
            top = 0
    rows, bad = [], 0
    for rid in range(1, int(top) + 1):
        try:
            r = c.execute(f"SELECT {cols} FROM {table} WHERE rowid=?", (rid,)).fetchone()
        except sqlite3.Error:
            bad += 1
            continue
        if r is not None:
            rows.append(r)
    return rows, bad


def _t(v):
    return v.decode("utf-8") if isinstance(v, bytes) else v


def read_damaged(path: Path) -> tuple[dict, dict, int]:
    """(sessions by id, their events by session id {seq: row}, rows that could not be read)."""
    with _reading(path) as c:
        srows, bad_s = _rows(c, "sessions", "id, uid, chair, patient_id, training, wall_start, created_wall, speed, "
                                            "product, workstation, nurse")
        erows, bad_e = _rows(c, "events", "session_id, seq, wall, body, workstation, nurse")
        try:
            epochs = dict(c.execute("SELECT session_id, epoch FROM outbox").fetchall())
        except sqlite3.Error:
            epochs = {}
    sessions = {}
    for r in srows:
        try:
            sid, uid, chair, pid, training, wall_start, created, speed, product, ws, nurse = \
                (r[0],) + tuple(_t(x) for x in r[1:])
        except UnicodeDecodeError:
            bad_s += 1
            continue
        if uid:
            sessions[sid] = {"uid": uid, "chair": chair, "patient_id": pid, "training": bool(training),
                             "wall_start": float(wall_start), "created": created, "speed": float(speed or 1.0),
                             "product": product, "workstation": ws, "nurse": nurse, "epoch": epochs.get(sid, 0)}
    events: dict[int, dict[int, tuple]] = {}
    for sid, seq, wall, body, ws, nurse in erows:
        try:
            text = _t(body)
            if not isinstance(json.loads(text), dict):
                raise ValueError
            events.setdefault(sid, {})[int(seq)] = (int(seq), float(wall), text, _t(ws), _t(nurse))
        except (ValueError, TypeError, UnicodeDecodeError):
            bad_e += 1
    return sessions, events, bad_s + bad_e


def salvage(journal, aside: Path, server=None) -> Salvaged:
    """Recover the readable events of one damaged copy into the journal's outbox (locked by it)."""
    sessions, events, bad = read_damaged(aside)
    out = Salvaged(aside.name, unreadable=bad)
    for sid, d in sessions.items():
        mine = events.get(sid, {})
        rows, filled = _in_order(mine, d, server)
        out.from_server += filled
        out.dropped += len(mine) - (len(rows) - filled)
        if not rows:
            continue
        added = journal._tx(lambda c, d=d, rows=rows: _import(journal, c, d, rows), "recovering a damaged outbox")
        if added is None:
            out.notes.append(f"chair {d['chair']}: this workstation holds another record of it since; kept in "
                             f"{aside.name}")
            continue
        out.infusions += 1
        out.events += added
    for suffix in ("", "-wal", "-shm"):
        p = aside.with_name(aside.name + suffix)
        if p.exists():
            os.rename(p, aside.with_name(aside.name + SUFFIX + suffix))
    return out


def _in_order(mine: dict, d: dict, server) -> tuple[list[tuple], int]:
    """The infusion's events from #1 on, without a gap: a gap is filled from the server's copy
    when it has those events (and they agree with what was read here)."""
    theirs: dict[int, tuple] = {}
    if server is not None and (not mine or max(mine) + 1 != len(mine)):
        row = server.session_by_uid(d["uid"])
        if row is not None:
            theirs = {r[0]: tuple(r) for r in server.raw_events(row["id"])}
    rows, filled, seq = [], 0, 0
    while seq in mine or seq in theirs:
        here, there = mine.get(seq), theirs.get(seq)
        if here is not None and there is not None and here[2] != there[2]:
            break  # the server holds another event there: stop, keep the rest in the damaged copy
        rows.append(here or there)
        filled += here is None
        seq += 1
    return rows, filled


def _import(journal, c: sqlite3.Connection, d: dict, rows: list[tuple]) -> int | None:
    sid = odb.newest_local(c, d["uid"])
    have = 0
    if sid is not None:
        cur = [b for (b,) in c.execute("SELECT body FROM events WHERE session_id=? ORDER BY seq", (sid,))]
        if cur != [r[2] for r in rows[:len(cur)]]:
            return None
        have = len(cur)
    else:
        ins = c.execute("INSERT INTO sessions(chair, patient_id, training, wall_start, created_wall, speed, product, "
                        "uid, workstation, nurse) VALUES (?,?,?,?,?,?,?,?,?,?)",
                        (d["chair"], d["patient_id"], int(d["training"]), d["wall_start"],
                         d["created"] if d["created"] is not None else journal._now(), d["speed"], d["product"],
                         d["uid"], d["workstation"], d["nurse"]))
        sid = ins.lastrowid
        c.execute("INSERT INTO outbox(session_id, sent, epoch) VALUES (?, 0, ?)", (sid, int(d["epoch"] or 0)))
    meta = identity(sid, d["chair"], d["patient_id"], d["training"], d["wall_start"], d["uid"], d["speed"])
    n, prev = c.execute("SELECT n, hash FROM chain_head").fetchone()
    for seq, wall, text, ws, nurse in rows[have:]:
        h = chain_hash(prev, _payload(meta, seq, wall, json.loads(text), by(ws, nurse)))
        c.execute("INSERT INTO events(session_id, seq, wall, body, prev_hash, hash, workstation, nurse) "
                  "VALUES (?,?,?,?,?,?,?,?)", (sid, seq, wall, text, prev, h, ws, nurse))
        prev = h
    c.execute("UPDATE chain_head SET n=?, hash=?", (n + len(rows) - have, prev))
    _status(c, sid, rows)
    return len(rows) - have


def _status(c: sqlite3.Connection, sid: int, rows: list[tuple]) -> None:
    """The cached status and product of the recovered infusion (recovery reopens it by them)."""
    from ..session import Session

    try:
        s = Session.replay([json.loads(r[2]) for r in rows])
    except Exception:  # noqa: BLE001 - a record that does not replay still goes to the server; verify names it
        return
    c.execute("UPDATE sessions SET status=?, product=? WHERE id=?", (s.status, s.original_plan.request.product, sid))


def adopt_identity(store, aside: Path) -> None:
    """A fresh outbox started beside a damaged one keeps the workstation's id, if it can be read
    (the leases on the server are held under it)."""
    old = old_installation(aside)
    if old is not None:
        store.tx(lambda c: c.execute("INSERT OR IGNORE INTO station(one, installation) VALUES (1, ?)", (old,)),
                 "keeping this workstation's id")
