"""Connecting to the unit server with a time limit on everything (psycopg, imported only here).

A hospital network fails quietly: packets dropped, no reset. So every call has a limit:
- connecting: `connect_timeout`;
- on the server: `statement_timeout`, `lock_timeout` (a held row lock cannot hang a send) and
  `idle_in_transaction_session_timeout`; TCP keepalives and `tcp_user_timeout` on the server's
  side too, so the server drops a workstation that vanished (and lets go of its locks);
- on this side: TCP keepalives and `tcp_user_timeout`, and a watchdog: a call that has not
  returned after CALL_LIMIT_S has its socket shut down, which ends the wait at once whatever the
  network does (a proxy that swallows packets answers the kernel's keepalives itself).

Credentials come from libpq's own places (~/.pgpass, PGPASSWORD, a service file): a password in
the connection string, in any spelling, is refused, so is a keyword libpq does not know (a misspelt
`pasword=`), and no message shows a value of the string.

A call's answer is checked to be the answer to that call (`call`): each carries a random tag the
server echoes, so a packet the network repeated (its answer read by the next call) is a lost
connection to make again, never another call's result taken as this one's.
"""
from __future__ import annotations

import os
import socket
import threading
import uuid
from contextlib import contextmanager

from .base import PASSWORD_REFUSED, JournalError, ServerUnreachable, connection_problem, scrub

CONNECT_TIMEOUT_S = 4
STATEMENT_TIMEOUT_MS = 6000
LOCK_TIMEOUT_MS = 3000
IDLE_IN_TX_MS = 20000
CALL_LIMIT_S = 8.0  # the watchdog: a little over the statement timeout
SERVER_OPTIONS = (f"-c statement_timeout={STATEMENT_TIMEOUT_MS} -c lock_timeout={LOCK_TIMEOUT_MS} "
                  f"-c idle_in_transaction_session_timeout={IDLE_IN_TX_MS} -c tcp_keepalives_idle=5 "
                  "-c tcp_keepalives_interval=2 -c tcp_keepalives_count=3 -c tcp_user_timeout=10000")
CLIENT_LIMITS = {"connect_timeout": str(CONNECT_TIMEOUT_S), "keepalives": "1", "keepalives_idle": "5",
                 "keepalives_interval": "2", "keepalives_count": "3", "tcp_user_timeout": "10000"}


def psycopg():
    try:
        import psycopg as pg
    except ImportError:
        raise JournalError("the unit server needs the psycopg package (pip install 'psycopg[binary]'); "
                           "install it, or use a journal file with --db PATH") from None
    return pg


def first_line(exc) -> str:
    return scrub(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)


def conninfo(url: str) -> str:
    """The connection string with our limits added (the user's own settings win, except that the
    server-side limits are always added to any `options` given)."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    try:
        params = conninfo_to_dict(url.strip())
    except psycopg().ProgrammingError:  # libpq's message may quote the string: never shown
        raise JournalError("the unit server's connection string cannot be read (it is not shown: it may hold a "
                           "secret); write it as host=... dbname=... user=..., or postgresql://user@host/dbname") \
            from None
    for k, v in CLIENT_LIMITS.items():
        params.setdefault(k, v)
    params["options"] = (str(params.get("options") or "") + " " + SERVER_OPTIONS).strip()
    params.setdefault("application_name", "ivig-titration")
    return make_conninfo("", **params)


__all__ = ["PASSWORD_REFUSED", "call", "connect", "cut", "limit", "watchdog"]


class OutOfStep(ServerUnreachable):
    """An answer that belongs to another call (a repeated packet): the connection is made again."""


def connect(url: str, *, autocommit: bool = False):
    """A connection, or ServerUnreachable saying why (without the password)."""
    problem = connection_problem(url)
    if problem:
        raise JournalError(problem)
    pg = psycopg()
    info = conninfo(url)
    try:
        return pg.connect(info, autocommit=autocommit)
    except pg.Error as exc:
        raise ServerUnreachable(f"cannot reach the unit server {scrub(url)}: {first_line(exc)}") from None


def cut(conn) -> None:
    """End a connection's wait at once (from another thread): shut its socket down."""
    try:
        fd = conn.pgconn.socket
    except Exception:  # noqa: BLE001 - closed already, or never opened: nothing waits on it
        return
    try:
        s = socket.socket(fileno=os.dup(fd))
    except OSError:
        return
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    finally:
        s.close()


@contextmanager
def limit(conn, seconds: float = CALL_LIMIT_S):
    """Run a call with a watchdog: after `seconds` its socket is shut down and the call fails
    (OperationalError) instead of waiting on a network that does not answer."""
    fired = threading.Event()

    def fire() -> None:
        fired.set()
        cut(conn)

    t = threading.Timer(seconds, fire)
    t.daemon = True
    t.start()
    try:
        yield fired
    finally:
        t.cancel()


class Watchdog:
    """A watchdog for a long walk (verify): it cuts the connection when no progress was made for
    `seconds`, whatever the step (BEGIN, a fetch, CLOSE, COMMIT); `pet()` after each step."""

    def __init__(self, conn, seconds: float = CALL_LIMIT_S):
        self.conn = conn
        self.seconds = seconds
        self.fired = threading.Event()
        self._last = 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="ivig-watchdog", daemon=True)

    def pet(self) -> None:
        import time

        self._last = time.monotonic()

    def _watch(self) -> None:
        import time

        while not self._done.wait(min(1.0, self.seconds / 4)):
            if time.monotonic() - self._last > self.seconds:
                self.fired.set()
                cut(self.conn)
                return

    def __enter__(self) -> "Watchdog":
        self.pet()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join(timeout=2)


def watchdog(conn, seconds: float = CALL_LIMIT_S) -> Watchdog:
    return Watchdog(conn, seconds)


def tagged(sql: str) -> str:
    """`sql` with a tag column first (and one row, of NULLs after the tag, when it has none), in
    its own order, so that every answer says which call it answers."""
    return (f"SELECT %s::text AS ivig_tag, x.* FROM (VALUES (1)) AS ivig_one(o) LEFT JOIN LATERAL "
            f"(SELECT row_number() OVER () AS ivig_row, q.* FROM ({sql}) AS q) AS x ON true ORDER BY x.ivig_row")


def call(conn, sql: str, args=()) -> list[tuple]:
    """Run `sql` and return its rows, checked to be the answer to this call (OutOfStep if not)."""
    tag = uuid.uuid4().hex
    rows = conn.execute(tagged(sql), (tag, *args)).fetchall()
    if not rows or any(r[0] != tag for r in rows):
        raise OutOfStep("the unit server's answer belonged to another call (a repeated or damaged packet on the "
                        "network); connecting again")
    return [tuple(r[2:]) for r in rows if r[1] is not None]
