"""What changed in the NEWS2 chart (news2.toml), in words, with its effect on safety."""
from __future__ import annotations

from .diff import LOWERS, RAISES, Change, way

F = "news2.toml"


def news2_changes(a, b) -> list[Change]:
    out = []
    for key, what in (("urgent_total", "total for an urgent review"), ("emergency_total", "total for an emergency "
                      "response"), ("single_score", "single score for an urgent review"),
                      ("from_years", "age from which it scores")):
        old, new = getattr(a, key), getattr(b, key)
        if old != new:  # a higher threshold answers later
            out.append(Change(way(old, new, LOWERS, RAISES), f"NEWS2 {what} {old:g} → {new:g}", F, key, old, new))
    if a.confusion_score != b.confusion_score:
        out.append(Change(way(a.confusion_score, b.confusion_score, RAISES, LOWERS),
                          f"NEWS2 score for new confusion {a.confusion_score} → {b.confusion_score}", F,
                          "confusion_score", a.confusion_score, b.confusion_score))
    old_p = {p.field: p for p in a.parameters}
    for i, p in enumerate(b.parameters):
        q = old_p.get(p.field)
        if q is None or (q.at_most, q.scores) == (p.at_most, p.scores):
            continue
        # lower where some reading now scores less than before
        points = sorted({*q.at_most, *p.at_most, *(v + 0.5 for v in (*q.at_most, *p.at_most))})
        lower = any(p.score(v) < q.score(v) for v in points)
        higher = any(p.score(v) > q.score(v) for v in points)
        effect = LOWERS if lower else RAISES if higher else "changes"
        out.append(Change(effect, f"NEWS2 {p.label} bands {list(q.at_most)} scored {list(q.scores)} → "
                                  f"{list(p.at_most)} scored {list(p.scores)}", F, f"parameter[{i}]",
                          list(q.scores), list(p.scores)))
    return out
