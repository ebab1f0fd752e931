"""NEWS2 scores supplemental oxygen 2 (RCP 2017, chart 1: "Air or oxygen?": air 0, oxygen 2).

The vitals entry can record it (a new key, `on_oxygen`, true or false; absent: not stated, the last
stated value stands). Hand-worked: RR 22 (2) + SpO2 95 (1) + oxygen (2) = 5, an urgent review (at
least pause); on air the same readings score 3.
"""
import pytest

from titration.errors import InputError
from titration.news2 import load_chart
from titration.plan import PlanRequest, build_plan
from titration.policy import get_policy
from titration.session import Session
from titration.vitals import Vitals, vitals_text

CHART = load_chart()
BASE = Vitals(temp_c=36.8, pulse=72, sbp=124, dbp=78, spo2=98, rr=14)


def test_oxygen_scores_2_and_air_0():
    on = CHART.score({"rr": 22, "spo2": 95, "on_oxygen": 1.0})
    assert on.total == 5 and on.grade == "moderate"
    assert any(p.label == "Air or oxygen?" and p.value == "oxygen" and p.score == 2 for p in on.parts)
    air = CHART.score({"rr": 22, "spo2": 95, "on_oxygen": 0.0})
    assert air.total == 3 and air.grade == "none" and not air.not_scored
    unsaid = CHART.score({"rr": 22, "spo2": 95})
    assert unsaid.total == 3 and "oxygen" in unsaid.not_scored  # not stated: the screen says what it leaves out


def test_the_vitals_record_oxygen_as_a_new_key():
    v = Vitals(spo2=95, on_oxygen=True)
    assert v.to_dict() == {"spo2": 95, "on_oxygen": True}
    assert Vitals(spo2=97, on_oxygen=False).to_dict() == {"spo2": 97, "on_oxygen": False}  # on air, said
    assert Vitals(spo2=97).to_dict() == {"spo2": 97}  # old journals: the key is simply absent
    assert Vitals.from_dict({"spo2": 95, "on_oxygen": True}) == v
    assert vitals_text(v.to_dict()) == "SpO2 95%, on oxygen"
    with pytest.raises(InputError) as e:
        Vitals(spo2=95, on_oxygen="yes")
    assert e.value.field == "on_oxygen"


def test_a_patient_put_on_oxygen_is_scored_2_more_and_paused():
    s = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)), get_policy("tiered"))
    s.record_vitals(0, BASE)
    s.start(0)
    s.record_vitals(15, Vitals(spo2=95, sbp=105, pulse=100, on_oxygen=False))  # 1 + 1 + 1 on air: 3
    assert s.events[-1].data["news2"] == 3 and s.due(15) is None
    s.record_vitals(20, Vitals(spo2=95, on_oxygen=True))  # the same latest values on oxygen: 3 + 2 = 5
    assert s.events[-1].data["vitals"]["on_oxygen"] is True and s.events[-1].data["news2"] == 5
    p = s.due(20)
    assert (p.action, p.grade) == ("pause", "moderate")
    assert s.early_warning().total == 5
    s.record_vitals(21, Vitals(temp_c=36.9))  # oxygen not stated: it stands
    assert s.early_warning().total == 5
    replayed = Session.replay([e.to_dict() for e in s.events])
    assert replayed.due(21) == s.due(21) and replayed.early_warning().total == 5


def test_a_trainees_saved_vitals_may_say_on_oxygen(tmp_path):
    import json

    from titration.training.responses import read_responses

    f = tmp_path / "r.json"
    f.write_text(json.dumps([{"at_min": 0, "kind": "start"},
                             {"at_min": 15, "kind": "vitals", "vitals": {"spo2": 95, "on_oxygen": True}}]))
    _, actions = read_responses(str(f))
    assert actions[-1]["vitals"] == {"spo2": 95, "on_oxygen": True}
