"""Named nurses in the window: Ctrl+I opens the sign-in, the unit's next nurse is offered, Enter
signs them in; every open chair journals the sign-in and carries the name from then on. The File
menu exports the de-identified record; the window writes FHIR through the same code as the CLI."""
import json

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from tests.ui.test_gui_actions import start_infusion
from titration.nurses import nurse
from titration.unit_settings import UnitSettings
from ui.window import sign_in as sign_in_module


def test_ctrl_i_then_enter_signs_the_next_nurse_in_at_every_chair(qtbot, window, clock, monkeypatch):
    unit = UnitSettings(5.0, nurses=(nurse("Alex Morgan", "AM"), nurse("Sam Lee", "SL")))
    monkeypatch.setattr(sign_in_module, "load_unit_settings", lambda: unit)
    chair, _ = start_infusion(qtbot, window, clock)
    assert window.actions_by_name["signIn"].shortcut() == QKeySequence("Ctrl+I")
    window.actions_by_name["signIn"].trigger()
    d = window._sign_in
    qtbot.keyClick(d, Qt.Key_Return)  # keystroke two: the first listed nurse
    assert window.model.nurse.label == "Alex Morgan (AM)"
    assert chair.session.events[-1].kind == "signin" and chair.session.bedside.on_duty.initials == "AM"
    window.actions_by_name["signIn"].trigger()  # switching: the next nurse is offered
    qtbot.keyClick(window._sign_in, Qt.Key_Return)
    assert window.model.nurse.initials == "SL"
    clock.set(5)
    window.model.tick()
    chair.note("handover done")
    assert chair.session.events[-1].who == "Sam Lee"


def test_someone_not_listed_types_a_name_and_initials(qtbot, window, clock, monkeypatch):
    monkeypatch.setattr(sign_in_module, "load_unit_settings", lambda: UnitSettings(5.0))
    d = window.open_sign_in()
    d.initials.setText("1")
    d.name.setText("Jo Bloggs")
    d.sign_in()
    assert window.model.nurse is None and "initials" in d.error.text()
    d.initials.setText("jb")
    d.sign_in()
    assert window.model.nurse.label == "Jo Bloggs (JB)"


def test_the_file_menu_exports_a_deidentified_record_and_fhir(qtbot, window, clock, tmp_path):
    chair, view = start_infusion(qtbot, window, clock)
    assert window.actions_by_name["exportDeidentified"].text().startswith("Export de-identified record")
    clock.set(20)
    window.model.tick()
    out = window.exports.record(str(tmp_path / "record.json"))
    b = json.loads((tmp_path / "record.json").read_text())
    assert out and b["resourceType"] == "Bundle" and b["type"] == "collection"
    patient = next(e["resource"] for e in b["entry"] if e["resource"]["resourceType"] == "Patient")
    assert patient["identifier"][0]["value"] == chair.patient.identifier
    window.exports.record(str(tmp_path / "teach.csv"), deidentified=True)
    assert chair.patient.identifier not in (tmp_path / "teach.csv").read_text()
    assert view.error.text() == ""
