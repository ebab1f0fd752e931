"""One line a nurse reads for each event, from the event's own data: the same words on the chair's
event log, the printed record and the CSV."""
from __future__ import annotations

from ..reactions import load_catalogue, vitals_text


def judge_text(d: dict) -> str:
    """The core's 'judge it yourself' lines kept with the event (a child's value no band covers)."""
    return "".join(f" — JUDGE IT YOURSELF: {x}" for x in d.get("judge", ()))


def second_text(d: dict) -> str:
    return f" — checked by {d['second']}" if d.get("second") else ""


def _bedside(e) -> str:
    d, k = e.data, e.kind
    if k == "signin":
        return f"Signed in: {d.get('name', '')} ({d.get('initials', '')})"
    if k == "vial":
        found = {"matched": "product checked by barcode", "unknown-gtin": "GTIN not in the library: product "
                 "not checked by barcode", "other-product": f"ANOTHER PRODUCT ({d.get('product', '?')}): remove it"}
        serial = f", serial {d['serial']}" if d.get("serial") else ""
        return (f"Vial {d.get('entry', 'typed')}: {d.get('grams', 0):g} g, lot {d.get('lot', '')}, expiry "
                f"{d.get('expiry', '')}, GTIN {d.get('gtin', '')}{serial} — {found.get(d.get('finding'), '')}")
    if k == "vial_removed":
        return f"Vial {d.get('vial')} removed — {d.get('reason', '')}"
    if k == "premedication":
        return f"Premedication: {d.get('drug', '')} {d.get('dose', 0):g} {d.get('unit', '')} {d.get('route', '')}"
    return k


def describe(e, catalogue=None) -> str:
    """One line a nurse reads, from the event's own data."""
    d, k = e.data, e.kind
    if k in ("signin", "vial", "vial_removed", "premedication"):
        return _bedside(e)
    cat = catalogue or load_catalogue()
    if k == "planned":
        return f"Plan made ({d.get('policy', '')} policy){' — TRAINING' if d.get('training') else ''}"
    if k == "vitals":
        g = d.get("grade", "none")
        return f"Vitals: {vitals_text(d.get('vitals', {}))} — grade {g}{judge_text(d)}"
    if k == "start":
        return f"Started: pump set to {d['rate_ml_h']:g} mL/h (step 1){second_text(d)}"
    if k == "increase":
        return f"Pump set to {d['rate_ml_h']:g} mL/h (step {d['rung'] + 1})"
    if k == "symptoms":
        names = ", ".join(f"{cat.symptoms[s].label} ({cat.symptoms[s].grade})" if s in cat.symptoms else s
                          for s in d.get("symptoms", []))
        extra = f"; vitals {vitals_text(d['vitals'])}" if "vitals" in d else ""
        return f"Symptoms reported: {names}{extra}{judge_text(d)}"
    if k == "action":
        a = d.get("action", "")
        rate = f" — pump {d.get('rate_ml_h', 0):g} mL/h" if a not in ("pause", "stop") else ""
        if d.get("override"):
            return f"OVERRIDE: {a}{rate} instead of {d.get('proposed', '?')} — reason: {d['override']}{second_text(d)}"
        return f"Confirmed: {a}{rate} — {d.get('reason', '')}"
    if k == "resolved":
        return "Symptoms resolved"
    if k == "pause":
        return "Paused" + (f" — {d['reason']}" if d.get("reason") else "")
    if k == "resume":
        return f"Resumed at {d['rate_ml_h']:g} mL/h"
    if k == "stop":
        return f"STOPPED — {d.get('reason', '')}"
    if k == "complete":
        return f"Volume complete: {d.get('delivered_ml', 0):.1f} mL in; the pump's end confirmed"
    if k == "observed":
        return "Observation closed" + (f" early: {d['early']}" if d.get("early") else "")
    if k == "note":
        return f"Note: {d.get('text', '')}"
    return k
