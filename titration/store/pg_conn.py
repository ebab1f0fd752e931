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
the connection string, in any spelling, is refused, and no message shows one.
"""
from __future__ import annotations

import os
import socket
import threading
from contextlib import contextmanager

from .base import JournalError, ServerUnreachable, has_password, scrub

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
    except psycopg().ProgrammingError as exc:
        raise JournalError(f"the unit server's connection string {scrub(url)} cannot be read: "
                           f"{first_line(exc)}") from None
    for k, v in CLIENT_LIMITS.items():
        params.setdefault(k, v)
    params["options"] = (str(params.get("options") or "") + " " + SERVER_OPTIONS).strip()
    params.setdefault("application_name", "ivig-titration")
    return make_conninfo("", **params)


PASSWORD_REFUSED = ("the unit server's connection string holds a password: put it in ~/.pgpass, a service file or "
                    "PGPASSWORD instead, never on the command line or in IVIG_DB")


def connect(url: str, *, autocommit: bool = False):
    """A connection, or ServerUnreachable saying why (without the password)."""
    if has_password(url):
        raise JournalError(PASSWORD_REFUSED)
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
