"""The main window: the chair list (each chair at a glance), the pages (new infusion, training,
one live view per chair), the menus and every keyboard shortcut.

Shortcuts are window-wide QActions that act on the page in front, so the same key works
wherever the focus is, and Help > Shortcuts lists them from the actions themselves.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QBrush, QColor, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from titration.errors import TitrationError
from ui import optional
from ui.model import AppModel, ChairModel
from ui.style import ALERT_BG, BASE_PT, app_stylesheet, apply_fonts

if TYPE_CHECKING:
    from ui.chair_view import ChairView
    from ui.new_infusion import NewInfusionForm
    from ui.training_panel import TrainingSetup

# The chair view, the New-infusion form and the training picker are imported and built when first
# needed: the window paints sooner at start-up, when none of them is on the screen yet.

SETTINGS = ("ivig-titration", "chair-workstation")

HOME_TEXT = """<h2>IVIg infusion chair workstation</h2>
<p>Decision support only: check every rate against the prescription before setting the pump.</p>
<ol>
<li><b>New infusion (Ctrl+N)</b>: patient, prescription, flags, the pre-infusion checklist and baseline
vitals; the plan preview shows every rate and how it was worked out.</li>
<li>In the chair: set the pump to the rate shown in large type and <b>confirm (Ctrl+Enter)</b>.
A due step or vitals check flashes and beeps until acknowledged (<b>F8</b>).</li>
<li>Report symptoms; the proposed action is confirmed or overridden with a reason.</li>
<li>After the end: the 60-minute observation, end vitals, the summary.</li>
</ol>
<p><b>Training (Ctrl+T)</b>: a simulated patient on a fast clock, with a debrief.
<b>Help &gt; Shortcuts (F1)</b> lists every key.</p>"""


class MainWindow(QMainWindow):
    def __init__(self, model: AppModel, *, beep=None, settings: QSettings | None = None):
        super().__init__()
        self.model = model
        self._beep = beep
        self.large = False
        self.settings = settings
        self.views: dict[ChairModel, ChairView] = {}
        self._new_form = None  # built when first opened (see new_form)
        self._training_setup = None
        self.items: dict[ChairModel, QListWidgetItem] = {}
        self.setWindowTitle("IVIg infusion chair workstation")

        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(4, 4, 4, 4)
        self.alarm = QLabel("")  # NOT SAVED / NOT RECORDING: red, stays
        self.alarm.setObjectName("journalBanner")
        self.alarm.setWordWrap(True)
        self.alarm.hide()
        outer.addWidget(self.alarm)
        self.notice = QLabel("")  # information (a journal moved aside, infusions reopened): yellow
        self.notice.setObjectName("warnLine")
        self.notice.setWordWrap(True)
        self.notice.hide()
        outer.addWidget(self.notice)
        split = QSplitter(Qt.Horizontal)
        self.main_split = split
        outer.addWidget(split, 1)

        side = QWidget()
        sl = QVBoxLayout(side)
        sl.setContentsMargins(0, 0, 0, 0)
        b1 = QPushButton("New infusion (Ctrl+N)")
        self.new_button = b1
        b1.setObjectName("newInfusionButton")
        b1.clicked.connect(self.show_new_infusion)
        b2 = QPushButton("Training (Ctrl+T)")
        b2.clicked.connect(self.show_training_setup)
        sl.addWidget(b1)
        sl.addWidget(b2)
        sl.addWidget(QLabel("Chairs"))
        self.chair_list = QListWidget()
        self.chair_list.setObjectName("chairList")
        self.chair_list.setWordWrap(True)
        self.chair_list.setSpacing(2)
        self.chair_list.currentItemChanged.connect(self._chair_selected)
        sl.addWidget(self.chair_list, 1)
        side.setMinimumWidth(190)
        split.addWidget(side)

        self.stack = QStackedWidget()
        self.home = QLabel(HOME_TEXT)
        self.home.setWordWrap(True)
        self.home.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.home.setMargin(20)
        self.stack.addWidget(self.home)
        split.addWidget(self.stack)
        split.setStretchFactor(1, 1)
        split.setSizes([260, 1300])
        self.setCentralWidget(central)

        self._make_actions()
        model.sig_chair_added.connect(self._chair_added)
        model.sig_chair_removed.connect(self._chair_removed)
        model.sig_notice.connect(self.show_notice)
        model.sig_tick.connect(self._refresh_list)
        for c in model.chairs:
            self._chair_added(c)
        self.set_large(False)
        self.resize(1440, 900)
        self._restore_geometry()

    # ------------------------------------------------------------------ pages built when first needed
    @property
    def new_form(self) -> NewInfusionForm:
        """The New-infusion page (a NewInfusionForm), built the first time it is asked for."""
        if self._new_form is None:
            from ui.new_infusion import NewInfusionForm  # noqa: PLC0415

            f = NewInfusionForm(journal=self.model.journal, wall=self.model.wall)
            f.sig_create.connect(self._create_infusion)
            f.sig_cancel.connect(self.show_home_or_chair)
            f.export_button.clicked.connect(self.export_rate_chart)
            self.stack.addWidget(f)
            self._new_form = f
            self._page_type(f)
        return self._new_form

    @property
    def training_setup(self) -> TrainingSetup:
        """The training page (a TrainingSetup), built the first time it is asked for."""
        if self._training_setup is None:
            from ui.training_panel import TrainingSetup  # noqa: PLC0415

            t = TrainingSetup()
            t.sig_start.connect(self._start_training)
            t.sig_cancel.connect(self.show_home_or_chair)
            self.stack.addWidget(t)
            self._training_setup = t
            self._page_type(t)
        return self._training_setup

    def prepare_pages_after_first_paint(self, delay_ms: int = 150) -> None:
        """Build the New-infusion page (and import the chart library) just after the window has
        first painted, so start-up is not slowed and the first Ctrl+N is still quick."""
        self._first_paint = _AfterFirstPaint(self.new_button, lambda: QTimer.singleShot(delay_ms, self._prepare))

    def _prepare(self) -> None:
        if self.isVisible() and self._new_form is None:
            self.new_form  # noqa: B018 - the property builds the page

    def _page_type(self, page) -> None:
        """A page built after start-up gets the type size the window has now."""
        apply_fonts(page, self.large)
        chart = getattr(page, "chart", None)
        if hasattr(chart, "set_large"):
            chart.set_large(self.large)

    # ------------------------------------------------------------------ actions and shortcuts
    def _make_actions(self) -> None:
        self.actions_by_name: dict[str, QAction] = {}
        mb = self.menuBar()

        def act(menu, name, text, keys, fn, checkable=False):
            a = QAction(text, self)
            a.setObjectName(name)
            if isinstance(keys, (list, tuple)):
                a.setShortcuts([QKeySequence(k) for k in keys])
            elif keys:
                a.setShortcut(QKeySequence(keys))
            a.setShortcutContext(Qt.WindowShortcut)
            a.setCheckable(checkable)
            a.triggered.connect(fn)
            menu.addAction(a)
            self.addAction(a)
            self.actions_by_name[name] = a
            return a

        f = mb.addMenu("&File")
        act(f, "new", "New infusion", "Ctrl+N", self.show_new_infusion)
        act(f, "training", "New training session", "Ctrl+T", self.show_training_setup)
        f.addSeparator()
        act(f, "exportPlan", "Export rate chart…", "Ctrl+E", self.export_rate_chart)
        act(f, "exportRecord", "Export infusion record…", "Ctrl+Shift+E", self.export_record)
        f.addSeparator()
        act(f, "closeChair", "Close this chair (after the observation)", "Ctrl+W", self.close_chair)
        act(f, "quit", "Quit", "Ctrl+Q", self.close)

        c = mb.addMenu("&Infusion")
        act(c, "confirm", "Confirm / start / create", ["Ctrl+Return", "Ctrl+Enter"], self.confirm)
        act(c, "acknowledge", "Acknowledge alert (silence)", "F8", self.acknowledge)
        act(c, "override", "Override the proposal…", "Ctrl+Shift+O", lambda: self._chair_call("open_override"))
        c.addSeparator()
        act(c, "vitals", "Record vitals (go to the vitals panel)", "Ctrl+Shift+V", lambda: self._chair_call("focus_vitals"))
        act(c, "symptoms", "Report symptoms (go to the symptoms panel)", "Ctrl+Shift+S",
            lambda: self._chair_call("focus_symptoms"))
        act(c, "report", "Report the ticked symptoms", "Ctrl+Shift+Return",
            lambda: self._chair_call("report_ticked"))
        act(c, "resolved", "Symptoms resolved", "Ctrl+R", lambda: self._chair_call("resolved"))
        c.addSeparator()
        act(c, "pause", "Pause infusion…", "Ctrl+P", lambda: self._chair_call("open_reason", "pause"))
        act(c, "resume", "Resume infusion", "Ctrl+Shift+R", lambda: self._chair_call("resume"))
        act(c, "stop", "Stop infusion…", "Ctrl+Shift+X", lambda: self._chair_call("open_reason", "stop"))
        act(c, "closeObservation", "Close observation", "Ctrl+Shift+C", lambda: self._chair_call("close_observation"))

        t = mb.addMenu("&Training")
        act(t, "holdSim", "Pause / resume simulation (clock)", "Ctrl+Space", self.toggle_simulation)
        act(t, "takeVitals", "Take vitals (simulated patient)", "Ctrl+Shift+T", lambda: self._chair_call("take_vitals"))
        act(t, "faster", "Simulation faster", "Ctrl+]", lambda: self._speed(+1))
        act(t, "slower", "Simulation slower", "Ctrl+[", lambda: self._speed(-1))
        act(t, "debrief", "Debrief", "Ctrl+Shift+D", self.debrief)

        v = mb.addMenu("&View")
        act(v, "large", "Large type", "Ctrl+L", self.toggle_large, checkable=True)
        act(v, "nextChair", "Next chair", "Ctrl+PgDown", lambda: self._step_chair(+1))
        act(v, "prevChair", "Previous chair", "Ctrl+PgUp", lambda: self._step_chair(-1))
        act(v, "home", "Overview", "Ctrl+0", self.show_home)

        h = mb.addMenu("&Help")
        act(h, "shortcuts", "Shortcuts", "F1", self.show_shortcuts)

    def shortcut_rows(self) -> list[tuple[str, str]]:
        rows = []
        for a in self.actions_by_name.values():
            keys = " or ".join(k.toString(QKeySequence.NativeText) for k in a.shortcuts())
            if keys:
                rows.append((keys, a.text()))
        return rows

    def show_shortcuts(self) -> QDialog:
        """Not modal: it never blocks a running countdown."""
        d = QDialog(self)
        d.setObjectName("shortcutsDialog")
        d.setWindowTitle("Keyboard shortcuts")
        lay = QVBoxLayout(d)
        rows = self.shortcut_rows()
        table = QTableWidget(len(rows), 2)
        table.setHorizontalHeaderLabels(["Keys", "Action"])
        table.verticalHeader().setVisible(False)
        for r, (k, what) in enumerate(rows):
            table.setItem(r, 0, QTableWidgetItem(k))
            table.setItem(r, 1, QTableWidgetItem(what))
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        lay.addWidget(table)
        lay.addWidget(QLabel("In the vitals panel, Enter records the values. Esc closes this window."))
        d.resize(560, 620)
        d.setModal(False)
        d.show()
        self.shortcuts_dialog = d
        return d

    # ------------------------------------------------------------------ pages
    def current_view(self) -> ChairView | None:
        """The ChairView in front, or None."""
        w = self.stack.currentWidget()
        return w if w is not None and any(w is v for v in self.views.values()) else None

    def _chair_call(self, method: str, *args) -> None:
        v = self.current_view()
        if v is not None:
            getattr(v, method)(*args)

    def confirm(self) -> None:
        w = self.stack.currentWidget()
        if w is None:
            return
        if w is self._new_form:
            w.create()
        elif w is self._training_setup:
            w.start()
        elif self.current_view() is w:
            w.confirm()

    def acknowledge(self) -> None:
        v = self.current_view()
        if v is not None:
            v.chair.acknowledge()
        else:  # acknowledge from anywhere: every chair that is alerting
            for c in self.model.chairs:
                c.acknowledge()

    def toggle_simulation(self) -> None:
        v = self.current_view()
        if v is not None and v.training_panel is not None:
            v.training_panel.toggle_hold()

    def _speed(self, step: int) -> None:
        v = self.current_view()
        if v is not None and v.training_panel is not None:
            box = v.training_panel.speed
            box.setCurrentIndex(min(max(box.currentIndex() + step, 0), box.count() - 1))

    def debrief(self) -> None:
        v = self.current_view()
        if v is not None and v.training_panel is not None:
            v.training_panel.show_debrief()

    def show_home(self) -> None:
        self.stack.setCurrentWidget(self.home)
        self.chair_list.setCurrentRow(-1)

    def show_home_or_chair(self) -> None:
        item = self.chair_list.currentItem()
        if item is not None:
            self._chair_selected(item)
        else:
            self.stack.setCurrentWidget(self.home)

    def show_new_infusion(self) -> None:
        self.stack.setCurrentWidget(self.new_form)
        self.new_form.patient_id.setFocus()

    def show_training_setup(self) -> None:
        self.stack.setCurrentWidget(self.training_setup)
        self.training_setup.list.setFocus()

    def show_chair(self, chair: ChairModel) -> None:
        item = self.items.get(chair)
        if item is not None:
            self.chair_list.setCurrentItem(item)
        self.stack.setCurrentWidget(self.views[chair])

    def _chair_selected(self, item, _prev=None) -> None:
        if item is None:
            return
        chair = item.data(Qt.UserRole)
        if chair in self.views:
            self.stack.setCurrentWidget(self.views[chair])

    def _step_chair(self, step: int) -> None:
        n = self.chair_list.count()
        if n:
            self.chair_list.setCurrentRow((self.chair_list.currentRow() + step) % n)

    # ------------------------------------------------------------------ chairs
    def _create_infusion(self, spec) -> None:
        try:
            chair = self.model.new_infusion(spec)
        except TitrationError as exc:
            self.new_form.error.setText(str(exc))
            return
        self.new_form.reset()
        self.show_chair(chair)

    def _start_training(self, path: str, speed: float) -> None:
        try:
            chair = self.model.new_training(path, speed)
        except TitrationError as exc:
            self.training_setup.error.setText(str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - one line, never a traceback
            self.training_setup.error.setText(f"Training could not start: {type(exc).__name__}: {exc}")
            return
        if chair is not None:
            self.show_chair(chair)

    def _chair_added(self, chair: ChairModel) -> None:
        from ui.chair_view import ChairView  # noqa: PLC0415 - imported with the first chair (see the top)

        view = ChairView(chair, beep=self._beep)
        apply_fonts(view, self.large)
        view.set_large(self.large)
        view.export_plan_button.clicked.connect(self.export_rate_chart)
        view.export_record_button.clicked.connect(self.export_record)
        self.views[chair] = view
        self.stack.addWidget(view)
        item = QListWidgetItem("")
        item.setData(Qt.UserRole, chair)
        self.items[chair] = item
        self.chair_list.addItem(item)
        chair.sig_alerts.connect(lambda _a, c=chair: self._refresh_item(c))
        chair.sig_changed.connect(lambda c=chair: self._refresh_item(c))
        self._refresh_item(chair)

    def _chair_removed(self, chair: ChairModel) -> None:
        view = self.views.pop(chair, None)
        item = self.items.pop(chair, None)
        if item is not None:
            self.chair_list.takeItem(self.chair_list.row(item))
        if view is not None:
            self.stack.removeWidget(view)
            view.deleteLater()
        self.show_home_or_chair()

    def close_chair(self) -> None:
        v = self.current_view()
        if v is None:
            return
        if v.chair.session.status not in ("closed",) and not (v.chair.training and v.chair.session.status in
                                                               ("completed", "stopped")):
            v.show_error("Close the chair after the observation is closed.")
            return
        self.model.remove_chair(v.chair)

    def _refresh_list(self) -> None:
        for chair in self.items:
            self._refresh_item(chair)

    def _refresh_item(self, chair: ChairModel) -> None:
        item = self.items.get(chair)
        if item is None:
            return
        s = chair.summary()
        alert = "⚠ " if chair.alerts() else ""
        text = (f"{alert}{s['chair']}{'  [TRAINING]' if s['training'] else ''}\n{s['patient']}\n{s['product']}\n"
                f"{s['state']} · {s['rate']}\nnext: {s['next']}\nfinish: {s['finish']}")
        if item.text() != text:
            item.setText(text)
            # an alerting chair stands out in the list even when another chair is in front
            item.setBackground(QBrush(QColor(ALERT_BG)) if alert else QBrush())

    # ------------------------------------------------------------------ notices, large type, exports
    def show_notice(self, text: str) -> None:
        label = self.alarm if text.startswith("NOT ") else self.notice
        label.setText((label.text() + "\n" if label.text() else "") + text)
        label.show()

    def set_large(self, large: bool) -> None:
        self.large = bool(large)
        app = QApplication.instance()
        f = app.font()
        f.setPointSize(BASE_PT[self.large])
        app.setFont(f)
        self.setStyleSheet(app_stylesheet(self.large))
        apply_fonts(self, self.large)
        total = sum(self.main_split.sizes()) or 1440
        side = 220 if self.large else 260
        self.main_split.setSizes([side, max(total - side, 600)])
        for v in self.views.values():
            v.set_large(self.large)
        if self._new_form is not None and hasattr(self._new_form.chart, "set_large"):
            self._new_form.chart.set_large(self.large)
        a = self.actions_by_name.get("large")
        if a is not None and a.isChecked() != self.large:
            a.setChecked(self.large)

    def toggle_large(self) -> None:
        self.set_large(not self.large)

    def export_rate_chart(self, path: str | None = None) -> str | None:
        """The rate chart of the plan in front (the preview, or the chair's plan)."""
        from .exports.names import default_file_name

        v = self.current_view()
        session, now, chair, training = None, None, "", False
        if v is not None:  # a chair: what happened so far, beside the plan (issue 12)
            c = v.chair
            plan, patient, wall, session, now = c.session.original_plan, c.patient.identifier, c.wall_start, \
                c.session, c.time_now()
            chair, training = c.name, c.training
        else:  # the preview, if the New-infusion page was ever opened
            plan = self._new_form.plan if self._new_form is not None else None
            patient = self._new_form.patient_id.text().strip() if self._new_form is not None else ""
            wall = None
        if plan is None:
            self._export_error("Export: there is no plan yet")
            return None
        patient = None if training else patient  # a simulation has no patient identifier
        name = default_file_name("rate chart", "pdf", chair=chair, patient_id=patient, training=training, when=wall)
        return self._export(path, "Export rate chart", name,
                            "PDF (*.pdf);;PNG (*.png);;SVG (*.svg);;CSV (*.csv)",
                            lambda mod, p: mod.export_plan_file(plan, p, patient=patient or None, wall_start=wall,
                                                                session=session, now_min=now))

    def export_record(self, path: str | None = None, deidentified: bool = False) -> str | None:
        v = self.current_view()
        if v is None:
            self._export_error("Export: open a chair first")
            return None
        from .exports.names import default_file_name

        chair = v.chair
        patient = None if chair.training else chair.patient.identifier or None
        name = default_file_name("infusion record", "pdf", chair=chair.name, patient_id=patient,
                                 training=chair.training, when=chair.wall_start, deidentified=deidentified)
        return self._export(path, "Export infusion record", name, "PDF (*.pdf);;CSV (*.csv)",
                            lambda mod, p: mod.export_record_file(
                                chair.session, p, deidentified=deidentified, patient=patient,
                                now_min=chair.time_now(), wall_start=chair.wall_start))

    def _export(self, path: str | None, title: str, default_name: str, filters: str, write) -> str | None:
        """Ask for a file name (unless given), write it with ui.exports, and say what happened."""
        mod = optional.load("ui.exports")
        if mod is None:
            self._export_error(f"Export is not available ({optional.missing().get('ui.exports')})")
            return None
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, title, default_name, filters)
        if not path:
            return None
        try:
            write(mod, path)
        except Exception as exc:  # noqa: BLE001 - one line for the nurse
            self._export_error(f"Export failed: {exc}")
            return None
        self.statusBar().showMessage(f"Wrote {path}", 8000)
        return path

    def _export_error(self, text: str) -> None:
        v = self.current_view()
        if v is not None:
            v.show_error(text)
        elif self._new_form is not None:
            self._new_form.error.setText(text)
        else:  # nothing opened yet: the status bar says it
            self.statusBar().showMessage(text, 8000)

    # ------------------------------------------------------------------ window state (QSettings: geometry only)
    def _restore_geometry(self) -> None:
        if self.settings is None:
            return
        geo = self.settings.value("geometry", QByteArray(), type=QByteArray)
        if geo is not None and not geo.isEmpty():
            self.restoreGeometry(geo)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        running = [c.name for c in self.model.chairs if c.session.status in ("running", "paused") and not c.training]
        if running and not getattr(self, "force_close", False):
            ans = QMessageBox.question(
                self, "Infusions are running",
                f"{', '.join(running)}: still running. Every confirmed event is in the journal and the infusions "
                f"reopen at the next start. Quit anyway?")
            if ans != QMessageBox.Yes:
                event.ignore()
                return
        if self.settings is not None:
            self.settings.setValue("geometry", self.saveGeometry())
        self.model.timer.stop()
        event.accept()


class _AfterFirstPaint(QObject):
    """Calls `then()` once, after the first paint of `widget` (a widget visible at start-up)."""

    def __init__(self, widget, then):
        super().__init__(widget)
        self.then = then
        widget.installEventFilter(self)

    def eventFilter(self, obj, event):  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Paint and self.then is not None:
            then, self.then = self.then, None
            obj.removeEventFilter(self)
            then()
        return False


def app_settings() -> QSettings:
    return QSettings(*SETTINGS)
