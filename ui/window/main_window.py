"""The main window: the alert strip, the chair list, the pages (Overview, new infusion, training,
one live view per chair) and the menus (ui.window.actions).

The alert strip is above every page, so a chair that needs something is seen from anywhere.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from titration.errors import TitrationError
from titration.plan import Plan
from ui.common.save_dialog import last_folder
from ui.common.style import BASE_PT, app_stylesheet, apply_fonts
from ui.common.wheel_guard import install as guard_the_wheel
from ui.common.widgets import AfterFirstPaint
from ui.exports.actions import ExportActions
from ui.unit.board import OverviewBoard
from ui.window.actions import enable_for_page, make_actions, shortcut_rows, shortcuts_dialog
from ui.window.alert_strip import AlertStrip
from ui.window.app_model import AppModel, ChairModel
from ui.window.chair_list import ChairList
from ui.window.geometry import first_size, restore_geometry
from ui.window.home import HOME_TEXT

if TYPE_CHECKING:
    from ui.chair.view import ChairView
    from ui.chart.infusion_chart import InfusionChart
    from ui.intake.form import NewInfusionForm
    from ui.training.panel import TrainingSetup

# The chair view, the New-infusion form and the training picker are imported and built when first
# needed: the window paints sooner at start-up, when none of them is on the screen yet.

SIDE_WIDTH = 180
NARROW = 1200  # below this window width the chair list folds away (drag its edge to open it)


class MainWindow(QMainWindow):
    """The workstation's one window: strip on top, chair list at the side, the page in front."""

    def __init__(self, model: AppModel, *, beep=None, settings: QSettings | None = None):
        super().__init__()
        guard_the_wheel()
        self.model = model
        self._beep = beep
        self.large = False
        self.settings = settings
        self.views: dict[ChairModel, ChairView] = {}
        last_folder.use(settings)  # every Save dialog offers the folder saved in last
        self._new_form: NewInfusionForm | None = None  # built when first opened (see new_form)
        self._training_setup: TrainingSetup | None = None
        self.setWindowTitle("IVIg infusion chair workstation")

        central = QWidget()
        outer = self.outer = QVBoxLayout(central)
        outer.setContentsMargins(4, 4, 4, 4)
        outer.setSpacing(3)
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
        self.alert_strip = AlertStrip(beep=beep)
        self.alert_strip.sig_open.connect(self.show_chair)
        outer.addWidget(self.alert_strip)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.main_split = split
        outer.addWidget(split, 1)

        self.side = ChairList()  # folded away in a narrow window (the Overview has every chair)
        self.side.sig_chosen.connect(self._chair_chosen)
        self.chair_list, self.items = self.side.list, self.side.items
        split.addWidget(self.side)
        self._narrow: bool | None = None
        self._normal_sizes: dict[QSplitter, list[int]] = {}  # what large type took over, given back after
        self.force_close = False  # quit without asking about running chairs (the smoke tests, the test window)

        self.stack = QStackedWidget()
        self.home = OverviewBoard(model.board, HOME_TEXT)
        self.home.sig_open.connect(self._open_key)
        self.new_button = self.home.add_button("New infusion (Ctrl+N)", self.show_new_infusion)
        self.new_button.setObjectName("newInfusionButton")
        self.new_button.setAccessibleName("New infusion")
        self.new_button.setAccessibleDescription("Patient, prescription, checklist and baseline vitals (Ctrl+N)")
        self.home.add_button("Training (Ctrl+T)", self.show_training_setup)
        self.stack.addWidget(self.home)
        split.addWidget(self.stack)
        split.setCollapsible(1, False)
        split.setStretchFactor(1, 1)
        split.setSizes([SIDE_WIDTH, 1300])
        self.setCentralWidget(central)

        self.exports = ExportActions(self, self, model.journal)
        self.actions_by_name = make_actions(self)
        from ui.unit.view import UnitPages  # the Unit board

        self.unit = UnitPages(self)
        self.stack.currentChanged.connect(lambda _i: self.update_menus())
        model.sig_chair_added.connect(self._chair_added)
        model.sig_chair_removed.connect(self._chair_removed)
        model.sig_notice.connect(self.show_notice)
        model.sig_tick.connect(self.side.refresh)
        for c in model.chairs:
            self._chair_added(c)
        self.set_large(False)
        first_size(self)
        restore_geometry(self, settings)

    # ------------------------------------------------------------------ pages built when first needed
    @property
    def new_form(self) -> NewInfusionForm:
        """The New-infusion page (a NewInfusionForm), built the first time it is asked for."""
        if self._new_form is None:
            from ui.intake.form import NewInfusionForm

            f = NewInfusionForm(journal=self.model.journal, wall=self.model.wall)
            f.sig_create.connect(self._create_infusion)
            f.sig_cancel.connect(self.show_home_or_chair)
            f.export_button.clicked.connect(lambda: self.exports.rate_chart())
            self.stack.addWidget(f)
            self._new_form = f
            self._page_type(f, f.preview.chart)
        return self._new_form

    @property
    def training_setup(self) -> TrainingSetup:
        """The training page (a TrainingSetup), built the first time it is asked for."""
        if self._training_setup is None:
            from ui.training.panel import TrainingSetup

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
        self._first_paint = AfterFirstPaint(self.new_button, lambda: QTimer.singleShot(delay_ms, self._prepare))

    def _prepare(self) -> None:
        if self.isVisible() and self._new_form is None:
            self.new_form  # noqa: B018 - the property builds the page

    def _page_type(self, page: QWidget, chart: InfusionChart | None = None) -> None:
        """A page built after start-up gets the type size the window has now (its chart too)."""
        apply_fonts(page, self.large)
        if chart is not None:
            chart.set_large(self.large)

    # ------------------------------------------------------------------ shortcuts
    def shortcut_rows(self) -> list[tuple[str, str]]:
        return shortcut_rows(self.actions_by_name)

    def open_sign_in(self):
        from ui.window.sign_in import sign_in_dialog

        self._sign_in = sign_in_dialog(self, self.model)  # kept: a dialog without a reference is collected
        return self._sign_in

    def show_quality_report(self):
        from ui.window.quality_report import ReportWindow

        self.quality_report = ReportWindow(self.model.journal, self)
        self.quality_report.show()
        return self.quality_report

    def show_shortcuts(self):
        self.shortcuts_dialog = shortcuts_dialog(self, self.shortcut_rows())
        return self.shortcuts_dialog

    # ------------------------------------------------------------------ pages
    def current_view(self) -> ChairView | None:
        """The ChairView in front, or None."""
        w = self.stack.currentWidget()
        watched = self.unit.watched_view(w)
        if watched is not None:
            return watched  # a chair driven elsewhere: read-only (its intents are refused), exports work
        return next((v for v in self.views.values() if v is w), None)

    def on_chair(self, act: Callable[[ChairView], object]) -> Callable[[], None]:
        """A menu's slot: `act` on the chair in front (nothing when no chair is in front)."""
        def slot() -> None:
            v = self.current_view()
            if v is not None:
                act(v)
        return slot

    def confirm(self) -> None:
        w = self.stack.currentWidget()
        if w is None:
            return
        view = self.current_view()
        if self._new_form is not None and w is self._new_form:
            self._new_form.create_infusion()
        elif self._training_setup is not None and w is self._training_setup:
            self._training_setup.start()
        elif view is not None:
            view.confirm()

    def read_only_reason(self) -> str:
        """Why the chair in front takes no intent here ("" when it does, or no chair is in front)."""
        v = self.current_view()
        return v.chair.core.read_only if v is not None else ""

    def update_menus(self) -> None:
        """The Infusion menu follows the page in front: off for a chair driven from elsewhere."""
        enable_for_page(self.actions_by_name, self.read_only_reason())

    def acknowledge(self) -> None:
        """F8: the chair in front; elsewhere (or on a read-only chair) the first ringing chair on the strip
        (never all of them)."""
        v = self.current_view()
        if v is not None and not self.read_only_reason():
            v.chair.acknowledge()
            return
        ringing = next((c for c in self.alert_strip.chairs if c.ringing), None)
        if ringing is not None:
            ringing.acknowledge()

    def toggle_simulation(self) -> None:
        v = self.current_view()
        if v is not None and v.training_panel is not None:
            v.training_panel.toggle_hold()

    def change_speed(self, step: int) -> None:
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
        self.home.focus_first()

    def show_unit(self) -> None:
        """The Unit board: every chair of the unit (this workstation's without a unit server)."""
        self.stack.setCurrentWidget(self.unit.page)
        self.chair_list.setCurrentRow(-1)
        self.unit.page.focus_first()

    def show_home_or_chair(self) -> None:
        item = self.chair_list.currentItem()
        if item is not None:
            self._chair_chosen(item.data(Qt.ItemDataRole.UserRole))
        else:
            self.stack.setCurrentWidget(self.home)

    def show_new_infusion(self) -> None:
        self.stack.setCurrentWidget(self.new_form)
        self.new_form.patient.patient_id.setFocus()

    def show_training_setup(self) -> None:
        self.stack.setCurrentWidget(self.training_setup)
        self.training_setup.list.setFocus()

    def show_chair(self, chair: ChairModel) -> None:
        self.side.select(chair)
        if chair in self.views:
            self.stack.setCurrentWidget(self.views[chair])

    def _open_key(self, key) -> None:
        chair = next((c for c in self.model.chairs if id(c) == key), None)
        if chair is not None:
            self.show_chair(chair)

    def _chair_chosen(self, chair) -> None:
        if chair in self.views:
            self.stack.setCurrentWidget(self.views[chair])

    def step_chair(self, step: int) -> None:
        self.side.step(step)

    # ------------------------------------------------------------------ chairs
    def _create_infusion(self, spec) -> None:
        try:
            chair = self.model.new_infusion(spec)
        except TitrationError as exc:
            self.new_form.preview.error.setText(str(exc))
            return
        self.new_form.reset()
        self.show_chair(chair)

    def _start_training(self, path: str, speed: float) -> None:
        try:
            chair = self.model.new_training(path, speed)
        except (TitrationError, OSError) as exc:  # a scenario that cannot be read or run
            self.training_setup.error.setText(f"Training could not start: {exc}")
            return
        if chair is not None:
            self.show_chair(chair)

    def _chair_added(self, chair: ChairModel) -> None:
        from ui.chair.view import ChairView  # imported with the first chair (see the top)

        view = ChairView(chair)
        apply_fonts(view, self.large)
        view.set_large(self.large)
        view.export_plan_button.clicked.connect(lambda: self.exports.rate_chart())
        view.export_record_button.clicked.connect(lambda: self.exports.record())
        self.views[chair] = view
        self.stack.addWidget(view)
        self.side.add(chair)
        self.alert_strip.add_chair(chair)

    def _chair_removed(self, chair: ChairModel) -> None:
        view = self.views.pop(chair, None)
        self.side.remove(chair)
        self.alert_strip.remove_chair(chair)
        if view is not None:
            self.stack.removeWidget(view)
            view.deleteLater()
        self.show_home_or_chair()

    def close_chair(self) -> None:
        v = self.current_view()
        if v is None:
            return
        if self.unit.watched_view(v) is not None:  # a chair driven elsewhere: stop following it here
            self.unit.close_view(v)
            self.show_unit()
            return
        done = v.chair.session.status == "closed" or bool(v.chair.core.read_only)  # read-only: driven elsewhere
        if not done and not (v.chair.training and v.chair.session.status in ("completed", "stopped")):
            v.show_error("Close the chair after the observation is closed.")
            return
        self.model.remove_chair(v.chair)

    # ------------------------------------------------------------------ what the Export actions ask (ui/exports)
    def preview_plan(self) -> tuple[Plan | None, str] | None:
        """The New-infusion page's plan and patient identifier (None: the page was never opened)."""
        f = self._new_form
        return None if f is None else (f.plan, f.patient.patient_id.text().strip())

    def show_export_problem(self, text: str) -> None:
        v = self.current_view()
        if v is not None:
            v.show_error(text)
        elif self._new_form is not None:
            self._new_form.preview.error.setText(text)
        else:  # nothing opened yet: the status bar says it
            self.statusBar().showMessage(text, 8000)

    # ------------------------------------------------------------------ notices, large type
    def add_banner(self, banner: QWidget) -> None:
        """A line above everything else (the unit server's banner)."""
        self.outer.insertWidget(0, banner)

    def show_notice(self, text: str) -> None:
        label = self.alarm if text.startswith("NOT ") else self.notice
        label.setText((label.text() + "\n" if label.text() else "") + text)
        label.show()

    def set_large(self, large: bool) -> None:
        """Large type on or off; the splitters keep the sizes they had (off returns the layout exactly)."""
        if large and not self.large:  # what the nurse had: given back exactly when large type goes off
            self._normal_sizes = {sp: sp.sizes() for sp in self.findChildren(QSplitter)}
        was_large = self.large
        self.large = bool(large)
        f = QApplication.font()
        f.setPointSize(BASE_PT[self.large])
        QApplication.setFont(f)
        self.setStyleSheet(app_stylesheet(self.large))
        apply_fonts(self, self.large)
        for v in self.views.values():
            v.set_large(self.large)
        if self._new_form is not None:
            self._new_form.preview.chart.set_large(self.large)
        if was_large != self.large:  # labels that size themselves to their text: measured in the new type
            from ui.common.widgets import WrapLabel

            QApplication.processEvents()
            for lab in self.findChildren(WrapLabel):
                lab.refit()
            self.alert_strip.refit()
        if was_large and not self.large:
            QApplication.processEvents()  # the smaller type laid out first, then the sizes it had
            for sp, sizes in self._normal_sizes.items():
                if sp in self.findChildren(QSplitter):
                    sp.setSizes(sizes)
        a = self.actions_by_name.get("large")
        if a is not None and a.isChecked() != self.large:
            a.setChecked(self.large)

    def toggle_large(self) -> None:
        self.set_large(not self.large)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        narrow = self.width() < NARROW
        if narrow != self._narrow:  # the chair view needs the width more than the list does
            self._narrow = narrow
            total = max(sum(self.main_split.sizes()), self.width())
            self.main_split.setSizes([0, total] if narrow else [SIDE_WIDTH, total - SIDE_WIDTH])

    def closeEvent(self, event) -> None:
        left = self.model.unfinished_chairs()
        pumps: dict = {}
        if left and not self.force_close:
            answer = self.ask_quit(left)
            if answer is None:
                event.ignore()
                return
            pumps = answer
        self.model.record_quit(pumps)  # a quit on purpose is journaled: the next start does not take it for a crash
        if self.settings is not None:
            self.settings.setValue("geometry", self.saveGeometry())
        self.model.timer.stop()
        event.accept()

    def ask_quit(self, chairs: list[ChairModel]) -> dict | None:
        """What each running pump does while the app is closed (None: the nurse stays)."""
        from ui.window.quit_dialog import QuitDialog

        dlg = self.quit_dialog = QuitDialog(self, chairs)  # kept: the tests answer it
        try:
            return dlg.pumps() if dlg.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dlg.deleteLater()
