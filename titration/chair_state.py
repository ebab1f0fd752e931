"""The chair snapshot: everything a screen shows about one chair at one minute, immutable.

`ChairState` is computed by one function (titration/snapshot.py: `chair_state`) from a session and
what only the chair knows (`ChairFacts`: its name, the patient's label, the wall-clock start, the
speed, training or not) plus the minute it is taken at and the alerts the nurse silenced. The
chair screen, the chair list, the Overview and the Unit board all draw from it, for a chair driven
here and one driven elsewhere alike; no widget asks the session anything. Every text in it is
already in the nurse's words; every number keeps its unit in the field name. `to_dict` is its
compact JSON form (the unit board's summary and `unit status --json` carry it).
"""
from __future__ import annotations

from dataclasses import dataclass

from .alerts import Alert
from .day_fit import DayFit, DaySettings
from .news2 import EarlyWarning
from .vitals import Vitals


@dataclass(frozen=True)
class ChairFacts:
    """What only the chair knows: it is not in the session's events."""

    name: str
    patient: str = "patient (no identifier)"  # the label shown (the identifier, or "SIMULATED: ...")
    wall_start: float | None = None  # epoch seconds of session minute 0 (None: times show as +h:mm)
    speed: float = 1.0  # session minutes per real minute on the wall clock (a training run: 10x, 60x)
    training: bool = False
    # the unit's closing time and longest infusion; None: the infusion's own (its plan's request)
    day: DaySettings | None = None


@dataclass(frozen=True)
class ProposalView:
    """The proposal: one line to act on, why, and what the nurse may do about it."""

    action: str  # increase | slow | pause | resume | stop | complete | review | emergency | start
    line: str  # "SLOW DOWN: set the pump to 42 mL/h. Mild reaction."
    why: str  # the core's reasons
    rule: str  # the policy or protocol rule, with its source
    grade: str
    kind: str  # the reaction's kind (symptoms.toml [[kind]]), "other" when none
    rate_ml_h: float
    can_confirm: bool
    can_override: bool
    override_actions: tuple[str, ...] = ()  # what an override may choose instead

    def to_dict(self) -> dict:
        return {"action": self.action, "line": self.line, "why": self.why, "grade": self.grade,
                "rate_ml_h": self.rate_ml_h}


@dataclass(frozen=True)
class Due:
    """A thing due, with its time: 'now', or the time of day (or +h:mm)."""

    what: str
    at_min: float | None
    at_text: str  # "now" | "10:45" | "+1:30" | ""
    in_text: str = ""  # "in 4:05" (a countdown) | "now" | ""

    def line(self) -> str:
        """'step 3: 84 mL/h at 10:45', 'NOW: vitals (15 min after the start)'."""
        if self.at_text == "now":
            return f"NOW: {self.what}"
        return f"{self.what} at {self.at_text}" if self.at_text else self.what


@dataclass(frozen=True)
class NextStepView:
    at_min: float | None
    rate_ml_h: float | None
    words: str  # "step 3: 84 mL/h at 10:45 (in 12:30)" or why there is none


@dataclass(frozen=True)
class Volumes:
    delivered_ml: float
    prescribed_ml: float
    text: str  # "123.4 of 700.0 mL"

    @property
    def fraction(self) -> float:
        return min(1.0, self.delivered_ml / self.prescribed_ml) if self.prescribed_ml else 0.0


@dataclass(frozen=True)
class Times:
    now_min: float
    now_text: str  # the time of day now (or +h:mm)
    elapsed_text: str  # "1:42 since the start" | "not started"
    finish_min: float | None
    finish_text: str  # "10:45, 2 h 04 min left" | "ended 10:45" | "—"
    observation_text: str  # "ends 11:45 (in 42:10)" | "over: close it" | "closed" | "60 min after the end"
    since_start_text: str = "not started"  # "+0:42": the header's form of elapsed_text
    started_min: float | None = None  # when the pump was started (session minutes)
    observation_end_min: float | None = None  # the end of the observation hour (None before the end)


@dataclass(frozen=True)
class FinishForecast:
    """When the infusion is likely done if a reaction may happen (titration/forecast.py), for one plan."""

    median_min: float  # "likely done by"
    p90_min: float  # "allow until"


@dataclass(frozen=True)
class PumpView:
    """The pump panel: what to set on the pump now and what its Confirm does, in the nurse's words."""

    title: str = ""  # "Set pump to (step 1)" | "SLOW DOWN: set pump to" | "Infusion STOPPED"
    rate_text: str = ""  # "42 mL/h" | "STOP" | "123.4 mL in"
    units_text: str = ""  # "0.50 mg/kg/min · 0.0050 mL/kg/min (at 70 kg, 100 mg/mL)" | "of 700.0 mL, ended 10:45"
    line: str = ""  # the one line to act on
    why: str = ""  # the core's reasons (under "Why?")
    rule: str = ""  # the rule and its source
    grade: str = "none"  # the reaction grade: the line's colour
    confirm_text: str = "Nothing to confirm"
    confirm_enabled: bool = False
    confirm_shown: bool = True  # after the end only advice is confirmed
    confirm_name: str = "Confirm the proposal"  # the button's accessible name and description
    confirm_description: str = "Nothing to confirm now"
    danger: bool = False  # a STOP (or the emergency steps) is confirmed with the danger look, never a step's green
    override_enabled: bool = False
    override_shown: bool = True


@dataclass(frozen=True)
class NowView:
    """The chair's Now panel, row by row (a countdown first, then the time)."""

    state: str = ""
    rate: str = ""  # "42 mL/h" (0 once the bag is empty)
    elapsed: str = ""
    next_step: str = ""  # "in 30:00 (at 08:30)" | "due NOW" | why there is none | "—"
    vitals: str = ""  # "in 15:00 (at 08:15) — 15 min after the start" | "NOW — ..." | "—"
    volume: str = ""  # "10.5 of 700.0 mL"
    volume_percent: int = 0
    finish: str = ""  # "10:46, 2 h 46 min left" | "ended 10:45"
    forecast: str = "—"  # "10:50 · allow until 11:20" | "—"
    observation: str = ""  # "ends in 30:00 (at 11:45)" | "over: close it" | "closed" | "60 min after the end"

    def rows(self) -> dict[str, str]:
        return {"state": self.state, "rate": self.rate, "elapsed": self.elapsed, "next_step": self.next_step,
                "vitals": self.vitals, "volume": self.volume, "finish": self.finish, "forecast": self.forecast,
                "observation": self.observation}


@dataclass(frozen=True)
class AfterEndView:
    """After the end: what was given, in lines, and what the patient is told to look out for."""

    lines: tuple[str, ...]
    look_out: tuple[str, ...]  # reactions that come hours later (the catalogue's words, with sources)


@dataclass(frozen=True)
class EpisodeView:
    """The reaction episode (the current or the last one) and its grade."""

    open: bool
    grade: str
    handled: str  # the grade it is handled at (a further reaction is handled one higher)
    kind: str
    kind_label: str
    opened_at_min: float
    reasons: tuple[str, ...]
    judge: tuple[str, ...]  # a child's values no band covers: the nurse judges them
    line: str  # "Reaction (moderate, febrile) since 10:12: open"


@dataclass(frozen=True)
class EmergencyView:
    """The emergency steps while they apply, under the reaction kind's name, with their source."""

    title: str  # "STOP — Anaphylaxis" | "SEVERE REACTION — EMERGENCY"
    steps: tuple[str, ...]
    source: str
    after_end: bool = False  # reported after the end of the infusion: the pump is already off
    note: str = ""  # said above the steps (after the end: the pump is already off)


@dataclass(frozen=True)
class VialLine:
    number: int  # from 1, as the record counts them
    text: str  # "1. lot A1234, 10 g, expires 2027-03-01 (scanned): matched"
    in_use: bool
    problem: bool  # another product (the start waits until it is removed)


@dataclass(frozen=True)
class BedsideView:
    """What is beside the pump and part of the record: the vials (and their grams against the
    dose), the premedication given, who is signed in, and which actions need a second nurse."""

    vials: tuple[VialLine, ...] = ()
    dose_line: str = ""  # "20 g in the vials: 50 g SHORT of the prescribed 70 g"
    premedications: tuple[str, ...] = ()  # "paracetamol 1000 mg oral at 07:40"
    nurse: str = ""  # "Alex Morgan (AM)" or ""
    second_nurse_for: tuple[str, ...] = ()  # "start", "override": unit.toml asks for a second nurse's name


@dataclass(frozen=True)
class Intents:
    """What the nurse may do now; each False has its reason in `why_not` (the same words an
    intent's refusal would give)."""

    can_start: bool = False
    can_confirm: bool = False
    can_override: bool = False
    can_pause: bool = False
    can_resume: bool = False
    can_stop: bool = False
    can_increase: bool = False  # never while a reaction episode is open
    can_report_symptoms: bool = True
    can_record_vitals: bool = True
    can_resolve: bool = False
    can_close_observation: bool = False
    can_record_prescriber_decision: bool = False
    can_record_prescriber_rate: bool = False
    why_not: tuple[tuple[str, str], ...] = ()  # (intent, why)

    def reason(self, intent: str) -> str:
        return next((why for name, why in self.why_not if name == intent), "")


@dataclass(frozen=True)
class ChairState:
    chair: str
    patient: str
    product: str
    training: bool
    status: str  # planned | running | paused | stopped | completed | closed
    state_words: str  # "RUNNING", "PAUSED", "STOPPED", "NOT STARTED: ...", with TRAINING where it is one
    summary_line: str  # "RUNNING · 84 mL/h · step 2 of 5 · 63 of 700 mL"
    pump_rate_ml_h: float  # what the pump delivers now (0 once the bag is empty)
    pump_line: str  # "Set pump to 84 mL/h" / "Pump at 84 mL/h" / "Pump off"
    rate_detail: str  # "2.00 mg/kg/min · 0.0200 mL/kg/min"
    step: int  # the step the pump is on (1 is the first; 0 before the start)
    steps: int
    proposal: ProposalView | None
    alerts: tuple[Alert, ...]
    ringing: bool  # an alert nobody has acknowledged
    next_due: Due | None  # the first thing due (a proposal now, a step, vitals, the observation's end)
    next_step: NextStepView
    vitals_due: Due | None
    volumes: Volumes
    times: Times
    episode: EpisodeView | None
    news2_line: str  # "" when NEWS2 does not apply (a child) or nothing is recorded
    emergency_steps: tuple[str, ...]  # when they apply: a STOP or an emergency, until the reaction is over
    intents: Intents
    day_fit: DayFit | None  # None before the wall start is known or after the end
    holds: tuple[str, ...]  # what holds the start (a prescriber's decision, a vial, a contraindication)
    notices: tuple[str, ...]  # other lines for the nurse (no baseline: rules off; look out for ...)
    highest_grade: str
    at_min: float  # the minute this snapshot is for
    events: int  # how many events it reflects
    target_ml_h: float = 0.0  # the rate the pump is to be set to now, as pump_line says (rate_detail is its)
    emergency: EmergencyView | None = None  # the emergency steps with their title and source, while they apply
    bedside: BedsideView = BedsideView()
    read_only: str = ""  # why every intent is refused here (a chair driven from another workstation)
    title: str = ""  # "Chair 1 · P-1 · Privigen · PID · 70 kg · 700 mL"
    pump: PumpView = PumpView()
    now: NowView = NowView()
    after_end: AfterEndView | None = None  # once the infusion has ended
    baseline: Vitals | None = None  # the baseline vitals (grading against them)
    baseline_notice: str = ""  # which rules are off for want of a baseline ("" when there is one)
    early_warning: EarlyWarning | None = None  # NEWS2 with its parts (None for a child, or nothing recorded)

    @property
    def priority(self) -> str:
        """The loudest alert's priority ('' when nothing is due)."""
        return self.alerts[0].priority if self.alerts else ""

    def to_dict(self) -> dict:
        """The compact JSON form: what a board or `unit status --json` prints."""
        return {
            "chair": self.chair, "patient": self.patient, "product": self.product, "training": self.training,
            "status": self.status, "state_words": self.state_words, "summary": self.summary_line,
            "pump_rate_ml_h": self.pump_rate_ml_h, "step": self.step, "steps": self.steps,
            "proposal": None if self.proposal is None else self.proposal.to_dict(),
            "alerts": [a.to_dict() for a in self.alerts],
            "next_due": None if self.next_due is None else {
                "what": self.next_due.what, "at_min": _r(self.next_due.at_min), "at": self.next_due.at_text},
            "next_step": self.next_step.words,
            "vitals_due": None if self.vitals_due is None else {
                "what": self.vitals_due.what, "at_min": _r(self.vitals_due.at_min), "at": self.vitals_due.at_text},
            "delivered_ml": round(self.volumes.delivered_ml, 1), "volume_ml": round(self.volumes.prescribed_ml, 1),
            "elapsed": self.times.elapsed_text, "finish_min": _r(self.times.finish_min),
            "finish": self.times.finish_text,
            "episode": None if self.episode is None else {
                "open": self.episode.open, "grade": self.episode.grade, "kind": self.episode.kind,
                "line": self.episode.line},
            "news2": self.news2_line, "emergency_steps": list(self.emergency_steps),
            "day_fit": None if self.day_fit is None else self.day_fit.to_dict(),
            "holds": list(self.holds), "highest_grade": self.highest_grade, "at_min": round(self.at_min, 2),
            "events": self.events,
        }


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 2)
