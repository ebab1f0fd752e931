"""`journal` (list, verify) and the journaled `simulate --db PATH --speed N`.

    python main.py journal --db PATH [--json]     sessions, their events and derived state
    python main.py journal verify --db PATH       exit 0 if intact, 1 if the record is broken

Listing and verifying open the file read-only: they work while the app has it open, and never
change, move or create a journal.
"""
from __future__ import annotations

import json
import sys
import time
from datetime import datetime

from ..errors import InputError
from .args import add_db, choice


def _path(a):
    from ..store.journal import default_path

    return getattr(a, "db", None) or default_path()


def _clock(wall: float | None) -> str:
    return "" if wall is None else datetime.fromtimestamp(wall).strftime("%Y-%m-%d %H:%M:%S")


def cmd_journal(a) -> int:
    from ..store.journal import Journal

    path = _path(a)
    if a.action == "verify":
        return _verify(path, a.json)
    j = Journal(path, readonly=True)
    try:
        out = journal_json(j, training=False if a.real else None)
    finally:
        j.close()
    if a.json:
        print(json.dumps(out, indent=1))
        return 0
    print(f"journal {out['journal']}: {len(out['sessions'])} session(s)")
    for s in out["sessions"]:
        tag = "  TRAINING" if s["training"] else ""
        who = f"patient {s['patient_id']}" if s["patient_id"] else "no patient id"
        vol = "" if s["delivered_volume_ml"] is None else f"  {s['delivered_volume_ml']:g} of {s['volume_ml']:g} mL"
        print(f"\n#{s['id']}  {s['started']}  chair {s['chair']}  {who}  {s['product_name']}  {s['state']}{vol}{tag}")
        for e in s["events"]:
            extra = e.get("reason") or ", ".join(e.get("symptoms", [])) or e.get("text", "")
            if not extra and "rate_ml_h" in e:
                extra = f"{e['rate_ml_h']:g} mL/h"
            print(f"  {e['at_min']:7.1f}  {e['kind']:<9} {e.get('who', ''):<8} {extra}")
    return 0


def journal_json(j, training: bool | None = None) -> dict:
    sessions = []
    from ..store.journal import _set_aside

    for d in j.sessions(training=training):
        events = j.events(d["id"])
        item = {"id": d["id"], "chair": d["chair"], "patient_id": d["patient_id"], "training": d["training"],
                "started": _clock(d["wall_start"]), "wall_start": d["wall_start"],
                "last_written": _clock(d["last_wall"]),
                "product": d["product"], "product_name": d["product"], "state": d["status"],
                "delivered_volume_ml": None, "volume_ml": None}
        try:
            from ..session import Session

            s = Session.replay(events)
            last = s.events[-1].at_min
            st = s.state
            item.update({
                "state": "set aside" if _set_aside(s) else s.status, "product_name": s.original_plan.product_name,
                "delivered_volume_ml": round(s.delivered_ml(last), 1), "volume_ml": round(s.volume_ml, 1),
                "rate_ml_h": st.rate_ml_h, "end_min": st.end_min, "highest_grade": st.highest_grade,
                "tolerated_ml_h": st.tolerated_ml_h, "reactions": st.reactions,
            })
        except Exception as exc:  # noqa: BLE001 - show the record even if it no longer replays
            item["state"] = f"unreadable: {exc}"
        # The full plan is in the record; the listing names it rather than printing it.
        item["events"] = [{k: v for k, v in e.items() if k != "plan"} for e in events]
        sessions.append(item)
    return {"journal": str(j.path), "sessions": sessions}


def _verify(path, as_json: bool) -> int:
    from ..store.journal import Journal, JournalError

    try:
        j = Journal(path, readonly=True)
    except JournalError as exc:
        if "there is no journal file" in str(exc):
            raise InputError("--db", str(path), "an existing journal file") from None
        problems, n_s, n_e = [str(exc)], 0, 0
    else:
        try:
            problems = j.verify()
            n_s = len(j.sessions())
            n_e = sum(d["n_events"] for d in j.sessions())
        finally:
            j.close()
    if as_json:
        print(json.dumps({"journal": str(path), "intact": not problems, "sessions": n_s, "events": n_e,
                          "problems": problems}, indent=1))
    elif problems:
        print(f"journal {path}: BROKEN ({len(problems)} problem(s))")
        for p in problems:
            print(f"  - {p}")
    else:
        print(f"journal {path}: intact ({n_s} sessions, {n_e} events, hash chain verified)")
    return 1 if problems else 0


# ---------------------------------------------------------------------------- journaled simulation
def simulate_journaled(a) -> int:
    """`simulate SCENARIO --db PATH [--speed N]`: journal each event as it happens, at N times
    real time (without --speed, as fast as the disk allows). Kill it at any moment: the journal
    holds every event up to the kill, and the next start recovers the infusion."""
    from ..plan import build_plan
    from ..policy import get_policy
    from ..reactions import load_catalogue
    from ..report.table import clock
    from ..session import Session
    from ..store.journal import Journal
    from ..training.scenario import protocol_steps, read_scenario, simulate_json

    db = getattr(a, "db", None)
    if not db:
        raise InputError("--db", None, "a journal file: --speed journals the run as it happens "
                                       "(simulate SCENARIO --db PATH --speed N)")
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
        sid = j.attach(s, chair="simulation", patient_id=None, training=True, wall_start=wall0, speed=speed or 1.0)
        pace = f"at {speed:g}x real time" if speed else "as fast as possible"
        print(f"journal {j.path}: session {sid}, '{sc.title}' {pace} (training)", file=out, flush=True)

        def progress(e) -> None:  # after the journal's listener: the line means "on disk"
            extra = e.data.get("reason") or ", ".join(e.data.get("symptoms", [])) or e.data.get("text", "")
            if not extra and "rate_ml_h" in e.data:
                extra = f"{e.data['rate_ml_h']:g} mL/h"
            print(f"{clock(e.at_min):>8}  {e.at_min:7.1f} min  {e.kind:<9} {extra}  [journaled #{len(s.events)}]",
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
            for t in protocol_steps(sc, s):
                wait_until(t)
    finally:
        j.close()
    res = simulate_json(s)
    if a.json:
        res["journal"] = {"path": str(j.path), "session_id": sid}
        print(json.dumps(res, indent=1))
    else:
        print(f"{res['outcome']} at {res['end_min']} min, {res['delivered_volume_ml']} of {res['volume_ml']} mL; "
              f"journal session {sid}")
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("journal", help="list the journal's infusions (default), or verify its hash chain",
                       description="List the infusions in the journal with their events and state, or 'verify' "
                                   "that no recorded event was edited or deleted (exit 1 if so).")
    p.add_argument("action", nargs="?", default="list", metavar="list|verify",
                   type=choice("action", ("list", "verify")), help="list (default) or verify")
    add_db(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--real", action="store_true", help="real infusions only (leave out training)")
    p.set_defaults(handler=cmd_journal)
