"""Every finding of one infusion, by time: what each criterion's time window is matched over.

A reaction builds over minutes to hours, and recording it resolved does not end what the body does:
WAO 2020 and NIAID/FAAN count the signs of anaphylaxis whose onset is "minutes to several hours"
after exposure, the TRALI definition those within 6 h, aseptic meningitis follows up to days later.
An episode (episode.py) groups findings for the nurse's steps (the review, the grade that only goes
up, recurrences); this record keeps the first time each sign was seen, so that a criterion is matched
over every finding within its own window (resources/symptoms.toml: from the start of the infusion to
so many hours after its end), whatever the episode boundaries. A finding that completes a criterion
with earlier findings is carried into its episode as that criterion.

Folded from the events like the rest of the state: a replay rebuilds it. Work per entry is bounded by
the catalogue's size (one entry per sign or symptom id), never by the length of the infusion.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .bands import Criterion, within


@dataclass(frozen=True)
class Seen:
    at: float  # minutes: the first time this sign or symptom was found
    label: str  # the finding that showed it ("Flushing", "Hypoxaemia: SpO2 below 90 % ...")


def entry_members(symptoms, hits, catalogue) -> dict[str, str]:
    """An entry's members (symptom ids and the signs they and the vital-sign findings show), each with
    the label of the finding that showed it."""
    out: dict[str, str] = {}
    for sid in symptoms:
        s = catalogue.symptom(sid)
        for m in (sid, *s.signs):
            out.setdefault(m, s.label)
    for h in hits:
        if h.sign and h.grade != "none":
            out.setdefault(h.sign, h.label)
    return out


@dataclass
class FindingsRecord:
    first: dict[str, Seen] = field(default_factory=dict)

    def members(self, hours: float | None, end: float | None) -> set[str]:
        """The signs and symptom ids found from the start of the infusion to `hours` after its end."""
        return {m for m, seen in self.first.items() if within(seen.at, hours, end)}

    def completes(self, criteria: tuple[Criterion, ...], at: float, entry: dict[str, str],
                  end: float | None) -> dict[str, str]:
        """The criteria this entry completes with earlier findings (criterion id: why, naming them): each
        holds over the findings within its window with this entry, and held neither without it nor on
        the entry alone."""
        out: dict[str, str] = {}
        if not entry:
            return out
        here = set(entry)
        for c in criteria:
            if not within(at, c.window_hours, end):
                continue
            before = self.members(c.window_hours, end)
            if c.holds(before | here) and not c.holds(before) and not c.holds(here):
                earlier = [self.first[m] for m in sorted(before & (c.members() - here))]
                named = ", ".join(dict.fromkeys(f"{_lower(s.label)} at {s.at:g} min"
                                                for s in sorted(earlier, key=lambda s: s.at)))
                out[c.id] = f"{c.label}, with {named} ({c.window_words()}; {c.source})"
        return out

    def add(self, at: float, entry: dict[str, str]) -> None:
        for m, label in entry.items():
            self.first.setdefault(m, Seen(at, label))


def _lower(label: str) -> str:
    return label[:1].lower() + label[1:] if label[1:2].islower() else label
