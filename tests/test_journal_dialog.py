"""The recovery question: its words and numbers come from the core; it answers by keyboard."""
import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QLabel

from titration.plan import PlanRequest, build_plan
from titration.session import Session
from titration.store.journal import Journal
from ui.chair.recovery_dialog import RecoveryDialog, ask_pump_state

T0 = 1_800_000_000.0


@pytest.fixture
def rec(tmp_path):
    """Chair 2, patient P5, running at 84 mL/h since 30 min; last event at 45 min (42 mL in)."""
    wall = [T0]
    j = Journal(tmp_path / "j.sqlite3", now=lambda: wall[0])
    s = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))
    j.attach(s, chair="2", patient_id="P5", training=False, wall_start=T0)
    s.start(0)
    wall[0] = T0 + 30 * 60
    s.confirm(30, s.due(30))
    wall[0] = T0 + 45 * 60
    s.note(45, "ok")
    j.close()
    j = Journal(tmp_path / "j.sqlite3")
    (r,) = j.unfinished()
    yield r
    j.close()


def test_the_question_names_chair_patient_rate_and_time_away(qtbot, rec):
    d = RecoveryDialog(None, rec, rec.last_wall + 20 * 60)
    qtbot.addWidget(d)
    text = d.text.text()
    assert "closed unexpectedly; it was last seen working 20 min ago" in text
    assert "Chair 2, patient P5, last rate 84 mL/h" in text
    assert "42.0 of 700 mL in" in text and "about 70.0 mL are in now" in text
    assert d.findChild(QLabel, "recoveryQuestion").text() == "What did the pump do meanwhile?"
    assert d.windowTitle() == "Reopening Chair 2"
    assert d.ran.text().replace("&", "") == "It ran on at 84 mL/h"
    # never the last event silently: the stop is counted from when the app was last seen working
    assert d.stopped.text().replace("&", "") == "It was stopped (at minute 45, when the app was last seen working)"


@pytest.mark.parametrize("key, choice", [(Qt.Key.Key_R, "ran"), (Qt.Key.Key_S, "stopped")])
def test_alt_shortcuts_answer(qtbot, rec, key, choice):
    d = RecoveryDialog(None, rec, rec.last_wall + 60)
    qtbot.addWidget(d)
    button = d.ran if choice == "ran" else d.stopped
    assert QKeySequence.mnemonic(button.text()) == QKeySequence(Qt.KeyboardModifier.AltModifier | key)
    d.show()
    d.activateWindow()
    qtbot.waitActive(d)  # offscreen synthesises activation; shortcuts need an active window
    qtbot.keyClick(d.windowHandle(), key, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: d.choice == choice, timeout=2000)  # a mnemonic animates the click (~100 ms)
    assert d.result() == d.DialogCode.Accepted


def test_enter_alone_does_not_answer_but_space_on_the_focused_button_does(qtbot, rec):
    d = RecoveryDialog(None, rec, rec.last_wall + 60)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    d.stopped.setFocus()
    qtbot.keyClick(d.stopped, Qt.Key.Key_Return)
    assert d.choice is None and d.isVisible()
    qtbot.keyClick(d.stopped, Qt.Key.Key_Space)
    assert d.choice == "stopped"


def test_ask_pump_state_returns_the_choice_or_none(qtbot, rec):
    def answer(button):
        def go():
            for w in QApplication.topLevelWidgets():
                if isinstance(w, RecoveryDialog) and w.isVisible():
                    getattr(w, button).click() if button else w.reject()
        return go

    QTimer.singleShot(50, answer("ran"))
    assert ask_pump_state(None, rec, rec.last_wall + 60) == "ran"
    QTimer.singleShot(50, answer(None))  # Escape / closed: ask again later
    assert ask_pump_state(None, rec, rec.last_wall + 60) is None


def test_a_paused_infusion_is_not_asked(qtbot, rec):
    rec.session.pause(45, "toilet")
    assert ask_pump_state(None, rec, rec.last_wall + 60) == "stopped"


def test_the_nurse_can_say_when_the_pump_stopped_within_the_last_event_and_now(qtbot, rec):
    from titration.reopen import PumpAnswer, reopen, reopening

    now_wall = rec.last_wall + 20 * 60  # 20 min away: the last event at minute 45, now minute 65
    d = RecoveryDialog(None, rec, now_wall)
    qtbot.addWidget(d)
    spin = d.stop_minute
    assert (spin.minimum(), spin.maximum(), spin.value()) == (45, 65, 45)  # default: last seen alive
    spin.setValue(52)
    d.stopped_at.click()
    assert d.choice == PumpAnswer(ran=False, stopped_at_min=52.0)
    r = reopening(rec.session, rec.last_wall, rec.last_seen_wall, now_wall, rec.speed)
    s = reopen(rec.session, r, d.choice)
    pause = next(e for e in reversed(s.events) if e.kind == "pause")
    assert pause.at_min == 52.0 and "the nurse's time" in pause.data["reason"]
    assert s.delivered_ml(65) == pytest.approx(42.0 + 84 * 7 / 60)  # counted up to minute 52, not 45 or 65
