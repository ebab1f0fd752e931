"""Taking over a chair whose workstation has gone (its lease expired), and watching one that
another workstation drives.

The nurse first says what the pump did (the recovery question); then this workstation takes the
lease on the server (the epoch goes up: whatever the old workstation sends from then on is
refused, and it is told), copies the infusion's record into its own journal, and continues it:
the recovery notes and a note naming the workstation it came from and the nurse's reason are
journaled and sent like any event. While the other workstation's lease is live, `LeaseHeld`.

"How long was it away" is worked out on the server's clock alone (when the last event reached
the server, when the old workstation was last heard from, the server's now), never by comparing
this workstation's clock with times another workstation wrote: a clock an hour out would
otherwise count an hour of infusion that never ran. The time counted runs from when the last
event reached the server, so it is never more than really passed.

`fetch` is the part that waits on the network (run it off the GUI thread); `continue_here` the
part that writes this workstation's journal.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass

from ..session import Session
from ..words import count
from . import outbox_db as odb
from .base import JournalError, Recovered, _payload, by, chain_hash, identity
from .recovery import minutes_now, recover


@dataclass(frozen=True)
class Taken:
    """A chair taken over: its journal id here, the session, and where its clock stands now."""

    id: int
    session: Session
    chair: str
    patient_id: str | None
    wall_start: float  # this workstation's clock at session minute 0 (for showing clock times)
    speed: float
    now_min: float  # session minutes now (the chair's clock starts here)
    taken_from: str | None


@dataclass(frozen=True)
class Fetched:
    """What the server said when the lease was taken, and its record of the infusion."""

    uid: str
    info: dict  # session_id, chair, from, was_mine, epoch, server_now, last_alive, last_received
    row: dict  # the infusion as PgStore.session_by_uid gives it
    events: list  # (seq, wall, body text, workstation, nurse), in order
    at: float  # time.monotonic() when the server answered


def watch(journal, uid: str) -> tuple[dict, Session]:
    """(the chair's row, its infusion as the server holds it), read-only."""
    server = _server(journal).reader()
    d = server.session_by_uid(uid)
    if d is None:
        raise JournalError(f"the unit server has no infusion {uid}")
    return d, Session.replay(server.events(d["id"]))


def fetch(journal, uid: str) -> Fetched:
    """Take the lease on the server and read the infusion's record (waits on the network)."""
    from .pg_store import PgStore

    outbox = _server(journal)
    info = outbox.take(uid)
    at = time.monotonic()
    server = PgStore(outbox.url, readonly=True)
    try:
        d = server.session_by_uid(uid)
        rows = server.raw_events(d["id"])
    finally:
        server.close()
    return Fetched(uid, info, d, rows, at)


def take_over(journal, uid: str, *, pump: str | None, reason: str, now_wall: float) -> Taken:
    """Drive the infusion `uid` from this workstation from now on (both parts, in this thread)."""
    if not reason.strip():
        raise JournalError("taking over a chair needs a reason")
    return continue_here(journal, fetch(journal, uid), pump=pump, reason=reason, now_wall=now_wall)


def continue_here(journal, f: Fetched, *, pump: str | None, reason: str, now_wall: float) -> Taken:
    """Copy the fetched record into this workstation's journal and continue it here."""
    if not reason.strip():
        raise JournalError("taking over a chair needs a reason")
    d, info = f.row, f.info
    speed = d["speed"] or 1.0
    sid = _copy_in(journal, d, f.events, info["epoch"])
    journal.outbox.fenced.pop(f.uid, None)
    s = Session.replay([json.loads(r[2]) for r in f.events])
    server_now = info["server_now"] + (time.monotonic() - f.at)
    last = info["last_received"] if info["last_received"] is not None else server_now
    alive = max(info["last_alive"] or last, last)
    rec = Recovered(sid, s, d["chair"], d["patient_id"], d["training"], d["wall_start"], last, speed, alive, f.uid)
    now_min = minutes_now(rec, server_now)  # before recover(): it moves the last event
    recover(rec, server_now, pump)
    at = s.events[-1].at_min
    came = f" from workstation {info['from']}" if info["from"] and not info["was_mine"] else ""
    s.note(at, f"Taken over on workstation {journal.workstation}{came} (its hold had expired): {reason.strip()}",
           who="nurse")
    journal.attach(s, chair=d["chair"], patient_id=d["patient_id"], training=d["training"],
                   wall_start=d["wall_start"], speed=speed, session_id=sid)
    now_min = max(now_min, s.events[-1].at_min)
    return Taken(sid, s, d["chair"], d["patient_id"], now_wall - now_min * 60.0 / speed, speed, now_min,
                 info["from"])


def _server(journal):
    if journal.outbox is None:
        raise JournalError("taking over or watching a chair needs the unit server (--db postgresql://...)")
    return journal.outbox


def _copy_in(journal, d: dict, rows, epoch: int) -> int:
    """The server's record of the infusion, into this workstation's journal (its own chain).

    If this workstation drove it before and its record is a beginning of the server's, that record
    is continued. If it holds events the server does not (recorded here after another workstation
    took the chair over), that record is kept as it is, marked superseded (shown, never sent), and
    the server's record is copied into a new one."""

    def write(c):
        sid = odb.newest_local(c, d["uid"])
        have = 0
        if sid is not None:
            mine = [b for (b,) in c.execute("SELECT body FROM events WHERE session_id=? ORDER BY seq", (sid,))]
            theirs = [r[2] for r in rows[:len(mine)]]
            if mine == theirs:
                have = len(mine)
            else:
                extra = len(mine) - len(theirs)
                more = f" ({count(extra, 'event')} more than the server holds)" if extra > 0 else ""
                odb.mark(c, sid, odb.SUPERSEDED, f"chair {d['chair']}: events recorded here were not taken by the "
                                                 "unit server (another workstation drove the chair meanwhile); kept "
                                                 f"here, not sent{more}")
                sid = None
        if sid is None:
            cur = c.execute("INSERT INTO sessions(chair, patient_id, training, wall_start, created_wall, speed, "
                            "product, uid, workstation, nurse) VALUES (?,?,?,?,?,?,?,?,?,?)",
                            (d["chair"], d["patient_id"], int(d["training"]), d["wall_start"], journal._now(),
                             d["speed"], d["product"], d["uid"], journal.workstation, journal.nurse))
            sid = cur.lastrowid
        meta = identity(sid, d["chair"], d["patient_id"], d["training"], d["wall_start"], d["uid"], d["speed"])
        n, prev = c.execute("SELECT n, hash FROM chain_head").fetchone()
        added = 0
        for seq, wall, text, ws, nurse in rows[have:]:
            h = chain_hash(prev, _payload(meta, seq, wall, json.loads(text), by(ws, nurse)))
            c.execute("INSERT INTO events(session_id, seq, wall, body, prev_hash, hash, workstation, nurse) "
                      "VALUES (?,?,?,?,?,?,?,?)", (sid, seq, wall, text, prev, h, ws, nurse))
            prev, added = h, added + 1
        c.execute("UPDATE chain_head SET n=?, hash=?", (n + added, prev))
        c.execute("INSERT INTO outbox(session_id, sent, epoch, state, why) VALUES (?, ?, ?, 'open', NULL) "
                  "ON CONFLICT(session_id) DO UPDATE SET sent=excluded.sent, epoch=excluded.epoch, state='open', "
                  "why=NULL", (sid, len(rows), epoch))
        return sid

    return journal._tx(write, "copying a chair's record from the unit server")
