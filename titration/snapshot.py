"""`chair_state`: the one function that makes a chair's snapshot (titration/chair_state.py).

Every screen's text about a chair comes from here: "where does the chair's next-due text come
from" is answered by `next_due` below. A chair driven on this workstation and one driven
elsewhere (its events replayed into a Session) go through the same function.
"""
from __future__ import annotations

from collections.abc import Mapping

from .alerts import Alert, due_alerts, silence
from .chair_clock import ChairClock
from .chair_panels import after_end_view, now_view, pump_view
from .chair_state import (
    BedsideView,
    ChairFacts,
    ChairState,
    Due,
    EmergencyView,
    EpisodeView,
    Intents,
    NextStepView,
    ProposalView,
    Times,
    VialLine,
    Volumes,
)
from .day_fit import DayFit, DaySettings, day_fit
from .errors import TitrationError
from .news2 import EarlyWarning
from .session import Session
from .session_events import EPS, OBSERVATION_MIN
from .snapshot_cache import SnapshotCache
from .timefmt import after_start, countdown, finish_words, minutes_after_midnight, span_hm

STATE_WORDS = {"planned": "NOT STARTED", "running": "RUNNING", "paused": "PAUSED", "stopped": "STOPPED",
               "completed": "COMPLETED: observation", "closed": "CLOSED"}
OVERRIDE_ACTIONS = ("slow", "pause", "continue", "stop")
AFTER_END_NOTE = ("Reported after the end of the infusion (observation): the pump is already off. "
                  "These are the emergency steps for this kind of reaction.")
ENDED = ("stopped", "completed", "closed")


def chair_state(s: Session, facts: ChairFacts, now: float,
                quiet_until: Mapping[tuple, float] | None = None, cache: SnapshotCache | None = None) -> ChairState:
    """The chair at minute `now` (never before its last event). `quiet_until`: the alerts the
    nurse acknowledged and until when they stay silent (session minutes). `cache`: the chair's
    own (the finish forecast per plan, the record after the end per event); without one there is
    no forecast."""
    if s.events:
        now = max(now, s.events[-1].at_min)
    st = s.state
    quiet = dict(quiet_until or {})
    alerts = tuple(silence(a, quiet, now) for a in due_alerts(s, now))
    clock = ChairClock(facts)
    proposal = _proposal(s, now)
    intents = _intents(s, now, proposal)
    step = st.rung + 1 if st.status not in ("planned",) else 0
    rate = s.pump_rate(now)
    volumes = Volumes(s.delivered_ml(now), s.volume_ml, f"{s.delivered_ml(now):.1f} of {s.volume_ml:.1f} mL")
    words = STATE_WORDS.get(st.status, st.status.upper())
    if st.status == "running" and s.volume_in(now):
        words = "RUNNING: the bag is empty"
    holds = tuple(s.start_holds()) if st.status == "planned" else ()
    if st.status == "planned" and holds:
        words = "NOT STARTED: held"
    if facts.training:
        words = f"TRAINING · {words}"
    summary = f"{words} · {rate:g} mL/h"
    if step:
        summary += f" · step {step} of {len(s.rungs)}"
    summary += f" · {volumes.delivered_ml:.0f} of {volumes.prescribed_ml:.0f} mL"
    target = _target(s, now, proposal)
    emergency = _emergency_view(s, now)
    times = _times(s, now, clock)
    active = st.status in ("planned", "running", "paused") and not st.reactions
    forecast = cache.forecast(s) if cache is not None and active else None
    warning = s.early_warning()
    p0 = s.original_plan
    return ChairState(
        chair=facts.name, patient=facts.patient, product=s.original_plan.product_name, training=facts.training,
        status=st.status, state_words=words, summary_line=summary, pump_rate_ml_h=rate,
        pump_line=_pump_line(s, now, proposal), rate_detail=_rate_detail(s, target), step=step, steps=len(s.rungs),
        proposal=proposal, alerts=alerts, ringing=any(not a.silenced for a in alerts),
        next_due=next_due(s, now, clock, alerts), next_step=_next_step(s, now, clock),
        vitals_due=_vitals_due(s, now, clock), volumes=volumes, times=times, episode=_episode(s, now, clock),
        news2_line=_news2(warning), emergency_steps=emergency.steps if emergency else (),
        intents=intents, day_fit=_day_fit(s, now, facts), holds=holds, notices=_notices(s),
        highest_grade=st.highest_grade, at_min=now, events=len(s.events), target_ml_h=target,
        emergency=emergency, bedside=_bedside(s, clock),
        title=f"{facts.name} · {facts.patient} · {p0.product_name} · {p0.request.indication.upper()} · "
              f"{p0.request.weight_kg:g} kg · {p0.volume_ml:.0f} mL",
        pump=pump_view(s, now, proposal, clock),
        now=now_view(s, now, clock, times.elapsed_text, times.finish_text, forecast),
        after_end=cache.after_end(s, clock) if cache is not None else after_end_view(s, clock),
        baseline=st.baseline, baseline_notice=s.baseline_notice(), early_warning=warning,
    )


def next_due(s: Session, now: float, clock: ChairClock, alerts: tuple[Alert, ...] = ()) -> Due | None:
    """The first thing due on this chair: what the chair list, the Overview and the Unit board say
    under "next". A proposal or an alert is due now; otherwise the earliest of the next step (or a
    reaction's review, or the end), the vitals and the observation's end."""
    st = s.state
    if st.status == "planned":
        if st.baseline is None:
            return Due("baseline vitals, then the start", now, "now", "now")
        held = s.start_holds()
        return Due("discuss with the prescriber before the start" if held else "start", now, "now", "now")
    p = s.due(now)
    if p is not None:
        return Due(p.one_line(), now, "now", "now")
    if alerts:
        return Due(alerts[0].text, now, "now", "now")
    cands: list[tuple[float, str]] = []
    step = s.next_due_at()  # a step, a review or the end (never a step past the end)
    if step is not None:
        done = s.completion_at()
        if done is not None and step >= done - EPS:
            cands.append((step, "end: confirm the pump has finished"))
        elif st.reaction is not None:
            cands.append((step, "reaction review"))
        else:
            nxt = s.next_step(now)
            cands.append((step, f"step {nxt.step}: {nxt.rate_ml_h:g} mL/h" if nxt.step else "rate step"))
    v = s.vitals_due(now)
    if v is not None:
        cands.append((v[0], f"vitals ({v[1]})"))
    obs = s.observation_ends_at()
    if st.status in ("completed", "stopped") and obs is not None:
        cands.append((obs, "observation ends"))
    if not cands:
        return None
    when, what = min(cands)
    return clock.due(what, when, now)


def _proposal(s: Session, now: float) -> ProposalView | None:
    st = s.state
    if st.status == "planned":
        return None
    p = s.due(now)
    if p is None:
        return None
    overridable = p.action not in ("stop", "review", "emergency", "complete")
    return ProposalView(p.action, p.one_line(), p.reason, p.rule, p.grade, p.kind, p.rate_ml_h, True, overridable,
                        OVERRIDE_ACTIONS if overridable else ())


def _pump_line(s: Session, now: float, proposal: ProposalView | None) -> str:
    st = s.state
    if st.status == "planned":
        return f"Start at {s.rungs[0].rate_ml_h:g} mL/h"
    if st.status in ENDED:
        return "Pump off"
    if s.volume_in(now):
        return "The bag is empty: pump at 0"
    if proposal is not None and proposal.action in ("increase", "slow", "resume"):
        return f"Set pump to {proposal.rate_ml_h:g} mL/h"
    if proposal is not None and proposal.action in ("pause", "stop"):
        return "Set pump to 0"
    if st.status == "paused":
        return "Paused: pump at 0"
    return f"Pump at {st.rate_ml_h:g} mL/h"


def _target(s: Session, now: float, proposal: ProposalView | None) -> float:
    """The rate the pump is to run at, as the pump line says: the first step before the start, a
    proposal's rate to set, 0 to pause or stop, else the rate it runs at."""
    st = s.state
    if st.status == "planned":
        return s.rungs[0].rate_ml_h
    if st.status in ENDED or s.volume_in(now):
        return 0.0
    if proposal is not None and proposal.action in ("increase", "slow", "resume"):
        return proposal.rate_ml_h
    if (proposal is not None and proposal.action in ("pause", "stop")) or st.status == "paused":
        return 0.0
    return st.rate_ml_h


def _rate_detail(s: Session, rate: float) -> str:
    p = s.original_plan
    return f"{p.mg_kg_min(rate):.2f} mg/kg/min · {p.ml_kg_min(rate):.4f} mL/kg/min"


def _next_step(s: Session, now: float, clock: ChairClock) -> NextStepView:
    n = s.next_step(now)
    if n.at_min is None:
        return NextStepView(None, None, n.why_none)
    when = "due now" if n.at_min <= now + EPS else f"at {clock.at(n.at_min)} (in {countdown(n.at_min - now)})"
    return NextStepView(n.at_min, n.rate_ml_h, f"step {n.step}: {n.rate_ml_h:g} mL/h {when}")


def _vitals_due(s: Session, now: float, clock: ChairClock) -> Due | None:
    v = s.vitals_due(now)
    return None if v is None else clock.due(v[1], v[0], now)


def _times(s: Session, now: float, clock: ChairClock) -> Times:
    st = s.state
    if st.started_at is None:
        elapsed = "not started"
    else:
        end = st.end_min if st.end_min is not None and now > st.end_min else now
        elapsed = f"{span_hm(end - st.started_at)} since the start"
    if st.status in ENDED:
        finish_min, finish = st.end_min, f"ended {clock.at(st.end_min)}"
    else:
        finish_min = s.expected_end(now)
        finish = finish_words(now, finish_min, clock.facts.wall_start, clock.facts.speed)
    obs = s.observation_ends_at()
    if obs is None:
        observation = f"{OBSERVATION_MIN:g} min after the end"
    elif st.status == "closed":
        observation = "closed"
    elif now >= obs - EPS:
        observation = "over: close it"
    else:
        observation = f"ends {clock.at(obs)} (in {countdown(obs - now)})"
    if st.started_at is None:
        since = "not started"
    else:
        since = after_start(st.end_min if st.end_min is not None and now > st.end_min else now, st.started_at)
    return Times(now, clock.at(now), elapsed, finish_min, finish, observation, since, st.started_at, obs)


def _episode(s: Session, now: float, clock: ChairClock) -> EpisodeView | None:
    ep = s.state.episode
    if ep is None:
        return None
    kind = s.catalogue.kind(ep.kind)
    is_open = ep.is_open(now)
    what = ep.grade + (f", {kind.label.lower()}" if kind.id != "other" else "")
    state = "open" if is_open else "over"
    if is_open and ep.resolved_at is not None:
        state = "resolved, under review"
    line = f"Reaction ({what}) since {clock.at(ep.opened_at)}: {state}"
    return EpisodeView(is_open, ep.grade, ep.handled, kind.id, kind.label, ep.opened_at, tuple(ep.reasons),
                       tuple(ep.judge), line)


def _news2(w: EarlyWarning | None) -> str:
    if w is None:
        return ""
    return w.text() + (f": {w.response}" if w.grade != "none" else "")


def _emergency_view(s: Session, now: float) -> EmergencyView | None:
    """The emergency steps while they apply (a STOP or an emergency proposed, or the infusion
    stopped for a reaction that is not over yet), under the reaction kind's name and source: a
    febrile reaction stopped by recurrence gets the febrile steps, not the anaphylaxis box."""
    p = s.due(now) if s.status != "planned" else None
    ep = s.state.episode
    if p is not None and p.action in ("stop", "emergency") and p.emergency:
        steps, kid, after_end = tuple(p.emergency), p.kind, p.action == "emergency"
    elif s.status in ("stopped", "closed") and ep is not None and ep.is_open(now) and ep.grade == "severe":
        steps, kid, after_end = tuple(s.catalogue.emergency_for(ep.kind)), ep.kind, False
    else:
        return None
    kind = s.catalogue.kind(kid)
    title = "SEVERE REACTION — EMERGENCY" if kind.id == "other" else f"STOP — {kind.label}"
    return EmergencyView(title, steps, kind.source, after_end, AFTER_END_NOTE if after_end else "")


def _bedside(s: Session, clock: ChairClock) -> BedsideView:
    """The vials, the premedication, the nurse signed in and the second-nurse checks, in words."""
    from .vials import dose_words

    b = s.bedside
    vials = []
    for i, v in enumerate(b.vials, 1):
        x = v.vial
        found = {"matched": "the prescribed product", "unknown-gtin": "product not checked by barcode",
                 "other-product": f"ANOTHER PRODUCT ({v.product}): remove it"}.get(v.finding, v.finding)
        text = f"{i}. lot {x.lot}, {x.grams:g} g, expires {x.expiry.isoformat()} ({x.entry}): {found}"
        if v.removed:
            text += f" — removed: {v.removed}"
        vials.append(VialLine(i, text, not v.removed, v.finding == "other-product" and not v.removed))
    premeds = tuple(f"{p.drug} {p.dose:g} {p.unit} {p.route} at {clock.at(p.given_min)}"
                    for p, _at, _who in b.premedications)
    checks = tuple(a for a in ("start", "override") if getattr(b.double_check, a))
    return BedsideView(tuple(vials), dose_words(b.grams(), s.original_plan.dose.dose_g) if b.vials else "", premeds,
                       b.on_duty.label if b.on_duty else "", checks)


def _intents(s: Session, now: float, proposal: ProposalView | None) -> Intents:
    st = s.state
    why: list[tuple[str, str]] = []

    def allow(name: str, ok: bool, reason: str) -> bool:
        if not ok:
            why.append((name, reason))
        return ok

    holds = s.start_holds() if st.status == "planned" else []
    can_start = allow("start", st.status == "planned" and st.baseline is not None and not holds,
                      "the infusion has started" if st.status != "planned" else
                      "record the baseline vitals first" if st.baseline is None else "; ".join(holds))
    ep = st.episode
    episode_open = ep is not None and ep.is_open(now)
    running = st.status == "running"
    allowed_up = False
    if running and st.reaction is None and not episode_open:
        allowed_up = s.allowed_rate(now).rate_ml_h > st.rate_ml_h + EPS
    return Intents(
        can_start=can_start,
        can_confirm=allow("confirm", proposal is not None or can_start, "nothing is due now"),
        can_override=allow("override", proposal is not None and proposal.can_override,
                           "there is no proposal to override" if proposal is None else
                           f"a {proposal.action} proposal is confirmed, not overridden"),
        can_pause=allow("pause", running, f"only a running infusion can be paused ({st.status})"),
        can_resume=allow("resume", st.status == "paused" and st.reaction is None,
                         "resume after a reaction through its proposal" if st.reaction is not None
                         else f"only a paused infusion can be resumed ({st.status})"),
        can_stop=allow("stop", st.status in ("running", "paused"), f"the infusion is not running ({st.status})"),
        can_increase=allow("increase", allowed_up, "no increase while a reaction episode is open" if episode_open
                           else "no increase now"),
        can_report_symptoms=allow("report_symptoms", st.status != "planned", "start the infusion first"),
        can_resolve=allow("resolve", _resolvable(s), "no open reaction to mark as resolved"),
        can_close_observation=allow("close_observation", st.status in ("completed", "stopped"),
                                    "the observation follows the end of the infusion"),
        can_record_prescriber_decision=allow("prescriber_decision", st.status == "planned" and
                                             bool(s.holds.undecided()), "nothing waits for the prescriber"),
        can_record_prescriber_rate=allow("prescriber_rate", st.status in ("running", "paused") and
                                         st.pending is None and st.reaction is None,
                                         "a reaction is being handled: confirm or override its proposal first"
                                         if st.pending is not None or st.reaction is not None
                                         else f"only for a running or paused infusion ({st.status})"),
        why_not=tuple(why),
    )


def _day_fit(s: Session, now: float, facts: ChairFacts) -> DayFit | None:
    if facts.wall_start is None or s.status in ENDED:
        return None
    try:
        start_clock = minutes_after_midnight(facts.wall_start)
        req = s.original_plan.request
        settings = facts.day if facts.day is not None else DaySettings(req.closing_clock, req.max_hours)
        return day_fit(s.plan, start_clock, settings, s.expected_end(now), s.state.started_at or now)
    except TitrationError:
        return None


def _notices(s: Session) -> tuple[str, ...]:
    out = []
    notice = s.baseline_notice()
    if notice:
        out.append(notice)
    return tuple(out)


def _resolvable(s: Session) -> bool:
    """'Symptoms resolved' applies to a reaction being handled during the infusion, or to an episode
    (after the end too) under review and not yet recorded resolved."""
    st, r, ep = s.state, s.state.reaction, s.state.episode
    return ((r is not None and r.resolved_at is None and st.status in ("running", "paused"))
            or (ep is not None and ep.resolved_at is None and ep.review_at is not None and st.status != "planned"))
