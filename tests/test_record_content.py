"""What the record says, worked by hand: the observation's real close, late and missed rounds,
reactions after the end with grade, kind and action, the library version, de-identification,
and the scenario keys that carry vials, premedication, staff and a made-up patient id."""
import csv

import pytest

from titration.errors import DataError
from titration.plan import PlanRequest, build_plan
from titration.report.export import write_record
from titration.report.observations import rounds
from titration.report.record import RecordSource, build_record, library_text
from titration.session import Event, Session
from titration.training.scenario import read_scenario
from titration.vitals import Vitals

V = Vitals(36.8, 72, 124, 78, 98, 14)


def octagam() -> Session:
    # Octagam 10% ITP 70 kg 1 g/kg: 42, 84, 168, 336, 504 mL/h; 700 mL in at 165.8 min (README example)
    return Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))


def completed() -> Session:
    s = octagam()
    s.record_vitals(0, V)
    s.start(0)
    t = 0.0
    while s.status == "running":
        t += 1
        p = s.due(t)
        if p is not None:
            s.confirm(t, p)
        vd = s.vitals_due(t)
        if s.status == "running" and vd and vd[0] <= t and t < 100:
            s.record_vitals(t, V)  # every round on time until 100 min, then none
    return s


def test_the_observation_closes_when_it_did_not_at_the_end_of_the_infusion():
    s = completed()
    end = s.state.end_min
    s.record_vitals(end, V)
    s.record_vitals(end + 60, V)
    s.close_observation(end + 90)  # half an hour after the hour was up
    r = build_record(RecordSource(s, wall_start=0.0))
    assert r.observation_closed_min == end + 90 and r.end_min == end
    assert "Observation closed: " + r.when(end + 90) in r.facts()


def test_late_and_missed_rounds_are_flagged():
    s = completed()
    got = rounds(s)
    assert all(x.status == "on time" for x in got if x.due_min < 100)
    after = [x for x in got if x.due_min >= 100]
    assert after and after[0].status == "missed"  # nothing recorded from 100 min to the end
    s2 = octagam()
    s2.record_vitals(0, V)
    s2.start(0)
    s2.record_vitals(22, V)  # due at 15 (15 min after the start): 7 min late
    x = rounds(s2)[0]
    assert (x.due_min, x.taken_min, x.status, x.late_by) == (15.0, 22.0, "late", 7.0)


def test_a_reaction_after_the_end_has_its_grade_kind_and_action():
    s = completed()
    end = s.state.end_min
    s.report_symptoms(end + 20, ["urticaria"])
    s.apply(Event(end + 25, "premedication", "nurse",
                  {"drug": "chlorphenamine", "dose": 10, "unit": "mg", "route": "IV", "given_min": end + 25}))
    x = build_record(RecordSource(s)).reactions[-1]
    assert (x.after_end, x.grade, x.symptoms) == (True, "moderate", ("Urticaria (hives)",))
    assert x.kind == "anaphylactic" and "chlorphenamine 10 mg IV" in x.action


def test_the_library_version_is_read_where_recorded():
    assert library_text({}) == "not recorded"
    lib = {"version": 2, "hash": "sha256:1a2b3c4d5e6f7a8b9c0d"}
    assert library_text({"library": lib}) == "version 2 (sha256:1a2b3c4d5e6f)"
    assert library_text({"library": {**lib, "edited_since_version": True}}) == \
        "version 2 (sha256:1a2b3c4d5e6f), EDITED since that version"


def test_a_deidentified_csv_has_no_names_lots_serials_or_dates(tmp_path):
    from titration.training.run import perfect_run

    sc = read_scenario("resources/scenarios/18-record-three-vials.toml")
    s = perfect_run(sc).session
    s.note(s.events[-1].at_min, "Mrs Smith, NHS 943 476 5919, called her daughter")
    out = tmp_path / "d.csv"
    write_record(RecordSource(s, patient_id="TRAIN-0013", patient_name="Jane Smith", wall_start=1.78e9), out,
                 "csv", deidentified=True)
    text = out.read_text()
    for never in ("TRAIN-0013", "Smith", "943", "Alex", "Morgan", "P100234A", "SN000101", "2029", "daughter"):
        assert never not in text, never
    rows = list(csv.DictReader(open(out, newline="", encoding="utf-8")))
    assert {r["lot"] for r in rows if r["kind"] == "vial"} == {"LOT1", "LOT2"}
    assert all(r["clock"] == "" for r in rows) and rows[1]["who"] == "Nurse A"


@pytest.mark.parametrize("text, key", [
    ('vials = [{ gtin = "00344206437101", lot = "A", expiry = "2029-01-01", grams = 10 }]', "vials[0].gtin"),
    ('vials = [{ gtin = "00344206437100", lot = "A", expiry = "2029-13-01", grams = 10 }]', "vials[0].expiry"),
    ('vials = [{ gtin = "00344206437100", lot = "A", expiry = "2029-01-01", gram = 10 }]', "vials[0].gram"),
    ('premedication = [{ drug = "paracetamol", dose = 1000, unit = "tablet", route = "oral", before_start_min = 30 }]',
     "premedication[0].unit"),
])
def test_scenario_vials_and_premedication_are_read_strictly(tmp_path, text, key):
    src = open("resources/scenarios/18-record-three-vials.toml", encoding="utf-8").read()
    start = src.index("vials = [")
    end = src.index("[staff]")
    f = tmp_path / "bad.toml"
    f.write_text(src[:start] + text + "\n\n" + src[end:], encoding="utf-8")
    with pytest.raises(DataError) as e:
        read_scenario(f)
    assert f"prescription.{key}" in str(e.value)


def test_the_scenario_carries_its_patient_id_vials_premedication_and_staff():
    sc = read_scenario("resources/scenarios/18-record-three-vials.toml")
    assert sc.patient_id == "TRAIN-0013" and len(sc.vials) == 3 and len({v.lot for v in sc.vials}) == 2
    assert [p.given_min for p in sc.premedications] == [-30.0, -30.0]
    assert sc.staff.label == "Alex Morgan (AM)" and sc.second_nurse == "Sam Lee"


def test_a_round_overdue_at_a_note_and_taken_later_is_late_not_missed():
    s = octagam()
    s.record_vitals(0, V)
    s.start(0)
    s.note(21, "patient to the toilet")  # the 15-min round is 6 min overdue here
    s.record_vitals(24, V)
    got = rounds(s)
    assert [(x.due_min, x.status) for x in got][:1] == [(15.0, "late")] and got[0].late_by == 9.0
