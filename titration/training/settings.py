"""A training run's tolerances, weights and credit: resources/training.toml, and a scenario's own
[debrief.tolerance]. Read strictly (a misspelt key is refused, naming the file)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..data import Table, load_toml, resource
from .behaviour import read_patient_defaults
from .debrief import ITEM_KINDS, VERDICTS

TOLERANCE_KEYS = ("increase", "reaction_action", "severe_action", "review_action", "record_symptoms", "resolved",
                  "vitals", "vitals_early", "detect", "start", "observation", "complete")


@dataclass(frozen=True)
class Settings:
    tolerance: dict
    weights: dict
    credit: dict
    response_s: float = 20.0  # real seconds a trainee needs to see an alert and act ([response] real_seconds)


@lru_cache(maxsize=4)
def base_settings(path: str | None = None) -> Settings:
    path = path or str(resource("training.toml"))
    top = Table(load_toml(path), path)
    top.schema_version(1, missing=1)  # written before files carried a version: version 1
    tt, wt, ct = top.table("tolerance"), top.table("weights"), top.table("credit")
    response = top.table("response").num("real_seconds", lo=0, hi=120)
    tol = {k: tt.num(k, lo=0, hi=120) for k in TOLERANCE_KEYS}
    weights = {k: wt.num(k, lo=0, hi=100) for k in ITEM_KINDS}
    credit = {v: ct.num(v, lo=0, hi=1) for v in VERDICTS}
    read_patient_defaults(top.table("patient"))  # the same file's other section, so finish() knows it all
    top.finish()
    return Settings(tol, weights, credit, response)


def settings_for(scenario) -> Settings:
    base = base_settings()
    top = Table(scenario.raw, scenario.path)
    if not top.has("debrief"):
        return base
    d = top.table("debrief").only(("tolerance",), "debrief key")
    tt = d.table("tolerance", {}).only(TOLERANCE_KEYS, "tolerance")
    tol = dict(base.tolerance)
    for k in tt.data:
        tol[k] = tt.num(k, lo=0, hi=120)
    return Settings(tol, base.weights, base.credit, base.response_s)
