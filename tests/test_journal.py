"""The journal: committed before the screen hears, 0600, hash chain, errors that never lose a record."""
import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from titration.cli.main import main as cli_main
from titration.plan import PlanRequest, build_plan
from titration.session import Session
from titration.store.base import JournalError, JournalFull, JournalLocked, default_path
from titration.store.journal import Journal
from titration.store.sqlite_schema import LATEST
from titration.vitals import Vitals

BASE = Vitals(temp_c=36.8, pulse=72, sbp=124, dbp=78, spo2=98, rr=14)


class Clock:
    def __init__(self, t=1_700_000_000.0):
        self.t = t

    def __call__(self):
        self.t += 1.0
        return self.t


def infusion():
    """Octagam 10%, ITP, 70 kg, 1 g/kg: 700 mL; rungs 42, 84, 168, 336, 504 mL/h every 30 min."""
    return Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))


def run_some(s):
    s.record_vitals(0, BASE)
    s.start(0)
    s.confirm(30, s.due(30))
    p = s.report_symptoms(35, ["chills"])
    s.confirm(35, p)
    s.resolved(50)


def rows(path, sql, args=()):
    c = sqlite3.connect(path)
    try:
        return c.execute(sql, args).fetchall()
    finally:
        c.close()


def test_each_event_is_committed_before_later_listeners_hear_of_it(tmp_path):
    db = tmp_path / "j.sqlite3"
    j = Journal(db)
    s = infusion()
    seen = []
    s.listeners.append(lambda e: seen.append((e.kind, rows(db, "SELECT count(*) FROM events")[0][0])))
    j.attach(s, chair="1", patient_id="P1", training=False, wall_start=0.0)
    run_some(s)
    # A second connection (another process would see the same) already finds the event on disk.
    assert seen == [("vitals", 2), ("start", 3), ("increase", 4), ("symptoms", 5), ("action", 6), ("resolved", 7)]
    assert rows(db, "PRAGMA journal_mode")[0][0] == "wal"
    assert j._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    j.close()


def test_files_are_private_0600(tmp_path):
    db = tmp_path / "j.sqlite3"
    j = Journal(db)
    s = infusion()
    j.attach(s, chair="1", patient_id="P1", training=False, wall_start=0.0)
    s.start(0)
    names = [db.name, db.name + "-wal", db.name + "-shm", db.name + ".lock"]
    for n in names:
        assert stat.S_IMODE(os.stat(tmp_path / n).st_mode) == 0o600, n
    j.close()
    db.chmod(0o644)  # as a copy or an older version may leave it
    Journal(db).close()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


def test_replay_from_the_journal_equals_the_original(tmp_path):
    db = tmp_path / "j.sqlite3"
    j = Journal(db, now=Clock())
    s = infusion()
    sid = j.attach(s, chair="2", patient_id="P1", training=False, wall_start=0.0)
    run_some(s)
    s.confirm(65, s.due(65))
    j.close()
    j2 = Journal(db)
    back = j2.session(sid)
    assert back.state == s.state
    assert back.delivered_ml(80) == pytest.approx(s.delivered_ml(80))
    assert back.rate_segments() == s.rate_segments()
    assert [e.to_dict() for e in back.events] == json.loads(json.dumps([e.to_dict() for e in s.events]))
    assert j2.verify() == []
    j2.close()


def test_default_path_is_env_then_user_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("IVIG_DB", str(tmp_path / "env.sqlite3"))
    assert default_path() == tmp_path / "env.sqlite3"
    monkeypatch.delenv("IVIG_DB")
    assert default_path() == tmp_path / "xdg-data" / "ivig-titration" / "journal.sqlite3"
    j = Journal()
    assert j.path == default_path() and j.path.exists()
    j.close()


def tampered(tmp_path):
    db = tmp_path / "j.sqlite3"
    j = Journal(db, now=Clock())
    for pid in ("P1", "P2"):
        s = infusion()
        j.attach(s, chair=pid[1:], patient_id=pid, training=False, wall_start=0.0)
        run_some(s)
    assert j.verify() == []
    j.close()
    return db


def verify_cli(db, capsys):
    code = cli_main(["journal", "verify", "--db", str(db)])
    return code, capsys.readouterr().out


def test_intact_journal_verifies_with_exit_0(tmp_path, capsys):
    db = tampered(tmp_path)
    code, out = verify_cli(db, capsys)
    assert code == 0 and "intact (2 sessions, 14 events" in out


def test_an_edited_row_is_caught(tmp_path, capsys):
    db = tampered(tmp_path)
    c = sqlite3.connect(db)
    (rid, body), = c.execute("SELECT id, body FROM events WHERE body LIKE '%\"kind\":\"increase\"%' LIMIT 1")
    c.execute("UPDATE events SET body=? WHERE id=?", (body.replace('"rate_ml_h":84.0', '"rate_ml_h":48.0'), rid))
    c.commit()
    c.close()
    code, out = verify_cli(db, capsys)
    assert code == 1
    assert f"event row {rid} (session 1, event #4): its content does not match its hash (edited)" in out


def test_an_edited_row_with_a_recomputed_hash_breaks_the_next_link(tmp_path):
    from titration.store.base import _payload, by, chain_hash, identity

    db = tampered(tmp_path)
    c = sqlite3.connect(db)
    rid, sid, seq, wall, body, prev, ws, nurse = c.execute(
        "SELECT id, session_id, seq, wall, body, prev_hash, workstation, nurse FROM events "
        "WHERE seq=3 AND session_id=1").fetchone()
    ev = json.loads(body)
    ev["rate_ml_h"] = 48.0
    uid, = c.execute("SELECT uid FROM sessions WHERE id=1").fetchone()
    meta = identity(1, "1", "P1", False, 0.0, uid, 1.0)
    c.execute("UPDATE events SET body=?, hash=? WHERE id=?",
              (json.dumps(ev), chain_hash(prev, _payload(meta, seq, wall, ev, by(ws, nurse))), rid))
    c.commit()
    c.close()
    j = Journal(db, readonly=True)
    problems = j.verify()
    j.close()
    assert problems == [f"event row {rid + 1} (session 1, event #5): the chain is broken before it "
                        "(a row was deleted or changed)"]


def test_a_deleted_row_is_caught(tmp_path, capsys):
    db = tampered(tmp_path)
    c = sqlite3.connect(db)
    c.execute("DELETE FROM events WHERE session_id=1 AND seq=4")  # the symptoms report
    c.commit()
    c.close()
    code, out = verify_cli(db, capsys)
    assert code == 1
    assert "(session 1, event #6): the chain is broken before it" in out
    assert "session 1 is missing event #5" in out


def test_deleting_the_last_rows_is_caught_by_the_chain_head(tmp_path, capsys):
    db = tampered(tmp_path)
    c = sqlite3.connect(db)
    c.execute("DELETE FROM events WHERE id = (SELECT max(id) FROM events)")
    c.commit()
    c.close()
    code, out = verify_cli(db, capsys)
    assert code == 1 and "records 14 events" in out and "holds 13" in out


def test_changing_who_a_session_belongs_to_is_caught(tmp_path, capsys):
    db = tampered(tmp_path)
    c = sqlite3.connect(db)
    c.execute("UPDATE sessions SET patient_id='P9' WHERE id=2")
    c.commit()
    c.close()
    code, out = verify_cli(db, capsys)
    assert code == 1 and out.count("(edited)") == 7  # every event of session 2


def test_verify_of_a_file_that_is_no_journal_exits_2_and_leaves_it(tmp_path, capsys):
    db = tmp_path / "j.sqlite3"
    db.write_bytes(b"not a database at all" * 100)
    assert cli_main(["journal", "verify", "--db", str(db)]) == 2
    assert "is not a journal of this app" in capsys.readouterr().err
    assert db.read_bytes() == b"not a database at all" * 100
    assert sorted(p.name for p in tmp_path.iterdir()) == ["j.sqlite3"]
    assert cli_main(["journal", "verify", "--db", str(tmp_path / "missing.sqlite3")]) == 2


def _damage(db: Path) -> bytes:
    """Our journal with its pages after the header overwritten: ours (application id) and damaged."""
    j = Journal(db)
    j.attach(infusion(), chair="1", patient_id=None, training=False, wall_start=0.0)
    j.close()
    raw = bytearray(db.read_bytes())
    raw[100:] = bytes(range(256)) * ((len(raw) - 100) // 256) + bytes((len(raw) - 100) % 256)
    db.write_bytes(bytes(raw))
    return bytes(raw)


def test_a_damaged_journal_of_ours_is_moved_aside_loudly_never_overwritten(tmp_path):
    db = tmp_path / "j.sqlite3"
    junk = _damage(db)
    j = Journal(db, now=lambda: 1_700_000_000.0)
    aside = [p for p in tmp_path.iterdir() if ".corrupt-" in p.name]
    assert len(aside) == 1 and aside[0].read_bytes() == junk
    assert aside[0].name.startswith("j.sqlite3.corrupt-2023111")  # YYYYmmdd-HHMMSS, local time
    assert aside[0].name in j.notice and "new journal" in j.notice
    s = infusion()
    j.attach(s, chair="1", patient_id=None, training=False, wall_start=0.0)
    assert j.verify() == []
    j.close()
    # Same again within the same second: a second name, the first file untouched.
    (tmp_path / "j.sqlite3").unlink()
    _damage(db)
    Journal(db, now=lambda: 1_700_000_000.0).close()
    aside = sorted(p.name for p in tmp_path.iterdir() if ".corrupt-" in p.name and "-wal" not in p.name
                   and "-shm" not in p.name)
    assert len(aside) == 2 and aside[1].endswith("-2")
    assert (tmp_path / aside[0]).read_bytes() == junk


@pytest.mark.parametrize("make", ["text", "garbage sqlite", "recipes", "recipes in WAL mode", "folder", "device"])
def test_a_path_that_is_not_our_journal_is_refused_and_left_as_it_was(tmp_path, make):
    db = tmp_path / "j.sqlite3"
    if make == "text":
        db.write_text("shopping list\n")
    elif make == "garbage sqlite":
        db.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 20)
    elif make.startswith("recipes"):
        c = sqlite3.connect(db)
        if "WAL" in make:
            c.execute("PRAGMA journal_mode=WAL")
        c.execute("CREATE TABLE recipes(name TEXT)")
        c.execute("INSERT INTO recipes VALUES ('soup')")
        c.commit()
        c.close()
    elif make == "folder":
        db.mkdir()
    else:
        db = Path("/dev/null")
    before = sorted(p.name for p in tmp_path.iterdir())
    content = db.read_bytes() if db.is_file() else None
    mode = db.stat().st_mode
    with pytest.raises(JournalError, match="not a journal of this app|folder|not a regular file|another program"):
        Journal(db)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no lock, no -wal, nothing beside it
    assert (db.read_bytes() if db.is_file() else None) == content and db.stat().st_mode == mode
    assert cli_main(["journal", "--db", str(db)]) == 2


def test_the_lock_is_taken_on_the_real_path(tmp_path):
    db = tmp_path / "j.sqlite3"
    link = tmp_path / "other-name.sqlite3"
    j = Journal(db)
    link.symlink_to(db)
    with pytest.raises(JournalLocked):
        Journal(link)
    j.close()


def test_a_journal_from_a_newer_version_is_refused_and_left_alone(tmp_path):
    db = tmp_path / "j.sqlite3"
    Journal(db).close()
    c = sqlite3.connect(db)
    c.execute("UPDATE schema_version SET version=?", (LATEST + 1,))
    c.commit()
    c.close()
    before = db.read_bytes()
    with pytest.raises(JournalError, match="newer version"):
        Journal(db)
    assert db.read_bytes() == before and not [p for p in tmp_path.iterdir() if "corrupt" in p.name]


def test_a_second_copy_of_the_app_is_told_the_journal_is_in_use(tmp_path):
    db = tmp_path / "j.sqlite3"
    j = Journal(db)
    with pytest.raises(JournalLocked, match="open in another copy of the app"):
        Journal(db)
    j.close()
    Journal(db).close()  # released on close
    # In another process too (the lock is released when a killed app's process dies).
    code = (f"from titration.store.journal import Journal\nj = Journal({str(db)!r})\n"
            "print('locked', flush=True)\nimport time; time.sleep(60)\n")
    p = subprocess.Popen([sys.executable, "-c", code], cwd=os.path.dirname(os.path.dirname(__file__)),
                         stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "locked"  # the child says when it holds the journal
        with pytest.raises(JournalLocked) as exc:
            Journal(db)
        assert f"process {p.pid}" in str(exc.value)
    finally:
        p.kill()
        p.wait()
    Journal(db).close()


def test_a_folder_that_cannot_hold_a_journal_gives_a_clear_error(tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    with pytest.raises(JournalError, match="cannot create the journal folder .*afile"):
        Journal(blocker / "sub" / "j.sqlite3")
    with pytest.raises(JournalError, match="is a folder, not a file"):
        Journal(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_a_read_only_folder_gives_a_clear_error(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(JournalError, match="cannot write in the journal folder"):
            Journal(ro / "j.sqlite3")
    finally:
        ro.chmod(0o700)


def test_a_full_disk_stops_recording_loudly_and_loses_nothing(tmp_path):
    db = tmp_path / "j.sqlite3"
    j = Journal(db)
    s = infusion()
    sid = j.attach(s, chair="1", patient_id="P1", training=False, wall_start=0.0)
    s.start(0)
    screen = []
    s.listeners.append(screen.append)
    pages = j._db.execute("PRAGMA page_count").fetchone()[0]
    j._db.execute(f"PRAGMA max_page_count={pages}")  # a real SQLITE_FULL on the next new page
    with pytest.raises(JournalFull, match="NOT RECORDED: the disk holding the journal .* is full"):
        s.note(5, "x" * 20000)
    assert screen == []  # the screen was not told of an event that is not on disk
    assert j.unwritten() == 1 and "NOT RECORDED" in j.failing
    with pytest.raises(JournalFull):
        s.note(6, "still full")
    assert j.unwritten() == 2
    j._db.execute("PRAGMA max_page_count=1073741823")  # space is freed
    s.note(7, "space again")
    assert j.unwritten() == 0 and j.failing == ""
    assert [e["kind"] for e in j.events(sid)] == ["planned", "start", "note", "note", "note"]
    assert [e.get("text", "")[:5] for e in j.events(sid)][2:] == ["xxxxx", "still", "space"]
    assert j.verify() == []
    j.close()


def test_retry_writes_what_a_failed_write_left(tmp_path):
    db = tmp_path / "j.sqlite3"
    j = Journal(db)
    s = infusion()
    j.attach(s, chair="1", patient_id="P1", training=False, wall_start=0.0)
    pages = j._db.execute("PRAGMA page_count").fetchone()[0]
    j._db.execute(f"PRAGMA max_page_count={pages}")
    with pytest.raises(JournalFull):
        s.note(1, "y" * 20000)
    with pytest.raises(JournalFull):
        j.retry()
    j._db.execute("PRAGMA max_page_count=1073741823")
    j.retry()
    assert j.unwritten() == 0 and j.verify() == []
    j.close()


def test_training_sessions_are_marked_and_listed_apart(tmp_path):
    j = Journal(tmp_path / "j.sqlite3")
    real, train = infusion(), infusion()
    a = j.attach(real, chair="1", patient_id="P1", training=False, wall_start=0.0)
    b = j.attach(train, chair="T", patient_id="P1", training=True, wall_start=1.0)
    assert [d["id"] for d in j.sessions(training=False)] == [a]
    assert [d["id"] for d in j.sessions(training=True)] == [b]
    assert [d["id"] for d in j.sessions()] == [a, b]
    j.close()


def test_reattaching_a_recovered_session_continues_its_record(tmp_path):
    db = tmp_path / "j.sqlite3"
    j = Journal(db)
    s = infusion()
    sid = j.attach(s, chair="3", patient_id="P1", training=False, wall_start=0.0)
    run_some(s)
    j.close()  # as a crash leaves it: the session is running
    j = Journal(db)
    (rec,) = j.unfinished()
    assert rec.id == sid and rec.chair == "3" and rec.session.status == "running"
    assert j.attach(rec.session, chair="3", patient_id="P1", training=False, wall_start=0.0) == sid
    rec.session.note(55, "back")
    assert len(j.sessions()) == 1 and j.events(sid)[-1]["text"] == "back"
    assert j.verify() == []
    j.close()


def test_migration_from_schema_1_keeps_a_backup_and_fills_the_new_columns(tmp_path):
    db = tmp_path / "j.sqlite3"
    j = Journal(db)
    s = infusion()
    sid = j.attach(s, chair="1", patient_id="P1", training=False, wall_start=0.0)
    s.start(0)
    s.stop(10, "cannula")
    j.close()
    c = sqlite3.connect(db)  # make it a schema-1 journal, as version 1 of the app wrote it
    c.execute("DROP INDEX sessions_patient")
    c.execute("DROP INDEX sessions_status")
    c.execute("DROP INDEX sessions_by_uid")
    c.execute("DROP TABLE outbox")
    c.execute("DROP TABLE station")
    for col in ("speed", "status", "product", "alive_wall", "uid", "workstation", "nurse"):
        c.execute(f"ALTER TABLE sessions DROP COLUMN {col}")
    for col in ("workstation", "nurse"):
        c.execute(f"ALTER TABLE events DROP COLUMN {col}")
    # Version 1 hashed neither an infusion's uid nor who wrote each event: chain it as it did.
    from titration.store.base import GENESIS, _payload, chain_hash, identity

    prev = GENESIS
    for rid, seq, wall, body in c.execute("SELECT id, seq, wall, body FROM events ORDER BY id").fetchall():
        h = chain_hash(prev, _payload(identity(sid, "1", "P1", False, 0.0), seq, wall, json.loads(body)))
        c.execute("UPDATE events SET prev_hash=?, hash=? WHERE id=?", (prev, h, rid))
        prev = h
    c.execute("UPDATE chain_head SET hash=?", (prev,))
    c.execute("UPDATE schema_version SET version=1")
    c.commit()
    c.close()
    j = Journal(db)
    assert "upgraded from schema 1 to 4" in j.notice
    (d,) = j.sessions()
    assert d["status"] == "stopped" and d["product"] == "octagam-10" and d["id"] == sid
    assert j.verify() == []
    j.close()
    bak = tmp_path / "j.sqlite3.bak-v1"
    assert rows(bak, "SELECT version FROM schema_version") == [(1,)]
    assert stat.S_IMODE(bak.stat().st_mode) == 0o600


def test_journal_command_lists_sessions_with_events_and_state(tmp_path, capsys):
    db = tmp_path / "j.sqlite3"
    j = Journal(db)
    s = infusion()
    j.attach(s, chair="1", patient_id="P1", training=False, wall_start=0.0)
    run_some(s)
    t = infusion()
    j.attach(t, chair="T", patient_id=None, training=True, wall_start=0.0)
    j.close()
    for argv in (["journal", "--db", str(db), "--json"], ["--db", str(db), "journal", "--json"]):
        assert cli_main(argv) == 0
        out = json.loads(capsys.readouterr().out)
        one, two = out["sessions"]
        assert one["id"] == 1 and one["state"] == "running" and two["training"] is True
        assert [e["kind"] for e in one["events"]] == ["planned", "vitals", "start", "increase", "symptoms",
                                                      "action", "resolved"]
        assert one["events"][3] == {"at_min": 30.0, "kind": "increase", "who": "nurse", "action": "increase",
                                    "rate_ml_h": 84.0, "rung": 1, "reason": one["events"][3]["reason"],
                                    "rule": "protocol label", "grade": "none"}
        # Up to the last event (50 min): 42 x 30/60 + 84 x 5/60 + 42 x 15/60 = 21 + 7 + 10.5
        assert one["delivered_volume_ml"] == 38.5 and one["rate_ml_h"] == 42.0
    assert cli_main(["journal", "--db", str(db), "--real"]) == 0
    text = capsys.readouterr().out
    assert "1 session" in text and "1 sessions" not in text and "chills" in text and "TRAINING" not in text


def test_an_infusion_never_started_can_be_set_aside_with_a_reason(tmp_path):
    db = tmp_path / "j.sqlite3"
    j = Journal(db)
    s = infusion()
    sid = j.attach(s, chair="1", patient_id="P1", training=False, wall_start=0.0)
    with pytest.raises(JournalError, match="needs a reason"):
        j.set_aside(s, " ")
    j.set_aside(s, "patient unwell, sent home")
    assert j.events(sid)[-1]["text"] == "Set aside, never started: patient unwell, sent home"
    assert j.unfinished() == [] and j.verify() == []
    running = infusion()
    j.attach(running, chair="2", patient_id="P2", training=False, wall_start=0.0)
    running.start(0)
    with pytest.raises(JournalError, match="stop it instead"):
        j.set_aside(running, "no")
    j.close()
    j = Journal(db)
    assert [r.chair for r in j.unfinished()] == ["2"]
    j.close()


def test_a_finished_status_written_by_hand_is_caught(tmp_path, capsys):
    db = tampered(tmp_path)  # both infusions are running
    c = sqlite3.connect(db)
    c.execute("UPDATE sessions SET status='completed' WHERE id=1")  # would hide it from recovery
    c.commit()
    c.close()
    code, out = verify_cli(db, capsys)
    assert code == 1 and "session 1: recorded as 'completed' but its events say 'running'" in out
