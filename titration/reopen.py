"""Quitting on purpose and reopening after a crash: what the pump did while the app was away.

Quit is not a crash. A deliberate quit with a chair running records, for that chair, what its pump
does meanwhile (event "app_closed": it runs on, or the nurse paused it first, recorded as a pause
at the quit). While the app runs it records every minute that it is alive (the journal's
heartbeat), so after a real crash the last time it was seen alive is known.

Reopening never back-dates silently. For a chair that was running, the nurse says whether the
pump ran on or when it stopped; the suggested stop time is the last time the app was seen alive
(or the quit), never the last event. A stop is recorded as a pause at the time the nurse gives,
with the minute it was entered, and a note says so; the volume is counted up to it. The next step
afterwards is the plan's, made again from there (a resume goes on from the same step).

Session minutes after the last event = real minutes x the session's speed (1 for a real
infusion; a training simulation runs faster). Pure core: the caller passes every wall time.
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import InputError, SessionError
from .session import Session
from .session_events import EPS, Event
from .timefmt import span_words

PUMP_AT_QUIT = {"runs-on": "the pump keeps running", "paused": "the nurse paused the pump first",
                "not-said": "what the pump does was not said"}
WHO = "recovery"


def record_quit(session: Session, at: float, pump: str) -> None:
    """Journal a deliberate quit for this chair: what its pump does while the app is closed."""
    if pump not in PUMP_AT_QUIT:
        raise InputError("Pump while the app is closed", pump, "runs on, paused first, or not said")
    if session.status == "running" and pump == "paused":
        session.pause(at, reason="paused before the app was closed")
    elif session.status == "paused" and pump == "runs-on":
        raise SessionError("this pump is paused: it cannot run on while the app is closed")
    session.apply(Event(at, "app_closed", "nurse", {"pump": pump}))


@dataclass(frozen=True)
class Reopening:
    """What is known when an infusion is reopened, computed here so that a dialog only words it."""

    deliberate: bool  # the app was quit on purpose (its last event says so)
    pump_at_quit: str  # what the nurse said at the quit ("runs-on", "paused"), or ""
    status: str
    last_at_min: float  # the last recorded event (session minutes)
    seen_alive_min: float  # the last time the app was seen alive (heartbeat or quit)
    now_min: float
    away_min: float  # real minutes since it was last seen alive
    rate_ml_h: float
    needs_answer: bool  # the pump may have run: only a running infusion leaves the question
    default_stop_min: float  # the stop time suggested: when it was last seen alive
    delivered_ml: float  # up to the last recorded event
    delivered_if_ran_ml: float
    volume_ml: float

    def words(self) -> str:
        """How the app closed, in one line for the reopening question."""
        away = span_words(self.away_min) if self.away_min >= 1 else "less than a minute"
        if self.deliberate:
            pump = PUMP_AT_QUIT.get(self.pump_at_quit, "")
            return f"The app was closed on purpose {away} ago" + (f" ({pump})." if pump else ".")
        return f"The app closed unexpectedly; it was last seen working {away} ago."


def reopening(session: Session, last_wall: float, seen_wall: float, now_wall: float, speed: float = 1.0) -> Reopening:
    """`last_wall`: when the last event was written; `seen_wall`: the last heartbeat (or the same)."""
    last = session.events[-1]
    speed = speed or 1.0
    seen_wall = max(seen_wall, last_wall)
    seen_min = last.at_min + (seen_wall - last_wall) / 60.0 * speed
    now_min = last.at_min + max(0.0, now_wall - last_wall) / 60.0 * speed
    deliberate = last.kind == "app_closed"
    if deliberate:
        seen_min = last.at_min  # the quit itself is the last sign of life that counts for the pump
    running = session.status == "running"
    return Reopening(
        deliberate=deliberate, pump_at_quit=str(last.data.get("pump", "")) if deliberate else "",
        status=session.status, last_at_min=last.at_min, seen_alive_min=seen_min, now_min=max(now_min, seen_min),
        away_min=max(0.0, now_wall - seen_wall) / 60.0, rate_ml_h=session.state.rate_ml_h, needs_answer=running,
        default_stop_min=seen_min, delivered_ml=session.delivered_ml(last.at_min),
        delivered_if_ran_ml=session.delivered_ml(now_min) if running else session.delivered_ml(last.at_min),
        volume_ml=session.volume_ml,
    )


@dataclass(frozen=True)
class PumpAnswer:
    """The nurse's answer: the pump ran on, or it stopped at a time (session minutes)."""

    ran: bool
    stopped_at_min: float | None = None  # None with ran=False: the suggested time (last seen alive)


def reopen(session: Session, r: Reopening, answer: PumpAnswer | None) -> Session:
    """Bring the session up to now by the nurse's answer (it is changed in place and returned, so
    the journal goes on writing the same record)."""
    away = span_words(r.away_min) if r.away_min >= 1 else "less than a minute"
    if not r.needs_answer:
        if r.status == "paused":
            session.note(r.now_min, f"App reopened after {away} away; the infusion was paused.", who=WHO)
        return session
    if answer is None:
        raise InputError("Pump", "", "ran on, or stopped (and when)")
    if answer.ran:
        session.note(r.now_min, f"App reopened after {away} away; the nurse reports the pump ran on at "
                                f"{r.rate_ml_h:g} mL/h.", who=WHO)
        return session
    at = r.default_stop_min if answer.stopped_at_min is None else answer.stopped_at_min
    if not r.last_at_min - EPS <= at <= r.now_min + EPS:
        raise InputError("When the pump stopped", at, f"a time from the last recorded event (minute "
                                                      f"{r.last_at_min:.0f}) to now (minute {r.now_min:.0f})")
    at = min(max(at, r.last_at_min), r.now_min)
    said = "the time suggested (the app last seen alive)" if answer.stopped_at_min is None else "the nurse's time"
    session.apply(Event(at, "pause", WHO, {"reason": f"the pump stopped while the app was closed ({said})",
                                          "entered_at_min": round(r.now_min, 4)}))
    session.note(r.now_min, f"App reopened after {away} away; the pump stopped at minute {at:.0f} ({said}); "
                            f"the volume is counted up to then.", who=WHO)
    return session
