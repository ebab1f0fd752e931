"""Closing a chair frees it: the journal lets go of its session, and its model, its view and every
widget of the view are deleted (no live QObject stays behind until quit)."""
import gc
import weakref

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import new_chair


def _run_to_closed(qtbot, window, clock):
    view = new_chair(window, qtbot)
    window.confirm()
    chair = view.chair
    clock.set(10)
    window.model.tick()
    assert chair.stop("patient asked to stop").done
    clock.set(80)
    window.model.tick()
    chair.close_observation()
    assert chair.session.status == "closed"
    return chair, view


def _flush_deletes():
    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QApplication.processEvents()
    gc.collect()


def test_a_closed_chair_leaves_nothing_alive(qtbot, window, clock, journal):
    chair, view = _run_to_closed(qtbot, window, clock)
    objects = [view, chair, *view.findChildren(QObject), *chair.findChildren(QObject)]
    session_ref = weakref.ref(chair.session)
    attached = len(journal._attached)
    window.close_chair()
    _flush_deletes()
    del view, chair
    gc.collect()
    alive = [f"{type(o).__name__} {o.objectName()!r}" for o in objects if shiboken6.isValid(o)]
    assert alive == []
    assert len(journal._attached) == attached - 1  # the journal let go of the session
    del objects
    gc.collect()
    # nothing holds the session, its plans or its events (a pending single shot holding a bound method did)
    assert session_ref() is None
    assert window.model.chairs == [] and window.views == {}
