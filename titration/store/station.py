"""This workstation's writing connection to the unit server: it says which installation it is
(hello), then appends, renews, takes over and compares through the server's functions only.

Errors are sorted by what they mean for the nurse:
- `ServerUnreachable`: the server cannot be reached, or did not answer in time (the whole outbox
  waits; the red line says why);
- `ServerBusy`: it answered, but a lock was held too long (the whole pass waits, and says so);
- `DuplicateStation`: another live workstation uses this installation's id (nothing is sent);
- `Refused` (and `Fenced`): the server said no for one infusion (that one waits, kept and shown;
  the others go on).
"""
from __future__ import annotations

import json
import time
import uuid

from .base import JournalError, LeaseHeld, ServerUnreachable, check_name, identity
from .pg_common import (
    ACTIVE,
    BAD,
    BUSY,
    CLAIM_WINDOW_S,
    CONFLICT,
    DUPLICATE,
    FENCED,
    GAP,
    HELD,
    IDENTITY,
    LAPSED,
    OTHER_LOGIN,
    STATION,
    UNKNOWN,
)
from .pg_conn import OutOfStep, call, first_line, limit
from .pg_store import PgStore


class ServerBusy(ServerUnreachable):
    """The server answered but could not do it in time (a lock held elsewhere)."""


class DuplicateStation(JournalError):
    """Another live workstation is connected with this installation's id."""


class Refused(JournalError):
    """The server refused one infusion's events; they stay in the outbox and are shown."""

    def __init__(self, message: str, code: str = "", detail: dict | None = None):
        super().__init__(message)
        self.code = code
        self.detail = detail or {}


class Fenced(Refused):
    """Another workstation took the infusion over (a later epoch): read-only here."""


class ClaimPending(Refused):
    """After a restore: this workstation's later takeover waits while the server hears which
    workstations come back (pg_leases.py); its events wait, and are sent again at the next pass."""


class Held(Refused, LeaseHeld):
    """Another workstation holds the infusion's lease (live)."""


class ActiveElsewhere(Refused):
    """A new infusion whose patient, or chair, already has an active infusion on the unit."""


def new_instance() -> str:
    """This run of the app (a process): tells its own older connection from another workstation's."""
    return uuid.uuid4().hex


class Station:
    def __init__(self, url: str, installation: str, instance: str, label: str):
        self.url = url
        self.installation = installation
        self.instance = instance
        self.label = label
        self.store = PgStore(url)
        self.server_now = 0.0
        try:
            self._hello()
        except BaseException:
            self.close()
            raise

    @property
    def conn(self):
        return self.store.conn

    def close(self) -> None:
        self.store.close()

    def _hello(self) -> None:
        rows = self.call("SELECT * FROM ivig_hello(%s, %s, %s)", (self.installation, self.instance, self.label))
        now, stale = _one(rows, 2)
        for _ in range(10):  # this run's previous connection, not yet dropped by the server: end it
            if stale is None:
                break
            self.call("SELECT pg_terminate_backend(%s)", (stale,))
            time.sleep(0.2)  # it lets go of its lock as it ends
            now, stale = _one(self.call("SELECT * FROM ivig_hello(%s, %s, %s)",
                                        (self.installation, self.instance, self.label)), 2)
        if stale is not None:
            raise ServerBusy("the unit server still holds this workstation's previous connection; it lets go "
                             "within 30 s")
        self.server_now = now

    # ------------------------------------------------------------------ calls
    def call(self, sql: str, args=()) -> list[tuple]:
        pg = self.store._pg
        try:
            with limit(self.conn) as fired:
                return call(self.conn, sql, args)
        except pg.errors.LockNotAvailable as exc:
            raise ServerBusy(f"the unit server {self.store.path} is busy (a lock was held too long: "
                             f"{first_line(exc)}); trying again") from None
        except pg.errors.QueryCanceled as exc:
            raise ServerBusy(f"the unit server {self.store.path} took too long and stopped the call "
                             f"({first_line(exc)}); trying again") from None
        except pg.OperationalError as exc:
            why = "it did not answer within the time limit" if fired.is_set() else first_line(exc)
            raise ServerUnreachable(f"the unit server {self.store.path} stopped answering: {why}") from None
        except pg.Error as exc:
            raise _refusal(exc, self.store.path) from None

    def append(self, sess: dict, events: list[tuple], epoch: int, heal: bool = False) -> tuple[int, int, int, str]:
        """Append one infusion's events: (events the server holds, added now, epoch, hash of the last).
        `heal`: events the server once confirmed, sent again after a restore; the lease is left as
        it is (one in doubt stays so: pg_leases.py)."""
        rows = self.call(
            "SELECT * FROM ivig_append(%s, %s, %s, %s::jsonb, %s::integer[], %s::float8[], %s::text[], %s::text[], "
            "%s::text[], %s)",
            (self.installation, self.instance, epoch, json.dumps(sess), [e[0] for e in events],
             [float(e[1]) for e in events], [e[2] for e in events], [e[3] for e in events], [e[4] for e in events],
             heal))
        have, added, ep, last = _one(rows, 4)
        if not (isinstance(have, int) and isinstance(added, int) and isinstance(ep, int)) or added > len(events):
            raise OutOfStep("the unit server's answer to a send could not be read; connecting again")
        if ep == -1:
            raise ClaimPending(f"the unit server was restored from a backup: this workstation's takeover of chair "
                               f"{sess.get('chair', '?')} is compared with those of the other workstations that come "
                               f"back (for {CLAIM_WINDOW_S // 60} minutes); its events wait here")
        return have, added, ep, last

    def beat(self, held: list[tuple[str, int]]) -> list[tuple]:
        """Renew these leases: (uid, held, holder, epoch, since) for each the server knows."""
        held = sorted(held)  # one order for every workstation: no deadlock
        return _for(self.call("SELECT * FROM ivig_beat(%s, %s, %s::text[], %s::bigint[])",
                              (self.installation, self.instance, [u for u, _ in held], [e for _, e in held])),
                    [u for u, _ in held], 5)

    def vouch(self, held: list[tuple[str, int]]) -> list[tuple]:
        """These leases were renewed by this run less than a lease's length ago: (uid, renewed)."""
        held = sorted(held)
        return _for(self.call("SELECT * FROM ivig_vouch(%s, %s, %s::text[], %s::bigint[])",
                              (self.installation, self.instance, [u for u, _ in held], [e for _, e in held])),
                    [u for u, _ in held], 2)

    def take(self, uid: str) -> dict:
        row = _one(self.call("SELECT * FROM ivig_take(%s, %s, %s)", (self.installation, self.instance, uid)), 8)
        keys = ("session_id", "chair", "from", "was_mine", "epoch", "server_now", "last_alive", "last_received")
        return dict(zip(keys, row))

    def active(self, uid: str | None, chair: str, patient_id: str | None, training: bool) -> list:
        """The unit's active infusions in the way of a new one (store/active.py), the patient's first."""
        rows = self.call("SELECT * FROM ivig_active(%s, %s, %s, %s)", (uid, chair, patient_id, bool(training)))
        if any(len(r) != 8 for r in rows):
            raise OutOfStep("the unit server's answer could not be read (a damaged or repeated packet?); "
                            "connecting again")
        return [_active(r[1:]) for r in rows]

    def heads(self, items: list[tuple[str, int]]) -> list[tuple]:
        """(uid, n, hash at upto-1, digest of bodies below upto, mine, holder, epoch, since) per infusion."""
        return _for(self.call("SELECT * FROM ivig_heads(%s, %s, %s::text[], %s::integer[])",
                              (self.installation, self.instance, [u for u, _ in items], [n for _, n in items])),
                    [u for u, _ in items], 8)


def _one(rows: list[tuple], width: int) -> tuple:
    """The one row a function answers, of its width (else the answer is not this call's)."""
    if len(rows) != 1 or len(rows[0]) != width:
        raise OutOfStep("the unit server's answer could not be read (a damaged or repeated packet?); "
                        "connecting again")
    return rows[0]


def _for(rows: list[tuple], uids: list[str], width: int) -> list[tuple]:
    """Rows of a per-infusion answer, each about one of the infusions asked about."""
    asked = set(uids)
    if any(len(r) != width or r[0] not in asked for r in rows):
        raise OutOfStep("the unit server's answer could not be read (a damaged or repeated packet?); "
                        "connecting again")
    return rows


def _refusal(exc, where: str) -> JournalError:
    code = getattr(exc, "sqlstate", "") or ""
    if not code or code[:2] in ("08", "57", "53", "58", "XX") or code == "40001":
        # the driver's own trouble (a protocol error, a lost connection), the server going down or
        # short of resources: the connection is made again, nothing is refused
        return ServerUnreachable(f"the unit server {where} could not take the call "
                                 f"({first_line(exc)}); connecting again")
    if code == BUSY:
        return ServerBusy(f"the unit server {where} is busy ({first_line(exc)}); trying again")
    message = first_line(getattr(exc.diag, "message_primary", None) or exc)
    try:
        detail = json.loads(exc.diag.message_detail or "{}")
    except ValueError:
        detail = {}
    if code in (DUPLICATE, OTHER_LOGIN):
        return DuplicateStation(message)
    if code == STATION:
        return ServerUnreachable(f"the unit server {where} lost track of this connection: {message}")
    if code == FENCED:
        return Fenced(message, code, detail)
    if code == HELD:
        return Held(message, code, detail)
    if code == ACTIVE:
        return _active_elsewhere(message, detail)
    if code in (CONFLICT, IDENTITY, GAP, BAD, UNKNOWN, LAPSED):
        return Refused(message, code, detail)
    # Anything else the server or the driver refuses for this call (a NUL byte in an old record, ...)
    return Refused(f"the unit server {where} refused: {message}", code)


def _active(row):
    from .active import Active

    chair, pid, training, ws, wall_start, status, uid = row
    return Active(chair, pid, bool(training), ws or "", float(wall_start), status, uid)


def _active_elsewhere(message: str, detail: dict) -> ActiveElsewhere:
    """The server's refusal of a new infusion, in the nurse's words (times on this workstation's clock)."""
    from .active import refusal_line

    try:
        a = _active((detail["chair"], detail.get("patient_id"), detail.get("training"), detail.get("workstation"),
                     detail["wall_start"], detail.get("status", "running"), detail.get("uid")))
        line = refusal_line(detail.get("rule", "chair"), a, detail.get("new_chair") or a.chair,
                            detail.get("new_patient"))
    except (KeyError, TypeError, ValueError):
        line = message
    return ActiveElsewhere(line, ACTIVE, detail)


def infusion_of(row: tuple) -> tuple[dict, dict]:
    """What the server is told of an infusion with its events, and what its local chain is checked
    against, from an `odb.to_send` row. Refused when a name holds what the server refuses anyway."""
    sid, _sent, _n, _epoch, uid, chair, pid, training, wall_start, speed, product, ws, nurse = row
    for field, value in (("the chair's name", chair), ("the patient identifier", pid),
                         ("the workstation name", ws), ("the nurse's name", nurse)):
        try:
            check_name(field, value, empty_ok=True)
        except JournalError as exc:  # an old record: the server would refuse it anyway
            raise Refused(f"{exc}; kept here, not sent") from None
    sess = {"uid": uid, "chair": chair, "patient_id": pid, "training": bool(training), "wall_start": wall_start,
            "speed": speed, "product": product, "workstation": ws or "", "nurse": nurse or ""}
    return sess, identity(sid, chair, pid, training, wall_start, uid, speed)
