"""`unit`: the unit server (PostgreSQL) that the unit's workstations share.

    python main.py unit init --db URL            create or upgrade the schema (versioned migrations)
    python main.py unit status --db URL [--json] every chair of the unit: who drives it, its state
    python main.py unit send --db URL            send what this workstation's outbox still holds

Credentials come from libpq's places (~/.pgpass, PGPASSWORD, a service file); a URL with a
password is refused, and no message ever shows one.
"""
from __future__ import annotations

import json

from ..errors import InputError
from ..timefmt import wall_time
from ..words import count
from .args import add_db, add_json, choice


def _url(a) -> str:
    from ..store.base import default_db, is_url, scrub
    from .journal import given_db

    db = given_db(a) or default_db()
    if not is_url(str(db)):
        raise InputError("--db", scrub(str(db)), "a postgresql:// URL of the unit server")
    return str(db)


def _time_of(wall) -> str:
    return "" if wall is None else wall_time(wall)


def cmd_unit(a) -> int:
    url = _url(a)
    if a.action == "init":
        from ..store.base import scrub
        from ..store.pg_store import init_schema

        before, now = init_schema(url)
        what = "created" if before == 0 else "already at" if before == now else f"upgraded from schema {before} to"
        print(f"unit server {scrub(url)}: schema {what} {now}" if before != now or before == 0
              else f"unit server {scrub(url)}: schema already at {now}")
        return 0
    if a.action == "send":
        from ..store.journal import Journal

        j = Journal(url, start_sender=False)
        try:
            ok = j.outbox.send_now()
            left = j.waiting()
        finally:
            j.close()
        print(f"sent {count(j.outbox.sent_total, 'event')}; {left} waiting"
              + ("" if ok else f" ({j.outbox.unreachable})"))
        return 0 if ok and not left else 1
    from ..store.pg_store import PgStore

    store = PgStore(url, readonly=True)
    try:
        rows = store.summaries()
    finally:
        store.close()
    if a.json:
        print(json.dumps({"server": store.path, "chairs": rows}, indent=1))
        return 0
    print(f"unit server {store.path}: {count(len(rows), 'chair')}")
    for r in rows:
        who = f"driven from {r['held_by']}" if r["held_by"] else \
            f"NOT HELD (last {r['last_holder']}, lease expired)" if r["lease_expired"] else "not held"
        due = f"; next: {r.get('next_due', '')} at {_time_of(r.get('next_due_wall'))}" if r.get("next_due") else ""
        alerts = f"; ALERT: {', '.join(r['alerts'])}" if r.get("alerts") else ""
        tag = " TRAINING" if r["training"] else ""
        print(f"  {r['chair']:<12} {r['patient_id'] or '-':<10} {r.get('product_name', '')} {r['status']} "
              f"{r.get('rate_ml_h', 0):g} mL/h step {r.get('step', 0)}/{r.get('steps', 0)}; {who}{due}{alerts}{tag}")
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("unit", help="the unit server: init, status, send",
                       description="Set up the unit server (init), list every chair of the unit (status), or send "
                                   "this workstation's waiting events (send).")
    p.add_argument("action", metavar="init|status|send", type=choice("action", ("init", "status", "send")),
                   help="init: create or upgrade the schema; status: list the chairs; send: empty the outbox")
    add_db(p, "the unit server: a postgresql:// URL (default: $IVIG_DB)")
    add_json(p)
    p.set_defaults(handler=cmd_unit)
