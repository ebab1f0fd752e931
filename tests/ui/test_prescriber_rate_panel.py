"""A prescriber's new rate from the chair screen: a structured entry, checked by the core against the
hard limits, journaled, and the plan made again from it; the answer comes back from the intent."""
from tests.ui.conftest import new_chair


def _after_a_mild_reaction(qtbot, window, clock):
    view = new_chair(window, qtbot)
    window.confirm()
    chair = view.chair
    clock.set(30)
    window.model.tick()
    window.confirm()  # step 2: 84 mL/h
    clock.set(40)
    window.model.tick()
    chair.report_symptoms(["chills"])
    assert not view.prescriber.isVisible()  # a reaction is being handled: what is due now has the room
    window.confirm()  # mild: slowed to 42 mL/h
    clock.set(50)
    window.model.tick()
    chair.resolved()
    clock.set(70)
    window.model.tick()
    window.confirm()  # back up to 84 mL/h after the review
    clock.set(75)
    window.model.tick()
    return view


def _fill(panel, **values):
    panel.open_button.setChecked(True)
    for k, e in panel.fields.items():
        e.setText(values.get(k, ""))


def test_a_prescribers_new_rate_is_checked_journaled_and_replans(qtbot, window, clock, journal):
    view = _after_a_mild_reaction(qtbot, window, clock)
    panel = view.prescriber
    assert panel.isVisible() and panel.open_button.isEnabled()
    # above the label's maximum for this plan (504 mL/h): refused, nothing recorded
    n = len(view.chair.session.events)
    _fill(panel, prescriber="Dr Lee", max_ml_h="5000", reason="tolerating well")
    out = panel.record()
    assert not out.done and "5000 mL/h is above this plan's maximum of 504 mL/h" in out.message
    assert panel.answer.text().startswith("Not recorded: ") and len(view.chair.session.events) == n
    # a word where a number goes: refused by the field's name
    _fill(panel, prescriber="Dr Lee", max_ml_h="lots", reason="tolerating well")
    out = panel.record()
    assert not out.done and out.message.startswith("New maximum: 'lots' is not a number")
    # no reason: the core names the field
    _fill(panel, prescriber="Dr Lee", max_ml_h="168")
    assert "Reason" in panel.record().message
    # a new maximum of 168 and 84 now: journaled, and the rest planned again from it
    _fill(panel, prescriber="Dr Lee", max_ml_h="168", rate_ml_h="84", reason="tolerating well")
    out = panel.record()
    assert out.done and panel.answer.text().startswith("Recorded: new maximum 168 mL/h, pump to 84 mL/h")
    s = view.chair.session
    assert s.events[-1].kind == "prescriber_rate" and s.events[-1].data["prescriber"] == "Dr Lee"
    assert [round(st.rate_ml_h) for st in s.plan.steps] == [84, 168]
    assert [r[3] for r in view.steps.rows()] == ["84", "168"]  # the table of steps follows the new plan
    assert view.chair.unsaved_from is None and not out.not_saved  # journaled (a failed write says NOT SAVED)
