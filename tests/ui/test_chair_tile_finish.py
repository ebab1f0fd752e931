"""A chair of this workstation says its finish on its tile and list row in every state: the expected
finish while it runs, when it ended once it has (as a chair driven elsewhere does), never a dash."""
from datetime import datetime

from titration.chair import Chair
from titration.chair_state import ChairFacts
from titration.plan import PlanRequest, build_plan
from titration.session import Session
from titration.vitals import Vitals
from ui.chair.summary import summary_of

EIGHT = datetime(2026, 1, 5, 8, 0).timestamp()


def test_a_local_tile_says_its_finish_in_every_state_and_when_it_ended():
    c = Chair(Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0))), ChairFacts("Chair 1", "P1", EIGHT))
    seen = {}
    c.record_vitals(0, Vitals(36.8, 72, 124, 78, 98, 14))
    seen["planned"] = summary_of(c.snapshot(0), key=1).finish
    c.start(0)
    seen["running"] = summary_of(c.snapshot(1), key=1).finish
    c.pause(10, "patient to the toilet")
    seen["paused"] = summary_of(c.snapshot(12), key=1).finish
    c.resume(15)
    c.stop(20, "line tissued")
    seen["stopped"] = summary_of(c.snapshot(25), key=1).finish
    c.close_observation(81)
    closed = summary_of(c.snapshot(82), key=1)
    seen["closed"] = closed.finish
    assert seen["planned"] == seen["running"] == "10:46"  # 165.8 min from 08:00, to the minute
    assert "10:46" < seen["paused"] < "12:00"  # a pause moves the finish on
    assert seen["stopped"] == seen["closed"] == "ended 08:20"
    assert "finish: ended 08:20" in closed.lines()
