"""The unit server store (PostgreSQL through psycopg 3, imported only here, only when used).

Credentials come from libpq's own places (~/.pgpass, PGPASSWORD, a service file): a password
in the URL is refused, and every message scrubs the URL. TLS is whatever the URL's `sslmode`
asks for.
"""
from __future__ import annotations

import json

from .base import JournalError, ServerUnreachable, Store, has_password, identity, scrub, session_filter
from .chain import body_of, check_caches, walk
from .pg_schema import LATEST, MIGRATIONS, ROLE

CONNECT_TIMEOUT_S = 5
SESSION_COLS = ("s.id, s.chair, s.patient_id, s.training, s.wall_start, s.speed, coalesce(c.status, 'planned'), "
                "s.product, c.alive_wall, (SELECT count(*) FROM events e WHERE e.session_id = s.id), "
                "(SELECT max(wall) FROM events e WHERE e.session_id = s.id), s.uid, "
                "(SELECT min(wall) FROM events e WHERE e.session_id = s.id), (c.summary->>'events')::int")
SESSION_KEYS = ("id", "chair", "patient_id", "training", "wall_start", "speed", "status", "product", "alive_wall",
                "n_events", "last_wall", "uid", "first_wall",
                "status_of_n")


def psycopg():
    try:
        import psycopg as pg
    except ImportError:
        raise JournalError("the unit server needs the psycopg package (pip install 'psycopg[binary]'); "
                           "install it, or use a journal file with --db PATH") from None
    return pg


def connect(url: str, *, autocommit: bool = False):
    """A connection, or ServerUnreachable saying why (without the password)."""
    if has_password(url):
        raise JournalError(f"the server address {scrub(url)} holds a password: put it in ~/.pgpass, a service "
                           "file or PGPASSWORD instead, never on the command line")
    pg = psycopg()
    try:
        return pg.connect(url, autocommit=autocommit, connect_timeout=CONNECT_TIMEOUT_S)
    except pg.Error as exc:
        raise ServerUnreachable(f"cannot reach the unit server {scrub(url)}: {_first_line(exc)}") from None


def _first_line(exc) -> str:
    return scrub(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)


def schema_version(cur) -> int:
    cur.execute("SELECT to_regclass('public.schema_version') IS NOT NULL")
    if not cur.fetchone()[0]:
        return 0
    cur.execute("SELECT version FROM schema_version")
    row = cur.fetchone()
    return int(row[0]) if row else 0


def init_schema(url: str) -> tuple[int, int]:
    """Create or upgrade the unit's schema; (version before, version now)."""
    conn = connect(url)
    pg = psycopg()
    try:
        with conn.transaction():
            cur = conn.cursor()
            cur.execute("SELECT pg_advisory_xact_lock(4951)")  # two installers at once wait in turn
            before = schema_version(cur)
            if before > LATEST:
                raise JournalError(f"the unit server {scrub(url)} was set up by a newer version of this app "
                                   f"(schema {before}; this version knows up to {LATEST}); update the app")
            if before == 0:
                cur.execute("CREATE TABLE schema_version(version integer NOT NULL)")
                cur.execute("INSERT INTO schema_version VALUES (0)")
            for v, sql in MIGRATIONS:
                if v > before:
                    cur.execute(sql)
                    cur.execute("UPDATE schema_version SET version=%s", (v,))
            cur.execute(ROLE)
        return before, LATEST
    except pg.Error as exc:
        raise JournalError(f"setting up the unit server {scrub(url)} failed: {_first_line(exc)}") from None
    finally:
        conn.close()


class PgStore(Store):
    """Reads (and, for the outbox, appends to) the unit server."""

    kind = "postgresql"

    def __init__(self, url: str, *, readonly: bool = False):
        self.url = url
        self.path = scrub(url)
        self.notice = ""
        self.readonly = readonly
        self.conn = connect(url, autocommit=True)
        self._pg = psycopg()
        try:
            version = schema_version(self.conn.cursor())
        except self._pg.OperationalError as exc:
            self.close()
            raise ServerUnreachable(f"the unit server {self.path} did not answer: {_first_line(exc)}") from None
        except self._pg.Error as exc:  # answered, but no (a permission missing, ...)
            self.close()
            raise JournalError(f"the unit server {self.path} refused: {_first_line(exc)}") from None
        if version == 0:
            self.close()
            raise JournalError(f"the unit server {self.path} has no journal yet: run `python main.py unit init "
                               "--db URL` once")
        if version > LATEST:
            self.close()
            raise JournalError(f"the unit server {self.path} was set up by a newer version of this app (schema "
                               f"{version}; this version knows up to {LATEST}); update the app")
        if version < LATEST:
            self.close()
            raise JournalError(f"the unit server {self.path} has schema {version}; run `python main.py unit init "
                               "--db URL` to upgrade it")

    @property
    def label(self) -> str:
        return self.path

    def close(self) -> None:
        if getattr(self, "conn", None) is not None:
            self.conn.close()
            self.conn = None

    def q(self, sql: str, args=()):
        try:
            return self.conn.execute(sql, args).fetchall()
        except self._pg.OperationalError as exc:
            raise ServerUnreachable(f"the unit server {self.path} stopped answering: {_first_line(exc)}") from None
        except self._pg.Error as exc:
            raise JournalError(f"the unit server {self.path} refused: {_first_line(exc)}") from None

    # ------------------------------------------------------------------ reading
    def sessions(self, training: bool | None = None, patient_id: str | None = None) -> list[dict]:
        q = f"SELECT {SESSION_COLS} FROM sessions s LEFT JOIN chairs c ON c.session_id = s.id"
        where, args = session_filter(training, patient_id, "%s")
        q += where + " ORDER BY s.wall_start, s.id"
        return [dict(zip(SESSION_KEYS, r)) for r in self.q(q, args)]

    def session_by_uid(self, uid: str) -> dict | None:
        rows = self.q(f"SELECT {SESSION_COLS} FROM sessions s LEFT JOIN chairs c ON c.session_id = s.id "
                      "WHERE s.uid = %s", (uid,))
        return dict(zip(SESSION_KEYS, rows[0])) if rows else None

    def event_rows(self, session_id: int):
        cur = self.conn.cursor(name=None)
        cur.execute("SELECT id, seq, convert_to(body, 'UTF8') FROM events WHERE session_id=%s ORDER BY seq",
                    (session_id,))
        for rid, seq, raw in cur:
            ev, why = body_of(raw)
            yield rid, seq, ev, why

    def verify(self) -> list[str]:
        with self.conn.transaction():  # one snapshot: a writer appending meanwhile is not a broken chain
            self.conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            head = self.conn.execute("SELECT n, hash FROM chain_head").fetchone()
            meta = {r[0]: identity(*r) for r in self.conn.execute(
                "SELECT id, chair, patient_id, training, wall_start, uid, speed FROM sessions").fetchall()}
            cur = self.conn.cursor()
            cur.execute("SELECT id, session_id, seq, wall, convert_to(body, 'UTF8'), prev_hash, hash, workstation, "
                        "nurse FROM events ORDER BY id")
            problems = walk(cur, meta, (head[0], head[1]))
        if not problems:
            problems += check_caches(self)
        return problems

    def summaries(self, session_ids=None, include_ended_h: float = 12.0) -> list[dict]:
        """The unit board's rows: each chair's summary with who holds it (one query)."""
        q = ("SELECT s.id, s.uid, s.chair, s.patient_id, s.training, c.status, c.summary, c.n_events, c.last_wall, "
             "c.alive_wall, l.workstation, l.nurse, extract(epoch FROM l.expires)::float8, l.expires > now(), "
             "s.workstation "
             "FROM chairs c JOIN sessions s ON s.id = c.session_id LEFT JOIN leases l ON l.session_id = s.id ")
        if session_ids is not None:
            rows = self.q(q + "WHERE s.id = ANY(%s) ORDER BY s.chair, s.id", (list(session_ids),))
        else:
            rows = self.q(q + "WHERE c.status NOT IN ('completed', 'stopped', 'closed', 'set-aside') "
                          "OR c.updated > now() - make_interval(secs => %s) ORDER BY s.chair, s.id",
                          (include_ended_h * 3600,))
        out = []
        for (sid, uid, chair, pid, training, status, summ, n, last_wall, alive, holder, nurse, expires, live,
             ws) in rows:
            d = dict(summ if isinstance(summ, dict) else json.loads(summ))
            bay = chair.split("/", 1)[0].strip() if "/" in chair else ""  # "Bay A/3": bay A, chair 3
            d.update({"session_id": sid, "uid": uid, "chair": chair, "bay": bay, "patient_id": pid,
                      "training": training,
                      "status": status, "n_events": n, "last_wall": last_wall, "alive_wall": alive,
                      "held_by": holder if live else None, "lease_expired": bool(holder) and not live,
                      "lease_expires": expires, "last_holder": holder or ws, "nurse": nurse})
            out.append(d)
        return out
