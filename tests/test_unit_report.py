"""The unit's quality report, checked against small journals counted by hand, on a journal file and
on the unit server.

Journal 1 (2027-03-01 and 02), Octagam 10% ITP and Privigen 10% PI, 70 kg (42, 84, 168, 336, 504 mL/h
and 21 ... 336 mL/h; both reach the maximum at 120 min by the plan):
  A  Bay A/1, Octagam: every step confirmed when due, the maximum at 120 min (on plan), completed,
     observation closed at 226 min.
  B  Bay A/2, Octagam, the unit cap (300 mL/h) set aside "registrar agreed: no cap today"; chills at
     35 min (step 2, mild): the proposal to slow overridden "continue" ("patient asked to carry on");
     stopped at 100 min (never at the maximum, after a reaction); closed at 160.
  C  Bay A/3, Privigen, rigors at 10 min (step 1, moderate): paused, stopped at 30; closed at 90.
  D  Bay B/1, Octagam: paused at 5, a resume at 300 mL/h refused (the label's initial rate: a hard
     limit, journaled), resumed at 7, stopped at 20; closed at 80.
  T  a training run with a reaction (left out unless asked); N set up and never started.
So: 4 infusions (3 Octagam ITP: 1 completed, 2 stopped; 1 Privigen PI stopped); 2 reactions = 50.0
per 100 (Octagam 1 of 3 = 33.3, Privigen 1 of 1 = 100.0; mild 1, moderate 1; step 1: 1, step 2: 1);
the maximum on plan 1 of 4 = 25.0 % (2 not reached after a reaction, 1 not reached otherwise);
soft limits 1 = 25.0 per 100; hard-limit hits 1; proposals not followed 1; chair hours: 03-01
(226 + 160) / 60 = 6.43 h, 03-02 (90 + 80) / 60 = 2.83 h, mean 4.6 h per open day.

Journal 2, observations: A again (10 rounds, all on time: 15, 30, 45, 60, 75, 90, 105, 120, the end
at 166, the hour after at 226) and E, Privigen, observations at 16 (on time), 40 (due 31: late),
none until the stop at 80 (55 and 70 missed), at 82 (the end, on time) and 140 (on time): 16 rounds,
1 late (6.2 %), 2 missed (12.5 %).
"""
import re
from datetime import date, datetime
from html.parser import HTMLParser

import pytest

from titration.cli.main import main
from titration.errors import SessionError
from titration.plan import PlanRequest, build_plan
from titration.report.quality import build
from titration.session import Session
from titration.store.journal import Journal, open_reader
from titration.store.quality_source import collect, period_rows
from titration.vitals import Vitals

BASE = Vitals(temp_c=36.8, pulse=72, sbp=124, dbp=78, spo2=98, rr=14)
DAY1, DAY2 = datetime(2027, 3, 1, 8, 0).timestamp(), datetime(2027, 3, 2, 9, 0).timestamp()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "unit.sqlite3")
    return request.getfixturevalue("pg_server").new_database()


def octagam(**kw):
    return Session(build_plan(PlanRequest("octagam-10", "itp", 70.0, 1.0, **kw)))


def privigen():
    return Session(build_plan(PlanRequest("privigen", "pi", 70.0, 0.4)))


def infusion_a(s):
    s.record_vitals(0, BASE)
    s.start(0)
    s.record_vitals(15, BASE)
    for t in (30, 60, 90, 120):
        s.confirm(t, s.due(t))
        s.record_vitals(t, BASE)
        if t < 120:
            s.record_vitals(t + 15, BASE)
    s.confirm(166, s.due(166))
    s.record_vitals(167, BASE)
    s.record_vitals(226, BASE)
    s.close_observation(226)


def infusion_b(s):
    s.record_vitals(0, BASE)
    s.start(0)
    s.confirm(30, s.due(30))
    p = s.report_symptoms(35, ["chills"])
    assert p.action == "slow"
    s.override(36, p, "continue", 84.0, "patient asked to carry on")
    s.resolved(50)
    s.stop(100, "patient request")
    s.close_observation(160)


def infusion_c(s):
    s.record_vitals(0, BASE)
    s.start(0)
    p = s.report_symptoms(10, ["rigors"])
    assert p.action == "pause"
    s.confirm(11, p)
    s.stop(30, "not resolved")
    s.close_observation(90)


def infusion_d(s):
    s.record_vitals(0, BASE)
    s.start(0)
    s.pause(5, "line check")
    with pytest.raises(SessionError, match="above the label's initial rate"):
        s.resume(6, rate_ml_h=300)
    s.resume(7)
    s.stop(20, "cannula")
    s.close_observation(80)


def infusion_e(s):
    s.record_vitals(0, BASE)
    s.start(0)
    s.record_vitals(16, BASE)
    s.record_vitals(40, BASE)
    s.stop(80, "cannula")
    s.record_vitals(82, BASE)
    s.record_vitals(140, BASE)
    s.close_observation(141)


def write(db, tmp_path, infusions):
    j = Journal(db, outbox=tmp_path / "outbox.sqlite3", workstation="ws", nurse="n")
    try:
        for chair, pid, wall, s, drive in infusions:
            training = s.training
            j.attach(s, chair=chair, patient_id=pid, training=training, wall_start=wall)
            drive(s)
        assert j.flush(20) == 0
    finally:
        j.close()


def journal_one(db, tmp_path):
    training = Session(build_plan(PlanRequest("octagam-10", "itp", 70.0, 1.0)), training=True)
    write(db, tmp_path, [
        ("Bay A/1", "P1", DAY1, octagam(), infusion_a),
        ("Bay A/2", "P2", DAY1 + 600, octagam(max_ml_h=300.0, overrides=(("unit-cap", "registrar agreed: no cap "
                                                                                      "today"),)), infusion_b),
        ("Bay A/3", "P3", DAY2, privigen(), infusion_c),
        ("Bay B/1", "P4", DAY2 + 3600, octagam(), infusion_d),
        ("Training 1", None, DAY2, training, infusion_b),
        ("Bay B/2", "P5", DAY2 + 7200, octagam(), lambda s: None),
    ])


def report(db, training=False, first=date(2027, 3, 1), last=date(2027, 3, 2)):
    store = open_reader(db)
    try:
        start = datetime.combine(first, datetime.min.time()).timestamp()
        end = datetime.combine(last, datetime.max.time()).timestamp()
        rows = period_rows(store, start, end, training)
    finally:
        store.close()
    return build(collect(db, rows, workers=1), first, last, training, "now", "test")


def section(r, title):
    return next(s for s in r.sections if s.title.startswith(title))


def table(s, title):
    return {row[0]: row[1:] for row in next(t for t in s.tables if t.title.startswith(title)).rows}


def test_every_figure_against_a_journal_counted_by_hand(db, tmp_path):
    journal_one(db, tmp_path)
    r = report(db)
    figures = {f.label: (f.value, f.note) for f in r.figures}
    assert figures["Infusions"] == ("4", "1 completed, 3 stopped")
    assert figures["Reactions per 100 infusions"] == ("50.0", "2, of which 0 severe")
    assert figures["Maximum rate on plan"] == ("25.0 %", "1 of 4 within 15 min")
    assert figures["Soft limits set aside /100"][0] == "25.0"
    assert figures["Hard-limit hits"][0] == "1" and figures["Proposals not followed /100"][0] == "25.0"
    ended = section(r, "Infusions by product")
    assert table(ended, "How they ended") == {"Octagam 10%": ("ITP", "3", "1", "2", "0"),
                                              "Privigen 10%": ("PI", "1", "0", "1", "0")}
    reactions = section(r, "Reactions")
    assert table(reactions, "By product") == {"Privigen 10%": ("1", "1", "100.0"), "Octagam 10%": ("3", "1", "33.3")}
    assert table(reactions, "By grade") == {"mild": ("1", "25.0"), "moderate": ("1", "25.0"), "severe": ("0", "0.0")}
    assert table(reactions, "By the step") == {"step 1": ("1", "25.0"), "step 2": ("1", "25.0")}
    to_max = section(r, "Time to the maximum")
    assert to_max.answer == ("25.0 % reached the maximum rate on plan; 0.0 % later; 75.0 % never did (2 after a "
                             "reaction).")
    assert table(to_max, "Minutes") == {"Octagam 10%": ("3", "120", "120", "33.3 %", "33.3 %"),
                                        "Privigen 10%": ("1", "120", "—", "0.0 %", "0.0 %")}
    assert table(section(r, "Soft limits"), "With their reasons") == {"unit-cap": ("registrar agreed: no cap today",
                                                                                 "1")}
    assert table(section(r, "Hard-limit hits"), "Refused") == {"the label's initial rate (first step)": ("resume",
                                                                                                       "1")}
    assert table(section(r, "Proposals not followed"), "Proposed") == {"slow → continue": ("patient asked to carry on",
                                                                                         "1")}
    hours = section(r, "Chair hours")
    assert hours.answer.startswith("4.6 chair hours per open day on average (2 days; ")
    assert "the busiest was 2027-03-01 with 6.4 h on 2 chairs" in hours.answer
    assert hours.charts[0].series[0][1] == pytest.approx(((226 + 160) / 60, (90 + 80) / 60))
    assert "1 set up and never started are not counted" in r.notes[0]


def test_training_runs_are_left_out_unless_asked(db, tmp_path):
    journal_one(db, tmp_path)
    r = report(db, training=True)
    assert {f.label: f.value for f in r.figures}["Infusions"] == "5"
    assert table(section(r, "Reactions"), "By grade")["mild"] == ("2", "40.0")
    assert r.scope.startswith("real infusions and training runs")


def test_observations_late_and_missed_counted_by_hand(tmp_path):
    db = str(tmp_path / "obs.sqlite3")
    write(db, tmp_path, [("Bay A/1", "P1", DAY1, octagam(), infusion_a),
                         ("Bay A/2", "P2", DAY1 + 60, privigen(), infusion_e)])
    r = report(db, first=date(2027, 3, 1), last=date(2027, 3, 1))
    obs = section(r, "Observations")
    assert obs.answer == "16 rounds due: 6.2 % late, 12.5 % missed."
    assert table(obs, "By month") == {"2027-03": ("16", "1", "2", "6.2", "12.5")}


def test_unit_report_writes_html_from_the_command_line_and_refuses_bad_input(tmp_path, capsys):
    db = str(tmp_path / "unit.sqlite3")
    journal_one(db, tmp_path)
    out = tmp_path / "report.html"
    code = main(["unit", "report", "--db", db, "--from", "2027-03-01", "--to", "2027-03-02", "--out", str(out)])
    said = capsys.readouterr()
    assert code == 0 and re.match(r"wrote .*report.html: 4 infusion\(s\) from 2027-03-01 to 2027-03-02", said.out)
    text = out.read_text()
    HTMLParser().feed(text)
    assert "<svg" in text and "50.0" in text and "registrar agreed: no cap today" in text
    assert "P1" not in text  # the unit's figures: no patient identifier
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    for argv, field in ((["--from", "2027-03-05", "--to", "2027-03-01", "--out", "r.html"], "--to"),
                        (["--from", "1 March", "--to", "2027-03-01", "--out", "r.html"], "--from"),
                        (["--from", "2027-03-01", "--to", "2027-03-01", "--out", "r.docx"], "--out"),
                        (["--from", "2027-03-01", "--to", "2027-03-01"], "--out"),
                        (["--from", "0001-01-01", "--to", "2027-03-01", "--out", "r.html"], "--from"),
                        (["--from", "2027-03-01", "--to", "9999-12-31", "--out", "r.html"], "--to"),
                        (["--from", "2027-03-01", "--to", "2027-03-01", "--out", str(tmp_path / "no" / "r.html")],
                         "--out")):
        assert main(["unit", "report", "--db", db, *argv]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith(f"error: {field}")
    assert main(["unit", "report", "--db", "postgresql://u@[::1", "--from", "2027-03-01", "--to", "2027-03-01",
                 "--out", "r.html"]) == 2
    assert capsys.readouterr().err == ("error: the unit server's address is not a valid postgresql:// URL (check "
                                       "its host and port)\n")
    assert main(["unit", "report", "--db", str(tmp_path / "two\nlines.sqlite3"), "--from", "2027-03-01", "--to",
                 "2027-03-01", "--out", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "two / lines.sqlite3" in err  # one line, whatever the name holds
    assert main(["unit", "status", "--db", db, "--training"]) == 2
    assert "belongs to 'unit report'" in capsys.readouterr().err


def test_the_facts_cache_follows_a_record_that_changes(tmp_path):
    db = str(tmp_path / "unit.sqlite3")
    write(db, tmp_path, [("Bay A/1", "P1", DAY1, octagam(), infusion_a)])
    assert section(report(db), "Reactions").answer == "No reaction was recorded in this period."
    j = Journal(db)
    (rec,) = [d for d in j.sessions()]
    s = j.session(rec["id"])
    j.attach(s, chair="Bay A/1", patient_id="P1", training=False, wall_start=DAY1, session_id=rec["id"])
    s.report_symptoms(240, ["headache"])  # a reaction after the observation closed: the record grew
    j.close()
    assert section(report(db), "Reactions").answer.startswith("100.0 reactions per 100 infusions (1)")
