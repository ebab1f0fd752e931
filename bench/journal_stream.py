"""`journal --json` on a 100,000-event session (it once took 211 MB): peak resident memory
of the command, which streams the listing one event at a time."""
from __future__ import annotations

import os
import subprocess
import tempfile
import time

from common import PY, ROOT

N = 100_000


def _journal(path: str) -> None:
    from titration.plan import PlanRequest, build_plan
    from titration.session import Session
    from titration.store.journal import Journal
    from titration.store.sqlite_store import insert_events

    j = Journal(path)
    s = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))
    sid = j.attach(s, chair="1", patient_id="P1", training=False, wall_start=0.0)
    j.detach(s)
    s.start(0)
    for i in range(N - 2):
        s.note(1 + i * 0.001, f"note {i}")
    bodies = [e.to_dict() for e in s.events[1:]]  # one transaction: building the file is not what is measured
    j.local.tx(lambda c: insert_events(c, sid, j._meta[sid], None, bodies, 1, time.time, s.status), "bench")
    j.close()


def run() -> dict:
    path = os.path.join(tempfile.mkdtemp(prefix="ivig-bench-"), "big.sqlite3")
    _journal(path)
    # The child reports its own peak. VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a
    # child of a large bench process would report its parent's size.
    code = ("import os, sys\n"
            "sys.stdout = open(os.devnull, 'w')\n"
            "from titration.cli.main import main\n"
            f"code = main(['journal', '--db', {path!r}, '--json'])\n"
            "kb = next(line.split()[1] for line in open('/proc/self/status') if line.startswith('VmHWM'))\n"
            "print(kb, code, file=sys.stderr)\n")
    r = subprocess.run([PY, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    kb, code = r.stderr.split()[-2:]
    if code != "0":
        raise RuntimeError(f"journal --json failed: {r.stderr[-300:]}")
    peak = int(kb)
    return {"journal_json_100k_mb": peak / 1024.0}


if __name__ == "__main__":
    print(run())
