"""Command line (shared/design.md section 5). Headless commands never import Qt.

Bad input exits 2 with one line on stderr naming the field, the value and what is allowed.
No traceback reaches a user (set IVIG_DEBUG=1 to see one).
"""
from __future__ import annotations

import json
import os
import sys

from .errors import InputError, TitrationError
from .options import Arg, Command, Opt, Parser, UsageError, number

DB_HELP = "journal file (SQLite); default: $IVIG_DB, or the user data folder"


def _commands() -> tuple[Command, ...]:
    return (
        Command("products", "product ids, indications, limits and sources", cmd_products,
                opts=(Opt("--json", "print JSON (design section 5)", flag=True),)),
        Command("plan", "the weight-based rate plan for one infusion", cmd_plan, opts=PLAN_OPTIONS),
        Command("simulate", "run a scenario headless, protocol actions applied at once", cmd_simulate,
                args=(Arg("scenario", "the scenario file (TOML)", metavar="SCENARIO.toml"),),
                opts=(Opt("--json", "print JSON (design section 5)", flag=True),
                      Opt("--speed", "journal each event as it happens, at N times real time (needs --db)",
                          type=number("--speed", 0, 100000, "times real time", True), metavar="N"),
                      Opt("--db", "journal each event in this file (with --speed, as it happens)", metavar="PATH"))),
    )


PLAN_OPTIONS = (
    Opt("--product", "product id (see the products command)", required=True, metavar="ID"),
    Opt("--indication", "indication id for that product (pi, itp, cidp, ...)", required=True, metavar="ID"),
    Opt("--weight-kg", "actual body weight", required=True, type=number("--weight-kg", 2, 250, "kg"), metavar="KG"),
    Opt("--dose-g-per-kg", "the dose of this one infusion", required=True, metavar="G_PER_KG",
        type=number("--dose-g-per-kg", 0, 2, "g/kg (one infusion)", True)),
    Opt("--height-cm", "height, for an ideal or adjusted dosing weight", type=number("--height-cm", 40, 250, "cm"),
        metavar="CM"),
    Opt("--sex", "for an ideal or adjusted dosing weight", choices=("female", "male")),
    Opt("--dosing-weight", "weight the dose is worked out on (auto: adjusted when BMI > 30)", default="actual",
        choices=("actual", "adjusted", "ideal", "auto")),
    Opt("--at-risk", "at risk of renal dysfunction or thrombosis: the label's lower cap applies", flag=True),
    Opt("--at-risk-cap", "prescriber's cap where the label gives no number", metavar="MG_KG_MIN",
        type=number("--at-risk-cap", 0, 20, "mg/kg/min", True)),
    Opt("--first-infusion", "first infusion of IVIg: start at the initial rate", flag=True),
    Opt("--product-switch", "a different product than last time: start at the initial rate", flag=True),
    Opt("--weeks-since-last", "weeks since the last infusion (over 8: start at the initial rate)",
        type=number("--weeks-since-last", 0, 5200, "weeks"), metavar="WEEKS"),
    Opt("--tolerated-max", "previously tolerated maximum (a soft limit)", metavar="MG_KG_MIN",
        type=number("--tolerated-max", 0, 20, "mg/kg/min", True)),
    Opt("--protocol", "'label' or a protocol id from resources/protocols/ (default: the indication's)", metavar="ID"),
    Opt("--pump-resolution", "the pump's rate step; rates are rounded down to it", default=0.1, metavar="ML_H",
        type=number("--pump-resolution", 0, 10, "mL/h", True)),
    Opt("--max-ml-h", "unit's maximum pump rate (a soft limit)", metavar="ML_H",
        type=number("--max-ml-h", 0, 1200, "mL/h", True)),
    Opt("--override", "set a soft limit aside with a reason (first-infusion, unit-cap, tolerated-max)", many=True,
        metavar="LIMIT=REASON"),
    Opt("--round-dose", "round the dose to whole vials", default="none", choices=("none", "vial")),
    Opt("--start", "time of day the infusion starts (HH:MM): warns when it will not fit the day", metavar="HH:MM"),
    Opt("--closing", "the unit's closing time (HH:MM)", default="18:00", metavar="HH:MM"),
    Opt("--max-hours", "the longest infusion the unit accepts", metavar="H",
        type=number("--max-hours", 0, 48, "hours", True)),
    Opt("--json", "print JSON (design section 5)", flag=True),
    Opt("--export", "write the rate chart or table", metavar="FILE.pdf|.png|.svg|.csv"),
)


def build_parser(argv: list[str] | None = None) -> Parser:
    """The parser. Commands in their own modules are loaded only when no built-in command is named."""
    commands = _commands()
    if _command_of(argv) not in {c.name for c in commands}:
        commands += tuple(mod.COMMAND for mod in _extensions())
    return Parser("python main.py", "IVIg infusion-rate titration assistant. With no command it opens the desktop app.",
                  (Opt("--db", DB_HELP, metavar="PATH"),), commands)


def _command_of(argv: list[str] | None) -> str | None:
    """The command named in argv, skipping the global --db option and its value."""
    it = iter(argv or [])
    for tok in it:
        if tok == "--db":
            next(it, None)
        elif not tok.startswith("-"):
            return tok
    return None


def _extensions():
    """Subcommands kept in their own modules (journal, train)."""
    mods = []
    for name in ("titration.cli_journal", "titration.cli_train"):
        try:
            mods.append(__import__(name, fromlist=["COMMAND"]))
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
        round_dose=a.round_dose, start_clock=a.start, closing_clock=a.closing, max_hours=a.max_hours,
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
        command, a = build_parser(argv).parse(argv)
        return (command.handler if command else cmd_gui)(a)
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
