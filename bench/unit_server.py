"""The unit server, on a throwaway PostgreSQL server started here (tests/pgserver.py,
with fsync on, as a real server runs; on its own unix socket, so no network is measured):

- commit to the server: from the local commit (what the nurse waits on, also measured) to the
  server holding the event and telling the boards (its NOTIFY heard), p50 and p95;
- the unit board's refresh with 40 chairs and 4 workstations writing: a full snapshot, and the
  fetch of the chairs one notification names, p50 and p95;
- sending a 1,000-event outbox after an outage.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

from common import PY, ROOT, percentile

sys.path.insert(0, os.path.join(ROOT, "tests"))


def _commit_latency(srv, tmp) -> dict:
    import psycopg

    from titration.plan import PlanRequest, build_plan
    from titration.session import Session
    from titration.store.journal import Journal

    url = srv.new_database()
    listen = psycopg.connect(url, autocommit=True)
    listen.execute("LISTEN ivig_unit")
    j = Journal(url, outbox=os.path.join(tmp, "commit-outbox.sqlite3"), workstation="bench", nurse="bench")
    s = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))
    j.attach(s, chair="1", patient_id="P1", training=False, wall_start=time.time())
    j.flush(10)
    for _ in listen.notifies(timeout=0.2):
        pass
    local, server = [], []
    for i in range(200):
        t0 = time.perf_counter()
        s.note(float(i), "bench")  # returns once the local commit is on disk
        t1 = time.perf_counter()
        for _ in listen.notifies(timeout=5, stop_after=1):
            pass
        t2 = time.perf_counter()
        local.append((t1 - t0) * 1000)
        server.append((t2 - t0) * 1000)
    j.close()
    listen.close()
    return {"server_commit_p50_ms": percentile(server, 0.5), "server_commit_p95_ms": percentile(server, 0.95),
            "_local_commit_p50_ms": percentile(local, 0.5), "_local_commit_p95_ms": percentile(local, 0.95)}


def _board(srv, tmp) -> dict:
    from titration.store.board import UnitListener

    url = srv.new_database()
    procs = [subprocess.Popen([PY, os.path.join(ROOT, "bench", "_unit_writer.py"), url,
                               os.path.join(tmp, f"board-{w}.sqlite3"), f"ws{w}", "10", "6"],
                              stdout=subprocess.PIPE, text=True) for w in range(4)]
    for p in procs:
        p.stdout.readline()  # "ready": its ten chairs are attached
    board = UnitListener(url)
    snaps, fetches = [], []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        t0 = time.perf_counter()
        rows = board.snapshot()
        snaps.append((time.perf_counter() - t0) * 1000)
        for n in board.conn.notifies(timeout=1, stop_after=1):
            t0 = time.perf_counter()
            board.store.summaries({int(n.payload)})
            fetches.append((time.perf_counter() - t0) * 1000)
    chairs = len(rows)
    board.close()
    for p in procs:
        p.wait(timeout=60)
    return {"board_snapshot_p95_ms": percentile(snaps, 0.95), "_board_snapshot_p50_ms": percentile(snaps, 0.5),
            "_board_chair_p50_ms": percentile(fetches, 0.5), "_board_chair_p95_ms": percentile(fetches, 0.95),
            "_board_chairs": float(chairs)}


def _outbox(srv, tmp) -> dict:
    from titration.plan import PlanRequest, build_plan
    from titration.session import Session
    from titration.store.journal import Journal

    url = srv.new_database()
    srv.stop("fast")  # the outage
    try:
        j = Journal(url, outbox=os.path.join(tmp, "outage.sqlite3"), workstation="bench", nurse="bench")
        s = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))
        j.attach(s, chair="1", patient_id="P1", training=False, wall_start=time.time())
        for i in range(999):
            s.note(float(i), "bench")
        j.close()
    finally:
        srv.start()
    j = Journal(url, outbox=os.path.join(tmp, "outage.sqlite3"), workstation="bench", nurse="bench",
                start_sender=False)
    t0 = time.perf_counter()
    ok = j.outbox.send_now()
    dt = time.perf_counter() - t0
    left = j.waiting()
    j.close()
    if not ok or left:
        raise RuntimeError(f"the outbox was not sent: {left} left ({j.outbox.unreachable})")
    return {"outbox_1000_s": dt}


def run() -> dict:
    from pgserver import PgServer

    srv = PgServer(fsync=True)
    srv.init()
    tmp = tempfile.mkdtemp(prefix="ivig-bench-")
    try:
        out = _commit_latency(srv, tmp)
        out.update(_board(srv, tmp))
        out.update(_outbox(srv, tmp))
        return out
    finally:
        srv.close()


if __name__ == "__main__":
    for k, v in run().items():
        print(f"{k}: {v:.3f}")
