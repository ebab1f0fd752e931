"""What changed between two libraries, in words a reviewer acts on, safety-lowering changes first.

Only what matters to a patient is listed: limits, ladders, grades, rules, policies and what they
apply to; sources and wording are left to the file's own review (the content hash still tells
that something changed). Each change says whether it lowers safety, raises it, or only changes.
"""
from __future__ import annotations

from dataclasses import dataclass

from .load import Library

LOWERS, CHANGES, RAISES = "lowers safety", "changes", "raises safety"
ORDER = (LOWERS, CHANGES, RAISES)


@dataclass(frozen=True)
class Change:
    effect: str  # lowers safety | changes | raises safety
    text: str
    file: str
    key: str
    old: object = None
    new: object = None

    def to_dict(self) -> dict:
        return {"effect": self.effect, "text": self.text, "file": self.file, "key": self.key,
                "old": self.old, "new": self.new}


def diff(old: Library, new: Library) -> list[Change]:
    from .diff_catalogue import catalogue_changes
    from .diff_news2 import news2_changes

    out = [*_products(old, new), *_usual_doses(old, new), *_protocols(old, new), *_policies(old, new),
           *catalogue_changes(old.catalogue, new.catalogue), *news2_changes(old.news2, new.news2)]
    return sorted(out, key=lambda c: ORDER.index(c.effect))  # stable: file order within each effect


# ---------------------------------------------------------------- shared wording
def way(old, new, higher_is: str, lower_is: str) -> str:
    """The effect of a number going from old to new; None at either end is 'changes'."""
    if old is None or new is None or old == new:
        return CHANGES
    return higher_is if new > old else lower_is


def rate_words(old_written: str | None, old_mg: float | None, new_written: str | None, new_mg: float | None) -> str:
    """'8 → 6 mg/kg/min', or with units that differ '5 mL/kg/h → 0.08 mL/kg/min (8.33 → 8 mg/kg/min)'."""
    if old_written is None or new_written is None:
        return f"{old_written or 'none'} → {new_written or 'none'}"
    (ov, ou), (nv, nu) = old_written.split(" ", 1), new_written.split(" ", 1)
    if ou == nu:
        return f"{ov} → {nv} {nu}"
    return f"{old_written} → {new_written} ({old_mg:.3g} → {new_mg:.3g} mg/kg/min)"


def _text(rate) -> str | None:
    return None if rate is None else str(rate)


def minutes_words(old: float | None, new: float | None) -> str:
    return f"{'none' if old is None else f'{old:g} min'} → {'none' if new is None else f'{new:g} min'}"


def added_removed(old: dict, new: dict):
    """Keys only in new, keys only in old, keys in both (each in file order)."""
    return ([k for k in new if k not in old], [k for k in old if k not in new], [k for k in new if k in old])


# ---------------------------------------------------------------- products
def _products(old: Library, new: Library) -> list[Change]:
    out, f = [], "products.toml"
    added, removed, both = added_removed(old.products, new.products)
    out += [Change(CHANGES, f"product {new.products[p].name} added: review its limits", f, f"product {p}")
            for p in added]
    out += [Change(CHANGES, f"product {old.products[p].name} removed: it can no longer be planned", f,
                   f"product {p}") for p in removed]
    for pid in both:
        a, b = old.products[pid], new.products[pid]
        if a.concentration_mg_per_ml != b.concentration_mg_per_ml:
            higher_ml_h = b.concentration_mg_per_ml < a.concentration_mg_per_ml
            out.append(Change(LOWERS if higher_ml_h else CHANGES,
                              f"{b.name} concentration {a.concentration_mg_per_ml:g} → {b.concentration_mg_per_ml:g} "
                              f"mg/mL: {'raises' if higher_ml_h else 'lowers'} every pump rate in mL/h",
                              f, f"product {pid} concentration_mg_per_ml",
                              a.concentration_mg_per_ml, b.concentration_mg_per_ml))
        if a.vial_sizes_g != b.vial_sizes_g:
            out.append(Change(CHANGES, f"{b.name} vial sizes {_grams(a.vial_sizes_g)} → {_grams(b.vial_sizes_g)}",
                              f, f"product {pid} vial_sizes_g", list(a.vial_sizes_g), list(b.vial_sizes_g)))
        i_added, i_removed, i_both = added_removed(a.indications, b.indications)
        out += [Change(CHANGES, f"{b.name} {i.upper()} added: review its limits", f, f"product {pid} indication {i}")
                for i in i_added]
        out += [Change(CHANGES, f"{b.name} {i.upper()} removed: it can no longer be planned", f,
                       f"product {pid} indication {i}") for i in i_removed]
        for iid in i_both:
            out += _indication(f"{b.name} {iid.upper()}", f"product {pid} indication {iid}",
                               a.indications[iid], b.indications[iid], b.concentration_mg_per_ml)
    return out


def _grams(sizes) -> str:
    return ", ".join(f"{g:g}" for g in sizes) + " g" if sizes else "none"


def _indication(name: str, key: str, a, b, conc: float) -> list[Change]:
    out, f = [], "products.toml"
    for what, field, written in (("initial rate", "initial_mg_kg_min", "initial_as_written"),
                                 ("maximum", "max_mg_kg_min", "max_as_written"),
                                 ("at-risk cap", "at_risk_max_mg_kg_min", "at_risk_as_written"),
                                 ("first-infusion maximum", "first_infusion_max_mg_kg_min",
                                  "first_infusion_max_as_written")):
        ov, nv = getattr(a, field), getattr(b, field)
        if ov == nv or ov is not None and nv is not None and abs(ov - nv) < 1e-9:
            continue
        effect, why = _limit_effect(what, ov, nv)
        out.append(Change(effect, f"{name} {what} {rate_words(getattr(a, written), ov, getattr(b, written), nv)}{why}",
                          f, f"{key} {field}", ov, nv))
    if a.at_risk_exclusive != b.at_risk_exclusive:
        out.append(Change(RAISES if b.at_risk_exclusive else LOWERS,
                          f"{name} at-risk cap {'now' if b.at_risk_exclusive else 'no longer'} excludes the cap itself",
                          f, f"{key} at_risk_exclusive", a.at_risk_exclusive, b.at_risk_exclusive))
    if a.at_risk_ceiling_only != b.at_risk_ceiling_only:
        ceiling, cap = "a ceiling for the prescriber's cap", "the cap itself"
        out.append(Change(LOWERS if a.at_risk_ceiling_only else RAISES,
                          f"{name} at-risk figure {ceiling if a.at_risk_ceiling_only else cap} → "
                          f"{ceiling if b.at_risk_ceiling_only else cap}: the prescriber is "
                          f"{'no longer' if a.at_risk_ceiling_only else 'now'} asked",
                          f, f"{key} at_risk_from", a.at_risk_from, b.at_risk_from))
    for what, field in (("time at the initial rate", "initial_minutes"),
                        ("interval between increases", "step_minutes")):
        ov, nv = getattr(a, field), getattr(b, field)
        if ov != nv:
            effect = way(ov, nv, RAISES, LOWERS) if ov is not None and nv is not None else \
                (LOWERS if nv is None else RAISES)
            why = ": climbs sooner" if effect == LOWERS else ": climbs later" if effect == RAISES else ""
            out.append(Change(effect, f"{name} {what} {minutes_words(ov, nv)}{why}", f, f"{key} {field}", ov, nv))
    if a.ladder != b.ladder:
        out.append(Change(CHANGES, f"{name} ladder {a.ladder} → {b.ladder}", f, f"{key} ladder", a.ladder, b.ladder))
    elif a.label_ladder != b.label_ladder and a.label_ladder and b.label_ladder:
        out += ladder_changes(f"{name} label ladder", f, f"{key} label_ladder", a.label_ladder, b.label_ladder, conc)
    if a.unconfirmed != b.unconfirmed:
        out.append(Change(CHANGES, f"{name} unconfirmed {', '.join(a.unconfirmed) or 'none'} → "
                                   f"{', '.join(b.unconfirmed) or 'none'}", f, f"{key} unconfirmed",
                          list(a.unconfirmed), list(b.unconfirmed)))
    return out


def _limit_effect(what: str, old: float | None, new: float | None) -> tuple[str, str]:
    """A limit that rises lowers safety. One that appears or goes: an at-risk cap that goes makes the
    app ask for the prescriber's cap; a first-infusion maximum that goes leaves no such limit."""
    if old is not None and new is not None:
        return (LOWERS, ": raises a limit") if new > old else (RAISES, ": lowers a limit")
    if what == "at-risk cap":
        return CHANGES, ": the prescriber's cap is asked for instead" if new is None else ": the label's number applies"
    return (LOWERS, ": no such limit any more") if new is None else (RAISES, ": a new limit")


def ladder_changes(name: str, f: str, key: str, a, b, conc: float) -> list[Change]:
    """Two ladders step by step: a higher rate or a shorter interval lowers safety."""
    out = []
    if a.rule != b.rule:
        out.append(Change(CHANGES, f"{name} rule {a.rule} → {b.rule}", f, f"{key} rule", a.rule, b.rule))
    for what, field in (("step interval", "step_minutes"), ("first step", "first_minutes")):
        ov, nv = getattr(a, field), getattr(b, field)
        if ov != nv:
            effect = way(ov, nv, RAISES, LOWERS) if ov is not None and nv is not None else CHANGES
            why = ": climbs sooner" if effect == LOWERS else ": climbs later" if effect == RAISES else ""
            out.append(Change(effect, f"{name} {what} {minutes_words(ov, nv)}{why}", f, f"{key} {field}", ov, nv))
    if a.rates != b.rates:
        olds, news = [r.mg_kg_min(conc) for r in a.rates], [r.mg_kg_min(conc) for r in b.rates]
        higher = any(n > o + 1e-9 for o, n in zip(olds, news)) or len(news) > len(olds) and news[-1] > olds[-1]
        lower = any(n < o - 1e-9 for o, n in zip(olds, news))
        effect = LOWERS if higher else RAISES if lower else CHANGES
        words = {LOWERS: ": a step is higher", RAISES: ": steps are lower", CHANGES: ""}[effect]
        olds_text, news_text = [str(r) for r in a.rates], [str(r) for r in b.rates]
        out.append(Change(effect, f"{name} steps {', '.join(olds_text)} → {', '.join(news_text)}{words}",
                          f, f"{key} rates", olds_text, news_text))
    for what, field in (("start", "start"), ("increment", "increment")):
        ov, nv = getattr(a, field), getattr(b, field)
        if ov != nv:
            om = ov.mg_kg_min(conc) if ov else None
            nm = nv.mg_kg_min(conc) if nv else None
            effect = way(om, nm, LOWERS, RAISES)
            out.append(Change(effect, f"{name} {what} {rate_words(_text(ov), om, _text(nv), nm)}",
                              f, f"{key} {field}", _text(ov), _text(nv)))
    return out


def _usual_doses(old: Library, new: Library) -> list[Change]:
    out, f = [], "products.toml"
    added, removed, both = added_removed(old.usual_doses, new.usual_doses)
    out += [Change(RAISES, f"usual single dose for {i.upper()} added: {new.usual_doses[i].single_g_per_kg:g} g/kg "
                           "(a soft limit)", f, f"usual_dose {i}") for i in added]
    out += [Change(LOWERS, f"usual single dose for {i.upper()} removed: no soft limit on one infusion's dose", f,
                   f"usual_dose {i}") for i in removed]
    for i in both:
        ov, nv = old.usual_doses[i].single_g_per_kg, new.usual_doses[i].single_g_per_kg
        if ov != nv:
            out.append(Change(way(ov, nv, LOWERS, RAISES), f"usual single dose for {i.upper()} {ov:g} → {nv:g} g/kg",
                              f, f"usual_dose {i} single_g_per_kg", ov, nv))
    return out


# ---------------------------------------------------------------- protocols
def _protocols(old: Library, new: Library) -> list[Change]:
    out = []
    added, removed, both = added_removed(old.protocols, new.protocols)
    out += [Change(CHANGES, f"protocol {p} added", f"protocols/{p}.toml", p) for p in added]
    out += [Change(CHANGES, f"protocol {p} removed", f"protocols/{p}.toml", p) for p in removed]
    for pid in both:
        a, b, f = old.protocols[pid], new.protocols[pid], f"protocols/{pid}.toml"
        if a.kind != b.kind:
            out.append(Change(CHANGES, f"protocol {pid} kind {a.kind} → {b.kind}", f, "kind", a.kind, b.kind))
        out += ladder_changes(f"protocol {pid}", f, "ladder", a.ladder, b.ladder, 100.0)
        ov, nv = a.first_infusion_max, b.first_infusion_max
        if ov != nv:
            om, nm = (ov.mg_kg_min(100.0) if ov else None), (nv.mg_kg_min(100.0) if nv else None)
            effect = way(om, nm, LOWERS, RAISES) if om is not None and nm is not None else \
                (LOWERS if nm is None else RAISES)
            out.append(Change(effect, f"protocol {pid} first-infusion maximum "
                                      f"{rate_words(_text(ov), om, _text(nv), nm)}",
                              f, "first_infusion_max", _text(ov), _text(nv)))
        for what, field in (("products", "applies_to_products"), ("concentrations", "applies_to_concentration")):
            ov, nv = set(getattr(a, field)), set(getattr(b, field))
            if ov != nv:
                wider = not nv or ov and not nv <= ov  # an empty list: any product
                out.append(Change(LOWERS if wider else RAISES,
                                  f"protocol {pid} may be used for {what} {_list(ov)} → {_list(nv)}"
                                  + (": wider" if wider else ": narrower"), f, field, sorted(ov), sorted(nv)))
        if a.weight_columns_kg != b.weight_columns_kg:
            out.append(Change(CHANGES, f"protocol {pid} weight columns {a.weight_columns_kg} → {b.weight_columns_kg}",
                              f, "weight_columns_kg", a.weight_columns_kg, b.weight_columns_kg))
    return out


def _list(values) -> str:
    return ", ".join(sorted(map(lambda v: f"{v:g}" if isinstance(v, float) else str(v), values))) or "any"


# ---------------------------------------------------------------- reaction policies
STRENGTH = {"action": ("slow", "pause", "stop"), "first_step": ("pause", "stop"),
            "unresolved": ("moderate", "stop"), "after_resolved": ("may-escalate", "hold")}


def _policies(old: Library, new: Library) -> list[Change]:
    out = []
    added, removed, both = added_removed(old.policies, new.policies)
    out += [Change(CHANGES, f"reaction policy {p} added", f"policies/{p}.toml", p) for p in added]
    out += [Change(CHANGES, f"reaction policy {p} removed", f"policies/{p}.toml", p) for p in removed]
    for pid in both:
        a, b, f = old.policies[pid], new.policies[pid], f"policies/{pid}.toml"
        if a.recurrence != b.recurrence:
            out.append(Change(RAISES if b.recurrence == "stop" else LOWERS,
                              f"reaction policy {pid}: a further reaction {a.recurrence} → {b.recurrence}",
                              f, "recurrence", a.recurrence, b.recurrence))
        if a.came_back != b.came_back:
            out.append(Change(RAISES if b.came_back == "stop" else LOWERS,
                              f"reaction policy {pid}: symptoms back after 'resolved' {a.came_back} → {b.came_back}",
                              f, "came_back", a.came_back, b.came_back))
        if a.review_minutes != b.review_minutes:
            window = minutes_words(a.review_minutes, b.review_minutes)
            out.append(Change(CHANGES, f"reaction policy {pid} review window {window}",
                              f, "review_minutes", a.review_minutes, b.review_minutes))
        for grade in ("mild", "moderate"):
            for field, order in STRENGTH.items():
                ov, nv = getattr(a.rule(grade), field), getattr(b.rule(grade), field)
                if ov != nv:
                    effect = way(order.index(ov), order.index(nv), RAISES, LOWERS)
                    out.append(Change(effect, f"reaction policy {pid}: a {grade} reaction's {field.replace('_', ' ')} "
                                              f"{ov} → {nv}" + (": a weaker response" if effect == LOWERS else ""),
                                      f, f"{grade}.{field}", ov, nv))
    return out
