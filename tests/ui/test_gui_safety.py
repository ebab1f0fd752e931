"""Safety prompts in the window: an early end of the observation hour, a child's vitals."""


def test_closing_the_observation_early_asks_for_a_reason_in_the_chair(qtbot, window, clock):
    from tests.ui.conftest import answer_checklist, fill_patient

    f = window.new_form
    fill_patient(f, qtbot)
    answer_checklist(f)
    assert f.create_infusion()
    window.confirm()  # started
    chair = window.model.chairs[0]
    view = window.current_view()
    clock.set(10)
    window.model.tick()
    chair.stop("patient unwell")
    view.close_observation()
    assert chair.session.status == "stopped" and view.reason_box.isVisible()
    view.submit_reason()  # no reason: refused, said on screen
    assert chair.session.status == "stopped" and "needs a reason" in view.error.text()
    view.reason_box.edit.setText("sent to the emergency department")
    view.submit_reason()
    assert chair.session.status == "closed"
    assert view.log.texts()[-1][2] == "Observation closed early: sent to the emergency department"


def test_a_child_is_asked_for_an_age_not_warned_about_adult_bands(qtbot, window):
    """A child's vitals are graded by the paediatric bands for the age: the form asks
    for the age in years, and the old warning that adult NEWS2 bands grade a child is gone."""
    from tests.ui.conftest import answer_checklist, fill_patient

    f = window.new_form
    fill_patient(f, qtbot)
    answer_checklist(f)
    f.patient.age.setCurrentIndex(f.patient.age.findText("child (under 18)"))
    f.update_preview()
    assert not any("NEWS2" in w for w in f.checklist.result().warnings)
    assert "age_years" in f.field_errors and not f.create_button.isEnabled()
