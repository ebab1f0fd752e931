"""One active infusion per patient and per chair on the unit server, when a workstation could not
ask the server first (its check skipped, as when the server was out of reach at that moment):
the server itself refuses the second infusion's events, names where the first is, keeps them on
the workstation (shown), and takes them once the first has ended. Two workstations starting one
at the same moment take turns: exactly one is taken."""
import json
import threading
import uuid

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


class Raw:
    """A workstation's connection calling the server's functions itself (as a program using its login could)."""

    def __init__(self, url):
        import psycopg

        self.c = psycopg.connect(url, autocommit=True)
        self.inst, self.instance = uuid.uuid4().hex, uuid.uuid4().hex
        self.c.execute("SELECT * FROM ivig_hello(%s, %s, %s)", (self.inst, self.instance, "raw"))

    def append(self, sess, bodies, start=0):
        n = len(bodies)
        return self.c.execute(
            "SELECT * FROM ivig_append(%s, %s, 0, %s::jsonb, %s::integer[], %s::float8[], %s::text[], %s::text[], "
            "%s::text[], false)", (self.inst, self.instance, json.dumps(sess), list(range(start, start + n)), [T0] * n,
                            [json.dumps(b) for b in bodies], ["raw"] * n, ["n"] * n)).fetchall()

    def close(self):
        self.c.close()


def new(chair, patient):
    return {"uid": uuid.uuid4().hex, "chair": chair, "patient_id": patient, "training": False, "wall_start": T0,
            "speed": 1.0, "product": "octagam-10", "workstation": "raw", "nurse": "n"}


# every infusion's record begins with its plan (the server refuses any other first event)
PLANNED = Session(build_plan(PlanRequest("octagam-10", "itp", 70, 1.0))).events[0].to_dict()


def test_the_server_decides_what_is_active_from_its_own_record_not_from_a_workstations_word(url, tmp_path):
    import psycopg

    from titration.store.pg_store import PgStore

    a = ws(url, tmp_path, "ws-a")
    raw = Raw(url)
    try:
        first = infusion()
        a.attach(first, chair="Bay C/5", patient_id="P1", training=False, wall_start=T0)
        assert a.outbox.send_now()
        # A second infusion for P1 that says it is over: the server does not take its word (no status is read).
        claim = dict(new("Bay A/2", "P1"), status="completed")
        with pytest.raises(psycopg.Error) as err:
            raw.append(claim, [PLANNED])
        assert err.value.sqlstate == "IVA01" and json.loads(err.value.diag.message_detail)["status"] == "planned"
        first.start(0)
        assert a.outbox.send_now()
        with pytest.raises(psycopg.Error, match="another active infusion"):
            raw.append(new("bay c / 5", "P9"), [PLANNED])  # the chair, as a nurse reads its name
        # An infusion whose events arrive already ended (sent late) is history: in nobody's way, taken.
        late = new("Bay C/5", "P1")
        assert raw.append(late, [PLANNED, {"at_min": 1.0, "kind": "stop", "who": "nurse", "reason": "x"}])
        # A reaction's stop ends an infusion on the server too: the chair is free once it has arrived.
        other = new("Bay B/1", "P2")
        raw.append(other, [PLANNED])
        store = PgStore(url, readonly=True)
        try:
            assert {(x.chair, x.status) for x in store.active()} == {("Bay C/5", "running"), ("Bay B/1", "planned")}
            raw.append(other, [{"at_min": 2.0, "kind": "action", "who": "nurse", "action": "stop"}], start=1)
            assert [(x.chair, x.patient_id) for x in store.active()] == [("Bay C/5", "P1")]
        finally:
            store.close()
        assert raw.append(new("bay b/1", "P2"), [PLANNED])
    finally:
        raw.close()
        a.close()


def test_a_chair_is_free_on_the_server_once_a_reactions_stop_has_ended_its_infusion(url, tmp_path):
    """Through a real session: a severe reaction's STOP confirmed (an 'action' event), the observation
    closed; the next patient's infusion on that chair is taken, and the stopped one is not active."""
    from titration.store.pg_store import PgStore

    a = ws(url, tmp_path, "ws-a")
    try:
        first = infusion()
        a.attach(first, chair="Bay A/1", patient_id="P1", training=False, wall_start=T0)
        first.start(0)
        first.confirm(30, first.due(30))
        first.confirm(40, first.report_symptoms(40, ["chest-pain"]))  # severe: STOP, confirmed
        assert first.status == "stopped"
        first.close_observation(110)
        assert a.outbox.send_now() and a.waiting() == 0
        store = PgStore(url, readonly=True)
        try:
            assert store.active() == []
        finally:
            store.close()
        second = infusion()
        a.attach(second, chair="Bay A/1", patient_id="P2", training=False, wall_start=T0 + 3 * 3600)
        assert a.outbox.send_now() and a.waiting() == 0 and not a.outbox.status()["refused"]
    finally:
        a.close()
