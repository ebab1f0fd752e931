"""The app's one top-level error handler (ui/window/errors.py): a bug in a button's handler or in a
worker thread is one line on the screen and on stderr, and one note in the record of the chair in
front; never a traceback, and the window goes on working."""
import sys
import threading

import pytest
from PySide6.QtCore import QTimer

from tests.ui.test_gui_actions import start_infusion
from ui.window.errors import TopLevelErrors

LINE = "internal error: ZeroDivisionError: a bug (set IVIG_DEBUG=1 for details)"


def boom():
    raise ZeroDivisionError("a bug")


@pytest.mark.qt_no_exception_capture  # pytest-qt's own hook would take the error first
def test_a_bug_in_a_slot_is_one_line_and_one_note_and_the_window_goes_on(qtbot, window, clock, capsys, monkeypatch):
    monkeypatch.delenv("IVIG_DEBUG", raising=False)
    errors = TopLevelErrors(window)
    errors.win = window
    monkeypatch.setattr(sys, "excepthook", errors.on_error)
    chair, view = start_infusion(qtbot, window, clock)
    notes = sum(e.kind == "note" for e in chair.session.events)
    for n in (1, 2):  # the same bug twice (a timer, say): said each time, journaled once
        QTimer.singleShot(0, boom)
        qtbot.waitUntil(lambda n=n: len(errors.lines) == n, timeout=5000)
    assert errors.lines == [LINE, LINE]
    assert window.statusBar().currentMessage() == LINE and view.error.text() == LINE
    new = [e for e in chair.session.events if e.kind == "note"][notes:]
    assert [e.data["text"] for e in new] == [f"The app met an {LINE}; it went on."]
    err = capsys.readouterr().err
    assert err.count(LINE) == 2 and "Traceback" not in err
    clock.set(10)
    window.model.tick()
    window.confirm()  # the window goes on: the nurse's next intent works
    assert chair.session.status == "running"


def test_a_bug_in_a_worker_thread_reaches_the_screen_through_the_gui_thread(qtbot, window, capsys, monkeypatch):
    monkeypatch.delenv("IVIG_DEBUG", raising=False)
    errors = TopLevelErrors(window)
    errors.win = window
    monkeypatch.setattr(threading, "excepthook", errors.on_thread_error)
    t = threading.Thread(target=boom)
    t.start()
    t.join()
    assert errors.lines == []  # nothing touched Qt from the worker
    errors.timer.start()
    qtbot.waitUntil(lambda: errors.lines == [LINE], timeout=5000)
    assert window.statusBar().currentMessage() == LINE
    assert "Traceback" not in capsys.readouterr().err
