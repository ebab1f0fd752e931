"""At each connection: what the unit server holds of every infusion this workstation recorded
within the retention period, compared with this workstation's own record.

- the server holds fewer events than it once confirmed (restored from a backup, or rows removed):
  "lost"; the outbox sends exactly those again, as a heal that leaves the lease as it is (a lease
  the restore left in doubt stays so: pg_leases.py), then says "healed" (and `unit status` too).
  Until the server confirms them, the outbox's own count is left alone, so a heal cut short is
  found and finished at the next connection;
- its events differ from this workstation's (a digest of their bodies), or its hash of the last
  event it confirmed is not the one it gave then (the record rewritten on the server): "changed",
  shown on the red line;
- another workstation holds the infusion at a later epoch (taken over while this one was away):
  "fenced", read-only here.

Whatever is found, the events of this workstation's that the server does not hold (lost in a
restore, or another event in their place) are never counted as sent: the outbox is rewound to
the first of them, so they wait, are shown, and are sent again or refused loudly (never dropped).
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from . import outbox_db as odb
from .station import Fenced, Refused, Station, infusion_of

CHUNK = 200  # infusions asked about per call


@dataclass(frozen=True)
class Finding:
    kind: str  # "lost", "changed" or "fenced"
    sid: int
    uid: str
    chair: str
    text: str = ""
    events: int = 0
    start: int = 0  # "lost": the first event the server lacks


def compare(db: sqlite3.Connection, station, retention_s: float) -> tuple[list[Finding], dict[str, str]]:
    """(what was found, uid -> chair for every infusion looked at). Rewinds the outbox where the
    server lacks events; the caller applies the rest."""
    rows = odb.recent(db, retention_s)
    found, chairs = [], {}
    for i in range(0, len(rows), CHUNK):
        chunk = rows[i:i + CHUNK]
        heads = {h[0]: h for h in station.heads([(r[1], r[4]) for r in chunk])}
        for sid, uid, chair, state, sent, _n, epoch, confirmed_hash in chunk:
            chairs[uid] = chair
            head = heads.get(uid)
            if head is not None and state == odb.OPEN:
                found += _one(db, station, sid, uid, chair, sent, epoch, confirmed_hash, head)
    return found, chairs


def _one(db, station, sid, uid, chair, sent, epoch, confirmed_hash, head) -> list[Finding]:
    _, n_server, hash_at, server_digest, mine, holder, server_epoch, _since = head
    common = min(n_server, sent)
    same = common
    if common and server_digest != odb.digest(db, sid, common):
        same = _same_upto(db, station, sid, uid, common)
    fenced = bool(n_server and mine is False and server_epoch is not None and server_epoch > epoch)
    if same < common or (fenced and same < sent):  # others in their place, or lost: not sent, whatever follows
        odb.unsend(db, sid, same)
    if fenced:
        return [Finding("fenced", sid, uid, chair, f"chair {chair} is now driven from workstation {holder} (taken over "
                                                   "while this workstation was away): read-only here; what it recorded "
                                                   "after that is kept here, not sent")]
    if same < common:
        return [Finding("changed", sid, uid, chair, f"chair {chair}: the unit server holds other events than this "
                                                    f"workstation's from event #{same + 1} on (changed on the server, "
                                                    "or written there by another workstation after a restore?); this "
                                                    f"workstation's {sent - same} event(s) from there are kept here, "
                                                    "not sent: check the server with `journal verify`")]
    out = []
    if n_server >= sent and sent and confirmed_hash and hash_at != confirmed_hash:
        out.append(Finding("changed", sid, uid, chair, f"chair {chair}: the unit server's hash of event #{sent} is "
                                                       "not the one it gave when it took it (the record was rewritten "
                                                       "on the server?)"))
    if n_server < sent:
        out.append(Finding("lost", sid, uid, chair, events=sent - n_server, start=n_server))
    return out


def _same_upto(db, station, sid: int, uid: str, upto: int) -> int:
    """How many first events the server holds as this workstation does (its digest of the first k
    differs for k = upto): found by halving, one question to the server each time."""
    lo, hi = 0, upto  # the first lo agree; the first hi do not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        rows = station.heads([(uid, mid)])
        if rows and rows[0][3] == odb.digest(db, sid, mid):
            lo = mid
        else:
            hi = mid
    return lo


def lacking(db: sqlite3.Connection, store, retention_s: float) -> list[dict]:
    """Read-only (for `unit status`): infusions of the retention period of which the server holds
    fewer events than it once confirmed to this workstation (restored from a backup, rows removed):
    [{chair, uid, confirmed, server, events}]. Nothing is changed here or on the server."""
    rows = [r for r in odb.recent(db, retention_s) if r[3] == odb.OPEN and r[4] > 0]
    out = []
    for i in range(0, len(rows), CHUNK):
        chunk = rows[i:i + CHUNK]
        have = dict(store.q("SELECT s.uid, (SELECT coalesce(max(e.seq) + 1, 0) FROM events e "
                            "WHERE e.session_id = s.id) FROM sessions s WHERE s.uid = ANY(%s)",
                            ([r[1] for r in chunk],)))
        for _sid, uid, chair, _state, sent, _n, _epoch, _hash in chunk:
            n = int(have.get(uid, 0))
            if n < sent:
                out.append({"chair": chair, "uid": uid, "confirmed": sent, "server": n, "events": sent - n})
    return out


@dataclass(frozen=True)
class Resent:
    kind: str  # "healed", "fenced" (taken over meanwhile) or "refused" (kept, shown, waiting)
    sid: int
    text: str = ""
    events: int = 0  # "healed": how many the server has again


def resend(db: sqlite3.Connection, st: Station, f: Finding, answered: Callable[[], None]) -> Resent:
    """Send again exactly the events the server once confirmed and lost (a restore), as a heal: the
    lease is left as it is. The outbox's own count moves only when the server has them all; a refusal
    rewinds it to the first event the server lacks, so the normal sends try again from there."""
    row = odb.sending(db, f.sid)
    sid, sent, _n, epoch, uid, chair = row[:6]
    at, last_hash = f.start, None
    odb.forget_hash(db, sid)
    try:
        sess, meta = infusion_of(row)
        while at < sent:
            evs, damaged = odb.batch(db, sid, at, min(odb.batch_size(), sent - at), meta)
            if evs:
                have, _added, _epoch, last_hash = st.append(sess, evs, epoch, heal=True)
                at = max(at, min(have, sent))
                answered()
                if have > sent:
                    last_hash = None  # the server's last event is not this outbox's last confirmed one
            if damaged:
                raise Refused(damaged)
            if not evs:
                break
    except Fenced as exc:
        return Resent("fenced", sid, str(exc))
    except Refused as exc:
        odb.unsend(db, sid, at)
        return Resent("refused", sid, f"chair {chair}: {exc}")
    odb.healed(db, sid, sent - f.start, last_hash)
    return Resent("healed", sid, events=sent - f.start)
