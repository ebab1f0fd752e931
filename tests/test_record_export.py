"""The infusion record from the command line: `journal export` in every format, the same content
in each (three vials of two lots, premedication, reactions during and after the infusion, vitals,
named nurses), FHIR that validates, a golden bundle, de-identification, and the file rules."""
import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from titration.cli.main import main
from titration.report.fhir.bundle import build_bundle, bundle_json
from titration.report.fhir.rules import check_bundle
from titration.report.record import RecordSource, build_record
from titration.training.run import perfect_run
from titration.training.scenario import read_scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "resources" / "scenarios" / "18-record-three-vials.toml"
GOLDEN = ROOT / "tests" / "golden" / "record-18.fhir.json"
WALL = 1_780_000_000.0  # 2026-05-28 20:26:40 UTC: a fixed start for the golden bundle
PDFTOTEXT = shutil.which("pdftotext")


def run_cli(*args, cwd=None, env_extra=None):
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env.update(env_extra or {})
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], capture_output=True, text=True,
                          timeout=180, cwd=cwd or ROOT, env=env)


@pytest.fixture(scope="module")
def journal(tmp_path_factory):
    """The scenario journaled as `simulate --db` runs it (the simulated patient, the named staff)."""
    folder = tmp_path_factory.mktemp("rec")
    db = folder / "j.sqlite3"
    assert main(["simulate", str(SCENARIO), "--db", str(db)]) == 0
    return db


@pytest.fixture(scope="module")
def exported(journal):
    folder = journal.parent
    out = {}
    for fmt, name in (("csv", "r.csv"), ("fhir", "r.json"), ("fhir-transaction", "t.json")):
        assert main(["journal", "export", "1", "--format", fmt, "--out", str(folder / name), "--db", str(journal)]) == 0
        out[fmt] = folder / name
    r = run_cli("journal", "export", "1", "--format", "pdf", "--out", folder / "r.pdf", "--db", journal)
    assert r.returncode == 0, r.stderr
    out["pdf"] = folder / "r.pdf"
    return out


def csv_rows(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def resources(bundle, kind):
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_the_same_content_in_csv_fhir_and_pdf(exported):
    rows = csv_rows(exported["csv"])
    bundle = json.loads(exported["fhir"].read_text())
    # three vials of two lots, each lot with its expiry and grams
    vials = [(r["lot"], r["expiry"], float(r["grams"])) for r in rows if r["kind"] == "vial"]
    assert vials == [("P100234A", "2029-06-30", 10.0), ("P100234A", "2029-06-30", 10.0),
                     ("P100871B", "2029-03-31", 5.0)]
    meds = {m["batch"]["lotNumber"]: (m["batch"]["expirationDate"], m["amount"]["numerator"]["value"],
                                      m["amount"]["denominator"]["value"]) for m in resources(bundle, "Medication")
            if "batch" in m}
    assert meds == {"P100234A": ("2029-06-30", 20.0, 2.0), "P100871B": ("2029-03-31", 5.0, 1.0)}
    # premedication: drug, dose, route
    pre = [(r["drug"], float(r["dose"]), r["unit"], r["route"]) for r in rows if r["kind"] == "premedication"]
    assert pre == [("paracetamol", 1000.0, "mg", "oral"), ("pheniramine", 25.0, "mg", "IV")]
    fpre = [(m["medicationCodeableConcept"]["text"], m["dosage"]["dose"]["value"], m["dosage"]["dose"]["code"])
            for m in resources(bundle, "MedicationAdministration") if "medicationCodeableConcept" in m]
    assert fpre == [("paracetamol", 1000.0, "mg"), ("pheniramine", 25.0, "mg")]
    # reactions: chills during the infusion (slowed, mild); a headache after the end, mild on its own but a
    # second reaction in the infusion, so handled one grade higher (moderate: urgent medical review)
    rx = [(r["what"].split(": ")[1].split(" (")[0], r["grade"], r["reaction_kind"], r["after_end"])
          for r in rows if r["kind"] == "symptoms"]
    assert rx == [("Chills", "mild", "febrile", "no"), ("Headache", "moderate", "infusion-related", "yes")]
    assert [a["severity"]["coding"][0]["code"] for a in resources(bundle, "AdverseEvent")] == ["mild", "moderate"]
    findings = [o["code"]["text"] for o in resources(bundle, "Observation") if "valueBoolean" in o]
    assert findings == ["Chills", "Headache"]
    # vitals: every recorded pulse is an 8867-4 Observation
    pulses = [r for r in rows if "P " in r["what"] and r["kind"] in ("vitals", "symptoms")]
    hr = [o for o in resources(bundle, "Observation") if o["code"].get("coding", [{}])[0].get("code") == "8867-4"]
    assert len(hr) == len(pulses) > 10
    # the nurses, and the library version the infusion was planned with
    assert {p["name"][0]["text"] for p in resources(bundle, "Practitioner")} == {"Alex Morgan", "Sam Lee"}
    planned = rows[0]
    assert planned["kind"] == "planned" and "product library: version " in planned["what"]
    assert next(r for r in rows if r["kind"] == "start")["second_nurse"] == "Sam Lee"
    if not PDFTOTEXT:
        pytest.skip("pdftotext not installed")
    text = subprocess.run([PDFTOTEXT, "-layout", str(exported["pdf"]), "-"], capture_output=True, text=True).stdout
    for must in ("P100234A", "2029-06-30", "P100871B", "2029-03-31", "paracetamol", "1000 mg", "pheniramine",
                 "Alex Morgan", "Sam Lee", "AFTER THE END", "Headache", "Chills", "Product library: version ",
                 "Observation: NOT CLOSED", "25 g in the vials = the prescribed 25 g"):
        assert must in text, must


def test_every_fhir_export_validates(exported):
    for fmt in ("fhir", "fhir-transaction"):
        b = json.loads(exported[fmt].read_text())
        assert check_bundle(b) == []
        from fhir.resources.R4B.bundle import Bundle

        Bundle.model_validate(b)  # the library's own reading of the whole bundle
        assert all(e["resource"]["meta"]["tag"][0]["code"] == "HTEST" for e in b["entry"])  # a training run
    t = json.loads(exported["fhir-transaction"].read_text())
    assert t["type"] == "transaction"
    lots = [e["request"] for e in t["entry"] if e["resource"]["resourceType"] == "Medication"
            and "batch" in e["resource"]]
    assert lots[0] == {"method": "POST", "url": "Medication",
                       "ifNoneExist": "identifier=urn:ivig-titration:lot|00344206437100/P100234A"}


def test_segments_are_part_of_the_whole_with_rates_in_ml_per_hour(exported):
    b = json.loads(exported["fhir"].read_text())
    mars = [m for m in resources(b, "MedicationAdministration") if "medicationReference" in m]
    whole, segments = mars[0], mars[1:]
    assert whole["status"] == "completed" and whole["dosage"]["dose"] == {
        "value": 25.0, "unit": "g", "system": "http://unitsofmeasure.org", "code": "g"}
    url = next(e["fullUrl"] for e in b["entry"] if e["resource"] is not None and e["resource"] == whole)
    assert all(s["partOf"] == [{"reference": url}] for s in segments)
    # Privigen 50 kg: 0.5 mg/kg/min = 15 mL/h, 30, slowed to 15 at the chills, then 30, 60, 120, 240
    assert [s["dosage"]["rateQuantity"]["value"] for s in segments] == [15.0, 30.0, 15.0, 30.0, 60.0, 120.0, 240.0]


def golden_bundle(deidentified=False, transaction=False):
    s = perfect_run(read_scenario(SCENARIO)).session
    rec = build_record(RecordSource(s, patient_id="TRAIN-0013", chair="Chair 1", wall_start=WALL,
                                    uid="golden-record-18"), deidentified)
    return build_bundle(rec, transaction=transaction)


def test_the_golden_bundle():
    got = bundle_json(golden_bundle())
    if os.environ.get("IVIG_REGEN_GOLDEN"):
        GOLDEN.write_text(got, encoding="utf-8")
    assert got == GOLDEN.read_text(encoding="utf-8"), "rebuild with IVIG_REGEN_GOLDEN=1 only if the change is meant"
    b = json.loads(got)
    closed = b["entry"][0]  # the perfect nurse closes the observation: the whole ran from the start to the end
    assert closed["resource"]["identifier"] == [{"system": "urn:ivig-titration:patient-id", "value": "TRAIN-0013"}]
    whole = next(r for r in resources(b, "MedicationAdministration") if r.get("request"))
    assert whole["effectivePeriod"] == {"start": "2026-05-28T20:26:40Z", "end": "2026-05-28T23:33:32Z"}


def test_a_deidentified_bundle_has_no_identifier_name_free_text_or_clock_time():
    b = golden_bundle(deidentified=True)
    assert check_bundle(b) == []
    text = json.dumps(b)
    for never in ("TRAIN-0013", "Alex", "Morgan", "Sam Lee", "P100234A", "SN000101", "2029-", "2026-",
                  "golden-record-18", "identifier", '"name"'):
        assert never not in text, never
    assert b["timestamp"].startswith("2000-01-01T")  # times after a fixed epoch
    whole = next(r for r in resources(b, "MedicationAdministration") if r.get("request"))
    assert whole["effectivePeriod"]["start"] == "2000-01-01T00:00:00Z"
    with pytest.raises(Exception, match="not for posting"):
        golden_bundle(deidentified=True, transaction=True)


def test_files_are_never_replaced_without_force_and_default_names_are_the_windows(journal, tmp_path, capsys):
    out = tmp_path / "r.csv"
    out.write_text("keep me")
    assert main(["journal", "export", "1", "--format", "csv", "--out", str(out), "--db", str(journal)]) == 2
    assert out.read_text() == "keep me" and "--force" in capsys.readouterr().err
    assert main(["journal", "export", "1", "--format", "csv", "--out", str(out), "--force", "--db", str(journal)]) == 0
    assert out.read_text().startswith("at_min,") and oct(out.stat().st_mode)[-3:] == "600"
    r = run_cli("journal", "export", "1", "--format", "fhir", "--deidentified", "--db", journal, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert [p.name for p in tmp_path.glob("*.json")] == ["simulation - de-identified - infusion record.fhir.json"]


@pytest.mark.parametrize("args, field", [
    (["export", "1"], "--format"), (["export", "--format", "csv"], "SESSION_ID"),
    (["export", "7", "--format", "csv"], "SESSION_ID"), (["export", "1", "--format", "docx"], "--format"),
    (["--format", "csv"], "--format"), (["verify", "1"], "SESSION_ID"),
    (["export", "1", "--format", "csv", "--json"], "--json"),
    (["export", "1", "--format", "fhir-transaction", "--deidentified"], "de-identified"),
])
def test_bad_export_commands_are_one_line_and_exit_2(journal, tmp_path, capsys, args, field):
    assert main(["journal", *args, "--db", str(journal)]) == 2
    err = capsys.readouterr().err
    assert field in err and err.count("\n") == 1
    assert not list(tmp_path.iterdir())


def test_csv_and_fhir_exports_load_no_qt(journal, tmp_path):
    code = ("import sys; from titration.cli.main import main; "
            f"rc = main(['journal', 'export', '1', '--format', 'fhir', '--out', {str(tmp_path / 'x.json')!r}, "
            f"'--db', {str(journal)!r}]); print(rc, any(m.startswith('PySide6') for m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.stdout.split()[-2:] == ["0", "False"], r.stderr
