"""Screenshots of every view, for looking at (IVIG_SCREENSHOTS=1 writes them to out/; else a temp folder).

Each is also checked to be a real picture of the window at its size.
"""
import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import answer_checklist, fill_patient

OUT = Path(__file__).resolve().parents[2] / "out"


@pytest.fixture
def shots(tmp_path):
    folder = OUT if os.environ.get("IVIG_SCREENSHOTS") else tmp_path
    folder.mkdir(exist_ok=True)

    def save(widget, name):
        for _ in range(3):  # let posted layout requests run, as the event loop would
            QApplication.processEvents()
        img = widget.grab()
        path = folder / f"{name}.png"
        assert img.save(str(path))
        assert img.width() == widget.width() and img.height() == widget.height()
        return path

    return save


def test_screenshots_of_each_view(qtbot, window, clock, shots):
    w = window
    f = w.new_form
    w.show_new_infusion()
    fill_patient(f, qtbot)
    answer_checklist(f)
    f.checklist.pregnant.buttons[1].click()
    f.update_preview()
    shots(w, "01-new-infusion-preview")
    f.create_infusion()
    view = w.current_view()
    shots(w, "02-chair-before-start")
    w.confirm()
    clock.set(30)
    w.model.tick()
    shots(w, "03-chair-step-due")
    w.confirm()
    for k, v in dict(temp_c="37.0", pulse="80", sbp="120", dbp="75", spo2="98", rr="16").items():
        view.vitals.fields[k].setText(v)
    view.vitals.record_button.click()
    clock.set(42)
    w.model.tick()
    view.symptoms.boxes["chills"].setChecked(True)
    view.symptoms.boxes["headache"].setChecked(True)
    view.symptoms.report_button.click()
    shots(w, "04-chair-mild-reaction-proposal")
    w.confirm()
    clock.set(55)
    w.model.tick()
    shots(w, "05-chair-after-slowing")
    qtbot.keyClick(w, Qt.Key_L, Qt.ControlModifier)
    shots(w, "06-chair-large-type")
    qtbot.keyClick(w, Qt.Key_L, Qt.ControlModifier)

    # A second chair with a severe reaction.
    w.show_new_infusion()
    fill_patient(f, qtbot, pid="P-456", weight="82", product="privigen", indication="pi", dose="0.5")
    answer_checklist(f)
    f.checklist.renal["diabetes"].setChecked(True)
    f.update_preview()
    shots(w, "07a-new-infusion-at-risk-asks-for-cap")
    f.flags.at_risk_cap.setText("2")
    f.update_preview()
    f.create_infusion()
    w.confirm()
    clock.set(70)
    w.model.tick()
    v2 = w.current_view()
    v2.symptoms.boxes["wheeze"].setChecked(True)
    v2.symptoms.report_button.click()
    shots(w, "07-chair-severe-emergency")
    w.confirm()
    shots(w, "08-chair-stopped-summary")
    d = w.show_shortcuts()
    shots(d, "09-help-shortcuts")
    d.close()


def test_screenshots_of_training(qtbot, window, clock, shots):
    from titration.data import resource

    w = window
    w.show_training_setup()
    w.training_setup.select("02-mild-reaction-first-increase")
    shots(w, "10-training-setup")
    chair = w.model.new_training(str(resource("scenarios", "02-mild-reaction-first-increase.toml")), speed=10)
    w.show_chair(chair)
    view = w.current_view()
    view.take_vitals()
    view.vitals.record_button.click()
    w.confirm()
    for t in (30,):
        clock.set(t)
        w.model.tick()
        w.confirm()
    clock.set(36)
    w.model.tick()
    view.take_vitals()
    shots(w, "11-training-running-banner")
    view.symptoms.boxes["chills"].setChecked(True)
    view.symptoms.report_button.click()
    w.confirm()
    clock.set(60)
    w.model.tick()
    view.open_reason("stop")
    view.reason_box.edit.setText("end of exercise")
    view.submit_reason()
    view.training_panel.show_debrief()
    shots(w, "12-training-debrief")
