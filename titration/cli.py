"""Command line (shared/design.md section 5). Headless commands never import Qt.

Bad input exits 2 with one line on stderr naming the field, the value and what is allowed.
No traceback reaches a user (set IVIG_DEBUG=1 to see one).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys

from .errors import InputError, TitrationError


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2
        raise UsageError(message)


def number(field: str, lo: float, hi: float, unit: str = "", lo_open: bool = False):
    def parse(text: str) -> float:
        try:
            v = float(text)
        except ValueError:
            v = math.nan
        ok = math.isfinite(v) and (v > lo if lo_open else v >= lo) and v <= hi
        if not ok:
            bound = f"above {lo:g}" if lo_open else f"from {lo:g}"
            raise InputError(field, text, f"a number {bound} to {hi:g}{' ' + unit if unit else ''}")
        return v
    parse.__name__ = field
    return parse


def choice(field: str, choices: tuple):
    def parse(text: str) -> str:
        if text not in choices:
            raise InputError(field, text, "one of " + ", ".join(choices))
        return text
    return parse


def _add_products(pr) -> None:
    pr.add_argument("--json", action="store_true")


def _add_plan(pl) -> None:
    pl.add_argument("--product", required=True)
    pl.add_argument("--indication", required=True)
    pl.add_argument("--weight-kg", required=True, type=number("--weight-kg", 2, 250, "kg"))
    pl.add_argument("--dose-g-per-kg", required=True, type=number("--dose-g-per-kg", 0, 2, "g/kg (one infusion)", True))
    pl.add_argument("--height-cm", type=number("--height-cm", 40, 250, "cm"))
    pl.add_argument("--sex", type=choice("--sex", ("female", "male")))
    pl.add_argument("--dosing-weight", default="actual", type=choice("--dosing-weight", ("actual", "adjusted", "ideal", "auto")))
    pl.add_argument("--at-risk", action="store_true", help="at risk of renal dysfunction or thrombosis")
    pl.add_argument("--at-risk-cap", type=number("--at-risk-cap", 0, 20, "mg/kg/min", True), metavar="MG_KG_MIN",
                    help="prescriber's cap where the label gives no number")
    pl.add_argument("--first-infusion", action="store_true")
    pl.add_argument("--product-switch", action="store_true")
    pl.add_argument("--weeks-since-last", type=number("--weeks-since-last", 0, 5200, "weeks"))
    pl.add_argument("--tolerated-max", type=number("--tolerated-max", 0, 20, "mg/kg/min", True), metavar="MG_KG_MIN",
                    help="previously tolerated maximum (a soft limit)")
    pl.add_argument("--protocol", help="'label' or a protocol id from resources/protocols/")
    pl.add_argument("--pump-resolution", type=number("--pump-resolution", 0, 10, "mL/h", True), default=0.1, metavar="ML_H")
    pl.add_argument("--max-ml-h", type=number("--max-ml-h", 0, 1200, "mL/h", True), metavar="ML_H",
                    help="unit's maximum pump rate (a soft limit)")
    pl.add_argument("--override", action="append", default=[], metavar="LIMIT=REASON",
                    help="set a soft limit aside with a reason (first-infusion, unit-cap, tolerated-max)")
    pl.add_argument("--round-dose", default="none", type=choice("--round-dose", ("none", "vial")))
    pl.add_argument("--json", action="store_true")
    pl.add_argument("--export", metavar="FILE", help="FILE.pdf, FILE.png, FILE.svg or FILE.csv")


def _add_simulate(si) -> None:
    si.add_argument("scenario", metavar="SCENARIO.toml")
    si.add_argument("--json", action="store_true")
    si.add_argument("--speed", type=number("--speed", 0, 100000, "times real time", True),
                    help="journal each event as it happens, at N times real time (needs --db)")
    si.add_argument("--db", dest="db", default=argparse.SUPPRESS, metavar="PATH",
                    help="journal each event in this file (with --speed, as it happens)")


BUILTIN = {
    "products": ("product ids, indications, limits and sources", _add_products),
    "plan": ("the weight-based rate plan for one infusion", _add_plan),
    "simulate": ("run a scenario headless, protocol actions applied at once", _add_simulate),
}


def _command_of(argv: list[str] | None) -> str | None:
    """The subcommand named in argv, skipping the global --db option."""
    it = iter(argv or [])
    for tok in it:
        if tok == "--db":
            next(it, None)
        elif not tok.startswith("-"):
            return tok
    return None


def build_parser(argv: list[str] | None = None) -> Parser:
    """The parser; for a known command only that command's options are built (start-up time)."""
    cmd = _command_of(argv)
    p = Parser(prog="python main.py", description="IVIg infusion-rate titration assistant. "
               "With no command it opens the desktop app.")
    p.add_argument("--db", help="journal file (SQLite); default: the user data folder, or $IVIG_DB")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name, (help_text, add) in BUILTIN.items():
        sp = sub.add_parser(name, help=help_text)
        if cmd in (None, name):
            add(sp)
    if cmd not in BUILTIN:
        for extra in _extensions():
            extra.add_parser(sub)
    return p


def _extensions():
    """Subcommands kept in their own modules (journal, train)."""
    mods = []
    for name in ("titration.cli_journal", "titration.cli_train"):
        try:
            mods.append(__import__(name, fromlist=["add_parser"]))
        except ModuleNotFoundError as exc:
            if exc.name != name:  # a broken import inside the module must not hide its command
                raise
    return mods


def request_from_args(a):
    from .plan import PlanRequest

    overrides = []
    for o in a.override:
        name, _, reason = o.partition("=")
        overrides.append((name.strip(), reason.strip()))
    return PlanRequest(
        product=a.product, indication=a.indication, weight_kg=a.weight_kg, dose_g_per_kg=a.dose_g_per_kg,
        height_cm=a.height_cm, sex=a.sex, dosing_weight=a.dosing_weight, at_risk=a.at_risk,
        at_risk_cap_mg_kg_min=a.at_risk_cap, first_infusion=a.first_infusion, product_switch=a.product_switch,
        weeks_since_last=a.weeks_since_last, protocol=a.protocol, pump_resolution_ml_h=a.pump_resolution,
        max_ml_h=a.max_ml_h, tolerated_max_mg_kg_min=a.tolerated_max, overrides=tuple(overrides),
        round_dose=a.round_dose,
    )


def cmd_products(a) -> int:
    from .products import load_library, product_json

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


def cmd_plan(a) -> int:
    from .plan import build_plan, plan_json

    plan = build_plan(request_from_args(a))
    if a.export:
        export_plan(plan, a.export)
    if a.json:
        print(json.dumps(plan_json(plan), indent=1))
    elif not a.export:
        from .report import plan_table

        print(plan_table(plan))
    else:
        print(f"wrote {a.export}")
    return 0


def export_plan(plan, path: str) -> None:
    ext = os.path.splitext(path)[1].lower()
    if ext == ".csv":
        from .report import write_plan_csv

        write_plan_csv(plan, path)
        return
    if ext not in (".pdf", ".png", ".svg"):
        raise InputError("--export", path, "a file ending in .pdf, .png, .svg or .csv")
    exporter = HOOKS.get("export")
    if exporter is None:
        raise InputError("--export", path, "a .csv file (chart export needs the desktop part: run through main.py)")
    exporter(plan, path)


def cmd_simulate(a) -> int:
    from .scenario import read_scenario, run_protocol, simulate_json

    if a.speed is not None or a.db:
        try:
            from .cli_journal import simulate_journaled
        except ModuleNotFoundError:
            raise InputError("--db", a.db, "no value yet: journaled simulation is not built") from None
        return simulate_journaled(a)
    sc = read_scenario(a.scenario)
    if "behaviour" in sc.raw:  # a simulated patient: the protocol's own actions against it
        from .training import run_with_patient

        s = run_with_patient(sc)
    else:
        s = run_protocol(sc)
    out = simulate_json(s)
    if a.json:
        print(json.dumps(out, indent=1))
        return 0
    print(f"{out['outcome']} at {out['end_min']} min, {out['delivered_volume_ml']} of {out['volume_ml']} mL")
    for e in out["events"]:
        extra = e.get("reason") or ", ".join(e.get("symptoms", [])) or e.get("text", "")
        print(f"  {e['at_min']:7.1f}  {e['kind']:<9} {extra}")
    return 0


def cmd_gui(a) -> int:
    gui = HOOKS.get("gui")
    if gui is None:
        raise TitrationError("the desktop app is started through main.py")
    return gui(a)


# Entry points that need Qt live outside the core; main.py hands them in.
HOOKS: dict = {}


def main(argv: list[str] | None = None, hooks: dict | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if hooks:
        HOOKS.update(hooks)
    try:
        a = build_parser(argv).parse_args(argv)
        handler = {"products": cmd_products, "plan": cmd_plan, "simulate": cmd_simulate}.get(a.command)
        if handler is None and a.command:
            handler = getattr(a, "handler")
        return (handler or cmd_gui)(a)
    except (UsageError, TitrationError) as exc:  # bad input, a missing value, a broken file
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the last guard: one line, never a traceback
        if os.environ.get("IVIG_DEBUG"):
            raise
        print(f"internal error: {type(exc).__name__}: {exc} (set IVIG_DEBUG=1 for details)", file=sys.stderr)
        return 1
