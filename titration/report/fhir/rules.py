"""The FHIR R4 rules fhir.resources' models do not check, applied to every export:

- every reference resolves to an entry of the bundle, and that entry's type is one the element
  allows (the models carry the allowed types; they do not check them);
- a code element with a required binding holds one of its codes (the models carry the list);
- per-1 (Period): "If present, start SHALL have a lower value than end"
  (hl7.org/fhir/R4/datatypes.html#Period);
- mad-1 (MedicationAdministration.dosage): "SHALL have at least one of dosage.dose or
  dosage.rate[x]" (hl7.org/fhir/R4/medicationadministration.html);
- every Quantity is UCUM, its code on our allow-list (codes.UCUM_UNITS), with its unit text;
- fullUrls are unique; a transaction's entries each have a request, a collection's none.
"""
from __future__ import annotations

from datetime import datetime

from .codes import UCUM, UCUM_UNITS

QUANTITIES = {"Quantity", "SimpleQuantity", "Age", "Duration", "Distance", "Count", "MoneyQuantity"}


def _time(v) -> datetime:
    return v if isinstance(v, datetime) else datetime.fromisoformat(str(v).replace("Z", "+00:00"))


class _Checker:
    def __init__(self, types: dict[str, str]):
        self.types = types  # fullUrl -> resourceType
        self.problems: list[str] = []

    def walk(self, model, path: str) -> None:
        from fhir_core.fhirabstractmodel import FHIRAbstractModel

        kind = type(model).__name__
        if kind == "Period":
            self.period(model, path)
        if kind in QUANTITIES:
            self.quantity(model, path)
        if kind == "MedicationAdministrationDosage" and model.dose is None and model.rateQuantity is None \
                and model.rateRatio is None:
            self.problems.append(f"{path}: mad-1: a dosage needs a dose or a rate")
        for name, f in type(model).model_fields.items():
            value = getattr(model, name, None)
            if value is None or name.endswith("__ext"):
                continue
            extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
            for i, item in enumerate(value if isinstance(value, list) else [value]):
                where = f"{path}.{name}" + (f"[{i}]" if isinstance(value, list) else "")
                if extra.get("enum_values") and isinstance(item, str) and item not in extra["enum_values"]:
                    self.problems.append(f"{where}: {item!r} is not one of {', '.join(extra['enum_values'])}")
                if extra.get("enum_reference_types") and getattr(item, "reference", None) is not None:
                    self.reference(str(item.reference), extra["enum_reference_types"], where)
                if isinstance(item, FHIRAbstractModel):
                    self.walk(item, where)

    def reference(self, ref: str, allowed: list[str], where: str) -> None:
        target = self.types.get(ref)
        if target is None:
            self.problems.append(f"{where}: {ref} does not resolve inside the bundle")
        elif "Resource" not in allowed and target not in allowed:
            self.problems.append(f"{where}: refers to a {target}; allowed: {', '.join(allowed)}")

    def period(self, p, where: str) -> None:
        if p.start is not None and p.end is not None and _time(p.start) > _time(p.end):
            self.problems.append(f"{where}: per-1: the start {p.start} is after the end {p.end}")

    def quantity(self, q, where: str) -> None:
        if q.system != UCUM or q.code not in UCUM_UNITS:
            self.problems.append(f"{where}: {q.code!r} ({q.system}) is not a UCUM unit on the allow-list")
        elif q.unit is None:
            self.problems.append(f"{where}: a quantity needs its unit text")


def check_bundle(doc: dict, models: list | None = None) -> list[str]:
    """Every problem of the bundle, one line each (empty: it keeps the rules). `models`: the
    entries' resources already read by fhir.resources (else they are read here)."""
    from fhir.resources.R4B import get_fhir_model_class

    entries = doc.get("entry", [])
    urls = [e.get("fullUrl") for e in entries]
    problems = [f"entry fullUrl {u} appears twice" for u in {u for u in urls if urls.count(u) > 1}]
    types = {e.get("fullUrl"): e["resource"]["resourceType"] for e in entries}
    checker = _Checker(types)
    for i, e in enumerate(entries):
        res = e["resource"]
        model = models[i] if models is not None else get_fhir_model_class(res["resourceType"]).model_validate(res)
        checker.walk(model, f"entry[{i}].{res['resourceType']}")
        if (doc.get("type") == "transaction") != ("request" in e):
            problems.append(f"entry[{i}]: a request belongs to a transaction's entries, and only there")
    return problems + checker.problems
