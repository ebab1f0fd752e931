"""What one infusion tells the unit's quality report, read from its events in one replay.

- product, indication, how it ended; the library version it was planned with;
- time to the maximum rate: when the plan reached its top rate (minutes after the start) and when
  the pump really did (the first confirmed rate at the top); None where it never did;
- reactions: each episode (first abnormal finding until resolved and reviewed) with its highest
  grade, its kind and the step it began in (0: before the start; None: after the end);
- soft limits set aside when it was planned, with their reasons;
- hard-limit hits: rates refused by a hard limit (journaled by the session as notes);
- proposals not followed: reaction proposals overridden, with what was done instead and why;
- observations: rounds due, and how many were late or missed (report/observations.py);
- the chair's time: from the infusion's first event to its last (the observation closed), in
  wall-clock seconds (the session's start plus its minutes at its speed).
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields

from ..errors import TitrationError
from ..session_events import EPS
from .observations import RoundsWatch

GRADED = ("mild", "moderate", "severe")


@dataclass(frozen=True, slots=True)
class ReactionFact:
    onset_min: float
    step: int | None  # the step it began in (1 = the first rate); 0 before the start; None after the end
    grade: str
    kind: str


@dataclass(slots=True)
class InfusionFacts:
    session_id: int
    chair: str
    training: bool
    wall_start: float
    product: str
    product_name: str
    indication: str
    library_version: int | None
    started: bool = False
    outcome: str = "not started"  # completed | stopped | running (not ended) | not started
    steps: int = 0
    planned_to_max_min: float | None = None
    actual_to_max_min: float | None = None
    reactions: list[ReactionFact] = field(default_factory=list)
    soft_overrides: list[tuple[str, str]] = field(default_factory=list)  # (limit, reason)
    hard_hits: list[tuple[str, str]] = field(default_factory=list)  # (what was tried, the limit)
    not_followed: list[tuple[str, str, str]] = field(default_factory=list)  # (proposed, done, reason)
    rounds_due: int = 0
    rounds_late: int = 0
    rounds_missed: int = 0
    chair_s: float = 0.0


FACT_FIELDS = tuple(x.name for x in fields(InfusionFacts))
REACTION_FIELDS = tuple(x.name for x in fields(ReactionFact))


def planned_to_max(plan) -> float | None:
    """Minutes after the start at which the plan first runs at its top rate (None: the volume is in before)."""
    top = plan.rungs[-1].rate_ml_h
    start = plan.steps[0].start_min if plan.steps else 0.0
    for step in plan.steps:
        if step.rate_ml_h >= top - EPS:
            return step.start_min - start
    return None


class Unreplayable(Exception):
    """A record the replay refuses: why, and where (', event #N', or '' for the record as a whole)."""

    def __init__(self, why: str, where: str = ""):
        super().__init__(why)
        self.why, self.where = why, where


# What a damaged record raises in the replay: the session's own refusals, and a value missing
# or of the wrong kind where the record should hold one
DAMAGE = (TitrationError, KeyError, TypeError, ValueError, IndexError, OverflowError, AttributeError)


def facts(session_id: int, row: dict, events: list[dict], policy=None, catalogue=None) -> InfusionFacts:
    """The facts of one infusion (row: its listing, as `sessions()` gives it), replayed once; a
    record that cannot be replayed raises Unreplayable, naming the event where it can."""
    at = [0]  # the event being read (1: the first), for a refusal to name
    try:
        return _facts(session_id, row, events, policy, catalogue, at)
    except DAMAGE as exc:
        why = f"{exc.args[0]!r} is missing" if type(exc) is KeyError and exc.args else str(exc)
        raise Unreplayable(why, f", event #{at[0]}" if at[0] else "") from None


def _facts(session_id: int, row: dict, events: list[dict], policy, catalogue, at: list[int]) -> InfusionFacts:
    from ..session import Event, Session

    evs: list = []
    for at[0], e in enumerate(events, 1):
        evs.append(Event.from_dict(e))
    at[0] = 1
    s = Session.replay(evs[:1], policy, catalogue)
    s.replanner.when_read()  # the facts read the first plan only
    plan = s.original_plan
    req = plan.request
    lib = s.library or {}
    f = InfusionFacts(session_id, row.get("chair") or "", bool(row.get("training") or s.training),
                      float(row.get("wall_start") or 0.0), req.product, plan.product_name, req.indication,
                      lib.get("version"), steps=len(plan.rungs), planned_to_max_min=planned_to_max(plan),
                      soft_overrides=[(str(a), str(b)) for a, b in req.overrides])
    top = plan.rungs[-1].rate_ml_h
    watch = RoundsWatch()
    episodes: list = []
    for at[0], e in enumerate(evs[1:], 2):
        watch.before(s, e)
        before = s.state.episode
        s.apply(e)
        st = s.state
        if st.episode is not None and st.episode is not before:
            step = st.rung + 1 if st.status in ("running", "paused") else (0 if st.started_at is None else None)
            episodes.append((st.episode, step))
        if e.kind == "note" and isinstance(e.data.get("hard_limit"), dict):
            hit = e.data["hard_limit"]
            f.hard_hits.append((str(hit.get("intent", "")), str(hit.get("why", ""))))
        elif e.kind == "action" and e.data.get("override") is not None:
            f.not_followed.append((str(e.data.get("proposed", "")), str(e.data.get("action", "")),
                                   str(e.data.get("override", ""))))
        if f.actual_to_max_min is None and st.started_at is not None and st.status == "running" \
                and st.rate_ml_h >= top - EPS:
            f.actual_to_max_min = e.at_min - st.started_at
    at[0] = 0
    st = s.state
    f.started = st.started_at is not None
    if st.status in ("completed", "stopped"):
        f.outcome = st.status
    elif st.status == "closed":
        f.outcome = "stopped" if any(e.kind == "stop" or (e.kind == "action" and e.data.get("action") == "stop")
                                     for e in evs) else "completed"
    elif f.started:
        f.outcome = "running"
    f.reactions = [ReactionFact(ep.opened_at, step, ep.grade, ep.kind) for ep, step in episodes
                   if ep.grade in GRADED]
    rs = watch.finish(s, evs[-1].at_min)
    f.rounds_due = sum(1 for r in rs if r.status in ("on time", "late", "missed"))
    f.rounds_late = sum(1 for r in rs if r.status == "late")
    f.rounds_missed = sum(1 for r in rs if r.status == "missed")
    f.chair_s = (evs[-1].at_min - evs[0].at_min) * 60.0 / _speed(row.get("speed"))
    return f


def _speed(v) -> float:
    """The session's clock speed: 1 for a real infusion, more for a training run (simulate --speed)."""
    speed = float(v or 1.0)
    if not 0.0 < speed <= 100000.0:  # simulate's own range; NaN fails too
        raise ValueError(f"the session's clock speed {v!r} is not one the app runs at (above 0, to 100000)")
    return speed


def to_dict(f: InfusionFacts) -> dict:
    """The facts as plain JSON-ready values. Not dataclasses.asdict: it deep-copies value by value,
    a tenth of the report's cold run over a year."""
    d = {k: getattr(f, k) for k in FACT_FIELDS}
    d["reactions"] = [{k: getattr(r, k) for k in REACTION_FIELDS} for r in f.reactions]
    for key in ("soft_overrides", "hard_hits", "not_followed"):
        d[key] = [list(x) for x in d[key]]
    return d


def from_dict(d: dict) -> InfusionFacts:
    d = dict(d)
    d["reactions"] = [ReactionFact(**r) for r in d.get("reactions", [])]
    for key in ("soft_overrides", "hard_hits", "not_followed"):
        d[key] = [tuple(x) for x in d.get(key, [])]
    return InfusionFacts(**d)
