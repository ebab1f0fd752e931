"""Where the unit's quality report reads: the infusions of a period on either store, their events,
and each infusion's facts (report/quality_facts.py).

A year of a 12-chair unit is about 9,000 infusions and 170,000 events, and each infusion is
replayed once (its observations are judged by the same rules the chair showed). So the facts are
worked out in worker processes when there are many, and kept (facts_cache.py) against a digest of
each record as stored: a record that changed in any way is replayed again, the others read back.
"""
from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable

from ..errors import TitrationError
from ..report.quality_facts import DAMAGE, InfusionFacts, Unreplayable, facts, from_dict, to_dict
from . import facts_cache
from .base import JournalError
from .chain import body_of
from .journal import open_reader

IN_PROCESS_BELOW = 400  # fewer infusions than this: no worker processes (starting them costs more)
CHUNK = 500


def period_rows(store, start_wall: float, end_wall: float, training: bool) -> list[dict]:
    """The infusions started in [start_wall, end_wall) that have a record: id, chair, training,
    wall_start and speed."""
    mark = "?" if store.kind == "sqlite" else "%s"
    train = "" if training else " AND NOT s.training" if store.kind != "sqlite" else " AND s.training = 0"
    sql = ("SELECT s.id, s.chair, s.training, s.wall_start, s.speed FROM sessions s WHERE EXISTS (SELECT 1 FROM "
           f"events e WHERE e.session_id = s.id) AND s.wall_start >= {mark} AND s.wall_start < {mark}{train} "
           "ORDER BY s.id")
    rows = _rows(store, sql, (float(start_wall), float(end_wall)))
    return [{"id": r[0], "chair": r[1], "training": bool(r[2]), "wall_start": r[3], "speed": r[4] or 1.0}
            for r in rows]


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
    except (sqlite3.DatabaseError, JournalError) as exc:
        if not is_url(db):
            open_reader(db).close()  # damaged: refused in the check's words
        if isinstance(exc, JournalError):
            raise
        raise JournalError(f"the journal {db} cannot be listed ({exc}); a journal an older version of the app made "
                           "is brought up to date when this version opens it") from None
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


def texts(store, ids: list[int]):
    """(session id, its event bodies as stored, in order) for each id, read in chunks; a journal
    file's bodies as bytes, so that one that is not text is named, not an error of the reading."""
    for k in range(0, len(ids), CHUNK):
        chunk = ids[k:k + CHUNK]
        if store.kind == "sqlite":
            marks = ",".join("?" * len(chunk))
            rows = store.conn().execute(f"SELECT session_id, CAST(body AS BLOB) FROM events WHERE session_id IN "
                                        f"({marks}) ORDER BY session_id, seq", chunk)
        else:
            rows = store.q("SELECT session_id, body FROM events WHERE session_id = ANY(%s) ORDER BY session_id, seq",
                           (chunk,))
        sid, got = None, []  # type: tuple[int | None, list]
        for s_id, body in rows:
            if s_id != sid:
                if sid is not None:
                    yield sid, got
                sid, got = s_id, []
            got.append(body)
        if sid is not None:
            yield sid, got


def bodies(store, ids: list[int]):
    """(session id, its events, its bodies as stored) for each id, in order; a body that is not an
    event is an error naming it."""
    for sid, raw in texts(store, ids):
        evs: list[dict] = []
        for body in raw:
            try:  # a journal file's bytes decoded here, not by json.loads' own guess at their encoding
                ev = json.loads(body.decode() if type(body) is bytes else body)
            except (ValueError, TypeError):  # not JSON, bytes that are not text, no body at all
                ev = None
            if type(ev) is not dict:
                raise JournalError(f"session {sid}, event #{len(evs) + 1}: {body_of(body)[1] or _NOT_EVENT}")
            evs.append(ev)
        yield sid, evs, raw


_NOT_EVENT = "its body is not an event (damaged)"


def _work(db, rows: list[dict], cache_key: str | None = None) -> list[dict]:
    """A worker's share: the facts of these infusions, as dicts, written to the cache (under
    `cache_key`) by the worker itself, so that the workers share that work too."""
    store = open_reader(db, checked=True)  # the command opened and checked it before it listed the infusions
    try:
        by_id = {r["id"]: r for r in rows}
        out, kept = [], []
        rules: dict = {}
        for sid, evs, raw in bodies(store, list(by_id)):
            try:
                d = to_dict(facts(sid, by_id[sid], evs, **_rules(evs, rules)))
            except Unreplayable as exc:  # said as a store error, which a worker hands back
                raise JournalError(f"session {sid}{exc.where}: its record cannot be replayed ({exc.why})") from None
            out.append(d)
            if cache_key is not None:
                kept.append((sid, facts_cache.record_digest(by_id[sid], raw), json.dumps(d)))
    finally:
        store.close()
    if cache_key is not None and kept:
        facts_cache.write(cache_key, kept)
    return out


def _rules(evs: list[dict], known: dict) -> dict:
    """The rules the infusion was planned with, by its library version and policy (a year has few)."""
    first = evs[0]
    lib = first.get("library")
    key = (lib.get("hash") if isinstance(lib, dict) else None, first.get("policy"))
    try:
        if key not in known:  # a list or an object where a name should be: TypeError
            from ..library.cache import replay_rules

            known[key] = replay_rules(evs)
    except DAMAGE as exc:
        raise Unreplayable(str(exc), ", event #1") from None
    return known[key]


def collect(db, rows: list[dict], workers: int | None = None, cache: bool = True,
            meanwhile: Callable[[], None] | None = None) -> list[InfusionFacts]:
    """The facts of every infusion listed: kept ones whose record is as it was, the others worked out.
    `meanwhile` runs in this process while the workers work (first, where there are none); what it
    raises is raised, and nothing is given."""
    key = facts_cache.source_key(db)
    kept = facts_cache.read(key) if cache else {}
    now = _digests(db, [r for r in rows if r["id"] in kept]) if kept else {}
    have, todo = [], []
    for r in rows:
        f = _kept(kept.get(r["id"]), now.get(r["id"]))
        if f is None:
            todo.append(r)
        else:
            have.append(f)
    new = [from_dict(d) for d in _compute(db, todo, workers, key if cache else None, meanwhile)]
    return sorted(have + new, key=lambda f: f.session_id)


def _kept(hit: tuple[str, dict] | None, dig: str | None) -> InfusionFacts | None:
    if hit is None or dig is None or hit[0] != dig:
        return None
    try:
        return from_dict(hit[1])
    except (TypeError, ValueError, KeyError):  # kept by another version, or damaged: worked out again
        return None


def _digests(db, rows: list[dict]) -> dict[int, str]:
    """The digest of each record as it is now (a store that cannot be read gives none: all are worked
    out, and the check or the replay says why)."""
    try:
        store = open_reader(db, checked=True)
    except JournalError:
        return {}
    try:
        by_id = {r["id"]: r for r in rows}
        return {sid: facts_cache.record_digest(by_id[sid], raw) for sid, raw in texts(store, list(by_id))}
    except sqlite3.DatabaseError:
        return {}
    finally:
        store.close()


def _compute(db, rows: list[dict], workers: int | None, cache_key: str | None,
             meanwhile: Callable[[], None] | None) -> list[dict]:
    n = workers if workers is not None else min(4, os.cpu_count() or 1)
    if n <= 1 or len(rows) < IN_PROCESS_BELOW:
        if meanwhile is not None:
            meanwhile()
        return _work(db, rows, cache_key) if rows else []
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # shares of CHUNK infusions, handed to whichever worker is free: the cores finish together even
    # when one is slowed by other work (two halves fixed ahead finished up to 0.8 s apart)
    shares = [rows[k:k + CHUNK] for k in range(0, len(rows), CHUNK)]
    # fork where this process has one thread (the command line): the workers start at once with the
    # modules loaded; spawn where it has more (the app: the outbox, the board), which a fork would
    # copy half-way
    import threading

    how = "fork" if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context(how),
                             initializer=_watch_parent, initargs=(os.getpid(),)) as pool:
        try:
            pending = pool.map(_work, [db] * len(shares), shares, [cache_key] * len(shares))  # begun at once
            if meanwhile is not None:
                meanwhile()
            parts = list(pending)
        except BrokenProcessPool:
            raise TitrationError("a worker process of the report stopped before its share was done (was it "
                                 "killed?); nothing was written: run the report again") from None
        except BaseException:
            pool.shutdown(cancel_futures=True)  # a record refused: the shares not begun are not worked out
            raise
    return [d for part in parts for d in part]


def _watch_parent(parent: int) -> None:
    """A worker ends when the command that started it is gone (killed): otherwise it would wait for
    ever to hand back a share nobody reads."""
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
