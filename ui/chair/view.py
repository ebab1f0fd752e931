"""The live view of one chair: the pump panel, the chart and log, vitals and symptoms.

It composes the chair's panels (ui.chair.pump_panel, ui.chair.now_panel, ui.chair.controls) and routes the
nurse's intents to the chair's model. Every panel draws the snapshot the model publishes (`chair.state`,
titration/chair_state.py); none reads the session (tests/test_chair_widgets_snapshot.py). Panels are inline (no
modal dialog steals focus from a running countdown). A clock tick only updates labels and the
chart's tip; tables grow by appending rows.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QGroupBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from titration.errors import TitrationError
from ui.chair.controls import AfterPanel, EmergencyPanel, InfusionControls, ReasonBox
from ui.chair.day_fit_panel import DayFitPanel
from ui.chair.debrief_page import DebriefPage
from ui.chair.event_log import EventLog
from ui.chair.header import ChairHeader
from ui.chair.model import ChairModel
from ui.chair.now_panel import NowPanel
from ui.chair.prescriber_panel import PrescriberRatePanel
from ui.chair.pump_panel import PumpPanel
from ui.chair.symptoms_panel import SymptomsPanel
from ui.chair.vitals_panel import VitalsForm
from ui.chart.infusion_chart import InfusionChart
from ui.chart.text_alternative import ChartSummary, PlannedSteps
from ui.common.widgets import label, scrolled

if TYPE_CHECKING:
    from ui.training.panel import TrainingPanel  # built with a training chair only

__all__ = ["ChairView"]


class ChairView(QWidget):
    """One chair's page: its panels side by side, kept up to date from its ChairModel."""

    def __init__(self, chair: ChairModel, parent=None):
        super().__init__(parent)
        self.chair = chair
        root = self.root = QVBoxLayout(self)  # the unit board puts its read-only lines at the top
        root.setContentsMargins(4, 4, 4, 4)
        root.setSpacing(3)
        self.training_panel: TrainingPanel | None = None
        self.large = False
        if chair.training:
            from ui.training.panel import TrainingBanner

            root.addWidget(TrainingBanner(chair.scenario_title))
        self.journal_banner = label("journalBanner", wrap=True)
        self.journal_banner.hide()
        root.addWidget(self.journal_banner)
        # a timer of the view's own (not a single shot holding a bound method): it dies with the view
        self._refit_timer = QTimer(self)
        self._refit_timer.setSingleShot(True)
        self._refit_timer.setInterval(0)
        self._refit_timer.timeout.connect(self._refit)
        self.bar = ChairHeader()  # fixed: the pump rate, the next action, Pause and Stop never scroll away
        self.bar.sig_pause.connect(lambda: self.open_reason("pause"))
        self.bar.sig_resume.connect(self.resume)
        self.bar.sig_stop.connect(lambda: self.open_reason("stop"))
        root.addWidget(self.bar)
        self.export_plan_button = QPushButton("Export rate chart… (Ctrl+E)")
        self.export_record_button = QPushButton("Export infusion record… (Ctrl+Shift+E)")
        for b in (self.export_plan_button, self.export_record_button):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.error = label("errorLine", wrap=True)
        root.addWidget(self.error)

        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.body = QStackedWidget()  # the live view, or (training) the debrief at full width
        self.body.addWidget(self.split)
        root.addWidget(self.body, 1)
        self.split.addWidget(self._left_column())
        self.centre = QSplitter(Qt.Orientation.Vertical)
        self.chart = InfusionChart()
        self.chart.setMinimumSize(240, 200)
        self.centre.addWidget(self.chart)
        # under the chart: the chart in words (its text alternative), then the event log and the plan as a table
        below = QWidget()
        bl = QVBoxLayout(below)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.setSpacing(2)
        self.chart_summary = ChartSummary()
        bl.addWidget(self.chart_summary)
        self.log = EventLog(chair.clock_text, elapsed=chair.elapsed_at)
        self.steps = PlannedSteps()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("logTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.log, "Event log")
        self.tabs.addTab(self.steps, "Planned steps")
        self.tabs.setMinimumHeight(60)  # a short window shrinks the log, never grows the window (large type)
        bl.addWidget(self.tabs, 1)
        self.centre.addWidget(below)
        self.centre.setSizes([520, 200])
        right = self.right = self._right_column()
        if self.training_panel is not None:
            self._debrief_page(self.training_panel)
        self.split.addWidget(self.centre)
        self.split.addWidget(right)
        for i, stretch in enumerate((0, 1, 0)):
            self.split.setStretchFactor(i, stretch)
        self.split.setSizes([340, 620, 330])

        self.chart.set_wall_start(chair.wall_start)
        self._chart_frame(chair.now)
        chair.sig_changed.connect(self.on_changed)
        chair.sig_tick.connect(self.on_tick)
        chair.sig_error.connect(self.show_error)
        chair.sig_journal_failed.connect(self.show_journal_failure)
        chair.sig_utterances.connect(self._utterances)
        if chair.unsaved_from is not None:
            self.show_journal_failure("NOT SAVED: this infusion has no journal record. Keep a paper record.")
        self.on_changed()

    # ------------------------------------------------------------------ layout
    def _left_column(self) -> QWidget:
        """The pump panel and the reason box stay in view; the rest scrolls under them."""
        col = QWidget()
        col.setMinimumWidth(300)
        self.left_col = col
        v = QVBoxLayout(col)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(3)
        self.pump = PumpPanel(self.chair, self.show_error)
        self.pump.confirm_button.clicked.connect(self.confirm)
        v.addWidget(self.pump)
        self.reason_box = ReasonBox(self.submit_reason)
        v.addWidget(self.reason_box)
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.setContentsMargins(0, 0, 0, 0)
        self.emergency = EmergencyPanel()  # first: after a STOP the column is scrolled back to it
        lay.addWidget(self.emergency)
        lay.addWidget(self.pump.why)
        self.day_fit = DayFitPanel()
        self.day_fit.sig_note.connect(self.chair.note)
        lay.addWidget(self.day_fit)
        self.after = AfterPanel()
        self.after.close_obs_button.clicked.connect(self.close_observation)
        lay.addWidget(self.after)
        self.now_panel = NowPanel()
        lay.addWidget(self.now_panel)
        self.controls = InfusionControls()
        self.controls.resolved_button.clicked.connect(self.resolved)
        lay.addWidget(self.controls)
        # the way out of a plan that does not fit the day; after vitals and symptoms (large type stacks them above)
        self.prescriber = PrescriberRatePanel(self.chair.prescriber_rate)
        lay.addWidget(self.prescriber)
        ex = QGroupBox("Export")
        el = QVBoxLayout(ex)
        for b in (self.export_plan_button, self.export_record_button):
            el.addWidget(b)
        lay.addWidget(ex)
        lay.addStretch(1)
        self.left_lay = lay  # large type stacks the right column in here, after the end panel
        self.left_scroll = scrolled(w, 300)
        v.addWidget(self.left_scroll, 1)
        return col

    def _right_column(self) -> QScrollArea:
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.setContentsMargins(0, 0, 0, 0)
        if self.chair.training:
            from ui.training.panel import TrainingPanel

            panel = self.training_panel = TrainingPanel(self.chair)
            panel.sig_take_vitals.connect(self.take_vitals)
            lay.addWidget(panel)
        vg = self.vitals_box = QGroupBox("Vitals (Ctrl+Shift+V)")
        vg.setToolTip("Ctrl+Shift+V comes here")
        vl = QVBoxLayout(vg)
        self.vitals = VitalsForm(catalogue=self.chair.catalogue, age_years=self.chair.age_years)
        self.vitals.sig_record.connect(self._record_vitals)
        self.vitals.sig_error.connect(self.show_error)
        vl.addWidget(self.vitals)
        lay.addWidget(vg)
        sg = self.symptoms_box = QGroupBox("Symptoms (Ctrl+Shift+S)")
        sg.setToolTip("Ctrl+Shift+S comes here")
        sgl = QVBoxLayout(sg)
        self.symptoms = SymptomsPanel(catalogue=self.chair.catalogue)
        self.symptoms.sig_report.connect(self._report)
        sgl.addWidget(self.symptoms)
        lay.addWidget(sg)
        lay.addStretch(1)
        self.right_inner = w
        return scrolled(w, 250)

    def _debrief_page(self, panel: TrainingPanel) -> None:
        self.debrief_page = DebriefPage(panel.debrief)
        self.debrief_page.back.clicked.connect(self.show_live)
        self.body.addWidget(self.debrief_page)
        panel.sig_debrief_shown.connect(self.show_debrief_tab)

    # ------------------------------------------------------------------ intents (buttons and shortcuts)
    def _clear_error(self) -> None:
        self.error.setText("")

    def confirm(self) -> None:
        self._clear_error()
        self.chair.confirm()

    def open_reason(self, kind: str) -> None:
        self.reason_box.open(kind)

    def submit_reason(self) -> None:
        self._clear_error()
        kind, text = self.reason_box.kind, self.reason_box.edit.text()
        out = {"pause": self.chair.pause, "close": self.chair.close_observation, "stop": self.chair.stop}[kind](text)
        if out.done:
            self.reason_box.edit.clear()
            self.reason_box.hide()

    def resolved(self) -> None:
        self._clear_error()
        self.chair.resolved()

    def resume(self) -> None:
        self._clear_error()
        self.chair.resume()

    def close_observation(self) -> None:
        self._clear_error()
        ends = self.chair.state.times.observation_end_min
        if ends is not None and self.chair.time_now() < ends:
            self.open_reason("close")  # the hour is not up: say why it ends early
            return
        self.chair.close_observation()

    def focus_vitals(self) -> None:
        self.vitals.fields["temp_c"].setFocus()

    def report_ticked(self) -> None:
        self._report(self.symptoms.checked())

    def focus_symptoms(self) -> None:
        next(iter(self.symptoms.boxes.values())).setFocus()

    def take_vitals(self) -> None:
        """Training: the simulated patient's vitals, pre-filled for the trainee to record."""
        run = self.chair.run
        if run is None:
            return
        try:
            self.vitals.set_values(run.take_vitals(self.chair.time_now()))
        except TitrationError as exc:
            self.show_error(f"Take vitals: {exc}")
            return
        self.focus_vitals()

    def _record_vitals(self, v) -> None:
        self._clear_error()
        g = self.chair.record_vitals(v, baseline=self.vitals.as_baseline.isVisible()
                                     and self.vitals.as_baseline.isChecked())
        if g is not None:
            self.vitals.clear()
            self.vitals.show_recorded(g, self.chair.state.times.now_text)

    def _report(self, ids) -> None:
        self._clear_error()
        if self.chair.report_symptoms(ids).done:
            self.symptoms.set_checked(())

    def show_debrief_tab(self) -> None:
        """The debrief needs room: it takes the chair's whole body (Back returns to the live view)."""
        self.body.setCurrentWidget(self.debrief_page)

    def show_live(self) -> None:
        self.body.setCurrentIndex(0)

    def show_error(self, text: str) -> None:
        self.error.setText(text)

    def show_journal_failure(self, text: str) -> None:
        self.journal_banner.setText(text)
        self.journal_banner.show()

    def _utterances(self, items) -> None:
        if self.training_panel is not None:
            self.training_panel.add_utterances(items, self.chair.clock_text)

    def set_large(self, large: bool) -> None:
        from ui.common.style import BASE_PT

        for lab in self.now_panel.labels.values():
            f = lab.font()
            f.setPointSize(BASE_PT[large] + 1)
            f.setBold(True)
            lab.setFont(f)
        self.chart.set_large(large)
        self.symptoms.set_columns(1)  # one column: the long names (severe ones) never clip
        # a group's title cannot wrap: in large type the shortcut stays in its tooltip and the help,
        # so the title does not make the column wider than the window gives it
        self.vitals_box.setTitle("Vitals" if large else "Vitals (Ctrl+Shift+V)")
        self.symptoms_box.setTitle("Symptoms" if large else "Symptoms (Ctrl+Shift+S)")
        # a button's words cannot wrap: in large type the shortcut goes on a second line, so the left
        # column is not wider than its viewport (the emergency steps then wrap where they can be read)
        self.large = large
        self.bar.set_large(large)
        # large type is a layout of its own: the proposal's line is said once, in the header's next action
        # (full width there), so the pump panel keeps the rate and Confirm and leaves room for what is below
        self.pump.reason.setVisible(not large)
        for b in (self.export_plan_button, self.export_record_button, self.after.close_obs_button,
                  self.controls.resolved_button):
            one = b.property("oneLine") or b.text()
            b.setProperty("oneLine", one)
            b.setText(one.replace(" (", "\n(") if large else one)
        self._stack_sides(large)
        self._refit_timer.start()  # the log and the header measured again once the new font has reached them

    def _refit(self) -> None:
        self.log.refit()
        self.bar.refit()

    def _stack_sides(self, stacked: bool) -> None:
        """Large type does not fit three columns in 1024 px: the right column (vitals, symptoms)
        goes below the left one, so nothing scrolls sideways; normal type puts it back."""
        here = self.right.widget() is self.right_inner
        # A splitter squeezes a column to an explicit minimum width even when what it holds needs
        # more; stacked, the left column is as wide as what it holds (the window still fits).
        for w in (self.left_col, self.left_scroll):
            w.setMinimumWidth(0 if stacked else 300)
        if stacked and here:
            self.right.takeWidget()
            self.left_lay.insertWidget(self.left_lay.indexOf(self.after) + 1, self.right_inner)
            self.right.hide()
        elif not stacked and not here:
            self.left_lay.removeWidget(self.right_inner)
            self.right.setWidget(self.right_inner)
            self.right.show()

    # ------------------------------------------------------------------ rendering: the snapshot, nothing else
    def on_changed(self) -> None:
        st = self.chair.state
        self.vitals.set_baseline(st.baseline)
        self.vitals.show_state(st.baseline_notice, st.early_warning)
        self.controls.show_state(st)
        self.after.show_state(st)  # a reaction after the end: the core proposes its steps (on_tick)
        # a reaction can come at any time, the observation hour and after it included
        self.symptoms.report_button.setEnabled(True)
        self.vitals.record_button.setEnabled(True)
        self.on_tick(self.chair.now)

    def on_tick(self, now: float) -> None:
        c = self.chair
        st = c.state
        was_shown = self.emergency.isVisible()
        self.emergency.offer(st)  # after the end too: advice and emergency steps
        if self.emergency.isVisible() and not was_shown:  # after a STOP the emergency steps are what is in view
            self.left_scroll.verticalScrollBar().setValue(0)
        if st.status == "closed" and st.emergency is None:
            self.emergency.hide()  # the observation is closed and the reaction over: the steps no longer apply
        self.pump.show_state(st)
        # large type, a STOP due and its steps shown: the header says the rate ("Set pump to 0"); the big
        # "STOP" gives its room to the steps (after the confirm it shows the volume in again)
        stop_due = st.proposal is not None and st.proposal.action in ("stop", "emergency")
        self.pump.pump_rate.setVisible(not (self.large and stop_due and self.emergency.isVisible()))
        self.bar.show_state(st, st.title, f"{st.times.now_text} · {st.times.since_start_text}")
        self.now_panel.show_state(st)
        self.day_fit.show_fit(st.day_fit)
        if st.events != self.log.shown:
            self.log.append(c.events_from(self.log.shown), c.unsaved_from)
        self._chart_frame(now)
        self.chart_summary.show_state(st)
        self.prescriber.show_state(st)
        if self.training_panel is not None:
            self.training_panel.refresh(st.at_min)

    def _chart_frame(self, t: float) -> None:
        """The chart's frame (the tip moves; new events append); the table of steps follows a new plan."""
        f = self.chair.chart_feed.frame(t)
        self.chart.show_frame(f)
        if f.plan is not None:
            self.steps.show_steps(f.plan.steps, f.origin_min)

    def summary_text(self) -> str:
        """The record after the end and what the patient is told, as the After panel shows them."""
        return self.after.summary.text() + "\n" + self.after.look_out.text()
