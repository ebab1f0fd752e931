"""In the nurse's words: the form without command-line syntax, field labels instead of field ids, no
question that cannot apply to the patient; STOP never confirmed in green; counts in English."""
from tests.ui.conftest import answer_checklist, fill_patient
from titration.intake import plain


def test_a_dose_above_the_usual_names_the_tick_box_never_the_command_line(qtbot, window):
    f = window.new_form
    window.show_new_infusion()
    fill_patient(f, qtbot, product="privigen", indication="pi", dose="1")  # PI: at most 0.8 g/kg at once
    answer_checklist(f)
    f.update_preview()
    shown = f.prescription.dose.error.text() + " " + f.blockers.text()
    assert "tick 'Set aside: usual single-infusion dose' and type the reason" in shown, shown
    for cli in ("=REASON", "--", "override single-dose", "'single-dose'"):
        assert cli not in shown, (cli, shown)
    assert not f.create_button.isEnabled() or not f.create_infusion()
    cb, why = f.flags.overrides["single-dose"]
    assert cb.text() == "Set aside: usual single-infusion dose"  # the words the refusal points to
    assert plain("or record a reason with --override population=REASON") == \
        "or tick 'Set aside: the label's population (age)' and type the reason"


def _asked(f, question):
    return not f.checklist.labels[question].isHidden()


def test_the_checklist_does_not_ask_a_child_or_a_man_whether_they_are_pregnant(qtbot, window):
    f = window.new_form
    window.show_new_infusion()
    fill_patient(f, qtbot)
    assert _asked(f, "pregnant") and _asked(f, "breastfeeding")  # nothing known yet: everything asked
    f.patient.sex.setCurrentText("male")
    assert not _asked(f, "pregnant") and not _asked(f, "breastfeeding")
    f.patient.sex.setCurrentText("female")
    assert _asked(f, "pregnant") and _asked(f, "breastfeeding")
    f.patient.age_years.setText("6")
    assert not _asked(f, "pregnant") and not _asked(f, "breastfeeding")
    assert "Pregnant?" not in f.blockers.text() and "pregnant?" not in f.blockers.text()


def test_stop_is_confirmed_by_a_button_that_says_stop_and_is_never_green(qtbot, window):
    from collections import Counter

    from PySide6.QtGui import QColor

    from ui.common.style import CONFIRM_BG, GRADE_COLOURS, PAPER, contrast

    f = window.new_form
    window.show_new_infusion()
    fill_patient(f, qtbot)
    answer_checklist(f)
    assert f.create_infusion()
    window.confirm()  # started
    view = window.views[window.model.chairs[-1]]
    view.open_reason("stop")
    ok = view.reason_box.ok
    qtbot.waitUntil(ok.isVisible)
    assert ok.text() == "STOP the infusion" and ok.objectName() != "confirm"
    img = ok.grab().toImage()
    green = QColor(CONFIRM_BG)
    centre = img.pixelColor(img.width() // 2, 3)  # the face of the button, above its words
    assert abs(centre.red() - green.red()) + abs(centre.green() - green.green()) + abs(
        centre.blue() - green.blue()) > 60, centre.name()
    red = QColor(GRADE_COLOURS["severe"])  # the danger look: the pump panel's STOP red, white words on it
    face = Counter(img.pixelColor(x, y).name() for x in range(img.width()) for y in range(img.height()))
    assert face.most_common(1)[0][0] == red.name(), face.most_common(3)
    assert "color: #ffffff" in ok.styleSheet() and contrast(PAPER, GRADE_COLOURS["severe"]) >= 4.5
    view.reason_box.hide()
    view.open_reason("pause")  # a pause is not danger: the box's button looks as any other
    assert ok.text() == "Pause now" and ok.styleSheet() == ""


def test_the_banner_counts_in_english():
    from ui.unit.server_feed import banner_text

    assert banner_text({"unreachable": "timed out"}, 1).endswith("(1 event waiting)")
    assert banner_text({"unreachable": "timed out"}, 2).endswith("(2 events waiting)")


def test_a_vital_out_of_range_is_named_by_its_label_and_120_over_80_is_never_12080(qtbot, window):
    f = window.new_form
    window.show_new_infusion()
    fill_patient(f, qtbot)
    answer_checklist(f)
    f.baseline.fields["temp_c"].setText("98.6")  # Fahrenheit, typed in the Celsius field
    f.update_preview()
    shown = f.blockers.text() + " " + f.baseline.grade.text()
    assert "Temperature (°C): 98.6 is not allowed" in shown and "temp_c" not in shown, shown
    assert not f.create_infusion()
    f.baseline.fields["temp_c"].setText("36.8")
    f.baseline.fields["dbp"].setText("")
    f.baseline.fields["sbp"].setText("120/80")
    f.update_preview()
    shown = f.blockers.text() + " " + f.baseline.grade.text()
    assert "12080" not in shown + f.baseline.fields["sbp"].text()
    if f.create_infusion():  # split: systolic 120, diastolic 80
        e = next(e for e in window.model.chairs[-1].session.events if e.kind == "vitals")
        assert (e.data["vitals"]["sbp"], e.data["vitals"]["dbp"]) == (120.0, 80.0)
    else:  # or refused in words that say what was typed
        assert "120/80" in shown, shown
