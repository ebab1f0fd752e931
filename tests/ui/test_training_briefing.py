"""Training: the scenario is shown before the start by its patient and prescription only (never its
answer); the debrief names the scenario, the trainee, the date and the speed, and its PDF is named
after the scenario and the trainee, offered in the last folder, and written 0600."""
import os
import shutil
import stat
import subprocess

import pytest
from PySide6.QtCore import Qt

from tests.ui.test_gui_training import real_seconds, training_window  # noqa: F401 - the fixture
from titration.data import resource
from titration.training.scenario import read_scenario
from ui.common import save_dialog


def test_the_setup_shows_the_patient_and_prescription_never_the_answer(qtbot, training_window):  # noqa: F811
    setup = training_window.training_setup
    assert setup.list.count() >= 8
    for row in range(setup.list.count()):
        setup.list.setCurrentRow(row)
        path = setup.list.item(row).data(Qt.UserRole)
        sc = read_scenario(path)
        meta = sc.raw.get("meta", {})
        shown = setup.list.item(row).text() + "\n" + setup.description.text()
        assert sc.title not in shown, path
        assert meta.get("description", "").strip()[:60] not in shown, path
        assert not any(goal in shown for goal in meta.get("learning_goals", [])), path
        assert f"{sc.request.weight_kg:g} kg" in shown and f"{sc.request.dose_g_per_kg:g} g/kg" in shown
    setup.select("02-mild-reaction-first-increase")
    assert setup.list.currentItem().text() == \
        "Scenario 02: Gamunex-C 10% for primary immunodeficiency, 0.4 g/kg (32 g), 80 kg"


def test_a_training_chair_never_shows_the_scenarios_title_before_the_debrief(qtbot, training_window):  # noqa: F811
    w = training_window
    chair = w.model.new_training(str(resource("scenarios", "02-mild-reaction-first-increase.toml")), speed=10)
    title = chair.run.scenario.title
    assert title not in chair.patient.identifier and title not in chair.scenario_title
    w.show_home()
    assert all(title not in t.accessibleName() for t in w.home.tiles)


def _finished_run(qtbot, w):
    w.model.sign_in("Alex Trainee", "AT")
    chair = w.model.new_training(str(resource("scenarios", "02-mild-reaction-first-increase.toml")), speed=10)
    w.show_chair(chair)
    view = w.current_view()
    view.take_vitals()
    view.vitals.record_button.click()
    w.confirm()
    real_seconds(w, 60)  # 10 simulated minutes
    view.training_panel.speed.setCurrentIndex(view.training_panel.speed.findData(60.0))
    real_seconds(w, 10)
    view.open_reason("stop")
    view.reason_box.edit.setText("end of exercise")
    view.submit_reason()
    view.training_panel.show_debrief()
    return chair, view.training_panel.debrief


def test_the_debrief_names_the_trainee_the_date_and_the_speed(qtbot, training_window, tmp_path,  # noqa: F811
                                                              monkeypatch):
    w = training_window
    chair, d = _finished_run(qtbot, w)
    assert chair.run.speeds == [(0.0, 10.0), (pytest.approx(10.0), 60.0)]
    heading = "Trainee: Alex Trainee · Date: 2026-11-21 · Speed: 10x; 60x from minute 10"
    assert d.about.isVisible() and heading in d.about.text()
    assert "Scenario: Mild reaction at the first increase" in d.about.text()  # said now, after the exercise
    assert "Goal: Record what the patient says" in d.about.text()
    assert heading in d.html()
    monkeypatch.setattr(save_dialog.last_folder, "_here", str(tmp_path))
    name = os.path.basename(d.default_path())
    assert name == "02-mild-reaction-first-increase - Alex Trainee - 2026-11-21 - training debrief.pdf"

    asked = []

    def choose(parent, title, start, filters):
        asked.append(start)
        return str(tmp_path / name), filters

    monkeypatch.setattr(save_dialog.QFileDialog, "getSaveFileName", choose)
    d.pdf_button.click()
    pdf = tmp_path / name
    assert asked == [str(pdf)]  # offered in the last folder, under its own name
    assert pdf.read_bytes()[:4] == b"%PDF"
    assert stat.S_IMODE(pdf.stat().st_mode) == 0o600
    assert d.saved.isVisible() and d.saved.text() == f"Saved the debrief: {pdf}"
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "Alex Trainee" in text and "2026-11-21" in text and "60x from minute 10" in text


def test_the_save_dialog_offers_the_folder_saved_in_last(qtbot, training_window, tmp_path,  # noqa: F811
                                                         monkeypatch):
    from PySide6.QtCore import QSettings

    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.IniFormat)
    save_dialog.last_folder.use(settings)
    try:
        save_dialog.last_folder.remember(str(tmp_path / "a.pdf"))
        again = save_dialog.LastFolder()
        again.use(QSettings(str(tmp_path / "ui.ini"), QSettings.IniFormat))
        assert again.folder() == str(tmp_path)  # the next start offers it too
        gone = tmp_path / "gone"
        gone.mkdir()
        save_dialog.last_folder.remember(str(gone / "b.pdf"))
        gone.rmdir()
        assert save_dialog.last_folder.folder() == os.path.expanduser("~")  # a folder no longer there: home
    finally:
        save_dialog.last_folder.use(None)
        save_dialog.last_folder._here = ""
