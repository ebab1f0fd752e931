"""Entry a stray hand cannot change: the wheel, the form that does not move, errors beside fields,
an empty form after each patient, a checklist answered question by question."""
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QComboBox, QSpinBox

from tests.ui.conftest import answer_checklist, fill_patient


def wheel(widget, notches: int = -1) -> None:
    """One wheel notch over the widget, as a mouse over it (not focused) would send."""
    pos = QPointF(widget.width() / 2, widget.height() / 2)
    ev = QWheelEvent(pos, widget.mapToGlobal(pos), QPoint(0, 0), QPoint(0, 120 * notches),
                     Qt.NoButton, Qt.NoModifier, Qt.NoScrollPhase, False)
    QApplication.sendEvent(widget, ev)


def test_the_wheel_never_changes_an_unfocused_box(qtbot, window):
    f = window.new_form
    window.show_new_infusion()
    f.patient.patient_id.setFocus()
    rx = f.prescription
    product, resolution = rx.product.currentIndex(), rx.resolution.currentData()
    days = rx.course_days.value()
    for box in (rx.product, rx.resolution, rx.course_days, rx.indication, rx.protocol):
        assert not box.hasFocus()
        wheel(box)
        wheel(box, +1)
    assert rx.product.currentIndex() == product and rx.resolution.currentData() == resolution == 0.1
    assert rx.course_days.value() == days
    # every combo and spin box of the window is guarded (one mechanism, not a list)
    boxes = window.findChildren(QComboBox) + window.findChildren(QSpinBox)
    assert all(b.focusPolicy() == Qt.StrongFocus for b in boxes if b.isVisibleTo(window))
    # a box the nurse focused still takes the wheel
    f.prescription.resolution.setFocus()
    qtbot.waitUntil(f.prescription.resolution.hasFocus)
    wheel(f.prescription.resolution)
    assert f.prescription.resolution.currentData() == 1.0


def test_the_cannot_start_panel_keeps_its_place_and_height(qtbot, window):
    f = window.new_form
    window.show_new_infusion()
    qtbot.wait(1)
    panel_geo, create_geo = f.blockers.geometry(), f.create_button.geometry()
    assert "CANNOT START YET" in f.blockers.text()
    fill_patient(f, qtbot)
    answer_checklist(f, pregnant=1, vaccine=1)  # notes and warnings appear too
    f.update_preview()
    QApplication.processEvents()
    assert f.blockers.text().startswith("Ready")
    assert f.blockers.geometry() == panel_geo and f.create_button.geometry() == create_geo


def test_every_bad_field_is_named_beside_itself_in_plain_words(qtbot, window):
    f = window.new_form
    f.patient.weight.setText("0")
    f.prescription.dose.setText("-1")
    f.patient.height_cm.setText("1.7m")
    f.prescription.unit_cap.setText("5000")
    f.update_preview()
    assert f.plan is None
    # the field's label and unit, the value as typed, what is allowed: the core's words (titration.intake)
    assert f.patient.weight.error.text() == "Weight (kg): 0 is not allowed; 2 to 250"
    assert f.prescription.dose.error.text() == ("Dose (g/kg): -1 is not allowed; a positive number (a minus sign is "
                                                "not possible here)")
    assert f.patient.height_cm.error.text() == ("Height (cm): '1.7m' is not a number; type digits only, with at most "
                                                "one decimal point")
    assert f.prescription.unit_cap.error.text() == ("Unit's pump maximum (mL/h): 5000 is not allowed; more than 0 "
                                                    "and at most 1200")
    for e in (f.patient.weight, f.prescription.dose, f.patient.height_cm, f.prescription.unit_cap):
        assert not e.error.isHidden() and "border" in e.styleSheet()
    blocks = f.blockers.text()
    assert all(name in blocks for name in ("Weight", "Dose", "Height", "Unit's pump maximum"))
    assert "--" not in blocks and "--" not in f.preview.error.text()  # never a command-line option name
    f.patient.weight.setText("70")  # correcting a field clears its own error at once
    assert f.patient.weight.error.isHidden() and f.patient.weight.styleSheet() == ""


def test_a_minus_or_a_letter_is_an_error_not_dropped(qtbot, window):
    f = window.new_form
    qtbot.keyClicks(f.patient.weight, "-70")
    assert f.patient.weight.text() == "-70"  # typed as typed: nothing silently removed
    qtbot.keyClicks(f.prescription.dose, "1x")
    f.update_preview()
    assert f.plan is None and "minus" in f.patient.weight.error.text()
    assert "'1x' is not a number" in f.prescription.dose.error.text()


def test_an_empty_required_field_is_outlined_only_once_create_is_tried(qtbot, window):
    f = window.new_form
    f.update_preview()
    assert f.patient.weight.error.isHidden()  # a fresh form is not shouted at
    assert "Weight" in f.blockers.text()
    assert not f.create_infusion()
    assert f.patient.weight.error.text() == "Weight: type the patient's weight in kg"
    assert not f.patient.weight.error.isHidden()


def test_a_new_infusion_starts_empty_with_no_earlier_chart(qtbot, window, clock):
    f = window.new_form
    window.show_new_infusion()
    fill_patient(f, qtbot)
    answer_checklist(f)
    f.prescription.product.setCurrentIndex(f.prescription.product.findData("privigen"))
    f.update_preview()
    assert f.plan is not None and f.preview.chart.isVisibleTo(f)
    assert f.create_infusion()
    # the next patient: nothing of the last one
    assert f.patient.patient_id.text() == f.patient.weight.text() == f.prescription.dose.text() == ""
    assert f.prescription.product.currentIndex() == 0 and f.checklist.prior_reaction.value() is None
    assert f.plan is None and f.preview.table.rowCount() == 0 and not f.preview.chart.isVisibleTo(f)
    assert f.preview.summary.text() == "No plan yet."
    assert all(not e.text() for e in f.baseline.fields.values())


def test_every_checklist_question_must_be_answered(qtbot, window):
    f = window.new_form
    fill_patient(f, qtbot)
    answer_checklist(f, pregnant=None, breastfeeding=None, vaccine=None, infection=None)
    r = f.checklist.result()
    assert r.blocks == ["answer: pregnant?", "answer: breastfeeding?",
                        "answer: live vaccine in the last 2 weeks or planned in the next 3 months?",
                        "answer: infection today?"]
    assert not f.create_infusion()
    for yn in (f.checklist.pregnant, f.checklist.breastfeeding, f.checklist.vaccine, f.checklist.infection):
        yn.buttons[0].click()
    f.update_preview()
    assert f.create_infusion()


def test_focus_into_an_unanswered_question_selects_nothing(qtbot, window):
    f = window.new_form
    window.show_new_infusion()
    yn = f.checklist.pregnant
    yn.buttons[0].setFocus()
    qtbot.waitUntil(yn.buttons[0].hasFocus)
    qtbot.keyClick(yn.buttons[0], Qt.Key_Right)  # arrow keys move the focus, never the answer
    assert yn.value() is None
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_Space)  # a deliberate key answers
    assert yn.value() is not None


def test_an_empty_form_blames_no_value_the_nurse_did_not_type(qtbot, window):
    """The checks run the core with stand-in values for empty fields; a stand-in must never be
    refused itself (a 2 g/kg stand-in dose once showed 'Dose: 2.0 is not possible' on an empty form)."""
    from PySide6.QtWidgets import QLabel

    f = window.new_form
    window.show_new_infusion()
    for product in range(f.prescription.product.count()):
        f.prescription.product.setCurrentIndex(product)
        f.update_preview()
        shown = " ".join(lab.text() for lab in f.findChildren(QLabel) if lab.isVisibleTo(f))
        assert "not possible" not in shown, (f.prescription.product.currentData(), shown[:300])
