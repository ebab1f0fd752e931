"""`python main.py plan ...`: the weight-based rate plan for one infusion (design section 5)."""
from __future__ import annotations

import json
import os

from ..errors import InputError
from .args import UsageError, add_json, choice, number
from .hooks import HOOKS


def add_parser(sub) -> None:
    p = sub.add_parser("plan", help="the weight-based rate plan for one infusion",
                       description="The weight-based rate plan for one infusion, with its arithmetic.")
    need = p.add_argument_group("required")
    need.add_argument("--product", required=True, metavar="ID", help="product id (see the products command)")
    need.add_argument("--indication", required=True, metavar="ID",
                      help="indication id for that product (pi, itp, cidp, ...)")
    need.add_argument("--weight-kg", required=True, metavar="KG", type=number("--weight-kg", 2, 250, "kg"),
                      help="actual body weight")
    need.add_argument("--dose-g-per-kg", required=True, metavar="G_PER_KG",
                      type=number("--dose-g-per-kg", 0, 2, "g/kg (one infusion)", True),
                      help="the dose of this one infusion")
    p.add_argument("--height-cm", metavar="CM", type=number("--height-cm", 40, 250, "cm"),
                   help="height, for an ideal or adjusted dosing weight")
    p.add_argument("--sex", metavar="female|male", type=choice("--sex", ("female", "male")),
                   help="for an ideal or adjusted dosing weight")
    p.add_argument("--dosing-weight", default="actual", metavar="actual|adjusted|ideal|auto",
                   type=choice("--dosing-weight", ("actual", "adjusted", "ideal", "auto")),
                   help="weight the dose is worked out on (auto: adjusted when BMI > 30)")
    p.add_argument("--at-risk", action="store_true",
                   help="at risk of renal dysfunction or thrombosis: the label's lower cap applies")
    p.add_argument("--at-risk-cap", metavar="MG_KG_MIN", type=number("--at-risk-cap", 0, 20, "mg/kg/min", True),
                   help="prescriber's cap where the label gives no number or only a ceiling")
    p.add_argument("--age-years", metavar="YEARS", type=number("--age-years", 0, 120, "years"),
                   help="age; under 18 a child's vitals are graded by paediatric bands, never below an adult's "
                        "outside the child's normal range")
    p.add_argument("--first-infusion", action="store_true", help="first infusion of IVIg: start at the initial rate")
    p.add_argument("--product-switch", action="store_true",
                   help="a different product than last time: start at the initial rate")
    p.add_argument("--weeks-since-last", metavar="WEEKS", type=number("--weeks-since-last", 0, 5200, "weeks"),
                   help="weeks since the last infusion (over 8: start at the initial rate)")
    p.add_argument("--tolerated-max", metavar="MG_KG_MIN", type=number("--tolerated-max", 0, 20, "mg/kg/min", True),
                   help="previously tolerated maximum (a soft limit)")
    p.add_argument("--protocol", metavar="ID",
                   help="'label' or a protocol id from resources/protocols/ (default: the indication's)")
    p.add_argument("--pump-resolution", default=0.1, metavar="ML_H",
                   type=number("--pump-resolution", 0, 10, "mL/h", True),
                   help="the pump's rate step; rates are rounded down to it")
    p.add_argument("--max-ml-h", metavar="ML_H", type=number("--max-ml-h", 0, 1200, "mL/h", True),
                   help="unit's maximum pump rate (a soft limit)")
    p.add_argument("--override", action="append", default=[], metavar="LIMIT=REASON",
                   help="set a soft limit aside with a reason (first-infusion, unit-cap, tolerated-max, "
                        "single-dose, population); repeat it for each limit (each limit once)")
    p.add_argument("--round-dose", default="none", metavar="none|vial", type=choice("--round-dose", ("none", "vial")),
                   help="round the dose to whole vials")
    p.add_argument("--start", metavar="HH:MM",
                   help="time of day the infusion starts: says so when it will not fit the day")
    p.add_argument("--closing", metavar="HH:MM", help="the unit's closing time (default 18:00; needs --start)")
    p.add_argument("--max-hours", metavar="H", type=number("--max-hours", 0, 48, "hours", True),
                   help="the longest infusion the unit accepts (needs --start)")
    add_json(p)
    p.add_argument("--export", metavar="FILE.pdf|.png|.svg|.csv", help="write the rate chart or table")
    p.set_defaults(handler=cmd_plan)


# A soft limit exists only when its option is given: setting aside one that is not there is a slip.
OVERRIDE_NEEDS = {"unit-cap": ("max_ml_h", "--max-ml-h"), "tolerated-max": ("tolerated_max", "--tolerated-max"),
                  "first-infusion": ("first_infusion", "--first-infusion")}


def check_together(a) -> None:
    """Options that mean something only with another are refused alone, never dropped."""
    if a.at_risk_cap is not None and not a.at_risk:
        raise UsageError("--at-risk-cap needs --at-risk: the cap applies to a patient at risk of renal "
                         "dysfunction or thrombosis; add --at-risk or leave the cap out")
    if (a.height_cm is None) != (a.sex is None):
        given, missing = ("--height-cm", "--sex") if a.sex is None else ("--sex", "--height-cm")
        raise UsageError(f"{given} needs {missing}: an ideal or adjusted dosing weight needs both")
    for option, value in (("--closing", a.closing), ("--max-hours", a.max_hours)):
        if value is not None and a.start is None:
            raise UsageError(f"{option} needs --start: the day's fit is checked only from a start time")
    if a.height_cm is not None and a.dosing_weight == "actual":
        raise UsageError("--height-cm (with --sex) needs --dosing-weight adjusted, ideal or auto: with the "
                         "actual weight they are not used; add the dosing weight or leave them out")


def overrides_from_args(a) -> tuple:
    seen: dict[str, str] = {}
    for o in a.override:
        name, eq, reason = o.partition("=")
        name, reason = name.strip(), reason.strip()
        if not eq or not reason:
            raise UsageError(f"--override {o!r}: give LIMIT=REASON, with the reason for setting the limit aside")
        if name in seen:
            raise UsageError(f"--override {name}: given twice; give it once")
        need = OVERRIDE_NEEDS.get(name)
        if need is not None and not getattr(a, need[0]):
            raise UsageError(f"--override {name} needs {need[1]}: there is no such limit to set aside")
        seen[name] = reason
    return tuple(seen.items())


def request_from_args(a):
    from ..plan import PlanRequest

    check_together(a)
    overrides = overrides_from_args(a)
    return PlanRequest(
        product=a.product, indication=a.indication, weight_kg=a.weight_kg, dose_g_per_kg=a.dose_g_per_kg,
        height_cm=a.height_cm, sex=a.sex, dosing_weight=a.dosing_weight, at_risk=a.at_risk,
        at_risk_cap_mg_kg_min=a.at_risk_cap, first_infusion=a.first_infusion, product_switch=a.product_switch,
        weeks_since_last=a.weeks_since_last, protocol=a.protocol, pump_resolution_ml_h=a.pump_resolution,
        max_ml_h=a.max_ml_h, tolerated_max_mg_kg_min=a.tolerated_max, overrides=tuple(overrides),
        round_dose=a.round_dose, start_clock=a.start, closing_clock=a.closing or "18:00", max_hours=a.max_hours,
        age_years=a.age_years,
    )


def cmd_plan(a) -> int:
    from ..plan import build_plan, plan_json

    plan = build_plan(request_from_args(a))
    if a.export:
        export_plan(plan, a.export)
    if a.json:
        print(json.dumps(plan_json(plan), indent=1))
    elif not a.export:
        from ..report.table import plan_table

        print(plan_table(plan))
    else:
        print(f"wrote {a.export}")
    return 0


def export_plan(plan, path: str) -> None:
    ext = os.path.splitext(path)[1].lower()
    if ext == ".csv":
        from ..report.files import written
        from ..report.table import write_plan_csv

        with written(path, "--export") as tmp:  # one line if it cannot be written; 0600; whole or not at all
            write_plan_csv(plan, tmp)
        return
    if ext not in (".pdf", ".png", ".svg"):
        raise InputError("--export", path, "a file ending in .pdf, .png, .svg or .csv")
    exporter = HOOKS.get("export")
    if exporter is None:
        raise InputError("--export", path, "a .csv file (chart export needs the desktop part: run through main.py)")
    exporter(plan, path)
