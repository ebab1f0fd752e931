"""Taking over a chair whose workstation has gone (its lease expired), and watching one that
another workstation drives.

The nurse first says what the pump did (the recovery question); then this workstation takes
the lease on the server, copies the infusion's record into its own journal, and continues it:
the recovery notes and a note naming the workstation it came from and the nurse's reason are
journaled and sent like any event. While the other workstation's lease is live, `LeaseHeld`.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..session import Session
from .base import JournalError, Recovered, _payload, by, canonical, chain_hash, identity
from .pg_append import take_lease
from .recovery import minutes_now, recover


@dataclass(frozen=True)
class Taken:
    """A chair taken over: its journal id here, the session, and where its clock stands now."""

    id: int
    session: Session
    chair: str
    patient_id: str | None
    wall_start: float
    speed: float
    now_min: float  # session minutes now (the chair's clock starts here)
    taken_from: str | None


def watch(journal, uid: str) -> tuple[dict, Session]:
    """(the chair's row, its infusion as the server holds it), read-only."""
    server = _server(journal)
    d = server.session_by_uid(uid)
    if d is None:
        raise JournalError(f"the unit server has no infusion {uid}")
    return d, Session.replay(server.events(d["id"]))


def take_over(journal, uid: str, *, pump: str | None, reason: str, now_wall: float) -> Taken:
    """Drive the infusion `uid` from this workstation from now on."""
    if not reason.strip():
        raise JournalError("taking over a chair needs a reason")
    server = _server(journal)
    info = take_lease(server, uid, journal.workstation, journal.nurse)
    d = server.session_by_uid(uid)
    rows = server.q("SELECT seq, wall, body, workstation, nurse FROM events WHERE session_id=%s ORDER BY seq",
                    (d["id"],))
    sid = _copy_in(journal, d, rows)
    s = Session.replay([__import__("json").loads(r[2]) for r in rows])
    rec = Recovered(sid, s, d["chair"], d["patient_id"], d["training"], d["wall_start"], d["last_wall"],
                    d["speed"] or 1.0, d["alive_wall"], uid)
    now_min = minutes_now(rec, now_wall)  # before recover(): it moves the last event
    recover(rec, now_wall, pump)
    at = s.events[-1].at_min
    came = f" from workstation {info['from']}" if info["from"] and info["from"] != journal.workstation else ""
    s.note(at, f"Taken over on workstation {journal.workstation}{came} (its hold had expired): {reason.strip()}",
           who="nurse")
    journal.attach(s, chair=d["chair"], patient_id=d["patient_id"], training=d["training"],
                   wall_start=d["wall_start"], speed=d["speed"] or 1.0, session_id=sid)
    return Taken(sid, s, d["chair"], d["patient_id"], d["wall_start"], d["speed"] or 1.0,
                 max(now_min, s.events[-1].at_min), info["from"])


def _server(journal):
    if journal.outbox is None:
        raise JournalError("taking over or watching a chair needs the unit server (--db postgresql://...)")
    return journal.outbox.reader()


def _copy_in(journal, d: dict, rows) -> int:
    """The server's record of the infusion, into this workstation's journal (its own chain)."""
    import json

    def write(c):
        found = c.execute("SELECT id FROM sessions WHERE uid=?", (d["uid"],)).fetchone()
        if found:  # this workstation drove it before: keep its own record, add what the server has beyond it
            sid = found[0]
            have = c.execute("SELECT coalesce(max(seq) + 1, 0) FROM events WHERE session_id=?", (sid,)).fetchone()[0]
        else:
            cur = c.execute("INSERT INTO sessions(chair, patient_id, training, wall_start, created_wall, speed, "
                            "product, uid, workstation, nurse) VALUES (?,?,?,?,?,?,?,?,?,?)",
                            (d["chair"], d["patient_id"], int(d["training"]), d["wall_start"], journal._now(),
                             d["speed"], d["product"], d["uid"], journal.workstation, journal.nurse))
            sid, have = cur.lastrowid, 0
        meta = identity(sid, d["chair"], d["patient_id"], d["training"], d["wall_start"], d["uid"], d["speed"])
        n, prev = c.execute("SELECT n, hash FROM chain_head").fetchone()
        added = 0
        for seq, wall, text, ws, nurse in rows:
            if seq < have:
                continue
            body = json.loads(text)
            h = chain_hash(prev, _payload(meta, seq, wall, body, by(ws, nurse)))
            c.execute("INSERT INTO events(session_id, seq, wall, body, prev_hash, hash, workstation, nurse) "
                      "VALUES (?,?,?,?,?,?,?,?)", (sid, seq, wall, canonical(body), prev, h, ws, nurse))
            prev, added = h, added + 1
        c.execute("UPDATE chain_head SET n=?, hash=?", (n + added, prev))
        c.execute("INSERT INTO outbox(session_id, sent) VALUES (?, ?) ON CONFLICT(session_id) DO UPDATE SET "
                  "sent=excluded.sent", (sid, len(rows)))
        return sid

    return journal._tx(write, "copying a chair's record from the unit server")
