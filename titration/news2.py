"""The early-warning score: NEWS2 (RCP 2017) over the latest value of each parameter, with its parts.

A single parameter scoring 3, or a total of 5-6, asks for an urgent review (a moderate finding: at
least pause); 7 or more for an emergency response (severe: STOP). The chart lives in
resources/news2.toml with its source; this module only adds it up.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .data import Table, library_resource, load_toml

FIELDS = ("rr", "spo2", "on_oxygen", "sbp", "pulse", "temp_c")  # on_oxygen: 1 oxygen, 0 air (Vitals.values)
UNITS = {"rr": "/min", "pulse": "/min", "spo2": " %", "sbp": " mmHg", "temp_c": " °C"}


@dataclass(frozen=True)
class Parameter:
    field: str
    label: str
    at_most: tuple[float, ...]
    scores: tuple[int, ...]

    def score(self, value: float) -> int:
        for bound, s in zip(self.at_most, self.scores):
            if value <= bound:
                return s
        return self.scores[-1]


@dataclass(frozen=True)
class Part:
    label: str
    value: str  # as shown ("125/min", "new confusion")
    score: int

    def to_dict(self) -> dict:
        return {"label": self.label, "value": self.value, "score": self.score}


@dataclass(frozen=True)
class EarlyWarning:
    """A NEWS2 total with the parts it is made of, and what it asks for."""

    total: int
    parts: tuple[Part, ...]
    grade: str  # none | moderate (urgent review) | severe (emergency response)
    response: str
    source: str
    not_scored: str = ""

    @property
    def single_3(self) -> bool:
        return any(p.score >= 3 for p in self.parts)

    def text(self) -> str:
        """'NEWS2 9 (respiration rate 23/min: 2, ...)': the total with its parts, as a nurse checks it."""
        parts = ", ".join(f"{p.label} {p.value}: {p.score}" for p in self.parts)
        return f"NEWS2 {self.total} ({parts})"

    def to_dict(self) -> dict:
        return {"total": self.total, "parts": [p.to_dict() for p in self.parts], "grade": self.grade,
                "response": self.response, "source": self.source, "not_scored": self.not_scored}


@dataclass(frozen=True)
class Chart:
    parameters: tuple[Parameter, ...]
    from_years: float
    urgent_total: int
    emergency_total: int
    single_score: int
    confusion_symptoms: tuple[str, ...]
    confusion_score: int
    source: str
    response_source: str
    not_scored: str

    def applies(self, age_years: float | None) -> bool:
        return age_years is None or age_years >= self.from_years

    def score(self, latest: dict, confused: bool = False) -> EarlyWarning | None:
        """The aggregate over the latest values (field: number); None when nothing is recorded."""
        parts = []
        for p in self.parameters:
            if p.field in latest:
                v = latest[p.field]
                shown = ("oxygen" if v else "air") if p.field == "on_oxygen" else f"{v:g}{UNITS[p.field]}"
                parts.append(Part(p.label, shown, p.score(v)))
        if confused:
            parts.append(Part("Consciousness", "new confusion (CVPU)", self.confusion_score))
        if not parts:
            return None
        total = sum(p.score for p in parts)
        single = any(p.score >= self.single_score for p in parts)
        if total >= self.emergency_total:
            grade, response = "severe", (f"NEWS2 {total} (7 or more): emergency response: call the medical "
                                         f"emergency team now")
        elif total >= self.urgent_total or single:
            why = f"{total} (5 or more)" if total >= self.urgent_total else f"{total} with a single score of 3"
            grade, response = "moderate", f"NEWS2 {why}: urgent review by a clinician"
        else:
            grade, response = "none", f"NEWS2 {total}"
        said = "on_oxygen" in latest  # air or oxygen recorded: nothing left out
        return EarlyWarning(total, tuple(parts), grade, response, f"{self.source}; {self.response_source}",
                            "" if said else self.not_scored)


def read_chart(path: str) -> Chart:
    top = Table(load_toml(path), str(path))
    params, seen = [], set()
    for t in top.tables("parameter"):
        f = t.str("field", choices=FIELDS)
        if f in seen:
            raise t.fail("field", f"{f!r} appears twice")
        seen.add(f)
        bounds = t.nums("at_most", lo=-1.0)
        scores = t.nums("scores", lo=-1.0)
        if list(bounds) != sorted(set(bounds)):
            raise t.fail("at_most", "must rise from one bound to the next")
        if len(scores) != len(bounds) + 1 or any(s != int(s) or s > 3 for s in scores):
            raise t.fail("scores", f"must be {len(bounds) + 1} whole scores from 0 to 3 (one more than at_most)")
        params.append(Parameter(f, t.str("label"), bounds, tuple(int(s) for s in scores)))
    t = top
    t.schema_version(1)
    t.str("from_years_source")
    chart = Chart(
        tuple(params), t.num("from_years", lo=0, hi=21), int(t.num("urgent_total", lo=1, hi=20)),
        int(t.num("emergency_total", lo=1, hi=20)), int(t.num("single_score", lo=1, hi=3)),
        t.strs("confusion_symptoms"), int(t.num("confusion_score", lo=0, hi=3)), t.str("source"),
        t.str("response_source"), t.str("not_scored", ""),
    )
    top.finish()
    from .news2_floor import check_news2_floor

    check_news2_floor(chart, str(path))  # the RCP's own thresholds live outside the file they check
    return chart


@lru_cache(maxsize=4)
def load_chart(path: str | None = None) -> Chart:
    return read_chart(path or library_resource("news2.toml"))
