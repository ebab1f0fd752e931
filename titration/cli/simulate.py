"""`python main.py simulate SCENARIO [--json] [--db PATH --speed N]`: a scenario run headless."""
from __future__ import annotations

import json

from .args import add_db, add_json, number


def add_parser(sub) -> None:
    p = sub.add_parser("simulate", help="run a scenario headless, protocol actions applied at once",
                       description="Run a scenario headless; the protocol's actions are applied at once.")
    p.add_argument("scenario", metavar="SCENARIO.toml", help="the scenario file (TOML)")
    add_json(p)
    p.add_argument("--speed", metavar="N", type=number("--speed", 0, 100000, "times real time", True),
                   help="journal each event as it happens, at N times real time (needs --db)")
    add_db(p, "journal each event in this file (with --speed, as it happens)")
    p.set_defaults(handler=cmd_simulate)


def cmd_simulate(a) -> int:
    from ..training.scenario import read_scenario, run_protocol, simulate_json

    if a.speed is not None or getattr(a, "db", None) is not None:  # an empty --db is refused there
        from .journal import simulate_journaled

        return simulate_journaled(a)
    sc = read_scenario(a.scenario)
    if "behaviour" in sc.raw:  # a simulated patient: the protocol's own actions against it
        from ..training.run import run_with_patient

        s = run_with_patient(sc)
    else:
        from datetime import date

        s = run_protocol(sc, date.today())  # the vials' expiry is checked against today
    out = simulate_json(s)
    if a.json:
        print(json.dumps(out, indent=1))
        return 0
    print(f"{out['outcome']} at {out['end_min']} min, {out['delivered_volume_ml']} of {out['volume_ml']} mL")
    for e in out["events"]:
        extra = e.get("reason") or ", ".join(e.get("symptoms", [])) or e.get("text", "")
        print(f"  {e['at_min']:7.1f}  {e['kind']:<9} {extra}")
    return 0
