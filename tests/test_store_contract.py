"""One contract, two stores: what the SQLite journal promises holds on the unit server too.

Each test runs on a journal file and on a real PostgreSQL server (started by the tests, see
tests/pgserver.py). On the server the workstation still commits locally first (the outbox),
then `flush` waits for the server to hold everything; the checks read the server itself.
"""
import json
import sqlite3

import pytest

from titration.plan import PlanRequest, build_plan
from titration.session import Session
from titration.store.history import History
from titration.store.journal import Journal
from titration.vitals import Vitals

BASE = Vitals(temp_c=36.8, pulse=72, sbp=124, dbp=78, spo2=98, rr=14)
T0 = 1_800_000_000.0


class Clock:
    def __init__(self, t=T0):
        self.t = t

    def __call__(self):
        self.t += 1.0
        return self.t


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "j.sqlite3")
    return request.getfixturevalue("pg_server").new_database()


def writer(db, tmp_path, ws="ws-1", nurse="n.one"):
    return Journal(db, now=Clock(), outbox=tmp_path / f"outbox-{ws}.sqlite3", workstation=ws, nurse=nurse)


def done(j):
    """Everything on the store the checks read (the server, for a URL)."""
    assert j.flush(20) == 0, j.outbox.status() if j.outbox else ""


def raw(db, sql):
    """Rows straight from the store, bypassing the app (as an administrator would)."""
    if db.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(db, autocommit=True) as c:
            c.execute("SET session_replication_role = replica")  # a superuser can bypass triggers
            cur = c.execute(sql)
            return cur.fetchall() if cur.description else None
    c = sqlite3.connect(db)
    try:
        rows = c.execute(sql).fetchall()
        c.commit()
        return rows
    finally:
        c.close()


def infusion(kg=70.0):
    """Octagam 10%, ITP, 70 kg, 1 g/kg: 700 mL; rungs 42, 84, 168, 336, 504 mL/h every 30 min."""
    return Session(build_plan(PlanRequest("octagam-10", "itp", kg, 1.0)))


def run_some(s):
    s.record_vitals(0, BASE)
    s.start(0)
    s.confirm(30, s.due(30))
    s.confirm(35, s.report_symptoms(35, ["chills"]))
    s.resolved(50)


def test_what_is_written_reads_back_the_same_and_verifies(db, tmp_path):
    j = writer(db, tmp_path)
    a, b = infusion(), infusion(80)
    j.attach(a, chair="Bay A/1", patient_id="P1", training=False, wall_start=T0)
    j.attach(b, chair="Bay A/2", patient_id="P2", training=False, wall_start=T0 + 60)
    run_some(a)
    b.start(0)
    b.stop(5, "cannula")
    done(j)
    j.close()
    r = Journal(db, readonly=True)
    try:
        listed = r.sessions()
        assert [(d["chair"], d["patient_id"], d["status"], d["n_events"]) for d in listed] == \
            [("Bay A/1", "P1", "running", len(a.events)), ("Bay A/2", "P2", "stopped", len(b.events))]
        assert r.events(listed[0]["id"]) == [json.loads(json.dumps(e.to_dict())) for e in a.events]
        assert r.session(listed[0]["id"]).state.rate_ml_h == 42.0  # slowed back after the chills
        assert r.verify() == []
    finally:
        r.close()


def test_every_event_names_its_workstation_and_nurse(db, tmp_path):
    j = writer(db, tmp_path, ws="bay-a-pc", nurse="s.jones")
    s = infusion()
    j.attach(s, chair="1", patient_id="P1", training=False, wall_start=T0)
    run_some(s)
    done(j)
    j.close()
    who = raw(db, "SELECT DISTINCT workstation, nurse FROM events")
    assert who == [("bay-a-pc", "s.jones")]


def test_an_unfinished_infusion_is_found_again_in_its_state(db, tmp_path):
    j = writer(db, tmp_path)
    s = infusion()
    j.attach(s, chair="3", patient_id="P9", training=False, wall_start=T0)
    run_some(s)
    done(j)
    j.close()
    r = Journal(db, readonly=True)
    (rec,) = r.unfinished()
    r.close()
    assert (rec.chair, rec.patient_id, rec.session.status, rec.session.state.rate_ml_h) == ("3", "P9", "running", 42.0)
    assert rec.last_at_min == 50


def test_an_edited_event_and_a_deleted_event_are_caught(db, tmp_path):
    j = writer(db, tmp_path)
    s = infusion()
    j.attach(s, chair="1", patient_id="P1", training=False, wall_start=T0)
    run_some(s)
    done(j)
    j.close()
    (rid,) = raw(db, "SELECT id FROM events WHERE body LIKE '%\"kind\":\"increase\"%'")[0]
    raw(db, f"UPDATE events SET body = replace(body, '\"rate_ml_h\":84.0', '\"rate_ml_h\":48.0') WHERE id = {rid}")
    r = Journal(db, readonly=True)
    assert any(f"event row {rid} " in p and "does not match its hash (edited)" in p for p in r.verify())
    r.close()
    raw(db, f"DELETE FROM events WHERE id = {rid + 1}")
    r = Journal(db, readonly=True)
    problems = r.verify()
    r.close()
    assert any("the chain is broken before it" in p for p in problems)
    assert any("is missing event #" in p for p in problems)


def test_events_removed_from_the_end_are_caught(db, tmp_path):
    j = writer(db, tmp_path)
    s = infusion()
    j.attach(s, chair="1", patient_id="P1", training=False, wall_start=T0)
    run_some(s)
    done(j)
    j.close()
    raw(db, "DELETE FROM events WHERE id = (SELECT max(id) FROM events)")
    r = Journal(db, readonly=True)
    problems = r.verify()
    r.close()
    assert any("events at the end were removed or added" in p for p in problems)


def test_history_carries_tolerated_rate_and_leaves_training_out(db, tmp_path):
    j = writer(db, tmp_path)
    s = infusion()
    j.attach(s, chair="1", patient_id="P1", training=False, wall_start=T0)
    s.start(0)
    for t in (30, 60):
        s.confirm(t, s.due(t))
    s.stop(70, "done for today")  # 168 mL/h ran: 4 mg/kg/min tolerated up to the step below
    t = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)), training=True)
    j.attach(t, chair="sim", patient_id="P1", training=True, wall_start=T0 + 10)
    t.start(0)
    for m in (30, 60, 90, 120):
        t.confirm(m, t.due(m))
    done(j)
    j.close()
    r = Journal(db, readonly=True)
    h = History(r).for_patient("P1")
    real = r.sessions(training=False)
    r.close()
    assert len(real) == 1 and len(h.infusions) == 1
    assert h.highest_tolerated_mg_kg_min == s.state.tolerated_ml_h * 100 / (70 * 60)


def test_one_infusion_cannot_hold_two_events_with_one_sequence_number(db, tmp_path):
    j = writer(db, tmp_path)
    s = infusion()
    j.attach(s, chair="1", patient_id="P1", training=False, wall_start=T0)
    done(j)
    j.close()
    sql = ("INSERT INTO events(session_id, seq, uid, wall, body, prev_hash, hash) SELECT session_id, seq, uid || 'x', "
           "wall, body, prev_hash, hash FROM events") if db.startswith("postgresql") else \
        ("INSERT INTO events(session_id, seq, wall, body, prev_hash, hash) SELECT session_id, seq, wall, body, "
         "prev_hash, hash FROM events")
    with pytest.raises(Exception, match="(?i)unique|duplicate"):
        raw(db, sql)


@pytest.mark.parametrize("edit, found", [
    ("UPDATE sessions SET speed = 60", "does not match its hash (edited)"),  # in the chain since schema 3
    ("UPDATE sessions SET chair = 'Bay Z/9'", "does not match its hash (edited)"),
])
def test_the_infusions_identity_is_in_the_chain(db, tmp_path, edit, found):
    j = writer(db, tmp_path)
    s = infusion()
    j.attach(s, chair="1", patient_id="P1", training=True, wall_start=T0, speed=1.0)
    run_some(s)
    done(j)
    j.close()
    raw(db, edit)
    r = Journal(db, readonly=True)
    problems = r.verify()
    r.close()
    assert problems and all(found in p for p in problems)


def test_the_caches_outside_the_chain_are_checked_against_it(db, tmp_path):
    j = writer(db, tmp_path)
    s = infusion()
    j.attach(s, chair="1", patient_id="P1", training=False, wall_start=T0)
    s.start(0)
    s.stop(5, "cannula")
    done(j)
    j.close()
    server = db.startswith("postgresql")  # the server keeps no status: its listing replays the events
    if not server:
        raw(db, "UPDATE sessions SET status = 'running'")
    raw(db, "UPDATE sessions SET product = 'privigen'")
    r = Journal(db, readonly=True)
    problems = r.verify()
    r.close()
    assert server or any("recorded as 'running' but its events say 'stopped'" in p for p in problems)
    assert any("listed as product 'privigen' but its plan is for 'octagam-10'" in p for p in problems)


# ---------------------------------------------------------------------- one active infusion per patient and chair
def count(db):
    return raw(db, "SELECT count(*) FROM sessions")[0][0]


def test_a_second_active_infusion_for_a_patient_is_refused_saying_where_the_first_is(db, tmp_path):
    from titration.store.base import AlreadyActive

    a = writer(db, tmp_path, ws="ws-a")
    s = infusion()
    a.attach(s, chair="Bay C/5", patient_id="P1", training=False, wall_start=T0)
    s.start(0)
    done(a)
    a.close()
    b = writer(db, tmp_path, ws="ws-b")  # on the server: another workstation, with its own outbox
    try:
        with pytest.raises(AlreadyActive, match=r"^Patient P1: already running on Bay C chair 5 \(workstation ws-a, "
                                                r"since [0-9 A-Za-z]*\d\d:\d\d\)") as refused:
            b.attach(infusion(80), chair="Bay A/2", patient_id="P1", training=False, wall_start=T0 + 60)
        assert refused.value.rule == "patient" and refused.value.active.chair == "Bay C/5"
        done(b)
    finally:
        b.close()
    assert count(db) == 1  # nothing of the second infusion was kept


def test_a_second_active_infusion_on_a_chair_is_refused_whatever_its_spelling(db, tmp_path):
    from titration.store.base import AlreadyActive

    a = writer(db, tmp_path, ws="ws-a")
    a.attach(infusion(), chair="Bay C/5", patient_id="P1", training=False, wall_start=T0)  # set up, not started
    done(a)
    a.close()
    b = writer(db, tmp_path, ws="ws-b")
    try:
        with pytest.raises(AlreadyActive, match=r"^Bay C chair 5: already has an infusion for patient P1 set up "
                                                r"\(not started\) \(workstation ws-a, since "):
            b.attach(infusion(), chair="bay c / 5", patient_id="P2", training=False, wall_start=T0 + 60)
        with pytest.raises(AlreadyActive, match="already has an infusion for patient P1"):  # a training run too
            b.attach(Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)), training=True),
                     chair="Bay C/5", patient_id=None, training=True, wall_start=T0 + 60)
    finally:
        b.close()
    assert count(db) == 1


def test_an_ended_infusion_frees_its_patient_and_its_chair(db, tmp_path):
    a = writer(db, tmp_path, ws="ws-a")
    s = infusion()
    a.attach(s, chair="Bay C/5", patient_id="P1", training=False, wall_start=T0)
    s.start(0)
    s.stop(5, "cannula")
    done(a)
    a.close()
    b = writer(db, tmp_path, ws="ws-b")
    try:
        b.attach(infusion(), chair="Bay C/5", patient_id="P1", training=False, wall_start=T0 + 3600)
        done(b)
    finally:
        b.close()
    assert count(db) == 2


def test_training_runs_are_exempt_from_the_patient_rule_and_never_take_a_real_chairs_name(db, tmp_path):
    from titration.store.base import AlreadyActive

    j = writer(db, tmp_path)
    try:
        j.attach(infusion(), chair="Bay A/1", patient_id="P1", training=False, wall_start=T0)
        for n in (1, 2):  # the scenario's patient is nobody; two trainees may share a run's name
            t = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)), training=True)
            j.attach(t, chair="Training 1", patient_id="P1", training=True, wall_start=T0 + n)
        with pytest.raises(AlreadyActive, match="'Training 1' begins with 'Training', which is kept for training"):
            j.attach(infusion(), chair="Training 1", patient_id="P2", training=False, wall_start=T0 + 9)
        done(j)
    finally:
        j.close()
    assert count(db) == 3


def test_the_patients_history_says_where_the_patient_is_running_now(db, tmp_path):
    a = writer(db, tmp_path, ws="ws-a")
    s = infusion()
    a.attach(s, chair="Bay C/5", patient_id="P1", training=False, wall_start=T0)
    s.start(0)
    done(a)
    a.close()
    r = writer(db, tmp_path, ws="ws-b")
    try:
        (now,) = History(r).running_now("P1")
        offer = History(r).for_patient("P1").offer("octagam-10")
        assert History(r).running_now("P2") == []
    finally:
        r.close()
    assert (now.chair, now.workstation, now.status) == ("Bay C/5", "ws-a", "running")
    assert offer["warnings"][0].startswith("RUNNING NOW: on Bay C chair 5 (workstation ws-a, since ")
