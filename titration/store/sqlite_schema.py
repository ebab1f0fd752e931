"""The local journal's schema (SQLite) and its versioned migrations.

A migration runs in one transaction; the file is copied aside first (`.bak-vN`), as desktop
apps do before they change a file's format.
"""
from __future__ import annotations

import json
import sqlite3
from typing import Callable

from ..session import Session
from .base import GENESIS

APP_ID = 0x49564947  # "IVIG" in PRAGMA application_id: our journal, not any SQLite file


def _m1(c: sqlite3.Connection) -> None:
    """The record itself: sessions, chained events, the chain head."""
    c.execute("""CREATE TABLE sessions(
        id INTEGER PRIMARY KEY AUTOINCREMENT, chair TEXT NOT NULL, patient_id TEXT,
        training INTEGER NOT NULL, wall_start REAL NOT NULL, created_wall REAL NOT NULL)""")
    c.execute("""CREATE TABLE events(
        id INTEGER PRIMARY KEY AUTOINCREMENT, session_id INTEGER NOT NULL REFERENCES sessions(id),
        seq INTEGER NOT NULL, wall REAL NOT NULL, body TEXT NOT NULL,
        prev_hash TEXT NOT NULL, hash TEXT NOT NULL, UNIQUE(session_id, seq))""")
    c.execute("CREATE TABLE chain_head(one INTEGER PRIMARY KEY CHECK (one = 1), n INTEGER NOT NULL, "
              "hash TEXT NOT NULL)")
    c.execute("INSERT INTO chain_head VALUES (1, 0, ?)", (GENESIS,))


def _m2(c: sqlite3.Connection) -> None:
    """Derived columns for fast listing and recovery (status, product), the simulation speed and
    a heartbeat. They are caches of what the events say, so they stay outside the hash chain."""
    for col in ("speed REAL NOT NULL DEFAULT 1.0", "status TEXT NOT NULL DEFAULT 'planned'",
                "product TEXT", "alive_wall REAL"):
        c.execute(f"ALTER TABLE sessions ADD COLUMN {col}")
    c.execute("CREATE INDEX sessions_patient ON sessions(patient_id, training)")
    c.execute("CREATE INDEX sessions_status ON sessions(status)")
    for (sid,) in c.execute("SELECT id FROM sessions").fetchall():
        bodies = [json.loads(b) for (b,) in
                  c.execute("SELECT body FROM events WHERE session_id=? ORDER BY seq", (sid,))]
        try:
            s = Session.replay(bodies)
            status, product = s.status, s.original_plan.request.product
        except Exception:  # noqa: BLE001 - an unreadable session keeps its events; verify() will say why
            status, product = "planned", None
        c.execute("UPDATE sessions SET status=?, product=? WHERE id=?", (status, product, sid))


def _m3(c: sqlite3.Connection) -> None:
    """The unit server: an infusion's id across workstations (uid), who recorded each event
    (workstation, nurse; both hashed), and the outbox: how much of a session the server has."""
    for col in ("uid TEXT", "workstation TEXT", "nurse TEXT"):
        c.execute(f"ALTER TABLE sessions ADD COLUMN {col}")
    c.execute("CREATE UNIQUE INDEX sessions_uid ON sessions(uid)")
    for col in ("workstation TEXT", "nurse TEXT"):
        c.execute(f"ALTER TABLE events ADD COLUMN {col}")
    c.execute("""CREATE TABLE outbox(session_id INTEGER PRIMARY KEY REFERENCES sessions(id),
        sent INTEGER NOT NULL DEFAULT 0)""")


def _m4(c: sqlite3.Connection) -> None:
    """The unit server under faults: what the outbox knows of each infusion on the server (the
    lease's epoch it holds, the server's hash of the last event it confirmed, whether another
    workstation took it over), and this installation's own id (its identity on the server; the
    host name is only a label). One infusion may have two local records after a take-back (the
    older one kept, superseded): its uid is no longer unique here."""
    for col in ("epoch INTEGER NOT NULL DEFAULT 0", "confirmed_hash TEXT", "state TEXT NOT NULL DEFAULT 'open'",
                "why TEXT", "healed INTEGER NOT NULL DEFAULT 0", "healed_wall REAL"):
        c.execute(f"ALTER TABLE outbox ADD COLUMN {col}")
    c.execute("DROP INDEX IF EXISTS sessions_uid")
    c.execute("CREATE INDEX sessions_by_uid ON sessions(uid)")
    c.execute("CREATE TABLE station(one INTEGER PRIMARY KEY CHECK (one = 1), installation TEXT NOT NULL)")


MIGRATIONS: list[tuple[int, Callable[[sqlite3.Connection], None]]] = [(1, _m1), (2, _m2), (3, _m3), (4, _m4)]
LATEST = MIGRATIONS[-1][0]


def migrate(c: sqlite3.Connection, version: int) -> None:
    for v, step in MIGRATIONS:
        if v <= version:
            continue
        c.execute("BEGIN IMMEDIATE")
        try:
            if v == 1:
                c.execute(f"PRAGMA application_id={APP_ID}")
                c.execute("CREATE TABLE schema_version(version INTEGER NOT NULL)")
                c.execute("INSERT INTO schema_version VALUES (0)")
            step(c)
            c.execute("UPDATE schema_version SET version=?", (v,))
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise
