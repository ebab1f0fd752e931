"""Where the unit's quality report reads: the infusions of a period on either store, their events,
and each infusion's facts (report/quality_facts.py).

A year of a 12-chair unit is about 9,000 infusions and 170,000 events, and each infusion is
replayed once (its observations are judged by the same rules the chair showed). So the facts are
worked out in worker processes when there are many, and kept in a cache in the user cache folder
(0600), keyed by the journal, the infusion and the hash of its last event: an infusion whose
record changes (a late event, an edit) is worked out again; the others are read back.
"""
from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable

from ..errors import TitrationError
from ..report.quality_facts import InfusionFacts, facts, from_dict, to_dict
from .base import JournalError
from .chain import body_of
from .journal import open_reader

FORMAT = 1  # of the cached facts: raise it when quality_facts changes what it works out
IN_PROCESS_BELOW = 400  # fewer infusions than this: no worker processes (starting them costs more)
CHUNK = 500


def period_rows(store, start_wall: float, end_wall: float, training: bool) -> list[dict]:
    """The infusions started in [start_wall, end_wall): id, chair, training, wall_start, speed and
    the hash of the last event (what the cache is keyed by)."""
    mark = "?" if store.kind == "sqlite" else "%s"
    train = "" if training else " AND NOT s.training" if store.kind != "sqlite" else " AND s.training = 0"
    sql = ("SELECT s.id, s.chair, s.training, s.wall_start, s.speed, e.hash FROM sessions s JOIN events e "
           "ON e.session_id = s.id AND e.seq = (SELECT max(x.seq) FROM events x WHERE x.session_id = s.id) "
           f"WHERE s.wall_start >= {mark} AND s.wall_start < {mark}{train} ORDER BY s.id")
    rows = _rows(store, sql, (float(start_wall), float(end_wall)))
    return [{"id": r[0], "chair": r[1], "training": bool(r[2]), "wall_start": r[3], "speed": r[4] or 1.0,
             "last_hash": r[5]} for r in rows]


def report_facts(db, start_wall: float, end_wall: float, training: bool, workers: int | None = None,
                 cache: bool = True, meanwhile: Callable[[], None] | None = None) -> tuple[list[InfusionFacts], str]:
    """The facts of the infusions started in [start_wall, end_wall), and what the source is called;
    `meanwhile`: what else this process has to do, done while the workers replay (after the check).

    A journal file is checked whole (`PRAGMA quick_check`, a fifth of a second for a year) while the
    workers replay, not before: the infusions are listed from the file opened without it, and no
    facts are given unless the check then passes. A listing the file's damage breaks is said as the
    check says it."""
    from .base import is_url

    store = open_reader(db, checked=True)
    try:
        rows, label = period_rows(store, start_wall, end_wall, training), store.label
    except (sqlite3.DatabaseError, JournalError):
        if not is_url(db):
            open_reader(db).close()  # damaged: refused in the check's words
        raise
    finally:
        store.close()
    def alongside() -> None:
        if not is_url(db):
            open_reader(db).close()
        if meanwhile is not None:
            meanwhile()

    return collect(db, rows, workers, cache, meanwhile=alongside), label


def _rows(store, sql: str, args) -> list[tuple]:
    if store.kind == "sqlite":
        return store.conn().execute(sql, args).fetchall()
    return store.q(sql, args)


def bodies(store, ids: list[int]):
    """(session id, its events) for each id, in order, read in chunks; a body that is not an event
    is an error naming it."""
    for k in range(0, len(ids), CHUNK):
        chunk = ids[k:k + CHUNK]
        if store.kind == "sqlite":
            marks = ",".join("?" * len(chunk))
            rows = store.conn().execute(f"SELECT session_id, body FROM events WHERE session_id IN ({marks}) "
                                        "ORDER BY session_id, seq", chunk)
        else:
            rows = store.q("SELECT session_id, body FROM events WHERE session_id = ANY(%s) ORDER BY session_id, seq",
                           (chunk,))
        sid, evs = None, []  # type: tuple[int | None, list]
        for s_id, body in rows:
            if s_id != sid:
                if sid is not None:
                    yield sid, evs
                sid, evs = s_id, []
            try:
                ev = json.loads(body)
            except ValueError:  # not JSON, or bytes that are not text
                ev = None
            if type(ev) is not dict:
                raise JournalError(f"session {s_id}, event #{len(evs) + 1}: {body_of(body)[1] or _NOT_EVENT}")
            evs.append(ev)
        if sid is not None:
            yield sid, evs


_NOT_EVENT = "its body is not an event (damaged)"


def _work(db, rows: list[dict], cache_key: str | None = None) -> list[dict]:
    """A worker's share: the facts of these infusions, as dicts, written to the cache (under
    `cache_key`) by the worker itself, so that the workers share that work too."""
    from ..library.cache import replay_rules

    store = open_reader(db, checked=True)  # the command opened and checked it before it listed the infusions
    try:
        by_id = {r["id"]: r for r in rows}
        out = []
        rules: dict = {}  # by the library version and policy the infusion was planned with: a year has few
        for sid, evs in bodies(store, list(by_id)):
            first = evs[0] if evs and isinstance(evs[0], dict) else {}
            lib = first.get("library")
            key = (lib.get("hash") if isinstance(lib, dict) else None, first.get("policy"))
            if key not in rules:
                rules[key] = replay_rules(evs)
            try:
                out.append(to_dict(facts(sid, by_id[sid], evs, **rules[key])))
            except TitrationError as exc:  # the replay refused it: said as a store error, which a worker hands back
                raise JournalError(f"session {sid}: its record cannot be replayed ({exc})") from None
    finally:
        store.close()
    if cache_key is not None and out:
        _cache_write(cache_key, [(d["session_id"], by_id[d["session_id"]]["last_hash"], json.dumps(d)) for d in out])
    return out


def collect(db, rows: list[dict], workers: int | None = None, cache: bool = True,
            meanwhile: Callable[[], None] | None = None) -> list[InfusionFacts]:
    """The facts of every infusion listed, from the cache where it holds them, else worked out.
    `meanwhile` runs in this process while the workers work (first, where there are none); what it
    raises is raised, and nothing is given."""
    key = _source_key(db)
    kept = _cache_read(key) if cache else {}
    have: list = []
    todo: list = []
    for r in rows:
        hit = kept.get(r["id"])
        (have if hit is not None and hit[0] == r["last_hash"] else todo).append(r)
    got = [json.loads(kept[r["id"]][1]) for r in have]
    new = _compute(db, todo, workers, key if cache else None, meanwhile)
    return [from_dict(d) for d in sorted(got + new, key=lambda d: d["session_id"])]


def _compute(db, rows: list[dict], workers: int | None, cache_key: str | None,
             meanwhile: Callable[[], None] | None) -> list[dict]:
    n = workers if workers is not None else min(4, os.cpu_count() or 1)
    if n <= 1 or len(rows) < IN_PROCESS_BELOW:
        if meanwhile is not None:
            meanwhile()
        return _work(db, rows, cache_key) if rows else []
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # shares of CHUNK infusions, handed to whichever worker is free: the cores finish together even
    # when one is slowed by other work (two halves fixed ahead finished up to 0.8 s apart)
    shares = [rows[k:k + CHUNK] for k in range(0, len(rows), CHUNK)]
    # fork where this process has one thread (the command line): the workers start at once with the
    # modules loaded; spawn where it has more (the app: the outbox, the board), which a fork would
    # copy half-way
    import threading

    how = "fork" if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context(how)) as pool:
        try:
            pending = pool.map(_work, [db] * len(shares), shares, [cache_key] * len(shares))  # begun at once
            if meanwhile is not None:
                meanwhile()
            parts = list(pending)
        except BaseException:
            pool.shutdown(cancel_futures=True)  # a record refused: the shares not begun are not worked out
            raise
    return [d for part in parts for d in part]


# ---------------------------------------------------------------------- the cache
def _source_key(db) -> str:
    from .base import is_url, scrub

    return scrub(str(db)).strip() if is_url(db) else os.path.realpath(os.fspath(db))


def _cache_path() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "ivig-titration", "report-facts.sqlite3")


def _cache_conn() -> sqlite3.Connection | None:
    path = _cache_path()
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        if not os.path.exists(path):
            try:
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            except FileExistsError:
                pass  # made meanwhile by another worker
        c = sqlite3.connect(path, timeout=2.0)
        c.execute("CREATE TABLE IF NOT EXISTS facts(source TEXT NOT NULL, sid INTEGER NOT NULL, last_hash TEXT NOT "
                  "NULL, format INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (source, sid))")
        return c
    except (OSError, sqlite3.Error):
        return None  # a cache that cannot be used only costs time


def _cache_read(key: str) -> dict[int, tuple[str, str]]:
    c = _cache_conn()
    if c is None:
        return {}
    try:
        return {sid: (h, body) for sid, h, body in
                c.execute("SELECT sid, last_hash, body FROM facts WHERE source = ? AND format = ?", (key, FORMAT))}
    except sqlite3.Error:
        return {}
    finally:
        c.close()


def _cache_write(key: str, items: list[tuple[int, str, str]]) -> None:
    c = _cache_conn()
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
