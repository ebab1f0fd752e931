"""The Bundle: every resource validated by its fhir.resources model, then the checks those models
do not make (rules.py); `transaction=True` gives the same resources as a transaction for posting
to an EHR, each entry created only if none with its identifier exists (ifNoneExist)."""
from __future__ import annotations

import json

from ...errors import TitrationError
from ...words import count
from .codes import HTEST
from .ids import Ids
from .resources import Resources
from .rules import check_bundle


class FhirError(TitrationError):
    """An export that would not be valid FHIR: a defect of ours, said in one line."""


def _model(kind: str, doc: dict):
    try:
        from fhir.resources.R4B import get_fhir_model_class
        from pydantic import ValidationError
    except ImportError as exc:
        raise FhirError(f"the FHIR export needs fhir.resources, which is not installed ({exc}); "
                        "install the app with its 'fhir' extra: pip install '.[fhir]'") from None

    try:
        return get_fhir_model_class(kind).model_validate(doc)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first.get("loc", ()))
        raise FhirError(f"the FHIR {kind} is not valid at {where}: {first.get('msg')}") from None


def _validated(doc: dict):
    """(the model, the document as fhir.resources writes it): the R4B models read and write it."""
    model = _model(doc["resourceType"], doc)
    return model, json.loads(model.model_dump_json(exclude_none=True, by_alias=True))


def record_key(record, session_id: int | None = None) -> str:
    """The infusion's identity in identifiers: its journal uid, else its journal row, else chair and start."""
    if record.uid:
        return record.uid
    if session_id is not None:
        return f"session-{session_id}"
    return f"{record.chair or 'chair'}-{int(record.wall_start or 0)}"


def build_bundle(record, *, transaction: bool = False, session_id: int | None = None) -> dict:
    if transaction and record.deidentified:
        raise FhirError("a de-identified record is for teaching, not for posting to an EHR: use --format fhir")
    if record.wall_start is None and not record.deidentified:
        raise FhirError("the infusion's start time is not known, so its FHIR times cannot be given")
    key = None if record.deidentified else record_key(record, session_id)
    ids = Ids(key, record.wall_start)
    entries = Resources(record, ids).build()
    bundle: dict = {"resourceType": "Bundle", "type": "transaction" if transaction else "collection",
                    "timestamp": ids.at(record.now_min)}
    if record.training:
        bundle["meta"] = {"tag": [HTEST]}
    if key is not None:
        bundle["identifier"] = {"system": "urn:ivig-titration:record", "value": key}
    _, out = _validated(bundle)  # the Bundle itself; each entry's resource is validated on its own below
    out["entry"], models = [], []
    for url, res, ident in entries:
        model, doc = _validated(res)
        e = {"fullUrl": url}
        if transaction:
            e["request"] = {"method": "POST", "url": res["resourceType"]}
            if ident is not None:  # a search on the resource's identifier: created only if none matches
                e["request"]["ifNoneExist"] = f"identifier={ident['system']}|{ident['value']}"
        _model("BundleEntry", e)
        out["entry"].append({"fullUrl": url, "resource": doc, **({"request": e["request"]} if transaction else {})})
        models.append(model)
    problems = check_bundle(out, models)
    if problems:
        raise FhirError(f"the FHIR export breaks {count(len(problems), 'rule')}, first: {problems[0]}")
    return out


def bundle_json(bundle: dict) -> str:
    return json.dumps(bundle, indent=1, ensure_ascii=False) + "\n"
