"""The chair's "Now" panel: state, rate, next step, vitals, volume, expected finish, observation.

Every value is a core answer; this only words it with the chair's one clock (clock time, time
left, elapsed since the pump start). No next step is shown past the expected end.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QProgressBar

from titration.errors import TitrationError
from titration.timefmt import countdown
from ui.common.widgets import label

ROWS = (("state", "State"), ("rate", "Pump rate now"), ("elapsed", "Elapsed"), ("next_step", "Next step"),
        ("vitals", "Vitals due"), ("volume", "Volume in"), ("finish", "Expected finish"),
        ("forecast", "Likely done by"), ("observation", "Observation"))


class NowPanel(QGroupBox):
    """The state of the infusion at this moment, in words and clock times."""

    def __init__(self, chair, parent=None):
        super().__init__("Now", parent)
        self.chair = chair
        self.session = chair.session
        self._fc_plan = None
        self.forecast = None
        g = QGridLayout(self)
        g.setVerticalSpacing(4)
        self.labels: dict[str, QLabel] = {}
        for i, (key, text) in enumerate(ROWS):
            name = QLabel(text)
            name.setStyleSheet("color: #555555;")
            val = label(f"status_{key}", wrap=True)
            val.setProperty("class", "bigValue")
            self.labels[key] = val
            g.addWidget(name, 2 * i, 0, Qt.AlignmentFlag.AlignTop)
            g.addWidget(val, 2 * i, 1)
            if key == "volume":
                self.volume_bar = QProgressBar()
                self.volume_bar.setTextVisible(False)
                self.volume_bar.setMaximumHeight(8)
                g.addWidget(self.volume_bar, 2 * i + 1, 1)
        g.setColumnStretch(1, 1)

    def refresh(self, t: float) -> None:
        s, c, L = self.session, self.chair, self.labels
        L["state"].setText(s.status)
        L["rate"].setText(f"{s.pump_rate(t):g} mL/h")  # 0 once the bag is empty
        L["elapsed"].setText(c.elapsed_text(t))
        nxt = s.next_step(t)  # the core gives none past the end of the infusion, and says why there is none
        end = s.expected_end(t)
        if s.status in ("completed", "stopped", "closed"):
            L["next_step"].setText("—")
        elif nxt.at_min is not None:
            at = nxt.at_min
            L["next_step"].setText("due NOW" if at <= t else f"in {countdown(at - t)} (at {c.clock_text(at)})")
        else:
            L["next_step"].setText(nxt.why_none)
        v = s.vitals_due(t)
        if v is None:
            L["vitals"].setText("—")
        else:
            at, why = v
            when = "NOW" if at <= t + 1e-9 else f"in {countdown(at - t)} (at {c.clock_text(at)})"
            L["vitals"].setText(f"{when} — {why}")
        delivered = s.delivered_ml(t)
        L["volume"].setText(f"{delivered:.1f} of {s.volume_ml:.1f} mL")
        self.volume_bar.setValue(int(round(100 * delivered / s.volume_ml)) if s.volume_ml else 0)
        if s.status in ("completed", "stopped", "closed"):
            L["finish"].setText(f"ended {c.clock_text(s.state.end_min)}")
        else:
            L["finish"].setText(c.left_text(t, end))
        self._forecast(t)
        obs = s.observation_ends_at()
        if obs is None:
            L["observation"].setText("60 min after the end")
        elif s.status == "closed":
            L["observation"].setText("closed")
        else:
            ends = f"ends in {countdown(obs - t)} (at {c.clock_text(obs)})"
            L["observation"].setText("over: close it" if t >= obs else ends)

    def _forecast(self, t: float) -> None:
        s, c = self.session, self.chair
        L = self.labels
        if s.status not in ("planned", "running", "paused"):
            L["forecast"].setText("—")
            return
        if s.plan is not self._fc_plan:
            self._fc_plan = s.plan
            self.forecast = None
            if s.plan.steps:
                from titration.training.forecast import forecast  # numpy: only once a chair shows a plan

                try:
                    self.forecast = forecast(s.plan, n=10000, seed=0)
                except TitrationError:  # its parameters cannot be read: the forecast is an extra, never a blocker
                    self.forecast = None
        f = self.forecast
        if s.state.reactions:
            L["forecast"].setText("— (after a reaction: see the expected finish)")
        elif f is None:
            L["forecast"].setText("—")
        else:
            L["forecast"].setText(f"{c.clock_text(f.median_min)} · allow until {c.clock_text(f.p90_min)}")
