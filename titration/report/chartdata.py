"""Every number the infusion chart draws, computed without a screen (numpy only, no Qt).

The chart (ui/chart/infusion_chart.py) only hands these arrays to pyqtgraph, so a test can check what is
drawn against the core's plan and session without opening a window.

- `plan_curve(plan)`: the planned cumulative volume, piecewise linear through the step ends.
- `rate_steps(plan)`: the planned pump rate as steps (len(t) == len(rate) + 1, the shape
  pyqtgraph's stepMode="center" wants).
- `DeliveredTrace`: the delivered volume and the confirmed rate so far, updated every tick at
  constant cost: the closed rate segments are integrated once per new event, only the tip moves.
- `markers(session)`: what happened and when (vitals, symptoms, actions, pauses, stops, the end).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..plan import Plan
from ..reactions import higher
from ..vitals import vitals_text

EPS = 1e-9


def plan_curve(plan: Plan) -> tuple[np.ndarray, np.ndarray]:
    """Planned cumulative volume (mL) against minutes from the planned start."""
    if not plan.steps:  # a plan after a stop: only where it ended
        t0 = plan.replanned_at_min if plan.replanned_at_min is not None else plan.start_min
        return np.array([t0], dtype=float), np.array([plan.delivered_at_start_ml], dtype=float)
    ts, vs = plan.points()
    return np.asarray(ts, dtype=float), np.asarray(vs, dtype=float)


def rate_steps(plan: Plan) -> tuple[np.ndarray, np.ndarray]:
    """Planned pump rate (mL/h) as steps: edges t (n+1) and rates (n). Pauses are 0 mL/h."""
    if not plan.steps:
        t0 = plan.replanned_at_min if plan.replanned_at_min is not None else plan.start_min
        return np.array([t0], dtype=float), np.zeros(0)
    t = np.array([s.start_min for s in plan.steps] + [plan.steps[-1].end_min], dtype=float)
    r = np.array([s.rate_ml_h for s in plan.steps], dtype=float)
    return t, r


def segments_to_steps(segs) -> tuple[np.ndarray, np.ndarray]:
    """(start, end, mL/h) segments as step edges and rates; a gap between them shows as 0 mL/h."""
    if not segs:
        return np.zeros(0), np.zeros(0)
    t, r = [segs[0][0]], []
    for a, b, rate in segs:
        if a > t[-1] + EPS:
            r.append(0.0)
            t.append(a)
        r.append(rate)
        t.append(b)
    return np.asarray(t, dtype=float), np.asarray(r, dtype=float)


def integrate_steps(t: np.ndarray, rate: np.ndarray, start_ml: float = 0.0) -> np.ndarray:
    """Cumulative volume (mL) at each step edge: mL/h x minutes / 60."""
    out = np.empty(len(t))
    if len(t):
        out[0] = start_ml
        out[1:] = start_ml + np.cumsum(rate * np.diff(t) / 60.0)
    return out


class DeliveredTrace:
    """The delivered-volume curve and the actual rate steps, cheap to update every tick.

    The points up to the last confirmed rate change are cached; they are rebuilt only when
    the session's event list grew (`rebuilds` counts it). A tick writes at most two tip
    points into spare slots of the cached buffers, so its cost does not grow with the events.
    The returned arrays are views into those buffers: valid until the next `update`; copy
    them to keep them.
    """

    def __init__(self) -> None:
        self.rebuilds = 0
        self._n_events = -1
        self._session_id = None
        self._vt = np.zeros(2)  # cached delivered points + 2 spare slots for the tip
        self._vv = np.zeros(2)
        self._nv = 0
        self._rt = np.zeros(2)  # cached rate edges + 1 spare slot
        self._rr = np.zeros(1)
        self._nr = 0
        self._open = False  # a rate segment is still running (running or paused)

    def _rebuild(self, session) -> None:
        self.rebuilds += 1
        self._n_events = len(session.events)
        self._session_id = id(session)
        st = session.state
        self._open = st.status in ("running", "paused")
        # Closed segments: everything before the current rate began (state.t_rate).
        segs = session.rate_segments(until=st.t_rate) if self._open else session.rate_segments()
        t, r = segments_to_steps(segs)
        v = integrate_steps(t, r)
        if self._open and not len(t):
            t, v = np.array([st.t_rate]), np.array([st.delivered_at_rate])
        n = len(t)
        self._vt, self._vv = np.empty(n + 2), np.empty(n + 2)
        self._vt[:n], self._vv[:n], self._nv = t, v, n
        self._rt, self._rr = np.empty(n + 2), np.empty(n + 1)
        self._rt[:n], self._nr = t, len(r)
        self._rr[:len(r)] = r

    def update(self, session, now_min: float) -> tuple[np.ndarray, np.ndarray]:
        """Delivered volume (t, mL) up to now."""
        if len(session.events) != self._n_events or id(session) != self._session_id:
            self._rebuild(session)
        n = self._nv
        if not self._open:
            return self._vt[:n], self._vv[:n]
        k = n
        done = session.completion_at()  # the volume ran in before the session's next tick
        if done is not None and done < now_min - EPS and done > self._vt[n - 1] + EPS:
            self._vt[k], self._vv[k] = done, session.volume_ml
            k += 1
        if now_min > self._vt[k - 1] + EPS:
            self._vt[k], self._vv[k] = now_min, session.delivered_ml(now_min)
            k += 1
        return self._vt[:k], self._vv[:k]

    def rates(self, session, now_min: float) -> tuple[np.ndarray, np.ndarray]:
        """Confirmed pump rate as steps up to now (edges t, rates mL/h)."""
        if len(session.events) != self._n_events or id(session) != self._session_id:
            self._rebuild(session)
        n, m = self._nv, self._nr
        if not self._open:
            return self._rt[:n], self._rr[:m]
        st = session.state
        end = now_min
        done = session.completion_at()
        if done is not None and done < end:
            end = done
        if end <= self._rt[n - 1] + EPS:
            return self._rt[:n], self._rr[:m]
        self._rt[n], self._rr[m] = end, st.rate_ml_h if st.status == "running" else 0.0
        return self._rt[:n + 1], self._rr[:m + 1]


@dataclass(frozen=True)
class Marker:
    at_min: float
    kind: str  # start | vitals | symptoms | resolved | slow | pause | resume | stop | complete | observed | note
    label: str
    grade: str = "none"  # the reaction grade it carries, for colour


def marker_for(e, session) -> Marker | None:
    """The marker one event puts on the timeline, or None."""
    cat = session.catalogue
    d, k = e.data, e.kind
    if k == "start":
        return Marker(e.at_min, "start", f"Start {d.get('rate_ml_h', 0):g} mL/h")
    elif k == "vitals":
        g = d.get("grade", "none")
        txt = vitals_text(d.get("vitals", {}))
        return Marker(e.at_min, "vitals", f"Vitals: {txt}" + (f" ({g})" if g != "none" else ""), g)
    elif k == "symptoms":
        ids = d.get("symptoms", [])
        syms = [cat.symptoms[i] for i in ids if i in cat.symptoms]
        grade = "none"
        for s in syms:
            grade = higher(s.grade, grade)
        names = ", ".join(s.label for s in syms) or ", ".join(ids)
        return Marker(e.at_min, "symptoms", f"Symptoms: {names}", grade)
    elif k == "resolved":
        return Marker(e.at_min, "resolved", "Symptoms resolved")
    elif k == "action":
        act = d.get("action", "")
        why = f" (override: {d['override']})" if d.get("override") else ""
        grade = d.get("grade", "none")
        if act == "slow":
            return Marker(e.at_min, "slow", f"Slowed to {d.get('rate_ml_h', 0):g} mL/h{why}", grade)
        elif act == "pause":
            return Marker(e.at_min, "pause", f"Paused{why}", grade)
        elif act == "increase":
            return Marker(e.at_min, "resume", f"Stepped up to {d.get('rate_ml_h', 0):g} mL/h after review{why}",
                          grade)
        elif act == "continue":  # the pump never paused: it went on at the rate it had
            return Marker(e.at_min, "resume", f"Continued at {d.get('rate_ml_h', 0):g} mL/h{why}", grade)
        elif act == "resume":
            return Marker(e.at_min, "resume", f"Resumed at {d.get('rate_ml_h', 0):g} mL/h{why}", grade)
        elif act == "stop":
            return Marker(e.at_min, "stop", f"Stopped{why}", grade)
    elif k == "pause":
        return Marker(e.at_min, "pause", "Paused" + (f": {d['reason']}" if d.get("reason") else ""))
    elif k == "resume":
        return Marker(e.at_min, "resume", f"Resumed at {d.get('rate_ml_h', 0):g} mL/h")
    elif k == "stop":
        return Marker(e.at_min, "stop", "Stopped" + (f": {d['reason']}" if d.get("reason") else ""))
    elif k == "complete":
        return Marker(e.at_min, "complete", f"Complete: {d.get('delivered_ml', session.volume_ml):.0f} mL in")
    elif k == "observed":
        return Marker(e.at_min, "observed", "Observation closed" + (f" early: {d['early']}" if d.get("early") else ""))
    elif k == "note":
        return Marker(e.at_min, "note", f"Note: {d.get('text', '')}")
    elif k == "prescriber_rate":
        rate = f"set to {d['rate_ml_h']:g} mL/h" if d.get("rate_ml_h") is not None else "new maximum"
        return Marker(e.at_min, "resume", f"Prescriber: {rate}" + (f", up to {d['max_ml_h']:g} mL/h"
                                                                      if d.get("max_ml_h") is not None else ""))
    return None


def markers(session) -> list[Marker]:
    """The events a nurse wants to see on the timeline, in time order."""
    return [m for m in (marker_for(e, session) for e in session.events) if m is not None]


class MarkerTrace:
    """Markers with their height on the delivered curve, taken in as events arrive.

    A marker's height is the volume delivered at its time, which never changes once that time
    has passed; so each event is looked at once, and a redraw after a new event costs the same
    with ten events or ten thousand.
    """

    def __init__(self) -> None:
        self.pairs: list[tuple[Marker, float]] = []
        self.rebuilds = 0
        self._n = 0
        self._session_id = None

    def update(self, session) -> list[tuple[Marker, float]]:
        """The (marker, mL) pairs added since the last call (all of them after a rebuild)."""
        if id(session) != self._session_id or len(session.events) < self._n:
            self.pairs, self._n, self._session_id = [], 0, id(session)
            self.rebuilds += 1
        fresh = [m for m in (marker_for(e, session) for e in session.events[self._n:]) if m is not None]
        self._n = len(session.events)
        ys = volume_at(session, [m.at_min for m in fresh]) if fresh else ()
        added = [(m, float(y)) for m, y in zip(fresh, ys)]
        self.pairs.extend(added)
        return added


def volume_at(session, times) -> np.ndarray:
    """Delivered volume (mL) at the given minutes, from the confirmed rate segments (for markers)."""
    times = np.asarray(times, dtype=float)
    if not len(times):
        return np.zeros(0)
    segs = session.rate_segments(until=max(float(times.max()), session.state.t_rate))
    t, r = segments_to_steps(segs)
    if not len(t):
        return np.zeros(len(times))
    v = np.minimum(integrate_steps(t, r), session.volume_ml)
    return np.interp(times, t, v, left=0.0)
