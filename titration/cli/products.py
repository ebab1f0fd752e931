"""`python main.py products [--json]`: product ids, indications, limits and sources."""
from __future__ import annotations

import json

from .args import add_json


def add_parser(sub) -> None:
    p = sub.add_parser("products", help="product ids, indications, limits and sources",
                       description="The bundled product library: ids, indications, rate limits and sources.")
    add_json(p)
    p.set_defaults(handler=cmd_products)


def cmd_products(a) -> int:
    from ..products import load_library, product_json

    lib = load_library()
    if a.json:
        print(json.dumps({"products": [product_json(p) for p in lib.values()]}, indent=1))
        return 0
    for p in lib.values():
        print(f"{p.id:<18} {p.name} ({p.manufacturer}), {p.concentration_mg_per_ml:g} mg/mL")
        for i in p.indications.values():
            risk = f"at risk {i.at_risk_as_written}" if i.at_risk_as_written else "at risk: ask (no number on label)"
            print(f"    {i.id:<5} start {i.initial_as_written}, max {i.max_as_written}; {risk}; ladder {i.ladder}")
    return 0
