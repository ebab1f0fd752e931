"""What every exported page says about the plan and the infusion: facts, the step table, the patient
lines, what happened (delivered rates, pauses, the stop). Every number comes from the core."""
from __future__ import annotations

import time

from titration.products import INDICATIONS
from titration.report.table import rows
from titration.timefmt import span_hm, span_words

from .document import Document
from .render import render_chart


def chart_block(doc: Document, chart, max_height: float) -> None:
    width = doc.width
    h = chart.height() * width / chart.width()
    if h > max_height:
        width = width * max_height / h
        h = max_height
    x0 = (doc.width - width) / 2.0
    doc.image(h + 6.0, lambda p, x, y, w: render_chart(chart, p, x + x0, y + 3.0, width))


def generated(deidentified: bool = False) -> str:
    """When the file was made; a de-identified one says no date."""
    if deidentified:
        return "A de-identified copy, made"
    return time.strftime("Generated %Y-%m-%d %H:%M %Z", time.localtime())


def protocol_text(plan) -> str:
    if plan.protocol_kind == "local":
        return f"{plan.protocol_name} [{plan.protocol_id}] — LOCAL protocol, not from the label"
    return f"{plan.protocol_name} (from the label)" if plan.protocol_kind == "label" else \
        f"{plan.protocol_name} [{plan.protocol_id}]"


def plan_facts(plan) -> list[str]:
    r, d, dw = plan.request, plan.dose, plan.dosing
    vials = " + ".join(f"{n} x {s:g} g" for s, n in d.vials) if d.vials else "—"
    return [
        f"Patient weight: {r.weight_kg:g} kg   ·   dosing weight: {dw.kg:g} kg ({dw.method}: {dw.reason})"
        + (f"   ·   rate weight: {plan.rate_weight_kg:g} kg" if plan.rate_weight_kg != dw.kg else ""),
        f"Product: {plan.product_name}, {plan.concentration_mg_per_ml:g} mg/mL",
        f"Indication: {INDICATIONS.get(r.indication, r.indication)}",
        f"Dose: {r.dose_g_per_kg:g} g/kg = {d.dose_g:g} g = {plan.volume_ml:.1f} mL   ·   vials: {vials}",
        f"Protocol: {protocol_text(plan)}",
        f"Maximum rate: {plan.max_rate_mg_kg_min:.2f} mg/kg/min = {plan.rungs[-1].rate_ml_h:g} mL/h   ·   "
        f"planned duration {plan.duration_min:.0f} min ({span_words(plan.duration_min)})",
    ]


def step_table(doc: Document, plan) -> None:
    body = []
    for row in rows(plan):
        note = "until volume complete" if row["until_volume_complete"] else ""
        if row["limited_by"]:
            note = (note + "; " if note else "") + f"capped: {row['limited_by']}"
        body.append([str(row["step"]), f"{span_hm(row['start_min'])}–{span_hm(row['end_min'])}",
                     f"{row['rate_ml_h']:.1f}", f"{row['rate_mg_kg_min']:.2f}", f"{row['rate_ml_kg_min']:.4f}",
                     f"{row['volume_ml']:.1f}", f"{row['cumulative_ml']:.1f}", note])
    doc.table(["Step", "Time h:mm", "Pump mL/h", "mg/kg/min", "mL/kg/min", "Step mL", "Total mL", "Note"],
              body, [0.5, 1.25, 1.05, 1.0, 1.0, 0.85, 0.85, 1.5], pt=9.5, align_right={0, 2, 3, 4, 5, 6},
              shade=lambda i: "#F6F6F6" if i % 2 else None, bold_cols={2})  # the pump setting stands out


def patient_dict(patient) -> dict:
    """{'id', 'name'} from a dict, a bare identifier string, or an object with .identifier/.id/.name."""
    if not patient:
        return {}
    if isinstance(patient, dict):
        return {k: patient.get(k) for k in ("id", "name") if patient.get(k)}
    if isinstance(patient, str):
        return {"id": patient}
    out = {"id": getattr(patient, "identifier", None) or getattr(patient, "id", None),
           "name": getattr(patient, "name", None)}
    return {k: str(v) for k, v in out.items() if v}


def patient_lines(patient: dict | None, deidentified: bool) -> list[str]:
    if deidentified:
        return ["Patient: DE-IDENTIFIED for teaching (no name or identifier)"]
    if not patient:
        return []
    out = []
    if patient.get("name"):
        out.append(f"Patient: {patient['name']}")
    if patient.get("id"):
        out.append(f"Identifier: {patient['id']}")
    return out


def end_min(session) -> float:
    st = session.state
    if st.end_min is not None:
        return st.end_min
    return session.events[-1].at_min if session.events else 0.0


def record_facts(session, now_min: float) -> list[str]:
    st, p0 = session.state, session.original_plan
    delivered = session.delivered_ml(now_min)
    outcome = {"completed": "completed", "closed": "STOPPED" if _stopped(session) else "completed",
               "stopped": "STOPPED", "running": "still running", "paused": "paused",
               "planned": "not started"}.get(st.status, st.status)
    observed = next((e for e in session.events if e.kind == "observed"), None)
    closed = f"; observation closed at {span_hm(observed.at_min)}" if observed is not None else ""  # when it was
    lines = [
        f"Outcome: {outcome}" + (f" at {span_hm(st.end_min)} ({st.end_min:.0f} min)" if st.end_min is not None else "")
        + closed,
        f"Delivered: {delivered:.1f} mL of {session.volume_ml:.1f} mL prescribed"
        f" ({p0.grams(delivered):.1f} g of {p0.dose.dose_g:g} g)",
        (f"Highest rate tolerated: {st.tolerated_ml_h:g} mL/h = {p0.mg_kg_min(st.tolerated_ml_h):.2f} mg/kg/min"
         if st.tolerated_ml_h else "Highest rate tolerated: none recorded"),
        f"Reactions: {st.reactions} (highest grade: {st.highest_grade})   ·   policy: {session.policy.id}",
    ]
    if session.training:
        lines.insert(0, "TRAINING SIMULATION — not a patient record")
    return lines




def what_happened(session, now_min: float) -> list[dict]:
    """The pump's history as rows: each confirmed rate (pauses at 0), what it delivered, in order."""
    p0 = session.original_plan
    out, total = [], 0.0
    for a, b, rate in session.rate_segments(until=now_min if session.status == "running" else None):
        ml = rate * (b - a) / 60.0
        total += ml
        out.append({"start_min": a, "end_min": b, "state": "paused" if rate <= 0 else "delivered",
                    "rate_ml_h": rate, "rate_mg_kg_min": p0.mg_kg_min(rate) if rate > 0 else 0.0,
                    "volume_ml": ml, "cumulative_ml": min(total, session.volume_ml)})
    st = session.state
    if st.status in ("stopped", "completed", "closed") and st.end_min is not None:
        state = "stopped" if st.status == "stopped" or _stopped(session) else "completed"
        out.append({"start_min": st.end_min, "end_min": st.end_min, "state": state, "rate_ml_h": 0.0,
                    "rate_mg_kg_min": 0.0, "volume_ml": 0.0, "cumulative_ml": session.delivered_ml(st.end_min)})
    return out


def _stopped(session) -> bool:
    return any(e.kind == "stop" or (e.kind == "action" and e.data.get("action") == "stop") for e in session.events)


def happened_table(doc: Document, session, now_min: float, when) -> None:
    body = []
    for r in what_happened(session, now_min):
        a, b = r["start_min"], r["end_min"]
        span = when(a) if a == b else f"{when(a)}–{when(b)}"
        if r["state"] in ("stopped", "completed"):
            body.append([span, r["state"].upper() if r["state"] == "stopped" else "completed", "", "", "",
                         f"{r['cumulative_ml']:.1f}"])
            continue
        body.append([span, "paused" if r["state"] == "paused" else "running", f"{r['rate_ml_h']:.1f}",
                     f"{r['rate_mg_kg_min']:.2f}", f"{r['volume_ml']:.1f}", f"{r['cumulative_ml']:.1f}"])
    doc.table(["Time", "Pump", "mL/h", "mg/kg/min", "mL given", "Total mL"], body, [1.9, 1.0, 0.9, 1.0, 0.9, 0.9],
              pt=9.5, align_right={2, 3, 4, 5}, shade=lambda i: "#F6F6F6" if i % 2 else None, bold_cols={2})
