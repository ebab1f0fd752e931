"""This workstation's side of the unit server under the faults an independent round found: an
event changed on this disk before it was sent, a link that goes silent in the middle of `journal
verify`, a packet the network repeats, an outbox whose header is damaged, `unit status` on a
workstation with something wrong, and a server restored from a dump that `unit status` has not
been told about.
"""
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time

import psycopg
import pytest

from titration.plan import PlanRequest, build_plan
from titration.session import Session
from titration.store.journal import Journal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
pytestmark = pytest.mark.pg


def q(url, sql, args=()):
    with psycopg.connect(url, autocommit=True) as c:
        cur = c.execute(sql, args)
        return cur.fetchall() if cur.description else None


@pytest.fixture
def unit(pg_server):
    url = pg_server.new_database()
    name = url.split("/")[3].split("?")[0]
    return url, pg_server.url(name, user=pg_server.workstation_login()), name


@pytest.fixture
def proxy(pg_server):
    from tcpproxy import Proxy

    p = Proxy(("127.0.0.1", pg_server.tcp_port)).start()
    yield p
    p.close()


def infusion():
    return Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))


def main(box, *args, ws="ws-a"):
    return subprocess.run([sys.executable, os.path.join(ROOT, "main.py"), *args],
                          env=dict(os.environ, IVIG_OUTBOX=str(box), IVIG_WORKSTATION=ws), capture_output=True,
                          text=True, timeout=90)


def recorded(as_ws, box, n_notes=20, send=False):
    """ws-a's outbox with an infusion (planned, start, notes), sent or not."""
    j = Journal(as_ws, outbox=box, workstation="ws-a", nurse="n", start_sender=False)
    s = infusion()
    j.attach(s, chair="Bay A/1", patient_id="P1", training=False, wall_start=time.time())
    s.start(0)
    for i in range(n_notes):
        s.note(1 + i, f"pulse 76 at round {i}")
    if send:
        assert j.outbox.send_now() and j.waiting() == 0
    n = len(s.events)
    j.close()
    return n


def server_events(admin):
    return [json.loads(b) for (b,) in q(admin, "SELECT body FROM events ORDER BY session_id, seq")]


def test_an_event_changed_on_this_disk_is_never_sent_and_the_row_is_named(unit, tmp_path):
    admin, as_ws, _ = unit
    box = tmp_path / "ws-a.sqlite3"
    n = recorded(as_ws, box)
    c = sqlite3.connect(box)
    (rid,) = c.execute("SELECT id FROM events WHERE seq = 7").fetchone()
    c.execute("UPDATE events SET body = replace(body, 'pulse 76', 'pulse 96') WHERE id = ?", (rid,))
    c.commit()
    c.close()
    r = main(box, "unit", "send", "--db", as_ws)
    assert r.returncode == 1, r.stdout + r.stderr
    assert f"event #8 in this workstation's outbox (its row {rid}) does not match its hash" in r.stdout, r.stdout
    assert f"{n - 7} waiting" in r.stdout
    got = server_events(admin)
    assert len(got) == 7 and not any("pulse 96" in json.dumps(e) for e in got)  # those before it went


def test_journal_verify_through_a_link_gone_silent_ends_within_a_bounded_time(unit, pg_server, proxy, tmp_path):
    from titration.store.base import ServerUnreachable
    from titration.store.pg_store import PgStore

    admin, as_ws, name = unit
    recorded(as_ws, tmp_path / "ws-a.sqlite3", send=True)
    store = PgStore(pg_server.tcp_url(name, pg_server.workstation_login(), proxy.port), readonly=True)
    proxy.blackhole()  # the hop goes silent, its TCP peer stays up: only a watchdog can notice
    out: list = []

    def verify():
        try:
            out.append(store.verify())
        except ServerUnreachable as exc:
            out.append(exc)

    t = threading.Thread(target=verify, daemon=True)
    t0 = time.monotonic()
    t.start()
    t.join(30)
    took = time.monotonic() - t0
    proxy.heal()
    proxy.reset()
    assert not t.is_alive() and took < 20, f"verify still waiting after {took:.0f} s"
    assert isinstance(out[0], ServerUnreachable) and "could not be read to the end" in str(out[0])


def test_a_repeated_packet_does_not_stop_the_sender(unit, pg_server, proxy, tmp_path):
    admin, as_ws, name = unit
    via = pg_server.tcp_url(name, pg_server.workstation_login(), proxy.port)
    j = Journal(via, outbox=tmp_path / "ws-a.sqlite3", workstation="ws-a", nurse="n")
    s = infusion()
    try:
        j.attach(s, chair="Bay A/1", patient_id="P1", training=False, wall_start=time.time())
        s.start(0)
        assert j.flush(20) == 0
        for i in range(6):  # each call the sender makes next reaches the server twice
            proxy.duplicate(2)
            s.note(1 + i, f"note {i}")
            j.alive()
            deadline = time.monotonic() + 10
            while proxy.duplicated_left() and time.monotonic() < deadline:
                time.sleep(0.05)
        assert j.flush(30) == 0, j.outbox.status()
        assert j.outbox._thread.is_alive()
        assert "stopped" not in j.outbox.status()["unreachable"]
    finally:
        j.close()
    kinds = [e["kind"] for e in server_events(admin)]
    assert kinds == ["planned", "start"] + ["note"] * 6  # once each, in order


def test_an_outbox_with_a_damaged_header_is_set_aside_loudly_and_salvaged_whole(unit, tmp_path):
    admin, as_ws, _ = unit
    box = tmp_path / "ws-a.sqlite3"
    n = recorded(as_ws, box)
    with open(box, "r+b") as f:  # 16 bytes of the header: the rest of the file is intact
        f.write(b"garbage!garbage!")
    r = main(box, "unit", "status", "--db", as_ws)
    assert r.returncode == 1, r.stdout + r.stderr
    r = main(box, "unit", "send", "--db", as_ws)
    assert r.returncode == 1 and "OUTBOX WAS DAMAGED" in r.stdout, r.stdout + r.stderr
    r = main(box, "unit", "salvage", "--db", as_ws)
    assert r.returncode == 0 and f"{n} events of 1 infusion recovered" in r.stdout, r.stdout + r.stderr
    assert len(server_events(admin)) == n
    r = main(box, "unit", "status", "--db", as_ws)
    assert r.returncode == 0, r.stdout + r.stderr


def test_unit_status_exits_1_whenever_something_is_wrong_on_this_workstation(unit, tmp_path):
    admin, as_ws, _ = unit
    box = tmp_path / "ws-a.sqlite3"
    recorded(as_ws, box)  # nothing sent yet
    r = main(box, "unit", "status", "--db", as_ws)
    assert r.returncode == 1 and "22 events waiting" in r.stdout, r.stdout + r.stderr
    assert main(box, "unit", "send", "--db", as_ws).returncode == 0
    assert main(box, "unit", "status", "--db", as_ws).returncode == 0
    size = box.stat().st_size
    with open(box, "r+b") as f:  # a damaged page, not yet set aside (nothing has opened it for writing)
        f.seek(size // 2)
        f.write(os.urandom(4096))
    r = main(box, "unit", "status", "--db", as_ws)
    assert r.returncode == 1, r.stdout + r.stderr


def test_unit_status_says_what_a_restored_server_lacks_without_changing_anything(unit, pg_server, tmp_path):
    admin, as_ws, name = unit
    box = tmp_path / "ws-a.sqlite3"
    j = Journal(as_ws, outbox=box, workstation="ws-a", nurse="n", start_sender=False)
    s = infusion()
    j.attach(s, chair="Bay A/1", patient_id="P1", training=False, wall_start=time.time())
    assert j.outbox.send_now()
    pg_server.dump(name, os.path.join(pg_server.dir, f"{name}.dump"))  # last night's backup
    s.start(0)
    s.stop(5, "rigors")
    assert j.outbox.send_now() and j.waiting() == 0
    j.close()
    pg_server.restore(name, os.path.join(pg_server.dir, f"{name}.dump"))
    before = box.read_bytes()
    r = main(box, "unit", "status", "--db", as_ws)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "THE UNIT SERVER LACKS 2 events of chair Bay A/1" in r.stdout and "unit send" in r.stdout
    assert box.read_bytes() == before  # read-only: the outbox is healed by `unit send`, not here
    r = main(box, "unit", "send", "--db", as_ws)
    assert r.returncode == 0 and "healed" in r.stdout, r.stdout
    assert [e["kind"] for e in server_events(admin)] == ["planned", "start", "stop"]
