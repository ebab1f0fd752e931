"""Which ended infusions reopen after a restart (titration/store/observing.py).

Octagam 10% 70 kg 1 g/kg at 42 mL/h with no step confirmed: the bag is empty at 1000 min.
"""
import time

from titration.plan import PlanRequest, build_plan
from titration.session import Session
from titration.store.journal import Journal
from titration.store.observing import observations_to_reopen

T0 = time.mktime((2027, 1, 15, 2, 0, 0, 0, 0, -1))  # 02:00 local time: the hour ends at 19:40


def ended(j, chair, training=False, close=False, wall_start=T0):
    s = Session(build_plan(PlanRequest("octagam-10", "itp", 70.0, 1.0)), training=training)
    sid = j.attach(s, chair=chair, patient_id="P-" + chair, training=training, wall_start=wall_start)
    s.start(0)
    s.confirm(1000, s.due(1000))  # the nurse confirms the end: the observation hour runs to 1060 min
    if close:
        s.close_observation(1060)
    return sid


def test_ended_real_infusions_with_an_open_observation_reopen(tmp_path):
    j = Journal(tmp_path / "j.sqlite3")
    open_one = ended(j, "A")
    ended(j, "B", close=True)  # closed: nothing left to do
    ended(j, "C", training=True)  # training: never reopened this way
    ended(j, "D", wall_start=T0 - 3 * 86400)  # its hour ended three days ago: stays in the journal
    now = T0 + 1020 * 60  # 20 min into A's observation hour
    got = observations_to_reopen(j, now)
    assert [(r.chair, r.session_id, r.patient_id) for r in got] == [("A", open_one, "P-A")]
    assert got[0].ends_wall == T0 + 1060 * 60 and got[0].session.status == "completed"
    assert observations_to_reopen(j, now, skip_ids={open_one}) == []  # already on a chair
    # Later the same day the hour is over but the close is still to do: it comes back.
    assert [r.chair for r in observations_to_reopen(j, T0 + 1100 * 60)] == ["A"]
    j.close()
