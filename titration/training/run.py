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
    run.set_speed(t, speed)                    # the simulation runs at `speed` from minute t (the debrief's
                                               # allowances are never shorter than a response in real time)
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
from dataclasses import dataclass

from ..bedside import KINDS as BEDSIDE_KINDS
from ..catalogue_file import load_catalogue
from ..data import resource
from ..errors import DataError, SessionError, TitrationError
from ..plan import build_plan
from ..policy import get_policy
from ..session import OBSERVATION_MIN, Event, Session
from ..vitals import Vitals
from .debrief import Debrief, _Debriefer
from .patient_model import EPS, PumpHistory, SimulatedPatient
from .scenario import confirm_end_if_due, record_prelude, start_second
from .settings import settings_for

MAX_DECISIONS = 20_000  # a perfect run that has not ended after this many moments is a bug
ROUNDING = 1e-3  # saved times carry 4 decimals (Event.to_dict)


@dataclass(frozen=True)
class Utterance:
    at_min: float
    text: str
    symptom_ids: tuple[str, ...]
    kind: str = "onset"  # onset | worse | recur | better (better: symptom_ids is empty)


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
        self.confirms_end_as: str | None = None  # the perfect nurse confirms the end at once, as this role
        self.speeds: list[tuple[float, float]] = [(0.0, 1.0)]  # (minute, speed) as the simulation ran

    # -------------------------------------------------------------- the simulation's speed
    def set_speed(self, at_min: float, speed: float) -> None:
        """The simulation runs at `speed` (simulated minutes per real minute) from minute `at_min`."""
        if speed <= 0:
            raise TitrationError(f"a simulation speed is more than 0, not {speed:g}")
        at = max(float(at_min), self.speeds[-1][0])
        if at <= self.speeds[-1][0] + EPS:
            self.speeds[-1] = (self.speeds[-1][0], float(speed))
        else:
            self.speeds.append((at, float(speed)))

    def speed_at(self, t: float) -> float:
        """The speed the simulation ran at minute `t` (the debrief scales its allowances by it)."""
        return next((v for at, v in reversed(self.speeds) if at <= t + EPS), self.speeds[0][1])

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
        if self.confirms_end_as is not None:
            confirm_end_if_due(self.session, t, self.confirms_end_as)
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
        """The trainee's actions, as session event dicts (confirming the end included)."""
        return [e.to_dict() for e in self.session.events if e.kind != "planned"]

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
            s.start(at, who=who, second=r.get("second", ""))
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
                s.override(at, p, action, float(r["rate_ml_h"]), r["override"], who=who, second=r.get("second", ""))
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
        elif k == "complete":
            p = s.due(at)
            if p is None or p.action != "complete":
                raise SessionError("the prescribed volume is not in yet, so the end cannot be confirmed")
            s.confirm(at, p, who=who)
        elif k in BEDSIDE_KINDS:  # sign-in, vials, premedication: recorded as they were
            s.apply(Event.from_dict(r))
        elif k == "planned":
            return  # the system's own event
        else:
            raise SessionError(f"unknown action kind {k!r}")

    # -------------------------------------------------------------- the end of the exercise
    def horizon(self) -> float:
        """When the exercise ends by itself: the observation hour over (or now, if closed)."""
        s = self.session
        slack = max(max(self.settings.tolerance.values()),
                    self.settings.response_s * max(v for _at, v in self.speeds) / 60.0)
        if s.status == "closed":
            return self.now
        if s.status in ("completed", "stopped"):
            return max(self.now, s.state.end_min + OBSERVATION_MIN + slack)
        if s.status == "running":
            done = s.completion_at()
            return max(self.now, (done if done is not None else self.now) + OBSERVATION_MIN + slack)
        return max(self.now, _reference(self.scenario, self.seed).now + slack)

    def debrief(self) -> Debrief:
        return _Debriefer(self, lambda: _reference(self.scenario, self.seed).debrief()).make()

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
                        "learning_goals": list(meta.get("learning_goals", [])),
                        "pending": str(meta.get("pending", ""))})
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
    who = record_prelude(scenario, s, None, who)
    run.confirms_end_as = who
    s.record_vitals(0.0, run.take_vitals(0.0), who=who)
    s.start(0.0, who=who, second=start_second(scenario, s))
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
