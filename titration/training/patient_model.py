"""The simulated patient of a training scenario: reacts to what the pump does, speaks, has vitals.

How it behaves is read from the scenario by behaviour.py (README "Writing a scenario").
The patient is deterministic: its course depends only on the pump history it is shown and on
the seed (vitals noise is seeded by seed and time, so asking twice gives the same reading).
The patient speaks in its own words (the catalogue's `words`), never in grades.
"""
from __future__ import annotations

import math
import random
from bisect import bisect_right
from dataclasses import dataclass

from ..catalogue_file import load_catalogue
from ..vitals import VITAL_FIELDS, Vitals
from .behaviour import ReactionSpec, read_behaviour

EPS = 1e-9


# ---------------------------------------------------------------------------- what the pump does
@dataclass(frozen=True)
class Pump:
    """The pump from `at_min` on (a step change in what the patient receives)."""

    at_min: float
    rate_ml_h: float
    rung: int
    status: str  # planned | running | paused | ended


IDLE = Pump(0.0, 0.0, -1, "planned")


class PumpHistory:
    """The pump's history from a session's events (confirmed rates only), read incrementally:
    events are append-only, so each update reads only the events added since the last one
    (a replay of N actions then costs N, not N squared)."""

    def __init__(self) -> None:
        self.changes: list[Pump] = []
        self._read = 0
        self._rung = 0

    def update(self, events) -> list[Pump]:
        if len(events) < self._read:  # not the same history: read it afresh
            self.changes, self._read, self._rung = [], 0, 0
        out = self.changes
        for e in events[self._read:]:
            k, d = e.kind, e.data
            if k in ("start", "increase", "resume"):
                self._rung = d.get("rung", self._rung)
                out.append(Pump(e.at_min, d["rate_ml_h"], self._rung, "running"))
            elif k == "action":
                a = d.get("action")
                if a == "stop":
                    out.append(Pump(e.at_min, 0.0, -1, "ended"))
                elif a == "pause":
                    out.append(Pump(e.at_min, 0.0, self._rung, "paused"))
                else:
                    self._rung = d.get("rung", self._rung)
                    out.append(Pump(e.at_min, d["rate_ml_h"], self._rung, "running"))
            elif k == "pause":
                out.append(Pump(e.at_min, 0.0, self._rung, "paused"))
            elif k == "prescriber_rate" and d.get("rate_ml_h") is not None:  # a rate the prescriber set now
                out.append(Pump(e.at_min, d["rate_ml_h"], self._rung, "running"))
            elif k == "complete":  # the pump ran dry when the volume was in, maybe before the nurse confirmed
                out.append(Pump(min(e.at_min, d.get("volume_in_min", e.at_min)), 0.0, -1, "ended"))
            elif k == "stop":
                out.append(Pump(e.at_min, 0.0, -1, "ended"))
        self._read = len(events)
        return out


def _at(p: Pump) -> float:
    return p.at_min


# ---------------------------------------------------------------------------- the patient
@dataclass(frozen=True)
class PatientEvent:
    at_min: float
    kind: str  # onset | worse | recur | better
    reaction: str
    symptom_ids: tuple[str, ...]
    text: str  # '' when the patient says nothing (a silent reaction)


class _Course:
    """One reaction's course: dormant -> active -> settled (-> active again on a recurrence)."""

    def __init__(self, spec: ReactionSpec):
        self.spec = spec
        self.phase = "dormant"  # dormant | active | settled | gone
        self.cond_since: float | None = None
        self.onset_at: float | None = None
        self.onset_rate = 0.0
        self.symptoms: tuple[str, ...] = ()
        self.deltas: dict = {}
        self.worsened = False
        self.unrel_acc = 0.0
        self.unrel_since: float | None = None
        self.relief_since: float | None = None
        self.settled_at: float | None = None
        self.recurred = 0
        self.spoken = not spec.silent


class SimulatedPatient:
    """Answers the pump: symptoms start, settle when relieved, worsen when not, recur if rushed."""

    def __init__(self, scenario, seed: int = 0, plan=None):
        from ..plan import build_plan

        self.scenario = scenario
        self.seed = int(seed)
        self.plan = plan if plan is not None else build_plan(scenario.request)
        self.behaviour = read_behaviour(scenario)
        self.catalogue = load_catalogue()
        self.kg = self.plan.rate_weight_kg
        self.resolution = scenario.request.pump_resolution_ml_h
        self.courses = [_Course(s) for s in self.behaviour.reactions]
        self.t = 0.0
        self.pump = IDLE
        self.started_at: float | None = None
        self.ended_at: float | None = None
        self.log: list[PatientEvent] = []
        self._seen = 0  # how many pump changes have been looked at for the start and the end

    # -------------------------------------------------------------- queries
    @property
    def baseline(self) -> Vitals | None:
        return self.behaviour.baseline

    def complaints(self) -> tuple[str, ...]:
        """Symptom ids the patient has now (silent reactions excluded)."""
        out: list[str] = []
        for c in self.courses:
            if c.phase == "active" and c.spoken:
                out += [s for s in c.symptoms if s not in out]
        return tuple(out)

    def unwell(self) -> bool:
        """Any reaction active now, spoken or silent."""
        return any(c.phase == "active" for c in self.courses)

    def unwell_at(self, t: float) -> bool:
        """Was any reaction active at time t (from the log; t up to the patient's clock)?"""
        state: dict[str, bool] = {}
        for e in self.log:
            if e.at_min > t + EPS:
                break
            state[e.reaction] = e.kind != "better"
        return any(state.values())

    def utterances(self) -> list[PatientEvent]:
        return [e for e in self.log if e.text]

    def next_event_at(self) -> float | None:
        """When the patient will next change if the pump stays as it is now."""
        times = [x for x in (self._next(c) for c in self.courses) if x is not None]
        return max(min(times), self.t) if times else None

    def vitals(self, t: float | None = None) -> Vitals:
        """Observations now: baseline + the active reactions' changes + seeded noise."""
        t = self.t if t is None else t
        base = self.behaviour.baseline
        if base is None:
            return Vitals()
        values = base.to_dict()
        for c in self.courses:
            if c.phase != "active":
                continue
            k = 1.0
            if c.relief_since is not None and math.isfinite(c.spec.settle_min):
                k = max(0.0, 1.0 - (t - c.relief_since) / c.spec.settle_min)  # easing off while relieved
            for f, d in c.deltas.items():
                if f in values:
                    values[f] += d * k
        rng = random.Random(f"{self.seed}:{t:.4f}")
        out = {}
        for f, v in values.items():
            v += rng.gauss(0.0, self.behaviour.noise.get(f, 0.0))
            lo, hi = VITAL_FIELDS[f][2]
            v = min(max(v, lo), hi)
            out[f] = round(v, 1) if f == "temp_c" else float(round(v))
        return Vitals(**out)

    # -------------------------------------------------------------- time
    def advance(self, t: float, changes: list[Pump]) -> list[PatientEvent]:
        """Live up to time t under the pump history `changes` (in time order; a later call passes
        the same history, perhaps longer); returns what happened. Changes are found by bisection
        and each is looked at once, so a long history costs no more per call than a short one."""
        n0 = len(self.log)
        t = max(t, self.t)
        self._set_pump(changes, bisect_right(changes, self.t + EPS, key=_at))
        first, last = bisect_right(changes, self.t + EPS, key=_at), bisect_right(changes, t + EPS, key=_at)
        bounds = sorted({c.at_min for c in changes[first:last]})
        for seg_end in bounds + [t]:
            self._run_to(min(seg_end, t))
            if seg_end < t + EPS:
                self._set_pump(changes, bisect_right(changes, seg_end + EPS, key=_at))
        self.t = t
        return self.log[n0:]

    def _set_pump(self, changes: list[Pump], upto: int) -> None:
        """The pump as it is after the first `upto` changes (those up to now)."""
        self.pump = changes[upto - 1] if upto else IDLE
        x = self.t
        for c in changes[self._seen:upto]:  # the first start and the end, each change looked at once
            if self.started_at is None and c.status == "running" and c.at_min <= x + EPS:
                self.started_at = c.at_min
            if self.ended_at is None and c.status == "ended" and c.at_min <= x + EPS:
                self.ended_at = c.at_min
        self._seen = max(self._seen, upto)
        for c in self.courses:
            self._sync(c, x)

    def _run_to(self, end: float) -> None:
        for _ in range(10_000):
            nxt = self.next_event_at()
            if nxt is None or nxt > end + EPS:
                break
            self.t = max(self.t, nxt)
            for c in self.courses:
                x = self._next(c)
                if x is not None and x <= self.t + EPS:
                    self._fire(c, self.t)
            for c in self.courses:
                self._sync(c, self.t)
        self.t = max(self.t, end)

    # -------------------------------------------------------------- one reaction
    def _reached(self, c: _Course) -> bool:
        p, o = self.pump, c.spec.onset
        if p.status != "running":
            return False
        if o.kind == "rate_ml_kg_min":
            # within one pump resolution: rates are rounded down to the pump's resolution
            return p.rate_ml_h + self.resolution >= o.value * self.kg * 60.0 - EPS
        if o.kind == "step":
            return p.rung >= int(o.value) - 1
        return False

    def _relieved(self, c: _Course) -> bool:
        p, how = self.pump, c.spec.settles_on
        if how == "stop":
            return p.status == "ended"
        if how == "pause":
            return p.status != "running"
        return p.status != "running" or p.rate_ml_h < c.onset_rate - EPS

    def _raised_again(self, c: _Course) -> bool:
        p = self.pump
        return p.status == "running" and p.rate_ml_h >= c.onset_rate - EPS

    def _sync(self, c: _Course, x: float) -> None:
        """Update a course's timers for the pump as it is now."""
        if c.phase == "dormant" and c.spec.onset.kind in ("rate_ml_kg_min", "step"):
            c.cond_since = (c.cond_since if c.cond_since is not None else x) if self._reached(c) else None
        elif c.phase == "active":
            if self._relieved(c):
                if c.unrel_since is not None:
                    c.unrel_acc += x - c.unrel_since
                    c.unrel_since = None
                c.relief_since = c.relief_since if c.relief_since is not None else x
            else:
                c.relief_since = None
                c.unrel_since = c.unrel_since if c.unrel_since is not None else x
        elif c.phase == "settled":
            s = c.spec
            if not self._raised_again(c) or c.recurred >= 1 or s.recur_within_min <= 0:
                c.cond_since = None
            elif c.cond_since is None and x - c.settled_at < s.recur_within_min - EPS:
                c.cond_since = x

    def _next(self, c: _Course) -> float | None:
        s = c.spec
        if c.phase == "dormant":
            o = s.onset
            if o.kind == "clock_min":
                return o.value
            if o.kind == "at_min":
                return None if self.started_at is None else self.started_at + o.value
            if o.kind == "after_end_min":
                return None if self.ended_at is None else self.ended_at + o.value
            return None if c.cond_since is None else c.cond_since + o.delay_min
        if c.phase == "active":
            times = []
            if s.resolves_at_min is not None:
                times.append(s.resolves_at_min)
            if c.unrel_since is not None and s.worsen_after_min is not None and not c.worsened:
                times.append(c.unrel_since + s.worsen_after_min - c.unrel_acc)
            if c.relief_since is not None and math.isfinite(s.settle_min):
                times.append(c.relief_since + s.settle_min)
            return min(times) if times else None
        if c.phase == "settled" and c.cond_since is not None:
            return c.cond_since + s.recur_delay_min
        return None

    def _fire(self, c: _Course, x: float) -> None:
        s, p = c.spec, self.pump
        if c.phase == "dormant":
            if s.onset.kind == "at_min" and p.status != "running":
                c.phase = "gone"  # the infusion is not running then: nothing to react to
                return
            self._begin(c, x, "onset", s.symptoms, s.vitals)
            return
        if c.phase == "active":
            settle = c.relief_since is not None and c.relief_since + s.settle_min <= x + EPS
            if s.resolves_at_min is not None and s.resolves_at_min <= x + EPS:
                settle = True
            if settle:
                c.phase, c.settled_at, c.deltas = "settled", x, {}
                c.cond_since = c.unrel_since = c.relief_since = None
                self._say(x, "better", c, (), self.behaviour.better_words if c.spoken else "")
                return
            c.worsened = True
            c.symptoms, c.deltas = s.worsen_to or c.symptoms, s.worsen_vitals
            c.spoken = c.spoken or bool(s.worsen_to)  # a silent fever left alone turns into rigors
            self._say(x, "worse", c, c.symptoms, self._words(c.symptoms, self.behaviour.worse_words, not c.spoken))
            return
        if c.phase == "settled":
            c.recurred += 1
            self._begin(c, x, "recur", s.recur_symptoms, s.vitals)

    def _begin(self, c: _Course, x: float, kind: str, symptoms, deltas) -> None:
        c.phase, c.onset_at, c.symptoms, c.deltas = "active", x, tuple(symptoms), dict(deltas)
        c.spoken = not c.spec.silent
        c.onset_rate = self.pump.rate_ml_h if self.pump.status == "running" else 0.0
        c.worsened, c.unrel_acc, c.unrel_since, c.relief_since, c.cond_since = False, 0.0, None, None, None
        prefix = self.behaviour.recur_words if kind == "recur" else ""
        self._say(x, kind, c, c.symptoms, self._words(c.symptoms, prefix, not c.spoken))

    def _words(self, symptoms, prefix: str, silent: bool) -> str:
        if silent or not symptoms:
            return ""
        said = " ".join(self.catalogue.symptom(s).words or self.catalogue.symptom(s).label for s in symptoms)
        return f"{prefix} {said}".strip()

    def _say(self, x: float, kind: str, c: _Course, symptoms, text: str) -> None:
        self.log.append(PatientEvent(x, kind, c.spec.id, tuple(symptoms), text))


