"""The window under unit-server faults: nothing on the GUI thread waits on the network, and a chair
another workstation took over turns read-only here with a clear line.

Waits are for a condition (qtbot.waitUntil), never for a time.
"""
import time

import psycopg
import pytest

from titration.plan import PlanRequest, build_plan
from titration.session import Session
from titration.store.journal import Journal
from titration.store.pg_functions import CHANNEL

WALL0 = 1795248000.0
pytestmark = pytest.mark.pg


def dbname(url):
    return url.split("/")[3].split("?")[0]


def make_window(qtbot, clock, journal):
    from ui.window.app_model import AppModel
    from ui.window.main_window import MainWindow

    model = AppModel(journal, clock_factory=lambda **kw: clock, wall=time.time, autostart=False)
    w = MainWindow(model)
    w.force_close = True
    qtbot.addWidget(w)
    w.resize(1024, 700)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_the_history_lookup_never_waits_on_a_stalled_server(qtbot, clock, pg_server, tmp_path):
    from tcpproxy import Proxy

    url = pg_server.new_database()
    proxy = Proxy(("127.0.0.1", pg_server.tcp_port)).start()
    via = pg_server.tcp_url(dbname(url), pg_server.workstation_login(), proxy.port)
    j = Journal(via, outbox=tmp_path / "o.sqlite3", workstation="ws-a", nurse="n", start_sender=False)
    w = make_window(qtbot, clock, j)
    try:
        f = w.new_form
        w.show_new_infusion()
        f.patient.patient_id.setText("P-9")
        proxy.blackhole()  # the server stalls: packets go nowhere
        t0 = time.monotonic()
        f.history.lookup()
        assert time.monotonic() - t0 < 0.5  # the window did not wait
        assert "Reading P-9's history from the unit server" in f.patient.history.text()
        assert "Patient history: being read from the unit server" in f._show_blockers()
        assert not f.create_button.isEnabled()  # not created without its history
        qtbot.waitUntil(lambda: "this workstation only" in f.patient.history.text(), timeout=20_000)
        assert "Patient history: being read from the unit server" not in f._show_blockers()
    finally:
        w.model.timer.stop()
        j.close()
        proxy.close()


def test_a_chair_taken_over_elsewhere_turns_read_only_in_this_window(qtbot, clock, pg_server, tmp_path):
    from titration.store.takeover import take_over
    from ui.unit.server_feed import attach_unit
    from ui.window.app_model import PatientInfo

    url = pg_server.new_database()
    as_ws = pg_server.url(dbname(url), user=pg_server.workstation_login())
    a = Journal(as_ws, outbox=tmp_path / "a.sqlite3", workstation="ws-a", nurse="na")
    w = make_window(qtbot, clock, a)
    banner, feed = attach_unit(w, a)
    b = Journal(as_ws, outbox=tmp_path / "b.sqlite3", workstation="ws-b", nurse="nb")
    try:
        chair = w.model.add_chair(Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0))), name="Bay C/1",
                                  patient=PatientInfo("P3"))
        chair.session.start(0)
        assert a.flush(20) == 0
        uid = a._uids[chair.journal_id]
        with psycopg.connect(url, autocommit=True) as c:  # ws-a silent past its hold, by the server's clock
            c.execute("UPDATE leases SET expires = now() - interval '1 second'")
        take_over(b, uid, pump="ran", reason="ws-a froze", now_wall=time.time())
        view = w.views[chair]
        qtbot.waitUntil(lambda: chair in w.unit.fenced_lines, timeout=20_000)
        line = w.unit.fenced_lines[chair].text()
        assert line.startswith("READ-ONLY: chair Bay C/1 is now driven from workstation ws-b")
        assert "READ-ONLY here: chair Bay C/1 is now driven from workstation ws-b" in banner.text()
        assert not view.pump.confirm_button.isEnabled() and not view.bar.pause_button.isEnabled()
        n = len(a.events(chair.journal_id))
        chair.pause("tried here")  # the model's own path: the journal refuses to record it
        assert len(a.events(chair.journal_id)) == n
        w.show_chair(chair)
        assert not w.actions_by_name["pause"].isEnabled()  # its menus are off, not silently inert

        # ws-b goes silent in turn: ws-a takes the chair back from its Unit board
        b.close()
        with psycopg.connect(url, autocommit=True) as c:
            c.execute("UPDATE leases SET expires = now() - interval '1 second'")
            c.execute("SELECT pg_notify(%s, id::text) FROM sessions", (CHANNEL,))
        w.show_unit()

        def tile():
            return next((t.accessibleName() for t in w.unit.page.tiles if t.summary.chair == "Bay C/1"), "")

        qtbot.waitUntil(lambda: "hold expired (ws-b)" in tile(), timeout=20_000)  # the server's row, not this one
        w.unit.take_over(uid, "ran", "ws-b left; back on ws-a")
        qtbot.waitUntil(lambda: chair not in w.model.chairs and len(w.model.chairs) == 1, timeout=20_000)
        (back,) = w.model.chairs
        assert back.name == "Bay C/1" and not back.core.read_only and w.current_view() is w.views[back]
        assert not w.unit.fenced_lines and w.actions_by_name["pause"].isEnabled()
        banner.refresh()
        assert "ws-b" not in banner.text()  # the banner no longer names the other workstation
    finally:
        feed.stop()
        w.unit.library.stop()
        w.model.timer.stop()
        b.close()
        a.close()
