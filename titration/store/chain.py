"""Walking a store's hash chain and checking its caches: the same for SQLite and the server.

The caches outside the chain: status and product are checked against the events; the
simulation speed is inside the chain since version 3 (for older sessions nothing else records
it); the heartbeat (alive time) stays outside and is checked for sense.

A row that cannot be read (bytes that are not UTF-8, a body that is not JSON, numbers out of
range) is reported as damaged with its row, session and sequence number; the walk goes on.
"""
from __future__ import annotations

import json
import struct
from typing import Iterable

from ..session import Session
from .base import GENESIS, _payload, _set_aside, by, chain_hash

CLOCK_SLACK_S = 300.0  # a workstation clock stepped back by its time service is not tampering


def text(value) -> str | None:
    """A column read as bytes, as text; None if it is not UTF-8."""
    if value is None or isinstance(value, str):
        return value
    try:
        return bytes(value).decode("utf-8")
    except UnicodeDecodeError:
        return None


def body_of(raw) -> tuple[dict | None, str]:
    """(event, "") or (None, what is wrong with the stored body)."""
    t = text(raw)
    if t is None:
        return None, "its bytes are not UTF-8 text (damaged)"
    try:
        ev = json.loads(t)
    except ValueError:
        return None, "its body is not JSON (damaged)"
    if not isinstance(ev, dict):
        return None, "its body is not an event (damaged)"
    return ev, ""


def _fhex(x) -> str:
    return struct.pack(">d", float(x)).hex()


def server_payload(meta: dict, seq: int, wall: float, ws, nurse, login, received: float, body: str) -> str:
    """What the unit server hashes for an event it chained itself (form 2; pg_functions.ivig_payload):
    every field length-prefixed, floats as their IEEE-754 bits, so both sides write it alike."""
    fields = (str(meta["id"]), meta.get("uid"), meta["chair"], meta["patient_id"], "t" if meta["training"] else "f",
              _fhex(meta["wall_start"]), _fhex(meta.get("speed", 1.0)), str(seq), _fhex(wall), ws, nurse, login,
              _fhex(received), body)
    return "".join("~" if f is None else f"{len(f)}:{f}" for f in fields)


def _expected(prev_hash, meta, seq, wall, ev, body, ws, nurse, form, login, received) -> str | None:
    try:
        if form in (2, 3):
            return chain_hash(prev_hash or "", server_payload(meta, seq, float(wall), ws, nurse, login,
                                                              float(received), text(body)))
        return chain_hash(prev_hash or "", _payload(meta, seq, float(wall), ev, by(ws, nurse)))
    except (ValueError, TypeError, OverflowError, struct.error):
        return None


def walk(rows: Iterable[tuple], meta: dict[int, dict], head: tuple[int, str],
         heads: dict[int, tuple[int, str]] | None = None) -> list[str]:
    """rows: (row id, session id, seq, wall, body, prev_hash, hash, workstation, nurse[, form, login,
    received]) in write order. Form 1 rows were chained by the workstation (the SQLite journal,
    and the unit server before version 2), form 2 rows by the unit server itself, both into one
    chain whose end is `head`. Form 3 rows (the unit server since version 3) are chained per
    infusion, each after its infusion's previous event, and `heads` holds each infusion's end."""
    problems: list[str] = []
    prev, n = GENESIS, 0
    next_seq: dict[int, int] = {}
    last: dict[int, str] = {}  # session id -> its last event's hash (form 3 chains after it)
    for rid, sid, seq, wall, body, prev_hash, h, ws, nurse, *rest in rows:
        form, login, received = rest if rest else (1, None, None)
        seq = seq if isinstance(seq, int) else -1
        where = f"event row {rid} (session {sid}, event #{seq + 1})"
        prev_hash, h, ws, nurse = text(prev_hash), text(h), text(ws), text(nurse)
        if (last.get(sid, GENESIS) if form == 3 else prev) != prev_hash:
            problems.append(f"{where}: the chain is broken before it (a row was deleted or changed)")
        if seq != next_seq.get(sid, 0):
            problems.append(f"{where}: session {sid} is missing event #{next_seq.get(sid, 0) + 1}")
        next_seq[sid] = seq + 1
        ev, why = body_of(body)
        if why:
            problems.append(f"{where}: {why}")
        elif sid not in meta:
            problems.append(f"{where}: its session is missing (deleted)")
        else:
            expected = _expected(prev_hash, meta[sid], seq, wall, ev, body, ws, nurse, form, text(login), received)
            if expected != h:
                problems.append(f"{where}: its content does not match its hash (edited)")
        last[sid] = h
        if form != 3:
            prev, n = h, n + 1
    for sid, (hn, hh) in (heads or {}).items():
        if (hn, hh) != (next_seq.get(sid, 0), last.get(sid)):
            problems.append(f"session {sid}: the server records {hn} events ending in {str(hh)[:12]}..., but holds "
                            f"{next_seq.get(sid, 0)} ending in {str(last.get(sid))[:12]}... (events at the end were "
                            "removed or added)")
    head_n, head_hash = head
    if head_n != n or head_hash != prev:
        problems.append(f"the journal records {head_n} events ending in {str(head_hash)[:12]}..., but holds {n} "
                        f"ending in {str(prev)[:12]}... (events at the end were removed or added)")
    for sid in meta:
        if sid not in next_seq:
            problems.append(f"session {sid} has no events (they were deleted)")
    return problems


# An infusion whose chained events are all intact but do not make an infusion (a record stored by
# an older server that did not check the events' shape): that infusion's problem, not the chain's.
NO_REPLAY = "its events do not replay"


def check_caches(store) -> list[str]:
    """Recovery trusts the cached status (and the listing the product) to skip finished
    infusions: they must match what the events say."""
    out = []
    for d in store.sessions(states=False):  # the cached status, as recovery reads it (the server keeps none)
        sid, cached = d["id"], d["status"]
        evs = [ev for _, _, ev, why in store.event_rows(sid) if not why]  # a read that fails is not damage: raised
        try:
            s = Session.replay(evs)
        except Exception as exc:  # noqa: BLE001 - reported, not raised
            out.append(f"session {sid}: {NO_REPLAY} ({exc})")
            continue
        allowed = {s.status} | ({"set-aside"} if _set_aside(s) else set())
        # The server keeps no status (None): its board works the state out from the events.
        if cached is not None and cached not in allowed:
            out.append(f"session {sid}: recorded as '{cached}' but its events say '{s.status}' "
                       "(changed by hand? recovery would miss it)")
        if d.get("product") not in (None, s.original_plan.request.product):
            out.append(f"session {sid}: listed as product '{d['product']}' but its plan is for "
                       f"'{s.original_plan.request.product}' (changed by hand?)")
        # The heartbeat stays outside the chain (one row every half minute would swamp it); it
        # can only be a time after the infusion's record began.
        if d.get("alive_wall") is not None and d.get("first_wall") is not None and \
                d["alive_wall"] < d["first_wall"] - CLOCK_SLACK_S:
            out.append(f"session {sid}: its last sign of life is before its record began (changed by hand? "
                       "recovery would count the time away wrongly)")
    return out
