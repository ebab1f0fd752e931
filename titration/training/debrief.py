"""The debrief of a training run: each duty the protocol gave on the trainee's own path (a step
due, a reaction to act on, observations due, what the patient said), against what the trainee did
and when. Tolerances and weights are data (resources/training.toml, per scenario [debrief.tolerance])."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from ..session import OBSERVATION_MIN, Event, Proposal, Session
from .patient_model import EPS, PatientEvent, SimulatedPatient


class RunView(Protocol):
    """What a debrief reads of a training run (titration/training/run.py: TrainingRun)."""

    session: Session
    patient: SimulatedPatient
    scenario: Any
    seed: int
    settings: Any

    def speed_at(self, t: float) -> float: ...

    @property
    def now(self) -> float: ...

VERDICTS = ("correct", "late", "early", "missed", "wrong")
ITEM_KINDS = ("baseline", "start", "increase", "vitals", "record", "detect", "reaction", "review", "resolved",
              "complete", "observation")
PROPOSAL_KINDS = ("increase", "reaction", "review", "complete")


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
    lesson: str = ""  # the scenario's teaching point, shown with the verdicts

    def counts(self) -> dict:
        return {v: sum(1 for i in self.items if i.verdict == v) for v in VERDICTS}

    def to_dict(self) -> dict:
        return {"scenario": self.title, "score": self.score, "outcome": self.outcome, "counts": self.counts(),
                "items": [i.to_dict() for i in self.items], "lesson": self.lesson}

    def lines(self) -> list[str]:
        c = self.counts()
        out = [f"{self.title}: score {self.score}/100 ({self.outcome}); "
               + ", ".join(f"{n} {v}" for v, n in c.items() if n)]
        if self.lesson:
            out.append(f"  Lesson: {self.lesson}")
        for i in self.items:
            when = f"{i.at_min:6.1f}"
            did = f" -> {i.done}" + (f" at {i.done_at:.1f}" if i.done_at is not None else "") if i.done else ""
            out.append(f"  {when}  {i.verdict.upper():<7} {i.expected}{did}  [{i.rule}]")
        return out


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

    def __init__(self, run: RunView, reference: Callable[[], Debrief]):
        self.run = run
        self.reference = reference  # the perfect nurse's debrief on the same patient (a missed start)
        self.s = run.session
        self.tol = run.settings.tolerance
        self.response_s = run.settings.response_s
        self.cat = self.s.catalogue
        self.pol = self.s.policy
        self.items: list[DebriefItem] = []
        self.open: dict[tuple, _Duty] = {}
        self.report_at: float | None = None
        self.silent_settled: list[float] = []
        self.last_threshold = -1.0
        self.closed: set = set()

    # -------------------------------------------------------------- bookkeeping
    def allow(self, kind: str, due: float) -> float:
        """Minutes after `due` before a duty counts as late: the protocol's allowance, or the time a
        trainee needs to see an alert and act (response_s real seconds) in simulated minutes at the
        speed the simulation ran when it fell due, whichever is longer. At 60x, 20 real seconds are
        20 simulated minutes: a response that took seconds is never "late" for the speed alone."""
        return max(self.tol[kind], self.response_s * self.run.speed_at(due) / 60.0)

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
                                   self.allow("vitals", vd[0]))
        # what the protocol proposes
        p = sh.due(x)
        old_p = next((d for d in self.open.values() if d.kind in PROPOSAL_KINDS), None)
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
                                            "observations 30-60 min, ref 2.4)", self.allow("observation", due))

    def proposal_duty(self, sh: Session, p: Proposal, key: tuple, x: float) -> _Duty:
        st = sh.state
        if p.action == "complete":  # the bag is empty: confirm the pump has finished
            due = sh.completion_at()
            due = x if due is None or due > x else due
            return _Duty("complete", key, due, p.reason, f"{p.rule}; the nurse confirms the pump has finished",
                         self.allow("complete", due))
        if st.pending is not None:  # a reaction the trainee has just recorded
            due = self.report_at if self.report_at is not None else x
            tol = self.allow("severe_action" if p.action == "stop" and p.grade == "severe" else "reaction_action", due)
            return _Duty("reaction", key, due, f"{p.action}: {p.reason}", p.rule or f"policy {self.pol.id}", tol)
        if st.reaction is not None:  # the review after a reaction
            due = sh.next_due_at()
            due = x if due is None or due > x else due
            review = f"{self.pol.review_minutes:g}-min review (NHS Borders, ref 3)"
            rule = f"{p.rule or f'policy {self.pol.id}'}; {review}"
            return _Duty("review", key, due, f"{p.action}: {p.reason}", rule, self.allow("review_action", due))
        due = sh.next_step_at()
        due = x if due is None or due > x else due
        return _Duty("increase", key, due, p.reason, f"{p.rule} (step timing: {self.s.original_plan.protocol_name})",
                     self.allow("increase", due))

    # -------------------------------------------------------------- the patient's side
    def patient_event(self, sh: Session, e: PatientEvent) -> None:
        st = sh.state
        open_reaction = (st.reaction is not None and st.reaction.resolved_at is None
                         and st.status in ("running", "paused"))
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
                                       f"{self.pol.review_minutes:g} min (NHS Borders, ref 3)",
                                       self.allow("resolved", e.at_min))
            return
        if e.text:
            key = ("record", e.at_min, e.reaction)
            rule = ("record symptoms as the patient reports them; the policy grades them "
                    f"(resources/symptoms.toml; policy {self.pol.id}, ref 3)")
            self.open[key] = _Duty("record", key, e.at_min, f'record what the patient reports: "{e.text}"', rule,
                                   self.allow("record_symptoms", e.at_min), {"ids": e.symptom_ids})
        elif st.status in ("running", "paused"):
            vd = sh.vitals_due(e.at_min)
            due = max(e.at_min, vd[0]) if vd else e.at_min
            key = ("detect", e.at_min)
            rule = ("vitals can raise a grade: temperature >= 38.0 C or 1 C above baseline is moderate "
                    "(resources/symptoms.toml; Lifeblood FNHTR, ref 3)")
            self.open[key] = _Duty("detect", key, due, "find the reaction in the observations (the patient does not "
                                   "complain)", rule, self.allow("detect", due))

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
                    "(NHS Borders, ref 3)", self.allow("resolved", at))
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
            self.trainee_symptoms(e)
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
        if k == "complete":
            cd = self.find("complete")
            if cd is not None:
                self.close(cd.key, "end confirmed", at)
            return
        if k in ("increase", "action", "stop"):
            pd = next((x for x in self.open.values() if x.kind in PROPOSAL_KINDS), None)
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

    def trainee_symptoms(self, e: Event) -> None:
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
                                         self.allow("start", 0.0))
        self.open[("start",)] = _Duty("start", ("start",), 0.0, "start the infusion at the planned time",
                                      f"plan: step 1 at {s.rungs[0].rate_ml_h:g} mL/h from minute 0",
                                      self.allow("start", 0.0))
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
        return Debrief(run.scenario.title, tuple(items), score, outcome, run.scenario.lesson)

    def not_started(self) -> None:
        """The infusion never started: everything the protocol would have asked is missed."""
        ref = self.reference()
        for i in ref.items:
            if i.kind not in ("baseline", "start"):
                self.items.append(DebriefItem(i.at_min, i.expected, "", "missed", i.rule, None, i.kind))
