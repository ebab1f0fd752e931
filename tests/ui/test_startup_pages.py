"""Start-up: the first screen is built without the pages it does not show; they are built
when first opened (or just after the first paint), look the same, and work the same."""
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from ui.common.style import BASE_PT, FONT_ROLES

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import os, sys, tempfile
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication
app = QApplication([])
from titration.store.journal import Journal
from ui.window.main_window import MainWindow
from ui.window.app_model import AppModel
w = MainWindow(AppModel(Journal(os.path.join(tempfile.mkdtemp(), "j.sqlite3")), autostart=False))
w.show()
app.processEvents()
print("at start:", sorted(m for m in ("pyqtgraph", "ui.chart.infusion_chart", "ui.intake.form", "ui.training.panel",
                                      "ui.chair.view") if m in sys.modules), w.stack.count())
w.show_new_infusion()
print("after Ctrl+N:", "pyqtgraph" in sys.modules, w.stack.count(), w.stack.currentWidget() is w.new_form)
"""


def test_the_first_screen_loads_no_chart_and_no_hidden_page():
    p = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0] == "at start: [] 1"  # only the overview page, nothing of the chart library
    assert lines[1] == "after Ctrl+N: True 2 True"


def test_the_new_infusion_page_is_built_after_the_first_paint(qtbot, clock, beeper, journal):
    from ui.window.app_model import AppModel
    from ui.window.main_window import MainWindow

    model = AppModel(journal, clock_factory=lambda **kw: clock, autostart=False)
    w = MainWindow(model, beep=beeper)
    w.force_close = True
    qtbot.addWidget(w)
    w.prepare_pages_after_first_paint(delay_ms=0)
    assert w._new_form is None  # not in the constructor: start-up does not wait for it
    w.show()
    qtbot.waitUntil(lambda: w._new_form is not None, timeout=30000)  # generous: a loaded machine is slow
    assert w.stack.currentWidget() is w.home  # built in the background, the overview stays in front
    assert w.new_form.preview.chart is not None


def test_a_page_built_later_gets_the_large_type_already_chosen(window, qtbot):
    window.set_large(True)
    f = window.new_form  # built now, after the switch
    extra, bold = FONT_ROLES["chairHeader"]
    header = f.findChild(QLabel, "chairHeader")  # the title "New infusion"
    assert header.font().pointSize() == BASE_PT[True] + extra == 18
    assert header.font().bold() is bold
    assert window.training_setup.start_button.font().pointSize() == BASE_PT[True] + FONT_ROLES["confirm"][0]


def test_ctrl_n_and_ctrl_t_open_pages_built_on_demand(window, qtbot):
    assert window._new_form is None and window._training_setup is None
    qtbot.keyClick(window, Qt.Key_N, Qt.ControlModifier)
    assert window.stack.currentWidget() is window.new_form
    qtbot.keyClick(window, Qt.Key_T, Qt.ControlModifier)
    assert window.stack.currentWidget() is window.training_setup
    qtbot.keyClick(window, Qt.Key_N, Qt.ControlModifier)
    assert window.stack.count() == 3  # the same two pages again, never a second copy


def test_export_before_any_plan_says_so_without_building_the_form(window):
    assert window.exports.rate_chart("/nonexistent/x.pdf") is None
    assert window.statusBar().currentMessage() == "Export: there is no plan yet"
    assert window._new_form is None
