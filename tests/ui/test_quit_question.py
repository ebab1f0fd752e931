"""Quitting with pumps running asks, per chair, what each pump will do, and journals it; Enter
never means Quit."""
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from tests.ui.conftest import answer_checklist, fill_patient
from ui.window.quit_dialog import QuitDialog


def _running(qtbot, window, pid, name):
    f = window.new_form
    window.show_new_infusion()
    fill_patient(f, qtbot, pid=pid)
    f.patient.chair_name.setText(name)
    answer_checklist(f)
    assert f.create_infusion()
    window.confirm()
    chair = window.model.chairs[-1]
    assert chair.session.status == "running"
    return chair


def test_quit_asks_each_running_pump_and_journals_the_answers(qtbot, window, clock, monkeypatch):
    a = _running(qtbot, window, "P-1", "Bay A, chair 1")
    b = _running(qtbot, window, "P-2", "Bay A, chair 2")
    clock.set(12)
    window.model.tick()

    def answer(dlg):
        assert [q.chair for q in dlg.questions] == [a, b]
        assert not dlg.quit_button.isEnabled()  # not until every pump has its answer
        dlg.questions[0].runs_on.click()
        assert not dlg.quit_button.isEnabled()
        dlg.questions[1].paused.click()
        assert dlg.quit_button.isEnabled()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QuitDialog, "exec", answer)
    window.force_close = False
    assert window.close()
    ea, eb = a.session.events[-1], b.session.events[-1]
    assert (ea.kind, ea.data["pump"], a.session.status) == ("app_closed", "runs-on", "running")
    assert (eb.kind, eb.data["pump"], b.session.status) == ("app_closed", "paused", "paused")
    assert [e.kind for e in b.session.events[-2:]] == ["pause", "app_closed"] and eb.at_min == 12


def test_enter_in_the_quit_question_stays(qtbot, window):
    chair = _running(qtbot, window, "P-1", "Bay A, chair 1")
    dlg = QuitDialog(window, [chair])
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.questions[0].runs_on.click()
    assert dlg.quit_button.isEnabled() and not dlg.quit_button.autoDefault()
    assert dlg.stay.isDefault()
    finished = []
    dlg.finished.connect(finished.append)
    qtbot.keyClick(dlg, Qt.Key_Return)
    assert finished == [QDialog.DialogCode.Rejected]  # Enter: stay, never quit
    assert chair.session.events[-1].kind != "app_closed"


def test_staying_journals_nothing(qtbot, window, monkeypatch):
    chair = _running(qtbot, window, "P-1", "Bay A, chair 1")
    monkeypatch.setattr(QuitDialog, "exec", lambda d: QDialog.DialogCode.Rejected)
    window.force_close = False
    assert not window.close()
    assert chair.session.events[-1].kind != "app_closed"
    window.force_close = True


def test_the_quit_question_says_what_happens_to_each_chair_that_is_not_running(qtbot, window):
    running = _running(qtbot, window, "P-1", "Bay A, chair 1")
    f = window.new_form
    window.show_new_infusion()
    fill_patient(f, qtbot, pid="P-2")
    answer_checklist(f)
    f.patient.chair_name.setText("Bay A, chair 2")
    assert f.create_infusion()  # created, never started
    planned = window.model.chairs[-1]
    dlg = QuitDialog(window, [running, planned])
    qtbot.addWidget(dlg)
    assert dlg.others.text() == f"{planned.name}: planned (not started: it waits for its start)"
    assert "observation" not in dlg.others.text()  # there is none before a start
