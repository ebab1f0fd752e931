"""The product library: label facts per product x indication, with their sources."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from .data import Table, library_resource, load_toml
from .errors import InputError
from .label_bounds import CONCENTRATIONS_MG_PER_ML, check_indication
from .protocols import Ladder, load_protocols, read_ladder

INDICATIONS = {
    "pi": "primary immunodeficiency",
    "itp": "immune thrombocytopenia",
    "cidp": "chronic inflammatory demyelinating polyneuropathy",
    "mmn": "multifocal motor neuropathy",
    "dm": "dermatomyositis",
    "gbs": "Guillain-Barre syndrome",
    "kawasaki": "Kawasaki disease",
    "other": "other",
}
UNCONFIRMABLE = ("initial_minutes", "step_rule", "step_size")


@dataclass(frozen=True, slots=True)
class Indication:
    id: str
    initial_mg_kg_min: float
    initial_as_written: str
    initial_minutes: float | None
    max_mg_kg_min: float
    max_as_written: str
    at_risk_max_mg_kg_min: float | None
    at_risk_as_written: str | None
    at_risk_exclusive: bool
    ladder: str  # "label" or a local protocol id
    label_ladder: Ladder | None
    unconfirmed: tuple[str, ...]
    sources: tuple[str, ...]
    ref: str
    step_minutes: float | None = None  # the label's own interval between increases, where stated
    ladder_provenance: str = ""  # what a label_ladder really is, when not the label's own text
    first_infusion_words: str = ""  # the label's words on first infusions
    first_infusion_max_mg_kg_min: float | None = None  # a soft limit, only where those words give a number
    first_infusion_max_as_written: str | None = None
    first_infusion_max_after_weeks: float | None = None  # the same soft limit after this long since the last dose
    at_risk_ceiling_only: bool = False  # the at-risk figure is a ceiling, never a target (at_risk_from)
    at_risk_from: str = "label"  # label | other-indication | label-ceiling (the label's "less than", beside
    # "minimum rate practicable": the prescriber's cap is asked for and stays below it) | compendium (a
    # compendium's figure where the label gives none: a ceiling likewise)
    initial_source: str = ""  # where the initial rate comes from, when not the first source
    at_risk_words: str = ""  # the source's own words for a "label-ceiling" or "compendium" at-risk figure
    max_from: str = "label"  # "guideline": the maximum is a guideline's, not the label's
    min_age_years: float | None = None  # the label's population: planning below it is a soft limit
    population_words: str = ""  # the label's own words for its population


@dataclass(frozen=True, slots=True)
class Product:
    id: str
    name: str
    manufacturer: str
    concentration_mg_per_ml: float
    vial_sizes_g: tuple[float, ...]
    vial_sizes_source: str
    indications: dict[str, Indication] = field(default_factory=dict)
    gtins: tuple[str, ...] = ()  # the packs' barcodes (GTIN-14), only where a source gives them

    def indication(self, ind_id: str) -> Indication:
        if ind_id not in self.indications:
            raise InputError("--indication", ind_id, f"one of {', '.join(self.indications)} for {self.id}")
        return self.indications[ind_id]


def _read_indication(t: Table, conc: float, protocols: dict) -> Indication:
    iid = t.str("id", choices=tuple(INDICATIONS))
    initial, mx = t.rate("initial"), t.rate("max")
    at_risk = t.rate("at_risk_max", None)
    initial_mg, max_mg = initial.mg_kg_min(conc), mx.mg_kg_min(conc)
    if initial_mg > max_mg:
        raise t.fail("initial", f"{initial} is above the maximum {mx}")
    if at_risk is not None and at_risk.mg_kg_min(conc) > max_mg + 1e-9:
        raise t.fail("at_risk_max", f"{at_risk} is above the maximum {mx}")
    ladder = t.str("ladder")
    label_ladder = None
    if ladder == "label":
        lt = t.table("label_ladder")
        label_ladder = read_ladder(lt)
        firsts = [r.mg_kg_min(conc) for r in label_ladder.rates] or [label_ladder.start.mg_kg_min(conc)]
        for r, mg in zip(label_ladder.rates, firsts):
            if mg > max_mg + 1e-9:
                raise lt.fail("rates", f"a step of {r} exceeds the maximum {mx}")
        if abs(firsts[0] - initial_mg) > 1e-6:
            raise lt.fail("rates", f"the first step ({firsts[0]:g} mg/kg/min) is not the initial rate {initial}")
    elif ladder not in protocols:
        raise t.fail("ladder", f"{ladder!r} is neither 'label' nor a protocol in resources/protocols/")
    first_max = t.rate("first_infusion_max", None)
    if first_max is not None and first_max.mg_kg_min(conc) > max_mg + 1e-9:
        raise t.fail("first_infusion_max", f"{first_max} is above the maximum {mx}")
    if first_max is not None and not t.has("first_infusion_words"):
        raise t.fail("first_infusion_max", "needs the label's own words (first_infusion_words) it comes from")
    after_weeks = t.num("first_infusion_max_after_weeks", None, lo=1, hi=520)
    if after_weeks is not None and first_max is None:
        raise t.fail("first_infusion_max_after_weeks", "needs first_infusion_max (the limit it extends)")
    at_risk_from = t.str("at_risk_from", "label", choices=("label", "other-indication", "label-ceiling", "compendium"))
    if at_risk_from != "label" and at_risk is None:
        raise t.fail("at_risk_from", "describes at_risk_max, which this indication does not give")
    at_risk_words = t.str("at_risk_words", "")
    if at_risk_from in ("label-ceiling", "compendium") and not at_risk_words:
        raise t.fail("at_risk_from", f"{at_risk_from!r} needs the source's own words for the figure (at_risk_words)")
    min_age = t.num("min_age_years", None, lo=0, hi=18)
    if min_age is not None:
        t.str("population_words")
    provenance = t.str("ladder_provenance", "")
    if provenance and ladder != "label":
        raise t.fail("ladder_provenance", "describes a label_ladder; this indication uses a protocol")
    unconfirmed = t.strs("unconfirmed", ())
    for u in unconfirmed:
        if u not in UNCONFIRMABLE:
            raise t.fail("unconfirmed", f"{u!r} is not one of {', '.join(UNCONFIRMABLE)}")
    if unconfirmed and ladder == "label":
        raise t.fail("ladder", "an indication with unconfirmed steps must name a local protocol")
    ind = Indication(
        id=iid,
        initial_mg_kg_min=initial_mg,
        initial_as_written=str(initial),
        initial_minutes=t.num("initial_minutes", None, lo=1, hi=240),
        max_mg_kg_min=max_mg,
        max_as_written=str(mx),
        at_risk_max_mg_kg_min=at_risk.mg_kg_min(conc) if at_risk else None,
        at_risk_as_written=str(at_risk) if at_risk else None,
        at_risk_exclusive=t.bool("at_risk_exclusive", False),
        ladder=ladder,
        label_ladder=label_ladder,
        unconfirmed=unconfirmed,
        sources=t.strs("sources"),
        ref=t.str("ref", ""),
        step_minutes=t.num("step_minutes", None, lo=1, hi=240),
        ladder_provenance=provenance,
        first_infusion_words=t.str("first_infusion_words", ""),
        first_infusion_max_mg_kg_min=first_max.mg_kg_min(conc) if first_max else None,
        first_infusion_max_as_written=str(first_max) if first_max else None,
        first_infusion_max_after_weeks=after_weeks,
        at_risk_ceiling_only=at_risk_from != "label",
        at_risk_from=at_risk_from,
        initial_source=t.str("initial_source", ""),
        at_risk_words=at_risk_words,
        max_from=t.str("max_from", "label", choices=("label", "guideline")),
        min_age_years=min_age,
        population_words=t.str("population_words", ""),
    )
    check_indication(t, ind, conc, protocols)
    return ind


def _gtins(t: Table, earlier: dict) -> tuple[str, ...]:
    """A product's GTINs, each of a GTIN's form and listed under one product only (`library check`
    verifies their check digits)."""
    from .gs1 import gtin_digits

    out = []
    for g in t.strs("gtins", ()):
        try:
            g14 = gtin_digits(g)
        except InputError as exc:
            raise t.fail("gtins", f"{g!r}: expected {exc.allowed}") from None
        owner = next((p.id for p in earlier.values() if g14 in p.gtins), None)
        if owner is not None or g14 in out:
            raise t.fail("gtins", f"{g!r} is listed twice ({owner or 'this product'})")
        out.append(g14)
    return tuple(out)


def read_library(path: str, protocols: dict) -> dict[str, Product]:
    top = Table(load_toml(path), str(path))
    top.schema_version(1, missing=1)  # a library written before files carried a version is version 1
    out: dict[str, Product] = {}
    for t in top.tables("product"):
        pid = t.str("id")
        if pid in out:
            raise t.fail("id", f"{pid!r} appears twice")
        if pid != pid.lower() or " " in pid:
            raise t.fail("id", f"{pid!r} must be lower case and hyphenated")
        conc = t.num("concentration_mg_per_ml", lo=min(CONCENTRATIONS_MG_PER_ML), hi=max(CONCENTRATIONS_MG_PER_ML))
        inds: dict[str, Indication] = {}
        for it in t.tables("indication"):
            ind = _read_indication(it, conc, protocols)
            if ind.id in inds:
                raise it.fail("id", f"{ind.id!r} appears twice for {pid}")
            inds[ind.id] = ind
        out[pid] = Product(
            id=pid, name=t.str("name"), manufacturer=t.str("manufacturer"),
            concentration_mg_per_ml=conc,
            vial_sizes_g=tuple(sorted(t.nums("vial_sizes_g", ()))),
            vial_sizes_source=t.str("vial_sizes_source"),
            indications=inds,
            gtins=_gtins(t, out),
        )
    _usual_doses(top)  # the same file's other part: read here too, so that finish() knows every key
    top.finish()
    return out


@lru_cache(maxsize=4)
def load_library(path: str | None = None) -> dict[str, Product]:
    return read_library(path or library_resource("products.toml"), load_protocols())


def get_product(pid: str, library: dict[str, Product] | None = None) -> Product:
    library = library if library is not None else load_library()
    if pid not in library:
        raise InputError("--product", pid, f"one of {', '.join(library)}")
    return library[pid]


def product_json(p: Product) -> dict:
    return {
        "id": p.id, "name": p.name, "manufacturer": p.manufacturer,
        "concentration_mg_per_ml": p.concentration_mg_per_ml,
        "vial_sizes_g": list(p.vial_sizes_g),
        "gtins": list(p.gtins),
        "indications": [
            {
                "id": i.id,
                "initial_mg_kg_min": round(i.initial_mg_kg_min, 4),
                "max_mg_kg_min": round(i.max_mg_kg_min, 4),
                "at_risk_max_mg_kg_min": None if i.at_risk_max_mg_kg_min is None else round(i.at_risk_max_mg_kg_min, 4),
                "ladder": i.ladder,
                "ladder_provenance": i.ladder_provenance or ("the label's own ladder" if i.ladder == "label"
                                                             else "a local protocol"),
                "step_minutes": i.step_minutes,
                "first_infusion_words": i.first_infusion_words or None,
                "unconfirmed": list(i.unconfirmed),
                "sources": list(i.sources),
            }
            for i in p.indications.values()
        ],
    }


@dataclass(frozen=True, slots=True)
class UsualDose:
    """The largest dose the labels give as one infusion for an indication (a soft limit)."""

    indication: str
    single_g_per_kg: float
    source: str


@lru_cache(maxsize=4)
def load_usual_doses(path: str | None = None) -> dict[str, UsualDose]:
    return read_usual_doses(path or library_resource("products.toml"))


def read_usual_doses(path: str) -> dict[str, UsualDose]:
    return _usual_doses(Table(load_toml(path), str(path)))


def _usual_doses(top: Table) -> dict[str, UsualDose]:
    out: dict[str, UsualDose] = {}
    for t in top.tables("usual_dose") if top.has("usual_dose") else []:
        iid = t.str("indication", choices=tuple(INDICATIONS))
        if iid in out:
            raise t.fail("indication", f"{iid!r} appears twice")
        out[iid] = UsualDose(iid, t.num("single_g_per_kg", lo=0.05, hi=2.0), t.str("source"))
        t.finish()
    return out
