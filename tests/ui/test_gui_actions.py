"""Keyboard shortcuts, pause/resume/stop, override, a severe reaction, large type, the chair list,
and a journal that cannot write (shown loudly)."""
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import answer_checklist, fill_patient


def start_infusion(qtbot, window, clock, pid="P-123"):
    f = window.new_form
    window.show_new_infusion()
    fill_patient(f, qtbot, pid=pid)
    answer_checklist(f)
    assert f.create_infusion()
    qtbot.keyClick(window, Qt.Key_Return, Qt.ControlModifier)
    chair = window.model.chairs[-1]
    assert chair.session.status == "running"
    return chair, window.current_view()


def test_shortcuts_pause_resume_stop(qtbot, window, clock):
    chair, view = start_infusion(qtbot, window, clock)
    s = chair.session
    clock.set(10)
    window.model.tick()
    qtbot.keyClick(window, Qt.Key_P, Qt.ControlModifier)
    assert view.reason_box.isVisible()
    qtbot.keyClicks(view.reason_box.edit, "patient to the toilet")
    qtbot.keyClick(view.reason_box.edit, Qt.Key_Return)
    assert s.status == "paused" and s.events[-1].data["reason"] == "patient to the toilet"
    assert view.pump.pump_title.text() == "Infusion PAUSED" and view.pump.pump_rate.text() == "0 mL/h"
    clock.set(20)
    window.model.tick()
    qtbot.keyClick(window, Qt.Key_R, Qt.ControlModifier | Qt.ShiftModifier)
    assert s.status == "running" and s.state.rate_ml_h == 42.0
    # 42 mL/h for 10 min, paused 10 min: 7.0 mL in at 20 min
    assert view.now_panel.labels["volume"].text() == "7.0 of 700.0 mL"
    qtbot.keyClick(window, Qt.Key_X, Qt.ControlModifier | Qt.ShiftModifier)
    assert view.reason_box.isVisible()
    qtbot.keyClick(view.reason_box.edit, Qt.Key_Return)  # no reason: refused, said in one line
    assert s.status == "running" and "reason" in view.error.text()
    qtbot.keyClicks(view.reason_box.edit, "line occluded")
    qtbot.keyClick(view.reason_box.edit, Qt.Key_Return)
    assert s.status == "stopped"
    assert view.log.texts()[-1][2] == "STOPPED — line occluded"
    assert view.after.isVisible() and view.after.summary.text().startswith("STOPPED at 08:20")


def test_override_with_a_reason(qtbot, window, clock):
    chair, view = start_infusion(qtbot, window, clock)
    s = chair.session
    clock.set(30)
    window.model.tick()
    qtbot.keyClick(window, Qt.Key_Return, Qt.ControlModifier)  # step 2, 84 mL/h
    clock.set(40)
    window.model.tick()
    view.symptoms.boxes["headache"].setChecked(True)
    view.symptoms.report_button.click()
    assert chair.proposal().action == "slow"
    qtbot.keyClick(window, Qt.Key_O, Qt.ControlModifier | Qt.ShiftModifier)
    assert view.pump.override_panel.isVisible()
    view.pump.ov_action.setCurrentIndex(view.pump.ov_action.findData("pause"))
    view.pump.submit_override()  # no reason: refused
    assert s.status == "running" and "reason" in view.error.text()
    qtbot.keyClicks(view.pump.ov_reason, "patient asked to stop for a while")
    qtbot.keyClick(view.pump.ov_reason, Qt.Key_Return)
    assert s.status == "paused"
    row = view.log.texts()[-1][2]
    assert row.startswith("OVERRIDE: pause instead of slow — reason: patient asked to stop for a while")
    assert not view.pump.override_panel.isVisible()


def test_severe_reaction_shows_the_emergency_steps_and_ends(qtbot, window, clock):
    chair, view = start_infusion(qtbot, window, clock)
    s = chair.session
    clock.set(20)
    window.model.tick()
    view.symptoms.boxes["wheeze"].setChecked(True)
    qtbot.mouseClick(view.symptoms.report_button, Qt.LeftButton)
    p = chair.proposal()
    assert p.action == "stop" and p.grade == "severe"
    assert view.emergency.isVisible()
    steps = view.emergency.steps.text().splitlines()
    assert steps == [f"{i}. {x}" for i, x in enumerate(s.catalogue.emergency_for(p.kind), 1)]
    assert p.kind == "anaphylactic"  # wheeze alone after exposure: WAO 2020 criterion 2
    assert view.pump.pump_title.text() == "STOP THE INFUSION"
    assert not view.pump.override_button.isEnabled()
    qtbot.keyClick(window, Qt.Key_O, Qt.ControlModifier | Qt.ShiftModifier)
    assert "cannot be overridden" in view.error.text()
    qtbot.keyClick(window, Qt.Key_Return, Qt.ControlModifier)
    assert s.status == "stopped"
    assert view.emergency.isVisible()  # stays until the nurse hides it
    assert "STOPPED" in view.after.summary.text() and "highest grade severe" in view.after.summary.text()
    assert not view.bar.resume_button.isEnabled() and not view.bar.pause_button.isEnabled()


def test_large_type_help_and_chair_list(qtbot, window, clock):
    chair, view = start_infusion(qtbot, window, clock)
    small = view.pump.pump_rate.font().pointSize()
    qtbot.keyClick(window, Qt.Key_L, Qt.ControlModifier)
    assert window.large and view.pump.pump_rate.font().pointSize() > small
    assert QApplication.font().pointSize() == 14
    qtbot.keyClick(window, Qt.Key_L, Qt.ControlModifier)
    assert view.pump.pump_rate.font().pointSize() == small
    qtbot.keyClick(window, Qt.Key_F1)
    d = window.shortcuts_dialog
    assert d.isVisible() and not d.isModal()
    rows = dict((b, a) for a, b in window.shortcut_rows())
    assert rows["Confirm / start / create"] == "Ctrl+Return or Ctrl+Enter"
    assert rows["Pause / resume simulation (clock)"] == "Ctrl+Space"
    assert len(rows) >= 20
    d.close()
    item = window.items[chair]
    lines = item.text().splitlines()
    assert lines[1:4] == ["P-123", "Octagam 10%", "RUNNING · 42 mL/h"]
    assert lines[4] == "next: vitals (15 min after the start) at 08:15"  # the soonest due thing, with why
    assert lines[5] == "finish: 10:46"  # 165.8 min from 08:00, rounded as every other time


def test_two_chairs_each_with_its_own_infusion(qtbot, window, clock):
    c1, v1 = start_infusion(qtbot, window, clock)
    clock.set(5)
    window.model.tick()
    c2, v2 = start_infusion(qtbot, window, clock, pid="P-456")  # one active infusion per patient
    assert [c.name for c in window.model.chairs] == ["Chair 1", "Chair 2"]
    assert c2.session.state.started_at == 5 and c1.session.state.started_at == 0
    qtbot.keyClick(window, Qt.Key_PageUp, Qt.ControlModifier)
    assert window.current_view() is v1
    qtbot.keyClick(window, Qt.Key_PageDown, Qt.ControlModifier)
    assert window.current_view() is v2


def test_a_journal_that_cannot_write_is_shown_loudly(qtbot, clock, beeper):
    from titration.store.base import JournalError
    from ui.window.app_model import AppModel
    from ui.window.main_window import MainWindow

    class BrokenJournal:
        def attach(self, session, **kw):
            def listener(e):
                if e.kind == "start":
                    raise JournalError("disk full while recording 'start'")
            session.listeners.insert(0, listener)
            return 1

    model = AppModel(BrokenJournal(), clock_factory=lambda **kw: clock, wall=lambda: 0.0, autostart=False)
    w = MainWindow(model, beep=beeper)
    w.force_close = True
    qtbot.addWidget(w)
    w.show()
    f = w.new_form
    fill_patient(f, qtbot)
    answer_checklist(f)
    assert f.create_infusion()
    view = w.current_view()
    w.confirm()
    assert view.journal_banner.isVisible()
    assert view.journal_banner.text().startswith("NOT SAVED") and "disk full" in view.journal_banner.text()
    assert view.log.texts()[-1][2].startswith("NOT SAVED — Started")


def test_exports_from_the_window_write_files(qtbot, window, clock, tmp_path):
    f = window.new_form
    window.show_new_infusion()
    fill_patient(f, qtbot)
    answer_checklist(f)
    plan_pdf = window.exports.rate_chart(str(tmp_path / "plan.pdf"))  # from the preview
    assert plan_pdf and (tmp_path / "plan.pdf").read_bytes()[:4] == b"%PDF"
    chair, view = start_infusion(qtbot, window, clock)
    clock.set(20)
    window.model.tick()
    assert window.exports.rate_chart(str(tmp_path / "plan.csv"))  # a running chair: what happened
    lines = (tmp_path / "plan.csv").read_text().splitlines()
    assert lines[1].split(",")[:6] == ["0.0", "20.0", "0:00", "0:20", "delivered", "42.0"] and len(lines) == 2
    assert window.exports.record(str(tmp_path / "record.pdf"))
    assert (tmp_path / "record.pdf").read_bytes()[:4] == b"%PDF"
    assert view.error.text() == ""


def test_moderate_reaction_pause_resolve_resume_and_hold(qtbot, window, clock):
    """Tiered policy, moderate (rigors) at 45 min in step 2 (84 mL/h): pause; resolved at 60 min
    (within 30 min): resume at the last tolerated rate, 42 mL/h, and stay there to the end."""
    chair, view = start_infusion(qtbot, window, clock)
    s = chair.session
    clock.set(30)
    window.model.tick()
    window.confirm()
    clock.set(45)
    window.model.tick()
    view.symptoms.boxes["rigors"].setChecked(True)
    view.symptoms.report_button.click()
    p = chair.proposal()
    assert (p.action, p.grade) == ("pause", "moderate")
    assert view.pump.pump_title.text() == "PAUSE: set the pump to 0" and view.pump.pump_rate.text() == "0 mL/h"
    window.confirm()
    assert s.status == "paused"
    assert view.pump.reason.text().startswith("Reaction (moderate): review at 09:15")
    assert view.controls.resolved_button.isEnabled() and not view.bar.resume_button.isEnabled()
    clock.set(60)
    window.model.tick()
    qtbot.keyClick(window, Qt.Key_R, Qt.ControlModifier)
    p = chair.proposal()
    assert (p.action, p.rate_ml_h) == ("resume", 42.0)
    assert view.pump.pump_title.text() == "RESUME: set pump to" and view.pump.pump_rate.text() == "42 mL/h"
    window.confirm()
    assert s.status == "running" and s.state.rate_ml_h == 42.0
    assert view.now_panel.labels["next_step"].text() == "none: stays at 42 mL/h to the end (after a reaction)"
    # 21 mL (step 1) + 84 x 15/60 = 21 mL (step 2 until 45) = 42 mL in at the pause
    assert view.now_panel.labels["volume"].text() == "42.0 of 700.0 mL"


def test_alert_beeps_again_until_acknowledged(qtbot, window, clock, beeper):
    chair, view = start_infusion(qtbot, window, clock)
    strip = window.alert_strip
    clock.set(15)
    window.model.tick()
    assert strip.active
    first = beeper.count
    for _ in range(8):  # 8 flashes = 4 s: two more beeps
        strip._flash()
    assert beeper.count == first + 2
    window.acknowledge()
    # silenced, journaled, and still on the strip (quiet) until the vitals are done
    assert not strip.active and "VITALS DUE" in strip.text() and "(acknowledged)" in strip.text()
    assert "Alert acknowledged: VITALS DUE" in chair.session.events[-1].data["text"]
    clock.set(19)
    window.model.tick()
    assert not strip.active  # within the silence
    clock.set(20.5)  # 5 min after the acknowledgement, still not done: it rings again
    window.model.tick()
    assert strip.active and "(acknowledged)" not in strip.text()
    view.vitals.fields["temp_c"].setText("36.8")
    view.vitals.record_button.click()
    assert not strip.active and "VITALS DUE" not in strip.text()


def test_cancelled_panels_keep_what_was_typed(qtbot, window, clock):
    chair, view = start_infusion(qtbot, window, clock)
    clock.set(40)
    window.model.tick()
    view.symptoms.boxes["chills"].setChecked(True)
    view.symptoms.report_button.click()
    view.pump.open_override()
    view.pump.ov_reason.setText("half-typed reason")
    view.pump.override_panel.hide()  # Cancel
    window.resize(1000, 760)
    view.pump.open_override()
    assert view.pump.ov_reason.text() == "half-typed reason"
    view.vitals.fields["pulse"].setText("88")
    qtbot.keyClick(window, Qt.Key_N, Qt.ControlModifier)
    window.show_chair(chair)
    assert view.vitals.fields["pulse"].text() == "88"


def test_heartbeat_tells_the_journal_the_app_is_alive(qtbot, window, clock):
    chair, view = start_infusion(qtbot, window, clock)
    window.model.heartbeat()
    row = [d for d in window.model.journal.sessions() if d["id"] == chair.journal_id][0]
    assert row["alive_wall"] is not None


def test_without_a_journal_every_row_says_not_saved(qtbot, clock):
    from ui.window.app_model import AppModel
    from ui.window.main_window import MainWindow

    model = AppModel(None, clock_factory=lambda **kw: clock, wall=lambda: 0.0, autostart=False)
    w = MainWindow(model, beep=lambda: None)
    w.force_close = True
    qtbot.addWidget(w)
    w.show()
    fill_patient(w.new_form, qtbot)
    answer_checklist(w.new_form)
    assert w.new_form.create_infusion()
    view = w.current_view()
    assert view.journal_banner.isVisible() and "NOT SAVED" in view.journal_banner.text()
    assert all(r[2].startswith("NOT SAVED — ") for r in view.log.texts())


def test_symptoms_by_keyboard_alone(qtbot, window, clock):
    chair, view = start_infusion(qtbot, window, clock)
    clock.set(10)
    window.model.tick()
    qtbot.keyClick(window, Qt.Key_S, Qt.ControlModifier | Qt.ShiftModifier)  # to the symptoms panel
    first = view.symptoms.boxes["headache"]
    assert first.hasFocus() or not window.isActiveWindow()
    qtbot.keyClick(first, Qt.Key_Space)  # tick "Headache"
    assert first.isChecked()
    qtbot.keyClick(window, Qt.Key_Return, Qt.ControlModifier | Qt.ShiftModifier)
    # mild in the first step: no lower tolerated rate, so the tiered policy pauses
    p = chair.proposal()
    assert (p.action, p.grade) == ("pause", "mild")
    qtbot.keyClick(window, Qt.Key_V, Qt.ControlModifier | Qt.ShiftModifier)  # to the vitals panel
    t = view.vitals.fields["temp_c"]
    qtbot.keyClicks(t, "38.4")
    qtbot.keyClick(t, Qt.Key_Return)  # Enter records
    assert chair.session.events[-1].kind == "vitals" and chair.session.events[-1].data["grade"] == "moderate"


def test_on_oxygen_is_one_checkbox_that_news2_scores_2(qtbot, window, clock):
    chair, view = start_infusion(qtbot, window, clock)
    clock.set(15)
    window.model.tick()
    form = view.vitals
    form.fields["spo2"].setText("95")
    form.record_button.click()
    assert chair.session.events[-1].data["vitals"] == {"spo2": 95.0, "on_oxygen": False}  # taken on air
    assert "Air or oxygen? air: 0" in form.news.text() and "not recorded" not in form.news.text()
    form.on_oxygen.setChecked(True)
    form.fields["spo2"].setText("95")
    form.record_button.click()
    assert chair.session.events[-1].data["vitals"] == {"spo2": 95.0, "on_oxygen": True}
    assert "Air or oxygen? oxygen: 2" in form.news.text()
    assert form.on_oxygen.isChecked()  # a state, not a reading: it stays ticked for the next entry


def test_a_patient_already_running_is_refused_by_the_form_and_no_chair_opens(qtbot, window, clock):
    start_infusion(qtbot, window, clock)
    f = window.new_form
    window.show_new_infusion()
    fill_patient(f, qtbot)  # P-123 again
    answer_checklist(f)
    qtbot.keyClick(window, Qt.Key_Return, Qt.ControlModifier)
    assert [c.name for c in window.model.chairs] == ["Chair 1"]
    assert f.preview.error.text().startswith("Patient P-123: already running on Chair 1 (workstation ")
