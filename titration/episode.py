"""A reaction episode: every finding from the first abnormal one until it is over, graded together.

A reaction develops over minutes: hives now, breathlessness five minutes later; a headache, then a
stiff neck. An episode opens at the first abnormal finding (a symptom, a vital sign in a band, an
early-warning score that asks for a review) and stays open until the nurse records it resolved AND
its review time has passed. Every finding in it counts together, in any order and split across any
number of entries, for the combination rules (anaphylaxis by WAO 2020 / NIAID-FAAN, aseptic
meningitis, TRALI, circulatory overload) and for the kind; its grade only goes up.

The criteria also reach beyond it: each is matched over every finding of the infusion within its own
time window (findings.py), whatever the episode boundaries and whatever was recorded resolved. A
criterion an entry completes with earlier findings is carried into the entry's episode and holds there.

The episode is rebuilt from the journal like everything else: it is folded from the same events.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .reactions import GRADES, Catalogue, Grading, Hit, grade_index, higher
from .session_events import EPS


@dataclass
class Episode:
    opened_at: float
    ceiling_ml_h: float | None = None  # no climb while it is open: the lowest rate set during it
    symptoms: list[str] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    judge: list[str] = field(default_factory=list)
    news: Hit | None = None  # the highest early-warning finding in it
    carried: dict[str, str] = field(default_factory=dict)  # criteria completed with earlier findings: why
    grade: str = "none"  # only goes up
    kind: str = "other"
    criteria: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    handled: str = "none"  # the grade its current reaction is handled at (after recurrence)
    resolved_at: float | None = None
    review_at: float | None = None  # set when an action (or advice) is confirmed
    last_at: float = 0.0

    # ------------------------------------------------------------ open or over
    def is_open(self, t: float) -> bool:
        """Open until resolved AND the review time has passed."""
        over = self.resolved_at is not None and self.review_at is not None and t >= self.review_at - EPS
        return not over

    def closes_at(self) -> float | None:
        """When it will be over if nothing more is found; None while it is not resolved."""
        if self.resolved_at is None or self.review_at is None:
            return None
        return max(self.review_at, self.resolved_at)

    # ------------------------------------------------------------ findings
    def add(self, at: float, catalogue: Catalogue, symptoms, hits, judge=(), news: Hit | None = None,
            carried=None, pictures=None) -> Grading:
        """Add an entry's findings and grade the whole episode again (the grade never falls). `carried`:
        criteria this entry completes with earlier findings of the infusion (they hold from now on);
        `pictures`: what each kind's window holds, for naming the kind."""
        for cid, why in (carried or {}).items():
            self.carried.setdefault(cid, why)
        for sid in symptoms:
            if sid not in self.symptoms:
                self.symptoms.append(sid)
        for h in hits:
            if h not in self.hits:
                self.hits.append(h)
        for j in judge:
            if j not in self.judge:
                self.judge.append(j)
        if news is not None and (self.news is None or grade_index(news.grade) >= grade_index(self.news.grade)):
            self.news = news
        self.last_at = at
        g = self.grading(catalogue, pictures)
        if grade_index(g.grade) >= grade_index(self.grade):
            self.kind, self.criteria, self.reasons = g.kind, g.criteria, g.reasons
        self.grade = higher(self.grade, g.grade)
        return g

    def grading(self, catalogue: Catalogue, pictures=None) -> Grading:
        hits = self.hits + ([self.news] if self.news is not None else [])
        return catalogue.combine(self.symptoms, hits, self.judge, carried=self.carried, pictures=pictures)

    def has(self, sid: str) -> bool:
        return sid in self.symptoms

    # ------------------------------------------------------------ the nurse's steps
    def acted(self, at: float, review_minutes: float) -> None:
        """An action or advice confirmed: the review time runs from it."""
        self.review_at = max(self.review_at or at, at + review_minutes)

    def rate_set(self, rate_ml_h: float) -> None:
        """A rate set while it is open becomes its ceiling (a pause sets none)."""
        if rate_ml_h > 0:
            self.ceiling_ml_h = rate_ml_h if self.ceiling_ml_h is None else min(self.ceiling_ml_h, rate_ml_h)

    def came_back(self) -> bool:
        """A finding after the nurse recorded it resolved: the symptoms came back (a new reaction)."""
        back = self.resolved_at is not None
        self.resolved_at = None
        return back

    def summary(self) -> str:
        kinds = f", {self.kind}" if self.kind != "other" else ""
        return f"reaction episode from {self.opened_at:g} min: {self.grade}{kinds} ({len(self.symptoms)} symptoms, " \
               f"{len(self.hits)} vital-sign findings)"


def worse(a: str, b: str) -> bool:
    """Grade a is above grade b."""
    return GRADES.index(a) > GRADES.index(b)
