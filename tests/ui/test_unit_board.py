"""The unit server in the window: the banner when it is unreachable, and the board feed.

Waits are for a condition (qtbot.waitUntil / waitSignal), never for a time.
"""
import os
import subprocess
import sys
import time

import pytest

from titration.plan import PlanRequest, build_plan
from titration.session import Session
from titration.store.journal import Journal

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_the_banner_says_the_unit_server_is_unreachable_and_counts_what_waits(qtbot, tmp_path, window):
    from ui.unit.server_feed import attach_unit

    url = f"postgresql:///unit?host={tmp_path}&port=1"  # no server there
    j = Journal(url, outbox=tmp_path / "outbox.sqlite3", workstation="ws-1", nurse="n")
    try:
        s = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))
        j.attach(s, chair="1", patient_id="P1", training=False, wall_start=0.0)
        s.start(0)
        s.confirm(30, s.due(30))
        banner, feed = attach_unit(window, j)
        feed.stop()
        window.unit.library.stop()
        qtbot.waitUntil(lambda: banner.isVisible(), timeout=20_000)
        # the real cause, named: here, nothing listens at that address
        assert banner.text().startswith("Unit server not taking events (cannot reach the unit server ")
        assert "No such file or directory" in banner.text()
        assert banner.text().endswith(f"recording on this workstation ({len(s.events)} events waiting)")
        assert j.sessions()[0]["n_events"] == len(s.events)  # recorded here meanwhile: nothing waits on the network
        window.grab().save(str(tmp_path / "unit-banner.png"))
        if os.environ.get("IVIG_SHOTS"):
            window.grab().save(os.path.join(os.environ["IVIG_SHOTS"], "unit-banner.png"))
    finally:
        j.close()


class FakeListener:
    def __init__(self, url):
        self.calls = 0

    def snapshot(self):
        return [{"chair": "Bay A/1", "state": "running"}]

    def changes(self, timeout):
        self.calls += 1
        return [{"chair": "Bay A/1", "state": "paused"}] if self.calls == 1 else []

    def close(self):
        pass


def test_the_feed_hands_the_board_a_snapshot_then_changes_on_the_gui_thread(qtbot):
    from ui.unit.server_feed import UnitFeed

    feed = UnitFeed("postgresql:///x", listener_factory=FakeListener)
    got = []
    feed.sig_snapshot.connect(lambda rows: got.append(("snapshot", rows)))
    feed.sig_changed.connect(lambda rows: got.append(("changed", rows)))
    try:
        with qtbot.waitSignal(feed.sig_changed, timeout=20_000):
            feed.start()
    finally:
        feed.stop()
    assert got == [("snapshot", [{"chair": "Bay A/1", "state": "running"}]),
                   ("changed", [{"chair": "Bay A/1", "state": "paused"}])]


@pytest.mark.pg
def test_the_feed_hears_another_workstations_event(qtbot, pg_server, tmp_path):
    from ui.unit.server_feed import UnitFeed

    url = pg_server.new_database()
    feed = UnitFeed(url)
    try:
        with qtbot.waitSignal(feed.sig_snapshot, timeout=20_000):
            feed.start()
        env = dict(os.environ, IVIG_OUTBOX=str(tmp_path / "o.sqlite3"), IVIG_WORKSTATION="ws-7")
        with qtbot.waitSignal(feed.sig_changed, timeout=60_000) as blocker:
            p = subprocess.Popen([sys.executable, os.path.join(ROOT, "main.py"), "simulate",
                                  os.path.join(ROOT, "resources", "scenarios", "01-uneventful-first-infusion.toml"),
                                  "--db", url, "--speed", "20000"], env=env, stdout=subprocess.DEVNULL)
        p.wait(timeout=60)
    finally:
        feed.stop()
    (row,) = blocker.args[0][:1]
    assert row["chair"] == "simulation" and row["held_by"] == "ws-7"


@pytest.mark.pg
def test_a_chair_whose_workstation_has_gone_is_taken_over_into_this_window_on_the_servers_clock(
        qtbot, pg_server, tmp_path, clock):
    import psycopg

    from ui.window.app_model import AppModel

    url = pg_server.new_database()
    t0 = time.time()
    a = Journal(url, outbox=tmp_path / "a.sqlite3", workstation="ws-a", nurse="na")
    s = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))
    sid = a.attach(s, chair="Bay B/2", patient_id="P2", training=False, wall_start=t0)
    s.start(0)
    assert a.flush(20) == 0
    uid = a._uids[sid]
    a.close()  # ws-a is gone
    with psycopg.connect(url, autocommit=True) as c:
        c.execute("UPDATE leases SET expires = now() - interval '1 second'")
    b = Journal(url, outbox=tmp_path / "b.sqlite3", workstation="ws-b", nurse="nb")
    # ws-b's clock is an hour ahead of ws-a's: by it, 84 mL would have gone in and step 3 be due.
    # The server's clock says the chair was away for seconds: that is what counts.
    model = AppModel(b, clock_factory=lambda **kw: clock, wall=lambda: t0 + 3600, autostart=False)
    try:
        chair = model.take_over(uid, "ran", "ws-a crashed")
        assert chair.name == "Bay B/2" and chair.session.status == "running"
        assert chair.session.events[-1].at_min < 1.0
        assert chair.session.delivered_ml(chair.session.events[-1].at_min) < 1.0
        assert chair.session.state.rate_ml_h == 42.0 and chair.session.due(chair.session.events[-1].at_min) is None
        assert chair.session.events[-1].data["text"].startswith("Taken over on workstation ws-b from workstation ws-a")
        assert chair.journal_id is not None and b.flush(20) == 0
    finally:
        model.timer.stop()
        b.close()


@pytest.mark.pg
def test_a_chair_driven_elsewhere_is_followed_read_only_and_live(qtbot, pg_server, tmp_path):
    from ui.unit.server_feed import UnitFeed

    url = pg_server.new_database()
    a = Journal(url, outbox=tmp_path / "a.sqlite3", workstation="ws-a", nurse="na")
    feed = UnitFeed(url)
    try:
        s = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0)))
        sid = a.attach(s, chair="Bay A/5", patient_id="P5", training=False, wall_start=0.0)
        s.start(0)
        assert a.flush(20) == 0
        with qtbot.waitSignal(feed.sig_snapshot, timeout=20_000):
            feed.start()
        with qtbot.waitSignal(feed.sig_session, timeout=20_000) as first:
            feed.watch(a._uids[sid])
        assert len(first.args[1].events) == 2 and first.args[1].state.rate_ml_h == 42.0
        with qtbot.waitSignal(feed.sig_session, timeout=20_000,
                              check_params_cb=lambda uid, ses: len(ses.events) == 3) as later:
            s.confirm(30, s.due(30))  # on ws-a: the step to 84 mL/h
        assert later.args[1].state.rate_ml_h == 84.0 and len(later.args[1].events) == 3
    finally:
        feed.stop()
        a.close()
