"""The live unit board's source: every chair's summary, then each change as it happens.

The server NOTIFYs the infusion's id on every change (pg_functions); a listener LISTENs on its own
connection and reads back only the chairs named, never the whole table. A quiet board still asks
the server something every PROBE_S, so a silent network cut is noticed (and said) within seconds.
"""
from __future__ import annotations

import time

from .base import ServerUnreachable
from .pg_common import CHANNEL
from .pg_conn import connect, first_line, psycopg
from .pg_store import PgStore

PROBE_S = 5.0


class UnitListener:
    def __init__(self, url: str):
        self.store = PgStore(url, readonly=True)
        try:
            self.conn = connect(url, autocommit=True)
            self.conn.execute(f"LISTEN {CHANNEL}")
        except BaseException:
            self.store.close()
            raise
        self._probed = time.monotonic()
        self.answered = self._probed  # when the server last answered (monotonic): a watching board's "not updated"

    def snapshot(self) -> list[dict]:
        """Every chair of the unit now (the board's first paint)."""
        rows = self.store.summaries()
        self.answered = time.monotonic()
        return rows

    def changes(self, timeout: float = 1.0) -> list[dict]:
        """The chairs that changed, waiting up to `timeout` seconds for the first change."""
        ids: set[int] = set()
        try:
            for n in self.conn.notifies(timeout=timeout, stop_after=1):
                ids |= _chair_id(n.payload)
            for n in self.conn.notifies(timeout=0.05):  # gather a burst into one refresh
                ids |= _chair_id(n.payload)
        except psycopg().OperationalError as exc:
            raise ServerUnreachable(f"the unit board lost the unit server {self.store.path}: {first_line(exc)}") \
                from None
        if not ids and time.monotonic() - self._probed > PROBE_S:
            self._probed = time.monotonic()
            self.store.q("SELECT 1")  # time-limited: a silent cut raises here
            with_limit_probe(self.conn)
            self.answered = time.monotonic()
        if not ids:
            return []
        rows = self.store.summaries(ids)
        self.answered = time.monotonic()
        return rows

    def session(self, uid: str):
        """One infusion as the server holds it now (a chair another workstation drives, read-only)."""
        from ..session import Session

        d = self.store.session_by_uid(uid)
        return None if d is None else Session.replay(self.store.events(d["id"]))

    def close(self) -> None:
        self.conn.close()
        self.store.close()


def _chair_id(payload: str) -> set[int]:
    """Any role may NOTIFY on the channel: what is not an infusion's id is ignored, never fatal."""
    return {int(payload)} if payload.isdigit() and len(payload) < 19 else set()


def with_limit_probe(conn) -> None:
    """The LISTEN connection answers too (a cut one would never deliver a notification)."""
    from .pg_conn import limit

    try:
        with limit(conn):
            conn.execute("SELECT 1")
    except psycopg().OperationalError as exc:
        raise ServerUnreachable(f"the unit board's connection stopped answering: {first_line(exc)}") from None
