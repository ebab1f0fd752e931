"""The training scenarios for reaction episodes: each runs headless, does what it teaches, and its
debrief carries the lesson; `python main.py simulate` runs each."""
from pathlib import Path

import pytest

from titration.cli.main import main
from titration.training.run import perfect_run
from titration.training.scenario import read_scenario

SC = Path(__file__).resolve().parent.parent / "resources" / "scenarios"


def run(name):
    sc = read_scenario(str(SC / name))
    r = perfect_run(sc)
    return sc, r, r.session


def actions(s):
    return [(e.at_min, e.data.get("action")) for e in s.events if e.kind == "action"]


def test_anaphylaxis_that_builds_stops_from_the_pause():
    sc, r, s = run("13-anaphylaxis-that-builds.toml")
    assert actions(s) == [(65.0, "pause"), (70.0, "stop")]
    assert s.state.episode.kind == "anaphylactic" and "anaphylaxis-skin" in s.state.episode.criteria
    d = r.debrief()
    assert d.score == 100 and "WAO 2020" in d.lesson and any(line.startswith("  Lesson:") for line in d.lines())


def test_meningism_that_builds_stops_when_the_pattern_completes():
    _, r, s = run("14-meningism-that-builds.toml")
    assert actions(s) == [(70.0, "slow"), (90.0, "stop")]
    assert s.state.episode.kind == "aseptic-meningitis"
    assert r.debrief().score == 100


def test_news2_deterioration_pauses_with_no_single_red_value():
    _, r, s = run("15-news2-deterioration.toml")
    first = next(e for e in s.events if e.kind == "action")
    assert (first.at_min, first.data["action"], first.data["grade"]) == (45.0, "pause", "moderate")
    v = next(e for e in s.events if e.kind == "vitals" and e.at_min == 45.0)
    assert v.data["news2"] == 5
    assert "NEWS2 5" in first.data["reason"]
    assert r.debrief().to_dict()["lesson"].startswith("No value was red")


def test_a_childs_hypoxia_stops():
    _, r, s = run("16-child-hypoxia.toml")
    assert actions(s)[-1][1] == "stop" and s.state.episode.grade == "severe"
    assert s.state.episode.kind == "trali"


def test_a_reaction_after_the_bag_empties_gets_the_emergency_steps():
    _, r, s = run("17-reaction-after-the-bag-empties.toml")
    end = s.state.end_min
    assert s.status in ("completed", "closed")
    ev = next(e for e in s.events if e.kind == "action" and e.data.get("action") == "emergency")
    assert ev.at_min == pytest.approx(end + 1) and ev.data["reaction_kind"] == "anaphylactic"
    assert r.debrief().score == 100


def test_flushing_resolved_then_breathlessness_half_an_hour_later_stops_as_anaphylaxis():
    sc, r, s = run("19-anaphylaxis-after-resolved.toml")
    assert actions(s)[0] == (62.0, "slow") and actions(s)[-1] == (95.0, "stop")
    assert any(e.kind == "resolved" and e.at_min < 92 for e in s.events)  # resolved, and its review passed
    stop = s.events[-1 - [e.kind for e in reversed(s.events)].index("action")]
    assert stop.data["reaction_kind"] == "anaphylactic" and "flushing at 62 min" in stop.data["reason"]
    d = r.debrief()
    assert d.score == 100 and "WAO 2020" in d.lesson and "never weakens" in d.lesson


@pytest.mark.parametrize("name", ["13-anaphylaxis-that-builds.toml", "14-meningism-that-builds.toml",
                                  "15-news2-deterioration.toml", "16-child-hypoxia.toml",
                                  "17-reaction-after-the-bag-empties.toml", "19-anaphylaxis-after-resolved.toml"])
def test_simulate_runs_each(name, capsys):
    assert main(["simulate", str(SC / name)]) == 0
    assert capsys.readouterr().out
