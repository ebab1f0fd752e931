"""The infusion record as CSV: one row per event, in order, the 'planned' row first (product,
protocol, policy and the product library's version). Vials, premedication, reactions and
observations have their own columns, so a spreadsheet can filter them: lot, expiry and grams of
each vial; drug, dose, route and time given of each premedication; grade and kind of each reaction
(during or after the infusion) with the action taken; whether each round of observations was on
time, late or missed."""
from __future__ import annotations

import csv
import time

from ..timefmt import day_offset, span_hm

RECORD_CSV_HEADER = ["at_min", "elapsed", "clock", "kind", "who", "what", "rate_ml_h", "grade", "reaction_kind",
                     "after_end", "action_taken", "lot", "expiry", "gtin", "grams", "drug", "dose", "unit", "route",
                     "given_at", "second_nurse", "observations"]


def _round_text(r) -> str:
    if r.status == "late":
        return f"late by {r.late_by:.0f} min (due {span_hm(r.due_min)}: {r.why})"
    return f"{r.status} (due {span_hm(r.due_min)}: {r.why})"


def rows(record, clean=str):
    """The CSV rows (header first); `clean` is applied to every free-text cell (the de-identifying scrubber)."""
    yield RECORD_CSV_HEADER
    vials = iter(record.vials)
    premeds = iter(record.premedications)
    reactions = iter(record.reactions)
    taken = {r.taken_min: r for r in record.rounds if r.taken_min is not None}
    for at, who, kind, words, e_data in record.events:
        row = {"at_min": round(at, 2), "elapsed": day_offset(at) if record.deidentified else span_hm(at),
               "clock": "" if record.deidentified or record.wall_start is None else
               time.strftime("%Y-%m-%d %H:%M", time.localtime(record.wall_start + at * 60)),
               "kind": kind, "who": clean(who), "what": clean(words)}
        if kind == "planned":
            row["what"] = clean(f"{words}; protocol: {record.protocol}; product library: {record.library}")
        row["rate_ml_h"] = e_data.get("rate_ml_h", "")
        row["grade"] = e_data.get("grade", "")
        row["second_nurse"] = clean(e_data.get("second", ""))
        if kind == "vial":
            v = next(vials)
            row.update(lot=v.lot, expiry=v.expiry, gtin=v.gtin, grams=v.grams)
        elif kind == "premedication":
            p = next(premeds)
            row.update(drug=clean(p.drug), dose=p.dose, unit=p.unit, route=p.route,
                       given_at=day_offset(p.given_min) if record.deidentified else span_hm(p.given_min))
        elif kind == "symptoms":
            x = next(reactions)
            row.update(grade=x.grade, reaction_kind=x.kind, after_end="yes" if x.after_end else "no",
                       action_taken=clean(x.action))
        if kind in ("vitals", "symptoms") and at in taken:
            row["observations"] = _round_text(taken[at])
        yield [row.get(k, "") for k in RECORD_CSV_HEADER]
    for r in record.rounds:
        if r.taken_min is None:
            at = r.due_min
            yield [round(at, 2), day_offset(at) if record.deidentified else span_hm(at), "", "observations missed"
                   if r.status == "missed" else "observations due", "", f"Observations {r.status}: {r.why}", "", "",
                   "", "", "", "", "", "", "", "", "", "", "", "", "", _round_text(r)]


def write_record_csv(record, path: str, clean=str) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows(record, clean))
