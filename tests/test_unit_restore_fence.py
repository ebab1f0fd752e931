"""A restore from a backup that forgets a takeover: the workstation that took the chair over (the
later epoch) wins the heal, whichever workstation reconnects first; the old one's events from its
lapse on are kept in its outbox and shown, never stored, never marked sent.

Against the real PostgreSQL server the tests start (tests/pgserver.py), with the proxy of
tests/tcpproxy.py to cut a workstation off silently.
"""
import json
import os
import time

import pytest
from test_unit_faults import dbname, driving, q, verified, wait_for

from titration.store import renewals
from titration.store.journal import Journal
from titration.store.pg_common import LEASE_S

pytestmark = pytest.mark.pg


@pytest.fixture
def unit(pg_server):
    """(admin url, a workstation login's url, the database's name) of a fresh unit database."""
    url = pg_server.new_database()
    return url, pg_server.url(dbname(url), user=pg_server.workstation_login()), dbname(url)


@pytest.fixture
def proxy(pg_server):
    from tcpproxy import Proxy

    p = Proxy(("127.0.0.1", pg_server.tcp_port)).start()
    yield p
    p.close()


def _claims_window_passes(admin):
    """The window in which the workstations back after a restore are compared (CLAIM_WINDOW_S) has passed."""
    assert q(admin, "SELECT count(*) FROM claims")[0][0] >= 1
    q(admin, "UPDATE claims SET at = at - interval '1 hour'")


def _events(admin):
    return [(seq, ws, json.loads(body)["kind"]) for seq, ws, body in q(
        admin, "SELECT e.seq, e.workstation, e.body FROM events e ORDER BY e.seq")]


def test_a_restore_that_forgets_a_takeover_lets_the_taker_win_even_when_the_old_driver_is_back_first(
        unit, pg_server, proxy, tmp_path, monkeypatch):
    from titration.store.takeover import take_over

    admin, as_ws, name = unit
    dump = os.path.join(pg_server.dir, f"{name}.dump")
    via = pg_server.tcp_url(name, pg_server.workstation_login(), proxy.port)
    # ws-a's own clock says it has not renewed its hold for a lease's length (it was cut off that long)
    monkeypatch.setattr(renewals, "VOUCH_MARGIN_S", LEASE_S)
    a, s, sid = driving(via, tmp_path, "ws-a")
    uid = a._uids[sid]
    try:
        assert a.flush(20) == 0
        pg_server.dump(name, dump)  # the backup: ws-a drives at epoch 1
        proxy.blackhole()
        s.confirm(30, s.due(30))  # ws-a, cut off, steps the pump up: kept on ws-a
        s.note(31, "ws-a alone")
        q(admin, "UPDATE leases SET expires = now() - interval '1 second'")  # 90 s later
        b = Journal(as_ws, outbox=tmp_path / "ws-b.sqlite3", workstation="ws-b", nurse="nurse-b")
        try:
            taken = take_over(b, uid, pump="ran", reason="ws-a does not answer", now_wall=time.time())
            at = taken.session.events[-1].at_min
            taken.session.note(at + 1, "B-note-1")
            taken.session.pause(at + 2, "pump alarm")
            assert b.flush(20) == 0
            with_b = _events(admin)
        finally:
            b.close()  # ws-b goes quiet too
        assert ("ws-b", "pause") in [(w, k) for _, w, k in with_b]
        pg_server.restore(name, dump)  # the takeover, its note and its pause are gone from the server
        q(admin, "UPDATE leases SET expires = now() - interval '1 second'")  # the restored hold, long lapsed
        proxy.heal()
        proxy.reset()
        wait_for(lambda: uid in a.outbox.refused, 30)  # ws-a is back first: its hold is in doubt, it waits
        assert "restored from a backup" in a.outbox.refused[uid]
        assert all(w == "ws-a" for _, w, _ in _events(admin))
        assert [k for _, _, k in _events(admin)] == [k for _, _, k in with_b[:len(_events(admin))]]
        assert "increase" not in [k for _, _, k in _events(admin)]  # its step up, made alone, is not stored
        assert a.flush(3) >= 2  # kept and counted
        b = Journal(as_ws, outbox=tmp_path / "ws-b.sqlite3", workstation="ws-b", nurse="nurse-b")
        try:
            b.outbox.watch(uid, taken.session)  # the chair is open on ws-b: it beats while its claim is compared
            assert b.flush(10) > 0  # ws-b, the later takeover, claims the chair: its events wait ...
            assert any("compared with those of the other workstations" in w for w in b.outbox.refused.values())
            beat = b.outbox._last_beat
            b.outbox.heartbeat()
            wait_for(lambda: b.outbox._last_beat > beat, 10)
            assert uid not in b.outbox.fenced  # ... its chair is not made read-only meanwhile ...
            _claims_window_passes(admin)
            assert b.flush(30) == 0  # ... and once no later one came back, it heals the server with its events
            assert _events(admin) == with_b
            assert q(admin, "SELECT workstation, epoch FROM leases") == [("ws-b", 2)]
            assert "claimed after a restore" in [h for (h,) in q(admin, "SELECT how FROM lease_log")]
        finally:
            b.close()
        wait_for(lambda: uid in a.outbox.fenced, 30)  # and ws-a is told, read-only, its events kept
        assert "driven from workstation ws-b" in a.outbox.fenced[uid]
        assert a.flush(3) >= 2
    finally:
        a.close()
    assert verified(admin) == []


def test_a_workstation_that_kept_its_hold_heals_a_restored_server_whose_copy_of_the_hold_has_lapsed(
        unit, pg_server, proxy, tmp_path):
    admin, as_ws, name = unit
    dump = os.path.join(pg_server.dir, f"{name}.dump")
    via = pg_server.tcp_url(name, pg_server.workstation_login(), proxy.port)
    a, s, sid = driving(via, tmp_path, "ws-a")
    try:
        assert a.flush(20) == 0
        pg_server.dump(name, dump)
        s.pause(10, "pump alarm")
        assert a.flush(20) == 0
        before = _events(admin)
        proxy.blackhole()  # (so that ws-a comes back only once the restored hold has lapsed)
        pg_server.restore(name, dump)
        q(admin, "UPDATE leases SET expires = now() - interval '1 second'")  # an old backup: its hold lapsed
        proxy.heal()
        proxy.reset()
        wait_for(lambda: a.outbox.healed, 30)  # renewed seconds ago by its own clock: it vouches, and heals
        assert a.flush(20) == 0
        assert _events(admin) == before
        assert q(admin, "SELECT workstation, epoch, expires > now() FROM leases") == [("ws-a", 1, True)]
    finally:
        a.close()
    assert verified(admin) == []


def test_when_nobody_comes_back_the_nurse_takes_the_chair_again_and_what_was_recorded_alone_stays_kept(
        unit, pg_server, proxy, tmp_path, monkeypatch):
    from titration.store.takeover import take_over

    admin, as_ws, name = unit
    dump = os.path.join(pg_server.dir, f"{name}.dump")
    via = pg_server.tcp_url(name, pg_server.workstation_login(), proxy.port)
    monkeypatch.setattr(renewals, "VOUCH_MARGIN_S", LEASE_S)  # away longer than a lease, by its own clock
    a, s, sid = driving(via, tmp_path, "ws-a")
    uid = a._uids[sid]
    try:
        assert a.flush(20) == 0
        proxy.blackhole()
        s.pause(10, "pump alarm")  # recorded alone, while cut off
        pg_server.dump(name, dump)
        pg_server.restore(name, dump)
        q(admin, "UPDATE leases SET expires = now() - interval '1 second'")
        proxy.heal()
        proxy.reset()
        wait_for(lambda: uid in a.outbox.refused, 30)
        back = take_over(a, uid, pump="ran", reason="the server was restored; nobody else drove it",
                         now_wall=time.time())
        assert back.session.status == "running"  # the server's record: the pause made alone is not in it
        back.session.note(back.session.events[-1].at_min + 1, "driven from ws-a again")
        assert a.flush(20) >= 1  # the pause is kept (its old record, superseded), never sent
        assert uid in a.outbox.status()["superseded"]
    finally:
        a.close()
    ((ws, epoch),) = q(admin, "SELECT workstation, epoch FROM leases")
    assert ws == "ws-a" and epoch > 2  # after a restore a takeover's epoch follows the server's clock
    assert (epoch, "taken again after a restore") in q(admin, "SELECT epoch, how FROM lease_log")
    assert "pause" not in [k for _, _, k in _events(admin)]
    assert verified(admin) == []


def test_an_infusion_the_restore_lost_is_healed_but_its_old_driver_waits_for_the_later_takeover(
        unit, pg_server, proxy, tmp_path, monkeypatch):
    from titration.store.takeover import take_over

    admin, as_ws, name = unit
    dump = os.path.join(pg_server.dir, f"{name}.dump")
    pg_server.dump(name, dump)  # last night's backup: before the infusion began
    via = pg_server.tcp_url(name, pg_server.workstation_login(), proxy.port)
    monkeypatch.setattr(renewals, "VOUCH_MARGIN_S", LEASE_S)  # away longer than a lease, by its own clock
    a, s, sid = driving(via, tmp_path, "ws-a")
    uid = a._uids[sid]
    try:
        assert a.flush(20) == 0
        confirmed = _events(admin)
        proxy.blackhole()
        s.note(20, "ws-a alone")  # recorded while cut off: never confirmed
        q(admin, "UPDATE leases SET expires = now() - interval '1 second'")
        b = Journal(as_ws, outbox=tmp_path / "ws-b.sqlite3", workstation="ws-b", nurse="nurse-b")
        try:
            taken = take_over(b, uid, pump="ran", reason="ws-a does not answer", now_wall=time.time())
            taken.session.pause(taken.session.events[-1].at_min + 1, "pump alarm")
            assert b.flush(20) == 0
            with_b = _events(admin)
        finally:
            b.close()
        pg_server.restore(name, dump)  # the whole infusion is gone from the server
        proxy.heal()
        proxy.reset()
        wait_for(lambda: uid in a.outbox.refused, 30)  # ws-a is back first: it heals what was confirmed, and waits
        assert "restored from a backup" in a.outbox.refused[uid]
        assert _events(admin) == confirmed  # its note made alone is not stored
        assert q(admin, "SELECT workstation, epoch, expires > now() FROM leases") == [("ws-a", 1, False)]
        b = Journal(as_ws, outbox=tmp_path / "ws-b.sqlite3", workstation="ws-b", nurse="nurse-b")
        try:
            assert b.flush(10) > 0  # ws-b, the later takeover, claims the chair: its events wait ...
            assert any("compared with those of the other workstations" in w for w in b.outbox.refused.values())
            _claims_window_passes(admin)
            assert b.flush(30) == 0  # ... and once no later one came back, it heals the server with its events
            assert _events(admin) == with_b
            assert q(admin, "SELECT workstation, epoch FROM leases") == [("ws-b", 2)]
        finally:
            b.close()
        wait_for(lambda: uid in a.outbox.fenced, 30)
        assert a.flush(3) >= 1  # kept and counted
    finally:
        a.close()
    assert verified(admin) == []


def test_a_workstation_vouches_only_when_both_its_clocks_say_the_silence_was_short(monkeypatch):
    limit = LEASE_S - renewals.VOUCH_MARGIN_S
    for (mono, wall), vouched in [((10, 10), True), ((limit + 1, 10), False),  # a long silence
                                  ((10, 3600), False),  # asleep: the monotonic clock stood still, the wall did not
                                  ((10, -3600), False)]:  # the wall clock set back an hour meanwhile
        monkeypatch.setattr(renewals, "clocks", lambda m=mono, w=wall: (1000.0 + m, 5000.0 + w))
        renewed = renewals.Renewals()
        renewed.note("u1", 3, (1000.0, 5000.0))
        assert renewed.to_vouch() == ([("u1", 3)] if vouched else []), (mono, wall)


def test_a_heal_cut_short_after_the_server_took_it_is_not_taken_for_a_record_rewritten(
        unit, pg_server, tmp_path, monkeypatch):
    from titration.store import station as station_module
    from titration.store.base import ServerUnreachable

    admin, as_ws, name = unit
    dump = os.path.join(pg_server.dir, f"{name}.dump")
    a, s, sid = driving(as_ws, tmp_path, "ws-a")
    try:
        assert a.flush(20) == 0
        pg_server.dump(name, dump)
        for i in range(5):
            s.note(10 + i, f"after the backup {i}")
        assert a.flush(20) == 0
        a.close()
        pg_server.restore(name, dump)
        real = station_module.Station.append
        cut = []

        def stored_then_cut(self, sess, events, epoch, heal=False):
            got = real(self, sess, events, epoch, heal)
            if heal and not cut:  # the server took the heal; the workstation dies before it notes it
                cut.append(got)
                raise ServerUnreachable("cut after the server stored the heal")
            return got

        monkeypatch.setattr(station_module.Station, "append", stored_then_cut)
        a = Journal(as_ws, outbox=tmp_path / "ws-a.sqlite3", workstation="ws-a", nurse="nurse-ws-a")
        a.flush(20)
        assert cut
        wait_for(lambda: not a.outbox.problem() and a.outbox.last_ok is not None, 20)  # connected again
        assert a.flush(20) == 0
        assert a.outbox.changed == {}  # no "rewritten on the server" alarm
    finally:
        a.close()
    assert verified(admin) == []
