"""The drug library on the unit server, from this side: publish a folder as a draft version, approve
it (a pharmacist and a nurse, neither its author), activate it, list the versions, and read the
active one for a workstation to load (library/cache.py verifies and keeps it).

The server's functions (pg_library.py) decide; this module sends what they need and turns their
refusals into one line each (`LibraryRefused`). Names given with --as are attribution, not
authentication: the server records the database login that ran each step beside the name.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from ..errors import TitrationError
from .base import JournalError, ServerUnreachable, scrub
from .pg_conn import connect, first_line, limit, psycopg
from .pg_library import ACTIVATE, APPROVE, LIBRARY_ROLE, NO_VERSION, PUBLISH

ROLES = ("pharmacist", "nurse")


class LibraryRefused(TitrationError):
    """The unit server (or the check before it) said no: one line saying why."""


@dataclass(frozen=True)
class ServerVersion:
    version: int
    content_hash: str
    effective: str
    changelog: str
    author: str
    author_login: str
    published: float  # epoch seconds, the server's clock
    approvals: tuple = ()  # ({"name", "role", "login", "approved"}, ...)
    activated: float | None = None  # when it was last made active (None: never)
    activated_by: str | None = None
    active: bool = False
    files: dict = field(default_factory=dict, compare=False, repr=False)  # only when asked for

    @property
    def state(self) -> str:
        if self.active:
            return "active"
        roles = {a["role"] for a in self.approvals}
        if roles >= set(ROLES):
            return "approved" if self.activated is None else "approved (was active)"
        return "draft"

    def to_dict(self) -> dict:
        return {"version": self.version, "content_hash": self.content_hash, "effective": self.effective,
                "changelog": self.changelog, "author": self.author, "author_login": self.author_login,
                "published": self.published, "state": self.state, "approvals": list(self.approvals),
                "activated": self.activated, "activated_by": self.activated_by, "active": self.active}


class LibraryServer:
    """One connection to the unit server for library work (every call time-limited)."""

    def __init__(self, url: str):
        self.url = url
        self.label = scrub(url)
        self.conn = connect(url, autocommit=True)
        self._pg = psycopg()

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "LibraryServer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _call(self, sql: str, args=()) -> list[tuple]:
        pg = self._pg
        try:
            with limit(self.conn) as fired:
                return self.conn.execute(sql, args).fetchall()
        except pg.errors.InsufficientPrivilege as exc:
            raise LibraryRefused(f"the login this command ran as may not do this on {self.label} ({first_line(exc)}): "
                                 f"library versions are published, approved and activated by logins in the "
                                 f"{LIBRARY_ROLE} role") from None
        except pg.errors.UndefinedTable:
            raise JournalError(f"the unit server {self.label} has no drug library tables yet: run `python main.py "
                               "unit init --db URL` (as its administrator) to upgrade it") from None
        except pg.OperationalError as exc:
            why = "no answer within the time limit" if fired.is_set() else first_line(exc)
            raise ServerUnreachable(f"the unit server {self.label} did not answer: {why}") from None
        except pg.Error as exc:
            if getattr(exc, "sqlstate", "") in (PUBLISH, APPROVE, ACTIVATE, NO_VERSION):
                raise LibraryRefused(first_line(exc.diag.message_primary or exc)) from None
            raise JournalError(f"the unit server {self.label} refused: {first_line(exc)}") from None

    def login(self) -> str:
        return self._call("SELECT session_user")[0][0]

    # ------------------------------------------------------------------ the three steps
    def publish(self, manifest, files: dict[str, str], digest: str, author: str) -> tuple[int, bool]:
        """(version, True if stored now; False if this content was already that version)."""
        (row,) = self._call("SELECT * FROM ivig_library_publish(%s, %s, %s::date, %s, %s::jsonb, %s, %s)",
                            (manifest.version, manifest.content_hash, manifest.effective, manifest.changelog,
                             json.dumps(files, ensure_ascii=False), digest, author))
        return int(row[0]), bool(row[1])

    def approve(self, version: int, name: str, role: str) -> None:
        self._call("SELECT * FROM ivig_library_approve(%s, %s, %s)", (version, name, role))

    def activate(self, version: int) -> tuple[int | None, bool]:
        """(the version active before, whether this changed it)."""
        (row,) = self._call("SELECT * FROM ivig_library_activate(%s)", (version,))
        return row[1], bool(row[2])

    # ------------------------------------------------------------------ reading
    def versions(self, with_files: bool = False, only: int | None = None) -> list[ServerVersion]:
        """Every version (newest first), its approvals and whether it is the active one."""
        files = "v.files" if with_files else "NULL::jsonb"
        where = "WHERE v.version = %s" if only is not None else ""
        rows = self._call(
            f"SELECT v.version, v.content_hash, v.effective::text, v.changelog, v.author, v.author_login, "
            f"extract(epoch FROM v.published)::float8, {files}, "
            "(SELECT coalesce(json_agg(json_build_object('name', a.name, 'role', a.role, 'login', a.login, "
            "'approved', extract(epoch FROM a.approved)::float8) ORDER BY a.id), '[]'::json) "
            " FROM library_approvals a WHERE a.version = v.version), "
            "(SELECT extract(epoch FROM max(x.activated))::float8 FROM library_activations x "
            " WHERE x.version = v.version), "
            "(SELECT x.login FROM library_activations x WHERE x.version = v.version ORDER BY x.id DESC LIMIT 1), "
            "v.version = (SELECT x.version FROM library_activations x ORDER BY x.id DESC LIMIT 1) "
            f"FROM library_versions v {where} ORDER BY v.version DESC", (only,) if only is not None else ())
        out = []
        for (version, digest, effective, changelog, author, login, published, fs, approvals, activated, by,
             active) in rows:
            approvals = approvals if isinstance(approvals, list) else json.loads(approvals or "[]")
            out.append(ServerVersion(version, digest, effective, changelog, author, login, published,
                                     tuple(approvals), activated, by, bool(active), dict(fs or {})))
        return out

    def active(self, with_files: bool = True) -> ServerVersion | None:
        """The active version with its files (None: the unit has not activated one)."""
        rows = self._call("SELECT x.version FROM library_activations x ORDER BY x.id DESC LIMIT 1")
        if not rows:
            return None
        found = self.versions(with_files=with_files, only=rows[0][0])
        return found[0] if found else None

    def active_number(self) -> tuple[int, str] | None:
        """(version, content hash) of the active version, cheaply (no files)."""
        rows = self._call("SELECT v.version, v.content_hash FROM library_activations x JOIN library_versions v "
                          "ON v.version = x.version ORDER BY x.id DESC LIMIT 1")
        return (int(rows[0][0]), rows[0][1]) if rows else None
