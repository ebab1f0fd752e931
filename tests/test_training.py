"""A trainee's run and the debrief: perfect answers score full marks, mistakes are named and timed."""
import json
import pathlib

import pytest

from titration.cli.main import main
from titration.errors import TitrationError
from titration.session import Session
from titration.training.debrief import Debrief
from titration.training.run import TrainingRun, Utterance, list_scenarios, perfect_run, run_with_patient
from titration.training.scenario import read_scenario

SC = pathlib.Path(__file__).resolve().parent.parent / "resources" / "scenarios"
MILD = SC / "02-mild-reaction-first-increase.toml"
SWITCH = SC / "07-product-switch.toml"


def items(d: Debrief, verdict=None, kind=None):
    return [i for i in d.items if (verdict is None or i.verdict == verdict) and (kind is None or i.kind == kind)]


def test_api_shape():
    run = TrainingRun(read_scenario(MILD), seed=3)
    assert isinstance(run.session, Session) and run.session.training
    assert run.scenario.title == "Mild reaction at the first increase" and run.patient.seed == 3
    assert run.responses() == []


def test_perfect_responses_score_full_marks():
    sc = read_scenario(MILD)
    ref = perfect_run(sc)
    d = TrainingRun.replay(sc, ref.responses()).debrief()
    assert d.score == 100 and d.outcome == "completed"
    assert {i.verdict for i in d.items} == {"correct"}
    kinds = [i.kind for i in d.items]
    assert kinds.count("increase") == 3 and kinds.count("reaction") == 1 and kinds.count("review") == 1
    assert kinds.count("record") == 1 and kinds.count("resolved") == 1 and kinds.count("observation") == 1


def test_empty_responses_fail_with_each_missed_action_listed():
    sc = read_scenario(MILD)
    d = TrainingRun.replay(sc, []).debrief()
    assert d.score == 0 and d.outcome == "not started"
    assert {i.verdict for i in d.items} == {"missed"}
    expected = [i.expected for i in d.items]
    assert expected[:2] == ["baseline observations before the start", "start the infusion at the planned time"]
    assert 'record what the patient reports: "I feel cold and shivery."' in expected
    assert any(e.startswith("slow: Slow to the last tolerated rate, 48 mL/h") for e in expected)
    assert any(e.startswith("Step 2: increase to 96 mL/h") for e in expected)
    assert len(d.items) == len(perfect_run(sc).debrief().items)
    assert all(i.rule for i in d.items)


def drive(run, until, act):
    """A GUI-like loop: every minute, hand the patient's words to `act` (which may act on the session)."""
    t = 0.0
    while t <= until:
        act(t, run.advance(t))
        t += 1.0


def test_late_record_and_late_slow_are_marked_late():
    run = TrainingRun(read_scenario(MILD))
    s = run.session
    heard = []

    def act(t, said):
        heard.extend(said)
        if t == 0:
            s.record_vitals(0, run.take_vitals(0))
            s.start(0)
        p = s.due(t)
        if p is not None and p.action == "increase" and s.state.reaction is None:
            s.confirm(t, p)
        if t == 42:  # the patient spoke at 35: 7 min later
            s.confirm(t, s.report_symptoms(t, ["chills"]))

    drive(run, 44, act)
    assert heard == [Utterance(35.0, "I feel cold and shivery.", ("chills",), "onset")]
    d = run.debrief()
    rec = items(d, kind="record")[0]
    assert (rec.verdict, rec.at_min, rec.done_at) == ("late", 35.0, 42.0)
    slow = items(d, kind="reaction")[0]
    assert (slow.verdict, slow.at_min, slow.done_at) == ("late", 35.0, 42.0)  # measured from the complaint
    assert slow.rule == "policy tiered, mild"


def _record_late_by(minutes: float, speed: float):
    """The MILD run with the complaint (minute 35) recorded and acted on `minutes` later, at `speed`."""
    run = TrainingRun(read_scenario(MILD))
    run.set_speed(0, speed)
    s = run.session

    def act(t, said):
        if t == 0:
            s.record_vitals(0, run.take_vitals(0))
            s.start(0)
        p = s.due(t)
        if p is not None and p.action == "increase" and s.state.reaction is None:
            s.confirm(t, p)
        if t == 35 + minutes:
            s.confirm(t, s.report_symptoms(t, ["chills"]))

    drive(run, 35 + minutes + 2, act)
    d = run.debrief()
    return items(d, kind="record")[0].verdict, items(d, kind="reaction")[0].verdict


def test_at_60x_a_few_real_seconds_are_not_late_but_the_allowance_is_real_time():
    # 7 simulated minutes: late at 1x and at 10x (the protocol's 5 min), 7 real seconds at 60x: on time
    assert _record_late_by(7, 1) == ("late", "late")
    assert _record_late_by(7, 10) == ("late", "late")
    assert _record_late_by(7, 60) == ("correct", "correct")
    # at 60x the allowance is 20 real seconds (resources/training.toml [response]): 25 s is late
    assert _record_late_by(25, 60) == ("late", "late")


def test_the_speed_counts_from_when_it_was_set():
    run = TrainingRun(read_scenario(MILD))
    run.set_speed(0, 10)
    run.set_speed(30, 60)
    run.set_speed(30, 30)  # changed again at the same minute: the last word holds
    assert [run.speed_at(t) for t in (0, 29.9, 30, 90)] == [10, 10, 30, 30]
    with pytest.raises(TitrationError):
        run.set_speed(40, 0)


def test_ignored_complaint_worsens_and_is_missed():
    run = TrainingRun(read_scenario(MILD))
    s = run.session
    words = []

    def act(t, said):
        words.extend(u.text for u in said)
        if t == 0:
            s.start(0)
        p = s.due(t)
        if p is not None and p.action == "increase":
            s.confirm(t, p)

    drive(run, 60, act)
    assert words == ["I feel cold and shivery.", "It's getting worse. I can't stop shaking."]
    d = run.debrief()
    missed = [i.expected for i in items(d, "missed")]
    assert 'record what the patient reports: "I feel cold and shivery."' in missed
    assert "baseline observations before the start" in missed
    assert d.score < 60


def test_wrong_grade_recorded_is_wrong():
    run = TrainingRun(read_scenario(MILD))
    s = run.session

    def act(t, said):
        if t == 0:
            s.record_vitals(0, run.take_vitals(0))
            s.start(0)
        if said:  # the patient says "I feel cold and shivery" (chills); the trainee records rigors
            s.confirm(t, s.report_symptoms(t, ["rigors"]))
        p = s.due(t)
        if p is not None and p.action == "increase":
            s.confirm(t, p)

    drive(run, 40, act)
    rec = items(run.debrief(), kind="record")[0]
    assert rec.verdict == "wrong" and "graded moderate" in rec.done


def test_resolved_marked_too_early_is_early_and_the_patient_worsens():
    # Product switch: flushing at 10 min in step 1 -> pause; settles 10 min after the pause.
    run = TrainingRun(read_scenario(SWITCH))
    s = run.session
    heard = []

    def act(t, said):
        heard.extend(said)
        if t == 0:
            s.record_vitals(0, run.take_vitals(0))
            s.start(0)
        if any(u.symptom_ids for u in said) and s.state.reaction is None:
            s.confirm(t, s.report_symptoms(t, list(said[0].symptom_ids)))
        if t == 12:  # the patient still has the flushing
            s.resolved(t)
            s.confirm(t, s.due(t))  # resume at 18 mL/h: the rate the reaction began at

    drive(run, 30, act)
    early = items(run.debrief(), "early")
    assert [(i.kind, i.at_min) for i in early] == [("resolved", 12.0)]
    # relieved 10-12 only: 10 unrelieved minutes from 12 -> worse at 22 with hives
    assert [(u.at_min, u.kind) for u in heard] == [(10.0, "onset"), (22.0, "worse")]


def test_utterances_are_handed_out_once_and_vitals_do_not_swallow_them():
    run = TrainingRun(read_scenario(SWITCH))
    run.session.start(0)
    v = run.take_vitals(15)  # moves the patient past the complaint at 10 min
    assert v.pulse is not None
    said = run.advance(15)
    assert [u.at_min for u in said] == [10.0]
    assert run.advance(16) == []


def test_save_and_replay_through_the_command_line(tmp_path, capsys):
    sc = read_scenario(MILD)
    path = tmp_path / "perfect.json"
    perfect_run(sc).save_responses(str(path))
    saved = json.loads(path.read_text())
    assert saved["seed"] == 0 and saved["responses"][0]["kind"] == "vitals"
    assert main(["train", str(MILD), "--responses", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["score"] == 100 and out["counts"]["correct"] == len(out["items"])
    assert {"at_min", "expected", "done", "verdict", "rule"} <= set(out["items"][0])
    empty = tmp_path / "empty.json"
    empty.write_text("[]")
    assert main(["train", str(MILD), "--responses", str(empty)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Mild reaction at the first increase: score 0/100") and "MISSED" in text


@pytest.mark.parametrize("responses,message,cli_message", [
    ([{"at_min": 5, "kind": "increase"}], "responses[0] (increase at 5 min): nothing is due now", None),
    ([{"at_min": 5, "kind": "start"}, {"at_min": 2, "kind": "note", "text": "x"}], "responses[1]: at 2 min is before",
     None),
    ([{"at_min": 0, "kind": "dance"}], "unknown action kind 'dance'",
     'responses[0].kind: "dance" is not an action kind'),
    ([{"kind": "start"}], "responses[0]: each action needs 'at_min' and 'kind'", "responses[0].at_min: is missing"),
    ([{"at_min": 0, "kind": "start"}, {"at_min": 1, "kind": "symptoms", "symptoms": ["shivers"]}], "shivers", None),
    ({"responses": 3}, "expected a list of actions", "responses: must be a list of actions"),
])
def test_bad_responses_give_one_line_errors(tmp_path, capsys, responses, message, cli_message):
    """The replay checks what it is given; the command reads the file strictly first (responses.py)."""
    with pytest.raises(TitrationError) as e:
        TrainingRun.replay(read_scenario(MILD), responses)
    assert message in str(e.value) and "\n" not in str(e.value)
    f = tmp_path / "r.json"
    f.write_text(json.dumps(responses))
    assert main(["train", str(MILD), "--responses", str(f)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and (cli_message or message) in err


def test_train_errors_for_missing_or_broken_files(tmp_path, capsys):
    assert main(["train", str(MILD), "--responses", str(tmp_path / "none.json")]) == 2
    assert "not found" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    assert main(["train", str(MILD), "--responses", str(bad)]) == 2
    assert "not valid JSON" in capsys.readouterr().err
    assert main(["train", str(tmp_path / "none.toml"), "--responses", str(bad)]) == 2


def test_run_with_patient_is_the_perfect_nurse():
    s = run_with_patient(read_scenario(MILD))
    kinds = [(e.at_min, e.kind) for e in s.events if e.kind in ("symptoms", "action", "resolved")]
    # chills at 35 recorded and slowed at once; said better at 50 (15 min); escalation again at 65 (30-min review)
    assert kinds == [(35.0, "symptoms"), (35.0, "action"), (50.0, "resolved"), (65.0, "action")]
    assert s.status == "completed" and all(e.who in ("sim", "system", "pump") for e in s.events)
    assert s.events[-1].at_min == s.state.end_min + 60  # observed to the end of the hour, left open


def test_scenario_tolerance_override(tmp_path):
    text = MILD.read_text() + "\n[debrief.tolerance]\nrecord_symptoms = 10\nreaction_action = 10\n"
    f = tmp_path / "lenient.toml"
    f.write_text(text)
    run = TrainingRun(read_scenario(f))
    s = run.session

    def act(t, said):
        if t == 0:
            s.record_vitals(0, run.take_vitals(0))
            s.start(0)
        p = s.due(t)
        if p is not None and p.action == "increase" and s.state.reaction is None:
            s.confirm(t, p)
        if t == 42:
            s.confirm(t, s.report_symptoms(t, ["chills"]))

    drive(run, 44, act)
    assert items(run.debrief(), kind="record")[0].verdict == "correct"
    bad = tmp_path / "bad.toml"
    bad.write_text(MILD.read_text() + "\n[debrief.tolerance]\nrecord = 10\n")
    with pytest.raises(TitrationError, match="debrief.tolerance.record: is not a tolerance"):
        TrainingRun(read_scenario(bad))


def test_scenario_list_and_the_expected_run_for_the_debrief_chart():
    found = {pathlib.Path(s["path"]).name: s for s in list_scenarios()}
    assert found["04-anaphylaxis.toml"]["title"] == "Anaphylaxis" and found["04-anaphylaxis.toml"]["learning_goals"]
    assert found["04-anaphylaxis.toml"]["pending"] == ""
    run = TrainingRun(read_scenario(MILD))
    exp = run.expected_session()
    assert exp.rate_segments()[:3] == [(0.0, 30.0, 48.0), (30.0, 35.0, 96.0), (35.0, 65.0, 48.0)]


def test_readme_example_response_file_replays(tmp_path):
    text = (SC / "README.md").read_text()
    example = text.split("```json\n")[1].split("```")[0]
    d = TrainingRun.replay(read_scenario(MILD), json.loads(example)).debrief()
    assert [(i.kind, i.verdict) for i in d.items if i.kind in ("record", "reaction", "resolved")] == [
        ("record", "correct"), ("reaction", "correct"), ("resolved", "correct")]


def _nurse(run):
    """A trainee who records what is said, confirms what is due and reports resolution."""
    s = run.session

    def act(t, said):
        if t == 0:
            s.record_vitals(0.0, run.take_vitals(0.0))
            s.start(0.0)
        for u in said:
            if u.symptom_ids:
                s.report_symptoms(t, list(u.symptom_ids))
        if s.state.reaction is not None and s.state.reaction.resolved_at is None and not run.patient.unwell() \
                and s.status in ("running", "paused") and s.state.pending is None:
            s.resolved(t)
        p = s.due(t)
        if p is not None:
            s.confirm(t, p)
    return act


def test_a_training_run_reopened_after_a_crash_has_its_patient_back():
    sc = read_scenario(MILD)
    live = TrainingRun(sc, seed=5)
    drive(live, 40, _nurse(live))  # the patient has complained and the rate was slowed by now
    assert any(e.kind == "symptoms" for e in live.session.events)
    # What the journal keeps: the events as plain data (the scenario and seed ride in 'planned').
    record = json.loads(json.dumps([e.to_dict() for e in live.session.events]))
    assert record[0]["simulation"] == {"scenario": str(MILD), "seed": 5}
    crashed = Session.replay(record)
    assert crashed.training and crashed.simulation["seed"] == 5

    back = TrainingRun.resume(crashed, live.now)
    assert back.session is crashed and back.now == live.now
    assert back.patient.log == live.patient.log  # the same reaction, at the same minutes
    assert back.advance(live.now) == []  # nothing said again
    # From here on both runs answer the same nurse in the same way.
    t = live.now + 1
    act_live, act_back = _nurse(live), _nurse(back)
    while t <= 150:
        said_live, said_back = live.advance(t), back.advance(t)
        assert said_back == said_live
        act_live(t, said_live), act_back(t, said_back)
        t += 1
    plain = lambda run: json.loads(json.dumps([e.to_dict() for e in run.session.events]))  # noqa: E731
    assert plain(back) == plain(live)
    assert back.debrief().to_dict() == live.debrief().to_dict()


def test_resume_refuses_a_changed_or_unnamed_scenario(tmp_path):
    sc_file = tmp_path / "s.toml"
    sc_file.write_text(MILD.read_text())
    run = TrainingRun(read_scenario(sc_file))
    record = [e.to_dict() for e in run.session.events]
    sc_file.write_text(MILD.read_text().replace("weight_kg = 80", "weight_kg = 81"))
    with pytest.raises(TitrationError, match="has changed"):
        TrainingRun.resume(Session.replay(record), 0.0)
    del record[0]["simulation"]
    with pytest.raises(TitrationError, match="does not name its scenario"):
        TrainingRun.resume(Session.replay(record), 0.0)
