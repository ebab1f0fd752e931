"""A record replayed from a journal is checked as the live session checks it: a damaged record is
refused, never read as an infusion that ran otherwise.

Octagam 10%, 70 kg, 1 g/kg (tests/test_completion.py): the ladder is 42, 84, 168, 336, 504 mL/h;
the first step is the label's initial rate, 42 mL/h, a hard limit of the first step.
"""
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from titration.errors import SessionError
from titration.plan import PlanRequest, build_plan
from titration.session import Event, Session
from titration.session_events import MAX_AT_MIN


def record() -> list[dict]:
    s = Session(build_plan(PlanRequest("octagam-10", "itp", 70.0, 1.0)))
    s.start(0)
    s.confirm(30, s.due(30))
    s.confirm(60, s.due(60))
    return [e.to_dict() for e in s.events]


def replayed(evs: list[dict]) -> Session:
    return Session.replay(evs)


def test_the_record_as_made_replays():
    s = replayed(record())
    assert (s.status, s.state.rung, s.state.rate_ml_h) == ("running", 2, 168.0)


@pytest.mark.parametrize("rate", [500.0, 42.1, -1.0])
def test_a_start_at_a_rate_the_first_step_does_not_allow_is_refused(rate):
    evs = record()
    start = next(e for e in evs if e["kind"] == "start")
    assert start["rate_ml_h"] == 42.0
    start["rate_ml_h"] = rate
    with pytest.raises(SessionError, match="above|0 or more"):
        replayed(evs)


def test_a_second_start_is_refused():
    evs = record()
    again = dict(next(e for e in evs if e["kind"] == "start"), at_min=61.0)
    with pytest.raises(SessionError, match=r"already started \(running\)"):
        replayed(evs + [again])


@pytest.mark.parametrize("rung", [99, -1, 5, 1.5, True, "2", None])
def test_an_increase_to_a_step_not_on_the_ladder_is_refused(rung):
    evs = record()
    inc = [e for e in evs if e["kind"] == "increase"][-1]
    assert inc["rung"] == 2
    inc["rung"] = rung
    with pytest.raises(SessionError, match="no step .* on this plan's ladder \\(0 to 4\\)"):
        replayed(evs)


@pytest.mark.parametrize("at", [math.nan, math.inf, -math.inf, 1e300, MAX_AT_MIN + 0.001, -0.5, "33", True, None])
def test_an_event_time_that_is_not_minutes_within_the_record_is_refused(at):
    evs = record()
    evs[-1]["at_min"] = at
    with pytest.raises(SessionError, match=r"an event's time is minutes from 0 to 1000000 \(about two years\)"):
        replayed(evs)


def test_a_time_at_the_bound_is_taken_and_a_live_event_past_it_is_refused():
    evs = record()
    evs.append({"at_min": MAX_AT_MIN, "kind": "note", "who": "nurse", "text": "late"})
    assert replayed(evs).events[-1].at_min == MAX_AT_MIN
    s = replayed(record())
    with pytest.raises(SessionError, match="an event's time"):
        s.note(MAX_AT_MIN + 1, "later still")
    with pytest.raises(SessionError, match="an event's time"):
        s.note(math.nan, "no time")
    assert len(s.events) == len(record())


@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**6, 10**6), st.text(max_size=3),
                 st.booleans(), st.none()))
def test_an_event_is_read_only_with_a_time_from_0_to_the_bound(at):
    ok = type(at) in (int, float) and 0 <= at <= MAX_AT_MIN
    d = {"at_min": at, "kind": "note", "text": "x"}
    if ok:
        assert Event.from_dict(d).at_min == float(at)
    else:
        with pytest.raises(SessionError):
            Event.from_dict(d)


def slowed() -> list[dict]:
    s = Session(build_plan(PlanRequest("octagam-10", "itp", 70.0, 1.0)))
    s.start(0)
    s.confirm(30, s.due(30))
    s.confirm(60, s.due(60))
    s.confirm(71, s.report_symptoms(70, ["chills"]))  # mild: slow to 84 mL/h, step 1
    return [e.to_dict() for e in s.events]


@pytest.mark.parametrize("kind", ["start", "increase", "action"])
def test_a_rate_that_is_not_a_number_is_refused_where_a_limit_would_be_checked(kind):
    evs = slowed()
    e = [x for x in evs if x["kind"] == kind][-1]
    e["rate_ml_h"] = math.nan
    with pytest.raises(SessionError, match="nan mL/h: a rate is a number, 0 or more"):
        replayed(evs)


@pytest.mark.parametrize("rung", [99, 1, "zero", -1])
def test_a_start_names_the_first_step(rung):
    evs = record()
    next(e for e in evs if e["kind"] == "start")["rung"] = rung
    with pytest.raises(SessionError, match="on this plan's ladder|starts at the first step"):
        replayed(evs)


@pytest.mark.parametrize("rung", [-1, 5, 99, "1", 1.0])
def test_a_reaction_action_names_a_step_on_the_ladder(rung):
    evs = slowed()
    act = next(e for e in evs if e["kind"] == "action")
    assert (act["action"], act["rung"]) == ("slow", 1)
    act["rung"] = rung
    with pytest.raises(SessionError, match="on this plan's ladder"):
        replayed(evs)
    assert replayed(slowed()).state.rate_ml_h == 84.0


@pytest.mark.parametrize("cap", [math.nan, 0.0, -5.0])
def test_a_prescribers_maximum_that_would_cap_nothing_is_refused(cap):
    evs = record() + [{"at_min": 61.0, "kind": "prescriber_rate", "who": "nurse", "prescriber": "Dr Osei",
                       "reason": "slower after the last infusion", "max_ml_h": cap}]
    with pytest.raises(SessionError, match="a prescriber's maximum is a number above 0"):
        replayed(evs)
    evs[-1]["max_ml_h"] = 100.0
    assert replayed(evs).events[-1].data["max_ml_h"] == 100.0
