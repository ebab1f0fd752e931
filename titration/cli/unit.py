"""`unit`: the unit server (PostgreSQL) that the unit's workstations share.

    python main.py unit init --db URL            create or upgrade the schema, the roles and functions
    python main.py unit status --db URL [--json] every chair of the unit, and this workstation's outbox
    python main.py unit send --db URL            send what this workstation's outbox still holds
    python main.py unit salvage --db URL         recover a damaged outbox's readable events
    python main.py unit report --db PATH|URL --from DATE --to DATE --out FILE.pdf|.html [--training]

URL: a postgresql:// URL or a libpq keyword string (`host=db dbname=ivig user=ws1`). Credentials
come from libpq's places (~/.pgpass, PGPASSWORD, a service file): a password in the string is
refused, and no message ever shows one. `send` and `salvage` exit 1 when events still wait.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from ..errors import InputError
from ..timefmt import wall_time
from ..words import count
from . import unit_report
from .args import add_db, add_json, choice

ACTIONS = ("init", "status", "send", "salvage", "report")


def _url(a) -> str:
    from ..store.base import default_db, is_url, scrub
    from .journal import given_db

    db = given_db(a) or default_db()
    if not is_url(str(db)):
        raise InputError("--db", scrub(str(db)), "a postgresql:// URL or a libpq connection string "
                                                "(host=... dbname=...) of the unit server")
    return str(db).strip()


def _time_of(wall) -> str:
    return "" if wall is None else wall_time(wall)


def _outbox_path() -> Path:
    from ..store.base import local_default

    return Path(os.environ.get("IVIG_OUTBOX") or local_default())


def cmd_unit(a) -> int:
    if a.action == "report":  # a journal file or the unit server
        return unit_report.cmd_report(a)
    unit_report.refuse_report_options(a)
    url = _url(a)
    return {"init": _init, "send": _send, "salvage": _salvage, "status": _status}[a.action](url, a)


def _init(url: str, a) -> int:
    from ..store.base import scrub
    from ..store.pg_store import ROLE_NAMES, init_schema

    before, now = init_schema(url)
    what = "created" if before == 0 else "already at" if before == now else f"upgraded from schema {before} to"
    print(f"unit server {scrub(url)}: schema {what} {now}")
    owner, ws, lib = ROLE_NAMES
    print(f"roles: {owner} owns the record (it cannot log in); {ws} may read and call the server's functions, "
          f"nothing else. Give each workstation its own login: CREATE ROLE bay_a_1 LOGIN IN ROLE {ws}; then run "
          "`unit init` again: it gives each login its time limits")
    print(f"the drug library: {lib} may publish, approve and activate library versions (and read them), nothing "
          f"else; give it the logins of the unit's pharmacists and senior nurses: CREATE ROLE pharm_1 LOGIN IN ROLE "
          f"{lib};")
    return 0


def _send(url: str, a) -> int:
    from ..store.journal import Journal
    from ..store.salvage import damaged_line

    j = Journal(url, start_sender=False)
    try:
        ok = j.outbox.send_now()
        left = j.waiting()
        st = j.outbox.status()
        damaged = list(j.damaged)
    finally:
        j.close()
    print(f"sent {count(st['sent'], 'event')}; {left} waiting" + ("" if ok else f" ({st['unreachable']})"))
    lines = _outbox_lines(st)
    if damaged:
        lines.append(damaged_line(damaged))
    for line in lines:
        print(f"  {line}")
    problems = [k for k in ("refused", "fenced", "changed", "superseded") if st[k]]
    return 0 if ok and not left and not damaged and not problems else 1


def _outbox_lines(st: dict) -> list[str]:
    from ..store.base import printable

    out = []
    for uid, n in st["healed"].items():
        chair = printable(st["chairs"].get(uid, uid))
        out.append(f"healed: the unit server lacked {count(n, 'event')} of chair {chair} "
                   "(restored from a backup?): sent again")
    out += [f"not accepted, kept here: {printable(why)}" for why in st["refused"].values()]
    out += [f"taken over elsewhere, kept here: {printable(why)}" for why in st["fenced"].values()]
    out += [f"DIFFERS ON THE SERVER: {printable(why)}" for why in st["changed"].values()]
    out += [f"kept here, never sent: {printable(why)}" for why in st["superseded"].values()]
    return out


def _salvage(url: str, a) -> int:
    from ..store.journal import Journal, JournalError
    from ..store.pg_store import PgStore
    from ..store.salvage import salvage, unsalvaged

    if not _outbox_path().exists() and not unsalvaged(_outbox_path()):
        print(f"nothing to salvage: there is no outbox at {_outbox_path()}")
        return 0
    j = Journal(url, start_sender=False)
    try:
        asides = unsalvaged(j.local.path)
        if not asides:
            print(f"nothing to salvage: no damaged copy of the outbox {j.local.path}")
            return 0
        try:
            server = PgStore(url, readonly=True)
        except JournalError as exc:
            server = None
            print(f"note: the unit server cannot fill gaps now ({exc}); recovering what this workstation holds")
        complete = True
        try:
            for aside in asides:
                r = salvage(j, aside, server)
                complete = complete and r.complete
                print(f"{r.file}: {count(r.events, 'event')} of {count(r.infusions, 'infusion')} recovered into "
                      f"{j.local.path}"
                      + (f" ({r.from_server} taken from the server's copy)" if r.from_server else "")
                      + (f"; {count(r.unreadable, 'row')} could not be read here" if r.unreadable else "")
                      + (f"; {count(r.dropped, 'event')} after a gap nobody could fill stay only in the damaged copy"
                         if r.dropped else "") + f"; kept as {r.file}.salvaged")
                for note in r.notes:
                    print(f"  {note}")
        finally:
            if server is not None:
                server.close()
        ok = server is not None and j.outbox.send_now()
        left = j.waiting()
    finally:
        j.close()
    print(f"{count(left, 'event')} waiting for the unit server"
          + ("" if ok else ": `unit send` sends them when it answers"))
    return 0 if ok and not left and complete else 1


def _status(url: str, a) -> int:
    """Every chair of the unit (worked out from the events on the server), and this workstation's
    outbox; exit 1 whenever something is wrong on this workstation: events waiting, kept or refused,
    a damaged outbox, events the server once confirmed and lacks now (restored from a backup?)."""
    from ..store.base import printable
    from ..store.pg_store import PgStore

    store = PgStore(url, readonly=True)
    try:
        rows = store.summaries()
        here = _workstation(store)
    finally:
        store.close()
    wrong = _wrong(here)
    library = _library(url)
    if a.json:
        print(json.dumps({"server": store.path, "chairs": rows, "workstation": here, "library": library}, indent=1))
        return 1 if wrong else 0
    print(f"unit server {store.path}: {count(len(rows), 'chair')}")
    print(f"drug library: {library['line']}")
    for r in rows:
        login = f" (login {printable(r['login'])})" if r.get("login") else ""
        who = f"driven from {printable(r['held_by'])}{login}" if r["held_by"] else \
            f"NOT HELD (last {printable(r['last_holder'])}{login}, lease expired)" if r["lease_expired"] else "not held"
        due = f"; next: {printable(r.get('next_due', ''))} at {_time_of(_due(r))}" if r.get("next_due") else ""
        alerts = f"; ALERT: {printable(', '.join(map(str, r['alerts'])))}" if r.get("alerts") else ""
        tag = " TRAINING" if r["training"] else ""
        print(f"  {printable(r['chair']):<12} {printable(r['patient_id']) or '-':<10} "
              f"{printable(r.get('product_name', ''))} {printable(r['status'])} {_num(r.get('rate_ml_h'))} mL/h "
              f"step {_num(r.get('step'))}/{_num(r.get('steps'))}; {who}{due}{alerts}{tag}")
    for line in _here_lines(here):
        print(line)
    return 1 if wrong else 0


def _wrong(here: dict) -> bool:
    return bool(here.get("damaged") or here.get("error") or here.get("waiting") or here.get("kept")
                or here.get("lacking"))


def _library(url: str) -> dict:
    """The unit's active library version and the one this workstation keeps (what it plans with)."""
    from ..library.cache import last_good, running
    from ..store.base import JournalError
    from ..store.library_server import LibraryRefused, LibraryServer

    kept = last_good()
    out: dict = {"kept_here": None if kept is None else {"version": kept[0], "content_hash": kept[1]},
                 "bundled": running().to_dict(), "active": None}
    try:
        with LibraryServer(url) as srv:
            act = srv.active_number()
    except (JournalError, LibraryRefused) as exc:
        out["line"] = f"the unit server's active version could not be read ({exc})"
        return out
    here = (f"this workstation runs version {kept[0]} (kept {kept[1][:19]})" if kept is not None else
            f"this workstation keeps no version of the unit's yet: {running().line()}")
    if act is None:
        out["line"] = f"no version is active on the unit server: workstations run the bundled library ({here})"
        return out
    out["active"] = {"version": act[0], "content_hash": act[1]}
    same = kept is not None and kept[1] == act[1]
    out["line"] = (f"version {act[0]} ({act[1][:19]}) is active on the unit server; "
                   + (here if same else here + f"; it loads version {act[0]} at its next start or change"))
    return out


def _due(r: dict):
    """When the next thing is due, counted on the server's clock from when the last event reached it."""
    try:
        return r["server_now"] - r["event_age_s"] + (r["next_due_min"] - r["at_min"]) * 60.0 / (r.get("speed") or 1.0)
    except (KeyError, TypeError):
        return r.get("next_due_wall")


def _num(v) -> str:
    return f"{v:g}" if isinstance(v, (int, float)) and not isinstance(v, bool) else "?"


def _workstation(store) -> dict:
    """This workstation's outbox, read without opening it for writing (the app may be running)."""
    import sqlite3

    from ..store import outbox_db as odb
    from ..store.heal import lacking
    from ..store.journal import JournalError, SqliteStore
    from ..store.outbox import retention_s
    from ..store.salvage import unsalvaged

    path = _outbox_path()
    out: dict = {"outbox": str(path), "damaged": [p.name for p in unsalvaged(path)]}
    if not path.exists():
        return out
    try:
        local = SqliteStore(path, now=lambda: 0.0, readonly=True, own=True)
    except JournalError as exc:
        out["error"] = str(exc)
        return out
    try:
        out.update(odb.report(local.conn(), retention_s()))
        out["lacking"] = lacking(local.conn(), store, retention_s())
    except sqlite3.Error as exc:  # an outbox from before this version (no such column), or unreadable: say so
        out["error"] = f"this workstation's outbox {path} cannot be read: {exc}"
    finally:
        local.close()
    return out


def _here_lines(here: dict) -> list[str]:
    from ..store.base import printable
    from ..store.salvage import damaged_line

    out = []
    if "waiting" in here:
        out.append(f"this workstation (outbox {here['outbox']}): {count(here['waiting'], 'event')} waiting")
    for h in here.get("healed", []):
        out.append(f"  healed: the unit server lacked {count(h['events'], 'event')} of chair {printable(h['chair'])}; "
                   f"sent again at {_time_of(h['wall'])}")
    for g in here.get("lacking", []):
        out.append(f"  THE UNIT SERVER LACKS {count(g['events'], 'event')} of chair {printable(g['chair'])} that it "
                   f"confirmed to this workstation (it holds {g['server']} of {g['confirmed']}; restored from a "
                   "backup?): `python main.py unit send` sends them again")
    for k in here.get("kept", []):
        out.append(f"  kept here, not sent ({count(k['events'], 'event')}): {printable(k['why'])}")
    if here.get("error"):
        out.append(f"  {here['error']}")
    if here.get("damaged"):
        out.append("  " + damaged_line([Path(n) for n in here["damaged"]]))
    return out


def add_parser(sub) -> None:
    p = sub.add_parser("unit", help="the unit server: init, status, send, salvage; the unit's quality report",
                       description="Set up the unit server (init), list every chair of the unit (status), send this "
                                   "workstation's waiting events (send), recover a damaged outbox (salvage), or write "
                                   "the unit's quality report over a period (report: from a journal file or the "
                                   "unit server).")
    p.add_argument("action", metavar="init|status|send|salvage|report", type=choice("action", ACTIONS),
                   help="init: create or upgrade the schema and roles; status: list the chairs; send: empty the "
                        "outbox; salvage: recover a damaged outbox's events; report: the quality report "
                        "(--from DATE --to DATE --out FILE.pdf|.html [--training])")
    add_db(p, "the unit server: a postgresql:// URL or a libpq connection string (default: $IVIG_DB); for report, "
              "a journal file too")
    add_json(p)
    unit_report.add_arguments(p)
    p.set_defaults(handler=cmd_unit)
