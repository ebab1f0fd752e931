"""The live unit board's source: every chair's summary, then each change as it happens.

The server NOTIFYs the infusion's id on every append (pg_append); a listener LISTENs on its own
connection and reads back only the chairs named, never the whole table.
"""
from __future__ import annotations

from .pg_append import CHANNEL
from .pg_store import PgStore, connect


class UnitListener:
    def __init__(self, url: str):
        self.store = PgStore(url, readonly=True)
        self.conn = connect(url, autocommit=True)
        self.conn.execute(f"LISTEN {CHANNEL}")

    def snapshot(self) -> list[dict]:
        """Every chair of the unit now (the board's first paint)."""
        return self.store.summaries()

    def changes(self, timeout: float = 1.0) -> list[dict]:
        """The chairs that changed, waiting up to `timeout` seconds for the first change."""
        ids: set[int] = set()
        for n in self.conn.notifies(timeout=timeout, stop_after=1):
            ids.add(int(n.payload))
        for n in self.conn.notifies(timeout=0.05):  # gather a burst into one refresh
            ids.add(int(n.payload))
        return self.store.summaries(ids) if ids else []

    def session(self, uid: str):
        """One infusion as the server holds it now (a chair another workstation drives, read-only)."""
        from ..session import Session

        d = self.store.session_by_uid(uid)
        return None if d is None else Session.replay(self.store.events(d["id"]))

    def close(self) -> None:
        self.conn.close()
        self.store.close()
