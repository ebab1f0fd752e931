"""The end of an infusion is the nurse's to confirm: the bag empties, the core proposes, the nurse confirms.

Octagam 10% 70 kg 1 g/kg: 700 mL; 42, 84, 168, 336 mL/h for 30 min each = 21 + 42 + 84 + 168 = 315 mL
by 120 min, then 385 mL at 504 mL/h = 45.83 min: the bag is empty at 165.83 min.
"""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from titration.errors import SessionError
from titration.plan import PlanRequest, build_plan
from titration.session import Session

EMPTY = 120 + 385 / 504 * 60  # 165.833 min


def at_top():
    s = Session(build_plan(PlanRequest("octagam-10", "itp", 70.0, 1.0)))
    s.start(0)
    for t in (30, 60, 90, 120):
        s.confirm(t, s.due(t))
    return s


def test_the_end_falls_due_when_the_volume_is_in_and_not_before():
    s = at_top()
    assert s.completion_at() == pytest.approx(EMPTY)
    assert s.due(EMPTY - 0.1) is None and s.pump_rate(EMPTY - 0.1) == 504
    p = s.due(EMPTY)
    assert p.action == "complete" and p.rate_ml_h == 0.0
    assert p.reason == ("The bag should be empty: confirm the pump has finished "
                        "(and the line is flushed, where the unit does that)")
    assert s.next_due_at() == pytest.approx(EMPTY)
    with pytest.raises(SessionError, match="not in yet"):
        s._append(s._complete_event(EMPTY - 1, "nurse"))


def test_a_late_confirmation_records_the_real_time_and_the_pump_at_zero_since_the_bag_emptied():
    s = at_top()
    assert s.status == "running" and s.pump_rate(180) == 0.0
    assert s.delivered_ml(180) == pytest.approx(700.0)  # never more than prescribed
    assert s.rate_segments(until=180)[-2:] == [(120.0, pytest.approx(EMPTY), 504.0), (pytest.approx(EMPTY), 180, 0.0)]
    s.confirm(190, s.due(190))
    e = s.events[-1]
    assert (e.kind, e.at_min, e.who) == ("complete", 190, "nurse")
    assert e.data == {"delivered_ml": 700.0, "volume_in_min": pytest.approx(EMPTY, abs=1e-4)}
    assert s.status == "completed" and s.state.end_min == 190  # the observation hour counts from here
    assert s.observation_ends_at() == 250
    assert s.rate_segments()[-2:] == [(120.0, pytest.approx(EMPTY), 504.0), (pytest.approx(EMPTY), 190, 0.0)]
    again = Session.replay([x.to_dict() for x in s.events])
    assert again.rate_segments() == s.rate_segments() and again.state.end_min == 190


def test_confirmed_at_once_the_record_is_as_before():
    s = at_top()
    s.confirm(EMPTY, s.due(EMPTY))
    assert s.events[-1].data == {"delivered_ml": 700.0}  # no volume_in_min: the same moment
    assert s.rate_segments()[-1] == (120.0, pytest.approx(EMPTY), 504.0)


def test_no_step_is_proposed_past_the_end():
    # Octagam 10% 10 kg 0.4 g/kg: 40 mL at 6, 12, 24, 48 mL/h (30 min each; 72 mL/h after):
    # 3 + 6 + 12 = 21 mL by 90 min, 19 mL at 48 mL/h = 23.75 min: the bag is empty at 113.75 min,
    # before the 72 mL/h step would fall due at 120 min.
    s = Session(build_plan(PlanRequest("octagam-10", "itp", 10.0, 0.4, age_years=1)))
    s.start(0)
    for t in (30, 60, 90):
        s.confirm(t, s.due(t))
    assert s.completion_at() == pytest.approx(113.75)
    assert s.next_step_at() is None and s.next_due_at() == pytest.approx(113.75)
    assert s.due(113.0) is None and s.due(120.0).action == "complete"


def test_symptoms_after_the_bag_is_empty_do_not_slow_an_empty_pump():
    s = at_top()
    s.report_symptoms(170, ["headache"])
    p = s.due(170)
    assert p.action == "review" and p.rate_ml_h == 0  # advice to tell the team, never a slowed empty pump
    s.confirm(170, p)
    assert s.due(170).action == "complete"
    assert s.state.highest_grade != "none"


@settings(max_examples=60, deadline=None)
@given(confirm_after=st.floats(0, 300), steps=st.integers(0, 4), kg=st.floats(10, 120))
def test_volume_is_conserved_and_never_above_prescribed(confirm_after, steps, kg):
    s = Session(build_plan(PlanRequest("octagam-10", "itp", kg, 1.0, age_years=None if kg >= 40 else 9)))
    s.start(0)
    t = 0.0
    for _ in range(steps):
        nxt = s.next_due_at()
        if nxt is None or s.due(nxt).action != "increase":
            break
        t = nxt
        s.confirm(t, s.due(t))
    done = s.completion_at()
    for probe in (done - 1, done, done + confirm_after / 2, done + confirm_after):
        assert s.delivered_ml(max(probe, t)) <= s.volume_ml + 1e-9
    at = done + confirm_after
    s.confirm(at, s.due(at))
    total = sum((b - a) * r / 60.0 for a, b, r in s.rate_segments())
    assert total == pytest.approx(s.volume_ml, rel=1e-9)  # the integral of the pump rate is the bag
    assert s.delivered_ml(at + 100) == pytest.approx(s.volume_ml) and s.state.end_min == at


def test_a_trainee_who_confirms_the_end_late_saves_a_file_that_replays(tmp_path):
    import json

    from titration.cli.main import main
    from titration.training.run import TrainingRun, perfect_run
    from titration.training.scenario import read_scenario

    path = "resources/scenarios/01-uneventful-first-infusion.toml"
    sc = read_scenario(path)
    ref = perfect_run(sc, close=False)
    done = ref.session.state.end_min
    late = [r for r in ref.responses() if r["kind"] != "complete" and r["at_min"] < done - 1e-6]
    run = TrainingRun.replay(sc, late)
    run.advance(done + 8)
    run.session.confirm(done + 8, run.session.due(done + 8))  # 8 min after the bag emptied: late (5 min)
    item = next(i for i in run.debrief().items if i.kind == "complete")
    assert (item.verdict, item.at_min, item.done_at) == ("late", pytest.approx(done), pytest.approx(done + 8))
    f = tmp_path / "r.json"
    run.save_responses(str(f))
    assert json.loads(f.read_text())["responses"][-1]["volume_in_min"] == pytest.approx(done, abs=1e-4)
    assert main(["train", path, "--responses", str(f), "--json"]) == 0
