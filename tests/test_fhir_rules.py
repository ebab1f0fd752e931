"""The rules fhir.resources does not check: each one catches what it is for (a bundle broken on
purpose), and the exported bundles keep them all."""
import copy
import json
from pathlib import Path

import pytest

from titration.report.fhir.rules import check_bundle

GOLDEN = json.loads((Path(__file__).resolve().parent / "golden" / "record-18.fhir.json").read_text())


def first(bundle, kind, pred=lambda r: True):
    return next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind and pred(e["resource"]))


def broken(change):
    b = copy.deepcopy(GOLDEN)
    change(b)
    return check_bundle(b)


def test_the_golden_bundle_keeps_every_rule():
    assert check_bundle(GOLDEN) == []


def test_per_1_a_period_ends_after_it_starts():
    def change(b):
        first(b, "MedicationAdministration")["effectivePeriod"] = {"start": "2026-05-28T21:00:00Z",
                                                                  "end": "2026-05-28T20:00:00Z"}
    assert any("per-1" in p for p in broken(change))


def test_mad_1_a_dosage_has_a_dose_or_a_rate():
    def change(b):
        first(b, "MedicationAdministration", lambda r: "partOf" in r)["dosage"] = {"route": {"text": "IV"}}
    assert any("mad-1" in p for p in broken(change))


def test_references_resolve_inside_the_bundle_and_to_an_allowed_type():
    def dangling(b):
        first(b, "AdverseEvent")["subject"] = {"reference": "urn:uuid:00000000-0000-0000-0000-000000000000"}

    def wrong_type(b):  # an AdverseEvent's suspect must be a medication, an administration ...: not a Patient
        ae = first(b, "AdverseEvent")
        ae["suspectEntity"][0]["instance"] = ae["subject"]
    assert any("does not resolve" in p for p in broken(dangling))
    assert any("refers to a Patient" in p for p in broken(wrong_type))


def test_ucum_units_are_on_the_allow_list():
    def change(b):
        first(b, "MedicationAdministration", lambda r: "partOf" in r)["dosage"]["rateQuantity"]["code"] = "ml/hr"
    assert any("allow-list" in p for p in broken(change))


def test_required_codes_and_transaction_requests():
    def status(b):
        first(b, "Observation")["status"] = "done"

    def request(b):
        b["entry"][0]["request"] = {"method": "POST", "url": "Patient"}
    assert any("'done' is not one of" in p for p in broken(status))
    assert any("request belongs to a transaction" in p for p in broken(request))


@pytest.mark.parametrize("code", ["8310-5", "8867-4", "9279-1", "85354-9", "2708-6"])
def test_vital_signs_carry_their_loinc_codes_units_and_profiles(code):
    obs = first(GOLDEN, "Observation", lambda r: r["code"].get("coding", [{}])[0].get("code") == code)
    assert obs["category"][0]["coding"][0]["code"] == "vital-signs"
    assert "http://hl7.org/fhir/StructureDefinition/vitalsigns" in obs["meta"]["profile"]
    units = {"8310-5": "Cel", "8867-4": "/min", "9279-1": "/min", "2708-6": "%"}
    if code == "85354-9":
        assert [c["code"]["coding"][0]["code"] for c in obs["component"]] == ["8480-6", "8462-4"]
        assert {c["valueQuantity"]["code"] for c in obs["component"]} == {"mm[Hg]"}
    else:
        assert obs["valueQuantity"]["code"] == units[code]
