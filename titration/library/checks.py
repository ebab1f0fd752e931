"""The library's invariants across files (`library check`): each problem one line, naming the file,
the key and the problem. The strict reading of each file comes first (load.load).

- every product's ladder resolves to a label ladder or a protocol it may use;
- a ladder an indication uses by default, or a protocol written for named products, starts at
  no more than the label's initial rate and climbs no faster than the label;
- a default ladder's written steps stay at or below the indication's maximum (a shared table
  may print steps above one product's maximum: the plan cuts them there, as it says);
- a protocol names only products the library holds; the default reaction policy exists;
- every product's GTIN ends in its check digit (a wrong one would never match a scanned vial);
- the version: library.toml is there, and its content_hash is the content's.
"""
from __future__ import annotations

from ..errors import InputError
from ..label_bounds import first_minutes
from ..protocols import resolve
from .load import Library
from .manifest import MANIFEST

DEFAULT_POLICY = "tiered"  # the one a session uses when none is named (policy.get_policy)


def problems(lib: Library) -> list[str]:
    return [*_version(lib), *_ladders(lib), *_gtins(lib), *_protocols(lib), *_policies(lib)]


def _version(lib: Library) -> list[str]:
    path = lib.path(MANIFEST)
    if lib.manifest is None:
        return [f"{path}: (file): is missing: the library has no version; write one with version = 1, "
                f"effective = \"YYYY-MM-DD\", changelog = \"...\" and content_hash = \"{lib.content_hash}\""]
    m = lib.manifest
    if m.content_hash != lib.content_hash:
        return [f"{path}: content_hash: the content is {lib.content_hash}, not the {m.content_hash} of version "
                f"{m.version}: the library changed since; give it a new version, effective date and changelog "
                f"line, with content_hash = \"{lib.content_hash}\""]
    return []


def _gtins(lib: Library) -> list[str]:
    from ..gs1 import gtin14

    out = []
    for p in lib.products.values():
        for g in p.gtins:
            try:
                gtin14(g)
            except InputError as exc:
                out.append(f"{lib.path('products.toml')}: {p.id}: gtins: {g!r}: expected {exc.allowed}")
    return out


def _where(lib: Library, pid: str, iid: str) -> str:
    return f"{lib.path('products.toml')}: {pid} {iid}"


def _ladders(lib: Library) -> list[str]:
    out = []
    for p in lib.products.values():
        conc = p.concentration_mg_per_ml
        for ind in p.indications.values():
            try:
                proto = resolve(p, ind, None, lib.protocols)
            except InputError as exc:
                out.append(f"{_where(lib, p.id, ind.id)}: ladder: {ind.ladder!r} does not resolve: {exc.allowed}")
                continue
            out += _start_and_pace(lib, p, ind, proto.ladder, proto.id)
            if proto.ladder.rule == "list":
                top = max(proto.ladder.rates, key=lambda r: r.mg_kg_min(conc))
                if top.mg_kg_min(conc) > ind.max_mg_kg_min + 1e-9:
                    out.append(f"{_where(lib, p.id, ind.id)}: ladder: {proto.id} has a step of {top} "
                               f"({top.mg_kg_min(conc):.3g} mg/kg/min), above the maximum {ind.max_as_written}")
    return out


def _start_and_pace(lib: Library, p, ind, ladder, name: str) -> list[str]:
    out, where, conc = [], _where(lib, p.id, ind.id), p.concentration_mg_per_ml
    first = ladder.rates[0] if ladder.rule == "list" else ladder.start if ladder.rule == "increment" else None
    if first is not None and first.mg_kg_min(conc) > ind.initial_mg_kg_min + 1e-9:
        out.append(f"{where}: ladder: {name} starts at {first} ({first.mg_kg_min(conc):.3g} mg/kg/min), "
                   f"above the label's initial rate {ind.initial_as_written}")
    if ind.step_minutes is not None and ladder.step_minutes < ind.step_minutes - 1e-9:
        out.append(f"{where}: ladder: {name} steps every {ladder.step_minutes:g} min, faster than the label's "
                   f"{ind.step_minutes:g} min")
    held = first_minutes(ladder, ind.initial_minutes)
    if ind.initial_minutes is not None and held < ind.initial_minutes - 1e-9:
        out.append(f"{where}: ladder: {name} holds the initial rate {held:g} min, shorter than the label's "
                   f"{ind.initial_minutes:g} min")
    return out


def _protocols(lib: Library) -> list[str]:
    """A protocol written for named products: each is in the library, and for each of its
    indications the protocol starts no higher and climbs no faster than the label."""
    out = []
    for proto in lib.protocols.values():
        for pid in proto.applies_to_products:
            if pid not in lib.products:
                out.append(f"{proto.path}: applies_to_products: {pid!r} is not a product in products.toml")
                continue
            p = lib.products[pid]
            if proto.not_for(p):
                continue
            for ind in p.indications.values():
                if ind.ladder != proto.id:  # a default ladder is checked above
                    out += _start_and_pace(lib, p, ind, proto.ladder, proto.id)
    return out


def _policies(lib: Library) -> list[str]:
    if DEFAULT_POLICY not in lib.policies:
        return [f"{lib.path('policies')}: (folder): has no {DEFAULT_POLICY}.toml, the policy used when none is named"]
    return []
