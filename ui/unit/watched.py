"""A chair another workstation drives, opened here read-only: its model, its clock, its view's lock.

Its clock counts the session's minutes by this workstation's wall clock while the unit server is
heard; when the feed goes quiet (the server not heard for STALE_S) it stops at the last time the
server was heard, so the view shows the chair as of its last update and never counts down to
something (vitals, a step) already done on the driving workstation.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QPushButton

from ui.chair.model import ChairModel

if TYPE_CHECKING:
    from ui.chair.view import ChairView

STALE_S = 10.0  # the board probes the server every 5 s: silent twice that long is stale


class WatchedClock:
    """Session minutes of a chair driven elsewhere, by this workstation's wall clock, held at the
    last time the server was heard once the feed is stale."""

    def __init__(self, wall: Callable[[], float], wall_start: float, speed: float,
                 heard: Callable[[], float | None]):
        self.wall, self.wall_start, self.speed, self.heard = wall, wall_start, speed or 1.0, heard

    def minutes_at(self, wall: float) -> float:
        return (wall - self.wall_start) * self.speed / 60.0

    def now(self) -> float:
        now, heard = self.wall(), self.heard()
        if heard is not None and now - heard > STALE_S:
            now = heard
        return self.minutes_at(now)


class ReadOnlyChair(ChairModel):
    """A chair another workstation drives: shown live, every intent refused here."""

    def __init__(self, name, session, *, holder: str, clock, wall_start, patient):
        super().__init__(name, session, clock, wall_start=wall_start, patient=patient)
        self.holder = holder
        self.core.read_only = f"driven from workstation {holder}: read-only here"
        self.state = self.core.snapshot(self.now)  # the first snapshot already allows no intent here

    def acknowledge(self) -> None:
        return None

    def tick(self) -> float:  # time passes on the screen; the session changes only from the server
        self.now = max(self._now_raw(), self.session.events[-1].at_min)
        self._update_alerts()
        self.sig_tick.emit(self.now)
        return self.now

    def replace_session(self, session) -> None:
        self.session = session
        self.core.session = session
        self._update_alerts()
        self.sig_changed.emit()


@dataclass
class Watched:
    """A chair another workstation drives, opened here: its read-only view and the lines above it."""

    view: ChairView
    read_only_line: QLabel  # who drives it
    take_over_button: QPushButton  # shown once that workstation's hold has expired
    stale_line: QLabel  # "NOT UPDATED since ..." while the unit server is not heard


def lock(view: ChairView) -> None:
    """Every intent of a ChairView off (exports stay): re-applied after each redraw."""
    for w in (view.pump.confirm_button, view.pump.override_button, view.pump.override_panel, view.controls,
              view.vitals, view.symptoms, view.reason_box, view.after.close_obs_button):
        w.setEnabled(False)
