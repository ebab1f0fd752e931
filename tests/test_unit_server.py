"""The unit server under real conditions: several workstation processes, the server stopped
hard mid-infusion, a workstation killed mid-send, two workstations on one chair, a lease taken
over, tampering refused by the server, history and the board across workstations.

All against the real PostgreSQL server the tests start (tests/pgserver.py); runs are short
and fast (simulations at thousands of times real time).
"""
import json
import os
import signal
import subprocess
import sys
import time

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from titration.plan import PlanRequest, build_plan
from titration.session import Session
from titration.store.base import LeaseHeld
from titration.store.history import History
from titration.store.journal import Journal, LeaseLost

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCEN = os.path.join(ROOT, "resources", "scenarios")
T0 = 1_800_000_000.0
pytestmark = pytest.mark.pg


@pytest.fixture
def url(pg_server):
    return pg_server.new_database()


def q(url, sql, args=()):
    with psycopg.connect(url, autocommit=True) as c:
        cur = c.execute(sql, args)
        return cur.fetchall() if cur.description else None


def station(tmp_path, name, **env):
    e = dict(os.environ, IVIG_OUTBOX=str(tmp_path / f"outbox-{name}.sqlite3"), IVIG_WORKSTATION=name,
             IVIG_NURSE=f"nurse-{name}", PYTHONPATH=ROOT)
    e.update({k: str(v) for k, v in env.items()})
    return e


def simulate(url, env, scenario="01-uneventful-first-infusion.toml", speed="20000", **kw):
    args = [sys.executable, os.path.join(ROOT, "main.py"), "simulate", os.path.join(SCEN, scenario), "--db", url]
    if speed:
        args += ["--speed", speed]
    return subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def local_count(tmp_path, name):
    import sqlite3

    c = sqlite3.connect(tmp_path / f"outbox-{name}.sqlite3")
    try:
        return c.execute("SELECT count(*) FROM events").fetchone()[0]
    finally:
        c.close()


def intact(url):
    r = Journal(url, readonly=True)
    try:
        return r.verify()
    finally:
        r.close()


def in_order(url):
    """Every infusion's sequence numbers on the server: 0..n-1, no gap, no double."""
    rows = q(url, "SELECT session_id, array_agg(seq ORDER BY id) FROM events GROUP BY session_id")
    return all(seqs == list(range(len(seqs))) for _, seqs in rows)


def test_update_delete_and_truncate_are_refused_by_the_server_for_every_role(url, pg_server):
    s = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))
    with Journal(url, outbox=pg_server.dir + "/refuse-outbox.sqlite3", workstation="w", nurse="n") as j:
        j.attach(s, chair="1", patient_id="P1", training=False, wall_start=T0)
        assert j.flush(20) == 0
    for sql in ("UPDATE events SET body = body", "DELETE FROM events", "TRUNCATE events CASCADE",
                "UPDATE sessions SET chair = 'x'", "DELETE FROM sessions"):
        with pytest.raises(psycopg.Error, match="append-only"):  # the owner (a superuser) too: the trigger
            q(url, sql)
    q(url, "CREATE ROLE ws_login LOGIN IN ROLE ivig_workstation")
    as_ws = url.replace("user=postgres", "user=ws_login")
    # The workstations' role can do all a workstation does: record, send, renew, read back, verify.
    s2 = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))
    with Journal(as_ws, outbox=pg_server.dir + "/ws-outbox.sqlite3", workstation="w2", nurse="n2") as j:
        j.attach(s2, chair="2", patient_id="P2", training=False, wall_start=T0)
        s2.start(0)
        j.alive()
        assert j.flush(20) == 0, j.outbox.status()
    assert intact(as_ws) == []
    assert q(as_ws, "SELECT count(*) FROM events")[0][0] == 3  # it may read
    for sql in ("UPDATE events SET body = body", "DELETE FROM events"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
            q(as_ws, sql)
    assert intact(url) == []


def test_four_workstations_journal_their_chairs_into_one_server_at_once(url, tmp_path):
    names = ["ws1", "ws2", "ws3", "ws4"]
    scen = ["01-uneventful-first-infusion.toml", "02-mild-reaction-first-increase.toml",
            "03-moderate-reaction.toml", "05-recurrence.toml"]
    procs = [simulate(url, station(tmp_path, n), sc) for n, sc in zip(names, scen)]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    rows = q(url, "SELECT s.workstation, count(e.id) FROM sessions s JOIN events e ON e.session_id = s.id "
                  "GROUP BY s.workstation ORDER BY 1")
    assert rows == [(n, local_count(tmp_path, n)) for n in names]
    assert in_order(url) and intact(url) == []


def test_the_server_stopped_hard_mid_infusion_loses_nothing(url, pg_server, tmp_path):
    p = simulate(url, station(tmp_path, "ws1"), speed="5000")  # about 2.7 s of wall time
    try:
        deadline = time.monotonic() + 30
        while q(url, "SELECT count(*) FROM events")[0][0] == 0:
            assert time.monotonic() < deadline and p.poll() is None
            time.sleep(0.05)
        pg_server.stop("immediate")  # as a power cut would
        time.sleep(0.5)  # the workstation goes on recording into its outbox meanwhile
        assert p.poll() is None, "the run ended before the server came back: nothing was tested"
    finally:
        if not pg_server.running:
            pg_server.start()
    out, err = p.communicate(timeout=60)
    assert p.returncode == 0, err
    assert q(url, "SELECT count(*) FROM events")[0][0] == local_count(tmp_path, "ws1")
    assert in_order(url) and intact(url) == []


def test_a_workstation_killed_while_sending_loses_and_doubles_nothing(url, pg_server, tmp_path):
    env = station(tmp_path, "ws1", IVIG_OUTBOX_BATCH=1, IVIG_OUTBOX_PAUSE_S=0.05)
    pg_server.stop("fast")  # the server is away: a run is recorded in the outbox only
    try:
        p = simulate(url, env, "03-moderate-reaction.toml", speed="")
        out, err = p.communicate(timeout=60)
        assert p.returncode == 1 and "wait for the unit server" in out, err  # exit 1: events wait
    finally:
        pg_server.start()
    total = local_count(tmp_path, "ws1")
    sender = subprocess.Popen([sys.executable, os.path.join(ROOT, "main.py"), "unit", "send", "--db", url], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while q(url, "SELECT count(*) FROM events")[0][0] < 3:
        assert time.monotonic() < deadline and sender.poll() is None
        time.sleep(0.01)
    sender.send_signal(signal.SIGKILL)
    sender.wait()
    assert 0 < q(url, "SELECT count(*) FROM events")[0][0] < total  # killed in the middle
    # Again, and once more as if the outbox had lost its notes: the server drops what it has.
    env.pop("IVIG_OUTBOX_PAUSE_S")
    assert subprocess.run([sys.executable, os.path.join(ROOT, "main.py"), "unit", "send", "--db", url],
                          env=env, capture_output=True).returncode == 0
    import sqlite3

    c = sqlite3.connect(tmp_path / "outbox-ws1.sqlite3")
    c.execute("UPDATE outbox SET sent = 0")
    c.commit()
    c.close()
    r = subprocess.run([sys.executable, os.path.join(ROOT, "main.py"), "unit", "send", "--db", url], env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0 and "sent 0 events; 0 waiting" in r.stdout
    assert q(url, "SELECT count(*) FROM events")[0][0] == total
    assert in_order(url) and intact(url) == []


def test_the_board_lists_every_chair_across_workstations_with_who_drives_it(url, tmp_path):
    from titration.store.board import UnitListener

    a, s = _driven_by(tmp_path, url, "ws-a")
    b = Journal(url, outbox=tmp_path / "outbox-ws-b.sqlite3", workstation="ws-b", nurse="nurse-b")
    t = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))
    b.attach(t, chair="Bay C/1", patient_id="P5", training=False, wall_start=T0)
    assert b.flush(20) == 0
    board = UnitListener(url)
    try:
        rows = {r["chair"]: r for r in board.snapshot()}
    finally:
        board.close()
        a.close()
        b.close()
    assert set(rows) == {"Bay B/4", "Bay C/1"}
    r = rows["Bay B/4"]
    assert (r["bay"], r["patient_id"], r["held_by"], r["state"], r["rate_ml_h"], r["step"], r["steps"]) == \
        ("Bay B", "P4", "ws-a", "running", 84.0, 2, 5)
    # no observations were taken at the 30-min increase: they are due now, before the next step (60 min)
    assert r["next_due_min"] == 30.0 and r["next_due"] == "VITALS DUE: at the rate increase"  # the chair's own words
    assert r["chair_state"]["next_due"]["at"] == "now" and r["chair_state"]["summary"].startswith("RUNNING · 84 mL/h")
    assert rows["Bay C/1"]["state"] == "planned" and rows["Bay C/1"]["held_by"] == "ws-b"


def _driven_by(tmp_path, url, ws):
    j = Journal(url, outbox=tmp_path / f"outbox-{ws}.sqlite3", workstation=ws, nurse=f"nurse-{ws}")
    s = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))
    j.attach(s, chair="Bay B/4", patient_id="P4", training=False, wall_start=T0)
    s.start(0)
    s.confirm(30, s.due(30))
    assert j.flush(20) == 0
    return j, s


def test_two_workstations_cannot_drive_one_chair(url, tmp_path):
    from titration.store.takeover import take_over, watch

    a, s = _driven_by(tmp_path, url, "ws-a")
    uid = a._uids[next(iter(a._uids))]
    b = Journal(url, outbox=tmp_path / "outbox-ws-b.sqlite3", workstation="ws-b", nurse="nurse-b")
    try:
        with pytest.raises(LeaseHeld, match="driven from workstation ws-a"):
            take_over(b, uid, pump="ran", reason="trying", now_wall=T0 + 3600)
        row, seen = watch(b, uid)  # read-only, live
        assert seen.state.rate_ml_h == 84.0 and len(seen.events) == len(s.events)
    finally:
        b.close()
        a.close()
    assert q(url, "SELECT workstation FROM leases") == [("ws-a",)]


def test_an_expired_lease_is_taken_over_with_its_reason_journaled(url, tmp_path):
    from titration.store.takeover import take_over

    a, s = _driven_by(tmp_path, url, "ws-a")
    uid = a._uids[next(iter(a._uids))]
    a.close()  # ws-a crashes: it renews nothing more
    q(url, "UPDATE leases SET expires = now() - interval '1 second'")
    b = Journal(url, outbox=tmp_path / "outbox-ws-b.sqlite3", workstation="ws-b", nurse="nurse-b")
    try:
        taken = take_over(b, uid, pump="stopped", reason="ws-a froze", now_wall=T0 + 45 * 60)
        # the pump was stopped: counted only up to the last event
        assert taken.session.status == "paused" and taken.taken_from == "ws-a"
        assert b.flush(20) == 0, b.outbox.status()
    finally:
        b.close()
    notes = [r[0] for r in q(url, "SELECT body FROM events WHERE body LIKE %s", ("%Taken over%",))]
    assert len(notes) == 1 and "from workstation ws-a" in notes[0] and "ws-a froze" in notes[0]
    assert q(url, "SELECT workstation FROM leases") == [("ws-b",)]
    # ws-a comes back: at its first contact the server says the chair was taken over (a later
    # epoch); it is not reopened there, and this workstation may not record it any more.
    a2 = Journal(url, outbox=tmp_path / "outbox-ws-a.sqlite3", workstation="ws-a", nurse="nurse-a")
    try:
        assert a2.flush(10) == 0
        assert "driven from workstation ws-b" in a2.outbox.fenced[uid]
        assert a2.unfinished() == []
        assert "Chair Bay B/4 is not reopened here: chair Bay B/4 is now driven from workstation ws-b" in a2.notice
        (d,) = a2.sessions()
        old = a2.session(d["id"])
        a2.attach(old, chair=d["chair"], patient_id=d["patient_id"], training=False, wall_start=T0,
                  session_id=d["id"])
        with pytest.raises(LeaseLost, match="NOT RECORDED: chair Bay B/4 is now driven from workstation ws-b"):
            old.note(old.events[-1].at_min + 1, "still here?")
    finally:
        a2.close()
    assert in_order(url) and intact(url) == []


def test_patient_history_follows_the_patient_to_another_workstation(url, tmp_path):
    a = Journal(url, outbox=tmp_path / "outbox-a.sqlite3", workstation="ws-a", nurse="na")
    s = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))
    a.attach(s, chair="1", patient_id="P7", training=False, wall_start=T0)
    s.start(0)
    for t in (30, 60):
        s.confirm(t, s.due(t))
    s.stop(70, "done")
    assert a.flush(20) == 0
    a.close()
    b = Journal(url, outbox=tmp_path / "outbox-b.sqlite3", workstation="ws-b", nurse="nb")
    try:
        assert b.sessions() == []  # nothing on ws-b itself
        h = History(b).for_patient("P7")
    finally:
        b.close()
    assert len(h.infusions) == 1 and h.last_product == "octagam-10"
    assert h.highest_tolerated_mg_kg_min == s.state.tolerated_ml_h * 100 / (70 * 60)


def test_the_unit_board_hears_another_processs_event(url, tmp_path):
    from titration.store.board import UnitListener

    board = UnitListener(url)
    try:
        assert board.snapshot() == []
        p = simulate(url, station(tmp_path, "ws9"), speed="20000")
        seen = []
        deadline = time.monotonic() + 60
        while not seen and time.monotonic() < deadline:
            seen = board.changes(timeout=1.0)
        p.communicate(timeout=60)
    finally:
        board.close()
    assert seen and seen[0]["chair"] == "simulation" and seen[0]["held_by"] == "ws9"
    assert seen[0]["product"] == "octagam-10" and seen[0]["training"] is True


def test_the_heartbeat_renews_the_lease(url, tmp_path):
    j, s = _driven_by(tmp_path, url, "ws-a")
    try:
        q(url, "UPDATE leases SET expires = now() + interval '2 seconds'")
        j.alive()
        assert j.flush(20) == 0
        (left,) = q(url, "SELECT extract(epoch FROM expires - now())::float8 FROM leases")[0]
        assert left > 60  # renewed for the full lease (90 s), not the 2 s it had
    finally:
        j.close()



@pytest.fixture(scope="module")
def shared_url(pg_server):
    return pg_server.new_database()


STEPS = st.lists(st.sampled_from(["event", "event", "event", "send", "down", "up", "forget"]), min_size=1,
                 max_size=30)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_whatever_the_order_of_outages_sends_and_lost_notes_the_server_ends_with_exactly_the_events(
        shared_url, tmp_path_factory, steps):
    """Events recorded while the server comes and goes, sends, and the outbox forgetting what it sent
    (a kill between the server's commit and the outbox's note): at the end the server holds each
    infusion's events once each, in order, as recorded locally."""
    folder = tmp_path_factory.mktemp("ob")
    bad = f"postgresql:///nowhere?host={folder}&port=1"
    j = Journal(shared_url, outbox=folder / "outbox.sqlite3", workstation="ws-p", nurse="n", start_sender=False)
    try:
        s = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))
        sid = j.attach(s, chair="P", patient_id=None, training=True, wall_start=T0)
        uid = j._uids[sid]
        t = 0.0
        for step in steps:
            if step == "event":
                t += 1
                s.note(t, f"n{t:g}")
            elif step == "send":
                j.outbox.send_now()
            elif step == "down":
                j.outbox.url = bad
                j.outbox._server = None
            elif step == "up":
                j.outbox.url = shared_url
            elif step == "forget":
                j._db.execute("UPDATE outbox SET sent = sent / 2")
        j.outbox.url = shared_url
        assert j.outbox.send_now() and j.waiting() == 0
        local = [json.dumps(e.to_dict(), sort_keys=True) for e in s.events]
    finally:
        j.close()
    rows = q(shared_url, "SELECT e.seq, e.body FROM events e JOIN sessions s ON s.id = e.session_id "
                         "WHERE s.uid = %s ORDER BY e.id", (uid,))
    assert [r[0] for r in rows] == list(range(len(local)))
    assert [json.dumps(json.loads(r[1]), sort_keys=True) for r in rows] == local
