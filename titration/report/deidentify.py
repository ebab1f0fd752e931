"""De-identified means de-identified: a record for teaching that holds no identifier in
any spelling, no names, dates of birth, record/NHS numbers, phone numbers, addresses, postcodes,
no free text, no wall-clock date or time.

Two layers, because free text can hold anything:
1. `deidentified_session(session)`: the same infusion rebuilt with every text a person typed
   (notes, pause/stop reasons, override reasons, early-close reasons: any text not on the
   app's own list, SYSTEM_TEXT) replaced by
   "[note removed]" / "[reason removed]", who did it a role or a pseudonym ("Nurse A"), and the simulation's file
   path reduced to its name. Everything drawn or listed from it (chart, events) is then clean.
2. `Scrubber(patient)`: a last net over every string written: the patient's identifier and name in
   any spelling (case, spaces, dashes, dots between the characters), and the usual shapes of
   identifiers (long digit runs such as NHS or phone numbers, dates, UK postcodes, e-mail
   addresses, street addresses).
Times in a de-identified record are elapsed from the start: `timefmt.day_offset(at_min)` -> "day 0, +1:30".
"""
from __future__ import annotations

import os
import re

NOTE_REMOVED = "[note removed]"
REASON_REMOVED = "[reason removed]"
REMOVED = "[removed]"
ROLES = ("nurse", "doctor", "sim", "system", "pump", "trainee")
# Text the app itself writes (ids, grades, the policy's own wording); every other text in an event
# is taken to be typed by a person and removed, so a field added later is removed until listed here.
SYSTEM_TEXT = {"action", "proposed", "rule", "grade", "reaction_kind"}
# Sign-in, vial and premedication events: names become "Nurse A", "Nurse B"...; a lot becomes
# "LOT1", "LOT2"... (the same lot keeps its pseudonym), a serial number is dropped; the drug of a
# premedication is kept only when it is on the unit's list (a typed name is free text).
BEDSIDE_KEEP = {"vial": {"gtin", "grams", "entry", "finding", "product", "expiry"},
                "premedication": {"dose", "unit", "route", "given_min", "from_list"},
                "signin": {"from_list"}, "vial_removed": {"vial"}}
SYSTEM_REASON = {"increase", "action"}  # there "reason" is the policy's proposal, not the nurse's words
_SEP = r"[\s\-_./:#]*"
MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
SHAPES = [
    re.compile(r"\S+@\S+\.\S+"),  # e-mail
    re.compile(r"(?<![\d.])\d{1,4}[/.\-]\d{1,2}[/.\-]\d{2,4}(?![\d.])"),  # 01/02/1960, 1960-02-01
    re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTHS},?\s+\d{{2,4}}\b", re.I),  # 1 February 1960
    re.compile(rf"\b{MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b", re.I),  # February 1, 1960
    re.compile(r"\b\d{1,2}:\d{2}\s*(?:am|pm)\b", re.I),  # a time of day
    re.compile(r"(?<![\d.])\+?\d(?:[ \-()]{0,2}\d){5,}(?![\d.])"),  # NHS, hospital and phone numbers
    re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.I),  # UK postcode
    re.compile(r"\b\d+[a-z]?,?\s+(?:[A-Z][a-z]+\s+){1,3}(?:street|st|road|rd|avenue|ave|lane|ln|close|drive|dr|way|"
               r"court|ct|place|pl|crescent|gardens|terrace|grove|hill|park|row|square|sq)\b\.?", re.I),
    re.compile(r"\b(?:dob|d\.o\.b\.?|born|nhs|mrn|hospital number|date of birth)\b[:\s]*\S*", re.I),
]


def _spelling(token: str) -> str:
    """A pattern for a token in any spelling: any case, separators between its characters."""
    return _SEP.join(re.escape(c) for c in token)


class Scrubber:
    """Removes the patient's identifiers, in any spelling, and identifier-shaped text."""

    def __init__(self, patient: dict | None = None):
        pats = []
        for key in ("id", "name"):
            value = str((patient or {}).get(key) or "").strip()
            chars = re.sub(r"[\W_]", "", value)
            if len(chars) >= 3:
                pats.append(_spelling(chars))
            for tok in re.findall(r"[A-Za-z]+|\d+", value):  # each part too: 'MRN 884422' -> 884422
                if (tok.isdigit() and len(tok) >= 4) or (tok.isalpha() and len(tok) >= 3 and key == "name"):
                    pats.append(rf"(?<![A-Za-z0-9]){_spelling(tok)}(?![A-Za-z0-9])" if tok.isalpha()
                                else rf"(?<!\d){_spelling(tok)}(?!\d)")
        pats.sort(key=len, reverse=True)  # the whole before its parts
        self._own = re.compile("|".join(pats), re.I) if pats else None

    def __call__(self, text: object) -> str:
        text = "" if text is None else str(text)
        if self._own is not None:
            text = self._own.sub(REMOVED, text)
        for p in SHAPES:
            text = p.sub(REMOVED, text)
        return text


class Pseudonyms:
    """Stable stand-ins, in order of first appearance: 'Nurse A' for a name, 'LOT1' for a lot."""

    def __init__(self):
        self.names: dict[str, str] = {}
        self.lots: dict[str, str] = {}

    def name(self, who: str) -> str:
        w = str(who or "").strip()
        if w.lower() in ROLES:
            return w.lower()
        if w not in self.names:
            n = len(self.names)
            self.names[w] = "Nurse " + (chr(ord("A") + n) if n < 26 else str(n + 1))
        return self.names[w]

    def lot(self, lot: str) -> str:
        return self.lots.setdefault(lot, f"LOT{len(self.lots) + 1}")


def _bedside(kind: str, data: dict, p: Pseudonyms, known_drugs: set[str]) -> dict:
    out = {k: v for k, v in data.items() if k in BEDSIDE_KEEP[kind]}
    if kind == "signin":
        name = p.name(data.get("name", ""))
        out.update(name=name, initials="N" + name[-1] if name.startswith("Nurse ") else "N")
    elif kind == "vial":
        out["lot"] = p.lot(str(data.get("lot", "")))
    elif kind == "premedication":
        drug = str(data.get("drug", ""))
        out["drug"] = drug if drug.lower() in known_drugs else "[typed drug removed]"
    elif kind == "vial_removed":
        out["reason"] = REASON_REMOVED
    return out


def _known_drugs() -> set[str]:
    from ..unit_settings import load_unit_settings

    return {o.drug.lower() for o in load_unit_settings().premedications}


def deidentified_session(session):
    """The same infusion, rebuilt from events with the free text and the people's names taken out."""
    from ..bedside import KINDS as BEDSIDE_KINDS
    from ..session import Event, Session

    events = []
    p, drugs = Pseudonyms(), _known_drugs()
    for e in session.events:
        data = dict(e.data)
        if e.kind in BEDSIDE_KINDS:
            events.append(Event(e.at_min, e.kind, p.name(e.who), _bedside(e.kind, data, p, drugs)))
            continue
        if "second" in data:
            data["second"] = p.name(data["second"])
        if e.kind != "planned":
            for key, value in data.items():
                typed = key not in SYSTEM_TEXT and key != "second" and not (key == "reason" and e.kind in SYSTEM_REASON)
                if typed and isinstance(value, str) and value.strip():
                    data[key] = NOTE_REMOVED if e.kind == "note" else REASON_REMOVED
        elif isinstance(data.get("simulation"), dict):
            sim = dict(data["simulation"])
            sim["scenario"] = os.path.basename(str(sim.get("scenario", "")))
            data["simulation"] = sim
        events.append(Event(e.at_min, e.kind, p.name(e.who), data))
    return Session.replay(events, session.policy, session.catalogue)
