"""The alert strip says each alert's priority in words, in the IEC colours, and keeps a training
chair's alerts apart from the real ones (after them, marked TRAINING, in their own colour)."""
from tests.ui.conftest import answer_checklist, fill_patient
from titration.data import resource
from ui.common.style import ALERT_COLOURS, ALERT_QUIET, TRAINING_ALERT, TRAINING_QUIET


def _real_chair(qtbot, window, pid="P-1"):
    f = window.new_form
    window.show_new_infusion()
    fill_patient(f, qtbot, pid=pid)
    answer_checklist(f)
    assert f.create_infusion()
    window.confirm()  # start
    return window.model.chairs[-1]


def _training_chair(window):
    chair = window.model.new_training(str(resource("scenarios", "01-uneventful-first-infusion.toml")), speed=10)
    chair.record_vitals(chair.run.take_vitals(0.0))
    chair.start()
    assert chair.session.status == "running"
    return chair


def test_each_alert_starts_with_its_priority_word_and_training_comes_last_marked(qtbot, window, clock):
    trainee = _training_chair(window)  # opened first: still shown after the real chair
    real = _real_chair(qtbot, window)
    clock.set(15)
    window.model.tick()
    strip = window.alert_strip
    lines = strip.text().splitlines()
    assert lines == ["LOW: Chair 1: VITALS DUE: 15 min after the start",
                     "TRAINING · LOW: Training 1: VITALS DUE: 15 min after the start"]
    assert strip.order == [real, trainee]
    assert strip.accessibleName() == "Alerts"
    assert strip.rows[real].accessibleName() == lines[0]


def test_priority_colours_flash_and_training_rows_never_share_them(qtbot, window, clock):
    trainee = _training_chair(window)
    real = _real_chair(qtbot, window)
    clock.set(15)
    window.model.tick()
    strip = window.alert_strip
    assert strip.active  # ringing: the flash is on
    real_sheet, training_sheet = strip.rows[real].styleSheet(), strip.rows[trainee].styleSheet()
    assert f"background: {ALERT_COLOURS['low'][0]}" in real_sheet
    assert f"background: {TRAINING_ALERT[0]}" in training_sheet and "dashed" in training_sheet
    assert ALERT_COLOURS["low"][0] not in training_sheet
    real.acknowledge()
    trainee.acknowledge()
    assert f"background: {ALERT_QUIET['low'][0]}" in strip.rows[real].styleSheet()  # quiet: the tint, still shown
    assert f"background: {TRAINING_QUIET[0]}" in strip.rows[trainee].styleSheet()
    assert "(acknowledged)" in strip.text()
