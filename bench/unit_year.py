"""A year of a 12-chair day unit as a journal: about 9,000 infusions (12 chairs, three a day, on the
weekdays of 2027), each driven through the real Session as a nurse would: baseline vitals, the
start, the steps confirmed a few minutes after they fall due, observations every 15 min while
titrating and hourly at the maximum (a few late, a few missed), reactions now and then (their
proposals confirmed, sometimes overridden with a reason), a unit cap set aside now and then, a
refused resume above a hard limit, the end, and the observation hour.

`make_year(path)` writes a SQLite journal (one transaction per day: a valid hash chain, as the app
writes it); `python bench/unit_year.py PATH [N]` does the same from the command line. The unit's
quality report is measured on it (bench/unit_report.py).
"""
from __future__ import annotations

import os
import random
import sys
import time
from datetime import datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import ROOT  # noqa: F401  (puts the repository on sys.path)

PRODUCTS = [("octagam-10", "itp", 0.30), ("privigen", "pi", 0.25), ("privigen", "cidp", 0.15),
            ("gamunex-c", "pi", 0.15), ("gammaplex-10", "itp", 0.15)]
SYMPTOMS = {"mild": [["headache"], ["chills"], ["flushing"], ["nausea"], ["back-pain"]],
            "moderate": [["rigors"], ["urticaria"], ["chest-tightness"], ["vomiting"]],
            "severe": [["wheeze"], ["chest-pain"]]}
OVERRIDE_REASONS = ["patient asked to carry on: symptoms minimal", "discussed with the registrar: continue",
                    "symptoms settled at once"]
CAP_REASONS = ["prescriber: tolerated the full rate last course", "registrar agreed: no cap today"]
CHAIRS = [f"Bay {'AB'[i // 6]}/{i % 6 + 1}" for i in range(12)]


def one_infusion(rng: random.Random, chair: str, patient: str, training: bool = False):
    """(Session, wall-time offset of the end of the observation in minutes), driven to its close."""
    from titration.plan import PlanRequest, build_plan
    from titration.session import Session
    from titration.vitals import Vitals

    product, indication = rng.choices([(a, b) for a, b, _ in PRODUCTS], [w for *_, w in PRODUCTS])[0]
    kg = round(rng.uniform(48, 105), 1)
    dose = rng.choice([0.4, 0.5, 1.0, 1.0]) if indication != "pi" else rng.choice([0.3, 0.4, 0.5, 0.6])
    kw = {}
    if rng.random() < 0.05:  # the unit's pump cap, set aside with a reason
        kw = {"max_ml_h": 150.0, "overrides": (("unit-cap", rng.choice(CAP_REASONS)),)}
    plan = build_plan(PlanRequest(product, indication, kg, dose, **kw))
    s = Session(plan, training=training)
    base = Vitals(temp_c=36.8, pulse=72, sbp=124, dbp=78, spo2=98, rr=14)
    s.record_vitals(0, base)
    s.start(0)
    reaction = None
    if rng.random() < 0.09:
        grade = rng.choices(["mild", "moderate", "severe"], [0.72, 0.24, 0.04])[0]
        reaction = (rng.uniform(5, 100), rng.choice(SYMPTOMS[grade]))
    refused_at = rng.uniform(3, 25) if rng.random() < 0.004 else None
    t = 0.0
    for _ in range(4000):
        if s.status not in ("running", "paused"):
            break
        done = s.completion_at()
        if done is not None and done <= t + 1e-9:
            at = max(done + rng.uniform(0, 4), s.events[-1].at_min)
            p = s.due(at)
            if p is not None and p.action == "complete":
                s.confirm(at, p)
                break
        if reaction is not None and reaction[0] <= t:
            p = s.report_symptoms(t, reaction[1])
            reaction = None
            if p is not None:
                t += rng.uniform(0.5, 3)
                p = s.due(t)
            if p is not None:
                if p.action == "slow" and rng.random() < 0.3:
                    s.override(t, p, "continue", s.state.rate_ml_h, rng.choice(OVERRIDE_REASONS))
                else:
                    s.confirm(t, p)
            if s.status in ("running", "paused") and s.state.reaction is not None:
                t += rng.uniform(10, 25)
                s.resolved(t)
            continue
        if refused_at is not None and refused_at <= t and s.status == "running":
            s.pause(t, "line check")
            try:
                s.resume(t + 1, rate_ml_h=s.plan.rungs[-1].rate_ml_h * 2)  # refused: above a hard limit
            except Exception:  # noqa: BLE001 - the refusal is the point: it is journaled
                pass
            s.resume(t + 2)
            t += 2
            refused_at = None
            continue
        p = s.due(t)
        if p is not None and p.action != "complete":
            s.confirm(t, p)
            continue
        due = s.vitals_due(t)
        cands = [x for x in (s.next_due_at(), done, reaction[0] if reaction else None,
                             refused_at) if x is not None and x > t + 1e-9]
        if due is not None:
            slip = rng.choice([0.5, 1, 2, 3]) if rng.random() > 0.08 else rng.choice([7, 9, 12, 20])
            when = due[0] + slip
            if when <= t + 1e-9:
                if rng.random() > 0.02:  # now and then a round is missed
                    s.record_vitals(t, base)
                else:
                    s.note(t, "busy")
                continue
            cands.append(when)
        if not cands:
            break
        t = max(min(cands), s.events[-1].at_min)
    end = s.events[-1].at_min
    s.record_vitals(end + 1, base)
    close = end + 60 + rng.uniform(0, 10)
    s.record_vitals(close - 1, base)
    s.close_observation(close)
    return s, close


def make_year(path: str, infusions: int = 9000, seed: int = 2027, training_share: float = 0.02,
              outbox: bool = False) -> dict:
    """Write the journal; its figures (infusions, events, seconds). outbox=True: written as a
    workstation's outbox, every infusion waiting to be sent to a unit server (`unit send`)."""
    from titration.store.base import identity
    from titration.store.sqlite_store import SqliteStore, insert_events

    rng = random.Random(seed)
    store = SqliteStore(path, now=time.time)
    day = datetime(2027, 1, 4, 7, 30)
    made = events = 0
    sid_next = 1
    t0 = time.perf_counter()
    patients = [f"MRN{100000 + i}" for i in range(1600)]
    while made < infusions:
        if day.weekday() < 5:
            batch = []
            for chair in CHAIRS:
                start = day + timedelta(minutes=rng.uniform(0, 20))
                for _ in range(3):  # the unit closes at 19:00: no start after 17:00
                    if made + len(batch) >= infusions or start.hour >= 17 or start.date() != day.date():
                        break
                    training = rng.random() < training_share
                    pid = None if training else rng.choice(patients)
                    s, close = one_infusion(rng, chair if not training else "Training 1", pid, training)
                    wall = start.timestamp()
                    batch.append((chair if not training else "Training 1", pid, training, wall, s))
                    start += timedelta(minutes=close + rng.uniform(5, 15))

            def write(c, batch=batch):
                nonlocal sid_next
                for chair, pid, training, wall, s in batch:
                    cur = c.execute("INSERT INTO sessions(chair, patient_id, training, wall_start, created_wall, "
                                    "speed, product, uid, workstation, nurse) VALUES (?,?,?,?,?,?,?,?,?,?)",
                                    (chair, pid, int(training), wall, wall, 1.0, s.original_plan.request.product,
                                     f"year-{sid_next}", "bench", "nurse"))
                    sid = cur.lastrowid
                    sid_next += 1
                    meta = identity(sid, chair, pid, training, wall, f"year-{sid_next - 1}", 1.0)
                    walls = iter([wall + e.at_min * 60.0 for e in s.events])
                    insert_events(c, sid, meta, {"workstation": "bench", "nurse": "nurse"},
                                  [e.to_dict() for e in s.events], 0, lambda w=walls: next(w), s.status)
                    if outbox:
                        c.execute("INSERT INTO outbox(session_id, sent) VALUES (?, 0)", (sid,))
                return len(batch)

            made += store.tx(write, "writing a day of the bench unit")
            events += sum(len(b[4].events) for b in batch)
        day += timedelta(days=1)
    store.close()
    return {"infusions": made, "events": events, "seconds": time.perf_counter() - t0,
            "first_day": "2027-01-04", "last_day": (day - timedelta(days=1)).date().isoformat()}


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/ivig-unit-year.sqlite3"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 9000
    if os.path.exists(out):
        os.remove(out)
    print(make_year(out, n))
