"""Step ladders: the label's, or a named local protocol from resources/protocols/.

A ladder yields target rates in mg/kg/min, each with its minutes; the last target has no
minutes: it runs until the volume is in. Caps and pump rounding are the plan's business.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from .data import Table, library_resource, load_toml, stem, toml_files
from .errors import InputError
from .label_bounds import CONCENTRATIONS_MG_PER_ML, MAX_MG_KG_MIN, MAX_SOURCE, check_ladder, check_rate
from .units import Rate

RULES = ("list", "increment", "double")
KINDS = ("label", "local", "standard")


@dataclass(frozen=True, slots=True)
class Ladder:
    rule: str
    step_minutes: float
    rates: tuple[Rate, ...] = ()
    start: Rate | None = None
    increment: Rate | None = None
    first_minutes: float | None = None

    def targets(
        self, conc: float, initial_mg: float, initial_minutes: float | None, max_mg: float
    ) -> list[tuple[float, float | None]]:
        """(mg/kg/min, minutes) from the first step to the one that reaches the maximum."""
        if self.rule == "list":
            values = [r.mg_kg_min(conc) for r in self.rates]
        elif self.rule == "increment":
            s, inc = self.start.mg_kg_min(conc), self.increment.mg_kg_min(conc)
            values = [s]
            while values[-1] < max_mg - 1e-9:
                values.append(round(values[-1] + inc, 9))
        else:  # double, from the label's own initial rate
            values = [initial_mg]
            while values[-1] < max_mg - 1e-9:
                values.append(values[-1] * 2)
        out: list[tuple[float, float | None]] = []
        for i, v in enumerate(values):
            if i == 0:
                doubling_start = initial_minutes if self.rule == "double" else None
                minutes = self.first_minutes or doubling_start or self.step_minutes
            else:
                minutes = self.step_minutes
            out.append((min(v, max_mg), minutes))
            if v >= max_mg - 1e-9:
                break
        out[-1] = (out[-1][0], None)
        return out


@dataclass(frozen=True, slots=True)
class Protocol:
    id: str
    name: str
    kind: str
    ladder: Ladder
    description: str = ""
    sources: tuple[str, ...] = ()
    first_infusion_max: Rate | None = None
    applies_to_concentration: tuple[float, ...] = ()
    applies_to_products: tuple[str, ...] = ()
    path: str = ""
    weight_columns_kg: tuple[float, float, float] | None = None  # (from, to, step): a printed weight table

    def column_kg(self, weight_kg: float) -> float | None:
        """The printed table's weight column for this weight (rounded down), or None if none covers it."""
        if self.weight_columns_kg is None:
            return None
        lo, hi, step = self.weight_columns_kg
        if weight_kg < lo - 1e-9 or weight_kg >= hi + step - 1e-9:
            return None
        return min(hi, lo + math.floor((weight_kg - lo) / step + 1e-9) * step)

    @property
    def is_local(self) -> bool:
        return self.kind == "local"

    def not_for(self, product) -> str:
        """Why this protocol may not be used for the product, or '' if it may."""
        if self.applies_to_products and product.id not in self.applies_to_products:
            return f"a protocol written for this product ({self.id} is for {', '.join(self.applies_to_products)} only)"
        if self.applies_to_concentration and product.concentration_mg_per_ml not in self.applies_to_concentration:
            allowed = ", ".join(f"{c:g} mg/mL" for c in self.applies_to_concentration)
            return f"a protocol for this product's concentration ({self.id} is for {allowed} only)"
        return ""


def read_ladder(t: Table) -> Ladder:
    rule = t.str("rule", "list" if t.has("rates") else "increment" if t.has("increment") else "double", RULES)
    step = t.num("step_minutes", lo=1, hi=240)
    if rule == "list":
        rates = t.rates("rates")
        mgs = [r.value for r in rates] if len({r.unit for r in rates}) == 1 else None
        if mgs and any(b <= a for a, b in zip(mgs, mgs[1:])):
            raise t.fail("rates", "must increase from step to step")
        return Ladder("list", step, rates=rates, first_minutes=t.num("first_minutes", None, lo=1, hi=240))
    if rule == "increment":
        return Ladder(
            "increment", step, start=t.rate("start"), increment=t.rate("increment"),
            first_minutes=t.num("first_minutes", None, lo=1, hi=240),
        )
    return Ladder("double", step, first_minutes=t.num("first_minutes", None, lo=1, hi=240))


def read_protocol(path: str) -> Protocol:
    t = Table(load_toml(path), path)
    t.schema_version(1, missing=1)  # protocols written before files carried a version are version 1
    pid = t.str("id")
    if pid != stem(path):
        raise t.fail("id", f"{pid!r} must match the file name {stem(path)!r}")
    if pid == "label":
        raise t.fail("id", "'label' is reserved for the label's own ladder")
    proto = Protocol(
        id=pid,
        name=t.str("name"),
        kind=t.str("kind", choices=("local", "standard")),
        ladder=read_ladder(t),
        description=t.str("description", ""),
        sources=t.strs("sources"),
        first_infusion_max=t.rate("first_infusion_max", None),
        applies_to_concentration=t.nums("applies_to_concentration_mg_per_ml", ()),
        applies_to_products=t.strs("applies_to_products", ()),
        path=path,
        weight_columns_kg=_columns(t),
    )
    _within_label_bounds(t, proto)
    t.finish()
    return proto


def _within_label_bounds(t: Table, proto: Protocol) -> None:
    """No interval shorter and no rate higher than any label gives (label_bounds); a rate in mL/kg/min
    is weighed at the strongest concentration the protocol may be used with."""
    conc = max(proto.applies_to_concentration or CONCENTRATIONS_MG_PER_ML)
    check_ladder(t, proto.ladder, conc)
    check_rate(t, "first_infusion_max", proto.first_infusion_max, conc, MAX_MG_KG_MIN, MAX_SOURCE)


def _columns(t: Table) -> tuple[float, float, float] | None:
    c = t.table("weight_columns_kg", None)
    if c is None:
        return None
    lo, hi, step = c.num("from", lo=1, hi=300), c.num("to", lo=1, hi=300), c.num("step", lo=0.5, hi=50)
    if hi <= lo or abs((hi - lo) / step - round((hi - lo) / step)) > 1e-9:
        raise c.fail("to", f"{hi:g} must be above {lo:g} by whole steps of {step:g}")
    return (lo, hi, step)


@lru_cache(maxsize=4)
def load_protocols(folder: str | None = None) -> dict[str, Protocol]:
    out = {}
    for p in toml_files(folder or library_resource("protocols")):
        proto = read_protocol(p)
        out[proto.id] = proto
    return out


def label_protocol(product, indication) -> Protocol:
    return Protocol(
        id="label", name=f"{product.name} label ({indication.id.upper()})", kind="label",
        ladder=indication.label_ladder, sources=indication.sources,
        description="The label's own step ladder.",
    )


def resolve(product, indication, protocol_id: str | None, protocols: dict[str, Protocol] | None = None) -> Protocol:
    """The protocol to plan with: the one asked for, or the indication's default."""
    protocols = protocols if protocols is not None else load_protocols()
    pid = protocol_id or indication.ladder
    if pid == "label":
        if indication.label_ladder is None:
            raise InputError(
                "--protocol", "label",
                f"a local protocol: the {product.name} label gives no step ladder for "
                f"{indication.id} (choose one of: {', '.join(sorted(protocols))})",
            )
        return label_protocol(product, indication)
    if pid not in protocols:
        raise InputError("--protocol", pid, f"one of: label, {', '.join(sorted(protocols))}")
    proto = protocols[pid]
    why = proto.not_for(product)
    if why:
        raise InputError("--protocol", pid, why)
    return proto
