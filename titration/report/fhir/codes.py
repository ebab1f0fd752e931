"""Every code and unit the FHIR export writes, with where it comes from.

- LOINC vital signs and the FHIR R4 vital-signs profiles (hl7.org/fhir/R4/observation-vitalsigns.html).
- UCUM units (unitsofmeasure.org), only those below: rules.py refuses any other.
- ATC (WHO, https://atcddd.fhi.no/atc_ddd_index/): J06BA02 "immunoglobulins, normal human, for
  intravascular adm." for every IVIg product (MIMS Philippines and Felleskatalogen list it so); the
  premedications' codes are in resources/unit.toml. No SNOMED CT product code is used: none was
  verified for these products, so the product is sent as text with the ATC class.
- The training tag HTEST ("test health data", v3 ActReason) on every resource of a training run.
"""
from __future__ import annotations

UCUM = "http://unitsofmeasure.org"
LOINC = "http://loinc.org"
ATC = "http://www.whocc.no/atc"
SNOMED = "http://snomed.info/sct"
ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
DATA_ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
SERIOUSNESS = "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness"
SEVERITY = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
OUTCOME = "http://terminology.hl7.org/CodeSystem/adverse-event-outcome"
PERFORMER_FUNCTION = "http://terminology.hl7.org/CodeSystem/med-admin-perform-function"
ID_BASE = "urn:ivig-titration"  # identifier systems of this app: an EHR interface maps them (README)

IVIG_ATC = ("J06BA02", "immunoglobulins, normal human, for intravascular adm.")
HTEST = {"system": ACT_REASON, "code": "HTEST", "display": "test health data"}

# UCUM codes allowed in an export, with the unit text shown beside them.
UCUM_UNITS = {"g": "g", "mg": "mg", "ug": "microgram", "mL": "mL", "mL/h": "mL/h", "Cel": "°C", "/min": "/min",
              "mm[Hg]": "mmHg", "%": "%", "{vial}": "vial"}
PREMED_UNITS = {"mg": "mg", "g": "g", "microgram": "ug", "mL": "mL"}

# Routes: SNOMED CT route of administration codes (the R4 example value set).
ROUTES = {"IV": ("47625008", "Intravenous route"), "oral": ("26643006", "Oral route"),
          "IM": ("78421000", "Intramuscular route"), "SC": ("34206005", "Subcutaneous route")}

# (field, LOINC code, display, UCUM code, R4 vital-signs profile)
VITALS = {
    "temp_c": ("8310-5", "Body temperature", "Cel", "bodytemp"),
    "pulse": ("8867-4", "Heart rate", "/min", "heartrate"),
    "rr": ("9279-1", "Respiratory rate", "/min", "resprate"),
    "spo2": ("2708-6", "Oxygen saturation in Arterial blood", "%", "oxygensat"),
}
BP = ("85354-9", "Blood pressure panel with all children optional", "bp")
BP_PARTS = {"sbp": ("8480-6", "Systolic blood pressure"), "dbp": ("8462-4", "Diastolic blood pressure")}
PULSE_OXIMETRY = ("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry")
PROFILE = "http://hl7.org/fhir/StructureDefinition/"

SEVERITY_OF = {"mild": "mild", "moderate": "moderate", "severe": "severe"}
SERIOUS_KINDS = ("anaphylactic", "thrombotic", "renal", "haemolytic", "circulatory-overload", "aseptic-meningitis")


def quantity(value: float, ucum: str) -> dict:
    return {"value": round(float(value), 4), "unit": UCUM_UNITS[ucum], "system": UCUM, "code": ucum}


def coding(system: str, code: str, display: str) -> dict:
    return {"system": system, "code": code, "display": display}
