"""The words of the chair's panels, from the session at one minute: the pump panel (what to set and
what Confirm does), the Now panel (row by row) and the record after the end.

Part of the chair's snapshot (titration/snapshot.py puts them in the `ChairState`); a panel only
sets these texts. The finish forecast and the record after the end are worked out once (per plan,
per event: titration/snapshot_cache.py) and handed in, so a clock tick does constant work.
"""
from __future__ import annotations

from dataclasses import replace

from .chair_clock import ChairClock
from .chair_state import AfterEndView, FinishForecast, NowView, ProposalView, PumpView
from .session import Session
from .session_events import EPS, OBSERVATION_MIN
from .timefmt import span_words

ENDED = ("stopped", "completed", "closed")
PROPOSAL_TITLES = {"increase": "Increase", "slow": "SLOW DOWN", "resume": "RESUME"}
ENDED_TITLES = {"completed": "Infusion COMPLETED", "stopped": "Infusion STOPPED", "closed": "Observation closed"}


def _rate(s: Session, rate: float) -> tuple[str, str]:
    plan = s.original_plan
    return (f"{rate:g} mL/h", f"{plan.mg_kg_min(rate):.2f} mg/kg/min · {plan.ml_kg_min(rate):.4f} mL/kg/min "
                              f"(at {plan.rate_weight_kg:g} kg, {plan.concentration_mg_per_ml:g} mg/mL)")


def pump_view(s: Session, now: float, p: ProposalView | None, clock: ChairClock) -> PumpView:
    """What the pump panel says at `now`; `p` is the proposal due now (None before the start)."""
    ended = s.status in ENDED
    return replace(_pump_words(s, now, p, clock),
                   confirm_shown=not ended or p is not None,  # after the end: only advice to confirm
                   override_enabled=p is not None and p.action not in ("stop", "review", "emergency"),
                   override_shown=not ended)


def _pump_words(s: Session, now: float, p: ProposalView | None, clock: ChairClock) -> PumpView:
    st = s.status
    if st == "planned":
        plan, first = s.original_plan, s.rungs[0].rate_ml_h
        ready = s.state.baseline is not None
        rate, units = _rate(s, first)
        return PumpView(
            title="Set pump to (step 1)", rate_text=rate, units_text=units,
            line="Start the infusion when the pump is set." if ready
            else "Record the baseline vitals first (Vitals panel), then start.",
            rule=f"protocol {plan.protocol_id}" + (" (LOCAL)" if plan.protocol_kind == "local" else ""),
            confirm_text="Start: pump is set", confirm_enabled=ready, confirm_name="Start the infusion",
            confirm_description=f"The pump is set to {first:g} mL/h (step 1): start the infusion")
    if p is not None:
        units = ""
        if p.action == "complete":  # the bag is empty: the nurse confirms the pump has finished
            title, rate = "END: the bag should be empty", f"{s.delivered_ml(now):.0f} mL in"
            units = f"of {s.volume_ml:.0f} mL; the pump delivers nothing more"
        elif p.action in ("pause", "stop"):
            title = "PAUSE: set the pump to 0" if p.action == "pause" else "STOP THE INFUSION"
            rate = "0 mL/h" if p.action == "pause" else "STOP"
        elif p.action in ("review", "emergency"):  # after the end: the pump is already off
            title, rate = ("EMERGENCY STEPS" if p.action == "emergency" else "URGENT MEDICAL REVIEW"), "pump off"
        else:
            title = PROPOSAL_TITLES.get(p.action, p.action) + ": set pump to"
            rate, units = _rate(s, p.rate_ml_h)
        return PumpView(
            title=title, rate_text=rate, units_text=units, line=p.line, why=p.why,
            rule=(f"grade {p.grade} · " if p.grade != "none" else "") + p.rule, grade=p.grade,
            confirm_text="Confirm: pump finished" if p.action == "complete" else f"Confirm: {p.action}",
            confirm_enabled=True, confirm_description=p.line, danger=p.action in ("stop", "emergency"))
    rx = s.state.reaction
    if st == "running":
        nxt = s.next_step_at()  # the core gives no step past the end of the infusion
        if rx is not None:
            line = f"Reaction ({rx.grade}): escalation on hold" + (
                f"; review at {clock.at(rx.review_at)}" if rx.review_at is not None else "")
        elif nxt is None:
            line = "Keep this rate until the volume is in."
        else:
            line = f"Next step at {clock.at(nxt)}."
        rate, units = _rate(s, s.state.rate_ml_h)
        return PumpView(title="Pump runs at", rate_text=rate, units_text=units, line=line)
    if st == "paused":
        if rx is not None and rx.review_at is not None:
            line = (f"Reaction ({rx.grade}): review at {clock.at(rx.review_at)}. "
                    f"Mark 'Symptoms resolved' when they are.")
        else:
            line = "Paused by the nurse: Resume when ready."
        return PumpView(title="Infusion PAUSED", rate_text="0 mL/h", line=line)
    return PumpView(title=ENDED_TITLES[st], rate_text=f"{s.delivered_ml(now):.1f} mL in",
                    units_text=f"of {s.volume_ml:.1f} mL, ended {clock.at(s.state.end_min)}")


def now_view(s: Session, now: float, clock: ChairClock, elapsed: str, finish: str,
             forecast: FinishForecast | None) -> NowView:
    """The Now panel: the state, the rate, the next step and vitals (a countdown, then the time), the
    volume, the expected finish, the forecast and the observation."""
    st = s.status
    nxt = s.next_step(now)  # the core gives none past the end of the infusion, and says why there is none
    if st in ENDED:
        step = "—"
    elif nxt.at_min is not None:
        step = "due NOW" if nxt.at_min <= now else clock.in_at(nxt.at_min, now)
    else:
        step = nxt.why_none
    v = s.vitals_due(now)
    if v is None:
        vitals = "—"
    else:
        vitals = ("NOW" if v[0] <= now + EPS else clock.in_at(v[0], now)) + f" — {v[1]}"
    delivered = s.delivered_ml(now)
    if st not in ("planned", "running", "paused"):
        likely = "—"
    elif s.state.reactions:
        likely = "— (after a reaction: see the expected finish)"
    elif forecast is None:
        likely = "—"
    else:
        likely = f"{clock.at(forecast.median_min)} · allow until {clock.at(forecast.p90_min)}"
    obs = s.observation_ends_at()
    if obs is None:
        observation = f"{OBSERVATION_MIN:g} min after the end"
    elif st == "closed":
        observation = "closed"
    else:
        observation = "over: close it" if now >= obs else f"ends {clock.in_at(obs, now)}"
    return NowView(st, f"{s.pump_rate(now):g} mL/h", elapsed, step, vitals,
                   f"{delivered:.1f} of {s.volume_ml:.1f} mL",
                   int(round(100 * delivered / s.volume_ml)) if s.volume_ml else 0, finish, likely, observation)


def after_end_view(s: Session, clock: ChairClock) -> AfterEndView | None:
    """What was given, once the infusion has ended (None before). It changes only with an event: it
    walks the pump's record, so the snapshot takes it from its cache (titration/snapshot_cache.py)."""
    st = s.state
    if st.status not in ENDED or st.end_min is None:
        return None
    end = st.end_min
    lines = [f"{'Completed' if st.status != 'stopped' else 'STOPPED'} at {clock.at(end)}."]
    if st.started_at is not None:
        lines.append(f"Started {clock.at(st.started_at)}; infusion time {span_words(end - st.started_at)}.")
    lines.append(f"Delivered {s.delivered_ml(end):.1f} of {s.volume_ml:.1f} mL.")
    top = max((seg[2] for seg in s.rate_segments()), default=0.0)
    tolerated = f"{st.tolerated_ml_h:g} mL/h" if st.tolerated_ml_h > 0 else "none recorded"
    lines.append(f"Highest pump rate {top:g} mL/h; highest tolerated {tolerated}.")
    lines.append(f"Reactions: {st.reactions} (highest grade {st.highest_grade}).")
    v = s.vitals_due(end)  # after the end it depends on the events only (the end's, or the hour after)
    if v is not None and st.status != "closed":
        lines.append(f"Vitals: {v[1]} ({clock.at(v[0])}).")
    return AfterEndView(tuple(lines), tuple(s.look_out_for()))
