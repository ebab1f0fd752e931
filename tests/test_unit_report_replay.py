"""The quality report's replay, done the quick way, against the plain way, on four generated weeks
of a 12-chair unit (bench/unit_year.py: 720 infusions, each driven through the Session, with
reactions, proposals overridden, a unit cap set aside, resumes refused by a hard limit, rounds late
and missed): the facts are the same, in the worker processes too; and a damaged record is refused
with one line naming it, as the report did before it was quick (and now from a worker too).

The plain way: every replan laid out as it is made, as at the bedside. The quick way lays plans out
only when read (the report reads none), in worker processes, while the file's whole check runs.
"""
import importlib.util
import math
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from titration.cli.main import main
from titration.errors import InputError
from titration.replanning import Replanner
from titration.session import Event, Session
from titration.store import quality_source
from titration.store.base import JournalError
from titration.store.journal import open_reader
from titration.store.quality_source import collect, period_rows
from titration.vitals import FLAGS, ON_OXYGEN, UNRECORDABLE, VITAL_FIELDS, VITALS_KEYS, Vitals

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INFUSIONS = 720  # 12 chairs, three a day or so, the weekdays of four weeks from 2027-01-04
PERIOD = (date(2027, 1, 1), date(2027, 2, 28))  # the last few run into February


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    spec = importlib.util.spec_from_file_location("unit_year", os.path.join(ROOT, "bench", "unit_year.py"))
    unit_year = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(unit_year)
    folder = tmp_path_factory.mktemp("month")
    with pytest.MonkeyPatch.context() as mp:  # the module's journal is made before each test's own folders
        for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
            mp.setenv(name, str(folder / name.lower()))
        path = str(folder / "month.sqlite3")
        made = unit_year.make_year(path, infusions=INFUSIONS)
    assert made["infusions"] == INFUSIONS
    return path


def rows_of(db, training=True):
    store = open_reader(db)
    try:
        start = datetime.combine(PERIOD[0], datetime.min.time()).timestamp()
        end = datetime.combine(PERIOD[1], datetime.max.time()).timestamp()
        return period_rows(store, start, end, training)
    finally:
        store.close()


def test_the_facts_of_a_generated_month_are_those_of_the_plain_replay(month, monkeypatch):
    rows = rows_of(month)
    assert len(rows) == INFUSIONS and len(rows) >= quality_source.IN_PROCESS_BELOW  # the workers are used
    quick = collect(month, rows, workers=1, cache=False)
    in_workers = collect(month, rows, workers=2, cache=False)
    with monkeypatch.context() as mp:
        mp.setattr(Replanner, "when_read", lambda self: None)
        plain = collect(month, rows, workers=1, cache=False)
    assert quick == plain and in_workers == plain
    # the month reaches every kind of fact the report counts, so the comparison covers them
    assert sum(len(f.reactions) for f in plain) >= 40
    assert {r.grade for f in plain for r in f.reactions} == {"mild", "moderate", "severe"}
    assert sum(len(f.not_followed) for f in plain) >= 5 and sum(len(f.soft_overrides) for f in plain) >= 20
    assert sum(len(f.hard_hits) for f in plain) >= 1
    assert sum(f.rounds_late for f in plain) > 0 and sum(f.rounds_missed for f in plain) > 0
    assert {f.outcome for f in plain} >= {"completed", "stopped"} and any(f.training for f in plain)


def test_plans_laid_out_when_read_are_the_plans_laid_out_at_once(month):
    store = open_reader(month)
    try:
        records = [store.events(r["id"]) for r in rows_of(month)]
    finally:
        store.close()
    replanned = 0
    for evs in records:
        at_once = Session.replay(evs)
        later = Session.replay(evs[:1])
        later.replanner.when_read()
        for e in evs[1:]:
            later.apply(Event.from_dict(e))
        assert later.plan == at_once.plan  # the latest alone, then all of them
        assert later.plans == at_once.plans
        replanned += len(at_once.plans) - 1
    assert replanned > 5 * len(records)


def damaged(month, tmp_path, change: str) -> tuple[str, int]:
    """A copy of the month with one vitals body of a real (not training) infusion changed: (path, its session)."""
    path = str(tmp_path / "damaged.sqlite3")
    for suffix in ("", "-wal"):
        if os.path.exists(month + suffix):
            shutil.copy(month + suffix, path + suffix)
    c = sqlite3.connect(path)
    with c:
        sid = c.execute("SELECT min(id) FROM sessions WHERE training = 0 AND id >= 50").fetchone()[0]
        rid = c.execute("SELECT id FROM events WHERE session_id = ? AND body LIKE '%\"kind\":\"vitals\"%' "
                        "ORDER BY seq LIMIT 1 OFFSET 3", (sid,)).fetchone()[0]
        c.execute(f"UPDATE events SET body = {change} WHERE id = ?", (rid,))
    c.close()
    return path, sid


@pytest.mark.parametrize("change, said", [
    ("substr(body, 1, length(body) - 5)", r"session {sid}, event #\d+: its body is not JSON \(damaged\)"),
    ("'[1, 2]'", r"session {sid}, event #\d+: its body is not an event \(damaged\)"),
    ("replace(body, '\"pulse\":72', '\"pulse\":720')",
     r"session {sid}, event #\d+: its record cannot be replayed \(Pulse \(/min\): 720 is not allowed; 0 to 250\)"),
    ("json_set(body, '$.at_min', 1e300)",  # the rounds between two events were once counted for ever
     r"session {sid}, event #\d+: its record cannot be replayed \(an event's time is minutes from 0 to 1000000 "
     r"\(about two years\) after the planning, not 1e\+300\)"),
    ("json_remove(body, '$.kind')", r"session {sid}, event #\d+: its record cannot be replayed \('kind' is missing\)"),
    ("json_set(body, '$.vitals', json('[1]'))", r"session {sid}, event #\d+: its record cannot be replayed \(.+\)"),
    ("json_remove(body, '$.vitals')",
     r"session {sid}, event #\d+: its record cannot be replayed \('vitals' is missing\)"),
])
def test_a_damaged_record_is_refused_naming_it_in_process_and_from_the_workers(month, tmp_path, capsys, change,
                                                                                said):
    db, sid = damaged(month, tmp_path, change)
    said = said.format(sid=sid)
    with pytest.raises(JournalError, match=said):
        collect(db, rows_of(db), workers=1, cache=False)
    out = tmp_path / "report.html"
    code = main(["unit", "report", "--db", db, "--from", PERIOD[0].isoformat(), "--to", PERIOD[1].isoformat(),
                 "--out", str(out)])  # some 700 infusions: worked out by the worker processes
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and re.fullmatch("error: " + said, err[0])
    assert not out.exists()


NUMBERS = st.one_of(st.none(), st.integers(-300, 400), st.floats(allow_nan=True, allow_infinity=True),
                    st.floats(-300, 400), st.booleans(), st.text(max_size=3), st.decimals(-5, 300))


@given(st.sampled_from(list(VITAL_FIELDS)), NUMBERS)
def test_vitals_are_refused_exactly_as_the_full_check_says(name, value):
    """The quick check (a plain number in range) lets through only what the full one allows."""
    lo, hi = VITAL_FIELDS[name][2]
    if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
                         and lo <= value <= hi):
        assert getattr(Vitals(**{name: value}), name) == value
    else:
        with pytest.raises(InputError, match=re.escape(VITAL_FIELDS[name][0])):  # the field, by its label
            Vitals(**{name: value})


def _in_range(name):
    lo, hi = VITAL_FIELDS[name][2]
    return st.none() | st.floats(lo, hi) | st.integers(math.ceil(lo), math.floor(hi))


READINGS = st.fixed_dictionaries({name: _in_range(name) for name in VITAL_FIELDS} | {
    UNRECORDABLE: st.booleans(), ON_OXYGEN: st.none() | st.booleans()}).filter(
    lambda d: not (d[UNRECORDABLE] and d["sbp"] is not None))


@given(READINGS)
def test_the_values_graded_are_read_as_before(values):
    v = Vitals(**values)
    before = {k: x for k, x in v.to_dict().items() if k not in FLAGS}  # values() as it was written
    if v.sbp_unrecordable:
        before["sbp"] = 0.0
    if v.on_oxygen is not None:
        before[ON_OXYGEN] = 1.0 if v.on_oxygen else 0.0
    assert v.values() == before and list(v.values()) == list(before)


STORED = st.dictionaries(st.sampled_from([*VITALS_KEYS, "pulse_rate"]), NUMBERS | st.booleans(), max_size=4)


@given(STORED | READINGS.map(lambda d: {k: v for k, v in d.items() if v is not None}))
def test_a_stored_reading_gives_the_values_of_the_reading_or_its_refusal(d):
    """A replay reads a stored reading's values without making the reading: the same values, the same refusal."""
    try:
        expected = Vitals.from_dict(d).values()
    except InputError as exc:
        with pytest.raises(InputError) as got:
            Vitals.values_of(d)
        assert str(got.value) == str(exc)
    else:
        got = Vitals.values_of(d)
        assert [(k, type(x), x) for k, x in got.items()] == [(k, type(x), x) for k, x in expected.items()]


def page_damaged(month, tmp_path, which: str) -> str:
    """A copy of the month with one page overwritten: the sessions table's first page (the listing
    breaks), or a page in the middle of the file (the events: the listing holds, the check does not)."""
    path = copy_of(month, tmp_path, f"paged-{which}.sqlite3")  # one file, no -wal beside it
    c = sqlite3.connect(path)
    size, root = c.execute("PRAGMA page_size").fetchone()[0], c.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'sessions'").fetchone()[0]
    pages = c.execute("PRAGMA page_count").fetchone()[0]
    c.close()
    page = root if which == "listing" else pages // 2
    with open(path, "r+b") as f:
        f.seek((page - 1) * size + 8)  # past a leaf's header: its cell pointers and cells are nonsense
        f.write(bytes(range(256)) * (size // 256 - 1))
    return path


@pytest.mark.parametrize("which", ["listing", "middle"])
def test_a_journal_file_damaged_is_refused_in_the_checks_words_whether_or_not_the_listing_breaks(
        month, tmp_path, capsys, which):
    """The file's whole check runs beside the workers' replay: a damage it finds is said in its words
    and no report is written, whatever the listing or the workers met first."""
    db = page_damaged(month, tmp_path, which)
    with pytest.raises(JournalError, match="is a journal of this app but it is damaged"):
        open_reader(db).close()  # the damage is one the check finds
    out = tmp_path / "report.html"
    code = main(["unit", "report", "--db", db, "--from", PERIOD[0].isoformat(), "--to", PERIOD[1].isoformat(),
                 "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1, err
    assert re.fullmatch(r"error: .*paged-\w+\.sqlite3 is a journal of this app but it is damaged \(.+\)", err[0])
    assert not out.exists()


def test_bodies_each_broken_that_would_read_as_whole_events_together_are_refused_naming_the_first(month, tmp_path):
    """Three bodies broken so that, put side by side in an array, they would read as three objects
    ('{"a":[{}' + '{"x":1}]}' + '{"q":1},{"r":2}'): a reader that decoded a record's bodies as one array
    would take them for events. Each is read on its own, and the first is named."""
    path = str(tmp_path / "split.sqlite3")
    shutil.copy(month, path)
    c = sqlite3.connect(path)
    with c:
        sid = c.execute("SELECT min(id) FROM sessions WHERE training = 0 AND id >= 50").fetchone()[0]
        ids = [r[0] for r in c.execute("SELECT id FROM events WHERE session_id = ? ORDER BY seq LIMIT 3 OFFSET 4",
                                       (sid,))]
        for rid, body in zip(ids, ('{"a":[{}', '{"x":1}]}', '{"q":1},{"r":2}')):
            c.execute("UPDATE events SET body = ? WHERE id = ?", (body, rid))
    c.close()
    with pytest.raises(JournalError, match=rf"session {sid}, event #5: its body is not JSON \(damaged\)"):
        collect(path, [r for r in rows_of(path) if r["id"] == sid], workers=1, cache=False)



def test_the_pdf_report_from_the_command_line_is_written_with_qt_loaded_beside_the_workers(month, tmp_path):
    out = tmp_path / "report.pdf"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CACHE_HOME=str(tmp_path / "cache"))
    r = subprocess.run([sys.executable, os.path.join(ROOT, "main.py"), "unit", "report", "--db", month, "--from",
                        PERIOD[0].isoformat(), "--to", PERIOD[1].isoformat(), "--out", str(out)],
                       env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert re.fullmatch(rf"wrote {re.escape(str(out))}: \d+ infusion\(s\) from 2027-01-01 to 2027-02-28 .* in "
                        r"[\d.]+ s\n", r.stdout)
    assert out.read_bytes().startswith(b"%PDF") and out.stat().st_mode & 0o777 == 0o600


def test_a_pdf_writer_that_cannot_load_stops_the_report_with_its_words_and_writes_nothing(month, tmp_path, capsys,
                                                                                        monkeypatch):
    from titration.cli.hooks import HOOKS

    asked = []

    def no_qt(path):
        asked.append(path)
        raise InputError("--out", path, "a .html file (the PDF could not load Qt: no Qt here)")

    monkeypatch.setitem(HOOKS, "report_pdf", no_qt)
    out = tmp_path / "report.pdf"
    code = main(["unit", "report", "--db", month, "--from", PERIOD[0].isoformat(), "--to", PERIOD[1].isoformat(),
                 "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and asked == [str(out)] and len(err) == 1 and "could not load Qt: no Qt here" in err[0]
    assert not out.exists()


def copy_of(month, tmp_path, name="copy.sqlite3") -> str:
    path = str(tmp_path / name)
    src, dst = sqlite3.connect(month), sqlite3.connect(path)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()
    return path


def report(db, out, capsys) -> tuple[int, list[str]]:
    code = main(["unit", "report", "--db", db, "--from", PERIOD[0].isoformat(), "--to", PERIOD[1].isoformat(),
                 "--out", str(out)])
    return code, capsys.readouterr().err.strip().splitlines()


def figures(out) -> str:
    return re.sub(r"Generated [^<]*", "", out.read_text(encoding="utf-8"))


def test_kept_facts_serve_only_a_record_as_it_was_so_a_report_says_what_one_from_none_would(month, tmp_path,
                                                                                              capsys):
    db = copy_of(month, tmp_path)
    first, again = tmp_path / "first.html", tmp_path / "again.html"
    assert report(db, first, capsys)[0] == 0  # the facts are kept
    c = sqlite3.connect(db)
    sid = c.execute("SELECT min(id) FROM sessions WHERE training = 0 AND id >= 50").fetchone()[0]
    rid, body = c.execute("SELECT id, body FROM events WHERE session_id = ? AND body LIKE '%\"pulse\":72%' ORDER BY "
                          "seq LIMIT 1", (sid,)).fetchone()
    with c:  # edited in place: its last event, and the hash kept beside it, unchanged
        c.execute("UPDATE events SET body = ? WHERE id = ?", (body.replace('"pulse":72', '"pulse":720'), rid))
    code, err = report(db, again, capsys)
    assert code == 2 and len(err) == 1 and re.fullmatch(
        rf"error: session {sid}, event #\d+: its record cannot be replayed \(Pulse \(/min\): 720 .*\)", err[0])
    with c:
        c.execute("UPDATE events SET body = ? WHERE id = ?", (body, rid))
        other = c.execute("SELECT id FROM events WHERE session_id = ? AND body LIKE '%\"kind\":\"vitals\"%' ORDER BY "
                          "seq LIMIT 1 OFFSET 5", (sid + 1,)).fetchone()[0]
        c.execute("DELETE FROM events WHERE id = ?", (other,))  # one observation fewer in another record
    c.close()
    assert report(db, again, capsys)[0] == 0
    cold = tmp_path / "cold.html"
    shutil.rmtree(os.environ["XDG_CACHE_HOME"])
    assert report(db, cold, capsys)[0] == 0
    assert figures(again) == figures(cold) != figures(first)


@pytest.mark.parametrize("damage", ["garbage row", "link"])
def test_a_cache_that_cannot_serve_only_costs_time(month, tmp_path, capsys, damage):
    db = copy_of(month, tmp_path)
    first, again = tmp_path / "first.html", tmp_path / "again.html"
    cache = os.path.join(os.environ["XDG_CACHE_HOME"], "ivig-titration", "report-facts.sqlite3")
    if damage == "link":
        os.makedirs(os.path.dirname(cache))
        os.symlink(db, cache)  # written through, the facts would land in the journal itself
    assert report(db, first, capsys)[0] == 0
    if damage == "garbage row":
        c = sqlite3.connect(cache)
        with c:
            c.execute("UPDATE facts SET body = '{not facts' WHERE sid = (SELECT min(sid) FROM facts)")
            c.execute("UPDATE facts SET body = '{\"session_id\": 1, \"nonsense\": 2}' WHERE sid = "
                      "(SELECT max(sid) FROM facts)")
        c.close()
    assert report(db, again, capsys)[0] == 0 and figures(again) == figures(first)
    tables = {r[0] for r in sqlite3.connect(db).execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "facts" not in tables


def test_the_report_is_never_written_over_the_journal_it_reads(month, tmp_path, capsys):
    db = copy_of(month, tmp_path, "journal.html")
    before = open(db, "rb").read()
    code, err = report(db, db, capsys)
    assert code == 2 and len(err) == 1 and "a file other than the journal the report reads (--db)" in err[0]
    assert open(db, "rb").read() == before


def test_a_journal_the_listing_cannot_read_is_refused_in_one_line(month, tmp_path, capsys):
    db = copy_of(month, tmp_path)
    c = sqlite3.connect(db)
    c.execute("ALTER TABLE sessions DROP COLUMN speed")  # as a journal of the first schema
    c.close()
    code, err = report(db, tmp_path / "r.html", capsys)
    assert code == 2 and len(err) == 1 and re.fullmatch(
        r"error: the journal .* cannot be listed \(no such column: s\.speed\); a journal an older version of the "
        r"app made is brought up to date when this version opens it", err[0])


def test_a_worker_that_dies_is_said_in_one_line(month, monkeypatch):
    from titration.errors import TitrationError

    def dies(*a, **k):
        os._exit(1)

    dies.__module__, dies.__qualname__ = quality_source.__name__, "_work"  # what the pool names, forked with it
    monkeypatch.setattr(quality_source, "_work", dies)
    with pytest.raises(TitrationError, match="a worker process of the report stopped before its share was done"):
        quality_source._compute(month, rows_of(month), 2, None, None)


def _worker_waiting(parent: int, seconds: float) -> None:
    import time

    quality_source._watch_parent(parent)
    time.sleep(seconds)


def test_a_worker_ends_when_the_command_that_started_it_is_gone():
    """A command killed (kill -9) while its workers replay: each worker ends by itself, instead of
    waiting for ever to hand back a share nobody reads."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    gone = ctx.Process(target=_worker_waiting, args=(os.getpid() + 10**7, 30.0))  # not its parent: as if gone
    here = ctx.Process(target=_worker_waiting, args=(os.getpid(), 1.0))
    gone.start()
    here.start()
    gone.join(5)
    here.join(5)
    assert (gone.exitcode, here.exitcode) == (1, 0)


@pytest.mark.parametrize("edit", ["chair = 'Bay Z/99'", "speed = 60", "wall_start = wall_start + 3 * 86400",
                                  "speed = -1"])
def test_kept_facts_serve_only_an_infusion_whose_listing_is_as_it_was(month, tmp_path, capsys, edit):
    db = copy_of(month, tmp_path)
    assert report(db, tmp_path / "first.html", capsys)[0] == 0
    c = sqlite3.connect(db)
    with c:
        c.execute(f"UPDATE sessions SET {edit} WHERE id = (SELECT min(id) FROM sessions WHERE training = 0 AND "
                  "id >= 50)")
    c.close()
    warm = report(db, tmp_path / "warm.html", capsys)
    shutil.rmtree(os.environ["XDG_CACHE_HOME"])
    cold = report(db, tmp_path / "cold.html", capsys)
    assert warm == cold
    if cold[0] == 0:
        assert figures(tmp_path / "warm.html") == figures(tmp_path / "cold.html") != figures(tmp_path / "first.html")
    else:
        assert "clock speed -1.0 is not one the app runs at" in cold[1][0]


@pytest.mark.parametrize("change", ["json_set(body, '$.policy', json('[\"tiered\"]'))",
                                    "json_set(body, '$.library.hash', json('{\"a\": 1}'))",
                                    "json_set(body, '$.library', 'v1')"])
def test_a_planned_event_naming_no_library_or_policy_a_record_can_is_refused_naming_it(month, tmp_path, change):
    db = copy_of(month, tmp_path)
    c = sqlite3.connect(db)
    sid = c.execute("SELECT min(id) FROM sessions WHERE training = 0 AND id >= 50").fetchone()[0]
    with c:
        c.execute(f"UPDATE events SET body = {change} WHERE session_id = ? AND seq = (SELECT min(seq) FROM events "
                  "WHERE session_id = ?)", (sid, sid))
    c.close()
    with pytest.raises(JournalError, match=rf"session {sid}, event #1: its record cannot be replayed \(.+\)"):
        collect(db, [r for r in rows_of(db) if r["id"] == sid], workers=1, cache=False)
