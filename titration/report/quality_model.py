"""The unit's quality report as values both writers draw (HTML here in the core, PDF with Qt):
headline figures, then sections, each with the answer in one sentence, charts where a person would
rather look, and tables where they would rather read."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Table:
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: frozenset = frozenset()  # columns aligned right
    note: str = ""


@dataclass(frozen=True)
class Chart:
    """Bars: one group per label, one bar per series (`values[i]` for `labels[i]`)."""

    title: str
    labels: tuple[str, ...]
    series: tuple[tuple[str, tuple[float, ...]], ...]  # (name, values)
    unit: str
    horizontal: bool = False
    note: str = ""


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    note: str = ""
    alarm: bool = False  # worth a look (a hard-limit hit, a severe reaction, missed observations)


@dataclass
class Section:
    title: str
    answer: str  # the one sentence a charge nurse reads first
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass
class QualityReport:
    title: str
    period: str
    scope: str  # real infusions only, or with training
    generated: str
    figures: list[Figure]
    sections: list[Section]
    notes: list[str]
