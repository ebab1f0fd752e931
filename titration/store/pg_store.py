"""The unit server store: setting it up (`unit init`) and reading it (listing, verify, the board).

Connections come from pg_conn (time limits on everything, passwords refused and never shown).
Writing goes only through the server's own functions (pg_functions, called by station.py).
"""
from __future__ import annotations

from .base import JournalError, ServerUnreachable, Store, identity, scrub, session_filter
from .chain import body_of, check_caches, walk
from .pg_conn import OutOfStep, call, connect, first_line, limit, psycopg, watchdog
from .pg_functions import CALLABLE, FUNCTIONS
from .pg_library import FUNCTIONS as LIBRARY_FUNCTIONS
from .pg_library import LIBRARY_ROLE
from .pg_library import privileges as library_privileges
from .pg_schema import LATEST, LOGIN_LIMITS, MEMBERS, MIGRATIONS, OWNER, ROLES, WORKSTATION, privileges

# The server keeps no status of its own (it does no clinical arithmetic, and takes no workstation's
# word for one): a listing's status is worked out from the events where it is needed (None here).
SESSION_COLS = ("s.id, s.chair, s.patient_id, s.training, s.wall_start, s.speed, NULL::text, "
                "s.product, c.alive_wall, (SELECT count(*) FROM events e WHERE e.session_id = s.id), "
                "(SELECT max(wall) FROM events e WHERE e.session_id = s.id), s.uid, "
                "(SELECT min(wall) FROM events e WHERE e.session_id = s.id)")
SESSION_KEYS = ("id", "chair", "patient_id", "training", "wall_start", "speed", "status", "product", "alive_wall",
                "n_events", "last_wall", "uid", "first_wall")
INIT_LOCK_WAIT = "20s"  # `unit init` waits this long for a table a connection reads (then says so)
FETCH = 2000  # rows per round trip when walking the whole record (verify): constant memory
_first_line = first_line  # the name other modules used


def schema_version(cur) -> int:
    cur.execute("SELECT to_regclass('public.schema_version') IS NOT NULL")
    if not cur.fetchone()[0]:
        return 0
    cur.execute("SELECT version FROM schema_version")
    row = cur.fetchone()
    return int(row[0]) if row else 0


def _version(conn) -> int:
    """The schema version, each answer checked to be its question's (pg_conn.call)."""
    ((exists,),) = call(conn, "SELECT to_regclass('public.schema_version') IS NOT NULL")
    if not exists:
        return 0
    rows = call(conn, "SELECT version FROM schema_version")
    return int(rows[0][0]) if rows else 0


def init_schema(url: str) -> tuple[int, int]:
    """Create or upgrade the unit's schema, its roles and functions; (version before, version now).

    Needs a role that may create roles (a superuser, or CREATEROLE); the tables and functions are
    handed to the owner role, and the workstations' role gets read and the functions only."""
    conn = connect(url)
    pg = psycopg()
    try:
        with conn.transaction():
            cur = conn.cursor()
            cur.execute("SET LOCAL statement_timeout = 0")  # an upgrade of a large unit may take a while
            cur.execute(f"SET LOCAL lock_timeout = '{INIT_LOCK_WAIT}'")  # a reader holding a table: said, not a hang
            cur.execute("SELECT pg_advisory_xact_lock(4951)")  # two installers at once wait in turn
            before = schema_version(cur)
            if before > LATEST:
                raise JournalError(f"the unit server {scrub(url)} was set up by a newer version of this app "
                                   f"(schema {before}; this version knows up to {LATEST}); update the app")
            cur.execute(ROLES)
            if before == 0:
                cur.execute("CREATE TABLE schema_version(version integer NOT NULL)")
                cur.execute("INSERT INTO schema_version VALUES (0)")
            for v, sql in MIGRATIONS:
                if v > before:
                    cur.execute(sql)
                    cur.execute("UPDATE schema_version SET version=%s", (v,))
            for _, sql in FUNCTIONS + LIBRARY_FUNCTIONS:
                cur.execute(sql)
            cur.execute(privileges([sig for sig, _ in FUNCTIONS], list(CALLABLE)))
            cur.execute(library_privileges(OWNER, WORKSTATION))
            cur.execute("SAVEPOINT public_schema")
            try:  # nobody may create objects where the functions look (their search_path)
                cur.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
            except pg.Error:
                cur.execute("ROLLBACK TO SAVEPOINT public_schema")
            _login_limits(cur, pg)
        return before, LATEST
    except pg.errors.LockNotAvailable:
        raise JournalError(f"setting up the unit server {scrub(url)} waited {INIT_LOCK_WAIT} for a table another "
                           "connection holds: close the workstations' apps (or end their connections) and run it "
                           "again") from None
    except pg.errors.InsufficientPrivilege as exc:
        raise JournalError(f"setting up the unit server {scrub(url)} needs a role that may create roles (a superuser, "
                           f"or one with CREATEROLE): {first_line(exc)}") from None
    except pg.Error as exc:
        raise JournalError(f"setting up the unit server {scrub(url)} failed: {first_line(exc)}") from None
    finally:
        conn.close()


def _login_limits(cur, pg) -> list[str]:
    """Each workstation login's time limits (pg_schema.LOGIN_LIMITS); the logins that could not be
    given them (not this role's to change) are returned, and left as they were."""
    from psycopg import sql

    missed = []
    cur.execute(MEMBERS)
    for (name,) in cur.fetchall() + [(WORKSTATION,)]:
        cur.execute("SAVEPOINT login_limits")
        try:
            for key, value in LOGIN_LIMITS:
                cur.execute(sql.SQL("ALTER ROLE {} SET {} = {}").format(sql.Identifier(name), sql.Identifier(key),
                                                                       sql.Literal(value)))
        except pg.Error:
            cur.execute("ROLLBACK TO SAVEPOINT login_limits")
            missed.append(name)
    return missed


ROLE_NAMES = (OWNER, WORKSTATION, LIBRARY_ROLE)


class PgStore(Store):
    """Reads the unit server (listing, history, verify, the board). Every call has a time limit."""

    kind = "postgresql"

    def __init__(self, url: str, *, readonly: bool = False):
        self.url = url
        self.path = scrub(url)
        self.notice = ""
        self.readonly = readonly
        self._dog = None  # verify's watchdog, while it runs
        self._boards: dict[int, tuple[int, dict]] = {}  # session id -> (events, its board summary)
        self.conn = connect(url, autocommit=True)
        self._pg = psycopg()
        try:
            with limit(self.conn):
                version = _version(self.conn)
        except OutOfStep:
            self.close()
            raise
        except self._pg.OperationalError as exc:
            self.close()
            raise ServerUnreachable(f"the unit server {self.path} did not answer: {first_line(exc)}") from None
        except self._pg.Error as exc:  # answered, but no (a permission missing, ...)
            self.close()
            raise JournalError(f"the unit server {self.path} refused: {first_line(exc)}") from None
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
        if self._dog is not None:
            self._dog.pet()
        if self.conn is None:
            raise ServerUnreachable(f"the connection to the unit server {self.path} was dropped; connect again")
        try:
            with limit(self.conn) as fired:
                return call(self.conn, sql, args)
        except OutOfStep:  # the next answer waiting on this connection is another call's: never use it again
            self.close()
            raise
        except self._pg.OperationalError as exc:
            why = "no answer within the time limit" if fired.is_set() else first_line(exc)
            raise ServerUnreachable(f"the unit server {self.path} stopped answering: {why}") from None
        except self._pg.Error as exc:
            raise JournalError(f"the unit server {self.path} refused: {first_line(exc)}") from None

    # ------------------------------------------------------------------ reading
    def sessions(self, training: bool | None = None, patient_id: str | None = None, states: bool = True) -> list[dict]:
        """The infusions, each with its status worked out from its events (`states`; else None)."""
        q = f"SELECT {SESSION_COLS} FROM sessions s LEFT JOIN chairs c ON c.session_id = s.id"
        where, args = session_filter(training, patient_id, "%s")
        q += where + " ORDER BY s.wall_start, s.id"
        out = [dict(zip(SESSION_KEYS, r)) for r in self.q(q, args)]
        if states:
            for d in out:
                d["status"] = self._state(d["id"], d["n_events"], d["wall_start"], d["speed"])["state"]
        return out

    def _state(self, sid: int, n: int, wall_start, speed) -> dict:
        """An infusion's board summary as of its `n` events (kept until it has more)."""
        from .unit import board_summary

        if self._boards.get(sid, (None,))[0] != n:
            raw = [r[1] for r in sorted(self.q("SELECT seq, convert_to(body, 'UTF8') FROM events WHERE session_id=%s",
                                               (sid,)))]
            self._boards[sid] = (n, board_summary(raw, wall_start=wall_start, speed=speed))
        return self._boards[sid][1]

    def session_by_uid(self, uid: str) -> dict | None:
        rows = self.q(f"SELECT {SESSION_COLS} FROM sessions s LEFT JOIN chairs c ON c.session_id = s.id "
                      "WHERE s.uid = %s", (uid,))
        return dict(zip(SESSION_KEYS, rows[0])) if rows else None

    def active(self) -> list:
        """The unit's active infusions (store/active.py), oldest first, with who drives each now: not
        ended, and started or not, as the server's own record says (chairs.ended and chairs.started,
        kept by ivig_append from the events' kinds; the same reading as ivig_active)."""
        from .active import Active

        rows = self.q("SELECT s.chair, s.patient_id, s.training, coalesce(CASE WHEN l.expires > now() THEN "
                      "l.workstation END, l.workstation, s.workstation), s.wall_start, "
                      "CASE WHEN coalesce(c.started, false) THEN 'running' ELSE 'planned' END, "
                      "s.uid FROM sessions s LEFT JOIN chairs c ON c.session_id = s.id "
                      "LEFT JOIN leases l ON l.session_id = s.id WHERE NOT coalesce(c.ended, false) ORDER BY s.id")
        return [Active(chair, pid, bool(tr), ws or "", float(w), st, uid) for chair, pid, tr, ws, w, st, uid in rows]

    def event_rows(self, session_id: int):
        rows = self.q("SELECT id, seq, convert_to(body, 'UTF8') FROM events WHERE session_id=%s ORDER BY seq",
                      (session_id,))
        for rid, seq, raw in rows:
            ev, why = body_of(raw)
            yield rid, seq, ev, why

    def raw_events(self, session_id: int) -> list[tuple]:
        """(seq, wall, body text, workstation, nurse) as stored, in order (a takeover copies them)."""
        return self.q("SELECT seq, wall, body, workstation, nurse FROM events WHERE session_id=%s ORDER BY seq",
                      (session_id,))

    def verify(self) -> list[str]:
        """Walk the whole record in one snapshot, streamed from a server-side cursor (constant memory),
        under a watchdog that cuts the connection when any step (BEGIN, a fetch, CLOSE, COMMIT, the
        checks after) makes no progress for CALL_LIMIT_S. ServerUnreachable when it cannot be read to
        the end (the CLI's exit 2, never "damaged")."""
        pg = self._pg
        try:
            with watchdog(self.conn) as dog:
                try:
                    problems = self._walk(dog)
                    self._dog = dog  # each read of the checks below is progress too
                    if not problems:
                        problems += check_caches(self)
                except (pg.Error, ServerUnreachable) as exc:
                    why = "no answer within the time limit" if dog.fired.is_set() else first_line(exc)
                    raise ServerUnreachable(f"the unit server {self.path} stopped answering during verify: the "
                                            f"record could not be read to the end ({why})") from None
        except ServerUnreachable:
            self.close()
            raise
        finally:
            self._dog = None
        return problems

    def _walk(self, dog) -> list[str]:
        with self.conn.transaction():  # one snapshot: a writer appending meanwhile is not a broken chain
            self.conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            dog.pet()
            head = self.conn.execute("SELECT n, hash FROM chain_head").fetchone()
            heads = {r[0]: (r[1], r[2]) for r in self.conn.execute("SELECT session_id, n, hash FROM heads")}
            meta = {r[0]: identity(*r) for r in self.conn.execute(
                "SELECT id, chair, patient_id, training, wall_start, uid, speed FROM sessions").fetchall()}
            dog.pet()
            cur = self.conn.cursor(name="ivig_verify")
            cur.execute("SELECT id, session_id, seq, wall, convert_to(body, 'UTF8'), prev_hash, hash, "
                        "workstation, nurse, form, login, extract(epoch FROM received)::float8 "
                        "FROM events ORDER BY id")
            problems = walk(self._batches(cur, dog), meta, (head[0], head[1]), heads)
            cur.close()
            dog.pet()
        dog.pet()
        return problems

    def _batches(self, cur, dog):
        while True:
            dog.pet()
            rows = cur.fetchmany(FETCH)
            if not rows:
                return
            yield from rows

    def summaries(self, session_ids=None, include_ended_h: float = 12.0) -> list[dict]:
        """The unit board's rows: each chair's state worked out from its events on the server (store/unit.py,
        the chair's own snapshot function; never a summary a workstation sent), with who holds it and
        the login that holds it. Ages are on the server's clock: `lease_left_s` (until the hold
        expires), `alive_age_s` (since the holder was last heard from). A chair's state is worked out
        again only when it has new events."""
        q = ("SELECT s.id, s.uid, s.chair, s.patient_id, s.training, c.n_events, c.last_wall, c.alive_wall, "
             "l.workstation, l.nurse, extract(epoch FROM l.expires)::float8, l.expires > now(), s.workstation, "
             "extract(epoch FROM l.expires - now())::float8, "
             "extract(epoch FROM now() - greatest(l.renewed, c.alive, c.updated))::float8, l.epoch, s.speed, "
             "extract(epoch FROM now())::float8, extract(epoch FROM now() - c.updated)::float8, l.login, "
             "s.wall_start, (SELECT array_agg(DISTINCT e.login ORDER BY e.login) FROM events e "
             "WHERE e.session_id = s.id AND e.login IS NOT NULL), le.nurse, le.login "
             "FROM chairs c JOIN sessions s ON s.id = c.session_id LEFT JOIN leases l ON l.session_id = s.id "
             # who recorded the chair's last event: the nurse and the database login behind it
             "LEFT JOIN LATERAL (SELECT e.nurse, e.login FROM events e WHERE e.session_id = s.id "
             "ORDER BY e.seq DESC LIMIT 1) le ON true ")
        if session_ids is not None:
            rows = self.q(q + "WHERE s.id = ANY(%s) ORDER BY s.chair, s.id", (list(session_ids),))
        else:
            rows = self.q(q + "WHERE NOT c.ended OR l.expires > now() OR c.updated > now() - make_interval(secs => %s) "
                          "ORDER BY s.chair, s.id", (include_ended_h * 3600,))
        out = []
        for (sid, uid, chair, pid, training, n, last_wall, alive, holder, nurse, expires, live, ws, left, age, epoch,
             speed, server_now, event_age, login, wall_start, logins, last_nurse, last_login) in rows:
            d = dict(self._state(sid, n, wall_start, speed))
            bay = chair.split("/", 1)[0].strip() if "/" in chair else ""  # "Bay A/3": bay A, chair 3
            d.update({"session_id": sid, "uid": uid, "chair": chair, "bay": bay, "patient_id": pid,
                      "training": training, "status": d["state"], "n_events": n, "last_wall": last_wall,
                      "alive_wall": alive, "held_by": holder if live else None,
                      "lease_expired": bool(holder) and not live, "lease_expires": expires,
                      "last_holder": holder or ws, "nurse": nurse, "login": login, "logins": list(logins or []),
                      "lease_left_s": left, "alive_age_s": age, "epoch": epoch, "speed": speed,
                      "server_now": server_now, "event_age_s": event_age,
                      # who recorded the last event, and the login behind it
                      "last_nurse": last_nurse, "last_login": last_login})
            out.append(d)
        return out
