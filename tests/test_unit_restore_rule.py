"""The restore rule, call by call on the unit server (pg_leases.py): what a restore from a backup
forgot can never let a superseded workstation drive, whichever workstation comes back first.

Each workstation here is a connection of its own that calls the server's functions as the outbox
does (ivig_append with or without `heal`, ivig_beat, ivig_take, ivig_vouch), so each step of a
fault round is one line. Time passing is the lease's expiry set back by the administrator.

- a later takeover wins even when its holder had taken the chair back from the one that took it;
- an infusion the restore lost entirely: its first sender stores what it once had confirmed and
  waits in doubt; the holder of a later epoch claims it; when nobody can, a nurse takes it again;
- a higher epoch is taken only from a record a restore left unsure, never made up without one;
- the server refuses events whose time or pump sequence no replay could accept.
"""
import json
import os
import time
import uuid

import psycopg
import pytest
from test_unit_logins import PLANNED, q, unit  # noqa: F401 - the fixture

pytestmark = pytest.mark.pg

T0 = 1.7e9


class Desk:
    """One workstation's connection (its own installation id), calling the server's functions."""

    def __init__(self, url, label, inst=None):
        self.url, self.label = url, label
        self.inst = inst or uuid.uuid4().hex
        self.instance = uuid.uuid4().hex
        self.c = psycopg.connect(url, autocommit=True)
        self.c.execute("SELECT * FROM ivig_hello(%s, %s, %s)", (self.inst, self.instance, label))

    def again(self):
        """Connected again (after a restore every connection was cut): the same installation."""
        return Desk(self.url, self.label, self.inst)

    def append(self, sess, bodies, start, epoch, heal=False):
        """(have, added, epoch) or the SQLSTATE of the refusal. An event re-sent is the same event:
        its time on the wall follows from its minute, and it keeps the workstation that recorded it
        ("by", this one's when not said)."""
        n = len(bodies)
        by = [b.get("by", self.label) for b in bodies]
        bodies = [{k: v for k, v in b.items() if k != "by"} for b in bodies]
        try:
            (row,) = self.c.execute(
                "SELECT * FROM ivig_append(%s, %s, %s, %s::jsonb, %s::integer[], %s::float8[], %s::text[], "
                "%s::text[], %s::text[], %s)",
                (self.inst, self.instance, epoch, json.dumps(sess), list(range(start, start + n)),
                 [T0 + 60.0 * float(b.get("at_min", 0)) for b in bodies], [json.dumps(b) for b in bodies], by,
                 ["nurse"] * n, heal)).fetchall()
        except psycopg.Error as exc:
            return exc.sqlstate
        return row[:3]

    def take(self, uid):
        try:
            return self.c.execute("SELECT epoch FROM ivig_take(%s, %s, %s)",
                                  (self.inst, self.instance, uid)).fetchone()[0]
        except psycopg.Error as exc:
            return exc.sqlstate

    def beat(self, uid, epoch):
        rows = self.c.execute("SELECT held FROM ivig_beat(%s, %s, %s, %s)",
                              (self.inst, self.instance, [uid], [epoch])).fetchall()
        return rows[0][0] if rows else "unknown"

    def vouch(self, uid, epoch):
        rows = self.c.execute("SELECT renewed FROM ivig_vouch(%s, %s, %s, %s)",
                              (self.inst, self.instance, [uid], [epoch])).fetchall()
        return rows[0][0] if rows else "unknown"


def plan_and_start():
    return [dict(json.loads(PLANNED), by="A"), {"at_min": 0.0, "kind": "start", "who": "n", "rate_ml_h": 21.0,
                                               "by": "A"}]


def note(at, text, by=None):
    return {"at_min": float(at), "kind": "note", "who": "n", "text": text, **({"by": by} if by else {})}


def pause(at, by):
    return {"at_min": float(at), "kind": "pause", "who": "n", "reason": "", "by": by}


def new_infusion(chair="Bay R/1"):
    return {"uid": uuid.uuid4().hex, "chair": chair, "patient_id": None, "training": True, "wall_start": time.time(),
            "speed": 1.0, "product": "octagam-10", "workstation": "A", "nurse": "n"}


def lapse(admin):
    """A lease's length passes on the server's clock."""
    q(admin, "UPDATE leases SET expires = now() - interval '1 second'")


def now_epoch(admin):
    return q(admin, "SELECT ivig_epoch_now()")[0][0]


def close_window(admin):
    """The claims' window (pg_common.CLAIM_WINDOW_S) has passed."""
    q(admin, "UPDATE claims SET at = at - interval '1 hour'")


def lease(admin):
    return q(admin, "SELECT workstation, epoch FROM leases")


def stored(admin):
    return [(ws, json.loads(b).get("text") or json.loads(b)["kind"])
            for ws, b in q(admin, "SELECT workstation, body FROM events ORDER BY seq")]


@pytest.fixture
def desks(unit, pg_server):  # noqa: F811 - the fixture of test_unit_logins
    admin, as_ws, as_rogue = unit
    name = admin.split("/")[3].split("?")[0]
    dump = os.path.join(pg_server.dir, f"{name}-rule.dump")
    return admin, Desk(as_ws, "A"), Desk(as_rogue, "B"), lambda: pg_server.dump(name, dump), \
        lambda: pg_server.restore(name, dump)


def _a_took_it_back(admin, a, b, sess):
    """A drove; B takes over, notes, pauses; A takes it back and notes: (A's record, B's record)."""
    uid = sess["uid"]
    lapse(admin)
    assert b.take(uid) == 2
    b_own = [note(5, "B took over", "B"), pause(6, "B")]
    assert b.append(sess, b_own, 2, 2) == (4, 2, 2)
    lapse(admin)
    assert a.take(uid) == 3
    a_own = [note(8, "A took back", "A"), note(9, "A after", "A")]
    assert a.append(sess, a_own, 4, 3) == (6, 2, 3)
    return plan_and_start() + b_own + a_own, plan_and_start() + b_own


def _restored_after_a_took_it_back(admin, a, b, dump, restore):
    """A drove (the backup then), B took over, A took it back; the backup restored, its lease lapsed:
    (the infusion, A's record, B's record, A and B connected again)."""
    sess = new_infusion()
    assert a.append(sess, plan_and_start(), 0, 0) == (2, 2, 1)
    dump()
    a_record, b_record = _a_took_it_back(admin, a, b, sess)
    restore()
    lapse(admin)
    return sess, a_record, b_record, a.again(), b.again()


@pytest.mark.parametrize("first", ["A", "B"])
def test_the_later_takeover_wins_even_when_it_took_the_chair_back(desks, first):
    admin, a, b, dump, restore = desks
    sess = new_infusion()
    uid = sess["uid"]
    assert a.append(sess, plan_and_start(), 0, 0) == (2, 2, 1)
    dump()  # the backup: A drives at epoch 1
    a_record, b_record = _a_took_it_back(admin, a, b, sess)
    restore()  # B's takeover and A's take-back are forgotten
    lapse(admin)
    a, b = a.again(), b.again()
    # Each claims; nothing is stored while the window is open, so who comes back first decides nothing.
    if first == "A":
        assert a.append(sess, a_record[2:], 2, 3, heal=True) == (2, 0, -1)  # pending
        assert a.beat(uid, 3) is None  # compared, not taken over: its chair is not made read-only
        assert b.append(sess, b_record[2:], 2, 2, heal=True) == "IVF01"  # a later takeover was heard: read-only
    else:
        assert b.append(sess, b_record[2:], 2, 2, heal=True) == (2, 0, -1)  # pending ...
        assert b.beat(uid, 2) is None
        assert a.append(sess, a_record[2:], 2, 3, heal=True) == (2, 0, -1)
        assert b.append(sess, b_record[2:], 2, 2, heal=True) == "IVF01"  # ... then superseded
    assert stored(admin) == [("A", "planned"), ("A", "start")]
    close_window(admin)
    assert a.append(sess, a_record[2:], 2, 3, heal=True) == (6, 4, 3)  # the window closed: epoch 3 is granted
    assert b.beat(uid, 2) is False  # B is told: read-only
    assert lease(admin) == [("A", 3)]
    assert stored(admin)[-2:] == [("A", "A took back"), ("A", "A after")]
    assert a.append(sess, [note(10, "A drives")], 6, 3) == (7, 1, 3)
    assert b.append(sess, [note(10, "B drives")], 6, 2) == "IVF01"


def test_an_infusion_the_restore_lost_waits_for_the_later_takeover_whoever_sends_first(desks):
    admin, a, b, dump, restore = desks
    dump()  # last night's backup: before the infusion began
    sess = new_infusion()
    uid = sess["uid"]
    assert a.append(sess, plan_and_start(), 0, 0) == (2, 2, 1)
    lapse(admin)
    assert b.take(uid) == 2
    assert b.append(sess, [note(5, "B took over", "B"), pause(6, "B")], 2, 2) == (4, 2, 2)
    restore()  # the infusion is gone from the server
    a, b = a.again(), b.again()
    # A is back first: what the server once confirmed to it is stored, but its lease is in doubt
    assert a.append(sess, plan_and_start(), 0, 1, heal=True) == (2, 2, 1)
    assert q(admin, "SELECT how FROM lease_log") == [("recreated after a restore",)]
    assert a.append(sess, [note(7, "A alone")], 2, 1) == "IVR01"  # recorded while cut off: waits, not stored
    assert a.beat(uid, 1) is None  # in doubt: not renewed
    # B holds the later takeover: it claims, and once the window closes its pause is the server's again
    b_record = plan_and_start() + [note(5, "B took over", "B"), pause(6, "B")]
    assert b.append(sess, b_record, 0, 2, heal=True) == (2, 0, -1)
    close_window(admin)
    assert b.append(sess, b_record, 0, 2, heal=True) == (4, 2, 2)
    assert lease(admin) == [("B", 2)] and stored(admin)[-1] == ("B", "pause")
    assert a.beat(uid, 1) is False and a.append(sess, [note(7, "A alone")], 4, 1) == "IVF01"


def test_when_the_only_record_of_a_lost_infusion_is_in_doubt_a_nurse_takes_it_again(desks):
    admin, a, b, dump, restore = desks
    dump()
    sess = new_infusion()
    uid = sess["uid"]
    assert a.append(sess, plan_and_start(), 0, 0) == (2, 2, 1)
    lapse(admin)
    assert b.take(uid) == 2
    assert b.append(sess, [note(5, "B took over", "B")], 2, 2) == (3, 1, 2)
    restore()
    a, b = a.again(), b.again()
    assert b.append(sess, plan_and_start() + [note(5, "B took over", "B")], 0, 2, heal=True) == (3, 3, 2)
    assert b.append(sess, [note(6, "B alone")], 3, 2) == "IVR01"  # a later takeover may exist: B waits too
    assert a.append(sess, plan_and_start(), 0, 1, heal=True) == "IVF01"  # A's epoch 1 is superseded
    again = b.take(uid)  # B's nurse takes the chair over again: an epoch after every one the restore forgot
    assert again > 2 and again >= now_epoch(admin) - 60
    assert q(admin, "SELECT epoch, how FROM lease_log ORDER BY id")[-1] == (again, "taken again after a restore")
    assert b.append(sess, [note(6, "B alone")], 3, again) == (4, 1, again)


def test_a_chair_taken_over_on_the_restored_server_refuses_epochs_from_the_lost_history(desks, unit):  # noqa: F811
    admin, a, b, dump, restore = desks
    sess = new_infusion()
    uid = sess["uid"]
    assert a.append(sess, plan_and_start(), 0, 0) == (2, 2, 1)
    dump()
    a_record, b_record = _a_took_it_back(admin, a, b, sess)
    restore()
    lapse(admin)
    c = Desk(unit[1], "C")  # a third workstation takes the chair over on the restored server
    taken = c.take(uid)
    assert taken > 3 and q(admin, "SELECT how FROM lease_log WHERE epoch = %s", (taken,)) == [
        ("taken over after a restore",)]
    a, b = a.again(), b.again()
    assert a.append(sess, a_record[2:], 2, 3, heal=True) == "IVF01"  # its epoch 3 is from the lost history
    assert b.append(sess, b_record[2:], 2, 2, heal=True) == "IVF01"
    assert a.vouch(uid, 3) is False  # nor can a vouch take it back
    assert lease(admin) == [("C", taken)]


def test_a_higher_epoch_is_never_taken_without_a_restore(desks):
    admin, a, b, _dump, _restore = desks
    sess = new_infusion()
    assert a.append(sess, plan_and_start(), 0, 0) == (2, 2, 1)
    lapse(admin)
    assert b.append(sess, [{"at_min": 5.0, "kind": "stop", "who": "n", "reason": "x"}], 2, 2) == "IVN01"
    assert b.beat(sess["uid"], 7) is False
    assert b.vouch(sess["uid"], 7) is False
    assert lease(admin) == [("A", 1)] and q(admin, "SELECT how FROM lease_log") == [("new",)]
    assert len(stored(admin)) == 2


def test_a_vouch_is_written_down_and_takes_only_a_record_the_restore_left_unsure(desks):
    admin, a, b, dump, restore = desks
    sess = new_infusion()
    uid = sess["uid"]
    assert a.append(sess, plan_and_start(), 0, 0) == (2, 2, 1)
    assert a.vouch(uid, 1) is True  # an everyday reconnection: renewed, nothing written
    assert q(admin, "SELECT how FROM lease_log") == [("new",)]
    dump()
    restore()
    lapse(admin)
    a = a.again()
    assert a.append(sess, [note(3, "A")], 2, 1) == "IVR01"
    assert a.vouch(uid, 1) is True  # renewed moments before the restore, by its own clocks
    assert q(admin, "SELECT epoch, how FROM lease_log ORDER BY id") == [(1, "new"), (1, "vouched after a restore")]
    assert a.append(sess, [note(3, "A")], 2, 1) == (3, 1, 1)


@pytest.mark.parametrize("events, why", [
    ([{"kind": "start"}], "started twice"),
    ([{"kind": "pause"}, {"kind": "pause"}], "paused twice"),
    ([{"kind": "resume"}], "resumed, never paused"),
    ([{"kind": "stop", "reason": "x"}, {"kind": "start"}], "started after its end"),
    ([{"kind": "stop", "reason": "x"}, {"kind": "resume"}], "resumed after its end"),
    ([{"kind": "note", "text": "x", "at_min": 1e308}], "a time beyond any infusion"),
    ([{"kind": "note", "text": "x", "at_min": 9.0}, {"kind": "note", "text": "y", "at_min": 4.0}], "back in time"),
])
def test_the_server_refuses_what_no_replay_accepts(desks, events, why):
    admin, a, *_ = desks
    sess = new_infusion()
    assert a.append(sess, plan_and_start(), 0, 0) == (2, 2, 1)
    bodies = [{"at_min": 5.0, "who": "n", **e} for e in events]
    assert a.append(sess, bodies, 2, 1) == "IVN01", why
    assert len(stored(admin)) == 2


def test_the_server_takes_every_pump_sequence_the_app_records(desks):
    admin, a, *_ = desks
    sess = new_infusion()
    bodies = [{"at_min": 10.0, "kind": "pause", "who": "n"}, {"at_min": 12.0, "kind": "vitals", "who": "n"},
              {"at_min": 15.0, "kind": "resume", "who": "n", "rate_ml_h": 21.0},
              {"at_min": 20.0, "kind": "symptoms", "who": "n"}, {"at_min": 20.0, "kind": "action", "who": "n",
                                                                   "action": "pause"},
              {"at_min": 40.0, "kind": "resume", "who": "n", "rate_ml_h": 21.0},
              {"at_min": 50.0, "kind": "pause", "who": "n"}, {"at_min": 51.0, "kind": "stop", "who": "n"},
              {"at_min": 52.0, "kind": "note", "who": "n", "text": "after the end"}]
    assert a.append(sess, plan_and_start() + bodies, 0, 0) == (11, 11, 1)


def test_a_restored_live_lease_and_a_granted_claim_never_give_way(desks, unit):  # noqa: F811
    admin, a, b, dump, restore = desks
    sess = new_infusion()
    assert a.append(sess, plan_and_start(), 0, 0) == (2, 2, 1)
    dump()
    restore()  # restored at once: A's hold, brought back, has not expired, so nobody can have taken it over
    a, b = a.again(), b.again()
    rogue = Desk(unit[2], "R")
    assert rogue.append(sess, [note(3, "R")], 2, 2) == "IVF01"  # a made-up epoch on a live lease: refused
    assert a.append(sess, [note(3, "A")], 2, 1) == (3, 1, 1)
    # B claims a chair the restore left in doubt; once granted (live), a later epoch no longer takes it
    sess2 = new_infusion("Bay R/2")
    assert a.append(sess2, plan_and_start(), 0, 0) == (2, 2, 1)
    dump()
    lapse(admin)
    assert b.take(sess2["uid"]) == 2
    assert b.append(sess2, [note(5, "B took over", "B")], 2, 2) == (3, 1, 2)
    restore()
    lapse(admin)
    b, rogue = b.again(), Desk(unit[2], "R")
    assert b.append(sess2, [note(5, "B took over", "B")], 2, 2, heal=True) == (2, 0, -1)
    close_window(admin)
    assert b.append(sess2, [note(5, "B took over", "B")], 2, 2, heal=True) == (3, 1, 2)  # granted: B drives
    assert rogue.append(sess2, [note(6, "R")], 3, 3) == "IVF01"  # a live lease: a later epoch is refused
    assert rogue.beat(sess2["uid"], 3) is False and rogue.vouch(sess2["uid"], 3) is False
    assert b.append(sess2, [note(6, "B drives")], 3, 2) == (4, 1, 2)


def test_after_two_restores_the_later_takeover_still_wins(desks, unit):  # noqa: F811
    admin, a, b, dump, restore = desks
    sess = new_infusion()
    uid = sess["uid"]
    assert a.append(sess, plan_and_start(), 0, 0) == (2, 2, 1)
    dump()
    lapse(admin)
    assert b.take(uid) == 2
    assert b.append(sess, [pause(6, "B")], 2, 2) == (3, 1, 2)
    restore()  # B's takeover is forgotten
    lapse(admin)
    c = Desk(unit[1], "C")
    taken = c.take(uid)  # C takes the chair over on the restored server, and stops the infusion
    c_own = [note(7, "C took over", "C"), {"at_min": 8.0, "kind": "stop", "who": "n", "reason": "C", "by": "C"}]
    assert c.append(sess, c_own, 2, taken) == (4, 2, taken)
    restore()  # the same backup again: C's takeover is forgotten too
    lapse(admin)
    b, c = b.again(), Desk(unit[1], "C", c.inst)
    assert b.append(sess, [pause(6, "B")], 2, 2, heal=True) == (2, 0, -1)  # B back first: pending ...
    assert c.append(sess, c_own, 2, taken, heal=True) == (2, 0, -1)  # ... C's epoch follows the clock: higher
    close_window(admin)
    assert b.append(sess, [pause(6, "B")], 2, 2, heal=True) == "IVF01"
    assert c.append(sess, c_own, 2, taken, heal=True) == (4, 2, taken)
    assert lease(admin) == [("C", taken)] and stored(admin)[-1] == ("C", "stop")


def test_an_epoch_beyond_the_servers_clock_is_never_taken_and_the_log_keeps_every_row(desks):
    admin, a, b, dump, restore = desks
    sess = new_infusion()
    uid = sess["uid"]
    assert a.append(sess, plan_and_start(), 0, 0) == (2, 2, 1)
    dump()
    restore()
    lapse(admin)
    b = b.again()
    assert b.append(sess, [note(3, "B")], 2, 10 ** 9, heal=True) == "IVN01"
    assert b.append(new_infusion("Bay R/3"), plan_and_start(), 0, 10 ** 9, heal=True) == "IVN01"
    a = a.again()
    assert a.vouch(uid, 1) is True
    assert q(admin, "SELECT epoch, how FROM lease_log ORDER BY id") == [(1, "new"), (1, "vouched after a restore")]
    with pytest.raises(psycopg.Error):
        q(admin, "DELETE FROM lease_log")


def test_every_server_function_looks_in_a_callers_temporary_tables_last():
    """PostgreSQL searches the caller's temporary schema FIRST unless a function's search_path names
    pg_temp: a login could then put a table of its own (a lease_log, events) in place of the unit's."""
    import re

    from titration.store.pg_common import DEFINER
    from titration.store.pg_functions import FUNCTIONS
    from titration.store.pg_library import FUNCTIONS as LIBRARY

    for sig, sql in FUNCTIONS + LIBRARY:
        paths = re.findall(r"search_path = ((?:\w+, )*\w+)", sql.replace("{DEFINER}", DEFINER))
        assert paths and all(p.split(", ")[-1] == "pg_temp" for p in paths), (sig, paths)


def test_a_login_cannot_steer_the_rule_with_a_temporary_table_of_its_own(desks, unit):  # noqa: F811
    admin, a, b, _dump, _restore = desks
    sess = new_infusion()
    assert a.append(sess, plan_and_start(), 0, 0) == (2, 2, 1)
    rogue = Desk(unit[2], "R")
    (sid,) = q(admin, "SELECT id FROM sessions")[0]
    rogue.c.execute("CREATE TEMP TABLE lease_log(session_id bigint, epoch bigint, installation text, label text, "
                    "login text, how text, at timestamptz, id bigint)")
    rogue.c.execute("INSERT INTO lease_log VALUES (%s, 1, 'x', 'x', 'x', 'claimed after a restore', now(), 99)", (sid,))
    rogue.c.execute("CREATE TEMP TABLE events AS SELECT * FROM public.events WITH NO DATA")
    stop = {"at_min": 5.0, "kind": "stop", "who": "n", "reason": "rogue"}
    assert rogue.append(sess, [stop], 2, 2) == "IVN01"  # a made-up epoch on a live lease, as ever
    assert lease(admin) == [("A", 1)] and len(stored(admin)) == 2


def test_claims_a_backup_brought_back_count_for_nothing(desks):
    """A backup taken while claims were being compared, restored later: the window opens afresh."""
    admin, a, b, dump, restore = desks
    sess, a_record, b_record, a, b = _restored_after_a_took_it_back(admin, a, b, dump, restore)
    uid = sess["uid"]
    assert b.append(sess, b_record[2:], 2, 2, heal=True) == (2, 0, -1)  # B's claim is being compared ...
    dump()  # ... when a backup is taken
    restore()  # restored later, much later than the claims it brings back
    lapse(admin)
    close_window(admin)
    a, b = a.again(), b.again()
    assert b.append(sess, b_record[2:], 2, 2, heal=True) == (2, 0, -1)  # B back first: compared again, not granted
    assert a.append(sess, a_record[2:], 2, 3, heal=True) == (2, 0, -1)
    assert b.append(sess, b_record[2:], 2, 2, heal=True) == "IVF01"
    close_window(admin)
    assert a.append(sess, a_record[2:], 2, 3, heal=True) == (6, 4, 3)
    assert lease(admin) == [("A", 3)] and b.beat(uid, 2) is False
