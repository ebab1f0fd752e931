"""A connection for reading the unit server (a chair watched from here), made on demand and made
again when the one kept no longer answers."""
from __future__ import annotations

from .base import JournalError


class ServerReader:
    def __init__(self, url: str):
        self.url = url
        self._store = None

    def get(self):
        from .pg_store import PgStore  # the database driver only when a chair is watched

        if self._store is not None:
            try:
                self._store.q("SELECT 1")
                return self._store
            except JournalError:
                self.close()
        self._store = PgStore(self.url, readonly=True)
        return self._store

    def close(self) -> None:
        store, self._store = self._store, None
        if store is not None:
            store.close()
