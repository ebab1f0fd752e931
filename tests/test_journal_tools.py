"""The journal tools tell the truth: a damaged row is reported with its row, session
and sequence number and the rest is still listed (exit 1); a journal that cannot be read at all
is exit 2 with advice; an intact journal on read-only storage verifies as intact."""
import json
import shutil
import sqlite3
import subprocess

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from titration.cli.main import main
from titration.plan import PlanRequest, build_plan
from titration.session import Session
from titration.store.journal import Journal
from titration.store.sqlite_schema import LATEST


def two_infusions(db):
    j = Journal(db)
    for chair in ("1", "2"):
        s = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))
        j.attach(s, chair=chair, patient_id=f"P{chair}", training=False, wall_start=0.0)
        s.start(0)
        s.confirm(30, s.due(30))
    j.close()


def put_body(db, raw: bytes, session_id=1, seq=2):
    c = sqlite3.connect(db)
    (rid,) = c.execute("SELECT id FROM events WHERE session_id=? AND seq=?", (session_id, seq)).fetchone()
    c.execute("UPDATE events SET body = CAST(? AS TEXT) WHERE id=?", (raw, rid))
    c.commit()
    c.close()
    return rid


BAD_BODIES = st.one_of(
    st.binary(min_size=1, max_size=64).filter(lambda b: _not_utf8(b)),  # bytes that are not UTF-8
    st.text(max_size=40).filter(lambda t: not _is_json(t)).map(lambda t: t.encode()),  # text, not JSON
    st.sampled_from([b'{"at_min": 1e999, "kind": "note", "data": {}}', b'{"at_min": NaN}', b"[1, 2]", b"null",
                     b'{"at_min": "soon", "kind": 7}', b'{"kind": "increase", "data": {"rate_ml_h": -1e308}}']),
)


def _not_utf8(b):
    try:
        b.decode("utf-8")
        return False
    except UnicodeDecodeError:
        return True


def _is_json(t):
    try:
        json.loads(t)
        return True
    except ValueError:
        return False


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=BAD_BODIES)
def test_a_damaged_row_is_reported_where_it_is_and_the_rest_still_listed(tmp_path_factory, raw, capsys):
    db = tmp_path_factory.mktemp("j") / "j.sqlite3"
    two_infusions(db)
    rid = put_body(db, raw)
    capsys.readouterr()
    assert main(["journal", "verify", "--db", str(db)]) == 1
    out = capsys.readouterr().out
    assert f"event row {rid} (session 1, event #3)" in out and "internal error" not in out
    assert main(["journal", "--db", str(db), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["sessions"]
    assert [s["chair"] for s in listed] == ["1", "2"]
    assert listed[1]["state"] == "running" and len(listed[1]["events"]) == 3  # the other infusion, whole
    assert len(listed[0]["events"]) == 3  # the damaged one: every row listed, the bad one named
    assert main(["journal", "--db", str(db)]) == 0
    capsys.readouterr()


def test_a_damaged_row_in_the_text_listing(tmp_path, capsys):
    db = tmp_path / "j.sqlite3"
    two_infusions(db)
    rid = put_body(db, b"\xff\xfe not text")
    assert main(["journal", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert f"DAMAGED event row {rid} (event #3): its bytes are not UTF-8 text (damaged)" in out
    assert "chair 2  patient P2" in out


def test_a_newer_schema_is_exit_2_with_update_the_app(tmp_path, capsys):
    db = tmp_path / "j.sqlite3"
    two_infusions(db)
    c = sqlite3.connect(db)
    c.execute("UPDATE schema_version SET version=?", (LATEST + 1,))
    c.commit()
    c.close()
    for argv in (["journal", "verify", "--db", str(db)], ["journal", "--db", str(db)]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "made by a newer version of this app" in err and "update the app" in err
        assert "open it once" not in err


def test_an_older_journal_is_listed_read_only_without_being_upgraded(tmp_path, capsys):
    db = tmp_path / "j.sqlite3"
    two_infusions(db)
    before = db.read_bytes()
    c = sqlite3.connect(db)
    c.execute("UPDATE schema_version SET version=2")  # as far as reading goes, an older app's file
    c.commit()
    c.close()
    before = db.read_bytes()
    assert main(["journal", "--db", str(db), "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["sessions"]) == 2
    assert db.read_bytes() == before


@pytest.mark.skipif(shutil.which("chattr") is None, reason="no chattr to make a folder read-only")
def test_an_intact_journal_on_read_only_storage_verifies_as_intact(tmp_path, capsys):
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "j.sqlite3"
    two_infusions(db)
    for p in folder.iterdir():
        if p.name != "j.sqlite3":
            p.unlink()
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
        pytest.skip("this file system cannot make a folder immutable")
    try:
        before = db.read_bytes()
        assert main(["journal", "verify", "--db", str(db)]) == 0
        assert "intact (2 sessions, 6 events" in capsys.readouterr().out
        assert sorted(p.name for p in folder.iterdir()) == ["j.sqlite3"] and db.read_bytes() == before
    finally:
        subprocess.run(["chattr", "-i", str(folder)])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.one_of(st.binary(max_size=300).filter(bool),
                         st.binary(max_size=200).map(lambda b: b"SQLite format 3\x00" + b)))
def test_any_file_that_is_not_our_journal_is_refused_and_left_exactly_as_it_was(tmp_path_factory, content, capsys):
    folder = tmp_path_factory.mktemp("f")
    db = folder / "notes.db"
    db.write_bytes(content)
    db.chmod(0o644)
    for argv in (["journal", "--db", str(db)], ["journal", "verify", "--db", str(db)],
                 ["simulate", "resources/scenarios/01-uneventful-first-infusion.toml", "--db", str(db)]):
        code = main(argv)
        err = capsys.readouterr().err
        assert code == 2 and err.startswith("error: ") and len(err.strip().splitlines()) == 1, (code, err)
    assert db.read_bytes() == content and (db.stat().st_mode & 0o777) == 0o644
    assert [p.name for p in folder.iterdir()] == ["notes.db"]


@pytest.mark.parametrize("argv", [
    ["journal", "--db", ""], ["--db", "", "journal", "verify"], ["unit", "status", "--db", " "],
    ["simulate", "resources/scenarios/01-uneventful-first-infusion.toml", "--db", ""]])
def test_an_empty_db_is_refused_not_replaced_by_the_default(argv, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("IVIG_DB", str(tmp_path / "default.sqlite3"))
    assert main(argv) == 2
    assert "--db" in capsys.readouterr().err
    assert not (tmp_path / "default.sqlite3").exists()


def test_the_streamed_listing_is_the_same_document_as_before(tmp_path, capsys):
    from titration.cli.journal import journal_json

    db = tmp_path / "j.sqlite3"
    two_infusions(db)
    assert main(["journal", "--db", str(db), "--json"]) == 0
    streamed = json.loads(capsys.readouterr().out)
    j = Journal(db, readonly=True)
    try:
        whole = journal_json(j)
    finally:
        j.close()
    assert streamed == json.loads(json.dumps(whole))
    assert set(streamed["sessions"][0]) >= {"id", "chair", "patient_id", "training", "started", "state", "events",
                                            "delivered_volume_ml", "volume_ml", "rate_ml_h", "product_name"}
