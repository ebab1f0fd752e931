"""One active infusion per patient and per chair on the unit server, when a workstation could not
ask the server first (its check skipped, as when the server was out of reach at that moment):
the server itself refuses the second infusion's events, names where the first is, keeps them on
the workstation (shown), and takes them once the first has ended. Two workstations starting one
at the same moment take turns: exactly one is taken."""
import threading

import pytest

from titration.plan import PlanRequest, build_plan
from titration.session import Session
from titration.store.journal import Journal
from titration.store.outbox import Outbox

T0 = 1_800_000_000.0
pytestmark = pytest.mark.pg


@pytest.fixture
def url(pg_server):
    return pg_server.new_database()


@pytest.fixture
def offline_check(monkeypatch):
    """The check before the local write could not reach the server: the server must refuse by itself."""
    monkeypatch.setattr(Outbox, "check_active", lambda self, *a, **k: False)


def infusion():
    return Session(build_plan(PlanRequest("octagam-10", "itp", 70.0, 1.0)))


def ws(url, tmp_path, name):
    return Journal(url, outbox=tmp_path / f"outbox-{name}.sqlite3", workstation=name, nurse=f"n-{name}",
                   start_sender=False)


def test_the_server_refuses_a_second_active_infusion_its_workstation_did_not_check(url, tmp_path, offline_check):
    a, b = ws(url, tmp_path, "ws-a"), ws(url, tmp_path, "ws-b")
    try:
        first = infusion()
        a.attach(first, chair="Bay C/5", patient_id="P1", training=False, wall_start=T0)
        first.start(0)
        assert a.outbox.send_now()
        second = infusion()
        b.attach(second, chair="Bay A/2", patient_id="P1", training=False, wall_start=T0 + 60)  # local only
        b.outbox.send_now()
        (why,) = b.outbox.status()["refused"].values()
        assert "Patient P1: already running on Bay C chair 5 (workstation ws-a, since " in why
        assert b.waiting() == len(second.events)  # kept on the workstation, shown, never dropped
        first.stop(5, "cannula")
        assert a.outbox.send_now()
        assert b.outbox.send_now() and b.waiting() == 0 and not b.outbox.status()["refused"]
    finally:
        a.close()
        b.close()


def test_two_workstations_starting_one_patient_at_once_take_turns(url, tmp_path, offline_check):
    stations = [ws(url, tmp_path, f"ws-{n}") for n in range(2)]
    try:
        for n, j in enumerate(stations):
            s = infusion()
            j.attach(s, chair=f"Bay A/{n + 1}", patient_id="P7", training=False, wall_start=T0 + n)
            s.start(0)
        go = threading.Barrier(2)

        def send(j):
            go.wait()
            j.outbox.send_now()

        threads = [threading.Thread(target=send, args=(j,)) for j in stations]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        refused = [j.outbox.status()["refused"] for j in stations]
        assert sorted(len(r) for r in refused) == [0, 1]
        assert any("Patient P7: already running on Bay A chair" in why for r in refused for why in r.values())
    finally:
        for j in stations:
            j.close()
