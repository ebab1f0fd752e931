"""kill -9 at random moments during `simulate --db --speed`: the journal stays intact, holds a
prefix of an uninterrupted run, and recovery restores the state.

The seed is random each run (printed on failure), so over many runs many moments are tried.
"""
import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from titration.cli.journal import simulate_journaled
from titration.cli.main import main as cli_main
from titration.store.journal import Journal
from titration.store.recovery import STOPPED_REASON, recover
from titration.training.scenario import read_scenario, run_protocol

ROOT = Path(__file__).resolve().parent.parent
SPEED = 6000.0  # session minutes per real minute: 1 session minute = 0.01 s, the run about 2 s

SCENARIO = """
[patient]
weight_kg = 70
[prescription]
product = "octagam-10"
indication = "itp"
dose_g_per_kg = 1.0
[[events]]
at_min = 35
symptoms = ["chills"]
[[events]]
at_min = 50
resolved = true
"""
# A moderate reaction: paused at 40 min, resumed at 55 at 42 mL/h to the end (1005 min).
MODERATE = SCENARIO.replace('at_min = 35\nsymptoms = ["chills"]', 'at_min = 40\nsymptoms = ["rigors"]').replace(
    "at_min = 50", "at_min = 55")


def norm(events):
    """Events as the journal stores them. A journaled simulation is marked training (it is no
    real patient's record); apart from that flag it is the headless run, event for event."""
    out = json.loads(json.dumps([e.to_dict() for e in events]))
    assert out[0]["kind"] == "planned" and out[0]["training"] is False
    out[0]["training"] = True
    return out


def delivered_by(segments, t):
    """Volume of the uninterrupted run by time t: the integral of its confirmed rates."""
    return sum(r * max(0.0, min(b, t) - a) / 60.0 for a, b, r in segments)


@pytest.fixture
def scenario(tmp_path):
    p = tmp_path / "mild.toml"
    p.write_text(SCENARIO)
    return p


def test_a_journaled_run_records_exactly_the_headless_run(tmp_path, scenario, capsys):
    ref = run_protocol(read_scenario(scenario))
    db = tmp_path / "j.sqlite3"
    a = argparse.Namespace(scenario=str(scenario), db=str(db), speed=None, json=True)
    assert simulate_journaled(a) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["outcome"] == "completed" and out["end_min"] == 197.5 and out["journal"]["session_id"] == 1
    j = Journal(db)
    assert j.events(1) == norm(ref.events)
    assert j.sessions()[0]["training"] is True and j.unfinished() == []
    j.close()


def test_speed_without_a_journal_is_refused(scenario, capsys):
    assert cli_main(["simulate", str(scenario), "--speed", "60"]) == 2
    assert "--db" in capsys.readouterr().err


def test_kill_9_at_random_moments_loses_nothing_confirmed(tmp_path, scenario):
    seed = int.from_bytes(os.urandom(4), "little")
    rng = random.Random(seed)
    moderate = tmp_path / "moderate.toml"
    moderate.write_text(MODERATE)
    refs = {}
    for sc in (scenario, moderate):
        r = run_protocol(read_scenario(sc))
        refs[sc] = (norm(r.events), r.rate_segments(), r.state.end_min)
    mild_s = refs[scenario][2] * 60.0 / SPEED  # about 2 s
    db = tmp_path / "kill.sqlite3"
    # (scenario, speed, how long after the start to kill at the latest, in seconds)
    plan = [(scenario, SPEED, mild_s * 0.95), (moderate, SPEED, 60 * 60 / SPEED), (scenario, SPEED, mild_s * 0.95),
            (moderate, SPEED, 60 * 60 / SPEED), (scenario, None, 0.005)]
    seen = []
    for i, (sc, speed, window) in enumerate(plan):
        why = f"(seed {seed}, iteration {i})"
        ref_events, segments, _ = refs[sc]
        args = [sys.executable, "main.py", "--db", str(db), "simulate", str(sc)]
        if speed:
            args += ["--speed", f"{speed:g}"]
        p = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        watchdog = threading.Timer(30, p.kill)  # never hang the suite
        watchdog.start()
        try:
            first = p.stdout.readline()  # printed once the session is on disk
            assert "session" in first, (first, p.stderr.read(), why)
            time.sleep(rng.uniform(0.0, window))
        finally:
            p.kill()  # SIGKILL: no clean-up of any kind
            p.wait()
            watchdog.cancel()

        c = sqlite3.connect(db)
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok", why
        c.close()
        j = Journal(db)  # the dead process's lock is gone
        assert j.verify() == [], why
        sid = j.sessions()[-1]["id"]
        got = j.events(sid)
        k = len(got)
        assert k >= 1 and got == ref_events[:k], why
        seen.append(f"{k}/{len(ref_events)}")
        if k == len(ref_events):
            assert all(r.id != sid for r in j.unfinished()), why
            j.close()
            continue
        (rec,) = [r for r in j.unfinished() if r.id == sid]
        last = rec.last_at_min
        assert rec.session.events[-1].to_dict() == got[-1], why
        assert rec.session.delivered_ml(last) == pytest.approx(delivered_by(segments, last)), why
        before = rec.session.delivered_ml(last)
        rate = rec.session.state.rate_ml_h
        if rec.session.status == "running" and i % 2 == 0:
            s = recover(rec, rec.last_wall, "stopped")
            assert s.status == "paused" and s.events[-2].data["reason"] == STOPPED_REASON, why
            assert s.delivered_ml(last + 100) == pytest.approx(before), why
        elif rec.session.status == "running":
            s = recover(rec, rec.last_wall + 0.5, "ran")  # 0.5 s at 6000x = 50 session minutes
            expect = min(rec.session.volume_ml, before + rate * 50 / 60)
            assert s.delivered_ml(last + 50) == pytest.approx(expect, abs=1e-3), why
        else:  # paused (the moderate reaction) or not started: nothing ran
            s = recover(rec, rec.last_wall + 0.5, None)
            assert s.delivered_ml(last + 50) == pytest.approx(before), why
        assert j.attach(s, chair="simulation", patient_id=None, training=True, wall_start=rec.wall_start) == sid
        assert j.verify() == [], why
        j.close()
    print(f"kill loop seed {seed}: events on disk at each kill {seen}")
    assert len(seen) == len(plan)
