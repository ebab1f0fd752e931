"""Training mode: scenario picker, TRAINING banner, a fast clock that can be held (not the infusion),
the patient's words, Take vitals, the debrief and its PDF."""
import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from tests.ui.conftest import WALL0
from titration.clock import SourceClock


class FakeSeconds:
    def __init__(self):
        self.s = 1000.0

    def __call__(self):
        return self.s


@pytest.fixture
def training_window(qtbot, beeper, journal):
    from ui.window.app_model import AppModel
    from ui.window.main_window import MainWindow

    secs = FakeSeconds()
    model = AppModel(journal, clock_factory=lambda start_min=0.0, speed=1.0, training=False:
                     SourceClock(secs, start_min=start_min, speed=speed), wall=lambda: WALL0, autostart=False)
    w = MainWindow(model, beep=beeper)
    w.force_close = True
    qtbot.addWidget(w)
    w.resize(1440, 900)
    w.show()
    w.secs = secs
    return w


def real_seconds(w, seconds):
    w.secs.s += seconds
    w.model.tick()


def test_a_training_run_with_debrief(qtbot, training_window, tmp_path):
    w = training_window
    qtbot.keyClick(w, Qt.Key_T, Qt.ControlModifier)
    setup = w.training_setup
    assert w.stack.currentWidget() is setup
    assert setup.list.count() >= 8
    assert setup.select("02-mild-reaction-first-increase")
    setup.speed.setCurrentIndex(setup.speed.findData(10.0))
    qtbot.keyClick(w, Qt.Key_Return, Qt.ControlModifier)
    chair = w.model.chairs[0]
    view = w.current_view()
    s = chair.session
    assert chair.training and s.training
    banner = view.findChild(QLabel, "trainingBanner")
    assert banner is not None and banner.isVisible() and "TRAINING" in banner.text()
    assert w.model.journal.sessions(training=True)[0]["id"] == chair.journal_id
    assert w.model.journal.sessions(training=False) == []

    # Take vitals: the simulated patient's baseline, pre-filled; the trainee records them.
    qtbot.keyClick(w, Qt.Key_T, Qt.ControlModifier | Qt.ShiftModifier)
    assert view.vitals.fields["temp_c"].text() != ""
    view.vitals.record_button.click()
    assert s.state.baseline is not None
    qtbot.keyClick(w, Qt.Key_Return, Qt.ControlModifier)
    assert s.status == "running"

    # 10x: 180 real seconds are 30 simulated minutes.
    real_seconds(w, 180)
    assert chair.now == pytest.approx(30.0)
    assert chair.proposal().action == "increase"
    qtbot.keyClick(w, Qt.Key_Return, Qt.ControlModifier)

    # Pause simulation: the clock holds; the infusion keeps running (the pump is not paused).
    qtbot.keyClick(w, Qt.Key_Space, Qt.ControlModifier)
    assert chair.sim_held and s.status == "running"
    real_seconds(w, 600)
    assert chair.now == pytest.approx(30.0)
    assert "SIMULATION PAUSED" in view.training_panel.clock_label.text()
    qtbot.keyClick(w, Qt.Key_Space, Qt.ControlModifier)
    assert not chair.sim_held

    # Onset 5 min after the first increase: the patient says it in words.
    real_seconds(w, 36)  # 6 simulated minutes
    said = [view.training_panel.said.item(i).text() for i in range(view.training_panel.said.count())]
    assert any("cold and shivery" in x for x in said)
    view.symptoms.boxes["chills"].setChecked(True)
    view.symptoms.report_button.click()
    assert chair.proposal().action == "slow"
    qtbot.keyClick(w, Qt.Key_Return, Qt.ControlModifier)
    assert s.state.rate_ml_h < 96.0

    # End the exercise early; the debrief lists what was expected against what was done.
    view.open_reason("stop")
    view.reason_box.edit.setText("end of exercise")
    view.submit_reason()
    assert s.status == "stopped"
    assert view.training_panel.debrief_button.isEnabled()
    qtbot.keyClick(w, Qt.Key_D, Qt.ControlModifier | Qt.ShiftModifier)
    d = view.training_panel.debrief
    assert d.isVisible()
    assert d.table.rowCount() == len(chair.run.debrief().items) > 0
    assert d.score.text().startswith(f"Score: {chair.run.debrief().score} / 100")
    headers = [d.table.horizontalHeaderItem(i).text() for i in range(d.table.columnCount())]
    assert headers[:4] == ["verdict", "due (min)", "expected", "done"]
    pdf = tmp_path / "debrief.pdf"
    d.export_pdf(str(pdf))
    assert pdf.read_bytes()[:4] == b"%PDF" and pdf.stat().st_size > 1000
    resp = tmp_path / "responses.json"
    chair.run.save_responses(str(resp))
    kinds = [r["kind"] for r in json.loads(resp.read_text())["responses"]]
    assert kinds[:3] == ["vitals", "start", "increase"] and "symptoms" in kinds


def test_speed_changes_the_simulated_clock(qtbot, training_window):
    w = training_window
    chair = w.model.new_training(str(__import__("titration.data", fromlist=["resource"]).resource(
        "scenarios", "01-uneventful-first-infusion.toml")), speed=1.0)
    w.show_chair(chair)
    view = w.current_view()
    real_seconds(w, 60)
    assert chair.now == pytest.approx(1.0)
    qtbot.keyClick(w, Qt.Key_BracketRight, Qt.ControlModifier)  # 1x -> 2x
    assert view.training_panel.speed.currentData() == 2.0 and chair.speed == 2.0
    real_seconds(w, 60)
    assert chair.now == pytest.approx(3.0)
