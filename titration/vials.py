"""The vials of one infusion: what each is (GTIN, lot, expiry, grams), checked before it is used.

EU IVIg SmPCs ask that the name and batch of every product given be recorded, for traceability
(a recall is traced by lot); one dose often spans several vials and lots. A vial is entered by a
scan (titration.gs1) or typed, and checked:
- expired (its expiry date before today): refused, it is not used;
- its GTIN belongs to another product in the library: recorded and flagged; the infusion cannot
  start until the nurse removes it (a wrong product is never silently accepted);
- its GTIN is not in the library: recorded, "product not checked by barcode" (most products list
  no GTIN: resources/products.toml says which are known and where they come from);
- the grams of all the vials are compared with the prescribed dose (short: said; more: the
  remainder is not given).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date

from .errors import InputError
from .gs1 import Scan, gtin14

FINDINGS = ("matched", "unknown-gtin", "other-product")
LOT_RE = re.compile(r"[!%-?A-Z_a-z\x22]{1,20}")  # the GS1 character set of AI (10), 1 to 20 characters


@dataclass(frozen=True, slots=True)
class Vial:
    gtin: str
    lot: str
    expiry: date
    grams: float
    serial: str = ""
    entry: str = "typed"  # scanned | typed

    def to_dict(self) -> dict:
        d = {"gtin": self.gtin, "lot": self.lot, "expiry": self.expiry.isoformat(), "grams": self.grams,
             "entry": self.entry}
        if self.serial:
            d["serial"] = self.serial
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Vial":
        return typed_vial(d.get("gtin", ""), d.get("lot", ""), d.get("expiry", ""), d.get("grams"),
                          d.get("serial", ""), entry=d.get("entry", "typed"))


def _lot(lot: object) -> str:
    text = str(lot or "").strip()
    if not LOT_RE.fullmatch(text):
        raise InputError("lot", lot, "the lot (batch) number as printed: 1 to 20 letters, digits or - . / _")
    return text


def _grams(grams: object) -> float:
    if isinstance(grams, bool) or not isinstance(grams, (int, float)) or not math.isfinite(grams) \
            or not 0 < grams <= 100:
        raise InputError("grams", grams, "the vial's grams of IgG, above 0 and at most 100 (like 5 or 10)")
    return float(grams)


def _expiry(value: object) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError("expiry", value, "a date YYYY-MM-DD (the vial's expiry)") from None


def typed_vial(gtin: object, lot: object, expiry: object, grams: object, serial: object = "",
               entry: str = "typed") -> Vial:
    """A vial from typed values (or a scenario, or the journal), each checked, one line per problem."""
    if entry not in ("scanned", "typed"):
        raise InputError("entry", entry, "scanned or typed")
    serial = str(serial or "").strip()
    if serial and not LOT_RE.fullmatch(serial):
        raise InputError("serial", serial, "1 to 20 letters, digits or - . / _")
    return Vial(gtin14(str(gtin or "")), _lot(lot), _expiry(expiry), _grams(grams), serial, entry)


def scanned_vial(scan: Scan, grams: object) -> Vial:
    """A scanned vial: the barcode gives GTIN, lot and expiry; the nurse confirms its size in grams."""
    if scan.lot is None:
        raise InputError("scan", scan.raw, "a barcode with the lot (10); this one has none: type the lot")
    if scan.expiry is None:
        raise InputError("scan", scan.raw, "a barcode with the expiry (17); this one has none: type the expiry")
    return Vial(scan.gtin, _lot(scan.lot), scan.expiry, _grams(grams), scan.serial or "", "scanned")


def refuse_expired(vial: Vial, today: date) -> None:
    """An expired vial is not used: the check is against the day it is entered."""
    if vial.expiry < today:
        raise InputError("expiry", vial.expiry.isoformat(),
                         f"a vial that has not expired (today is {today.isoformat()}): take another vial")


def product_of(gtin: str, library: dict) -> str | None:
    """The library's product with this GTIN, if one lists it."""
    for pid, p in library.items():
        if gtin in getattr(p, "gtins", ()):
            return pid
    return None


def finding(vial: Vial, product_id: str, library: dict) -> tuple[str, str | None]:
    """(matched | unknown-gtin | other-product, the product the GTIN belongs to)."""
    owner = product_of(vial.gtin, library)
    if owner is None:
        return "unknown-gtin", None
    return ("matched" if owner == product_id else "other-product"), owner


def dose_words(total_g: float, dose_g: float) -> str:
    """The vials' grams against the prescribed dose, in the nurse's words."""
    if total_g <= 0:
        return "no vial recorded"
    diff = round(total_g - dose_g, 3)
    if abs(diff) < 1e-6:
        return f"{total_g:g} g in the vials = the prescribed {dose_g:g} g"
    if diff < 0:
        return f"{total_g:g} g in the vials: {-diff:g} g SHORT of the prescribed {dose_g:g} g"
    return f"{total_g:g} g in the vials for a {dose_g:g} g dose: {diff:g} g is not to be given"
