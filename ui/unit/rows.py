"""A unit server row as a tile of the Unit board: who holds the chair, what is next and when, the
expected finish, by this workstation's clock. The server's summaries are shown as they are: no
clinical arithmetic here, only times moved from the server's clock to this one.

When the feed has not heard the server for a while (`stale_since`), nothing is counted down: the
tile says when it was last updated, so a nurse never reads "NOW: vitals" for vitals already taken
on the other workstation.
"""
from __future__ import annotations

from titration.timefmt import span_hm, wall_time, wall_time_seconds
from ui.chair.summary import ChairSummary


def expired(row: dict, now_wall: float) -> bool:
    """The holder's lease has run out: the server said so, or the time it had left when the row
    came (counted on the server's clock) has passed since, by this workstation's clock. Never a
    comparison of this clock with the server's (they may be minutes apart)."""
    if row.get("lease_expired"):
        return True
    left, seen = row.get("lease_left_s"), row.get("seen_wall")
    return bool(row.get("held_by")) and left is not None and seen is not None and left < now_wall - seen


def wall_of(row: dict, at_min) -> float | None:
    """When session minute `at_min` falls, by this workstation's clock: counted from when the last
    event reached the server (the server's clock), never from the driving workstation's clock."""
    at_last, age, seen = row.get("at_min"), row.get("event_age_s"), row.get("seen_wall")
    if at_min is None or at_last is None or age is None or seen is None:
        return None
    return seen - age + (at_min - at_last) * 60.0 / (row.get("speed") or 1.0)


def due_wall(row: dict) -> float | None:
    """When the next thing is due, by this workstation's clock."""
    wall = wall_of(row, row.get("next_due_min"))
    return wall if wall is not None else row.get("next_due_wall")


def _at(row: dict, now_wall: float) -> str:
    """When the next thing is due: 'now' once its time has come (the row changes only on events)."""
    due_min, at_min, wall = row.get("next_due_min"), row.get("at_min"), due_wall(row)
    if due_min is None:
        return ""
    if (at_min is not None and due_min <= at_min) or (wall is not None and wall <= now_wall):
        return "now"
    if wall is not None:
        return wall_time(wall)
    return "+" + span_hm(due_min)


def finish(row: dict) -> str:
    """The expected finish as a clock time here; an ended chair: when it ended (the server's words)."""
    cs = row.get("chair_state") or {}
    state = row.get("state") or row.get("status") or ""
    if state in ("planned", "running", "paused"):
        wall = wall_of(row, cs.get("finish_min"))
        if wall is not None:
            return wall_time(wall)
    return (cs.get("finish") or "—").split(",")[0]


def holder_words(row: dict, now_wall: float, me: str) -> str:
    """Who holds the chair: this workstation, or another (with the nurse signed in there), or nobody."""
    holder = row.get("held_by")
    nurse = row.get("nurse") or row.get("last_nurse") or ""  # where the feed gives them
    login = row.get("login") or row.get("last_login") or ""  # the hold's login, else the last event's
    who = ", ".join(x for x in (nurse, f"login {login}" if login else "") if x)
    if expired(row, now_wall):
        return f"hold expired ({row.get('last_holder') or '?'}): Enter to take over"
    if holder:
        if holder == me:
            return "this workstation"
        return f"driven from {holder}" + (f" ({who})" if who else "") + ": read-only here"
    return "not held"


def row_summary(row: dict, now_wall: float, me: str = "", stale_since: float | None = None) -> ChairSummary:
    """A unit server row as the board's tile (`stale_since`: the feed last heard the server then)."""
    gone = expired(row, now_wall)
    alerts = list(row.get("alerts") or [])
    state = row.get("state") or row.get("status") or ""
    step = f" · step {row.get('step', 0)}/{row.get('steps', 0)}" if row.get("steps") else ""
    serious = [a for a in alerts if a not in ("paused", "stopped")]
    grade = row.get("highest_grade") or "none"
    next_what, next_at = row.get("next_due") or "—", _at(row, now_wall)
    if stale_since is not None:  # nothing counted down on a record that may be out of date
        next_what, next_at = f"{next_what} (as of {wall_time_seconds(stale_since)}: not updated since)", ""
    return ChairSummary(
        key=("unit", row.get("uid")), chair=row.get("chair", ""), patient=row.get("patient_id") or "no identifier",
        product=row.get("product_name") or row.get("product") or "", rate=f"{row.get('rate_ml_h', 0):g} mL/h{step}",
        state=state, next_what=next_what, next_at=next_at, finish=finish(row),
        alert="ringing" if serious or gone else "", grade=grade if grade in ("mild", "moderate", "severe") else "none",
        training=bool(row.get("training")), workstation=holder_words(row, now_wall, me), alerts="; ".join(alerts))
