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
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

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


class Store:
    """What both backends (SqliteStore, PgStore) share on top of their own `event_rows`."""

    def event_rows(self, session_id: int):
        raise NotImplementedError

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


def is_url(db) -> bool:
    return isinstance(db, str) and db.strip().lower().startswith(URL_SCHEMES)


def scrub(text: str) -> str:
    """A URL (or a message holding one) with any password replaced by '***'."""
    import re

    out = re.sub(r"(postgres(?:ql)?://[^/\s:@]*):[^@/\s]*@", r"\1:***@", str(text))
    return re.sub(r"(password\s*=\s*)[^&\s]+", r"\1***", out, flags=re.I)


def has_password(url: str) -> bool:
    parts = urlsplit(url)
    user = parts.netloc.rsplit("@", 1)[0] if "@" in parts.netloc else ""
    return ":" in user or any(k.lower() == "password" for k, _ in parse_qsl(parts.query))


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
    return os.environ.get("IVIG_WORKSTATION", "").strip() or socket.gethostname() or "workstation"


def nurse_name() -> str:
    env = os.environ.get("IVIG_NURSE", "").strip()
    if env:
        return env
    try:
        return getpass.getuser()
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
