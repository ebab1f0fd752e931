"""The command-line contract of design section 5, run as a user would (a subprocess)."""
import json
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PLAN = ["plan", "--product", "octagam-10", "--indication", "itp", "--weight-kg", "70", "--dose-g-per-kg", "1"]


def cli(*args, timeout=60):
    return subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def test_plan_json_contract():
    r = cli(*PLAN, "--json")
    assert r.returncode == 0, r.stderr
    p = json.loads(r.stdout)
    assert {"product": "octagam-10", "indication": "itp", "protocol": "label", "concentration_mg_per_ml": 100.0,
            "dosing_weight_kg": 70, "dose_g": 70.0, "volume_ml": 700.0, "max_rate_mg_kg_min": 12.0,
            "duration_min": 165.8}.items() <= p.items()
    assert p["steps"][0] == {**p["steps"][0], "start_min": 0.0, "end_min": 30.0, "rate_ml_h": 42.0,
                             "rate_mg_kg_min": 1.0, "volume_ml": 21.0}
    assert [s["rate_ml_h"] for s in p["steps"]] == [42.0, 84.0, 168.0, 336.0, 504.0]


def test_plan_table_shows_the_arithmetic():
    r = cli(*PLAN)
    assert r.returncode == 0
    assert "0:00-0:30" in r.stdout and "504.0" in r.stdout and "until volume complete" in r.stdout
    assert "Volume: 70 g x 1000 / 100 mg/mL = 700.0 mL." in r.stdout


def test_products_json_contract():
    r = cli("products", "--json")
    data = json.loads(r.stdout)
    ids = {p["id"] for p in data["products"]}
    assert {"privigen", "octagam-10", "bivigam", "asceniv"} <= ids
    oct10 = next(p for p in data["products"] if p["id"] == "octagam-10")
    assert set(oct10) >= {"id", "name", "manufacturer", "concentration_mg_per_ml", "vial_sizes_g", "indications"}
    itp = next(i for i in oct10["indications"] if i["id"] == "itp")
    assert itp["at_risk_max_mg_kg_min"] == 3.0 and itp["ladder"] == "label" and itp["sources"]
    priv = next(p for p in data["products"] if p["id"] == "privigen")
    assert priv["indications"][0]["at_risk_max_mg_kg_min"] is None
    assert priv["indications"][0]["ladder"] == "local-doubling-30"


def test_at_risk_without_a_number_exits_2_and_says_so():
    r = cli("plan", "--product", "privigen", "--indication", "pi", "--weight-kg", "70", "--dose-g-per-kg", "0.4",
            "--at-risk")
    assert r.returncode == 2 and "--at-risk-cap" in r.stderr
    ok = cli("plan", "--product", "privigen", "--indication", "pi", "--weight-kg", "70", "--dose-g-per-kg", "0.4",
             "--at-risk", "--at-risk-cap", "2", "--json")
    assert ok.returncode == 0 and max(s["rate_ml_h"] for s in json.loads(ok.stdout)["steps"]) == 84.0


@pytest.mark.parametrize("args,field", [
    (["--weight-kg", "abc"], "--weight-kg"), (["--weight-kg", "nan"], "--weight-kg"),
    (["--weight-kg", "-3"], "--weight-kg"), (["--dose-g-per-kg", "inf"], "--dose-g-per-kg"),
    (["--product", "unknown"], "--product"), (["--indication", "gbs"], "--indication"),
    (["--protocol", "nope"], "--protocol"), (["--sex", "x"], "--sex"), (["--export", "out.doc"], "--export"),
])
def test_bad_input_exits_2_with_one_line(args, field):
    base = dict(zip(PLAN[1::2], PLAN[2::2]))
    for k, v in zip(args[::2], args[1::2]):
        base[k] = v
    argv = ["plan"] + [x for kv in base.items() for x in kv]
    r = cli(*argv)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and field in lines[0] and "Traceback" not in r.stderr


def test_missing_argument_and_unknown_command_are_one_line():
    for argv in (["plan", "--product", "octagam-10"], ["frobnicate"]):
        r = cli(*argv)
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1


def test_simulate_json_contract(tmp_path):
    sc = tmp_path / "s.toml"
    sc.write_text('[patient]\nweight_kg = 70\n[prescription]\nproduct = "octagam-10"\nindication = "itp"\n'
                  'dose_g_per_kg = 1.0\n[[events]]\nat_min = 35\nsymptoms = ["chills"]\n'
                  '[[events]]\nat_min = 50\nresolved = true\n')
    r = cli("simulate", str(sc), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["outcome"] == "completed" and out["delivered_volume_ml"] == 700.0
    # slowed to 42 mL/h at 35 min, back to 84 at 65: 343 mL by 155 min, then 357 mL at 504 mL/h
    assert out["end_min"] == 197.5
    assert out["rate_segments"][2] == {"start_min": 35.0, "end_min": 65.0, "rate_ml_h": 42.0}
    kinds = [e["kind"] for e in out["events"]]
    assert kinds[:4] == ["start", "increase", "symptoms", "action"] and kinds[-1] == "complete"


def test_simulate_severe_stops(tmp_path):
    sc = tmp_path / "s.toml"
    sc.write_text('[patient]\nweight_kg = 70\n[prescription]\nproduct = "octagam-10"\nindication = "itp"\n'
                  'dose_g_per_kg = 1.0\n[[events]]\nat_min = 40\nsymptoms = ["angioedema"]\n')
    out = json.loads(cli("simulate", str(sc), "--json").stdout)
    assert out["outcome"] == "stopped" and out["end_min"] == 40.0
    assert out["delivered_volume_ml"] == pytest.approx(21 + 84 * 10 / 60, abs=0.05)


@pytest.mark.parametrize("body,key", [
    ("[patient]\nweight_kg = 70\n", "prescription"),
    ('[patient]\nweight_kg = "heavy"\n[prescription]\nproduct="octagam-10"\nindication="itp"\n'
     'dose_g_per_kg=1\n', "weight_kg"),
    ('[patient]\nweight_kg = 70\n[prescription]\nproduct="octagam-10"\nindication="itp"\ndose_g_per_kg=1\n'
     '[[events]]\nat_min=5\nsymptoms=["hiccups"]\n', "hiccups"),
    ("this is not toml [", "not valid TOML"),
])
def test_broken_scenarios_exit_2_naming_the_problem(tmp_path, body, key):
    sc = tmp_path / "bad.toml"
    sc.write_text(body)
    r = cli("simulate", str(sc))
    assert r.returncode == 2 and key in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_missing_scenario_file(tmp_path):
    r = cli("simulate", str(tmp_path / "none.toml"))
    assert r.returncode == 2 and "not found" in r.stderr


def test_help_lists_the_commands():
    r = cli("--help")
    assert r.returncode == 0 and all(c in r.stdout for c in ("products", "plan", "simulate"))


def test_csv_export_round_trips(tmp_path):
    import csv
    out = tmp_path / "plan.csv"
    assert cli(*PLAN, "--export", str(out)).returncode == 0
    rows = list(csv.DictReader(out.open()))
    assert [float(r["rate_ml_h"]) for r in rows] == [42.0, 84.0, 168.0, 336.0, 504.0]
    assert float(rows[-1]["cumulative_ml"]) == 700.0


def test_plan_takes_the_patients_age_and_says_a_child_is_graded_by_paediatric_bands():
    r = cli(*PLAN[:6], "18", *PLAN[7:], "--age-years", "4", "--json")
    assert r.returncode == 0, r.stderr
    p = json.loads(r.stdout)
    assert p["age_years"] == 4.0
    assert any(n.startswith("A child (4 years)") for n in p["notes"])
    assert json.loads(cli(*PLAN, "--json").stdout)["age_years"] is None  # a key added, nothing removed
    bad = cli(*PLAN, "--age-years", "-1")
    assert bad.returncode != 0 and "--age-years" in bad.stderr and "Traceback" not in bad.stderr
