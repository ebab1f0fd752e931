"""Chaos: three workstation processes (tests/chaos_station.py) record into one unit server through
a TCP proxy (tests/tcpproxy.py) while the link is black-holed, a workstation is killed -9 and its
chair taken over, the server is stopped hard, restored from a dump taken minutes before, and
workstations are killed and restarted. At the end, checked against every outbox and the server:

- nothing lost: every event an outbox still drives is on the server, in its place; an outbox's
  record of a chair taken over from it agrees with the server up to what the server took, and
  keeps the rest (shown, never sent);
- nothing doubled or reordered: each infusion's events are numbered 0..n-1 in the order written;
- never two drivers: in each infusion the events change workstation only where the new one took
  it over (its "Taken over" note), and the lease's epoch counts those takeovers;
- the hash chain verifies.
"""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import psycopg
import pytest

from titration.store.journal import Journal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
pytestmark = pytest.mark.pg


class Station:
    def __init__(self, url, folder, name):
        self.name, self.box = name, str(folder / f"{name}.sqlite3")
        self.url = url
        self.lines: list[list[str]] = []
        self.start()

    def start(self):
        self.p = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests", "chaos_station.py"), self.url,
                                   self.box, self.name], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        self.lines = []
        threading.Thread(target=self._read, args=(self.p,), daemon=True).start()
        self.wait("ready")

    def _read(self, p):
        for line in p.stdout:
            self.lines.append(line.split())

    def wait(self, word, seconds=30):
        t0 = time.monotonic()
        while not any(line and line[0] == word for line in self.lines):
            assert self.p.poll() is None or any(line and line[0] == word for line in self.lines), \
                f"{self.name} ended: {self.p.stderr.read()[-2000:]}"
            assert time.monotonic() - t0 < seconds, f"{self.name}: no {word!r} in {self.lines[-5:]}"
            time.sleep(0.05)
        line = next(line for line in self.lines if line and line[0] == word)
        self.lines.remove(line)
        return line[1:]

    def tell(self, *words):
        self.p.stdin.write(" ".join(words) + "\n")
        self.p.stdin.flush()

    def new(self):
        self.tell("new")
        return self.wait("uid")[0]

    def kill(self):
        self.p.send_signal(signal.SIGKILL)
        self.p.wait()

    def quit(self):
        self.tell("quit")
        self.wait("left", 60)
        self.p.wait(timeout=30)


def q(url, sql, args=()):
    with psycopg.connect(url, autocommit=True) as c:
        cur = c.execute(sql, args)
        return cur.fetchall() if cur.description else None


def test_chaos(pg_server, tmp_path):
    from tcpproxy import Proxy

    admin = pg_server.new_database()
    name = admin.split("/")[3].split("?")[0]
    proxy = Proxy(("127.0.0.1", pg_server.tcp_port)).start()
    via = pg_server.tcp_url(name, pg_server.workstation_login(), proxy.port)
    dump = os.path.join(pg_server.dir, f"{name}.dump")
    stations = {n: Station(via, tmp_path, n) for n in ("ws1", "ws2", "ws3")}
    try:
        uids = {n: st.new() for n, st in stations.items()}
        time.sleep(1.5)
        proxy.blackhole()  # a silent cut for everyone: they record on
        time.sleep(3)
        proxy.heal()
        time.sleep(1)
        stations["ws1"].kill()  # ws1 dies mid-infusion; 90 s later (compressed) ws2 takes its chair
        q(admin, "UPDATE leases l SET expires = now() - interval '1 second' FROM sessions s "
                 "WHERE s.id = l.session_id AND s.uid = %s", (uids["ws1"],))
        stations["ws2"].tell("take", uids["ws1"])
        assert stations["ws2"].wait("taken", 30) == [uids["ws1"]]
        time.sleep(1)
        pg_server.dump(name, dump)  # last night's backup, as it were
        time.sleep(2)
        pg_server.stop("immediate")  # the server's power goes
        time.sleep(1.5)
        pg_server.start()
        time.sleep(2)
        before = q(admin, "SELECT count(*) FROM events")[0][0]
        pg_server.restore(name, dump)  # restored from the backup: what came after it is gone from the server
        assert q(admin, "SELECT count(*) FROM events")[0][0] < before
        stations["ws1"].start()  # ws1 comes back: its chair was taken over, it is told, and starts another
        stations["ws1"].new()
        time.sleep(2)
        proxy.blackhole()
        time.sleep(2)
        proxy.heal()
        stations["ws3"].kill()  # killed and started again at once (the same installation)
        stations["ws3"].start()
        time.sleep(3)
        for st in stations.values():
            st.tell("quit")
        for st in stations.values():
            st.wait("left", 60)
            st.p.wait(timeout=30)
    finally:
        for st in stations.values():
            if st.p.poll() is None:
                st.kill()
        proxy.close()
    for st in stations.values():  # whatever still waits, sent now the network is quiet
        r = subprocess.run([sys.executable, os.path.join(ROOT, "main.py"), "unit", "send", "--db", via],
                           env=dict(os.environ, IVIG_OUTBOX=st.box), capture_output=True, text=True, timeout=60)
        assert "waiting" in r.stdout, r.stderr
    check(admin, stations, uids)


def check(admin, stations, uids):
    server = {}
    for uid, seq, body, ws in q(admin, "SELECT s.uid, e.seq, e.body, e.workstation FROM events e "
                                       "JOIN sessions s ON s.id = e.session_id ORDER BY e.id"):
        server.setdefault(uid, []).append((seq, body, ws))
    # Nothing doubled or reordered: 0..n-1 in the order written.
    for uid, evs in server.items():
        assert [e[0] for e in evs] == list(range(len(evs))), uid
    # Nothing lost: each outbox's records against the server's.
    kept_tail = 0
    for st in stations.values():
        c = sqlite3.connect(st.box)
        try:
            rows = c.execute("SELECT s.id, s.uid, o.state, o.sent FROM sessions s JOIN outbox o ON o.session_id = s.id"
                             ).fetchall()
            for sid, uid, state, sent in rows:
                local = [b for (b,) in c.execute("SELECT body FROM events WHERE session_id=? ORDER BY seq", (sid,))]
                theirs = [e[1] for e in server.get(uid, [])]
                if state == "open":
                    assert sent == len(local) and theirs[:len(local)] == local, (st.name, uid, state)
                else:  # taken over from it: agrees up to what the server took; the rest kept here
                    assert theirs[:sent] == local[:sent], (st.name, uid, state)
                    kept_tail += len(local) - sent
        finally:
            c.close()
    healed = sum(sqlite3.connect(st.box).execute("SELECT coalesce(sum(healed), 0) FROM outbox").fetchone()[0]
                 for st in stations.values())
    assert healed > 0 and kept_tail > 0  # the restore was healed; ws1's words after the takeover are kept
    # Never two drivers: the workstation changes only at a takeover by the new one.
    takeovers = {}
    for uid, evs in server.items():
        driver, n = evs[0][2], 0
        for i, (_seq, _body, ws) in enumerate(evs):
            if ws != driver:
                run = [json.loads(b) for _s, b, w in evs[i:] if w == ws][:5]
                assert any(str(e.get("text", "")).startswith(f"Taken over on workstation {ws}") for e in run), \
                    (uid, i, driver, ws)
                driver, n = ws, n + 1
        takeovers[uid] = n
    epochs = dict(q(admin, "SELECT s.uid, l.epoch FROM leases l JOIN sessions s ON s.id = l.session_id"))
    assert all(epochs[uid] == 1 + n for uid, n in takeovers.items()), (epochs, takeovers)
    assert takeovers[uids["ws1"]] == 1 and server[uids["ws1"]][-1][2] == "ws2"
    assert len(server) == 4  # three chairs, and the one ws1 started after it came back
    r = Journal(admin, readonly=True)
    try:
        assert r.verify() == []
    finally:
        r.close()
