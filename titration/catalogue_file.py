"""Reading resources/symptoms.toml into a Catalogue, validating every rule on load.

A mistake names the file, the key and the problem (a DataError), like every other resource.
"""
from __future__ import annotations

from functools import lru_cache

from .bands import DERIVED_FIELDS, NEW_OXYGEN, OPS, ChildBand, Criterion, NormalRange, VitalsRule
from .catalogue_floor import check_floor
from .data import Table, library_resource, load_toml
from .reactions import GRADES, Catalogue, Kind, Symptom
from .vitals import VITAL_FIELDS

WHEN_FIELDS = (*VITAL_FIELDS, *DERIVED_FIELDS, NEW_OXYGEN)
BAND_FIELDS = (*VITAL_FIELDS, "pulse_rise")  # a child's band: a value, or a rise from the child's own baseline
WINDOW_HOURS = 24.0 * 14  # a window longer than two weeks is a slip


def _window(t: Table) -> tuple[float, str]:
    """How long after the end of the infusion findings still count together (hours), with its source."""
    return t.num("window_hours", lo=0, hi=WINDOW_HOURS), t.str("window_source")


def _kinds(top: Table) -> dict[str, Kind]:
    kinds: dict[str, Kind] = {}
    for t in top.tables("kind"):
        kid = t.str("id")
        if kid in kinds:
            raise t.fail("id", f"{kid!r} appears twice")
        signs = t.strs("signs", ())
        hours, why = _window(t) if signs else (None, "")  # a picture is matched over its window
        kinds[kid] = Kind(kid, t.str("label"), t.str("words"), t.strs("steps"), t.str("source"), t.str("look_out", ""),
                          signs, t.str("also", ""), hours, why)
    if "other" not in kinds:
        raise top.fail("kind", "needs a kind with id 'other' (the default emergency steps)")
    return kinds


def _kind(t: Table, kinds: dict) -> str:
    return t.str("kind", "other", choices=tuple(kinds))


def _symptoms(top: Table, kinds: dict) -> dict[str, Symptom]:
    symptoms: dict[str, Symptom] = {}
    for t in top.tables("symptom"):
        sid = t.str("id")
        if sid in symptoms:
            raise t.fail("id", f"{sid!r} appears twice")
        symptoms[sid] = Symptom(sid, t.str("grade", choices=GRADES[1:]), t.str("label"), t.str("words", ""),
                                _kind(t, kinds), t.strs("signs", ()), t.bool("late", False), t.str("source", ""))
    return symptoms


def _when(t: Table) -> tuple[tuple[str, str, float], ...]:
    when = t.raw("when")
    if not isinstance(when, list) or not when:
        raise t.fail("when", "must be a list of [field, op, value]")
    conds = []
    for c in when:
        ok = isinstance(c, list) and len(c) == 3 and c[0] in WHEN_FIELDS and c[1] in OPS
        if not ok or isinstance(c[2], bool) or not isinstance(c[2], (int, float)):
            raise t.fail("when", f"{c!r} must be [field, op, number] with a field of "
                         f"{', '.join(WHEN_FIELDS)} and an op of {', '.join(OPS)}")
        conds.append((c[0], c[1], float(c[2])))
    return tuple(conds)


def _rules(top: Table, kinds: dict) -> tuple[VitalsRule, ...]:
    return tuple(
        VitalsRule(t.str("label"), _when(t), t.str("grade", choices=GRADES[1:]), t.str("source"), _kind(t, kinds),
                   t.str("sign", ""), t.str("ages", "adult", choices=("adult", "all")))
        for t in top.tables("vitals"))


def _bands(top: Table, kinds: dict) -> tuple[ChildBand, ...]:
    if not top.has("paediatric"):
        return ()
    out = []
    for t in top.tables("paediatric"):
        lo, hi = t.num("age_from", lo=0, hi=18), t.num("age_to", lo=0, hi=18)
        if hi <= lo:
            raise t.fail("age_to", f"{hi:g} must be above age_from {lo:g}")
        out.append(ChildBand(t.str("label"), t.str("field", choices=BAND_FIELDS),
                             t.str("op", choices=tuple(OPS)),
                             t.num("value"), t.num("per_year", 0.0, lo=0, hi=20), lo, hi,
                             t.str("grade", choices=GRADES[1:]), t.str("source"), _kind(t, kinds), t.str("sign", "")))
    return tuple(out)


def _criteria(top: Table, kinds: dict, members: set[str]) -> tuple[Criterion, ...]:
    if not top.has("criteria"):
        return ()
    out, seen = [], set()
    for t in top.tables("criteria"):
        cid = t.str("id")
        if cid in seen:
            raise t.fail("id", f"{cid!r} appears twice")
        seen.add(cid)
        req = t.raw("require")
        if not isinstance(req, list) or not req or not all(isinstance(g, list) and g for g in req):
            raise t.fail("require", "must be a list of groups, each a non-empty list of signs or symptom ids")
        for g in req:
            for m in g:
                if m not in members:
                    raise t.fail("require", f"{m!r} is neither a sign nor a symptom id "
                                 f"(signs: {', '.join(sorted(members - set(_symptom_ids(top))))})")
        out.append(Criterion(cid, t.str("label"), tuple(tuple(g) for g in req), t.str("grade", choices=GRADES[1:]),
                             _kind(t, kinds), t.str("source"), *_window(t)))
    return tuple(out)


def _symptom_ids(top: Table) -> list[str]:
    return [t.data.get("id") for t in top.tables("symptom")]


def read_catalogue(path: str) -> Catalogue:
    top = Table(load_toml(path), str(path))
    top.schema_version(2)
    kinds = _kinds(top)
    symptoms = _symptoms(top, kinds)
    rules = _rules(top, kinds)
    bands = _bands(top, kinds)
    signs = {s for sym in symptoms.values() for s in sym.signs} | {r.sign for r in rules if r.sign} \
        | {b.sign for b in bands if b.sign}
    criteria = _criteria(top, kinds, signs | set(symptoms))
    ch = top.table("children", None)
    other = kinds["other"]
    adult_from = ch.num("adult_from_years", lo=1, hi=21) if ch else 18.0
    for k in kinds.values():
        if set(k.signs) - signs - set(symptoms):
            raise top.fail("kind", f"{k.id!r} names a sign no symptom or rule gives: "
                                   f"{sorted(set(k.signs) - signs - set(symptoms))[0]!r} "
                                   f"(signs: {', '.join(sorted(signs))}; or a symptom id)")
    cat = Catalogue(
        symptoms, rules, other.steps, other.source, top.strs("sources", ()), kinds, criteria, bands,
        adult_from, ch.str("source") if ch else "",
        ch.num("adult_bands_from_years", adult_from, lo=0, hi=adult_from) if ch else adult_from,
        _adult_sides(ch) if ch else frozenset(), _normal_ranges(top, adult_from),
    )
    top.finish()
    check_floor(cat, str(path))  # the emergency signs' floor lives outside the file it checks
    return cat


def _adult_sides(ch: Table) -> frozenset:
    """[children] adult_sides: "field side" pairs the adult bands grade at every age."""
    out = set()
    for item in ch.strs("adult_sides", ()):
        parts = item.split()
        if len(parts) != 2 or parts[0] not in VITAL_FIELDS or parts[1] not in ("low", "high"):
            raise ch.fail("adult_sides", f"{item!r} must be 'FIELD low' or 'FIELD high' with a field of "
                          f"{', '.join(VITAL_FIELDS)}")
        out.add((parts[0], parts[1]))
    if out:
        ch.str("adult_sides_source")  # the reason a side is the same danger at every age
    return frozenset(out)


def _normal_ranges(top: Table, adult_from: float) -> tuple[NormalRange, ...]:
    """[[normal_range]]: a child's normal values by age, in the source's own age steps, from birth to
    adult_from_years without a gap or an overlap (outside them the adult bands are a floor)."""
    if not top.has("normal_range"):
        return ()
    out, reach = [], 0.0
    for t in top.tables("normal_range"):
        lo, hi = t.num("age_from", lo=0, hi=adult_from), t.num("age_to", lo=0, hi=adult_from)
        if lo != reach:
            raise t.fail("age_from", f"{lo:g} must be {reach:g}: the ranges run from birth to {adult_from:g} years "
                                     f"in order, without a gap or an overlap")
        if hi <= lo:
            raise t.fail("age_to", f"{hi:g} must be above age_from {lo:g}")
        ranges = {}
        for f in ("pulse", "rr", "sbp", "spo2"):
            if not t.has(f):
                continue
            pair = t.nums(f)
            if len(pair) != 2 or pair[0] > pair[1] or pair[1] > VITAL_FIELDS[f][2][1]:
                raise t.fail(f, f"{list(pair)} must be [lowest normal, highest normal] within what a reading can be "
                                f"(up to {VITAL_FIELDS[f][2][1]:g})")
            ranges[f] = (pair[0], pair[1])
        out.append(NormalRange(t.str("ages"), lo, hi, ranges, t.str("source")))
        reach = hi
    if reach != adult_from:
        raise top.fail("normal_range", f"the ranges end at {reach:g} years; they must reach {adult_from:g}")
    return tuple(out)


@lru_cache(maxsize=4)
def load_catalogue(path: str | None = None) -> Catalogue:
    """The symptom catalogue (resources/symptoms.toml, or the file given), read once."""
    return read_catalogue(path or library_resource("symptoms.toml"))
