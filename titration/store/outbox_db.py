"""The outbox's bookkeeping in this workstation's own journal (SQLite): per infusion, how many of
its events the server has confirmed, the lease epoch this workstation holds, the server's hash of
the last confirmed event, and whether the infusion was taken over by another workstation
('fenced') or continued under a newer record here ('superseded'). Also this installation's id.

Nothing here talks to the server; outbox.py does, and writes what it learns back here.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import time
import uuid

from .base import GENESIS, JournalError, _payload, by, chain_hash

OPEN, FENCED, SUPERSEDED = "open", "fenced", "superseded"


class DamagedId(JournalError):
    """The workstation id kept in the outbox cannot be read."""
_HEX32 = re.compile(r"[0-9a-f]{32}")



def batch_size() -> int:
    """Events per call to the server (IVIG_OUTBOX_BATCH; 500)."""
    try:
        return max(1, int(os.environ.get("IVIG_OUTBOX_BATCH", "500")))
    except ValueError:
        return 500

def installation_id(db: sqlite3.Connection, path) -> str:
    """This installation's id (made on first use, kept in its journal); the host name is only a label."""
    row = db.execute("SELECT installation FROM station").fetchone()
    if row is not None:
        if not isinstance(row[0], str) or not _HEX32.fullmatch(row[0]):
            raise DamagedId(f"the workstation id kept in {path} is damaged")
        return row[0]
    new = uuid.uuid4().hex
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute("INSERT OR IGNORE INTO station(one, installation) VALUES (1, ?)", (new,))
        db.execute("COMMIT")
    except sqlite3.Error:
        db.execute("ROLLBACK")
        raise
    return db.execute("SELECT installation FROM station").fetchone()[0]


def _count(alias: str = "o") -> str:
    return f"(SELECT coalesce(max(seq) + 1, 0) FROM events e WHERE e.session_id = {alias}.session_id)"


_SENDING = (f"SELECT o.session_id, o.sent, {_count()} AS n, o.epoch, s.uid, s.chair, s.patient_id, s.training, "
            "s.wall_start, s.speed, s.product, s.workstation, s.nurse FROM outbox o JOIN sessions s "
            "ON s.id = o.session_id ")


def to_send(db: sqlite3.Connection) -> list[tuple]:
    """Open infusions with events the server has not confirmed, oldest first:
    (session id, sent, n, epoch, uid, chair, patient_id, training, wall_start, speed, product, workstation, nurse)."""
    return db.execute(_SENDING + f"WHERE o.state = '{OPEN}' AND n > o.sent ORDER BY o.session_id").fetchall()


def sending(db: sqlite3.Connection, sid: int) -> tuple:
    """One infusion's row as `to_send` gives it, whatever it has left to send."""
    return db.execute(_SENDING + "WHERE o.session_id = ?", (sid,)).fetchone()


def batch(db: sqlite3.Connection, sid: int, start: int, size: int, meta: dict) -> tuple[list[tuple], str]:
    """Up to `size` events of a session from `start`, (seq, wall, body, workstation, nurse), each
    checked against this journal's own hash chain before it may leave: the events up to the first
    that does not match, and why that one does not ("" when all do). An event changed on this disk
    after it was recorded (a bit flipped, a row edited) is never sent as if it were the nurse's."""
    rows = db.execute(
        "SELECT e.id, e.seq, e.wall, CAST(e.body AS BLOB), e.workstation, e.nurse, e.prev_hash, e.hash, "
        "(SELECT p.hash FROM events p WHERE p.id < e.id ORDER BY p.id DESC LIMIT 1) "
        "FROM events e WHERE e.session_id=? AND e.seq >= ? ORDER BY e.seq LIMIT ?", (sid, start, size)).fetchall()
    out: list[tuple] = []
    for rid, seq, wall, raw, ws, nurse, prev_hash, h, before in rows:
        why = _mismatch(meta, start + len(out), seq, wall, raw, ws, nurse, prev_hash, h, before)
        if why:
            return out, (f"event #{seq + 1} in this workstation's outbox (its row {rid}) {why}: changed on this disk "
                         "after it was recorded? It is not sent, nor anything after it (`journal verify --db "
                         "OUTBOX` names the damage; the events before it were sent)")
        out.append((seq, wall, raw.decode("utf-8"), ws, nurse))
    return out, ""


def _mismatch(meta, want_seq, seq, wall, raw, ws, nurse, prev_hash, h, before) -> str:
    if seq != want_seq:
        return f"follows a gap (event #{want_seq + 1} is missing)"
    if prev_hash != (before if before is not None else GENESIS):
        return "does not follow the event before it in the outbox's hash chain (a row was deleted or changed)"
    try:
        event = json.loads(bytes(raw).decode("utf-8"))
        if not isinstance(event, dict):
            raise ValueError("not an object")
        expected = chain_hash(prev_hash, _payload(meta, seq, float(wall), event, by(ws, nurse)))
    except (ValueError, TypeError, UnicodeDecodeError, OverflowError):
        return "cannot be read (its body is not an event)"
    return "" if expected == h else "does not match its hash"


def confirmed(db: sqlite3.Connection, sid: int, sent: int, epoch: int, last_hash: str | None) -> None:
    db.execute("UPDATE outbox SET sent=?, epoch=?, confirmed_hash=? WHERE session_id=?", (sent, epoch, last_hash, sid))


def mark(db: sqlite3.Connection, sid: int, state: str, why: str) -> None:
    db.execute("UPDATE outbox SET state=?, why=? WHERE session_id=?", (state, why, sid))


def forget_hash(db: sqlite3.Connection, sid: int) -> None:
    """The server's hash of the last confirmed event is about to change (a heal after a restore gives
    new ones): not kept, so a heal cut short is not taken for a record rewritten on the server."""
    db.execute("UPDATE outbox SET confirmed_hash=NULL WHERE session_id=?", (sid,))


def healed(db: sqlite3.Connection, sid: int, events: int, confirmed_hash: str | None) -> None:
    """A restored server took these events again (`unit status` says what was healed); its hash of
    the last one this outbox confirmed, when it is that one (None when others follow it there)."""
    db.execute("UPDATE outbox SET confirmed_hash=?, healed=healed + ?, healed_wall=? WHERE session_id=?",
               (confirmed_hash, events, time.time(), sid))


def unsend(db: sqlite3.Connection, sid: int, to: int) -> None:
    """Events from `to` on are not on the server as recorded here: not sent (kept, shown, counted
    as waiting). Nothing says they were healed."""
    db.execute("UPDATE outbox SET sent=min(sent, ?), confirmed_hash=NULL WHERE session_id=?", (to, sid))


def held(db: sqlite3.Connection, uids: list[str]) -> list[tuple[str, int]]:
    """(uid, epoch) of these infusions, where this workstation still drives them (its newest record)."""
    if not uids:
        return []
    marks = ",".join("?" * len(uids))
    return db.execute(f"SELECT s.uid, o.epoch FROM outbox o JOIN sessions s ON s.id = o.session_id WHERE s.uid IN "
                      f"({marks}) AND o.state = '{OPEN}'", uids).fetchall()


def recent(db: sqlite3.Connection, retention_s: float) -> list[tuple]:
    """Infusions written within the retention period (what each connect compares with the server):
    (session id, uid, chair, state, sent, n, epoch, confirmed_hash)."""
    cutoff = time.time() - retention_s
    return db.execute(
        f"SELECT o.session_id, s.uid, s.chair, o.state, o.sent, {_count()} AS n, o.epoch, o.confirmed_hash "
        "FROM outbox o JOIN sessions s ON s.id = o.session_id WHERE "
        "coalesce((SELECT max(wall) FROM events e WHERE e.session_id = o.session_id), s.created_wall) >= ? "
        "ORDER BY o.session_id", (cutoff,)).fetchall()


def digest(db: sqlite3.Connection, sid: int, upto: int) -> str:
    """SHA-256 of the first `upto` event bodies joined by newlines (ivig_heads computes the same)."""
    h = hashlib.sha256()
    for i, (body,) in enumerate(db.execute("SELECT body FROM events WHERE session_id=? AND seq < ? ORDER BY seq",
                                           (sid, upto))):
        h.update((("\n" if i else "") + body).encode("utf-8"))
    return h.hexdigest()


def waiting(db: sqlite3.Connection, retention_s: float | None = None) -> int:
    """Events recorded here that the server has not confirmed, whatever their state (refused and
    taken-over ones too: they are kept, and shown, until the retention period has passed)."""
    sql = f"SELECT coalesce(sum({_count()} - o.sent), 0) FROM outbox o"
    if retention_s is None:
        return int(db.execute(sql).fetchone()[0])
    sql += (f" JOIN sessions s ON s.id = o.session_id WHERE o.state = '{OPEN}' OR coalesce((SELECT max(wall) "
            "FROM events e WHERE e.session_id = o.session_id), s.created_wall) >= ?")
    return int(db.execute(sql, (time.time() - retention_s,)).fetchone()[0])


def kept(db: sqlite3.Connection) -> list[tuple[int, str, str, str, str, int]]:
    """Infusions not sent any more: (session id, uid, state, why, chair, events not on the server)."""
    return db.execute(f"SELECT o.session_id, s.uid, o.state, coalesce(o.why, ''), s.chair, {_count()} - o.sent "
                      f"FROM outbox o JOIN sessions s ON s.id = o.session_id WHERE o.state <> '{OPEN}'").fetchall()


def newest_local(db: sqlite3.Connection, uid: str) -> int | None:
    row = db.execute("SELECT id FROM sessions WHERE uid=? ORDER BY id DESC LIMIT 1", (uid,)).fetchone()
    return None if row is None else row[0]


def report(db: sqlite3.Connection, retention_s: float) -> dict:
    """This workstation's side, for `unit status`: what waits, what was healed, what is kept."""
    cutoff = time.time() - retention_s
    healed = [{"chair": chair, "events": n, "wall": wall} for chair, n, wall in db.execute(
        "SELECT s.chair, o.healed, o.healed_wall FROM outbox o JOIN sessions s ON s.id = o.session_id "
        "WHERE o.healed > 0 AND o.healed_wall >= ? ORDER BY o.healed_wall", (cutoff,))]
    kept_rows = [{"chair": chair, "state": state, "why": why, "events": n}
                 for _sid, _uid, state, why, chair, n in kept(db) if n > 0]
    return {"waiting": waiting(db, retention_s), "healed": healed, "kept": kept_rows}
