"""Alerts no chair can miss, chairs that live to the end, named chairs, the Overview board."""
import pytest
from PySide6.QtCore import Qt

from tests.ui.conftest import WALL0, answer_checklist, fill_patient


def new_chair(qtbot, window, name="", pid="P-123"):
    f = window.new_form
    window.show_new_infusion()
    fill_patient(f, qtbot, pid=pid)
    f.patient.chair_name.setText(name)
    answer_checklist(f)
    assert f.create_infusion()
    window.confirm()  # start
    chair = window.model.chairs[-1]
    assert chair.session.status == "running"
    return chair


def at(window, clock, minutes):
    clock.set(minutes)
    window.model.tick()


def test_the_strip_names_chair_and_action_on_every_page(qtbot, window, clock):
    c1 = new_chair(qtbot, window, "Bay A, chair 3")
    strip = window.alert_strip
    assert not strip.active and "VITALS" not in strip.text()
    at(window, clock, 15)
    for show in (window.show_home, window.show_new_infusion, window.show_training_setup, lambda: window.show_chair(c1)):
        show()
        assert strip.isVisible() and strip.active
        assert strip.text() == "LOW: Bay A, chair 3: VITALS DUE: 15 min after the start"
    # the strip's own button opens the chair
    window.show_home()
    strip.rows[c1].go.click()
    assert window.current_view().chair is c1


def test_acknowledging_one_chair_never_silences_another(qtbot, window, clock):
    c1 = new_chair(qtbot, window, "Bay A, chair 1", pid="P-1")
    c2 = new_chair(qtbot, window, "Bay A, chair 2", pid="P-2")
    at(window, clock, 15)
    assert c1.ringing and c2.ringing
    window.show_chair(c1)
    qtbot.keyClick(window, Qt.Key_F8)
    assert not c1.ringing and c2.ringing and window.alert_strip.active
    assert "Alert acknowledged" in c1.session.events[-1].data["text"]  # journaled, on its own chair
    assert not any("Alert acknowledged" in str(e.data.get("text", "")) for e in c2.session.events)
    window.show_home()  # F8 away from a chair: one chair (the first ringing), not all
    qtbot.keyClick(window, Qt.Key_F8)
    assert not c2.ringing and not window.alert_strip.active
    assert "(acknowledged)" in window.alert_strip.text()  # both still shown until done


def test_quitting_asks_while_a_chair_is_in_its_observation(qtbot, window, clock, monkeypatch):
    from ui.window.quit_dialog import QuitDialog

    chair = new_chair(qtbot, window)
    at(window, clock, 1100)  # 700 mL at 42 mL/h (no step confirmed) is in at 1000 min
    window.show_chair(chair)
    window.confirm()  # the nurse confirms the pump has finished
    assert chair.session.status == "completed"
    asked = []
    monkeypatch.setattr(QuitDialog, "exec", lambda d: asked.append(d.summary()) or QuitDialog.DialogCode.Rejected)
    window.force_close = False
    assert not window.close()
    assert window.isVisible() and "Chair 1: completed" in asked[0]
    window.force_close = True


def test_the_end_is_a_due_item_with_a_confirm_button_and_on_the_strip_until_done(qtbot, window, clock):
    chair = new_chair(qtbot, window, "Bay B, chair 2")
    window.show_home()
    at(window, clock, 999)  # 700 mL at 42 mL/h: the bag is empty at 1000 min
    assert "END" not in window.alert_strip.text()
    at(window, clock, 1005)
    s = chair.session
    assert s.status == "running" and s.pump_rate(1005) == 0 and s.delivered_ml(1005) == pytest.approx(700)
    line = "END: the bag should be empty. Confirm the pump has finished (and the line is flushed)."
    assert window.alert_strip.text().startswith(f"MEDIUM: Bay B, chair 2: {line}")  # visible from the home page
    window.show_chair(chair)
    view = window.current_view()
    pump = view.pump
    assert pump.confirm_button.isVisible() and pump.confirm_button.isEnabled()
    assert pump.confirm_button.text() == "Confirm: pump finished"
    assert pump.reason.text() == line and pump.pump_rate.text() == "700 mL in"
    assert view.bar.state_badge.text() == "BAG EMPTY: CONFIRM END"  # never RUNNING beside an empty bag
    now = view.now_panel.labels
    assert (now["rate"].text(), now["next_step"].text()) == ("0 mL/h", "none: the bag is empty (confirm the end)")
    qtbot.keyClick(window, Qt.Key_F8)  # acknowledged: still shown until done
    assert "(acknowledged)" in window.alert_strip.text()
    at(window, clock, 1012)
    qtbot.mouseClick(pump.confirm_button, Qt.LeftButton)
    e = s.events[-1]
    assert (e.kind, e.at_min, e.data["volume_in_min"]) == ("complete", 1012, pytest.approx(1000))
    assert s.status == "completed" and s.state.end_min == 1012
    assert "END" not in window.alert_strip.text()


def test_a_named_chair_in_its_observation_comes_back_after_a_restart(qtbot, tmp_path):
    from titration.clock import ManualClock
    from titration.store.journal import Journal
    from ui.window.app_model import AppModel
    from ui.window.main_window import MainWindow

    path = tmp_path / "j.sqlite3"
    clock = ManualClock()
    j = Journal(path)
    model = AppModel(j, clock_factory=lambda **kw: clock, wall=lambda: WALL0, autostart=False)
    w = MainWindow(model)
    w.force_close = True
    qtbot.addWidget(w)
    chair = new_chair(qtbot, w, "Bay B, chair 4", pid="P-9")
    clock.set(1100)  # 700 mL at 42 mL/h is in at 1000 min
    model.tick()
    chair.confirm()  # the nurse confirms the pump has finished
    assert chair.session.status == "completed"
    end = chair.session.state.end_min
    w.close()
    j.close()

    j2 = Journal(path)
    later = WALL0 + (end + 20) * 60  # 20 min into the observation hour
    model2 = AppModel(j2, wall=lambda: later, autostart=False)
    w2 = MainWindow(model2)
    w2.force_close = True
    qtbot.addWidget(w2)
    lines = model2.recover_unfinished(lambda rec, wall: pytest.fail("a completed chair asks nothing"))
    assert [c.name for c in model2.chairs] == ["Bay B, chair 4"]
    back = model2.chairs[0]
    assert back.session.status == "completed" and back.patient.identifier == "P-9"
    assert back.time_now() == pytest.approx(end + 20, abs=0.05)
    ends = back.clock_text(end + 60)
    assert lines == [f"Bay B, chair 4: reopened in its observation hour (ends {ends})."]
    back.record_vitals(chair.session.state.baseline)
    back.close_observation("patient well, leaving early")
    assert j2.sessions()[0]["status"] == "closed"  # the same record, continued
    j2.close()


def test_a_chair_name_is_the_nurses_and_unique(qtbot, window):
    c1 = new_chair(qtbot, window, "  Bay A,  chair 3 ")
    assert c1.name == "Bay A, chair 3"
    assert window.model.journal.sessions()[-1]["chair"] == "Bay A, chair 3"
    f = window.new_form
    window.show_new_infusion()
    fill_patient(f, qtbot, pid="P-2")
    f.patient.chair_name.setText("bay a, chair 3")
    answer_checklist(f)
    f.create_infusion()
    assert len(window.model.chairs) == 1 and "already has an infusion" in f.preview.error.text()
    assert f.patient.patient_id.text() == "P-2"  # nothing lost: the nurse names another chair


def test_the_overview_board_shows_every_chair_and_moves_by_keyboard(qtbot, window, clock):
    c1 = new_chair(qtbot, window, "Bay A, chair 1", pid="P-1")
    c2 = new_chair(qtbot, window, "Bay A, chair 2", pid="P-2")
    at(window, clock, 30)
    window.confirm()  # chair 2 in front: step 2 confirmed there
    window.show_home()
    board = window.home
    assert [t.summary.chair for t in board.tiles] == ["Bay A, chair 1", "Bay A, chair 2"]
    t1, t2 = board.tiles
    assert t1.summary.patient == "P-1" and t1.summary.product == "Octagam 10%"
    assert t1.summary.state == "running" and t1.summary.rate == "42 mL/h"
    assert t1.summary.next_at == "now" and t1.summary.alert == "ringing"
    assert "NOW: Increase: set the pump to 84 mL/h." in t1.next.text()
    assert t2.summary.rate == "84 mL/h"
    assert t1.hasFocus()
    qtbot.keyClick(t1, Qt.Key_Right)
    assert t2.hasFocus()
    qtbot.keyClick(t2, Qt.Key_Return)
    assert window.current_view().chair is c2
    assert c1 is not c2


def test_the_board_takes_summaries_from_any_source(qtbot):
    from ui.chair.summary import ChairSummary
    from ui.unit.board import BoardModel, OverviewBoard

    model = BoardModel()
    board = OverviewBoard(model)
    qtbot.addWidget(board)
    opened = []
    board.sig_open.connect(opened.append)
    remote = ChairSummary(key=("ws-2", 7), chair="Bay C, chair 1", patient="P-77", product="Privigen 10%",
                          rate="120 mL/h", state="running", next_what="vitals", next_at="14:30",
                          workstation="workstation 2")
    model.set_summaries([remote])
    assert len(board.tiles) == 1 and "workstation 2" in board.tiles[0].title.text()
    qtbot.keyClick(board.tiles[0], Qt.Key_Return)
    assert opened == [("ws-2", 7)]


def test_a_stop_reads_as_one_line_and_the_header_never_says_running(qtbot, window, clock):
    chair = new_chair(qtbot, window)
    view = window.current_view()
    at(window, clock, 20)
    severe = chair.session.catalogue.by_grade()["severe"][0].id
    view.symptoms.boxes[severe].setChecked(True)
    view.symptoms.report_button.click()
    p = chair.proposal()
    assert p.action == "stop" and chair.session.status == "running"
    assert view.bar.state_badge.text() == "STOP NOW"
    assert view.pump.reason.text().startswith("STOP: set the pump to 0. ")
    assert "\n" not in view.pump.reason.text()
    assert view.pump.why.isHidden() and p.reason in view.pump.why_text.text()
    view.pump.why_button.click()
    assert not view.pump.why.isHidden()
    assert "STOP: set the pump to 0." in window.alert_strip.text()


def test_no_next_step_is_shown_past_the_end(qtbot, window, clock):
    # Octagam 10% 10 kg 0.4 g/kg: 40 mL at 6, 12, 24, 48 mL/h, 30 min each: 21 mL by 90 min, then
    # 19 mL at 48 mL/h: the bag is empty at 113.75 min, before the 72 mL/h step would fall due at 120.
    f = window.new_form
    window.show_new_infusion()
    fill_patient(f, qtbot, weight="10", dose="0.4", pid="P-small")
    answer_checklist(f)
    assert f.create_infusion()
    window.confirm()  # start
    chair = window.model.chairs[-1]
    for t in (30, 60, 90):
        at(window, clock, t)
        window.confirm()
    at(window, clock, 100)
    chair.record_vitals(chair.session.state.baseline)  # the next due at 115, after the end
    view = window.current_view()
    assert view.pump.reason.text() == "Keep this rate until the volume is in."
    assert view.now_panel.labels["next_step"].text() == "none before the end: the bag will be empty first"
    sm = chair.summary()
    assert sm.next_what == "end: confirm the pump has finished" and "step" not in sm.next_what
    assert sm.next_at == chair.clock_text(113.75)
    at(window, clock, 114)
    assert window.current_view().pump.confirm_button.text() == "Confirm: pump finished"
