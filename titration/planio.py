"""A Plan to and from plain data, so a journal replays the plan it ran, not today's library."""
from __future__ import annotations

from dataclasses import asdict

from .dosing import Dose, DosingWeight
from .limits import Limit, Rung
from .plan import Plan, PlanRequest, Step


def plan_to_dict(p: Plan) -> dict:
    d = asdict(p)
    d["request"] = p.request.to_dict()
    return d


def plan_from_dict(d: dict) -> Plan:
    d = dict(d)
    dose = dict(d["dose"])
    dose["vials"] = tuple(tuple(v) for v in dose["vials"])
    return Plan(
        request=PlanRequest.from_dict(d["request"]),
        product_name=d["product_name"], protocol_id=d["protocol_id"], protocol_name=d["protocol_name"],
        protocol_kind=d["protocol_kind"], concentration_mg_per_ml=d["concentration_mg_per_ml"],
        dosing=DosingWeight(**d["dosing"]), rate_weight_kg=d["rate_weight_kg"], dose=Dose(**dose),
        limits=tuple(Limit(**x) for x in d["limits"]), rungs=tuple(Rung(**x) for x in d["rungs"]),
        steps=tuple(Step(**x) for x in d["steps"]), notes=tuple(d["notes"]), sources=tuple(d["sources"]),
        delivered_at_start_ml=d["delivered_at_start_ml"], replanned_at_min=d["replanned_at_min"],
        table_column_kg=d.get("table_column_kg"),
    )
