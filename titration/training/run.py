"""A trainee's run of a scenario with the simulated patient, and the debrief afterwards.

API (the GUI codes against this; keep it stable):

    run = TrainingRun(scenario, seed=0)        # scenario: titration.training.scenario.read_scenario(path)
    run.scenario, run.session, run.patient     # session is Session(training=True); patient a SimulatedPatient
    run.advance(t) -> list[Utterance]          # what the patient says up to minute t (each said once).
                                               # Nothing is recorded for the trainee: the trainee records
                                               # symptoms with run.session.report_symptoms(...).
                                               # advance also ticks the session (the pump completing).
    run.take_vitals(t) -> Vitals               # the patient's observations now, with noise; the GUI
                                               # pre-fills its vitals form; the trainee records them.
    run.debrief() -> Debrief                   # .items (DebriefItem: at_min, expected, done, verdict in
                                               # correct|late|early|missed|wrong, rule, done_at, kind),
                                               # .score (0-100), .to_dict(), .lines()
    run.responses() -> list[dict]              # the trainee's actions (session events), saveable
    run.save_responses(path)                   # JSON: {"scenario", "seed", "responses": [...]}
    TrainingRun.replay(scenario, responses) -> TrainingRun   # responses: a list, or the saved dict;
                                               # replays, then lets time run to the natural end
    run.now                                    # the last time advanced to (minutes)
    run.horizon() -> float                     # when the exercise naturally ends (for replays)
    run.expected_session() -> Session          # the perfect nurse's session on the same patient (draw
                                               # its rate_segments() beside the trainee's in the debrief)
    list_scenarios(folder=None) -> list[dict]  # shipped scenarios: path, title, description,
                                               # learning_goals, pending ('' or why it cannot run yet)

    run_with_patient(scenario, seed=0) -> Session   # the 'perfect nurse': every proposal confirmed at
                                               # once, symptoms recorded the moment they are said,
                                               # observations taken when due (for `simulate`)
    perfect_run(scenario, seed=0) -> TrainingRun    # the same, keeping the run (and its debrief)

Times are minutes from the planned start, passed by the caller (the core never reads a clock).
Tolerances for 'late' and the scoring weights are data: resources/training.toml, overridable per
scenario in [debrief.tolerance]. The debrief judges the trainee's own path: each duty the protocol
gave at each moment of that path (a step due, a reaction to act on, observations due, what the
patient said), against what the trainee did and when.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from ..data import Table, load_toml, resource
from ..errors import DataError, SessionError, TitrationError
from .patient_model import EPS, PatientEvent, PumpHistory, SimulatedPatient
from ..plan import build_plan
from ..policy import get_policy
from ..reactions import Vitals, load_catalogue
from ..session import OBSERVATION_MIN, Event, Proposal, Session

VERDICTS = ("correct", "late", "early", "missed", "wrong")
TOLERANCE_KEYS = ("increase", "reaction_action", "severe_action", "review_action", "record_symptoms", "resolved",
                  "vitals", "vitals_early", "detect", "start", "observation")
ITEM_KINDS = ("baseline", "start", "increase", "vitals", "record", "detect", "reaction", "review", "resolved",
              "observation")
MAX_DECISIONS = 20_000
ROUNDING = 1e-3  # saved times carry 4 decimals (Event.to_dict)  # a perfect run that has not ended after this many moments is a bug


@dataclass(frozen=True)
class Utterance:
    at_min: float
    text: str
    symptom_ids: tuple[str, ...]
    kind: str = "onset"  # onset | worse | recur | better (better: symptom_ids is empty)


@dataclass(frozen=True)
class DebriefItem:
    at_min: float  # when it fell due
    expected: str
    done: str  # what the trainee did ('' when missed)
    verdict: str  # correct | late | early | missed | wrong
    rule: str  # the protocol or policy rule it refers to, with its source
    done_at: float | None = None
    kind: str = ""

    def to_dict(self) -> dict:
        d = asdict(self)
        d["at_min"] = round(self.at_min, 1)
        d["done_at"] = None if self.done_at is None else round(self.done_at, 1)
        return d


@dataclass(frozen=True)
class Debrief:
    title: str
    items: tuple[DebriefItem, ...]
    score: int
    outcome: str

    def counts(self) -> dict:
        return {v: sum(1 for i in self.items if i.verdict == v) for v in VERDICTS}

    def to_dict(self) -> dict:
        return {"scenario": self.title, "score": self.score, "outcome": self.outcome, "counts": self.counts(),
                "items": [i.to_dict() for i in self.items]}

    def lines(self) -> list[str]:
        c = self.counts()
        out = [f"{self.title}: score {self.score}/100 ({self.outcome}); "
               + ", ".join(f"{n} {v}" for v, n in c.items() if n)]
        for i in self.items:
            when = f"{i.at_min:6.1f}"
            did = f" -> {i.done}" + (f" at {i.done_at:.1f}" if i.done_at is not None else "") if i.done else ""
            out.append(f"  {when}  {i.verdict.upper():<7} {i.expected}{did}  [{i.rule}]")
        return out


@dataclass(frozen=True)
class Settings:
    tolerance: dict
    weights: dict
    credit: dict


@lru_cache(maxsize=4)
def _base_settings(path: str | None = None) -> Settings:
    path = path or str(resource("training.toml"))
    top = Table(load_toml(path), path)
    tt, wt, ct = top.table("tolerance"), top.table("weights"), top.table("credit")
    tol = {k: tt.num(k, lo=0, hi=120) for k in TOLERANCE_KEYS}
    weights = {k: wt.num(k, lo=0, hi=100) for k in ITEM_KINDS}
    credit = {v: ct.num(v, lo=0, hi=1) for v in VERDICTS}
    return Settings(tol, weights, credit)


def settings_for(scenario) -> Settings:
    base = _base_settings()
    top = Table(scenario.raw, scenario.path)
    if not top.has("debrief"):
        return base
    d = top.table("debrief").only(("tolerance",), "debrief key")
    tt = d.table("tolerance", {}).only(TOLERANCE_KEYS, "tolerance")
    tol = dict(base.tolerance)
    for k in tt.data:
        tol[k] = tt.num(k, lo=0, hi=120)
    return Settings(tol, base.weights, base.credit)


# ---------------------------------------------------------------------------- the run
class TrainingRun:
    def __init__(self, scenario, seed: int = 0, session: Session | None = None):
        self.scenario = scenario
        self.seed = int(seed)
        if session is None:
            session = Session(build_plan(scenario.request), get_policy(scenario.policy), load_catalogue(),
                              simulation={"scenario": os.path.abspath(scenario.path), "seed": self.seed})
        self.session = session
        self.patient = SimulatedPatient(scenario, self.seed, plan=session.original_plan)
        self.settings = settings_for(scenario)
        self.now = 0.0
        self._said = 0  # how many utterances advance() has handed out
        self._pump = PumpHistory()

    @classmethod
    def resume(cls, session: Session, now: float, heard_until: float | None = None) -> "TrainingRun":
        """The run of a training session reopened after a crash: the same scenario and seed, the
        simulated patient brought through the recorded pump history to `now`. What it said up to
        `heard_until` (default: the last recorded event) was heard then; what it said later, while
        the app was closed, is said at the next advance, as a patient tells the nurse who comes back."""
        from .scenario import read_scenario

        sim = session.simulation
        if not sim or not sim.get("scenario"):
            raise TitrationError("the record does not name its scenario (started before this was kept)")
        scenario = read_scenario(sim["scenario"])
        if scenario.request != session.original_plan.request:
            raise TitrationError(f"{sim['scenario']} has changed since this simulation started")
        run = cls(scenario, int(sim.get("seed", 0)), session=session)
        heard_until = session.events[-1].at_min if heard_until is None else heard_until
        run._move(now)
        run._said = sum(1 for u in run.patient.utterances() if u.at_min <= heard_until + EPS)
        return run

    # -------------------------------------------------------------- the clock moves
    def _move(self, t: float) -> None:
        t = max(float(t), self.now)
        self.session.tick(t)
        self.patient.advance(t, self._pump.update(self.session.events))
        self.now = t

    def advance(self, t: float) -> list[Utterance]:
        """What the patient says up to minute t, each utterance once."""
        self._move(t)
        said = self.patient.utterances()
        out = [Utterance(e.at_min, e.text, e.symptom_ids, e.kind) for e in said[self._said:]]
        self._said = len(said)
        return out

    def take_vitals(self, t: float) -> Vitals:
        """The patient's observations at minute t (the trainee decides whether to record them)."""
        self._move(t)
        return self.patient.vitals(self.now)

    # -------------------------------------------------------------- saving and replaying
    def responses(self) -> list[dict]:
        """The trainee's actions, as session event dicts (the pump's own 'complete' left out)."""
        return [e.to_dict() for e in self.session.events if e.kind not in ("planned", "complete")]

    def save_responses(self, path: str) -> None:
        doc = {"scenario": self.scenario.path, "title": self.scenario.title, "seed": self.seed,
               "responses": self.responses()}
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, indent=1)

    @classmethod
    def replay(cls, scenario, responses, seed: int | None = None) -> "TrainingRun":
        """Replay a trainee's recorded actions against the same patient, then let time run out."""
        if isinstance(responses, dict):
            seed = responses.get("seed", 0) if seed is None else seed
            responses = responses.get("responses")
        if not isinstance(responses, list):
            raise TitrationError("responses: expected a list of actions (or the file the GUI saves)")
        run = cls(scenario, 0 if seed is None else seed)
        last = 0.0
        for i, r in enumerate(responses):
            where = f"responses[{i}]"
            if not isinstance(r, dict) or "kind" not in r or "at_min" not in r:
                raise TitrationError(f"{where}: each action needs 'at_min' and 'kind'")
            try:
                at = float(r["at_min"])
            except (TypeError, ValueError):
                raise TitrationError(f"{where}: at_min {r['at_min']!r} is not a number") from None
            if at < last - EPS:
                raise TitrationError(f"{where}: at {at:g} min is before the previous action ({last:g} min)")
            last = at
            done = run.session.completion_at()
            if done is not None and at < done <= at + ROUNDING:
                at = done  # times are saved to 4 decimals: the action came with the pump's completion
            run.advance(at)
            try:
                run._apply(at, r)
            except (SessionError, KeyError, TypeError, ValueError) as exc:
                msg = exc.args[0] if isinstance(exc, SessionError) else f"missing or bad value {exc}"
                raise TitrationError(f"{where} ({r['kind']} at {at:g} min): {msg}") from None
            except TitrationError as exc:
                raise TitrationError(f"{where} ({r['kind']} at {at:g} min): {exc}") from None
        run.advance(run.horizon())
        return run

    def _apply(self, at: float, r: dict) -> None:
        s, k, who = self.session, r["kind"], r.get("who", "nurse")
        if k == "vitals":
            s.record_vitals(at, Vitals.from_dict(r["vitals"]), who=who)
        elif k == "start":
            s.start(at, who=who)
        elif k == "symptoms":
            v = Vitals.from_dict(r["vitals"]) if r.get("vitals") else None
            s.report_symptoms(at, list(r["symptoms"]), v, who=who)
        elif k == "resolved":
            s.resolved(at, who=who)
        elif k in ("increase", "action"):
            p = s.due(at)
            action = r.get("action", "increase")
            if p is None:
                raise SessionError(f"nothing is due now, so '{action}' cannot be confirmed")
            if r.get("override"):
                s.override(at, p, action, float(r["rate_ml_h"]), r["override"], who=who)
                return
            rate = r.get("rate_ml_h")
            if p.action != action or (rate is not None and abs(float(rate) - p.rate_ml_h) > 1e-6):
                raise SessionError(f"'{action}' is not what is due now ({p.action} at {p.rate_ml_h:g} mL/h); "
                                   "an action other than the proposal needs an 'override' reason")
            s.confirm(at, p, who=who)
        elif k == "pause":
            s.pause(at, r.get("reason", ""), who=who)
        elif k == "resume":
            s.resume(at, r.get("rate_ml_h"), who=who)
        elif k == "stop":
            s.stop(at, r.get("reason") or "stopped by the nurse", who=who)
        elif k == "observed":
            s.close_observation(at, who=who, reason=r.get("early", ""))
        elif k == "note":
            s.note(at, r.get("text", ""), who=who)
        elif k in ("complete", "planned"):
            return  # the pump's and the system's own events
        else:
            raise SessionError(f"unknown action kind {k!r}")

    # -------------------------------------------------------------- the end of the exercise
    def horizon(self) -> float:
        """When the exercise ends by itself: the observation hour over (or now, if closed)."""
        s = self.session
        slack = max(self.settings.tolerance.values())
        if s.status == "closed":
            return self.now
        if s.status in ("completed", "stopped"):
            return max(self.now, s.state.end_min + OBSERVATION_MIN + slack)
        if s.status == "running":
            done = s.completion_at()
            return max(self.now, (done if done is not None else self.now) + OBSERVATION_MIN + slack)
        return max(self.now, _reference(self.scenario, self.seed).now + slack)

    def debrief(self) -> Debrief:
        return _Debriefer(self).make()

    def expected_session(self) -> Session:
        return _reference(self.scenario, self.seed).session


def list_scenarios(folder: str | None = None) -> list[dict]:
    """The scenarios in resources/scenarios/ (or `folder`), for a picker; unreadable ones say why."""
    import os

    from .scenario import read_scenario

    folder = folder or str(resource("scenarios"))
    out = []
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        if not name.endswith(".toml"):
            continue
        path = os.path.join(folder, name)
        try:
            sc = read_scenario(path)
            meta = sc.raw.get("meta", {}) if isinstance(sc.raw.get("meta"), dict) else {}
            out.append({"path": path, "title": sc.title, "description": str(meta.get("description", "")).strip(),
                        "learning_goals": list(meta.get("learning_goals", [])), "pending": str(meta.get("pending", ""))})
        except TitrationError as exc:
            out.append({"path": path, "title": name, "description": "", "learning_goals": [], "pending": str(exc)})
    return out


# ---------------------------------------------------------------------------- the perfect nurse
def perfect_run(scenario, seed: int = 0, who: str = "nurse", close: bool = True) -> TrainingRun:
    """Every proposal confirmed at once, symptoms recorded when said, observations when due.

    It runs to the end of the observation hour; `close=False` leaves the observation open (the
    session then says 'completed' or 'stopped', as `simulate` reports)."""
    run = TrainingRun(scenario, seed)
    s, p = run.session, run.patient
    s.record_vitals(0.0, run.take_vitals(0.0), who=who)
    s.start(0.0, who=who)
    t = 0.0
    for _ in range(MAX_DECISIONS):
        for u in run.advance(t):
            if u.symptom_ids:
                s.report_symptoms(t, list(u.symptom_ids), who=who)
            elif s.state.reaction is not None and s.state.reaction.resolved_at is None \
                    and s.status in ("running", "paused"):
                s.resolved(t, who=who)
        for _ in range(100):
            changed = False
            vd = s.vitals_due(t)
            last = s.state.last_vitals_at
            if vd is not None and vd[0] <= t + EPS and s.status != "closed" and (last is None or last < t - EPS):
                s.record_vitals(t, run.take_vitals(t), who=who)
                changed = True
                r = s.state.reaction
                if r is not None and r.resolved_at is None and s.status in ("running", "paused") \
                        and s.state.pending is None and not p.unwell():
                    s.resolved(t, who=who)  # a silent reaction: the observations are back to normal
            prop = s.due(t)
            if prop is not None:
                s.confirm(t, prop, who=who)
                changed = True
            if not changed:
                break
        if s.status in ("completed", "stopped"):
            obs_end = s.observation_ends_at()
            if t >= obs_end - EPS and (s.state.last_vitals_at or 0.0) >= obs_end - EPS:
                if close:
                    s.close_observation(t, who=who)
                return run
        run._move(t)  # let the patient see what the pump does from now on
        cands = [s.next_due_at(), s.completion_at(), p.next_event_at(), s.observation_ends_at()]
        vd = s.vitals_due(t)
        if vd is not None:
            cands.append(vd[0])
        cands = [x for x in cands if x is not None and x > t + EPS]
        if not cands:
            if s.status == "paused":
                raise DataError(scenario.path, "behaviour", "the infusion is paused with nothing left to happen")
            raise DataError(scenario.path, "behaviour", f"the run stalled at {t:g} min ({s.status})")
        t = min(cands)
    raise AssertionError("perfect run did not end")


def run_with_patient(scenario, seed: int = 0) -> Session:
    """The protocol's own actions against the simulated patient (for `simulate`)."""
    return perfect_run(scenario, seed, who="sim", close=False).session


_REFS: dict = {}


def _reference(scenario, seed: int) -> TrainingRun:
    key = (id(scenario), seed)
    if key not in _REFS:
        if len(_REFS) > 32:
            _REFS.clear()
        _REFS[key] = (scenario, perfect_run(scenario, seed))
    return _REFS[key][1]


# ---------------------------------------------------------------------------- the debrief
@dataclass
class _Duty:
    kind: str
    key: tuple
    due: float
    expected: str
    rule: str
    tol: float
    extra: dict = field(default_factory=dict)


class _Debriefer:
    """Walks the trainee's own session beside a shadow copy, listing each duty and its fate."""

    def __init__(self, run: TrainingRun):
        self.run = run
        self.s = run.session
        self.tol = run.settings.tolerance
        self.cat = self.s.catalogue
        self.pol = self.s.policy
        self.items: list[DebriefItem] = []
        self.open: dict[tuple, _Duty] = {}
        self.report_at: float | None = None
        self.silent_settled: list[float] = []
        self.last_threshold = -1.0
        self.closed: set = set()

    # -------------------------------------------------------------- bookkeeping
    def add(self, d: _Duty, verdict: str, done: str = "", at: float | None = None) -> None:
        self.items.append(DebriefItem(d.due, d.expected, done, verdict, d.rule, at, d.kind))

    def close(self, key: tuple, done: str, at: float, verdict: str | None = None) -> None:
        d = self.open.pop(key)
        self.closed.add(key)
        if verdict is None:
            verdict = "correct" if at <= d.due + d.tol + EPS else "late"
        self.add(d, verdict, done, at)

    def drop(self, key: tuple, at: float) -> None:
        """A duty no longer asked for: missed if it was already overdue, else forgotten."""
        d = self.open.pop(key)
        if at > d.due + d.tol + EPS:
            self.add(d, "missed")

    def find(self, kind: str) -> _Duty | None:
        return next((d for d in self.open.values() if d.kind == kind), None)

    # -------------------------------------------------------------- duties the shadow session gives
    def refresh(self, sh: Session, x: float) -> None:
        st = sh.state
        # observations
        vd = sh.vitals_due(x) if st.status not in ("planned", "closed") else None
        old = self.find("vitals")
        key = ("vitals", round(vd[0], 4), vd[1]) if vd else None
        if old is not None and old.key != key:
            self.drop(old.key, x)
        if vd is not None and key not in self.open and key not in self.closed:
            self.open[key] = _Duty("vitals", key, vd[0], f"observations: {vd[1]}",
                                   f"observations {vd[1]} (NL-IVIG002, heart transplant protocol; ref 2.4)",
                                   self.tol["vitals"])
        # what the protocol proposes
        p = sh.due(x)
        old_p = next((d for d in self.open.values() if d.kind in ("increase", "reaction", "review")), None)
        pkey = ("proposal", p.action, p.rate_ml_h, p.rung, p.reason) if p is not None else None
        if old_p is not None and old_p.key != pkey:
            self.drop(old_p.key, x)
        if p is not None and pkey not in self.open and pkey not in self.closed:
            self.open[pkey] = self.proposal_duty(sh, p, pkey, x)
        # the observation hour
        if st.status in ("completed", "stopped") and ("observe",) not in self.open and not self.observed:
            due = st.end_min + OBSERVATION_MIN
            self.open[("observe",)] = _Duty("observation", ("observe",), due,
                                            f"observe for {OBSERVATION_MIN:g} min after the end, then close",
                                            "observe for an hour after the end (design section 1; post-infusion "
                                            "observations 30-60 min, ref 2.4)", self.tol["observation"])

    def proposal_duty(self, sh: Session, p: Proposal, key: tuple, x: float) -> _Duty:
        st = sh.state
        if st.pending is not None:  # a reaction the trainee has just recorded
            due = self.report_at if self.report_at is not None else x
            tol = self.tol["severe_action" if p.action == "stop" and p.grade == "severe" else "reaction_action"]
            return _Duty("reaction", key, due, f"{p.action}: {p.reason}", p.rule or f"policy {self.pol.id}", tol)
        if st.reaction is not None:  # the review after a reaction
            due = sh.next_due_at()
            due = x if due is None or due > x else due
            return _Duty("review", key, due, f"{p.action}: {p.reason}",
                         (p.rule or f"policy {self.pol.id}") + f"; {self.pol.review_minutes:g}-min review (NHS Borders, ref 3)",
                         self.tol["review_action"])
        due = sh.next_step_at()
        due = x if due is None or due > x else due
        return _Duty("increase", key, due, p.reason, f"{p.rule} (step timing: {self.s.original_plan.protocol_name})",
                     self.tol["increase"])

    # -------------------------------------------------------------- the patient's side
    def patient_event(self, sh: Session, e: PatientEvent) -> None:
        st = sh.state
        open_reaction = st.reaction is not None and st.reaction.resolved_at is None and st.status in ("running", "paused")
        if e.kind == "better":
            if not e.text:
                self.silent_settled.append(e.at_min)
                d = self.find("detect")
                if d is not None:
                    self.drop(d.key, e.at_min)
            elif open_reaction:
                key = ("resolved", e.at_min)
                self.open[key] = _Duty("resolved", key, e.at_min, f'mark symptoms resolved: "{e.text}"',
                                       f"policy {self.pol.id}: resume only once symptoms have resolved within "
                                       f"{self.pol.review_minutes:g} min (NHS Borders, ref 3)", self.tol["resolved"])
            return
        if e.text:
            key = ("record", e.at_min, e.reaction)
            self.open[key] = _Duty("record", key, e.at_min, f'record what the patient reports: "{e.text}"',
                                   "record symptoms as the patient reports them; the policy grades them "
                                   f"(resources/symptoms.toml; policy {self.pol.id}, ref 3)", self.tol["record_symptoms"],
                                   {"ids": e.symptom_ids})
        elif st.status in ("running", "paused"):
            vd = sh.vitals_due(e.at_min)
            due = max(e.at_min, vd[0]) if vd else e.at_min
            key = ("detect", e.at_min)
            self.open[key] = _Duty("detect", key, due, "find the reaction in the observations (the patient does not "
                                   "complain)", "vitals can raise a grade: temperature >= 38.0 C or 1 C above baseline is "
                                   "moderate (resources/symptoms.toml; Lifeblood FNHTR, ref 3)", self.tol["detect"])

    # -------------------------------------------------------------- the trainee's side
    def trainee_event(self, sh: Session, e: Event) -> None:
        k, d, at = e.kind, e.data, e.at_min
        st = sh.state
        if k == "vitals":
            if st.status == "planned":
                bd = self.open.pop(("baseline",), None)
                if bd is not None:
                    self.add(bd, "correct", "baseline observations recorded", at)
                return
            vd = self.find("vitals")
            if vd is not None and at >= vd.due - self.tol["vitals_early"] - EPS:
                self.close(vd.key, "observations recorded", at)
            det = self.find("detect")
            if det is not None and d.get("grade", "none") != "none":
                self.close(det.key, f"observations recorded ({d['grade']} by the vitals)", at)
                self.report_at = det.due
            if self.silent_settled and st.reaction is not None and st.reaction.resolved_at is None \
                    and ("resolved-silent",) not in self.open and at >= self.silent_settled[-1] - EPS:
                self.open[("resolved-silent",)] = _Duty(
                    "resolved", ("resolved-silent",), at, "mark resolved once the observations are back to normal",
                    f"policy {self.pol.id}: resume only once resolved within {self.pol.review_minutes:g} min "
                    "(NHS Borders, ref 3)", self.tol["resolved"])
            return
        if k == "start":
            sd = self.open.pop(("start",), None)
            if sd is not None:
                self.add(sd, "correct" if at <= sd.due + sd.tol + EPS else "late", "started", at)
            bd = self.open.pop(("baseline",), None)
            if bd is not None:
                self.add(bd, "missed")
            return
        if k == "symptoms":
            self.trainee_symptoms(sh, e)
            return
        if k == "resolved":
            rd = next((x for x in self.open.values() if x.kind == "resolved"), None)
            if rd is not None:
                self.close(rd.key, "marked resolved", at)
            elif self.run.patient.unwell_at(at):
                self.items.append(DebriefItem(at, "mark resolved only when the symptoms have gone",
                                              "marked resolved while the patient still had them", "early",
                                              f"policy {self.pol.id}: resume only once symptoms have resolved "
                                              "(NHS Borders, ref 3)", at, "resolved"))
            return
        if k in ("increase", "action", "stop"):
            pd = next((x for x in self.open.values() if x.kind in ("increase", "reaction", "review")), None)
            if k == "stop":
                done = f"stopped ({d.get('reason', '')})"
                ok = pd is not None and pd.key[1] == "stop"
            else:
                done = f"{d.get('action', 'increase')} at {d.get('rate_ml_h', 0):g} mL/h"
                ok = pd is not None and not d.get("override") and d.get("action", "increase") == pd.key[1] \
                    and abs(d.get("rate_ml_h", 0) - pd.key[2]) < 1e-6
                if d.get("override"):
                    done += f" (override: {d['override']})"
            if pd is not None:
                self.close(pd.key, done, at, None if ok else "wrong")
            elif k == "stop":
                self.items.append(DebriefItem(at, "stop only for a severe reaction, a recurrence or an unresolved "
                                              "reaction", done, "wrong", f"policy {self.pol.id} (NHS Borders, ref 3)",
                                              at, "reaction"))
            return
        if k == "observed":
            for key in [x for x, dd in self.open.items() if dd.kind != "observation" and dd.due <= at + EPS]:
                self.add(self.open.pop(key), "missed")
            od = self.open.pop(("observe",), None)
            if od is not None:
                v = "early" if at < od.due - od.tol - EPS else ("correct" if at <= od.due + od.tol + EPS else "late")
                self.add(od, v, "observation closed", at)
            self.observed = True

    def trainee_symptoms(self, sh: Session, e: Event) -> None:
        at, ids = e.at_min, list(e.data.get("symptoms", ()))
        pending = sorted((x for x in self.open.values() if x.kind == "record" and x.due <= at + EPS),
                         key=lambda x: x.due)
        labels = ", ".join(self.cat.symptom(i).label for i in ids)
        if not pending:
            self.items.append(DebriefItem(at, "record only what the patient reports", f"recorded {labels}", "wrong",
                                          "record symptoms as the patient reports them (resources/symptoms.toml)",
                                          at, "record"))
            return
        self.report_at = pending[0].due
        said = self.cat.grade(pending[-1].extra["ids"]).grade
        got = self.cat.grade(ids).grade
        for x in pending:
            verdict = None
            if x is pending[-1] and said != got:
                verdict = "wrong"
            self.close(x.key, f"recorded {labels}" + (f" (graded {got}; the patient's words are {said})"
                                                      if verdict == "wrong" else ""), at, verdict)

    # -------------------------------------------------------------- the walk
    def make(self) -> Debrief:
        run, s = self.run, self.s
        self.observed = False
        horizon = run.now
        sh = Session.replay(s.events[:1])
        self.open[("baseline",)] = _Duty("baseline", ("baseline",), 0.0, "baseline observations before the start",
                                         "baseline observations before the start (NL-IVIG002; ref 2.4, ref 5)",
                                         self.tol["start"])
        self.open[("start",)] = _Duty("start", ("start",), 0.0, "start the infusion at the planned time",
                                      f"plan: step 1 at {s.rungs[0].rate_ml_h:g} mL/h from minute 0", self.tol["start"])
        pevents = [e for e in run.patient.log if e.at_min <= horizon + EPS]
        pi = 0
        for e in list(s.events[1:]) + [None]:
            until = horizon if e is None else e.at_min
            # the patient's events and the protocol's thresholds up to this moment, in time order
            while True:
                nd = sh.next_due_at()
                nd = nd if nd is not None and self.last_threshold + EPS < nd <= until + EPS else None
                pe = pevents[pi] if pi < len(pevents) and pevents[pi].at_min <= until + EPS else None
                if nd is None and pe is None:
                    break
                if pe is not None and (nd is None or pe.at_min <= nd + EPS):
                    self.refresh(sh, pe.at_min)
                    self.patient_event(sh, pe)
                    pi += 1
                else:
                    self.last_threshold = nd
                    self.refresh(sh, nd)
            if e is None:
                break
            self.refresh(sh, e.at_min)
            self.trainee_event(sh, e)
            sh.apply(e)  # the shadow follows the trainee's session event by event
            if sh.state.pending is None:
                self.report_at = None
            self.refresh(sh, e.at_min)
        self.refresh(sh, horizon)
        for key in list(self.open):
            d = self.open.pop(key)
            if d.due <= horizon + EPS:
                self.add(d, "missed")
        if s.status == "planned":
            self.not_started()
        items = sorted(self.items, key=lambda i: (i.at_min, ITEM_KINDS.index(i.kind) if i.kind in ITEM_KINDS else 99))
        w, c = self.run.settings.weights, self.run.settings.credit
        total = sum(w.get(i.kind, 1.0) for i in items)
        got = sum(w.get(i.kind, 1.0) * c[i.verdict] for i in items)
        score = 100 if total == 0 else int(round(100.0 * got / total))
        st = s.state
        outcome = {"planned": "not started", "running": "running", "paused": "paused"}.get(
            st.status, "stopped" if st.status == "stopped" or (st.status == "closed" and st.end_min is not None
                                                               and s.delivered_ml(st.end_min) < s.volume_ml - 1e-6)
            else "completed")
        return Debrief(run.scenario.title, tuple(items), score, outcome)

    def not_started(self) -> None:
        """The infusion never started: everything the protocol would have asked is missed."""
        ref = _reference(self.run.scenario, self.run.seed).debrief()
        for i in ref.items:
            if i.kind not in ("baseline", "start"):
                self.items.append(DebriefItem(i.at_min, i.expected, "", "missed", i.rule, None, i.kind))
