"""What no NEWS2 chart file may lower: the Royal College of Physicians' own thresholds.

Like catalogue_floor, this lives outside resources/news2.toml so that a damaged or carelessly
edited chart is refused on load rather than used: a chart may score higher (safer), never lower.
Source: NEWS2, Royal College of Physicians 2017, chart 1 (the scoring system) and the clinical
response thresholds (via Clin Med table 1, rcpjournals.org).
"""
from __future__ import annotations

from .errors import DataError

SOURCE = "NEWS2 (RCP 2017), chart 1 and the clinical response thresholds"

# Readings the RCP chart scores 3 (the extreme band on each side): the file must score them 3.
SCORE_3 = {
    "rr": (8.0, 25.0),
    "spo2": (91.0,),
    "sbp": (90.0, 220.0),
    "pulse": (40.0, 131.0),
    "temp_c": (35.0,),
}
# Readings the RCP chart scores 2 or more.
SCORE_2 = {"rr": (21.0,), "spo2": (92.0,), "sbp": (91.0,), "pulse": (111.0,), "temp_c": (39.1,),
           "on_oxygen": (1.0,)}  # supplemental oxygen scores 2


def check_news2_floor(chart, path: str) -> None:
    """Refuse a chart that would score a reading, or a total, less severely than the RCP does."""
    limits = (("urgent_total", chart.urgent_total, 5), ("emergency_total", chart.emergency_total, 7),
              ("single_score", chart.single_score, 3))
    for key, value, rcp in limits:
        if value > rcp:
            raise DataError(path, key, f"{value} is above the RCP's {rcp}: a higher threshold answers later "
                                       f"({SOURCE})")
    if chart.confusion_score < 3:
        raise DataError(path, "confusion_score", f"{chart.confusion_score} is below the RCP's 3 for new confusion "
                                                 f"({SOURCE})")
    if chart.from_years > 16:
        raise DataError(path, "from_years", f"{chart.from_years:g} is above the RCP's 16 years: older children "
                                            f"would go unscored ({SOURCE})")
    by_field = {p.field: (i, p) for i, p in enumerate(chart.parameters)}
    for need, table in ((3, SCORE_3), (2, SCORE_2)):
        for field, values in table.items():
            if field not in by_field:
                raise DataError(path, "parameter", f"has no {field!r}: every NEWS2 parameter is scored ({SOURCE})")
            i, p = by_field[field]
            for v in values:
                if p.score(v) < need:
                    raise DataError(path, f"parameter[{i}].scores",
                                    f"{p.label} {v:g} scores {p.score(v)}, below the RCP's {need} ({SOURCE})")
