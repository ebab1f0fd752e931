"""The simulated patient follows its scenario: settles when relieved, worsens when not, recurs if rushed."""
import pathlib

import pytest

from titration.catalogue_file import load_catalogue
from titration.errors import DataError
from titration.training.behaviour import read_behaviour
from titration.training.patient_model import Pump, SimulatedPatient
from titration.training.scenario import read_scenario

SC = pathlib.Path(__file__).resolve().parent.parent / "resources" / "scenarios"


def patient(name, seed=0):
    return SimulatedPatient(read_scenario(SC / name), seed)


def said(p):
    return [(e.at_min, e.kind, e.symptom_ids) for e in p.log]


# Scenario 02 (Gamunex-C, 80 kg): 48 mL/h, then 96 mL/h from step 2; chills 5 min into step 2,
# settle 15 min after slowing, rigors if not slowed within 10 min.
MILD = "02-mild-reaction-first-increase.toml"
LADDER_02 = [Pump(0, 48.0, 0, "running"), Pump(30, 96.0, 1, "running")]


def test_onset_follows_the_step_and_delay():
    p = patient(MILD)
    assert p.advance(34.9, LADDER_02) == []
    out = p.advance(35.0, LADDER_02)
    assert [(e.at_min, e.kind, e.symptom_ids) for e in out] == [(35.0, "onset", ("chills",))]


def test_no_reaction_if_the_step_is_never_reached():
    p = patient(MILD)
    p.advance(300, LADDER_02[:1])
    assert p.log == []


def test_settles_after_slowing_by_the_scenario_settle_time():
    p = patient(MILD)
    pumps = LADDER_02 + [Pump(36, 48.0, 0, "running")]  # slowed one minute after the complaint
    p.advance(50.9, pumps)
    assert p.complaints() == ("chills",)
    p.advance(60, pumps)
    assert said(p) == [(35.0, "onset", ("chills",)), (51.0, "better", ())]
    assert p.complaints() == ()


def test_escalates_when_ignored():
    p = patient(MILD)
    p.advance(60, LADDER_02)
    assert said(p) == [(35.0, "onset", ("chills",)), (45.0, "worse", ("rigors",))]
    cat = load_catalogue()
    assert cat.grade(["chills"]).grade == "mild" and cat.grade(["rigors"]).grade == "moderate"


def test_time_unrelieved_adds_up_across_a_too_early_raise():
    # relieved 37-40 (3 min), then back at 96 mL/h: 2 + 8 unrelieved minutes -> worse at 48
    p = patient(MILD)
    pumps = LADDER_02 + [Pump(37, 48.0, 0, "running"), Pump(40, 96.0, 1, "running")]
    p.advance(60, pumps)
    assert said(p)[1] == (48.0, "worse", ("rigors",))


def test_slowing_does_not_relieve_a_reaction_that_needs_a_pause():
    # Scenario 03 (Octagam 10%, 65 kg): 39, 78, 156 mL/h; chest tightness 10 min into step 3 (70 min)
    p = patient("03-moderate-reaction.toml")
    ladder = [Pump(0, 39.0, 0, "running"), Pump(30, 78.0, 1, "running"), Pump(60, 156.0, 2, "running")]
    p.advance(100, ladder + [Pump(71, 78.0, 1, "running")])
    assert said(p) == [(70.0, "onset", ("chest-tightness",)), (80.0, "worse", ("chest-tightness", "wheeze"))]
    q = patient("03-moderate-reaction.toml")
    q.advance(100, ladder + [Pump(71, 0.0, 1, "paused")])
    assert said(q) == [(70.0, "onset", ("chest-tightness",)), (91.0, "better", ())]


# Scenario 05 (Octagam 10%, 70 kg): headache 5 min into step 3 (168 mL/h), settles 10 min after slowing,
# comes back 5 min after the rate is raised to 168 again within 30 min of settling.
RECUR = "05-recurrence.toml"
LADDER_05 = [Pump(0, 42.0, 0, "running"), Pump(30, 84.0, 1, "running"), Pump(60, 168.0, 2, "running"),
             Pump(65, 84.0, 1, "running")]


def test_recurs_when_the_rate_goes_back_up_too_early():
    p = patient(RECUR)
    p.advance(120, LADDER_05 + [Pump(80, 168.0, 2, "running")])
    assert said(p) == [(65.0, "onset", ("headache",)), (75.0, "better", ()), (85.0, "recur", ("headache", "nausea")),
                       (100.0, "worse", ("headache", "vomiting"))]  # and, left at 168 mL/h, worse 15 min later
    assert p.log[2].text.startswith("It's coming back.")


def test_no_recurrence_when_the_rate_goes_up_after_the_window():
    p = patient(RECUR)
    p.advance(200, LADDER_05 + [Pump(106, 168.0, 2, "running")])  # settled at 75; 75 + 30 = 105
    assert said(p) == [(65.0, "onset", ("headache",)), (75.0, "better", ())]


def test_patient_speaks_in_words_not_grades():
    p = patient(MILD)
    p.advance(60, LADDER_02)
    cat = load_catalogue()
    assert p.log[0].text == cat.symptoms["chills"].words == "I feel cold and shivery."
    assert p.log[1].text == "It's getting worse. " + cat.symptoms["rigors"].words
    assert not any(g in e.text.lower() for e in p.log for g in ("mild", "moderate", "severe"))


def test_silent_fever_is_found_only_in_the_vitals():
    # Scenario 08 (75 kg): 45, 90, 180 mL/h; fever (+1.5 C) 10 min into step 3 (70 min), says nothing
    p = patient("08-silent-fever.toml")
    ladder = [Pump(0, 45.0, 0, "running"), Pump(30, 90.0, 1, "running"), Pump(60, 180.0, 2, "running")]
    p.advance(69, ladder)
    before = p.vitals()
    p.advance(71, ladder)
    assert [e.text for e in p.log] == [""] and p.complaints() == () and p.unwell()
    after = p.vitals()
    assert abs(before.temp_c - 36.7) <= 0.4 and abs(after.temp_c - 38.2) <= 0.4
    cat = load_catalogue()
    assert cat.grade_vitals(after, p.baseline).grade == "moderate"
    assert cat.grade_vitals(before, p.baseline).grade == "none"


def test_silent_fever_left_alone_turns_into_rigors_the_patient_reports():
    p = patient("08-silent-fever.toml")
    ladder = [Pump(0, 45.0, 0, "running"), Pump(30, 90.0, 1, "running"), Pump(60, 180.0, 2, "running")]
    p.advance(120, ladder)
    assert said(p)[1] == (100.0, "worse", ("rigors", "fever")) and p.log[1].text
    assert p.complaints() == ("rigors", "fever")


def test_vitals_are_seeded_and_plausible():
    a, b, c = patient(MILD, 1), patient(MILD, 1), patient(MILD, 2)
    for x in (a, b, c):
        x.advance(10, LADDER_02)
    assert a.vitals() == b.vitals() == a.vitals(10.0)
    assert a.vitals() != c.vitals()
    readings = [patient(MILD, s).vitals(10.0) for s in range(30)]
    assert all(abs(v.pulse - 70) <= 8 and abs(v.temp_c - 36.8) <= 0.4 for v in readings)
    assert len({v.pulse for v in readings}) > 3  # noise, not a constant


def test_vitals_ease_back_while_settling():
    p = patient(MILD)
    pumps = LADDER_02 + [Pump(35, 48.0, 0, "running")]
    p.advance(35, pumps)
    p.behaviour.noise.clear()  # no noise: the change itself
    assert p.vitals(35).pulse == 80  # 70 + 10
    p.advance(42.5, pumps)
    assert p.vitals().pulse == 75  # half way through the 15-min settle
    p.advance(51, pumps)
    assert p.vitals().pulse == 70


def test_timed_onset_is_skipped_when_the_infusion_is_paused():
    p = patient("07-product-switch.toml")  # flushing at 10 min after the start
    p.advance(30, [Pump(0, 18.0, 0, "running"), Pump(5, 0.0, 0, "paused")])
    assert p.log == []
    q = patient("07-product-switch.toml")
    q.advance(30, [Pump(2, 18.0, 0, "running")])
    assert said(q)[0] == (12.0, "onset", ("flushing",))  # 10 min after the actual start


def test_late_headache_after_the_end():
    p = patient("09-late-headache.toml")
    p.advance(299, [Pump(0, 22.5, 0, "running"), Pump(200, 0.0, -1, "ended")])
    assert said(p) == [(240.0, "onset", ("headache",))]
    p.advance(301, [Pump(0, 22.5, 0, "running"), Pump(200, 0.0, -1, "ended")])
    assert said(p)[-1] == (300.0, "better", ())


def test_deterministic_given_the_same_history():
    runs = []
    for _ in range(2):
        p = patient(RECUR, 7)
        p.advance(50, LADDER_05)
        p.advance(120, LADDER_05 + [Pump(80, 168.0, 2, "running")])
        runs.append((said(p), p.vitals(120)))
    assert runs[0] == runs[1]


def write(tmp_path, behaviour, baseline=True):
    base = "baseline_vitals = { temp_c = 36.8, pulse = 70 }\n" if baseline else ""
    f = tmp_path / "bad.toml"
    f.write_text(f'[patient]\nweight_kg = 70\n{base}[prescription]\nproduct = "octagam-10"\n'
                 f'indication = "itp"\ndose_g_per_kg = 1\n{behaviour}')
    return f


@pytest.mark.parametrize("behaviour,key,problem", [
    ('[[behaviour.reaction]]\nsymptoms = ["shivers"]\nonset = { at_min = 5 }\n',
     "behaviour.reaction[0].symptoms", "not a symptom id"),
    ('[[behaviour.reaction]]\nsymptoms = ["chills"]\nonset = { at_min = 5, step = 2 }\n',
     "behaviour.reaction[0].onset", "exactly one"),
    ('[[behaviour.reaction]]\nsymptoms = ["chills"]\n', "behaviour.reaction[0].onset", "is missing"),
    ('[[behaviour.reaction]]\nsymptoms = ["chills"]\nonset = { step = 0 }\n', "behaviour.reaction[0].onset.step",
     "whole step"),
    ('[[behaviour.reaction]]\nsymptoms = ["chills"]\nonset = { at_min = 5 }\nsettle = 3\n',
     "behaviour.reaction[0].settle", "not a reaction key"),
    ('[[behaviour.reaction]]\nsymptoms = ["chills"]\nonset = { at_min = 5 }\nvitals = { sbp = 10 }\n',
     "behaviour.reaction[0].vitals.sbp", "needs a baseline"),
    ('[[behaviour.reaction]]\nsymptoms = ["chills"]\nonset = { at_min = 5 }\nworsen_after_min = 5\n',
     "behaviour.reaction[0].worsen_to", "worsen_after_min needs"),
    ('[[behaviour.reaction]]\nsymptoms = ["chills"]\nonset = { at_min = 5 }\nsettles_on = "never"\n',
     "behaviour.reaction[0].settles_on", "not one of"),
    ('[[behaviour.reaction]]\nsilent = true\nonset = { at_min = 5 }\n', "behaviour.reaction[0].vitals",
     "found only in the vitals"),
    ('[behaviour]\nspeed = 2\n', "behaviour.speed", "not a behaviour key"),
])
def test_malformed_behaviour_names_file_key_and_problem(tmp_path, behaviour, key, problem):
    f = write(tmp_path, behaviour)
    with pytest.raises(DataError) as e:
        read_behaviour(read_scenario(f))
    assert e.value.path == str(f) and e.value.key == key and problem in e.value.problem
    assert "\n" not in str(e.value)


def test_behaviour_needs_baseline_vitals(tmp_path):
    f = write(tmp_path, "[behaviour]\n", baseline=False)
    with pytest.raises(DataError) as e:
        read_behaviour(read_scenario(f))
    assert e.value.key == "patient.baseline_vitals"


def test_a_scenario_of_timed_events_is_played_as_a_script(tmp_path):
    f = tmp_path / "events.toml"
    f.write_text('[patient]\nweight_kg = 70\nbaseline_vitals = { temp_c = 36.8, pulse = 70 }\n'
                 '[prescription]\nproduct = "octagam-10"\nindication = "itp"\ndose_g_per_kg = 1\n'
                 '[[events]]\nat_min = 35\nsymptoms = ["chills"]\nvitals = { temp_c = 37.4, pulse = 90 }\n'
                 '[[events]]\nat_min = 50\nresolved = true\n')
    p = SimulatedPatient(read_scenario(f), 0)
    p.advance(100, [Pump(0, 42.0, 0, "running")])
    assert said(p) == [(35.0, "onset", ("chills",)), (50.0, "better", ())]
