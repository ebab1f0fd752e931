"""An outbox whose first bytes (SQLite's header) are damaged, wholly or in part: the app made the
file at its own path, so it is never called "not a journal of this app". It is set aside loudly
(exit 1) and `unit salvage` recovers its events, which then reach the server.

Against the real PostgreSQL server the tests start (tests/pgserver.py).
"""
import json
import os
import subprocess
import sys
import time

import pytest
from test_unit_faults import dbname, infusion, q, verified

from titration.store.journal import Journal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
pytestmark = pytest.mark.pg


@pytest.mark.parametrize("damaged", [16, 100])  # the magic string only; the whole header, our id too
def test_an_outbox_with_a_damaged_header_is_set_aside_loudly_and_salvaged(pg_server, tmp_path, damaged):
    admin = pg_server.new_database()
    as_ws = pg_server.url(dbname(admin), user=pg_server.workstation_login())
    box = tmp_path / "ws-a.sqlite3"
    j = Journal(pg_server.url("nowhere", user="x").replace(pg_server.sock, str(tmp_path)), outbox=box,
                workstation="ws-a", nurse="n", start_sender=False)  # the server away: everything waits here
    s = infusion()
    j.attach(s, chair="Bay A/1", patient_id="P1", training=False, wall_start=time.time())
    s.start(0)
    for i in range(30):
        s.note(1 + i, f"observation {i}")
    want = [e.kind for e in s.events]
    j.close()
    with open(box, "r+b") as f:
        f.write(b"\0" * damaged)
    env = dict(os.environ, IVIG_OUTBOX=str(box), IVIG_WORKSTATION="ws-a")

    def main(*args):
        return subprocess.run([sys.executable, os.path.join(ROOT, "main.py"), *args], env=env, capture_output=True,
                              text=True, timeout=60)

    r = main("unit", "send", "--db", as_ws)
    assert r.returncode == 1 and "OUTBOX WAS DAMAGED" in r.stdout, r.stdout + r.stderr
    assert "not a journal of this app" not in r.stdout + r.stderr
    r = main("unit", "salvage", "--db", as_ws)
    assert r.returncode == 0 and "recovered into" in r.stdout, r.stdout + r.stderr
    got = [json.loads(b)["kind"] for (b,) in q(admin, "SELECT e.body FROM events e ORDER BY e.seq")]
    assert got == want
    r = main("unit", "send", "--db", as_ws)
    assert r.returncode == 0 and "DAMAGED" not in r.stdout, r.stdout
    assert verified(admin) == []
