"""What changed in the symptom catalogue (symptoms.toml), in words, with its effect on safety."""
from __future__ import annotations

from ..reactions import grade_index
from .diff import CHANGES, LOWERS, RAISES, Change, added_removed, way

F = "symptoms.toml"


def catalogue_changes(a, b) -> list[Change]:
    return [*_symptoms(a, b), *_criteria(a, b), *_rules(a, b), *_bands(a, b), *_kinds(a, b), *_children(a, b)]


def _grade(what: str, key: str, old: str, new: str) -> Change:
    effect = way(grade_index(old), grade_index(new), RAISES, LOWERS)
    words = ": lowers a grade" if effect == LOWERS else ": raises a grade"
    return Change(effect, f"{what} {old} → {new}{words}", F, f"{key}.grade", old, new)


def _symptoms(a, b) -> list[Change]:
    out = []
    added, removed, both = added_removed(a.symptoms, b.symptoms)
    out += [Change(CHANGES, f"symptom {s} added ({b.symptoms[s].grade})", F, f"symptom {s}") for s in added]
    out += [Change(LOWERS, f"symptom {s} removed: it can no longer be recorded", F, f"symptom {s}") for s in removed]
    for sid in both:
        o, n = a.symptoms[sid], b.symptoms[sid]
        if o.grade != n.grade:
            out.append(_grade(f"symptom {sid}", f"symptom {sid}", o.grade, n.grade))
        if o.kind != n.kind:
            out.append(Change(CHANGES, f"symptom {sid} kind {o.kind} → {n.kind}: other emergency steps", F,
                              f"symptom {sid}.kind", o.kind, n.kind))
        gone, new = set(o.signs) - set(n.signs), set(n.signs) - set(o.signs)
        if gone:
            out.append(Change(LOWERS, f"symptom {sid} no longer counts as a {', '.join(sorted(gone))} sign: "
                                      "a combination rule may no longer hold", F, f"symptom {sid}.signs",
                              sorted(o.signs), sorted(n.signs)))
        if new:
            out.append(Change(RAISES, f"symptom {sid} now counts as a {', '.join(sorted(new))} sign", F,
                              f"symptom {sid}.signs", sorted(o.signs), sorted(n.signs)))
        if o.late != n.late:
            out.append(Change(RAISES if n.late else LOWERS,
                              f"symptom {sid} {'now' if n.late else 'no longer'} in the look-out advice after the end",
                              F, f"symptom {sid}.late", o.late, n.late))
    return out


def _criteria(a, b) -> list[Change]:
    out = []
    old, new = {c.id: c for c in a.criteria}, {c.id: c for c in b.criteria}
    added, removed, both = added_removed(old, new)
    out += [Change(RAISES, f"combination rule {c} added ({new[c].grade})", F, f"criteria {c}") for c in added]
    out += [Change(LOWERS, f"combination rule {c} removed: it no longer raises a grade", F, f"criteria {c}")
            for c in removed]
    for cid in both:
        o, n = old[cid], new[cid]
        if o.grade != n.grade:
            out.append(_grade(f"combination rule {cid}", f"criteria {cid}", o.grade, n.grade))
        if o.require != n.require:
            og, ng = [set(g) for g in o.require], [set(g) for g in n.require]
            # Holding needs one member of every group: more groups, or fewer members, hold less often.
            fewer = any(x - y for x, y in zip(og, ng))
            harder = len(ng) > len(og) or len(ng) == len(og) and fewer
            easier = len(ng) < len(og) or len(ng) == len(og) and not fewer and any(y - x for x, y in zip(og, ng))
            effect = LOWERS if harder else RAISES if easier else CHANGES
            words = ": holds less often" if effect == LOWERS else ": holds more often" if effect == RAISES else ""
            out.append(Change(effect, f"combination rule {cid} needs {_groups(o.require)} → "
                                      f"{_groups(n.require)}{words}", F, f"criteria {cid}.require",
                              [list(g) for g in o.require], [list(g) for g in n.require]))
        if o.window_hours != n.window_hours:
            out.append(_window(f"combination rule {cid}", f"criteria {cid}.window_hours", o.window_hours,
                               n.window_hours))
    return out


def _window(what: str, key: str, old, new) -> Change:
    """A shorter window counts fewer earlier findings together (None: no limit)."""
    shorter = new is not None and (old is None or new < old)
    effect = LOWERS if shorter else RAISES
    return Change(effect, f"{what} counts findings to {_hours(old)} → {_hours(new)} after the end"
                          f"{': fewer earlier findings count' if shorter else ''}", F, key, old, new)


def _hours(h) -> str:
    return "no limit" if h is None else f"{h:g} h"


def _groups(require) -> str:
    return " and ".join("(" + " or ".join(g) + ")" for g in require)


def _looser(op: str, old: float, new: float) -> bool:
    """A threshold that holds for fewer readings: a low bound moved down, a high bound moved up."""
    return new < old if op in ("<", "<=") else new > old


def _rules(a, b) -> list[Change]:
    out = []
    old, new = {r.label: r for r in a.rules}, {r.label: r for r in b.rules}
    added, removed, both = added_removed(old, new)
    out += [Change(RAISES, f"vitals rule '{r}' added ({new[r].grade})", F, f"vitals '{r}'") for r in added]
    out += [Change(LOWERS, f"vitals rule '{r}' removed: those readings no longer raise a grade", F, f"vitals '{r}'")
            for r in removed]
    for label in both:
        o, n = old[label], new[label]
        if o.grade != n.grade:
            out.append(_grade(f"vitals rule '{label}'", f"vitals '{label}'", o.grade, n.grade))
        if o.when != n.when:
            same_shape = [(f, op) for f, op, _ in o.when] == [(f, op) for f, op, _ in n.when]
            looser = same_shape and any(_looser(op, ov, nv) for (_, op, ov), (_, _, nv) in zip(o.when, n.when))
            tighter = same_shape and any(_looser(op, nv, ov) for (_, op, ov), (_, _, nv) in zip(o.when, n.when))
            effect = LOWERS if looser or not same_shape else RAISES if tighter else CHANGES
            words = ": holds for fewer readings" if looser else ": holds for more readings" if tighter else \
                ": a different rule" if not same_shape else ""
            out.append(Change(effect, f"vitals rule '{label}' {_when(o.when)} → {_when(n.when)}{words}", F,
                              f"vitals '{label}'.when", [list(c) for c in o.when], [list(c) for c in n.when]))
        if o.ages != n.ages:
            who = "children too" if n.ages == "all" else "adults only"
            out.append(Change(RAISES if n.ages == "all" else LOWERS, f"vitals rule '{label}' applies to {who}", F,
                              f"vitals '{label}'.ages", o.ages, n.ages))
        if o.sign != n.sign:
            out.append(Change(LOWERS if not n.sign else CHANGES, f"vitals rule '{label}' sign {o.sign or 'none'} → "
                                                                 f"{n.sign or 'none'}", F, f"vitals '{label}'.sign",
                              o.sign, n.sign))
    return out


def _when(conds) -> str:
    return " and ".join(f"{f} {op} {v:g}" for f, op, v in conds)


def _bands(a, b) -> list[Change]:
    out = []
    old, new = {x.label: x for x in a.child_bands}, {x.label: x for x in b.child_bands}
    added, removed, both = added_removed(old, new)
    out += [Change(RAISES, f"paediatric band '{x}' added ({new[x].grade})", F, f"paediatric '{x}'") for x in added]
    out += [Change(LOWERS, f"paediatric band '{x}' removed: a child's reading may go ungraded", F, f"paediatric '{x}'")
            for x in removed]
    for label in both:
        o, n = old[label], new[label]
        if o.grade != n.grade:
            out.append(_grade(f"paediatric band '{label}'", f"paediatric '{label}'", o.grade, n.grade))
        if (o.field, o.op) != (n.field, n.op) or o.value != n.value or o.per_year != n.per_year:
            same = (o.field, o.op) == (n.field, n.op)
            looser = same and any(_looser(o.op, o.limit(age), n.limit(age)) for age in (o.age_from, o.age_to))
            effect = LOWERS if looser or not same else RAISES
            out.append(Change(effect, f"paediatric band '{label}' {o.field} {o.op} {o.value:g} (+{o.per_year:g}/year)"
                                      f" → {n.field} {n.op} {n.value:g} (+{n.per_year:g}/year)", F,
                              f"paediatric '{label}'.value", o.value, n.value))
        if (o.age_from, o.age_to) != (n.age_from, n.age_to):
            narrower = n.age_from > o.age_from or n.age_to < o.age_to
            ages = f"{o.age_from:g}-{o.age_to:g} → {n.age_from:g}-{n.age_to:g}"
            out.append(Change(LOWERS if narrower else RAISES, f"paediatric band '{label}' ages {ages}", F,
                              f"paediatric '{label}'.ages", [o.age_from, o.age_to], [n.age_from, n.age_to]))
    return out


def _kinds(a, b) -> list[Change]:
    out = []
    added, removed, both = added_removed(a.kinds, b.kinds)
    out += [Change(CHANGES, f"reaction kind {k} added", F, f"kind {k}") for k in added]
    out += [Change(CHANGES, f"reaction kind {k} removed", F, f"kind {k}") for k in removed]
    for k in both:
        if a.kinds[k].steps != b.kinds[k].steps:
            out.append(Change(CHANGES, f"reaction kind {k}: its emergency steps changed", F, f"kind {k}.steps",
                              list(a.kinds[k].steps), list(b.kinds[k].steps)))
        if a.kinds[k].window_hours != b.kinds[k].window_hours:
            out.append(_window(f"reaction kind {k}'s picture", f"kind {k}.window_hours", a.kinds[k].window_hours,
                               b.kinds[k].window_hours))
        if a.kinds[k].signs != b.kinds[k].signs or a.kinds[k].also != b.kinds[k].also:
            out.append(Change(CHANGES, f"reaction kind {k}: the signs that name it, or its line when another kind "
                                       f"is named, changed", F, f"kind {k}.signs",
                              list(a.kinds[k].signs), list(b.kinds[k].signs)))
    return out


def _children(a, b) -> list[Change]:
    out = []
    if a.adult_from_years != b.adult_from_years:
        effect = LOWERS if b.adult_from_years < a.adult_from_years else CHANGES
        out.append(Change(effect, f"adult vital-sign bands from age {a.adult_from_years:g} → {b.adult_from_years:g}",
                          F, "children.adult_from_years", a.adult_from_years, b.adult_from_years))
    for field, side in sorted(a.adult_sides - b.adult_sides):
        out.append(Change(LOWERS, f"adult bands no longer grade a child's {field} {side} at every age", F,
                          "children.adult_sides", sorted(map(" ".join, a.adult_sides)),
                          sorted(map(" ".join, b.adult_sides))))
    return out + _normal_ranges(a, b)


def _normal_ranges(a, b) -> list[Change]:
    """Outside a child's normal range the adult bands are a floor: a wider range lowers it."""
    out = []
    old, new = {r.label: r for r in a.normal_ranges}, {r.label: r for r in b.normal_ranges}
    added, removed, both = added_removed(old, new)
    out += [Change(LOWERS, f"a child's normal range for {r} removed: no adult floor at those ages", F,
                   f"normal_range '{r}'") for r in removed]
    out += [Change(CHANGES, f"a child's normal range for {r} added", F, f"normal_range '{r}'") for r in added]
    for label in both:
        o, n = old[label], new[label]
        for field in sorted(set(o.ranges) | set(n.ranges)):
            lo, hi = o.ranges.get(field), n.ranges.get(field)
            if lo == hi:
                continue
            wider = hi is None or lo is not None and (hi[0] < lo[0] or hi[1] > lo[1])
            words = (f"{lo[0]:g}-{lo[1]:g}" if lo else "none") + " → " + (f"{hi[0]:g}-{hi[1]:g}" if hi else "none")
            out.append(Change(LOWERS if wider else RAISES,
                              f"a child's normal {field} at {label} {words}: "
                              f"{'wider, the adult bands grade fewer readings' if wider else 'narrower'}", F,
                              f"normal_range '{label}'.{field}", list(lo or ()), list(hi or ())))
    return out
