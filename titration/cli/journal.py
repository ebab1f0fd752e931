"""`journal` (list, verify) and the journaled `simulate --db PATH|URL --speed N`.

    python main.py journal --db PATH|URL [--json]     sessions, their events and derived state
    python main.py journal verify --db PATH|URL       exit 0 if intact, 1 if the record is damaged, 2 if it
                                                      cannot be read to the end (the server stopped answering)

Listing and verifying open the journal read-only: they work while the app has it open, and never
change, move or create a journal. Exit 2 (and one line) when it cannot be read at all: not a
journal, no permission, made by a newer version, the server unreachable. The listing streams:
one session's events at a time, never the whole journal in memory.
"""
from __future__ import annotations

import json
import sys
import time
from datetime import datetime

from ..errors import InputError, TitrationError
from ..words import count
from . import export
from .args import add_db, choice


def given_db(a):
    """--db as given: None when not given; an empty value is refused, never replaced by the default."""
    db = getattr(a, "db", None)
    if db is not None and not str(db).strip():
        raise InputError("--db", db, "a journal file or a postgresql:// URL (it was empty)")
    return db


def _path(a):
    from ..store.base import default_path

    return given_db(a) or default_path()


def _date_time(wall: float | None) -> str:
    return "" if wall is None else datetime.fromtimestamp(wall).strftime("%Y-%m-%d %H:%M:%S")  # to the second: a record


def _open(path):
    from ..store.base import JournalError
    from ..store.journal import Journal

    try:
        return Journal(path, readonly=True)
    except JournalError as exc:
        if "there is no journal file" in str(exc):
            raise InputError("--db", str(path), "an existing journal file") from None
        raise


def cmd_journal(a) -> int:
    if a.action == "export":
        return export.cmd_export(a)
    export.refuse_export_options(a)
    path = _path(a)
    if a.action == "verify":
        return _verify(path, a.json)
    j = _open(path)
    try:
        items = sessions_out(j, training=False if a.real else None)
        if a.json:
            _stream_json(j, items)
        else:
            _print_text(j, items)
    finally:
        j.close()
    return 0


def _print_text(j, items) -> None:
    from ..store.base import printable

    first = True
    for s, events in items:
        if first:
            print(f"journal {j.path}: {count(s['of'], 'session')}")
            first = False
        tag = "  TRAINING" if s["training"] else ""
        who = f"patient {printable(s['patient_id'])}" if s["patient_id"] else "no patient id"
        vol = "" if s["delivered_volume_ml"] is None else f"  {s['delivered_volume_ml']:g} of {s['volume_ml']:g} mL"
        print(f"\n#{s['id']}  {s['started']}  chair {printable(s['chair'])}  {who}  {printable(s['product_name'])}  "
              f"{printable(s['state'])}{vol}{tag}")
        for e in events:
            if "damaged" in e:
                print(f"  DAMAGED event row {e['row']} (event #{e['seq'] + 1}): {e['damaged']}")
                continue
            extra = e.get("reason") or ", ".join(map(str, e.get("symptoms") or [])) or e.get("text", "")
            if not extra and isinstance(e.get("rate_ml_h"), (int, float)):
                extra = f"{e['rate_ml_h']:g} mL/h"
            at = e.get("at_min", 0)
            at = f"{at:7.1f}" if isinstance(at, (int, float)) and not isinstance(at, bool) else f"{str(at):>7}"
            print(f"  {at}  {printable(e.get('kind', '?')):<9} {printable(e.get('who', '')):<8} {printable(extra)}")
    if first:
        print(f"journal {j.path}: 0 sessions")


def _stream_json(j, items) -> None:
    """The same document `json.dumps` would give, written one event at a time."""
    w = sys.stdout.write
    w('{\n "journal": ' + json.dumps(str(j.path)) + ',\n "sessions": [')
    for n, (s, events) in enumerate(items):
        s = {k: v for k, v in s.items() if k != "of"}
        w(("," if n else "") + "\n  " + json.dumps(s)[:-1] + ', "events": [')
        for m, e in enumerate(events):
            w(("," if m else "") + "\n   " + json.dumps(e))
        w("]}")
    w("\n ]\n}\n")


def sessions_out(j, training: bool | None = None):
    """(session item, its events streamed) for each session; damaged rows are listed as such."""
    from ..session import Session
    from ..store.base import _set_aside

    listed = j.sessions(training=training)
    for d in listed:
        item = {"id": d["id"], "chair": d["chair"], "patient_id": d["patient_id"], "training": d["training"],
                "started": _date_time(d["wall_start"]), "wall_start": d["wall_start"],
                "last_written": _date_time(d["last_wall"]), "product": d["product"], "product_name": d["product"],
                "state": d["status"], "delivered_volume_ml": None, "volume_ml": None, "of": len(listed)}
        try:
            s = Session.replay(ev for _, _, ev, why in j.store.event_rows(d["id"]) if not why)
            last = s.events[-1].at_min
            st = s.state
            item.update({
                "state": "set aside" if _set_aside(s) else s.status, "product_name": s.original_plan.product_name,
                "delivered_volume_ml": round(s.delivered_ml(last), 1), "volume_ml": round(s.volume_ml, 1),
                "rate_ml_h": st.rate_ml_h, "end_min": st.end_min, "highest_grade": st.highest_grade,
                "tolerated_ml_h": st.tolerated_ml_h, "reactions": st.reactions, "library": s.library,
            })
            del s
        except (TitrationError, KeyError, TypeError, ValueError) as exc:  # a record that no longer replays: shown
            # as it is, with why (a malformed event's missing key or bad value included)
            item["state"] = f"unreadable: {exc}"
        yield item, _events_of(j, d["id"])


def _events_of(j, sid: int):
    # The full plan is in the record; the listing names it rather than printing it.
    for rid, seq, ev, why in j.store.event_rows(sid):
        if why:
            yield {"row": rid, "session": sid, "seq": seq, "damaged": why}
        else:
            yield {k: v for k, v in ev.items() if k != "plan"}


def journal_json(j, training: bool | None = None) -> dict:
    """The whole listing as one document (small journals, tests)."""
    out = []
    for item, events in sessions_out(j, training):
        item.pop("of")
        item["events"] = list(events)
        out.append(item)
    return {"journal": str(j.path), "sessions": out}


def _verify(path, as_json: bool) -> int:
    from ..store.base import JournalError, scrub
    from ..store.chain import NO_REPLAY

    label = scrub(str(path))
    try:
        j = _open(path)
    except JournalError as exc:
        if "is a journal of this app but it is damaged" not in str(exc):
            raise  # cannot read it at all: exit 2 with the advice
        problems, n_s, n_e = [str(exc)], 0, 0
    else:
        try:
            problems = j.verify()
            listed = j.sessions(states=False)
            n_s, n_e = len(listed), sum(d["n_events"] for d in listed)
        finally:
            j.close()
    unreplayable = [p for p in problems if NO_REPLAY in p]
    chain_intact = len(unreplayable) == len(problems)
    if as_json:
        print(json.dumps({"journal": label, "intact": not problems, "sessions": n_s, "events": n_e,
                          "problems": problems, "chain_intact": chain_intact, "unreplayable": unreplayable},
                         indent=1))
    elif problems and chain_intact:  # every event as it was stored; some infusions' records do not replay
        print(f"journal {label}: hash chain intact ({count(n_s, 'session')}, {count(n_e, 'event')}), but "
              f"{count(len(problems), 'infusion')} cannot be rebuilt from its events (shown as unreadable):")
        for p in problems:
            print(f"  - {p}")
    elif problems:
        print(f"journal {label}: BROKEN ({count(len(problems), 'problem')})")
        for p in problems:
            print(f"  - {p}")
    else:
        print(f"journal {label}: intact ({count(n_s, 'session')}, {count(n_e, 'event')}, hash chain verified)")
    return 1 if problems else 0


# ---------------------------------------------------------------------------- journaled simulation
FLUSH_S = 10.0  # at the end of a run, how long to wait for the unit server before leaving it to the outbox
# A journaled run ends within FLUSH_S plus the sender's bounded stop; exit 1 when events wait.


def simulate_journaled(a) -> int:
    """`simulate SCENARIO --db PATH [--speed N]`: journal each event as it happens, at N times
    real time (without --speed, as fast as the disk allows). Kill it at any moment: the journal
    holds every event up to the kill, and the next start recovers the infusion."""
    from ..catalogue_file import load_catalogue
    from ..plan import build_plan
    from ..policy import get_policy
    from ..session import Session
    from ..store.journal import Journal
    from ..timefmt import span_hm
    from ..training.scenario import protocol_steps, read_scenario, simulate_json

    db = given_db(a)
    if not db:
        raise InputError("--db", None, "a journal file or a postgresql:// URL: --speed journals the run as it "
                                       "happens (simulate SCENARIO --db PATH|URL --speed N)")
    speed = a.speed
    sc = read_scenario(a.scenario)
    out = sys.stderr if a.json else sys.stdout
    plan = build_plan(sc.request)
    s = Session(plan, get_policy(sc.policy), load_catalogue(), training=True)
    j = Journal(db)
    try:
        if j.notice:
            print(f"note: {j.notice}", file=out, flush=True)
        wall0 = time.time()
        sid = j.attach(s, chair="simulation", patient_id=sc.patient_id, training=True, wall_start=wall0,
                       speed=speed or 1.0)
        pace = f"at {speed:g}x real time" if speed else "as fast as possible"
        print(f"journal {j.path}: session {sid}, '{sc.title}' {pace} (training)", file=out, flush=True)

        def progress(e) -> None:  # after the journal's listener: the line means "on disk"
            extra = e.data.get("reason") or ", ".join(e.data.get("symptoms", [])) or e.data.get("text", "")
            if not extra and "rate_ml_h" in e.data:
                extra = f"{e.data['rate_ml_h']:g} mL/h"
            print(f"{span_hm(e.at_min):>8}  {e.at_min:7.1f} min  {e.kind:<9} {extra}  [journaled #{len(s.events)}]",
                  file=out, flush=True)

        s.listeners.append(progress)

        def wait_until(t: float) -> None:
            if speed:
                delay = wall0 + t * 60.0 / speed - time.time()
                if delay > 0:
                    time.sleep(delay)

        if "behaviour" in sc.raw:
            # A simulated patient: run it in memory, then journal its events at their own times.
            from ..training.run import run_with_patient

            for e in run_with_patient(sc).events[1:]:
                wait_until(e.at_min)
                s.apply(e)
        else:
            for t in protocol_steps(sc, s, datetime.fromtimestamp(wall0).date()):
                wait_until(t)
        waiting = j.flush(FLUSH_S) if j.outbox is not None else 0
        if waiting:
            why = j.outbox.problem() or "; ".join(list(j.outbox.refused.values()) + list(j.outbox.fenced.values())) \
                or f"not sent within {FLUSH_S:g} s"
            print(f"note: {count(waiting, 'event')} wait for the unit server ({why}); they are kept on this "
                  "workstation and sent at its next start (or `python main.py unit send`)", file=out, flush=True)
        if j.damaged:
            from ..store.salvage import damaged_line

            print(f"note: {damaged_line(j.damaged)}", file=out, flush=True)
    finally:
        j.close()
    res = simulate_json(s)
    if a.json:
        res["journal"] = {"path": str(j.path), "session_id": sid, "waiting": waiting}
        print(json.dumps(res, indent=1))
    else:
        print(f"{res['outcome']} at {res['end_min']} min, {res['delivered_volume_ml']} of {res['volume_ml']} mL; "
              f"journal session {sid}" + (f"; {count(waiting, 'event')} NOT YET ON THE UNIT SERVER" if waiting else ""))
    return 1 if waiting or j.damaged else 0


def add_parser(sub) -> None:
    p = sub.add_parser("journal", help="list the journal's infusions (default), or verify its hash chain",
                       description="List the infusions in the journal with their events and state, or 'verify' "
                                   "that no recorded event was edited or deleted (exit 1 if so).")
    p.add_argument("action", nargs="?", default="list", metavar="list|verify|export",
                   type=choice("action", ("list", "verify", "export")), help="list (default), verify, or export")
    add_db(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--real", action="store_true", help="real infusions only (leave out training)")
    export.add_arguments(p)
    p.set_defaults(handler=cmd_journal)
