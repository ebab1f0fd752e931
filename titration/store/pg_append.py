"""Appending to the unit server: the outbox's one way in, and the chair leases.

One transaction per batch: the infusion's row (made on first sight), the lease check, the
events the server does not have yet (by sequence number; an event's uid is unique, so a resend
after a kill between the server's commit and the outbox's note adds nothing), the chain head
(locked: appends from all workstations form one chain), the chair's summary for the board, and
a NOTIFY so boards refresh that one chair.
"""
from __future__ import annotations

import json

from .base import GENESIS, JournalError, LeaseHeld, _payload, by, chain_hash, identity
from .pg_store import PgStore, _first_line

LEASE_S = 90.0  # a workstation that has not renewed its hold for this long has crashed or is cut off
CHANNEL = "ivig_unit"


def _lease(cur, sid: int, chair: str, me: str, nurse: str, take: bool = False) -> None:
    """Hold (or renew) this workstation's lease on an infusion, inside the caller's transaction."""
    cur.execute("SELECT workstation, expires > now() FROM leases WHERE session_id=%s FOR UPDATE", (sid,))
    row = cur.fetchone()
    if row is None:
        cur.execute("INSERT INTO leases(session_id, workstation, nurse, expires) "
                    "VALUES (%s, %s, %s, now() + make_interval(secs => %s))", (sid, me, nurse, LEASE_S))
        return
    holder, live = row
    if holder != me and live:
        raise LeaseHeld(f"chair {chair} is driven from workstation {holder}; it is shown read-only here")
    if holder != me and not take:
        raise LeaseHeld(f"chair {chair} was driven from workstation {holder}, whose hold has expired; "
                        "take it over (after checking the pump) to drive it here")
    cur.execute("UPDATE leases SET workstation=%s, nurse=%s, expires=now() + make_interval(secs => %s), "
                "since=CASE WHEN workstation=%s THEN since ELSE now() END WHERE session_id=%s",
                (me, nurse, LEASE_S, me, sid))


def receive(store: PgStore, sess: dict, events: list[tuple], summary: dict | None, me: str,
            nurse: str) -> tuple[int, int]:
    """Append a batch of one infusion's events; (events of it the server holds, events added).

    sess: uid, chair, patient_id, training, wall_start, speed, product, workstation, nurse.
    events: (seq, wall, body text, workstation, nurse), in order.
    """
    pg = store._pg
    try:
        with store.conn.transaction():
            cur = store.conn.cursor()
            cur.execute("INSERT INTO sessions(uid, chair, patient_id, training, wall_start, speed, product, "
                        "workstation, nurse) VALUES (%(uid)s, %(chair)s, %(patient_id)s, %(training)s, "
                        "%(wall_start)s, %(speed)s, %(product)s, %(workstation)s, %(nurse)s) "
                        "ON CONFLICT (uid) DO NOTHING", sess)
            cur.execute("SELECT id, chair, patient_id, training, wall_start, uid, speed FROM sessions WHERE uid=%s",
                        (sess["uid"],))
            row = cur.fetchone()
            sid, meta = row[0], identity(*row)
            _lease(cur, sid, row[1], me, nurse)
            cur.execute("SELECT coalesce(max(seq) + 1, 0) FROM events WHERE session_id=%s", (sid,))
            have = cur.fetchone()[0]
            added = 0
            new = [e for e in events if e[0] >= have]
            if new and new[0][0] != have:
                raise JournalError(f"the unit server holds {have} events of chair {row[1]} but this workstation "
                                   f"would send #{new[0][0] + 1} next (a gap); not sent")
            if new:
                cur.execute("SELECT n, hash FROM chain_head FOR UPDATE")
                n, prev = cur.fetchone()
                prev = prev or GENESIS
                rows = []
                for seq, wall, text, ws, nu in new:
                    h = chain_hash(prev, _payload(meta, seq, wall, json.loads(text), by(ws, nu)))
                    rows.append((sid, seq, f"{sess['uid']}:{seq}", wall, text, prev, h, ws, nu))
                    prev = h
                cur.executemany("INSERT INTO events(session_id, seq, uid, wall, body, prev_hash, hash, workstation,"
                                " nurse) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s)", rows)
                cur.execute("UPDATE chain_head SET n=%s, hash=%s", (n + len(rows), prev))
                have += len(rows)
                added = len(rows)
            if summary is not None:
                _chair(cur, sid, summary, have, new[-1][1] if new else None)
            cur.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(sid)))
        return have, added
    except (LeaseHeld, JournalError):
        raise
    except pg.OperationalError:
        raise
    except pg.Error as exc:
        raise JournalError(f"the unit server {store.path} refused chair {sess['chair']}'s events: "
                           f"{_first_line(exc)}") from None


def _chair(cur, sid: int, summary: dict, n: int, last_wall: float | None) -> None:
    status = summary.get("state", "planned")
    cur.execute("INSERT INTO chairs(session_id, status, summary, n_events, last_wall, alive_wall) "
                "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (session_id) DO UPDATE SET status=EXCLUDED.status, "
                "summary=EXCLUDED.summary, n_events=EXCLUDED.n_events, "
                "last_wall=coalesce(EXCLUDED.last_wall, chairs.last_wall), "
                "alive_wall=greatest(chairs.alive_wall, EXCLUDED.alive_wall), updated=now()",
                (sid, status, json.dumps(summary), n, last_wall, summary.get("alive_wall")))


def heartbeat(store: PgStore, uids: list[str], me: str, wall: float) -> None:
    """Renew this workstation's leases on its running infusions and note it is alive."""
    if not uids:
        return
    with store.conn.transaction():
        cur = store.conn.cursor()
        cur.execute("UPDATE leases l SET expires = now() + make_interval(secs => %s) FROM sessions s "
                    "WHERE s.id = l.session_id AND s.uid = ANY(%s) AND l.workstation = %s RETURNING s.id",
                    (LEASE_S, uids, me))
        ids = [r[0] for r in cur.fetchall()]
        if ids:
            cur.execute("UPDATE chairs SET alive_wall=%s WHERE session_id = ANY(%s)", (wall, ids))
            for sid in ids:
                cur.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(sid)))


def take_lease(store: PgStore, uid: str, me: str, nurse: str) -> dict:
    """Take over an infusion whose holder's lease has expired (LeaseHeld while it is live)."""
    with store.conn.transaction():
        cur = store.conn.cursor()
        cur.execute("SELECT id, chair FROM sessions WHERE uid=%s", (uid,))
        row = cur.fetchone()
        if row is None:
            raise JournalError(f"the unit server has no infusion {uid}")
        cur.execute("SELECT workstation, extract(epoch FROM expires)::float8 FROM leases WHERE session_id=%s",
                    (row[0],))
        before = cur.fetchone()
        _lease(cur, row[0], row[1], me, nurse, take=True)
        cur.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(row[0])))
    return {"session_id": row[0], "chair": row[1], "from": before[0] if before else None,
            "expired": before[1] if before else None}
