"""After a crash or a kill: reopen an unfinished infusion in the right state (pure core, no Qt).

The journal holds every confirmed event, so the delivered volume is known up to the last one.
What the pump did while the app was away is not known: the nurse says it.
- "ran": the pump ran on at the last confirmed rate until now. The session is ticked forward,
  so it completes if the volume would be in by now. A step that fell due meanwhile was not set
  on the pump, so it is not counted.
- "stopped": the pump is taken as stopped at the last confirmed event. A pause is recorded there
  (reason "app closed unexpectedly; pump stopped") and the nurse resumes through the normal flow.
  This never counts volume that may not have gone in.
An infusion that was paused (or not started) had no pump running: nothing is asked.

Session minutes after the last event = real minutes x the session's speed (1 for a real
infusion; a training simulation runs faster).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import InputError
from ..session import Session
from .base import Recovered

PUMP_CHOICES = ("ran", "stopped")
STOPPED_REASON = "app closed unexpectedly; pump stopped"
WHO = "recovery"


def away_minutes(rec: Recovered, now_wall: float) -> float:
    """Real minutes since the app was last seen working on this infusion."""
    return max(0.0, now_wall - rec.last_seen_wall) / 60.0


def minutes_now(rec: Recovered, now_wall: float) -> float:
    """Session time now: the last event's time plus the real time since it was written."""
    return rec.last_at_min + max(0.0, now_wall - rec.last_wall) / 60.0 * rec.speed


def needs_answer(rec: Recovered) -> bool:
    """Only a running infusion leaves the question of what the pump did."""
    return rec.session.status == "running"


@dataclass(frozen=True)
class Summary:
    """What the recovery question shows, all computed here so the dialog does no arithmetic."""

    chair: str
    patient_id: str | None
    training: bool
    status: str
    away_min: float
    last_at_min: float
    now_min: float
    rate_ml_h: float
    volume_ml: float
    delivered_ml: float  # up to the last confirmed event
    delivered_if_ran_ml: float
    completes_if_ran_at: float | None  # session minutes, when the volume would be in by now
    needs_answer: bool


def summary(rec: Recovered, now_wall: float) -> Summary:
    s = rec.session
    last, now = rec.last_at_min, minutes_now(rec, now_wall)
    done = s.completion_at()
    return Summary(
        chair=rec.chair, patient_id=rec.patient_id, training=rec.training, status=s.status,
        away_min=away_minutes(rec, now_wall), last_at_min=last, now_min=now, rate_ml_h=s.state.rate_ml_h,
        volume_ml=s.volume_ml, delivered_ml=s.delivered_ml(last),
        delivered_if_ran_ml=s.delivered_ml(now) if s.status == "running" else s.delivered_ml(last),
        completes_if_ran_at=done if done is not None and done <= now else None,
        needs_answer=needs_answer(rec),
    )


def recover(rec: Recovered, now_wall: float, pump: str | None) -> Session:
    """Bring the recovered session up to now according to the nurse's answer; returns it.

    The same Session object is returned (changed in place), so `Journal.attach` continues its
    record under the same id and writes only the events added here.
    """
    s = rec.session
    away = away_minutes(rec, now_wall)
    now = minutes_now(rec, now_wall)
    if s.status != "running":
        if s.status == "paused":
            s.note(now, f"App reopened after {away:.0f} min away; the infusion was paused.", who=WHO)
        return s
    if pump not in PUMP_CHOICES:
        raise InputError("pump", pump, "'ran' or 'stopped' (what the pump did while the app was closed)")
    rate = s.state.rate_ml_h
    if pump == "stopped":
        s.pause(rec.last_at_min, reason=STOPPED_REASON, who=WHO)
        s.note(max(now, rec.last_at_min), f"App reopened after {away:.0f} min away; the nurse reports the pump "
               f"was stopped. Volume counted up to the last confirmed event.", who=WHO)
        return s
    # Nothing is recorded for the volume: if it would be in by now, confirming the end is due.
    s.note(now, f"App reopened after {away:.0f} min away; the nurse reports the pump ran on at {rate:g} mL/h.",
           who=WHO)
    return s
