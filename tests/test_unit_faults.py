"""The unit server under quiet faults, each reproduced as it was found: a silent network cut (a
proxy that swallows packets), a workstation cut off and taken over, two workstations with one
host name or one installation id, an event the server holds with other content, a role that
forges, a refused infusion, a server restored from last night's dump, a held row lock.

Against the real PostgreSQL server the tests start (tests/pgserver.py), workstations connecting
as a login that is a member of ivig_workstation only; the proxy is tests/tcpproxy.py.
"""
import json
import os
import re
import sqlite3
import subprocess
import sys
import time

import psycopg
import pytest

from titration.plan import PlanRequest, build_plan
from titration.session import Session
from titration.store.base import JournalError, LeaseHeld
from titration.store.journal import Journal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCEN = os.path.join(ROOT, "resources", "scenarios")
pytestmark = pytest.mark.pg


def q(url, sql, args=()):
    with psycopg.connect(url, autocommit=True) as c:
        cur = c.execute(sql, args)
        return cur.fetchall() if cur.description else None


def dbname(url):
    return url.split("/")[3].split("?")[0]


@pytest.fixture
def unit(pg_server):
    """(admin url, a workstation login's url, the database's name) of a fresh unit database."""
    url = pg_server.new_database()
    login = pg_server.workstation_login()
    return url, pg_server.url(dbname(url), user=login), dbname(url)


@pytest.fixture
def proxy(pg_server):
    from tcpproxy import Proxy

    p = Proxy(("127.0.0.1", pg_server.tcp_port)).start()
    yield p
    p.close()


def infusion():
    return Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))


def driving(url, tmp_path, ws, chair="Bay A/1", patient="P1", **kw):
    j = Journal(url, outbox=tmp_path / f"{ws}.sqlite3", workstation=ws, nurse=f"nurse-{ws}", **kw)
    s = infusion()
    try:
        sid = j.attach(s, chair=chair, patient_id=patient, training=False, wall_start=time.time())
    except JournalError:
        j.close()
        raise
    s.start(0)
    return j, s, sid


def verified(url):
    r = Journal(url, readonly=True)
    try:
        return r.verify()
    finally:
        r.close()


def rechain(c):
    """This journal's hash chain worked out again over its rows as they are now (as if recorded so)."""
    from titration.store.base import GENESIS, _payload, by, chain_hash, identity

    meta = {r[0]: identity(*r) for r in c.execute(
        "SELECT id, chair, patient_id, training, wall_start, uid, speed FROM sessions")}
    prev = GENESIS
    for rid, sid, seq, wall, body, ws, nurse in c.execute(
            "SELECT id, session_id, seq, wall, body, workstation, nurse FROM events ORDER BY id").fetchall():
        h = chain_hash(prev, _payload(meta[sid], seq, wall, json.loads(body), by(ws, nurse)))
        c.execute("UPDATE events SET prev_hash = ?, hash = ? WHERE id = ?", (prev, h, rid))
        prev = h
    c.execute("UPDATE chain_head SET hash = ?", (prev,))


def wait_for(cond, seconds):
    t0 = time.monotonic()
    while not cond():
        assert time.monotonic() - t0 < seconds, f"not within {seconds} s"
        time.sleep(0.1)
    return time.monotonic() - t0


def test_a_silent_cut_shows_the_red_line_within_15_s_and_flush_counts_what_waits(unit, pg_server, proxy, tmp_path):
    _, _, name = unit
    via = pg_server.tcp_url(name, pg_server.workstation_login(), proxy.port)
    j, s, _ = driving(via, tmp_path, "ws-a")
    try:
        assert j.flush(20) == 0
        proxy.blackhole()  # packets dropped, nothing reset
        s.confirm(30, s.due(30))  # recorded here at once: the nurse never waits on the network
        assert j.flush(2) == 1  # it waits, and flush says so
        noticed = wait_for(lambda: j.outbox.status()["unreachable"], 15)
        assert noticed < 15
        proxy.heal()
        assert j.flush(30) == 0
    finally:
        t0 = time.monotonic()
        j.close()
        assert time.monotonic() - t0 < 10


def test_a_workstation_cut_off_and_taken_over_is_told_and_turns_read_only(unit, pg_server, proxy, tmp_path):
    from titration.store.journal import LeaseLost
    from titration.store.takeover import take_over

    admin, as_ws, name = unit
    via = pg_server.tcp_url(name, pg_server.workstation_login(), proxy.port)
    a, s, sid = driving(via, tmp_path, "ws-a")
    uid = a._uids[sid]
    try:
        assert a.flush(20) == 0
        proxy.blackhole()
        s.confirm(30, s.due(30))  # the nurse at ws-a steps the pump up to 84 mL/h: kept on ws-a
        q(admin, "UPDATE leases SET expires = now() - interval '1 second'")  # 90 s later, by the server's clock
        b = Journal(as_ws, outbox=tmp_path / "ws-b.sqlite3", workstation="ws-b", nurse="nurse-b")
        try:
            taken = take_over(b, uid, pump="ran", reason="ws-a does not answer", now_wall=time.time())
            assert taken.session.state.rate_ml_h == 42.0  # what the server has: the step up never reached it
            assert b.flush(20) == 0
            proxy.heal()
            proxy.reset()  # the 90 s the lease took to expire: ws-a's waiting calls have long timed out
            wait_for(lambda: uid in a.outbox.fenced, 20)  # told at its first contact
            assert "driven from workstation ws-b" in a.outbox.fenced[uid]
            with pytest.raises(LeaseLost, match="now driven from workstation ws-b"):
                s.pause(31, "anything")  # ws-a may not record this chair any more
            assert a.flush(5) >= 1  # its step up is kept there, not sent
            kinds = [json.loads(b)["kind"] for (b,) in q(admin, "SELECT body FROM events ORDER BY id")]
            assert "increase" not in kinds and kinds[-1] == "note"
            assert q(admin, "SELECT workstation, epoch FROM leases") == [("ws-b", 2)]
        finally:
            b.close()
    finally:
        a.close()
    assert verified(admin) == []


def test_two_workstations_with_one_host_name_are_still_two(unit, tmp_path):
    from titration.store.takeover import take_over

    _, as_ws, _ = unit
    a, s, sid = driving(as_ws, tmp_path, "ward-pc")
    try:
        assert a.flush(20) == 0
        b = Journal(as_ws, outbox=tmp_path / "other.sqlite3", workstation="ward-pc", nurse="nb")
        try:
            with pytest.raises(LeaseHeld, match="driven from workstation ward-pc"):
                take_over(b, a._uids[sid], pump="ran", reason="same name", now_wall=time.time())
        finally:
            b.close()
    finally:
        a.close()


def test_a_copied_installation_is_refused_while_the_original_is_connected(unit, tmp_path):
    _, as_ws, _ = unit
    a, s, sid = driving(as_ws, tmp_path, "ws-a")
    try:
        assert a.flush(20) == 0
        src, dst = sqlite3.connect(tmp_path / "ws-a.sqlite3"), sqlite3.connect(tmp_path / "clone.sqlite3")
        src.backup(dst)  # a disk image copied to another PC: the same installation id
        src.close()
        dst.close()
        b = Journal(as_ws, outbox=tmp_path / "clone.sqlite3", workstation="ws-b", nurse="nb")
        try:
            b.flush(5)
            assert "another workstation is connected to the unit server with this workstation's id" in \
                b.outbox.status()["unreachable"]
        finally:
            b.close()
        s.confirm(30, s.due(30))
        assert a.flush(20) == 0  # the original goes on
    finally:
        a.close()


def test_an_event_the_server_holds_with_other_content_is_refused_loudly_and_kept(unit, tmp_path):
    _, as_ws, _ = unit
    a, s, sid = driving(as_ws, tmp_path, "ws-a")
    uid = a._uids[sid]
    assert a.flush(20) == 0
    a.close()
    c = sqlite3.connect(tmp_path / "ws-a.sqlite3")  # the same number, another event (a take-back after a cut)
    c.execute("UPDATE events SET body = replace(body, '\"start\"', '\"pause\"') WHERE seq = 1")
    rechain(c)  # recorded so here: its own chain holds it (an edit on disk alone is refused before sending)
    c.execute("UPDATE outbox SET sent = 0")
    c.commit()
    c.close()
    r = subprocess.run([sys.executable, os.path.join(ROOT, "main.py"), "unit", "send", "--db", as_ws],
                       env=dict(os.environ, IVIG_OUTBOX=str(tmp_path / "ws-a.sqlite3"), IVIG_WORKSTATION="ws-a"),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "event #2 of chair Bay A/1 on the unit server is another event" in r.stdout
    assert "1 waiting" in r.stdout or "2 waiting" in r.stdout
    kinds = [json.loads(b)["kind"] for (b,) in q(as_ws, "SELECT e.body FROM events e JOIN sessions s ON "
                                                         "s.id = e.session_id WHERE s.uid = %s ORDER BY seq", (uid,))]
    assert kinds == ["planned", "start"]


def test_a_workstation_role_can_only_read_and_call_the_functions(unit, pg_server, tmp_path):
    admin, as_ws, _ = unit
    a, s, sid = driving(as_ws, tmp_path, "ws-a")
    try:
        assert a.flush(20) == 0
    finally:
        a.close()
    for sql in ("INSERT INTO events(session_id, seq, uid, wall, body, prev_hash, hash) SELECT session_id, seq + 100, "
                "uid || 'x', wall, body, prev_hash, hash FROM events LIMIT 1",
                "UPDATE chairs SET n_events = 999", "UPDATE heads SET n = 0", "DELETE FROM lease_log",
                "SELECT installation FROM lease_log", "SELECT key FROM stations",
                "UPDATE leases SET expires = now() + interval '10 years'", "UPDATE chain_head SET n = n",
                "DELETE FROM leases", "TRUNCATE chairs", "UPDATE events SET body = body",
                "INSERT INTO sessions(uid, chair, training, wall_start, workstation, nurse) "
                "VALUES ('x', 'x', false, 0, 'x', 'x')", "SELECT installation FROM leases", "SELECT * FROM stations",
                "SET ROLE ivig_owner", "ALTER TABLE events DISABLE TRIGGER events_append_only"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            q(as_ws, sql)
    # Calling a function without having said which workstation this connection is: refused.
    with pytest.raises(psycopg.Error, match="has not said which workstation"):
        q(as_ws, "SELECT * FROM ivig_beat(%s, %s, ARRAY[]::text[], ARRAY[]::bigint[])", ("0" * 32, "0" * 32))
    # A rogue workstation (its own id, said hello) cannot write into a chair another drives.
    from titration.store.station import Refused, Station

    rogue = Station(as_ws, "f" * 32, "e" * 32, "rogue")
    try:
        sess = q(admin, "SELECT uid, chair, patient_id, training, wall_start, speed FROM sessions")[0]
        body = json.dumps({"at_min": 1.0, "kind": "stop", "who": "nurse", "data": {"reason": "forged"}})
        with pytest.raises(Refused, match="driven from workstation ws-a"):
            rogue.append(dict(zip(("uid", "chair", "patient_id", "training", "wall_start", "speed"), sess)),
                         [(2, time.time(), body, "rogue", "x")], 1)
    finally:
        rogue.close()
    # Knowing ws-a's id (read off its disk) does not let another login act as ws-a.
    from titration.store.station import DuplicateStation

    q(admin, "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ivig_ws_other') THEN "
             "CREATE ROLE ivig_ws_other LOGIN IN ROLE ivig_workstation; END IF; END $$")
    (ws_a_id,) = sqlite3.connect(tmp_path / "ws-a.sqlite3").execute("SELECT installation FROM station").fetchone()
    with pytest.raises(DuplicateStation, match="belongs to another login"):
        Station(pg_server.url(dbname(admin), user="ivig_ws_other"), ws_a_id, "d" * 32, "ws-a")
    assert q(admin, "SELECT count(*) FROM events")[0][0] == 2 and verified(admin) == []


def test_one_refused_infusion_never_holds_up_another_and_the_line_names_why(unit, tmp_path):
    _, as_ws, _ = unit
    with pytest.raises(JournalError, match="control character"):
        driving(as_ws, tmp_path / "x", "ws-x", patient="P\x001")
    j = Journal(as_ws, outbox=tmp_path / "ws-a.sqlite3", workstation="ws-a", nurse="n", start_sender=False)
    try:
        first, second = infusion(), infusion()
        j.attach(first, chair="1", patient_id="P1", training=False, wall_start=time.time())
        j._db.execute("UPDATE sessions SET patient_id = 'P' || char(0) || '1' WHERE id = 1")  # an old record
        j.attach(second, chair="2", patient_id="P2", training=False, wall_start=time.time())
        assert j.outbox.send_now()  # the server answered: nothing is "unreachable"
        assert j.outbox.status()["unreachable"] == ""
        (why,) = j.outbox.refused.values()
        assert why.startswith("chair 1: the patient identifier 'P\\x001' holds a control character")
        assert q(as_ws, "SELECT chair FROM sessions") == [("2",)]
        assert j.waiting() == 1
    finally:
        j.close()


def test_a_server_restored_from_last_nights_dump_is_made_whole_by_the_outboxes(unit, pg_server, tmp_path):
    admin, as_ws, name = unit
    a, s, sid = driving(as_ws, tmp_path, "ws-a")
    try:
        assert a.flush(20) == 0
        pg_server.dump(name, os.path.join(pg_server.dir, f"{name}.dump"))  # last night's backup
        s.confirm(30, s.due(30))
        later = infusion()
        a.attach(later, chair="Bay A/2", patient_id="P2", training=False, wall_start=time.time())
        later.start(0)
        later.stop(5, "rigors")
        assert a.flush(20) == 0
        before = q(admin, "SELECT s.uid, e.seq, e.body FROM events e JOIN sessions s ON s.id = e.session_id "
                          "ORDER BY s.uid, e.seq")
        pg_server.restore(name, os.path.join(pg_server.dir, f"{name}.dump"))
        assert len(q(admin, "SELECT * FROM events")) < len(before)
        wait_for(lambda: a.outbox.healed, 30)  # at its next connection
        assert a.flush(20) == 0
        assert q(admin, "SELECT s.uid, e.seq, e.body FROM events e JOIN sessions s ON s.id = e.session_id "
                        "ORDER BY s.uid, e.seq") == before
        from titration.store.pg_store import PgStore

        store = PgStore(as_ws, readonly=True)
        try:
            board = {r["chair"]: r["state"] for r in store.summaries()}
        finally:
            store.close()
        assert board == {"Bay A/1": "running", "Bay A/2": "stopped"}
    finally:
        a.close()
    r = subprocess.run([sys.executable, os.path.join(ROOT, "main.py"), "unit", "status", "--db", as_ws],
                       env=dict(os.environ, IVIG_OUTBOX=str(tmp_path / "ws-a.sqlite3")), capture_output=True,
                       text=True, timeout=60)
    assert "healed: the unit server lacked" in r.stdout and "chair Bay A/1" in r.stdout, r.stdout + r.stderr
    assert verified(admin) == []


def test_a_held_row_lock_cannot_hang_a_send(unit, tmp_path):
    admin, as_ws, _ = unit
    a, s, sid = driving(as_ws, tmp_path, "ws-a", start_sender=False)
    a.close()
    with psycopg.connect(admin) as holder:
        holder.execute("LOCK TABLE sessions IN EXCLUSIVE MODE")  # held, in an open transaction
        t0 = time.monotonic()
        r = subprocess.run([sys.executable, os.path.join(ROOT, "main.py"), "unit", "send", "--db", as_ws],
                           env=dict(os.environ, IVIG_OUTBOX=str(tmp_path / "ws-a.sqlite3")), capture_output=True,
                           text=True, timeout=60)
        assert time.monotonic() - t0 < 20
        holder.rollback()
    assert r.returncode == 1 and "2 waiting" in r.stdout and "busy" in r.stdout, r.stdout + r.stderr


def test_simulate_through_a_silent_cut_ends_in_time_and_says_what_waits(unit, pg_server, proxy, tmp_path):
    _, _, name = unit
    via = pg_server.tcp_url(name, pg_server.workstation_login(), proxy.port)
    proxy.blackhole()
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, os.path.join(ROOT, "main.py"), "simulate",
                        os.path.join(SCEN, "01-uneventful-first-infusion.toml"), "--db", via, "--speed", "20000"],
                       env=dict(os.environ, IVIG_OUTBOX=str(tmp_path / "sim.sqlite3")), capture_output=True,
                       text=True, timeout=90)
    assert time.monotonic() - t0 < 40
    assert r.returncode == 1, r.stdout + r.stderr
    assert re.search(r"\d+ events? wait for the unit server", r.stdout) and "NOT YET ON THE UNIT SERVER" in r.stdout


def test_verify_that_loses_the_server_midway_cannot_say_damaged(unit, pg_server, tmp_path, monkeypatch, capsys):
    import titration.store.pg_store as pg_store
    from titration.cli.main import main

    admin, as_ws, _ = unit
    monkeypatch.setattr(pg_store, "FETCH", 20)  # the walk fetches 20 rows per round trip
    j = Journal(as_ws, outbox=tmp_path / "o.sqlite3", workstation="w", nurse="n", start_sender=False)
    s = infusion()
    j.attach(s, chair="1", patient_id=None, training=True, wall_start=time.time())
    for i in range(100):
        s.note(float(i) / 100, "x")
    assert j.outbox.send_now()
    j.close()
    real = pg_store.walk

    def walk_then_lose_the_server(rows, meta, head, heads=None):
        it = iter(rows)
        first = [next(it) for _ in range(10)]
        pg_server.stop("immediate")  # the connection is lost in the middle of the walk
        return real(first + list(it), meta, head, heads)

    monkeypatch.setattr(pg_store, "walk", walk_then_lose_the_server)
    try:
        assert main(["journal", "verify", "--db", as_ws]) == 2
    finally:
        pg_server.start()
    assert "could not be read to the end" in capsys.readouterr().err


def test_names_with_control_characters_are_refused_and_never_forge_a_line(unit, tmp_path):
    admin, as_ws, _ = unit
    for chair in ("Bay A\nBay B/4 P9 running 999 mL/h", "tab\there", "nul\x00"):
        with pytest.raises(JournalError, match="control character"):
            driving(as_ws, tmp_path / "x", "ws-x", chair=chair)
    env = dict(os.environ, IVIG_OUTBOX=str(tmp_path / "o.sqlite3"), IVIG_WORKSTATION="ws\nforged")
    r = subprocess.run([sys.executable, os.path.join(ROOT, "main.py"), "simulate",
                        os.path.join(SCEN, "01-uneventful-first-infusion.toml"), "--db", as_ws],
                       env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "IVIG_WORKSTATION" in r.stderr and "control character" in r.stderr
    # An old row that holds one (written before these checks) is shown escaped, on one line.
    a, s, sid = driving(as_ws, tmp_path, "ws-a")
    a.flush(20)
    a.close()
    q(admin, "SET session_replication_role = replica; UPDATE sessions SET chair = E'Bay A\\nBay Z/9 999 mL/h'")
    r = subprocess.run([sys.executable, os.path.join(ROOT, "main.py"), "unit", "status", "--db", as_ws],
                       env=dict(os.environ, IVIG_OUTBOX=str(tmp_path / "none.sqlite3")), capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0 and "Bay A\\nBay Z/9" in r.stdout
    assert not any(line.startswith("Bay Z/9") for line in r.stdout.splitlines())


def test_a_damaged_outbox_is_loud_on_every_path_until_salvaged(unit, pg_server, tmp_path):
    admin, as_ws, _ = unit
    box = tmp_path / "ws-a.sqlite3"
    j = Journal(pg_server.url("nowhere", user="x").replace(pg_server.sock, str(tmp_path)), outbox=box,
                workstation="ws-a", nurse="n", start_sender=False)  # the server away: everything waits here
    s = infusion()
    j.attach(s, chair="Bay A/1", patient_id="P1", training=False, wall_start=time.time())
    s.start(0)
    for i in range(400):
        s.note(1 + i / 100, "observation " + "x" * 200)
    n = len(s.events)
    j.close()
    pages = box.stat().st_size // 4096
    with open(box, "r+b") as f:  # a damaged sector in the middle of the events
        f.seek(4096 * (pages * 2 // 3) + 100)
        f.write(os.urandom(2000))
    env = dict(os.environ, IVIG_OUTBOX=str(box), IVIG_WORKSTATION="ws-a")

    def main(*args):
        return subprocess.run([sys.executable, os.path.join(ROOT, "main.py"), *args], env=env, capture_output=True,
                              text=True, timeout=60)

    r = main("unit", "send", "--db", as_ws)
    assert r.returncode == 1 and "OUTBOX WAS DAMAGED" in r.stdout and "unit salvage" in r.stdout, r.stdout + r.stderr
    r = main("simulate", os.path.join(SCEN, "01-uneventful-first-infusion.toml"), "--db", as_ws, "--speed", "50000")
    assert r.returncode == 1 and "OUTBOX WAS DAMAGED" in r.stdout
    r = main("unit", "status", "--db", as_ws)
    assert r.returncode == 1 and "OUTBOX WAS DAMAGED" in r.stdout
    r = main("unit", "salvage", "--db", as_ws)
    assert "recovered into" in r.stdout, r.stdout + r.stderr
    got = [json.loads(b) for (b,) in q(admin, "SELECT e.body FROM events e JOIN sessions s ON s.id = e.session_id "
                                              "WHERE s.chair = 'Bay A/1' ORDER BY e.seq")]
    assert 10 < len(got) <= n and [e["kind"] for e in got[:2]] == ["planned", "start"]
    assert [e["text"] for e in got[2:]] == ["observation " + "x" * 200] * (len(got) - 2)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".salvaged")]
    r = main("unit", "send", "--db", as_ws)
    assert r.returncode == 0 and "DAMAGED" not in r.stdout, r.stdout
    assert verified(admin) == []


def test_hard_links_to_one_journal_cannot_give_two_writers(tmp_path):
    from titration.store.base import JournalLocked

    a = tmp_path / "journal.sqlite3"
    j = Journal(a)
    try:
        (tmp_path / "other").mkdir()
        os.link(a, tmp_path / "other" / "link.sqlite3")
        with pytest.raises(JournalLocked, match="open in another copy"):
            Journal(tmp_path / "other" / "link.sqlite3")
    finally:
        j.close()


def test_a_libpq_keyword_string_is_a_server_never_a_path_and_its_password_is_never_shown(tmp_path):
    env = dict(os.environ, IVIG_OUTBOX=str(tmp_path / "o.sqlite3"))
    for args in (["unit", "status", "--db", f"host={tmp_path} port=1 dbname=ivig password=hunter2"],
                 ["journal", "--db", f"host={tmp_path} dbname=ivig password = 'hunter2 x'"],
                 ["journal", "verify", "--db", "postgresql://ws:hunter2@127.0.0.1:1/ivig"],
                 ["unit", "send", "--db", f"dbname=ivig host={tmp_path} PASSWORD=hunter2"]):
        r = subprocess.run([sys.executable, os.path.join(ROOT, "main.py"), *args], env=env, capture_output=True,
                           text=True, timeout=60, cwd=tmp_path)
        assert r.returncode == 2 and "hunter2" not in r.stdout + r.stderr, (args, r.stderr)
        assert "password" in r.stderr and "~/.pgpass" in r.stderr
    r = subprocess.run([sys.executable, os.path.join(ROOT, "main.py"), "journal", "--db",
                        f"host={tmp_path} port=1 dbname=ivig"], env=env, capture_output=True, text=True, timeout=60,
                       cwd=tmp_path)
    assert r.returncode == 2 and "cannot reach the unit server" in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no folder named after the string


def test_salvage_fills_a_damaged_part_from_the_servers_copy(unit, tmp_path):
    admin, as_ws, _ = unit
    box = tmp_path / "ws-a.sqlite3"
    j = Journal(as_ws, outbox=box, workstation="ws-a", nurse="n", start_sender=False)
    s = infusion()
    j.attach(s, chair="Bay A/1", patient_id="P1", training=False, wall_start=time.time())
    s.start(0)
    for i in range(400):
        s.note(1 + i / 100, f"sent {i} " + "x" * 200)
    assert j.outbox.send_now() and j.waiting() == 0
    for i in range(20):
        s.note(5 + i / 100, f"not yet sent {i}")
    want = [e.to_dict() for e in s.events]
    j.close()
    pages = box.stat().st_size // 4096
    with open(box, "r+b") as f:  # a damaged sector among events the server already has
        f.seek(4096 * (pages // 2) + 100)
        f.write(os.urandom(3000))
    r = subprocess.run([sys.executable, os.path.join(ROOT, "main.py"), "unit", "salvage", "--db", as_ws],
                       env=dict(os.environ, IVIG_OUTBOX=str(box), IVIG_WORKSTATION="ws-a"), capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0 and "0 events waiting" in r.stdout, r.stdout + r.stderr
    got = [json.loads(b) for (b,) in q(admin, "SELECT body FROM events ORDER BY seq")]
    assert got == json.loads(json.dumps(want))  # every event, the 20 unsent ones too, in order
    assert verified(admin) == []


def test_a_take_back_after_a_cut_keeps_what_the_server_never_took_and_says_so(unit, pg_server, proxy, tmp_path):
    from titration.store.takeover import take_over

    admin, as_ws, name = unit
    via = pg_server.tcp_url(name, pg_server.workstation_login(), proxy.port)
    a, s, sid = driving(via, tmp_path, "ws-a")
    uid = a._uids[sid]
    try:
        assert a.flush(20) == 0
        proxy.blackhole()
        s.pause(10, "pump alarm")  # recorded on ws-a during the cut: the server never gets it
        q(admin, "UPDATE leases SET expires = now() - interval '1 second'")
        b = Journal(as_ws, outbox=tmp_path / "ws-b.sqlite3", workstation="ws-b", nurse="nurse-b")
        try:
            take_over(b, uid, pump="ran", reason="ws-a cut off", now_wall=time.time())
            assert b.flush(20) == 0
        finally:
            b.close()  # ws-b goes too
        proxy.heal()
        proxy.reset()
        wait_for(lambda: uid in a.outbox.fenced, 20)
        q(admin, "UPDATE leases SET expires = now() - interval '1 second'")
        back = take_over(a, uid, pump="ran", reason="ws-a is back; ws-b left", now_wall=time.time())
        assert back.session.status == "running"  # the server's record: ws-a's pause is not in it
        assert a.flush(20) >= 1  # the pause is kept (its old record, superseded), never sent
        assert "recorded here were not taken by the unit server" in a.outbox.status()["superseded"][uid]
        back.session.note(back.session.events[-1].at_min + 1, "driven from ws-a again")
    finally:
        a.close()
    kinds = [json.loads(b)["kind"] for (b,) in q(admin, "SELECT body FROM events ORDER BY seq")]
    assert "pause" not in kinds and kinds[-1] == "note"
    assert q(admin, "SELECT workstation, epoch FROM leases") == [("ws-a", 3)]
    r = subprocess.run([sys.executable, os.path.join(ROOT, "main.py"), "unit", "send", "--db", as_ws],
                       env=dict(os.environ, IVIG_OUTBOX=str(tmp_path / "ws-a.sqlite3"), IVIG_WORKSTATION="ws-a"),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "kept here, never sent: chair Bay A/1" in r.stdout, r.stdout + r.stderr
    assert verified(admin) == []


def test_an_outbox_whose_workstation_id_is_damaged_is_set_aside_loudly(unit, tmp_path):
    _, as_ws, _ = unit
    a, s, sid = driving(as_ws, tmp_path, "ws-a", start_sender=False)
    a.close()
    c = sqlite3.connect(tmp_path / "ws-a.sqlite3")
    c.execute("UPDATE station SET installation = 'not an id'")
    c.commit()
    c.close()
    env = dict(os.environ, IVIG_OUTBOX=str(tmp_path / "ws-a.sqlite3"), IVIG_WORKSTATION="ws-a")
    r = subprocess.run([sys.executable, os.path.join(ROOT, "main.py"), "unit", "send", "--db", as_ws], env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "OUTBOX WAS DAMAGED" in r.stdout, r.stdout + r.stderr
    r = subprocess.run([sys.executable, os.path.join(ROOT, "main.py"), "unit", "salvage", "--db", as_ws], env=env,
                       capture_output=True, text=True, timeout=60)
    assert "2 events of 1 infusion recovered" in r.stdout, r.stdout + r.stderr
    assert q(as_ws, "SELECT count(*) FROM events")[0][0] == 2
