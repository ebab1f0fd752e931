"""What every journal store shares: errors, the hash chain, identities, where the journal is.

The hash chain (the same on SQLite and on the unit server): each event row stores
SHA-256(previous row's hash + canonical JSON of the event, its session's identity, its sequence
number, the wall time it was written and, for rows written since version 3, the workstation and
nurse who recorded it). `verify` walks it.
"""
from __future__ import annotations

import getpass
import hashlib
import json
import os
import re
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from ..errors import TitrationError
from ..session import Session

GENESIS = "0" * 64
ENDED = ("completed", "stopped", "closed")
SET_ASIDE = "Set aside, never started:"  # a note that closes an infusion that was not started
URL_SCHEMES = ("postgresql://", "postgres://")


class JournalError(TitrationError):
    """The journal cannot be opened or written; the message says what to do."""


class JournalLocked(JournalError):
    """Another copy of the app has this journal open."""


class JournalFull(JournalError):
    """The disk is full: events are being kept in memory, not recorded."""


class ServerUnreachable(JournalError):
    """The unit server cannot be reached now; events wait in the local outbox."""


class LeaseHeld(JournalError):
    """Another workstation drives this infusion."""


class AlreadyActive(JournalError):
    """The patient, or the chair, already has an active infusion (active.py says where); or a real
    chair was given a name kept for training runs (rule "name")."""

    def __init__(self, message: str, rule: str = "", active=None):
        super().__init__(message)
        self.rule = rule  # "patient" | "chair" | "name"
        self.active = active  # the infusion in the way (active.Active), where known


class LeaseLost(JournalError):
    """Another workstation took this infusion over: this workstation may not record it any more."""


class Store:
    """What both backends (SqliteStore, PgStore) share on top of their own `event_rows`."""

    def event_rows(self, session_id: int):
        raise NotImplementedError

    def active(self) -> list:
        """The infusions this store holds as active (store/active.py)."""
        raise NotImplementedError

    def running_for(self, patient_id: str) -> list:
        """The patient's active real infusions: where the patient is now (the history box's "running now")."""
        pid = (patient_id or "").strip()
        return [a for a in self.active() if pid and not a.training and (a.patient_id or "").strip() == pid]

    def events(self, session_id: int) -> list[dict]:
        """The session's events in order; a damaged row is an error naming it."""
        out = []
        for rid, seq, ev, why in self.event_rows(session_id):
            if why:
                raise JournalError(f"event row {rid} (session {session_id}, event #{seq + 1}): {why}")
            out.append(ev)
        return out


@dataclass
class Recovered:
    """An infusion the journal holds as unfinished, rebuilt from its events."""

    id: int
    session: Session
    chair: str
    patient_id: str | None
    training: bool
    wall_start: float
    last_wall: float  # wall time the last event was written
    speed: float = 1.0  # session minutes per real minute (training simulations run fast)
    alive_wall: float | None = None  # the app's last sign of life (heartbeat), if later
    uid: str | None = None  # the infusion's id across workstations

    @property
    def last_at_min(self) -> float:
        return self.session.events[-1].at_min

    @property
    def last_seen_wall(self) -> float:
        return max(self.last_wall, self.alive_wall or self.last_wall)


def _set_aside(s: Session) -> bool:
    last = s.events[-1]
    return s.status == "planned" and last.kind == "note" and str(last.data.get("text", "")).startswith(SET_ASIDE)


# libpq's connection keywords: a string that starts with one of them (`host=db dbname=ivig`) is a
# connection string, never a file name.
LIBPQ_KEYWORDS = ("host", "hostaddr", "port", "dbname", "user", "password", "passfile", "service", "options",
                  "sslmode", "sslrootcert", "sslcert", "sslkey", "sslpassword", "connect_timeout",
                  "application_name", "target_session_attrs", "channel_binding", "gssencmode", "krbsrvname",
                  "requiressl", "sslcrl", "sslcrldir", "sslsni", "keepalives", "keepalives_idle",
                  "keepalives_interval", "keepalives_count", "tcp_user_timeout", "client_encoding",
                  "load_balance_hosts", "require_auth", "replication", "fallback_application_name",
                  "sslcompression", "ssl_min_protocol_version", "ssl_max_protocol_version", "gsslib",
                  "gssdelegation", "sslcertmode")
SECRET_KEYWORDS = ("password", "sslpassword")  # libpq's own secrets: never on a command line
# A keyword that looks like a secret, misspelt or not (pasword, passwd, pwd, sslpass, secret...)
_SECRET_LIKE = re.compile(r"pas+w|pas+wo?r?d|passw|^pwd$|pwd|secret|token|^pass$|^pass_|^pw$", re.I)
_KEYWORD_START = re.compile(r"\s*(?:" + "|".join(LIBPQ_KEYWORDS) + r")\s*=", re.I)
PASSWORD_REFUSED = ("the unit server's connection string holds a password: put it in ~/.pgpass, a service file or "
                    "PGPASSWORD instead, never on the command line or in IVIG_DB")


def is_url(db) -> bool:
    """A unit server: a postgresql:// URL or a libpq keyword string (`host=... dbname=...`)."""
    if not isinstance(db, str):
        return False
    return db.strip().lower().startswith(URL_SCHEMES) or bool(_KEYWORD_START.match(db))


def _scrub_url(m: re.Match) -> str:
    scheme, netloc = m.group(1), m.group(2)
    if "@" in netloc:
        user, host = netloc.rsplit("@", 1)
        if ":" in user:
            netloc = user.split(":", 1)[0] + ":***@" + host
    return scheme + netloc


def scrub(text: str) -> str:
    """A URL or a keyword string (or a message holding one) with any password, or any value of a
    keyword that looks like a secret (misspelt ones too), replaced by '***'."""
    out = re.sub(r"(postgres(?:ql)?://)([^/?#\s]*)", _scrub_url, str(text), flags=re.I)

    def mask(m: re.Match) -> str:
        return m.group(1) + "***" if _SECRET_LIKE.search(m.group(2)) else m.group(0)

    out = re.sub(r"((?<![\w%])(\w+)\s*=\s*)(?:'(?:[^'\\]|\\.)*'?|[^&\s]+)", mask, out)
    return re.sub(r"(password%3d)[^&\s]+", r"\1***", out, flags=re.I)


def _keyword_pairs(text: str) -> list[tuple[str, str]] | None:
    """The (keyword, value) pairs of a libpq keyword string, read as libpq reads it; None when it
    cannot be read."""
    pairs: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            return pairs
        j = i
        while j < n and not text[j].isspace() and text[j] != "=":
            j += 1
        key = text[i:j]
        while j < n and text[j].isspace():
            j += 1
        if not key or j >= n or text[j] != "=":
            return None
        j += 1
        while j < n and text[j].isspace():
            j += 1
        value = []
        if j < n and text[j] == "'":
            j += 1
            while j < n and text[j] != "'":
                if text[j] == "\\" and j + 1 < n:
                    j += 1
                value.append(text[j])
                j += 1
            if j >= n:
                return None
            j += 1
        else:
            while j < n and not text[j].isspace():
                if text[j] == "\\" and j + 1 < n:
                    j += 1
                value.append(text[j])
                j += 1
        pairs.append((key, "".join(value)))
        i = j


def connection_problem(url: str) -> str:
    """Why this connection string is refused before anything is done ("" when it is not): a password
    in any spelling (a URL's user:password@, a password or sslpassword keyword, any case or
    spacing, percent-encoded), or a keyword libpq does not know (a misspelt `pasword=` would
    otherwise be shown back with its value). No message holds a value of the string."""
    text = str(url).strip()
    if re.search(r"(^|[\s?&;])(ssl)?password\s*=", unquote(text), flags=re.I):
        return PASSWORD_REFUSED
    if text.lower().startswith(URL_SCHEMES):
        try:
            parts = urlsplit(text)
        except ValueError:  # a bracket not closed, a port that is not one: said without the string
            return "the unit server's address is not a valid postgresql:// URL (check its host and port)"
        user = parts.netloc.rsplit("@", 1)[0] if "@" in parts.netloc else ""
        # libpq decodes the user part before it uses it (and shows it back in its errors): a ':' in
        # it, however spelt, is user:password
        if ":" in user or ":" in unquote(user):
            return PASSWORD_REFUSED
        hosts = parts.netloc.rsplit("@", 1)[-1]
        if not all(re.fullmatch(r"(\[[^\]]*\]|[^:\[\]]*)(:\d*)?", unquote(h)) for h in hosts.split(",")):
            # libpq would show a port that is not a number back (user:password with the @ left out?)
            return ("the unit server's connection string has a host or port that cannot be read (not shown: it "
                    "may hold a secret); write it as postgresql://user@host:5432/dbname")
        pairs = parse_qsl(parts.query, keep_blank_values=True)
    else:
        pairs = _keyword_pairs(text)
        if pairs is None:
            return ("the unit server's connection string cannot be read (it is not shown: it may hold a secret); "
                    "write it as host=... dbname=... user=..., or postgresql://user@host/dbname")
    for key, value in pairs:
        if key.lower() in SECRET_KEYWORDS or (key == "user" and ":" in value):
            return PASSWORD_REFUSED
        if key == "port" and not re.fullmatch(r"[\d,\s]*", value):
            return ("the unit server's connection string has a port that is not a number (not shown: it may hold "
                    "a secret)")
        if key not in LIBPQ_KEYWORDS:
            shown = f"'{key}'" if re.fullmatch(r"[A-Za-z_]{1,40}", key) else "(not shown)"
            if _SECRET_LIKE.search(key):
                return (f"the unit server's connection string has an unknown keyword {shown} that looks like a "
                        "password: refused, and its value is not shown. Put the password in ~/.pgpass, a service "
                        "file or PGPASSWORD")
            return (f"the unit server's connection string has an unknown keyword {shown}: refused (its values are "
                    f"not shown). Known keywords: host, port, dbname, user, sslmode, ... (libpq's)")
    return ""


def has_password(url: str) -> bool:
    """A password in any spelling: user:password@ in a URL, a password parameter (of a URL or a
    keyword string, whatever its case or spacing, percent-encoded too), sslpassword included."""
    return connection_problem(url) == PASSWORD_REFUSED


# Refused in every name: control characters (Cc), line and paragraph separators, and format
# characters (Cf: bidirectional overrides and marks, zero-width characters), which would make a
# listing show other text than the name holds. The ranges are Unicode 15's (a test checks them
# against the running Python's unicodedata).
FORMAT_RANGES = ((0xAD, 0xAD), (0x600, 0x605), (0x61C, 0x61C), (0x6DD, 0x6DD), (0x70F, 0x70F), (0x890, 0x891),
                 (0x8E2, 0x8E2), (0x180E, 0x180E), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064),
                 (0x2066, 0x206F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD),
                 (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001),
                 (0xE0020, 0xE007F))
REFUSED_RANGES = ((0x0, 0x1F), (0x7F, 0x9F), (0x2028, 0x2029)) + FORMAT_RANGES


def _class(escape) -> str:
    return "[" + "".join(escape(a) if a == b else f"{escape(a)}-{escape(b)}" for a, b in REFUSED_RANGES) + "]"


def _py_escape(c: int) -> str:
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}" if c < 0x10000 else f"\\U{c:08x}"


CONTROL = re.compile(_class(_py_escape))


def check_name(field: str, value, *, empty_ok: bool = False, longest: int = 200) -> str | None:
    """A name (chair, patient identifier, workstation, nurse) without control or format characters:
    a newline in one would forge lines in every listing, a direction mark reorder what it shows.
    The value, or JournalError naming the field."""
    if value is None:
        return None
    text = str(value)
    if CONTROL.search(text):
        raise JournalError(f"{field} '{printable(text)[:60]}' holds a control character "
                           "(a line break, a tab, a NUL, a direction or zero-width mark...): not allowed in a name")
    if not empty_ok and not text.strip():
        raise JournalError(f"{field} is empty: give a name")
    if len(text) > longest:
        raise JournalError(f"{field} is {len(text)} characters long: at most {longest}")
    return text


def printable(value) -> str:
    """A name read back from a store, with any control or format character shown escaped (older records)."""
    text = "" if value is None else str(value)
    return CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode(), text)


def default_db() -> str | Path:
    """$IVIG_DB (a path or a postgresql:// URL), else the journal in the user data folder."""
    env = os.environ.get("IVIG_DB")
    if env:
        return env.strip() if is_url(env) else Path(env).expanduser()
    return local_default()


def local_default() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("ivig-titration", appauthor=False)) / "journal.sqlite3"


def default_path() -> str | Path:
    return default_db()


def workstation_name() -> str:
    """This workstation's label (IVIG_WORKSTATION, else the host name): shown, never its identity
    (that is the installation id the outbox keeps)."""
    env = os.environ.get("IVIG_WORKSTATION", "")
    if env.strip():
        return check_name("IVIG_WORKSTATION", env.strip())
    return printable(socket.gethostname()) or "workstation"


def nurse_name() -> str:
    env = os.environ.get("IVIG_NURSE", "").strip()
    if env:
        return check_name("IVIG_NURSE", env)
    try:
        return printable(getpass.getuser())
    except Exception:  # noqa: BLE001 - no login name (a container): say so rather than guess
        return "unknown"


def canonical(obj) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def chain_hash(prev: str, payload: str) -> str:
    return hashlib.sha256(f"{prev}\n{payload}".encode("utf-8")).hexdigest()


def _payload(meta: dict, seq: int, wall: float, event: dict, by: dict | None = None) -> str:
    d = {"session": meta, "seq": seq, "wall": wall, "event": event}
    if by:
        d["by"] = by
    return canonical(d)


def identity(sid, chair, patient_id, training, wall_start, uid=None, speed=None) -> dict:
    """What of a session is hashed with each of its events. Since version 3 (sessions with a
    uid) the simulation speed is hashed too: recovery counts minutes with it."""
    d = {"id": sid, "chair": chair, "patient_id": patient_id, "training": bool(training),
         "wall_start": float(wall_start)}
    if uid:
        d["uid"] = uid
        d["speed"] = float(speed or 1.0)
    return d


def by(workstation, nurse) -> dict | None:
    return {"workstation": workstation, "nurse": nurse} if workstation or nurse else None


def session_filter(training: bool | None, patient_id: str | None, mark: str, flag=bool) -> tuple[str, list]:
    """The WHERE clause of a sessions listing (both backends): `mark` is the driver's placeholder
    ('?' or '%s'), `flag` how it stores a boolean."""
    where, args = [], []
    if training is not None:
        where.append(f"s.training = {mark}")
        args.append(flag(training))
    if patient_id is not None:
        where.append(f"s.patient_id = {mark}")
        args.append(patient_id)
    return (" WHERE " + " AND ".join(where) if where else ""), args
