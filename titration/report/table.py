"""Plain-text and CSV renderings of a plan (no Qt): the table a nurse reads and checks."""
from __future__ import annotations

import csv

from ..plan import Plan
from ..products import INDICATIONS
from ..timefmt import span_hm, span_words

CSV_HEADER = ["step", "start_min", "end_min", "rate_ml_h", "rate_mg_kg_min", "rate_ml_kg_min",
              "volume_ml", "cumulative_ml", "until_volume_complete", "limited_by"]


def rows(plan: Plan) -> list[dict]:
    out, total = [], plan.delivered_at_start_ml
    for i, s in enumerate(plan.steps, 1):
        total += s.volume_ml
        out.append({
            "step": i, "start_min": s.start_min, "end_min": s.end_min, "rate_ml_h": s.rate_ml_h,
            "rate_mg_kg_min": s.rate_mg_kg_min, "rate_ml_kg_min": plan.ml_kg_min(s.rate_ml_h),
            "volume_ml": s.volume_ml, "cumulative_ml": total, "until_volume_complete": s.holds_to_end,
            "limited_by": s.limited_by or "",
        })
    return out


def plan_table(plan: Plan) -> str:
    r = plan.request
    lines = [
        f"{plan.product_name} · {INDICATIONS.get(r.indication, r.indication)} · protocol {plan.protocol_id}"
        + (" (LOCAL)" if plan.protocol_kind == "local" else ""),
        f"Weight {r.weight_kg:g} kg · dosing weight {plan.dosing.kg:g} kg ({plan.dosing.method}) · "
        f"dose {plan.dose.dose_g:g} g · volume {plan.volume_ml:.1f} mL",
        "",
        f"  {'time':<11} {'mL/h':>7} {'mg/kg/min':>10} {'mL/kg/min':>10} {'step mL':>8} {'total mL':>9}",
    ]
    for row in rows(plan):
        note = "  until volume complete" if row["until_volume_complete"] else ""
        if row["limited_by"]:
            note += f"  capped: {row['limited_by']}"
        lines.append(
            f"  {span_hm(row['start_min']) + '-' + span_hm(row['end_min']):<11} {row['rate_ml_h']:>7.1f} "
            f"{row['rate_mg_kg_min']:>10.2f} {row['rate_ml_kg_min']:>10.4f} {row['volume_ml']:>8.1f} "
            f"{row['cumulative_ml']:>9.1f}{note}"
        )
    lines += ["", f"Duration: {plan.duration_min:.1f} min ({span_words(plan.duration_min)})", "",
              "How these numbers were worked out:"]
    lines += [f"  {a}" for a in plan.arithmetic()]
    lines += ["", "Sources:"] + [f"  {s}" for s in plan.sources]
    lines += ["", "Decision support only: check every rate against the prescription before setting the pump."]
    return "\n".join(lines)


def write_plan_csv(plan: Plan, path: str) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=CSV_HEADER)
        w.writeheader()
        for row in rows(plan):
            w.writerow({k: (round(v, 4) if isinstance(v, float) else v) for k, v in row.items()})
