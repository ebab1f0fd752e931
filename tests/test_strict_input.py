"""A value the user gave is never dropped or replaced silently: the command line,
scenario files and responses files, by class (hypothesis) and by example. In-process (main())."""
import contextlib
import io
import json

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from titration.cli.main import main
from titration.data import RESOURCES
from titration.errors import DataError
from titration.training.responses import KIND_KEYS, MAX_ACTIONS, read_responses
from titration.training.scenario import EVENT_KEYS, META_KEYS, PATIENT_KEYS, PRESCRIPTION_KEYS, TOP_KEYS, read_scenario

PLAN = ["plan", "--product", "octagam-10", "--indication", "itp", "--weight-kg", "70", "--dose-g-per-kg", "1"]
MILD = f"{RESOURCES}/scenarios/02-mild-reaction-first-increase.toml"
SCENARIO = """[patient]
weight_kg = 70
baseline_vitals = { temp_c = 36.8, pulse = 70 }
[prescription]
product = "octagam-10"
indication = "itp"
dose_g_per_kg = 1
[[events]]
at_min = 35
symptoms = ["chills"]
"""
TMP = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


def run(argv):
    """main() in-process, its output captured here (capsys is not reset between hypothesis examples)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(argv)
    return rc, out.getvalue(), err.getvalue()


def refused(argv, *words):
    rc, out, err = run(argv)
    assert rc == 2, (argv, out, err)
    assert err.count("\n") == 1 and "Traceback" not in err and out == ""
    for w in words:
        assert w in err, (w, err)
    return err


# ---------------------------------------------------------------------------- the command line
VALUED = {"--weight-kg": "70", "--dose-g-per-kg": "1", "--product": "octagam-10", "--indication": "itp",
          "--height-cm": "170", "--sex": "male", "--dosing-weight": "auto", "--pump-resolution": "0.1",
          "--max-ml-h": "300", "--protocol": "label", "--tolerated-max": "4", "--weeks-since-last": "3",
          "--round-dose": "none", "--export": "x.csv", "--start": "09:00", "--closing": "17:00", "--max-hours": "6"}
FLAGS = ("--json", "--at-risk", "--first-infusion", "--product-switch")


@given(st.sampled_from(sorted(VALUED)))
def test_a_valued_option_given_twice_is_refused(option):
    """Even the same value twice: the second is a slip somewhere (values are checked first, so the
    second value is a valid one here)."""
    refused(PLAN + [option, VALUED[option], option, VALUED[option]], option, "given twice")


@given(st.sampled_from(FLAGS))
def test_a_flag_given_twice_is_refused(flag):
    refused(PLAN + [flag, flag], flag, "given twice")


def test_db_before_and_after_the_command_is_refused(tmp_path):
    refused(["--db", str(tmp_path / "a.db"), "journal", "--db", str(tmp_path / "b.db")], "--db", "twice")
    assert not list(tmp_path.iterdir())  # nothing created for either name


@given(st.sampled_from(sorted(VALUED) + ["--db"]), st.sampled_from(["", " ", "\t"]))
def test_an_empty_value_is_refused(option, empty):
    argv = ["journal", "--db", empty] if option == "--db" else PLAN + [option, empty]
    refused(argv, option)


def test_an_empty_positional_is_refused():
    refused(["simulate", ""], "SCENARIO")


@given(st.sampled_from(["--weight", "--dose", "--max", "--pump", "--at-risk-c", "--js"]))
def test_an_abbreviated_option_is_refused_not_guessed(option):
    refused(PLAN + [option, "1"], option)


NUMERIC = {"--weight-kg": 70, "--dose-g-per-kg": 1, "--max-ml-h": 300, "--pump-resolution": 0.1}


@given(st.sampled_from(sorted(NUMERIC)),
       st.text(alphabet=st.sampled_from("0123456789._+-eEinfa xX٠١٢٣٤٥٦٧٨٩０１２७"), min_size=1, max_size=8))
def test_numbers_are_plain_digits_or_refused(option, text):
    """Anything but 0-9 with at most one point is refused: never read as another number."""
    plain = all(c in "0123456789." for c in text) and text.count(".") <= 1 and text != "."
    assume(not plain)
    assume(not text.startswith("-") or len(text) == 1 or text[1] not in "0123456789.")  # `-5` reads as an option
    refused(PLAN + [option, text], option)


@pytest.mark.parametrize("text", ["7_0", "٧٠", "７０", "1e2", "+70", " 70", "70 ", "0x46", "inf", "NaN", "70.0.0"])
def test_number_spellings_that_are_refused(text):
    err = refused(PLAN[:5] + ["--weight-kg", text, "--dose-g-per-kg", "1"], "--weight-kg", "digits 0-9")
    assert repr(text) in err  # the value is shown back as given


@given(st.integers(2, 249), st.sampled_from(["", ".", ".5", ".25"]))
def test_plain_numbers_are_read_exactly(whole, frac):
    text = f"{whole}{frac}"
    age = ["--age-years", "8"] if float(text.rstrip(".") or 0) < 40 else []  # under 40 kg the age is required
    rc, out, err = run(PLAN[:5] + ["--weight-kg", text, "--dose-g-per-kg", "1", "--json"] + age)
    assert rc == 0, err
    assert json.loads(out)["dosing_weight_kg"] == float(text.rstrip(".") or 0)


@pytest.mark.parametrize("seed", ["-1", "1.5", "4294967296", "7_0", "٣", "", "1" * 30])
def test_a_bad_seed_is_refused(seed, tmp_path):
    f = tmp_path / "r.json"
    f.write_text("[]")
    refused(["train", MILD, "--responses", str(f), "--seed", seed], "--seed")


@pytest.mark.parametrize("extra,needs", [
    (["--at-risk-cap", "2"], "--at-risk"),
    (["--height-cm", "170"], "--sex"),
    (["--sex", "female"], "--height-cm"),
    (["--height-cm", "170", "--sex", "male"], "--dosing-weight"),
    (["--override", "unit-cap=agreed with Dr B"], "--max-ml-h"),
    (["--override", "tolerated-max=agreed"], "--tolerated-max"),
    (["--override", "first-infusion=agreed"], "--first-infusion"),
    (["--closing", "17:00"], "--start"),
    (["--max-hours", "6"], "--start"),
])
def test_an_option_that_needs_another_is_refused_naming_it(extra, needs):
    err = refused(PLAN + extra, "needs")
    assert needs in err.split("needs", 1)[1]


def test_the_at_risk_cap_is_never_dropped():
    """Today's bug: --at-risk-cap alone was ignored and the plan ran to 504 mL/h."""
    refused(["plan", "--product", "privigen", "--indication", "pi", "--weight-kg", "70",
                     "--dose-g-per-kg", "0.4", "--at-risk-cap", "2"], "--at-risk-cap needs --at-risk")
    rc, out, _ = run(["plan", "--product", "privigen", "--indication", "pi", "--weight-kg", "70",
                              "--dose-g-per-kg", "0.4", "--at-risk", "--at-risk-cap", "2", "--json"])
    assert rc == 0 and max(s["rate_ml_h"] for s in json.loads(out)["steps"]) == 84.0  # 2 x 70 x 60 / 100


def test_a_single_dose_override_with_nothing_to_set_aside_is_refused():
    refused(PLAN + ["--override", "single-dose=agreed"], "--override", "within the usual")


def test_an_override_given_twice_or_without_a_reason_is_refused():
    refused(PLAN + ["--max-ml-h", "300", "--override", "unit-cap=a", "--override", "unit-cap=b"], "twice")
    refused(PLAN + ["--max-ml-h", "300", "--override", "unit-cap"], "REASON")
    refused(PLAN + ["--max-ml-h", "300", "--override", "unit-cap= "], "REASON")


@given(st.sampled_from([0.01, 0.05, 0.09]))
def test_a_limit_rounding_to_nothing_blames_its_own_option(cap):
    err = refused(PLAN + ["--max-ml-h", str(cap)], "--max-ml-h", "0 mL/h")
    assert "--pump-resolution" not in err


def test_a_cap_in_mg_kg_min_rounding_to_nothing_names_the_cap():
    """A cap in mg/kg/min depends on the weight: the pump's step is what is too coarse, and the
    message says which cap met it."""
    refused(PLAN + ["--at-risk", "--at-risk-cap", "0.001"], "--pump-resolution", "at-risk cap 0.001 mg/kg/min")


# ---------------------------------------------------------------------------- scenario files
def misspell(key: str, how: int) -> str:
    return [key[:-1], key + "r", key.replace("_", "-"), key.upper(), key[1:], key + "s"][how % 6]


LEVELS = {  # where a key goes in SCENARIO, and the keys known there
    "top": ("", TOP_KEYS), "patient": ("[patient]\n", PATIENT_KEYS),
    "prescription": ("[prescription]\n", PRESCRIPTION_KEYS), "events": ("[[events]]\nat_min = 40\n", EVENT_KEYS),
    "meta": ("[meta]\n", META_KEYS),
}


@TMP
@given(st.sampled_from(sorted(LEVELS)), st.data())
def test_a_misspelt_scenario_key_names_file_key_and_nearest(tmp_path, level, data):
    header, known = LEVELS[level]
    key = data.draw(st.sampled_from(known))
    bad = misspell(key, data.draw(st.integers(0, 5)))
    assume(bad not in known)
    f = tmp_path / "s.toml"
    # a table key at the top level is written as a section; a value key as a value in its section
    line = f"[{bad}]\nx = 1\n" if level == "top" else f"{bad} = 1\n"
    text = SCENARIO.replace(header, header + line, 1) if header and header in SCENARIO else SCENARIO + header + line
    f.write_text(text)
    with pytest.raises(DataError) as e:
        read_scenario(f)
    assert e.value.path == str(f) and e.value.key.endswith(bad), e.value
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("key,value,nearest", [
    ("max_ml_hr", "100", "max_ml_h"), ("dose_g_kg", "1", "dose_g_per_kg"),
    ("at_risk_cap", "2", "at_risk_cap_mg_kg_min"),
])
def test_misspelt_prescription_keys_name_the_nearest(tmp_path, key, value, nearest):
    f = tmp_path / "s.toml"
    f.write_text(SCENARIO.replace("[prescription]\n", f"[prescription]\n{key} = {value}\n"))
    refused(["simulate", str(f)], str(f), f"prescription.{key}", f"did you mean {nearest}?")


@pytest.mark.parametrize("where,snippet,key", [
    ("behaviour", '[behaviour]\n[[behaviour.reaction]]\nsymptoms = ["chills"]\nonset = { step = 2 }\nsetle_min = 5\n',
     "behaviour.reaction[0].setle_min"),
    ("onset", '[behaviour]\n[[behaviour.reaction]]\nsymptoms = ["chills"]\nonset = { stepp = 2 }\n',
     "behaviour.reaction[0].onset.stepp"),
    ("vitals", '[behaviour]\n[[behaviour.reaction]]\nsymptoms = ["chills"]\nonset = { step = 2 }\n'
               'vitals = { temp = 1 }\n', "behaviour.reaction[0].vitals.temp"),
    ("noise", '[behaviour]\nnoise = { pulse_rate = 1 }\n', "behaviour.noise.pulse_rate"),
    ("debrief", '[debrief.tolerances]\nvitals = 5\n', "debrief.tolerances"),
    ("tolerance", '[debrief.tolerance]\nvital = 5\n', "debrief.tolerance.vital"),
])
def test_deeper_levels_refuse_unknown_keys(tmp_path, where, snippet, key):
    f = tmp_path / "s.toml"
    f.write_text(SCENARIO.split("[[events]]")[0] + snippet)
    refused(["simulate", str(f)], key, "did you mean")


NUMBER_KEYS = [("[patient]\n", "weight_kg"), ("[prescription]\n", "dose_g_per_kg"), ("[prescription]\n", "max_ml_h"),
               ("[prescription]\n", "pump_resolution_ml_h"), ("[[events]]\n", "at_min")]


@TMP
@given(st.sampled_from(NUMBER_KEYS), st.sampled_from(["nan", "inf", "-inf", "1e308", "true", "-5", "0", '"70"']))
def test_scenario_numbers_out_of_range_name_file_and_key(tmp_path, where, value):
    header, key = where
    assume(not (value == "0" and key == "at_min"))
    f = tmp_path / "s.toml"
    text = SCENARIO
    if f"{key} = " in text:
        text = "\n".join(f"{key} = {value}" if line.startswith(f"{key} = ") else line for line in text.splitlines())
    else:
        text = text.replace(header, f"{header}{key} = {value}\n", 1)
    f.write_text(text + "\n")
    with pytest.raises(DataError) as e:
        read_scenario(f)
    assert e.value.path == str(f) and e.value.key.split(".")[-1].startswith(key) and "--" not in str(e.value)


def test_broken_scenario_files_are_one_line(tmp_path):
    deep = tmp_path / "deep.toml"
    deep.write_text("x = " + "[" * 50_000 + "]" * 50_000 + "\n")
    refused(["simulate", str(deep)], "nested too deeply")
    latin = tmp_path / "latin.toml"
    latin.write_bytes(SCENARIO.replace('"octagam-10"', '"octagam-10 \xe9"').encode("latin-1"))
    refused(["simulate", str(latin)], "not UTF-8")
    cap = tmp_path / "cap.toml"
    cap.write_text(SCENARIO.replace("dose_g_per_kg = 1\n", "dose_g_per_kg = 1\nat_risk_cap_mg_kg_min = 2\n"))
    refused(["simulate", str(cap)], "prescription.at_risk_cap_mg_kg_min", "at_risk")


# ---------------------------------------------------------------------------- responses files
def write_json(tmp_path, doc, name="r.json"):
    f = tmp_path / name
    f.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return str(f)


@TMP
@given(st.sampled_from(sorted(KIND_KEYS)), st.data())
def test_a_misspelt_action_key_names_the_nearest(tmp_path, kind, data):
    known = ("at_min", "kind", "who") + KIND_KEYS[kind]
    key = data.draw(st.sampled_from([k for k in known if k != "kind"]))
    bad = misspell(key, data.draw(st.integers(0, 5)))
    assume(bad not in known)
    f = write_json(tmp_path, [{"at_min": 0, "kind": kind, bad: 1}])
    with pytest.raises(DataError) as e:
        read_responses(f)
    assert e.value.key == f"responses[0].{bad}" and "did you mean" in e.value.problem


@TMP
@given(st.sampled_from(["at_min", "rate_ml_h", "rung"]),
       st.one_of(st.booleans(), st.just("5"), st.just(None), st.floats(1e5, 1e308), st.just(-1.5), st.just([1])))
def test_action_values_of_the_wrong_type_or_range_are_refused(tmp_path, key, value):
    f = write_json(tmp_path, [{"at_min": 0, "kind": "resume", "rate_ml_h": 50, "rung": 1, key: value}])
    with pytest.raises(DataError) as e:
        read_responses(f)
    assert e.value.key == f"responses[0].{key}"


@pytest.mark.parametrize("text,words", [
    ('[{"at_min": NaN, "kind": "start"}]', "NaN"),
    ('[{"at_min": Infinity, "kind": "start"}]', "Infinity"),
    ('[{"at_min": 1e400, "kind": "start"}]', "at_min"),
    ('[{"at_min": 0, "kind": "start", "at_min": 5}]', "given twice"),
    ('{"seed": true, "responses": []}', "seed"),
    ('{"seed": 1.5, "responses": []}', "seed"),
    ('{"seed": "3", "responses": []}', "seed"),
    ('{"seed": 0, "respones": []}', "did you mean responses?"),
    ('[' * 100_000 + ']' * 100_000, "nested too deeply"),
    ('[{"at_min": 0, "kind": "dance"}]', "not an action kind"),
    ('[{"at_min": 0, "kind": "note", "text": 5}]', "responses[0].text"),
])
def test_broken_responses_files_are_one_line(tmp_path, text, words):
    refused(["train", MILD, "--responses", write_json(tmp_path, text)], words)


def test_non_utf8_and_oversized_responses_are_refused(tmp_path):
    f = tmp_path / "latin.json"
    f.write_bytes('[{"at_min": 0, "kind": "note", "text": "caf\xe9"}]'.encode("latin-1"))
    refused(["train", MILD, "--responses", str(f)], "not UTF-8")
    big = tmp_path / "big.json"
    big.write_text("[" + ",".join(['{"at_min": 0, "kind": "note", "text": "x"}'] * (MAX_ACTIONS + 1)) + "]")
    refused(["train", MILD, "--responses", str(big)], f"at most {MAX_ACTIONS}")
    huge = tmp_path / "huge.json"
    huge.write_text(" " * 5_000_001 + "[]")
    refused(["train", MILD, "--responses", str(huge)], "at most 5 MB")


def test_the_seed_on_the_command_line_must_agree_with_the_file(tmp_path):
    f = write_json(tmp_path, {"seed": 3, "responses": []})
    refused(["train", MILD, "--responses", f, "--seed", "4"], "seed 3", "not 4")
    rc, out, err = run(["train", MILD, "--responses", f, "--seed", "3"])
    assert rc == 0, err


def test_a_saved_run_still_replays(tmp_path):
    from titration.training.run import perfect_run

    run_ = perfect_run(read_scenario(MILD))
    path = str(tmp_path / "saved.json")
    run_.save_responses(path)
    rc, out, err = run(["train", MILD, "--responses", path, "--json"])
    assert rc == 0, err
    assert json.loads(out)["score"] == 100


def test_every_key_a_session_writes_is_read_back(tmp_path):
    """The strict reader knows every key Session records: the perfect run of every shipped scenario
    (reactions, overrides' proposals, a child's vitals) saves a file the reader accepts."""
    import glob

    from titration.training.run import list_scenarios, perfect_run

    for sc in list_scenarios():
        if sc["pending"]:
            continue
        path = str(tmp_path / "saved.json")
        perfect_run(read_scenario(sc["path"])).save_responses(path)
        read_responses(path)
    assert glob.glob(f"{RESOURCES}/scenarios/*.toml")
