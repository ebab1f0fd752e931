"""The live view of one chair: what to set on the pump, what is due, the chart, vitals, symptoms, the log.

Everything shown is a core answer (session.due, next_step_at, vitals_due, delivered_ml,
expected_end ...). Panels are inline (no modal dialog steals focus from a running countdown).
A clock tick only updates labels and the chart's tip; tables grow by appending rows.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from titration.plan import fmt_hm
from ui import optional
from ui.alerts import AlertBar
from ui.event_log import EventLog
from ui.model import ChairModel
from ui.style import GRADE_COLOURS, STATE_COLOURS
from ui.symptoms_panel import SymptomsPanel
from ui.vitals_dialog import VitalsForm

ACTION_WORDS = {"increase": "Increase", "slow": "SLOW DOWN", "pause": "PAUSE", "resume": "RESUME", "stop": "STOP"}


def countdown(minutes: float) -> str:
    """Minutes as m:ss (or h:mm:ss), for a countdown."""
    s = max(0, int(round(minutes * 60)))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


class WrapLabel(QLabel):
    """A word-wrapped label that asks for the height its text needs at its width.

    (Qt lays out wrapped labels for a guessed width; inside a scroll area that guess clips the
    last line. Asking again on every resize keeps every line visible.)
    """

    def resizeEvent(self, event):  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit()

    def changeEvent(self, event):  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.FontChange:
            self._fit()

    def setText(self, text: str) -> None:  # noqa: N802
        if text != self.text():
            super().setText(text)
            self._fit()

    def _fit(self) -> None:
        h = self.heightForWidth(max(self.width(), 50)) if self.text() else 0
        if h != self.minimumHeight():
            self.setMinimumHeight(h)


def _scrolled(w: QWidget, min_width: int) -> QScrollArea:
    """A side column that scrolls when the window is short, without a frame."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.NoFrame)
    scroll.setWidget(w)
    scroll.setMinimumWidth(min_width)
    return scroll


def _label(name: str, text: str = "", wrap: bool = False) -> QLabel:
    w = WrapLabel(text) if wrap else QLabel(text)
    w.setObjectName(name)
    w.setWordWrap(wrap)
    w.setTextInteractionFlags(Qt.TextSelectableByMouse)
    return w


class ChairView(QWidget):
    def __init__(self, chair: ChairModel, parent=None, *, beep=None):
        super().__init__(parent)
        self.chair = chair
        self.session = chair.session
        self._fc_plan = None
        self.forecast = None
        self._emergency_for = None
        root = QVBoxLayout(self)
        root.setContentsMargins(6, 6, 6, 6)
        root.setSpacing(4)

        self.training_panel = None
        if chair.training:
            from ui.training_panel import TrainingBanner  # noqa: PLC0415

            root.addWidget(TrainingBanner(chair.scenario_title))
        self.journal_banner = _label("journalBanner", wrap=True)
        self.journal_banner.hide()
        root.addWidget(self.journal_banner)
        self.alert_bar = AlertBar(beep=beep)
        self.alert_bar.sig_acknowledge.connect(chair.acknowledge)
        root.addWidget(self.alert_bar)

        head = QHBoxLayout()
        self.header = _label("chairHeader", wrap=True)
        self.header.setMinimumWidth(200)
        self.now_label = _label("nowClock")
        self.now_label.setToolTip("the time now, and how long since the plan was made")
        self.state_badge = _label("stateBadge")
        self.export_plan_button = QPushButton("Export rate chart…")
        self.export_record_button = QPushButton("Export infusion record…")
        for b in (self.export_plan_button, self.export_record_button):
            b.setFocusPolicy(Qt.NoFocus)
        head.addWidget(self.header, 1)
        head.addWidget(self.now_label)
        head.addWidget(self.state_badge)
        head.addWidget(self.export_plan_button)
        head.addWidget(self.export_record_button)
        root.addLayout(head)
        self.error = _label("errorLine", wrap=True)
        root.addWidget(self.error)

        split = QSplitter(Qt.Horizontal)
        self.split = split
        self.body = QStackedWidget()  # the live view, or (training) the debrief at full width
        self.body.addWidget(split)
        root.addWidget(self.body, 1)
        split.addWidget(self._left_column())
        centre = QSplitter(Qt.Vertical)
        self.centre = centre
        self.chart = optional.chart_widget()
        self.chart.setMinimumSize(300, 220)
        centre.addWidget(self.chart)
        self.log = EventLog(chair.clock_text)
        centre.addWidget(self.log)
        centre.setSizes([520, 220])
        right = self._right_column()
        if self.training_panel is not None:
            page = QWidget()
            pl = QVBoxLayout(page)
            row = QHBoxLayout()
            title = QLabel("Debrief: what the protocol expected, against what was done")
            title.setObjectName("chairHeader")
            back = QPushButton("Back to the chair (Esc)")
            back.setObjectName("debriefBack")
            back.clicked.connect(self.show_live)
            back.setShortcut("Esc")
            row.addWidget(title, 1)
            row.addWidget(back)
            pl.addLayout(row)
            pl.addWidget(self.training_panel.debrief, 1)
            self.debrief_page = page
            self.body.addWidget(page)
            self.training_panel.sig_debrief_shown = self.show_debrief_tab
        split.addWidget(centre)
        split.addWidget(right)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setStretchFactor(2, 0)
        split.setSizes([370, 620, 350])

        if optional.is_chart(self.chart):
            self.chart.set_wall_start(chair.wall_start)
            self.chart.set_session(self.session, chair.now)
        chair.sig_changed.connect(self.on_changed)
        chair.sig_tick.connect(self.on_tick)
        chair.sig_error.connect(self.show_error)
        chair.sig_alerts.connect(self.alert_bar.show_alerts)
        chair.sig_journal_failed.connect(self.show_journal_failure)
        chair.sig_utterances.connect(self._utterances)
        if chair.unsaved_from is not None:
            self.show_journal_failure("NOT SAVED: this infusion has no journal record. Keep a paper record.")
        self.on_changed()

    # ------------------------------------------------------------------ layout
    def _left_column(self) -> QWidget:
        w = QWidget()
        w.setMinimumWidth(320)
        lay = QVBoxLayout(w)
        lay.setContentsMargins(0, 0, 0, 0)

        pump = QGroupBox("Pump — Ctrl+Enter confirms")
        pl = QVBoxLayout(pump)
        self.pump_title = _label("pumpTitle")
        self.pump_rate = _label("pumpRate")
        self.pump_units = _label("pumpUnits", wrap=True)
        self.reason = _label("proposalReason", wrap=True)
        self.rule = _label("proposalRule", wrap=True)
        self.rule.setStyleSheet("color: #555555;")
        for x in (self.pump_title, self.pump_rate, self.pump_units, self.reason, self.rule):
            pl.addWidget(x)
        self.confirm_button = QPushButton("Confirm")
        self.confirm_button.setObjectName("confirm")
        self.confirm_button.setToolTip("Ctrl+Enter")
        self.confirm_button.clicked.connect(self.confirm)
        self.override_button = QPushButton("Override… (Ctrl+Shift+O)")
        self.override_button.setObjectName("overrideButton")
        self.override_button.clicked.connect(self.open_override)
        pl.addWidget(self.confirm_button)
        pl.addWidget(self.override_button)
        pl.addWidget(self._override_panel())
        lay.addWidget(pump)

        lay.addWidget(self._emergency_panel())
        self.summary_box = QGroupBox("After the infusion")
        sl = QVBoxLayout(self.summary_box)
        self.summary = _label("summary", wrap=True)
        sl.addWidget(self.summary)
        self.close_obs_button = QPushButton("Close observation (Ctrl+Shift+C)")
        self.close_obs_button.setObjectName("closeObservation")
        self.close_obs_button.clicked.connect(self.close_observation)
        sl.addWidget(self.close_obs_button)
        self.summary_box.hide()
        lay.addWidget(self.summary_box)


        status = QGroupBox("Now")
        g = QGridLayout(status)
        g.setVerticalSpacing(4)
        self.status_labels: dict[str, QLabel] = {}
        for i, (key, text) in enumerate((("state", "State"), ("rate", "Pump rate now"), ("next_step", "Next step"),
                                         ("vitals", "Vitals due"), ("volume", "Volume in"),
                                         ("finish", "Expected finish"), ("forecast", "Likely done by"),
                                         ("observation", "Observation"))):
            name = QLabel(text)
            name.setStyleSheet("color: #555555;")
            val = _label(f"status_{key}", wrap=True)
            val.setObjectName(f"status_{key}")
            val.setProperty("class", "bigValue")
            self.status_labels[key] = val
            g.addWidget(name, 2 * i, 0, Qt.AlignTop)
            g.addWidget(val, 2 * i, 1)
            if key == "volume":
                self.volume_bar = QProgressBar()
                self.volume_bar.setTextVisible(False)
                self.volume_bar.setMaximumHeight(8)
                g.addWidget(self.volume_bar, 2 * i + 1, 1)
        g.setColumnStretch(1, 1)
        lay.addWidget(status)

        ctl = QGroupBox("Infusion")
        cl = QGridLayout(ctl)
        self.resolved_button = QPushButton("Symptoms resolved (Ctrl+R)")
        self.resolved_button.setObjectName("resolvedButton")
        self.resolved_button.clicked.connect(self.resolved)
        self.pause_button = QPushButton("Pause infusion… (Ctrl+P)")
        self.pause_button.setObjectName("pauseButton")
        self.pause_button.clicked.connect(lambda: self.open_reason("pause"))
        self.resume_button = QPushButton("Resume (Ctrl+Shift+R)")
        self.resume_button.setObjectName("resumeButton")
        self.resume_button.clicked.connect(self.resume)
        self.stop_button = QPushButton("Stop infusion… (Ctrl+Shift+X)")
        self.stop_button.setObjectName("stopButton")
        self.stop_button.clicked.connect(lambda: self.open_reason("stop"))
        cl.addWidget(self.resolved_button, 0, 0, 1, 2)
        cl.addWidget(self.pause_button, 1, 0)
        cl.addWidget(self.resume_button, 1, 1)
        cl.addWidget(self.stop_button, 2, 0, 1, 2)
        cl.addWidget(self._reason_panel(), 3, 0, 1, 2)
        lay.addWidget(ctl)

        lay.addStretch(1)
        return _scrolled(w, 340)

    def _override_panel(self) -> QWidget:
        self.override_panel = QFrame()
        self.override_panel.setFrameShape(QFrame.StyledPanel)
        g = QGridLayout(self.override_panel)
        self.ov_action = QComboBox()
        self.ov_action.setObjectName("overrideAction")
        for a in ("slow", "pause", "continue", "stop"):
            self.ov_action.addItem(a, a)
        self.ov_rate = QLineEdit()
        self.ov_rate.setObjectName("overrideRate")
        self.ov_rate.setPlaceholderText("mL/h")
        self.ov_reason = QLineEdit()
        self.ov_reason.setObjectName("overrideReason")
        self.ov_reason.setPlaceholderText("reason (required)")
        self.ov_reason.returnPressed.connect(self.submit_override)
        ok = QPushButton("Record override")
        ok.setObjectName("submitOverride")
        ok.clicked.connect(self.submit_override)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.override_panel.hide)  # what was typed stays for next time
        g.addWidget(QLabel("Instead:"), 0, 0)
        g.addWidget(self.ov_action, 0, 1)
        g.addWidget(QLabel("rate"), 0, 2)
        g.addWidget(self.ov_rate, 0, 3)
        g.addWidget(self.ov_reason, 1, 0, 1, 4)
        g.addWidget(ok, 2, 2)
        g.addWidget(cancel, 2, 3)
        self.override_panel.hide()
        return self.override_panel

    def _reason_panel(self) -> QWidget:
        self.reason_panel = QFrame()
        self.reason_panel.setFrameShape(QFrame.StyledPanel)
        h = QHBoxLayout(self.reason_panel)
        self.reason_kind = "pause"
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("reasonEdit")
        self.reason_edit.returnPressed.connect(self.submit_reason)
        self.reason_ok = QPushButton("Pause")
        self.reason_ok.setObjectName("submitReason")
        self.reason_ok.clicked.connect(self.submit_reason)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reason_panel.hide)
        h.addWidget(self.reason_edit, 1)
        h.addWidget(self.reason_ok)
        h.addWidget(cancel)
        self.reason_panel.hide()
        return self.reason_panel

    def _emergency_panel(self) -> QWidget:
        self.emergency = QFrame()
        self.emergency.setObjectName("emergency")
        lay = QVBoxLayout(self.emergency)
        t = QLabel("SEVERE REACTION — EMERGENCY")
        t.setObjectName("emergencyTitle")
        t.setWordWrap(True)
        lay.addWidget(t)
        self.emergency_steps = _label("emergencySteps", wrap=True)
        lay.addWidget(self.emergency_steps)
        self.emergency_source = _label("emergencySource", wrap=True)
        lay.addWidget(self.emergency_source)
        hide = QPushButton("Hide emergency steps")
        hide.setFocusPolicy(Qt.NoFocus)
        hide.clicked.connect(self.emergency.hide)
        lay.addWidget(hide)
        self.emergency.hide()
        return self.emergency

    def _right_column(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.setContentsMargins(0, 0, 0, 0)
        if self.chair.training:
            from ui.training_panel import TrainingPanel  # noqa: PLC0415

            self.training_panel = TrainingPanel(self.chair)
            self.training_panel.sig_take_vitals.connect(self.take_vitals)
            lay.addWidget(self.training_panel)
        vg = QGroupBox("Vitals (Ctrl+Shift+V)")
        vl = QVBoxLayout(vg)
        self.vitals = VitalsForm(catalogue=self.session.catalogue)
        self.vitals.sig_record.connect(self._record_vitals)
        self.vitals.sig_error.connect(self.show_error)
        vl.addWidget(self.vitals)
        lay.addWidget(vg)
        sg = QGroupBox("Symptoms (Ctrl+Shift+S)")
        sgl = QVBoxLayout(sg)
        self.symptoms = SymptomsPanel(catalogue=self.session.catalogue)
        self.symptoms.sig_report.connect(self._report)
        sgl.addWidget(self.symptoms)
        lay.addWidget(sg)
        lay.addStretch(1)
        scroll = _scrolled(w, 330)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        return scroll

    # ------------------------------------------------------------------ intents (buttons and shortcuts)
    def confirm(self) -> None:
        self.error.setText("")
        self.chair.confirm()

    def open_override(self) -> None:
        p = self.chair.proposal()
        if p is None:
            self.show_error("Override: there is no proposal to override")
            return
        if p.action == "stop":
            self.show_error("A stop cannot be overridden (severe reaction or policy stop).")
            return
        if not self.ov_rate.text():
            self.ov_rate.setText(f"{self.session.state.rate_ml_h:g}")
        self.override_panel.show()
        self.ov_reason.setFocus()

    def submit_override(self) -> None:
        try:
            rate = float(self.ov_rate.text().replace(",", ".") or "0")
        except ValueError:
            self.show_error(f"Override: {self.ov_rate.text()!r} is not a rate in mL/h")
            return
        self.error.setText("")
        self.chair.override(self.ov_action.currentData(), rate, self.ov_reason.text())
        if not self.error.text():
            self.ov_reason.clear()
            self.override_panel.hide()

    def open_reason(self, kind: str) -> None:
        self.reason_kind = kind
        self.reason_ok.setText({"pause": "Pause now", "stop": "STOP the infusion",
                                "close": "Close the observation early"}[kind])
        self.reason_edit.setPlaceholderText("reason (optional)" if kind == "pause" else "reason (required)")
        self.reason_panel.show()
        self.reason_edit.setFocus()

    def submit_reason(self) -> None:
        self.error.setText("")
        text = self.reason_edit.text()
        if self.reason_kind == "pause":
            self.chair.pause(text)
        elif self.reason_kind == "close":
            self.chair.close_observation(text)
        else:
            self.chair.stop(text)
        if not self.error.text():
            self.reason_edit.clear()
            self.reason_panel.hide()

    def resolved(self) -> None:
        self.error.setText("")
        self.chair.resolved()

    def resume(self) -> None:
        self.error.setText("")
        self.chair.resume()

    def close_observation(self) -> None:
        self.error.setText("")
        ends = self.session.observation_ends_at()
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
        except Exception as exc:  # noqa: BLE001
            self.show_error(f"Take vitals: {exc}")
            return
        self.focus_vitals()

    def _record_vitals(self, v) -> None:
        self.error.setText("")
        if self.chair.record_vitals(v) is not None:
            self.vitals.clear()

    def _report(self, ids) -> None:
        self.error.setText("")
        self.chair.report_symptoms(ids)
        if not self.error.text():
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
        from ui.style import BASE_PT  # noqa: PLC0415

        for lab in self.status_labels.values():
            f = lab.font()
            f.setPointSize(BASE_PT[large] + 1)
            f.setBold(True)
            lab.setFont(f)
        if hasattr(self.chart, "set_large"):
            self.chart.set_large(large)
        # larger type needs wider side columns; the chart gives up the width
        total = sum(self.split.sizes()) or 1340
        side = (400, 380) if large else (370, 350)
        self.split.setSizes([side[0], max(total - sum(side), 300), side[1]])

    # ------------------------------------------------------------------ rendering
    def on_changed(self) -> None:
        s = self.session
        c = self.chair
        p0 = s.original_plan
        r = p0.request
        self.header.setText(f"{c.name} · {c.patient.label} · {p0.product_name} · {r.indication.upper()} · "
                            f"{r.weight_kg:g} kg · {p0.volume_ml:.0f} mL")
        colour = STATE_COLOURS.get(s.status, "#555")
        self.state_badge.setText(s.status.upper())
        self.state_badge.setStyleSheet(f"background: {colour}; color: white; font-weight: bold; padding: 4px 10px;")
        self.vitals.set_baseline(s.state.baseline)
        self._update_controls()
        if s.status in ("completed", "stopped", "closed"):
            # only events change it: kept out of the per-tick work (it walks the event list)
            self.summary.setText(self.summary_text(c.time_now()))
            self.close_obs_button.setEnabled(s.status != "closed")
        self.on_tick(c.now)

    def _update_controls(self) -> None:
        s = self.session
        st = s.status
        r = s.state.reaction
        self.resolved_button.setEnabled(r is not None and r.resolved_at is None and st in ("running", "paused"))
        self.pause_button.setEnabled(st == "running")
        self.resume_button.setEnabled(st == "paused" and r is None and s.state.pending is None)
        self.stop_button.setEnabled(st in ("running", "paused"))
        ended = st in ("completed", "stopped", "closed")
        self.summary_box.setVisible(ended)
        self.confirm_button.setVisible(not ended)  # nothing to confirm on the pump after the end
        self.override_button.setVisible(not ended)
        self.symptoms.report_button.setEnabled(st != "closed")
        self.vitals.record_button.setEnabled(st != "closed")

    def _emergency(self, p) -> None:
        steps = p.emergency if p is not None and p.emergency else ()
        if steps and self._emergency_for != p:
            self._emergency_for = p
            self.emergency_steps.setText("\n".join(f"{i}. {x}" for i, x in enumerate(steps, 1)))
            self.emergency_source.setText(f"Source: {self.session.catalogue.emergency_source}")
            self.emergency.show()

    def _pump(self, t: float) -> None:
        s, c = self.session, self.chair
        plan = s.original_plan
        st = s.status
        p = s.due(t) if st in ("running", "paused") else None
        self._emergency(p)
        self.override_button.setEnabled(p is not None and p.action != "stop")
        if st == "planned":
            rate = s.rungs[0].rate_ml_h
            self.pump_title.setText("Set pump to (step 1)")
            self._rate(rate)
            ready = s.state.baseline is not None
            self.reason.setText("Start the infusion when the pump is set." if ready
                                else "Record the baseline vitals first (Vitals panel), then start.")
            self.rule.setText(f"protocol {plan.protocol_id}" + (" (LOCAL)" if plan.protocol_kind == "local" else ""))
            self.confirm_button.setText("Start: pump is set")
            self.confirm_button.setEnabled(ready)
            return
        if p is not None:
            word = ACTION_WORDS.get(p.action, p.action)
            if p.action in ("pause", "stop"):
                self.pump_title.setText(f"{word}: set the pump to 0" if p.action == "pause" else "STOP THE INFUSION")
                self.pump_rate.setText("0 mL/h" if p.action == "pause" else "STOP")
                self.pump_units.setText("")
            else:
                self.pump_title.setText(f"{word}: set pump to")
                self._rate(p.rate_ml_h)
            self.reason.setText(p.reason)
            grade = f"grade {p.grade} · " if p.grade != "none" else ""
            self.rule.setText(f"{grade}{p.rule}")
            self.reason.setStyleSheet(f"font-weight: bold; border-left: 8px solid {GRADE_COLOURS.get(p.grade)}; "
                                      f"padding-left: 6px;" if p.grade != "none" else "")
            self.confirm_button.setText(f"Confirm: {p.action}")
            self.confirm_button.setEnabled(True)
            return
        self.reason.setStyleSheet("")
        self.confirm_button.setText("Nothing to confirm")
        self.confirm_button.setEnabled(False)
        if st == "running":
            self.pump_title.setText("Pump runs at")
            self._rate(s.state.rate_ml_h)
            nxt = s.next_step_at()
            rx = s.state.reaction
            if rx is not None:
                self.reason.setText(f"Reaction ({rx.grade}): escalation on hold; review at "
                                    f"{c.clock_text(rx.review_at)}" if rx.review_at is not None else
                                    f"Reaction ({rx.grade}): escalation on hold")
            elif nxt is None:
                self.reason.setText("Keep this rate until the volume is in.")
            else:
                self.reason.setText(f"Next step at {c.clock_text(nxt)}.")
            self.rule.setText("")
        elif st == "paused":
            self.pump_title.setText("Infusion PAUSED")
            self.pump_rate.setText("0 mL/h")
            self.pump_units.setText("")
            rx = s.state.reaction
            if rx is not None and rx.review_at is not None:
                self.reason.setText(f"Reaction ({rx.grade}): review at {c.clock_text(rx.review_at)}. "
                                    f"Mark 'Symptoms resolved' when they are.")
            else:
                self.reason.setText("Paused by the nurse: Resume when ready.")
            self.rule.setText("")
        else:
            end = s.state.end_min
            word = {"completed": "Infusion COMPLETED", "stopped": "Infusion STOPPED",
                    "closed": "Observation closed"}[st]
            self.pump_title.setText(word)
            self.pump_rate.setText(f"{s.delivered_ml(t):.1f} mL in")
            self.pump_units.setText(f"of {s.volume_ml:.1f} mL, ended {c.clock_text(end)}")
            self.reason.setText("")
            self.rule.setText("")

    def _rate(self, rate: float) -> None:
        plan = self.session.original_plan
        mg = plan.mg_kg_min(rate)
        self.pump_rate.setText(f"{rate:g} mL/h")
        self.pump_units.setText(f"{mg:.2f} mg/kg/min · {plan.ml_kg_min(rate):.4f} mL/kg/min "
                                f"(at {plan.rate_weight_kg:g} kg, {plan.concentration_mg_per_ml:g} mg/mL)")

    def on_tick(self, now: float) -> None:
        s, c = self.session, self.chair
        t = max(now, s.events[-1].at_min) if s.events else now
        self._pump(t)
        m = int(t)
        self.now_label.setText(f"now {c.clock_text(t)}  (+{m // 60}:{m % 60:02d})")
        L = self.status_labels
        L["state"].setText(s.status)
        L["rate"].setText(f"{s.state.rate_ml_h:g} mL/h")
        nxt = s.next_step_at()
        rx = s.state.reaction
        if s.status in ("completed", "stopped", "closed"):
            L["next_step"].setText("—")
        elif nxt is not None:
            L["next_step"].setText("due NOW" if nxt <= t else f"in {countdown(nxt - t)} (at {c.clock_text(nxt)})")
        elif rx is not None:
            L["next_step"].setText("on hold (reaction)")
        elif s.status == "planned":
            L["next_step"].setText("after the start")
        elif s.state.ceiling_ml_h is not None:
            L["next_step"].setText(f"none: stays at {s.state.ceiling_ml_h:g} mL/h to the end")
        else:
            L["next_step"].setText("none: maximum rate reached")
        v = s.vitals_due(t)
        if v is None:
            L["vitals"].setText("—")
        else:
            at, why = v
            L["vitals"].setText(f"NOW — {why}" if at <= t + 1e-9 else f"in {countdown(at - t)} (at {c.clock_text(at)}) — {why}")
        delivered = s.delivered_ml(t)
        L["volume"].setText(f"{delivered:.1f} of {s.volume_ml:.1f} mL")
        self.volume_bar.setValue(int(round(100 * delivered / s.volume_ml)) if s.volume_ml else 0)
        end = s.expected_end(t)
        L["finish"].setText(f"{c.clock_text(end)} (+{fmt_hm(end)})" if end is not None else "—")
        self._forecast(t)
        obs = s.observation_ends_at()
        if obs is None:
            L["observation"].setText("60 min after the end")
        elif s.status == "closed":
            L["observation"].setText("closed")
        else:
            L["observation"].setText("over: close it" if t >= obs else f"ends in {countdown(obs - t)} (at {c.clock_text(obs)})")
        self.log.sync(s.events, c.unsaved_from)
        if optional.is_chart(self.chart):
            self.chart.refresh(t)
        if self.training_panel is not None:
            self.training_panel.refresh(t)

    def _forecast(self, t: float) -> None:
        s, c = self.session, self.chair
        L = self.status_labels
        if s.status not in ("planned", "running", "paused"):
            L["forecast"].setText("—")
            return
        if s.plan is not self._fc_plan:
            self._fc_plan = s.plan
            self.forecast = None
            mod = optional.load("titration.training.forecast")
            if mod is not None and s.plan.steps:
                try:
                    self.forecast = mod.forecast(s.plan, n=10000, seed=0)
                except Exception:  # noqa: BLE001 - the forecast is an extra, never a blocker
                    self.forecast = None
        f = self.forecast
        if s.state.reactions:
            L["forecast"].setText("— (after a reaction: see the expected finish)")
        elif f is None:
            L["forecast"].setText("—")
        else:
            L["forecast"].setText(f"{c.clock_text(f.median_min)} · allow until {c.clock_text(f.p90_min)}")

    def summary_text(self, t: float) -> str:
        s, c = self.session, self.chair
        st = s.state
        lines = [f"{'Completed' if st.status != 'stopped' else 'STOPPED'} at {c.clock_text(st.end_min)} "
                 f"(+{fmt_hm(st.end_min or 0)})."]
        if st.started_at is not None and st.end_min is not None:
            lines.append(f"Infusion time: {fmt_hm(st.end_min - st.started_at)}.")
        lines.append(f"Delivered {s.delivered_ml(t):.1f} of {s.volume_ml:.1f} mL.")
        top = max((seg[2] for seg in s.rate_segments()), default=0.0)
        tolerated = f"{st.tolerated_ml_h:g} mL/h" if st.tolerated_ml_h > 0 else "none recorded"
        lines.append(f"Highest pump rate {top:g} mL/h; highest tolerated {tolerated}.")
        lines.append(f"Reactions: {st.reactions} (highest grade {st.highest_grade}).")
        v = s.vitals_due(t)
        if v is not None and st.status != "closed":
            lines.append(f"Vitals: {v[1]} ({c.clock_text(v[0])}).")
        return "\n".join(lines)
