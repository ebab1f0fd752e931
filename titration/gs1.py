"""A vial's GS1 barcode, read as an ordinary scanner types it, or its human-readable text.

A GS1 DataMatrix on a medicine pack carries element strings, each an application identifier (AI)
and its value: (01) GTIN, 14 digits; (17) expiry, YYMMDD; (10) batch/lot, up to 20 characters;
(21) serial number, up to 20 characters (GS1 General Specifications, section 3; the AI table at
https://www.gs1.org/standards/barcodes/application-identifiers). A variable-length value is ended
by FNC1, which a scanner sends as the group separator (ASCII 29), unless it is last. Keyboard
scanners often drop that character: the scan is then read only if it can be split one way (all the
ways the AIs' own formats allow are tried); if two splittings are possible, lot and serial run
together and the scan is refused with a request to type the lot. A leading symbology identifier
(]d2 GS1 DataMatrix, ]C1 GS1-128, ]Q3 GS1 QR, ]e0 GS1 DataBar) and the bracketed form
"(01)...(17)...(10)..." are accepted too.

The AI dictionary (each AI's length and characters) comes from biip, a library made for reading
GS1 data, loaded only when a scan is read.
Dates are worked out here, because the core never reads a clock: the century is chosen so that
the year lies from 49 years before to 50 years after the caller's `today` (General Specifications,
AI (17) note and section 7.12), and a day "00" means the last day of that month, leap years
included ("130200" is 28 February 2013; the same AI (17) note). Since 2025 healthcare packs must
give the real day (GSCN 21-040), but older stock with "00" is still read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import InputError

if TYPE_CHECKING:  # the library reads GTINs at every start; dates are only for scans
    from datetime import date

GS = "\x1d"
SYMBOLOGY_IDS = ("]d2", "]C1", "]Q3", "]e0")
WANTED = ("01", "17", "10", "21")
MAX_SCAN = 200  # characters: a DataMatrix on a carton holds far less
MAX_SPLITTINGS = 64  # enough to tell one splitting from several; never an exhaustive search


@dataclass(frozen=True, slots=True)
class Scan:
    """What a vial's barcode says. `serial` and `lot` may be absent on older packs."""

    gtin: str
    expiry: date | None
    lot: str | None
    serial: str | None
    raw: str


def check_digit(body: str) -> int:
    """The GS1 check digit of the digits before it (General Specifications 7.9.1), by biip."""
    from biip.checksums import gs1_standard_check_digit

    return gs1_standard_check_digit(body)


def gtin_digits(value: str, field: str = "gtin") -> str:
    """A GTIN-8/12/13/14 as 14 digits, its form checked but not its check digit: the product
    library reads its GTINs at every start, where loading biip would cost each command ~0.1 s.
    `library check` and every scan verify the check digit (gtin14)."""
    v = str(value).strip()
    if not re.fullmatch(r"[0-9]{8}|[0-9]{12,14}", v):
        raise InputError(field, value, "a GTIN of 8, 12, 13 or 14 digits")
    return v.zfill(14)


def gtin14(value: str, field: str = "gtin") -> str:
    """A GTIN-8/12/13/14 as 14 digits, its check digit verified."""
    v = gtin_digits(value, field)
    if check_digit(v[:-1]) != int(v[-1]):
        raise InputError(field, value, f"a GTIN whose last digit is its check digit ({check_digit(v[:-1])} here): "
                                       "check the number or scan again")
    return v


def expiry_date(yymmdd: str, today: date, field: str = "expiry") -> date:
    """An AI (17) date: the century nearest today's (-49..+50 years), day 00 = the month's last day."""
    import calendar
    from datetime import date

    if not re.fullmatch(r"[0-9]{6}", yymmdd):
        raise InputError(field, yymmdd, "six digits YYMMDD")
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    base = today.year - today.year % 100
    year = base + yy
    if year - today.year > 50:
        year -= 100
    elif today.year - year > 49:
        year += 100
    if not 1 <= mm <= 12:
        raise InputError(field, yymmdd, "a month from 01 to 12")
    last = calendar.monthrange(year, mm)[1]
    if dd == 0:
        dd = last
    if dd > last:
        raise InputError(field, yymmdd, f"a day from 00 to {last:02d} in that month")
    return date(year, mm, dd)


def _strip(text: str) -> str:
    t = str(text).strip("\r\n\t ")
    for sid in SYMBOLOGY_IDS:
        if t.startswith(sid):
            t = t[len(sid):]
            break
    return t.lstrip(GS)


def _bracketed(t: str) -> list[tuple[str, str]] | None:
    """The human-readable form '(01)0...(17)...': unambiguous, the brackets say where each AI starts."""
    if not t.startswith("("):
        return None
    parts = re.findall(r"\(([0-9]{2,4})\)([^(]*)", t)
    if "".join(f"({a}){v}" for a, v in parts) != t:
        raise InputError("scan", t, "the bracketed form (01)GTIN(17)YYMMDD(10)LOT")
    return [(a, v.rstrip(GS)) for a, v in parts]


def _ai_at(t: str, i: int):
    from biip import ParseError
    from biip.gs1_application_identifiers import GS1ApplicationIdentifier

    try:
        return GS1ApplicationIdentifier.extract(t[i:i + 4])
    except ParseError:
        return None


def _splittings(t: str, i: int, seen: tuple[str, ...], out: list) -> None:
    """Every way t[i:] splits into element strings, each value matching its AI's format."""
    if len(out) >= MAX_SPLITTINGS:
        return
    if i == len(t):
        out.append(list(seen))
        return
    ai = _ai_at(t, i)
    if ai is None:
        return
    start = i + len(ai.ai)
    pattern = re.compile(ai.pattern)
    ends = [len(t)] if GS not in t[start:] else [t.index(GS, start)]
    if not ai.separator_required:  # a fixed length, from the AI's format ('N2+N14', 'N2+N6')
        ends = [start + sum(int(re.sub(r"\D", "", part)) for part in ai.format.split("+")[1:])]
    elif GS not in t[start:]:  # no separator left: the value may end wherever another AI could start
        ends = list(range(len(t), start, -1))
    for end in ends:
        if end > len(t) or not pattern.fullmatch(ai.ai + t[start:end]):
            continue
        nxt = end + 1 if end < len(t) and t[end] == GS else end
        _splittings(t, nxt, seen + (f"{ai.ai}\x00{t[start:end]}",), out)


def _elements(t: str) -> list[tuple[str, str]]:
    bracketed = _bracketed(t)
    if bracketed is not None:
        return bracketed
    if any(c < " " and c != GS for c in t):
        raise InputError("scan", t, "the characters of a GS1 barcode (a control character was typed)")
    found: list = []
    _splittings(t, 0, (), found)
    found = [f for f in found if len({e.split("\x00")[0] for e in f}) == len(f)]  # each AI once
    if not found:
        raise InputError("scan", t, "a GS1 barcode starting with (01) and its GTIN; type the vial's details instead")
    if len({tuple(f) for f in found}) > 1:
        raise InputError("scan", t, "a scan with the group separator: lot and serial run together (the scanner "
                                    "did not send it); type the lot from the vial")
    return [tuple(e.split("\x00", 1)) for e in found[0]]


def parse_scan(text: str, today: date) -> Scan:
    """Read a scanned or pasted GS1 element string; every problem is one line naming the scan."""
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_SCAN:
        raise InputError("scan", text, f"a GS1 barcode of 1 to {MAX_SCAN} characters")
    t = _strip(text)
    values: dict[str, str] = {}
    for ai, value in _elements(t):
        if ai in values:
            raise InputError("scan", text, f"each application identifier once ({ai} appears twice)")
        values[ai] = value
    if "01" not in values:
        raise InputError("scan", text, "a GS1 barcode with a GTIN (01)")
    lot = values.get("10")
    if lot is not None and not re.fullmatch(r"[!%-?A-Z_a-z\x22]{1,20}", lot):
        raise InputError("lot", lot, "1 to 20 characters of the GS1 character set")
    return Scan(gtin=gtin14(values["01"]), expiry=expiry_date(values["17"], today) if "17" in values else None,
                lot=lot, serial=values.get("21"), raw=t)
