"""The Unit view: every chair of the unit on one board, live; a chair driven elsewhere opens
read-only and live; an expired chair is taken over; the server banner is seen on every page.

Against a real PostgreSQL server (the pg_server fixture); waits are for a condition, never a time.
"""
import os
import time

import pytest
from PySide6.QtCore import Qt, QTimer

from titration.plan import PlanRequest, build_plan
from titration.session import Session
from titration.store.journal import Journal

SHOTS = os.environ.get("IVIG_SHOTS")


def shot(widget, tmp_path, name):
    widget.grab().save(str(tmp_path / name))
    if SHOTS:
        widget.grab().save(os.path.join(SHOTS, name))


def drive(url, tmp_path, ws, chair, patient, wall_start):
    """Another workstation with one running chair (42 mL/h), sent to the server."""
    j = Journal(url, outbox=tmp_path / f"{ws}.sqlite3", workstation=ws, nurse=f"nurse-{ws}")
    s = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))
    sid = j.attach(s, chair=chair, patient_id=patient, training=False, wall_start=wall_start)
    s.start(0)
    assert j.flush(20) == 0
    return j, s, j._uids[sid]


@pytest.fixture
def unit_window(qtbot, clock, pg_server, tmp_path):
    """A window on workstation ws-b, its journal on a fresh unit database, the feed running."""
    from ui.unit.server_feed import attach_unit
    from ui.window.app_model import AppModel
    from ui.window.main_window import MainWindow

    url = pg_server.new_database()
    j = Journal(url, outbox=tmp_path / "ws-b.sqlite3", workstation="ws-b", nurse="nurse-b")
    model = AppModel(j, clock_factory=lambda **kw: clock, wall=time.time, autostart=False)
    w = MainWindow(model)
    w.force_close = True
    qtbot.addWidget(w)
    w.resize(1024, 700)
    w.show()
    qtbot.waitExposed(w)
    attach_unit(w, j)
    w.url = url
    yield w
    w.unit.feed.stop()
    w.unit.library.stop()
    model.timer.stop()
    j.close()


def tile_text(win, chair):
    return next((t.accessibleName() for t in win.unit.page.tiles if t.summary.chair == chair), "")


@pytest.mark.pg
def test_the_unit_board_shows_every_chair_and_follows_another_workstation_live(qtbot, unit_window, tmp_path):
    win = unit_window
    a, s, uid = drive(win.url, tmp_path, "ws-a", "Bay A/5", "P5", time.time())
    try:
        qtbot.keyClick(win, Qt.Key_U, Qt.ControlModifier)  # View > Unit
        assert win.stack.currentWidget() is win.unit.page
        qtbot.waitUntil(lambda: "Bay A/5" in tile_text(win, "Bay A/5"), timeout=20_000)
        text = tile_text(win, "Bay A/5")
        for part in ("P5", "Octagam 10%", "RUNNING · 42 mL/h · step 1/",
                     "(driven from ws-a (nurse-ws-a, login postgres): read-only here)", "next: ", "finish: "):
            assert part in text, (part, text)
        s.confirm(30, s.due(30))  # on ws-a: the next step, 84 mL/h
        qtbot.waitUntil(lambda: "84 mL/h · step 2/" in tile_text(win, "Bay A/5"), timeout=20_000)
        assert win.unit.page.tiles[0].hasFocus()  # keyboard: the first chair has the focus, Enter opens it
        from ui.window.app_model import PatientInfo

        mine = win.model.add_chair(Session(build_plan(PlanRequest("octagam-10", "itp", 80, 1.0))), name="Bay A/1",
                                   patient=PatientInfo("P1"))
        assert win.model.journal.flush(20) == 0
        qtbot.waitUntil(lambda: win.unit.local_uid(mine) in win.unit.rows, timeout=20_000)  # the server has it too
        win.unit.refresh()
        assert [t.summary.chair for t in win.unit.page.tiles] == ["Bay A/1", "Bay A/5"]  # once each
        assert "(this workstation)" in tile_text(win, "Bay A/1")
        win.unit.page.focus_first()
        qtbot.keyClick(win.unit.page.tiles[0], Qt.Key_Right)
        assert win.unit.page.tiles[1].hasFocus()
        shot(win, tmp_path, "unit-board.png")
    finally:
        a.close()


@pytest.mark.pg
def test_a_chair_driven_elsewhere_opens_read_only_and_live(qtbot, unit_window, tmp_path):
    win = unit_window
    a, s, uid = drive(win.url, tmp_path, "ws-a", "Bay A/2", "P2", time.time())
    try:
        win.show_unit()
        qtbot.waitUntil(lambda: bool(tile_text(win, "Bay A/2")), timeout=20_000)
        win.unit.page.focus_first()
        qtbot.keyClick(win.unit.page.tiles[0], Qt.Key_Return)
        qtbot.waitUntil(lambda: win.unit.watched_view(win.stack.currentWidget()) is not None, timeout=20_000)
        view = win.stack.currentWidget()
        watched = win.unit.watched[uid]
        assert watched.view is view
        assert watched.read_only_line.text() == "Driven from workstation ws-a: read-only"
        assert watched.read_only_line.isVisible()
        assert view.pump.pump_rate.text().startswith("42")
        assert not view.pump.confirm_button.isEnabled() and not view.vitals.isEnabled()
        assert not view.symptoms.isEnabled() and not view.bar.pause_button.isEnabled()
        n = len(view.chair.session.events)
        win.confirm()  # Ctrl+Enter from here records nothing
        view.chair.pause("tried from here")  # the model refuses too, whatever the widgets allow
        assert len(view.chair.session.events) == n and "read-only" in view.error.text()
        assert win.exports.record(str(tmp_path / "watched.csv")) == str(tmp_path / "watched.csv")  # export is fine
        s.confirm(30, s.due(30))  # ws-a steps up: this read-only view follows
        qtbot.waitUntil(lambda: view.pump.pump_rate.text().startswith("84"), timeout=20_000)
        assert view.log.shown == len(s.events) and not view.pump.confirm_button.isEnabled()
        assert not watched.take_over_button.isVisible()  # ws-a's hold is live
        shot(win, tmp_path, "unit-read-only-chair.png")
        win.model.wall = lambda: time.time() + 120  # ws-a silent past its 90 s hold: no event says so
        win.unit.refresh()
        assert watched.take_over_button.isVisible() and "hold expired (ws-a)" in tile_text(win, "Bay A/2")
        win.close_chair()  # Ctrl+W: stop following it here
        assert win.stack.currentWidget() is win.unit.page and not win.unit.watched
    finally:
        a.close()


@pytest.mark.pg
def test_an_expired_chair_is_taken_over_after_the_pump_question_and_a_reason(qtbot, unit_window, tmp_path):
    import psycopg

    win = unit_window
    a, s, uid = drive(win.url, tmp_path, "ws-a", "Bay B/3", "P3", time.time() - 20 * 60)
    a.close()  # ws-a is gone
    from titration.store.pg_functions import CHANNEL

    with psycopg.connect(win.url, autocommit=True) as c:  # expired on the server; the board told (whenever
        c.execute("UPDATE leases SET expires = now() - interval '1 second'")  # its snapshot was taken)
        c.execute("SELECT pg_notify(%s, id::text) FROM sessions", (CHANNEL,))
    win.show_unit()
    qtbot.waitUntil(lambda: "hold expired (ws-a)" in tile_text(win, "Bay B/3"), timeout=20_000)
    shot(win, tmp_path, "unit-expired.png")
    seen = {}

    def answer():
        d = win.unit.dialog
        assert not d.ok.isEnabled()  # nothing answered yet
        d.ran.setChecked(True)
        d.reason.setText("ws-a froze; pump checked at the bedside")
        seen["ok"] = d.ok.isEnabled()
        d.grab().save(str(tmp_path / "unit-take-over.png"))
        if SHOTS:
            d.grab().save(os.path.join(SHOTS, "unit-take-over.png"))
        d.ok.click()

    QTimer.singleShot(0, answer)
    win.unit.page.focus_first()
    qtbot.keyClick(win.unit.page.tiles[0], Qt.Key_Return)
    assert seen == {"ok": True}
    qtbot.waitUntil(lambda: len(win.model.chairs) == 1, timeout=20_000)  # the server answers in a worker
    (chair,) = win.model.chairs
    assert chair.name == "Bay B/3" and chair.session.status == "running"
    assert win.current_view() is win.views[chair]
    assert chair.session.events[-1].data["text"] == \
        "Taken over on workstation ws-b from workstation ws-a (its hold had expired): " \
        "ws-a froze; pump checked at the bedside"
    assert "(this workstation)" in tile_text(win, "Bay B/3")  # on the board: once, driven here


def test_the_unreachable_banner_is_seen_above_the_strip_on_every_page(qtbot, tmp_path, window):
    from ui.unit.server_feed import attach_unit

    j = Journal(f"postgresql:///unit?host={tmp_path}&port=1", outbox=tmp_path / "o.sqlite3", workstation="ws-1")
    try:
        s = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))
        j.attach(s, chair="1", patient_id="P1", training=False, wall_start=0.0)
        banner, feed = attach_unit(window, j)
        feed.stop()
        window.unit.library.stop()
        qtbot.waitUntil(banner.isVisible, timeout=20_000)
        for show in (window.show_home, window.show_unit, window.show_new_infusion):
            show()
            assert banner.isVisible() and banner.mapTo(window, banner.rect().topLeft()).y() < \
                window.alert_strip.mapTo(window, window.alert_strip.rect().topLeft()).y()
        window.resize(1024, 700)
        window.show_unit()
        shot(window, tmp_path, "unit-banner-on-unit-view.png")
    finally:
        j.close()


def test_the_unit_board_says_which_library_version_runs_and_follows_an_activation(qtbot, unit_window, pg_server,
                                                                               tmp_path, capsys):
    from tests.test_library_server import new_version, publish_approved

    w = unit_window
    w.show_unit()
    assert w.unit.library_line.text().startswith("Drug library version 1 (sha256:")
    assert "the library bundled with the app" in w.unit.library_line.text()
    name = w.url.split("/")[3].split("?")[0]
    for login in ("lib_pharmacy", "lib_ward"):
        pg_server.admin(f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{login}') THEN "
                        f"CREATE ROLE {login} LOGIN IN ROLE ivig_library; END IF; END $$")
    folder, digest = new_version(tmp_path, 2)
    qtbot.wait(300)  # the watch is listening
    publish_approved(capsys, pg_server.url(name, "lib_pharmacy"), pg_server.url(name, "lib_ward"), folder, 2)
    qtbot.waitUntil(lambda: "Drug library version 2" in w.unit.library_line.text(), timeout=20000)
    assert digest[:19] in w.unit.library_line.text() and "from the unit server" in w.unit.library_line.text()
    assert "It applies to the next infusion" in w.notice.text()
