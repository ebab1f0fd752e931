"""One line a nurse reads for each event, from the event's own data: the same words on the chair's
event log, the printed record and the CSV."""
from __future__ import annotations

from ..catalogue_file import load_catalogue
from ..holds import Decision
from ..prescriber_rate import words as prescriber_rate_words
from ..reopen import PUMP_AT_QUIT
from ..vitals import vitals_text


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
        what = ACTION_WORDS.get(a, a)
        if d.get("override"):
            return (f"OVERRIDE: {what}{rate} instead of {d.get('proposed', '?')} — reason: "
                    f"{d['override']}{second_text(d)}")
        return f"Confirmed: {what}{rate} — {d.get('reason', '')}"
    if k == "resolved":
        return "Symptoms resolved"
    if k == "pause":
        entered = f" (entered at minute {d['entered_at_min']:.0f}, after the app reopened)" \
            if d.get("entered_at_min") is not None else ""
        return "Paused" + (f" — {d['reason']}" if d.get("reason") else "") + entered
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
    if k == "checklist":
        return checklist_words(d)
    if k == "prescriber":
        return Decision(d.get("prescriber", ""), d.get("decision", "start"), tuple(d.get("holds", ())), 0.0,
                        d.get("note", "")).words() + f" (held for: {'; '.join(d.get('holds', ()))})"
    if k == "prescriber_rate":
        return prescriber_rate_words(d)
    if k == "app_closed":
        return f"The app was closed on purpose: {PUMP_AT_QUIT.get(d.get('pump', ''), d.get('pump', ''))}"
    return k


ACTION_WORDS = {"continue": "continue at the same rate (the pump was not paused)"}


def checklist_words(d: dict) -> str:
    answers = "; ".join(f"{q}: {a}" for q, a in d.get("answers", {}).items())
    parts = [f"Pre-infusion checklist: {answers}"]
    parts += [f"CONTRAINDICATED: {b}" for b in d.get("blocks", ())]
    parts += [f"HOLD (ask the prescriber): {h}" for h in d.get("holds", ())]
    parts += [f"warning: {w}" for w in d.get("warnings", ())]
    if d.get("asked_for"):
        parts.append(f"questions chosen for: {d['asked_for']}")
    return " | ".join(parts)
