"""The unit server under quiet faults, on a throwaway PostgreSQL server started here
(tests/pgserver.py, fsync on) with the tests' TCP proxy (tests/tcpproxy.py) in front of it:

- silent_cut_notice_s: from the moment the link black-holes (packets dropped, nothing reset) to
  the moment the workstation's status names the problem (what the red line shows), the worst of
  three cuts at different moments of the heartbeat;
- heal_1000_s: after the server is restored from a dump taken before 1,000 events were sent, a
  workstation connecting again compares, re-sends and is confirmed whole;
- server_verify_200k_mb: peak memory of `journal verify` against a server holding 200,000 events
  (100 infusions of 2,000), streamed; the same at 20,000 shows it does not grow with the record.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

from common import PY, ROOT

sys.path.insert(0, os.path.join(ROOT, "tests"))


def _session():
    from titration.plan import PlanRequest, build_plan
    from titration.session import Session

    return Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))


def _silent_cut(srv, tmp) -> dict:
    from tcpproxy import Proxy

    from titration.store.journal import Journal

    url = srv.new_database()
    name = url.split("/")[3].split("?")[0]
    times = []
    for i in range(3):
        proxy = Proxy(("127.0.0.1", srv.tcp_port)).start()
        j = Journal(srv.tcp_url(name, port=proxy.port), outbox=os.path.join(tmp, f"cut-{i}.sqlite3"),
                    workstation=f"bench-{i}", nurse="bench")
        s = _session()
        j.attach(s, chair=f"cut {i}", patient_id=None, training=True, wall_start=time.time())
        s.start(0)
        if j.flush(20):
            raise RuntimeError("the workstation could not reach the server before the cut")
        time.sleep(i * 1.1)  # a different moment of the heartbeat each time
        proxy.blackhole()
        t0 = time.monotonic()
        while not j.outbox.status()["unreachable"]:
            if time.monotonic() - t0 > 60:
                raise RuntimeError("the cut was not noticed within 60 s")
            time.sleep(0.05)
        times.append(time.monotonic() - t0)
        j.close()
        proxy.close()
    return {"silent_cut_notice_s": max(times), "_silent_cut_notice_min_s": min(times)}


def _heal(srv, tmp) -> dict:
    from titration.store.journal import Journal

    url = srv.new_database()
    name = url.split("/")[3].split("?")[0]
    box = os.path.join(tmp, "heal.sqlite3")
    j = Journal(url, outbox=box, workstation="bench", nurse="bench", start_sender=False)
    s = _session()
    j.attach(s, chair="heal", patient_id="P1", training=False, wall_start=time.time())
    j.outbox.send_now()
    dump = os.path.join(srv.dir, "heal.dump")
    srv.dump(name, dump)  # last night's backup: the infusion's first event only
    for i in range(1000):
        s.note(float(i) / 10, "bench")
    if not j.outbox.send_now() or j.waiting():
        raise RuntimeError("the 1,000 events were not sent before the restore")
    j.close()
    srv.restore(name, dump)
    j = Journal(url, outbox=box, workstation="bench", nurse="bench", start_sender=False)
    t0 = time.perf_counter()
    ok = j.outbox.send_now()
    dt = time.perf_counter() - t0
    healed, left = sum(j.outbox.healed.values()), j.waiting()
    j.close()
    if not ok or left or healed < 1000:
        raise RuntimeError(f"not healed: {healed} healed, {left} left ({j.outbox.status()['unreachable']})")
    return {"heal_1000_s": dt}


FILL = r"""
CREATE OR REPLACE FUNCTION pg_temp.bench_fill(p_sessions integer, p_bodies text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE s sessions; prev text; h text; rec double precision; w double precision;
BEGIN
    FOR k IN 1 .. p_sessions LOOP
        INSERT INTO sessions(uid, chair, patient_id, training, wall_start, speed, product, workstation, nurse)
            VALUES (md5(random()::text || k), 'bench/' || k, NULL, true, 1.8e9, 1.0, 'octagam-10', 'bench', 'bench')
            RETURNING * INTO s;
        rec := extract(epoch FROM now())::float8;
        prev := repeat('0', 64);  -- each infusion its own chain (form 3), as ivig_append writes it
        FOR i IN 1 .. array_length(p_bodies, 1) LOOP
            w := 1.8e9 + i;
            h := encode(sha256(convert_to(prev || E'\n' || ivig_payload(s.id, s.uid, s.chair, s.patient_id,
                     s.training, s.wall_start, s.speed, i - 1, w, 'bench', 'bench', session_user, rec,
                     p_bodies[i]), 'UTF8')), 'hex');
            INSERT INTO events(session_id, seq, uid, wall, body, prev_hash, hash, workstation, nurse, received,
                               form, login, epoch)
                VALUES (s.id, i - 1, s.uid || ':' || (i - 1), w, p_bodies[i], prev, h, 'bench', 'bench', now(), 3,
                        session_user, 1);
            prev := h;
        END LOOP;
        INSERT INTO heads(session_id, n, hash) VALUES (s.id, array_length(p_bodies, 1), prev);
        INSERT INTO chairs(session_id, n_events) VALUES (s.id, array_length(p_bodies, 1));
    END LOOP;
END $$;
"""


def _bodies(n: int) -> list[str]:
    from titration.store.base import canonical

    s = _session()
    s.start(0)
    while len(s.events) < n:
        s.note(len(s.events) / 100, "observation at the bench")
    return [canonical(e.to_dict()) for e in s.events]


def _verify_rss_mb(url: str) -> tuple[float, float]:
    code = ("import resource, subprocess, sys, time\nt = time.perf_counter()\n"
            f"r = subprocess.run([sys.executable, {os.path.join(ROOT, 'main.py')!r}, 'journal', 'verify', '--db', "
            f"{url!r}], capture_output=True, text=True)\n"
            "assert r.returncode == 0, r.stdout + r.stderr\n"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, time.perf_counter() - t)\n")
    out = subprocess.run([PY, "-c", code], capture_output=True, text=True, timeout=1200, cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError(f"journal verify failed: {out.stderr.strip()[-500:]}")
    mb, secs = out.stdout.split()
    return float(mb), float(secs)


def _verify_memory(srv) -> dict:
    import psycopg

    bodies = _bodies(2000)
    out = {}
    for sessions, key in ((10, "_server_verify_20k_mb"), (100, "server_verify_200k_mb")):
        url = srv.new_database()
        with psycopg.connect(url, autocommit=True) as c:
            c.execute("SET statement_timeout = 0")
            c.execute(FILL)
            c.execute("SELECT pg_temp.bench_fill(%s, %s)", (sessions, bodies))
            c.execute("VACUUM ANALYZE events")
        mb, secs = _verify_rss_mb(url)
        out[key] = mb
        out["_" + key.lstrip("_").replace("_mb", "_s")] = secs
    return out


def run() -> dict:
    from pgserver import PgServer

    srv = PgServer(fsync=True)
    srv.init()
    tmp = tempfile.mkdtemp(prefix="ivig-bench-faults-")
    try:
        out = _silent_cut(srv, tmp)
        out.update(_heal(srv, tmp))
        out.update(_verify_memory(srv))
        return out
    finally:
        srv.close()


if __name__ == "__main__":
    for k, v in run().items():
        print(f"{k}: {v:.3f}" if isinstance(v, float) else f"{k}: {json.dumps(v)}")
