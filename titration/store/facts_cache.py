"""The quality report's facts, kept between reports in the user cache folder (0600), one row per
infusion, keyed by the source (the journal file's real path, or the server's address without its
password), the infusion, and a digest of its record as stored: what its listing says (chair,
training, start, clock speed) and every body, in order. A record that changed in any way (an event
added, edited, damaged or removed, its listing edited) no longer matches, and is replayed again,
so a report from kept facts says what a report from none would.

A cache that cannot be used (missing, unreadable, a row that is not facts, a link to elsewhere)
only costs time: the facts are worked out again.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import struct

from ..data import cache_folder

FORMAT = 4  # of the kept facts: raise it when quality_facts changes what it works out (4: keyed by record_digest)


def source_key(db) -> str:
    from .base import is_url, scrub

    return scrub(str(db)).strip() if is_url(db) else os.path.realpath(os.fspath(db))


LISTED = ("chair", "training", "wall_start", "speed")  # what the facts take from the infusion's listing


def record_digest(row: dict, bodies: list) -> str:
    """An infusion's record as stored: its listing (`period_rows`) and its event bodies, in order."""
    return digest([repr(tuple(row.get(k) for k in LISTED)).encode()] + bodies)


def digest(bodies: list) -> str:
    """Bodies in order (text or bytes): their lengths first, which fix where each ends, then their bytes."""
    raw = [b if isinstance(b, bytes) else str(b).encode("utf-8", "surrogatepass") for b in bodies]
    h = hashlib.sha256(struct.pack(f">{len(raw)}Q", *map(len, raw)))
    h.update(b"".join(raw))
    return h.hexdigest()


def _conn() -> sqlite3.Connection | None:
    folder = cache_folder()
    if folder is None:
        return None
    path = os.path.join(folder, "report-facts.sqlite3")
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        if os.path.islink(path):
            return None  # a link: written through, it could land in anything (a journal)
        if not os.path.exists(path):
            try:
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600))
            except FileExistsError:
                pass  # made meanwhile by another worker
        c = sqlite3.connect(path, timeout=2.0)
        c.execute("CREATE TABLE IF NOT EXISTS facts(source TEXT NOT NULL, sid INTEGER NOT NULL, last_hash TEXT NOT "
                  "NULL, format INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (source, sid))")
        return c
    except (OSError, sqlite3.Error):
        return None


def read(key: str) -> dict[int, tuple[str, dict]]:
    """The kept facts of this source: infusion -> (the digest they were worked out from, the facts
    as a dict). A row that does not read back as facts is left out (worked out again)."""
    c = _conn()
    if c is None:
        return {}
    out: dict[int, tuple[str, dict]] = {}
    try:
        # the column keeps its first name: it holds the record's digest since FORMAT 2
        for sid, dig, body in c.execute("SELECT sid, last_hash, body FROM facts WHERE source = ? AND format = ?",
                                        (key, FORMAT)):
            try:
                d = json.loads(body)
            except (ValueError, TypeError):
                continue
            if type(d) is dict and d.get("session_id") == sid and isinstance(dig, str):
                out[sid] = (dig, d)
    except sqlite3.Error:
        return {}
    finally:
        c.close()
    return out


def write(key: str, items: list[tuple[int, str, str]]) -> None:
    """(infusion, its record's digest, its facts as JSON) for each."""
    c = _conn()
    if c is None:
        return
    try:
        with c:
            c.executemany("INSERT OR REPLACE INTO facts(source, sid, last_hash, format, body) VALUES (?,?,?,?,?)",
                          [(key, sid, h, FORMAT, body) for sid, h, body in items])
    except sqlite3.Error:
        pass
    finally:
        c.close()
