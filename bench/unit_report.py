"""The unit's quality report over a year of a 12-chair unit (bench/unit_year.py: about 9,000
infusions, 166,000 events), `unit report` in a fresh process each time, as a person runs it:

- on the journal file: cold (an empty facts cache: every infusion replayed, in worker processes)
  and warm (the facts kept from the run before; only the listing, the figures and the file);
- the same year on the unit server (a throwaway PostgreSQL, fsync on, loaded through the server's
  own functions by `unit send`), cold and warm;
- the PDF (Qt, charts drawn onto the page) warm, on the journal file.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time

from common import PY, ROOT, median

sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, "bench"))
RUNS = 3


def _report(db: str, out: str, cache: str) -> float:
    env = dict(os.environ, XDG_CACHE_HOME=cache, QT_QPA_PLATFORM="offscreen")
    t = time.perf_counter()
    r = subprocess.run([PY, os.path.join(ROOT, "main.py"), "unit", "report", "--db", db, "--from", "2027-01-01",
                        "--to", "2027-12-31", "--out", out], env=env, capture_output=True, text=True, timeout=600)
    took = time.perf_counter() - t
    if r.returncode != 0:
        raise RuntimeError(r.stderr.strip()[-400:])
    return took


def _cold_warm(db: str, tmp: str, tag: str) -> tuple[float, float]:
    cold, warm = [], []
    for i in range(RUNS):
        cache = os.path.join(tmp, f"cache-{tag}-{i}")
        cold.append(_report(db, os.path.join(tmp, f"{tag}.html"), cache))
        warm.append(_report(db, os.path.join(tmp, f"{tag}.html"), cache))
        shutil.rmtree(cache, ignore_errors=True)
    return median(cold), median(warm)


def run() -> dict:
    from unit_year import make_year

    tmp = tempfile.mkdtemp(prefix="ivig-report-bench-")
    try:
        path = os.path.join(tmp, "year.sqlite3")
        made = make_year(path, outbox=True)
        cold, warm = _cold_warm(path, tmp, "sqlite")
        cache = os.path.join(tmp, "cache-pdf")
        _report(path, os.path.join(tmp, "warm.html"), cache)
        pdf = median([_report(path, os.path.join(tmp, "year.pdf"), cache) for _ in range(RUNS)])
        out = {"unit_report_year_s": cold, "_unit_report_year_warm_s": warm, "_unit_report_year_pdf_warm_s": pdf,
               "_unit_report_infusions": float(made["infusions"]), "_unit_report_events": float(made["events"])}
        out.update(_server(path, tmp))
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _server(outbox: str, tmp: str) -> dict:
    from pgserver import PgServer

    from titration.store.journal import Journal

    srv = PgServer(fsync=True)
    srv.init()
    try:
        url = srv.new_database()
        t = time.perf_counter()
        j = Journal(url, outbox=outbox, workstation="bench", nurse="bench", start_sender=False)
        try:
            j.outbox.send_now()
            left = j.waiting()
        finally:
            j.close()
        load = time.perf_counter() - t
        if left:
            raise RuntimeError(f"{left} events did not reach the bench server")
        cold, warm = _cold_warm(url, tmp, "pg")
        return {"unit_report_year_server_s": cold, "_unit_report_year_server_warm_s": warm,
                "_unit_report_server_load_s": load}
    finally:
        srv.close()
