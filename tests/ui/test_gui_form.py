"""The new-infusion form: the checklist blocks for real, flags it sets, the at-risk cap, a course split."""
from PySide6.QtCore import Qt

from tests.ui.conftest import answer_checklist, fill_patient


def test_previous_severe_reaction_blocks_the_start(qtbot, window):
    f = window.new_form
    window.show_new_infusion()
    fill_patient(f, qtbot)
    answer_checklist(f, prior=1)
    assert not f.create_button.isEnabled()
    assert "contraindicated" in f.blockers.text()
    qtbot.keyClick(window, Qt.Key_Return, Qt.ControlModifier)  # the shortcut is refused too
    f.create_button.click()
    assert window.model.chairs == []
    answer_checklist(f, prior=0)
    assert f.create_button.isEnabled()
    assert f.create_infusion()
    assert len(window.model.chairs) == 1


def test_iga_blocks_unless_a_prescriber_override_with_a_reason(qtbot, window):
    f = window.new_form
    fill_patient(f, qtbot)
    window.show_new_infusion()
    answer_checklist(f, iga=1)
    assert f.checklist.iga_box.isVisible()
    assert not f.create_infusion()
    assert "anti-IgA" in f.blockers.text()
    f.checklist.iga_override.setChecked(True)
    f.checklist.iga_prescriber.setText("Dr Jones")
    assert not f.create_infusion()  # a name without a reason is not enough
    f.checklist.iga_reason.setText("low-IgA product, benefit outweighs risk")
    assert f.create_infusion()
    chair = window.model.chairs[0]
    checklist = next(e for e in chair.session.events if e.kind == "checklist").data  # journaled as data
    assert checklist["override"] == "Dr Jones: low-IgA product, benefit outweighs risk"


def test_unanswered_checklist_and_hydration_block(qtbot, window):
    f = window.new_form
    fill_patient(f, qtbot)
    assert not f.create_infusion()
    text = f.blockers.text()
    assert "previous severe reaction" in text and "hydrated" in text and "same brand" in text
    answer_checklist(f, hydrated=False)
    assert not f.create_infusion() and "hydrated" in f.blockers.text()


def test_risk_factors_set_at_risk_and_the_label_cap_applies(qtbot, window):
    f = window.new_form
    fill_patient(f, qtbot)
    answer_checklist(f)
    f.patient.age.setCurrentText("over 65")  # age > 65: a renal risk factor (boxed warnings)
    assert f.checklist.renal["age-over-65"].isChecked()
    assert f.flags.at_risk.isChecked() and not f.flags.at_risk.isEnabled()
    f.update_preview()
    # Octagam 10% at risk: 3.3 mg/kg/min or 0.03 mL/kg/min, the lower -> 0.03 x 70 x 60 = 126 mL/h.
    assert f.plan.rungs[-1].rate_ml_h == 126.0
    rates = [f.preview.table.item(r, 1).text() for r in range(f.preview.table.rowCount())]
    assert rates == ["42", "84", "126"]
    assert "capped: at-risk" in f.preview.table.item(2, 6).text()


def test_label_without_an_at_risk_number_asks_for_the_cap(qtbot, window):
    f = window.new_form
    fill_patient(f, qtbot, product="privigen", indication="pi", dose="0.8")  # PI: at most 0.8 g/kg in one infusion
    answer_checklist(f)
    f.checklist.renal["diabetes"].setChecked(True)
    f.update_preview()
    assert f.plan is None
    assert "At-risk cap needed" in f.preview.error.text() and "minimum rate practicable" in f.preview.error.text()
    assert not f.create_infusion()
    f.flags.at_risk_cap.setText("2")
    f.update_preview()
    # 2 mg/kg/min x 70 x 60 / 100 = 84 mL/h
    assert f.plan is not None and f.plan.rungs[-1].rate_ml_h == 84.0
    assert f.create_infusion()


def test_product_switch_from_the_checklist(qtbot, window):
    f = window.new_form
    fill_patient(f, qtbot)
    answer_checklist(f, brand=1)
    assert f.flags.product_switch.isChecked() and not f.flags.product_switch.isEnabled()
    assert "Product switch" in f.blockers.warnings.text()
    f.update_preview()
    assert f.plan.request.product_switch
    assert "Starts at the initial rate: product switch" in f.preview.arithmetic.toPlainText()


def test_a_course_is_split_by_the_core(qtbot, window):
    f = window.new_form
    fill_patient(f, qtbot, dose="")
    f.prescription.course.click()
    f.prescription.course_total.setText("2")
    f.prescription.course_days.setValue(5)
    f.update_preview()
    # 2 g/kg over 5 days = 0.4 g/kg per infusion: 0.4 x 70 = 28 g = 280 mL of a 10% product
    assert "0.4 g/kg per infusion" in f.prescription.course_split.text()
    assert f.plan.dose.dose_g == 28.0 and f.plan.volume_ml == 280.0


def test_core_errors_are_one_clear_line(qtbot, window):
    f = window.new_form
    fill_patient(f, qtbot, weight="400")
    assert f.plan is None
    assert f.preview.error.text() == "Weight (kg): 400 is not allowed; 2 to 250"
    weight = f.patient.weight
    assert weight.error.text() == f.preview.error.text() and not weight.error.isHidden()  # beside the field too
    assert "\n" not in f.preview.error.text()


def test_typed_values_survive_leaving_the_form(qtbot, window):
    f = window.new_form
    window.show_new_infusion()
    fill_patient(f, qtbot)
    qtbot.keyClick(window, Qt.Key_0, Qt.ControlModifier)  # overview
    assert window.stack.currentWidget() is window.home
    window.resize(900, 700)
    qtbot.keyClick(window, Qt.Key_N, Qt.ControlModifier)
    assert f.patient.weight.text() == "70" and f.patient.patient_id.text() == "P-123"
    assert f.baseline.fields["temp_c"].text() == "36.8"


def test_history_offers_the_tolerated_maximum_and_warns_of_a_switch(qtbot, window):
    """A completed infusion of P-9 on Octagam 10% is offered next time: a switch, and a soft cap."""
    from titration.plan import PlanRequest, build_plan
    from titration.session import Session
    from titration.vitals import Vitals

    j = window.model.journal
    s = Session(build_plan(PlanRequest("octagam-10", "itp", 70.0, 0.4)))
    j.attach(s, chair="Chair 9", patient_id="P-9", training=False, wall_start=1795000000.0)
    s.record_vitals(0, Vitals(36.8, 72, 124, 78, 98, 14))
    s.start(0)
    t = 0.0
    while s.status == "running":
        t = s.next_due_at() or s.completion_at()
        if s.status == "running" and s.due(t) is not None:
            s.confirm(t, s.due(t))
    f = window.new_form
    window.show_new_infusion()
    fill_patient(f, qtbot, product="panzyga", indication="itp", pid="P-9")
    f.history.lookup()
    assert f.patient.history.isVisible()
    assert "Product switch" in f.patient.history.text() and "Octagam 10%" in f.patient.history.text()
    assert f.flags.product_switch.isChecked()
    # 0.4 g/kg = 280 mL: 21 + 42 + 84 = 147 mL by 90 min, the rest at 336 mL/h (8 mg/kg/min),
    # complete before the 504 mL/h step: the highest tolerated rate is 8 mg/kg/min.
    assert f.flags.tolerated.text() == "8"


def test_a_soft_limit_is_set_aside_only_with_a_reason(qtbot, window):
    """First infusion under NL-IVIG002 caps at 0.08 mL/kg/min (336 mL/h at 70 kg of 10%)."""
    f = window.new_form
    fill_patient(f, qtbot)
    answer_checklist(f, brand=2)  # first infusion
    f.prescription.protocol.setCurrentIndex(f.prescription.protocol.findData("nl-ivig002"))
    f.update_preview()
    assert f.plan.rungs[-1].rate_ml_h == 336.0 and f.plan.rungs[-1].limited_by == "first-infusion"
    cb, why = f.flags.overrides["first-infusion"]
    cb.setChecked(True)
    f.update_preview()
    assert f.plan is None and "needs a reason" in f.preview.error.text()
    why.setText("tolerated 0.12 mL/kg/min on this product elsewhere; prescriber agrees")
    f.update_preview()
    assert f.plan.rungs[-1].rate_ml_h > 336.0
    assert "Soft limit first-infusion" in f.preview.arithmetic.toPlainText()


def test_an_at_risk_ceiling_asks_for_the_prescribers_cap(qtbot, window):
    # Octagam 5%: "less than 0.07 mL/kg/min [3.3 mg/kg/min]" beside "minimum rate practicable": the figure
    # is a ceiling for the prescriber's cap, which is asked for (the core refuses to plan without it).
    f = window.new_form
    window.show_new_infusion()
    fill_patient(f, qtbot, product="octagam-5", indication="pi", dose="0.4")
    f.flags.at_risk.setChecked(True)
    text = f.flags.at_risk_note.text()
    assert "enter the prescriber's cap" in text and "below 3.3 mg/kg/min" in text and "ceiling" in text
