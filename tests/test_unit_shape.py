"""The server refuses, before storing it, an event that would leave an infusion's record impossible
to replay (the append-only record would otherwise carry it for good, and `journal verify` would
say BROKEN for the whole unit), and an epoch it never gave.

Against the real PostgreSQL server the tests start (tests/pgserver.py), as a workstation login
calling the server's functions the way a program using that login could.
"""
import json
import time

import pytest
from test_unit_faults import dbname, driving, q, verified

from titration.store.station import Refused, Station

pytestmark = pytest.mark.pg


@pytest.fixture
def unit(pg_server):
    url = pg_server.new_database()
    return url, pg_server.url(dbname(url), user=pg_server.workstation_login()), dbname(url)


def _sess(uid, chair):
    return {"uid": uid, "chair": chair, "patient_id": None, "training": True, "wall_start": 1_780_000_000.0,
            "speed": 1.0, "product": "octagam-10", "workstation": "rogue", "nurse": "x"}


def _body(kind, **data):
    return json.dumps({"at_min": 0.0, "kind": kind, "who": "nurse", **data})


def test_events_that_would_not_replay_are_refused_and_nothing_is_stored(unit, tmp_path):
    admin, as_ws, _ = unit
    a, s, sid = driving(as_ws, tmp_path, "ws-a")
    planned = a._db.execute("SELECT body FROM events WHERE session_id=? AND seq=0", (sid,)).fetchone()[0]
    try:
        assert a.flush(20) == 0
    finally:
        a.close()
    rogue = Station(as_ws, "f" * 32, "e" * 32, "rogue")
    try:
        plan = json.loads(planned)["plan"]
        for n, (first, why) in enumerate([
                (_body("note", text="no plan before me"), "is not the infusion's plan"),
                (_body("planned"), "is not the infusion's plan"),
                (_body("planned", plan={**plan, "steps": "fast"}), "is not the infusion's plan"),
                (_body("planned", plan={k: v for k, v in plan.items() if k != "dose"}), "is not the infusion's plan")]):
            with pytest.raises(Refused, match=why):
                rogue.append(_sess(f"forged-{n}", f"Bay Z/{n}"), [(0, time.time(), first, "rogue", "x")], 0)
        ok = _sess("rogue-own", "Bay Z/9")
        assert rogue.append(ok, [(0, time.time(), planned, "rogue", "x")], 0)[:2] == (1, 1)  # a real plan goes in
        for later in (_body("planned", plan=plan), _body("teleport"), json.dumps({"at_min": 1.0, "kind": 5})):
            with pytest.raises(Refused, match="not record|not an event"):
                rogue.append(ok, [(1, time.time(), later, "rogue", "x")], 1)
        with pytest.raises(Refused, match="epoch 2 was never given"):  # its own lease is at epoch 1
            rogue.append(ok, [(1, time.time(), _body("note", text="hi"), "rogue", "x")], 2)
        assert rogue.append(ok, [(1, time.time(), _body("note", text="hi"), "rogue", "x")], 1)[:2] == (2, 1)
    finally:
        rogue.close()
    assert q(admin, "SELECT count(*) FROM sessions s WHERE s.uid LIKE %s", ("forged-%",)) == [(0,)]
    assert q(admin, "SELECT epoch FROM leases l JOIN sessions s ON s.id = l.session_id "
                    "WHERE s.uid = 'rogue-own'") == [(1,)]
    assert verified(admin) == []


def test_verify_says_an_infusion_that_does_not_replay_apart_from_a_broken_chain(tmp_path):
    import os
    import sqlite3
    import subprocess
    import sys

    from test_unit_faults import ROOT, infusion, rechain

    from titration.store.journal import Journal

    path = tmp_path / "j.sqlite3"
    j = Journal(str(path))
    for chair in ("Bay A/1", "Bay A/2"):
        s = infusion()
        j.attach(s, chair=chair, patient_id=None, training=True, wall_start=time.time())
        s.start(0)
    j.close()
    c = sqlite3.connect(path)  # an older server's record: intact in its chain, but its first event is a note
    c.execute("UPDATE events SET body = ? WHERE session_id = 2 AND seq = 0", (_body("note", text="no plan"),))
    rechain(c)
    c.commit()
    c.close()

    def verify(*extra):
        return subprocess.run([sys.executable, os.path.join(ROOT, "main.py"), "journal", "verify", "--db", str(path),
                               *extra], capture_output=True, text=True, timeout=60)

    r = verify()
    assert r.returncode == 1 and "BROKEN" not in r.stdout, r.stdout + r.stderr
    assert "hash chain intact" in r.stdout and "1 infusion cannot be rebuilt" in r.stdout
    assert "session 2: its events do not replay" in r.stdout and "session 1" not in r.stdout
    got = json.loads(verify("--json").stdout)
    assert got["chain_intact"] is True and got["intact"] is False and len(got["unreplayable"]) == 1
    c = sqlite3.connect(path)  # and a real damage is still called so
    c.execute("UPDATE events SET wall = wall + 1 WHERE session_id = 1 AND seq = 1")
    c.commit()
    c.close()
    r = verify()
    assert r.returncode == 1 and "BROKEN" in r.stdout
    assert json.loads(verify("--json").stdout)["chain_intact"] is False
