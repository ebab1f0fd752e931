"""A trainee's saved actions (the file `train --responses` replays), read strictly.

The file is what the app saves (`{"scenario", "title", "seed", "responses": [...]}`) or a plain
list of actions. Every action is a session event as `Event.to_dict` writes it. Nothing in it is
dropped or guessed: an unknown or misspelt key, a key given twice, a value of the wrong type or
out of range, NaN or Infinity, a file that is not UTF-8 or nests too deeply is refused, naming
the file, the place (`responses[3].rate_ml_h`) and, for a misspelling, the nearest known key.

A real exercise records a few hundred actions (under 100 kB); a file over MAX_BYTES or
MAX_ACTIONS is refused before it is replayed, so a runaway file cannot hold the command for minutes.
"""
from __future__ import annotations

import json
import math
import os

from ..data import Table, nearest
from ..errors import DataError
from ..reactions import GRADES
from ..vitals import VITALS_KEYS

MAX_BYTES = 5_000_000
MAX_ACTIONS = 20_000
MAX_AT_MIN = 48 * 60  # an exercise lasts hours; two days is a slip of units
SEED_MAX = 2**32 - 1
TOP_KEYS = ("scenario", "title", "seed", "responses")
PROPOSAL_KEYS = ("action", "rate_ml_h", "rung", "reason", "rule", "grade", "reaction_kind")
ACTIONS = ("increase", "slow", "pause", "resume", "stop", "review", "emergency")
KIND_KEYS = {  # what Session writes for each kind of event, besides at_min, kind and who (a test replays
    # every shipped scenario's perfect run through this reader, so a new key in Session shows up there)
    "vitals": ("vitals", "grade", "judge", "news2", "rules_off", "baseline"), "start": ("rate_ml_h", "rung", "second"),
    "symptoms": ("symptoms", "vitals", "judge"),
    "resolved": (), "increase": PROPOSAL_KEYS, "action": PROPOSAL_KEYS + ("override", "proposed", "second"),
    "pause": ("reason",), "resume": ("rate_ml_h", "rung"), "stop": ("reason",), "observed": ("early",),
    "note": ("text",), "complete": ("delivered_ml", "volume_in_min"),
    # beside the pump (titration/bedside.py): checked again, value by value, when replayed
    "signin": ("name", "initials", "from_list"),
    "vial": ("gtin", "lot", "expiry", "grams", "entry", "serial", "finding", "product"),
    "vial_removed": ("vial", "reason"),
    "premedication": ("drug", "dose", "unit", "route", "given_min", "from_list"),
}
TEXT_KEYS = ("who", "reason", "rule", "override", "text", "early", "scenario", "title", "reaction_kind", "second",
             "name", "initials", "gtin", "lot", "expiry", "entry", "serial", "finding", "product", "drug", "unit",
             "route")


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number")


def _no_repeats(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise ValueError(f"the key {k!r} is given twice in one object")
        d[k] = v
    return d


def read_responses_file(path: str) -> object:
    """The parsed file, or a one-line DataError."""
    try:
        size = os.path.getsize(path)
        if size > MAX_BYTES:
            raise DataError(path, "(file)", f"is {size / 1e6:.1f} MB; a responses file may be at most "
                                            f"{MAX_BYTES / 1e6:g} MB (a real exercise is under 0.1 MB)")
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise DataError(path, "(file)", "not found") from None
    except OSError as exc:
        raise DataError(path, "(file)", f"cannot be read ({exc.strerror})") from None
    if len(raw) > MAX_BYTES:  # a pipe or a file that grew while we looked
        raise DataError(path, "(file)", f"is over {MAX_BYTES / 1e6:g} MB, the most a responses file may be")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(path, "(file)", f"not UTF-8 text (byte {exc.start + 1} cannot be read)") from None
    try:
        return json.loads(text, parse_constant=_no_constant, object_pairs_hook=_no_repeats)
    except json.JSONDecodeError as exc:
        raise DataError(path, "(file)", f"not valid JSON ({exc.msg}, line {exc.lineno})") from None
    except RecursionError:
        raise DataError(path, "(file)", "nested too deeply to be a responses file") from None
    except ValueError as exc:  # NaN, Infinity, a repeated key, a number too long to read
        raise DataError(path, "(file)", f"not valid here: {exc}") from None


def _number(t: Table, key: str, lo: float, hi: float) -> None:
    v = t.data[key]
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or not lo <= v <= hi:
        raise t.fail(key, f"{json.dumps(v)} is not allowed; expected a number from {lo:g} to {hi:g}")


def _whole(t: Table, key: str, lo: int, hi: int) -> None:
    v = t.data[key]
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise t.fail(key, f"{json.dumps(v)} is not allowed; expected a whole number from {lo} to {hi}")


def _text(t: Table, key: str) -> None:
    if not isinstance(t.data[key], str):
        raise t.fail(key, f"{json.dumps(t.data[key])} is not allowed; expected text")


def check_action(t: Table) -> None:
    """One action: its keys for its kind, each value's type and range."""
    for key in ("at_min", "kind"):
        if key not in t.data:
            raise t.fail(key, "is missing: each action needs at_min and kind")
    kind = t.data["kind"]
    if not isinstance(kind, str) or kind not in KIND_KEYS:
        near = nearest(str(kind), KIND_KEYS)
        raise t.fail("kind", f"{json.dumps(kind)} is not an action kind; "
                             + (f"did you mean {near}?" if near else f"use {', '.join(KIND_KEYS)}"))
    t.only(("at_min", "kind", "who") + KIND_KEYS[kind], f"key of this action ({kind})")
    _number(t, "at_min", 0, MAX_AT_MIN)
    for key in t.data:
        if key in TEXT_KEYS:
            _text(t, key)
        elif key in ("rate_ml_h",):
            _number(t, key, 0, 1200)
        elif key in ("delivered_ml", "dose"):
            _number(t, key, 0, 10_000)
        elif key == "grams":
            _number(t, key, 0, 100)
        elif key == "given_min":
            _number(t, key, -24 * 60, MAX_AT_MIN)
        elif key == "vial":
            _whole(t, key, 1, 1000)
        elif key == "from_list" and not isinstance(t.data[key], bool):
            raise t.fail(key, f"{json.dumps(t.data[key])} is not allowed; expected true or false")
        elif key == "rung":
            _whole(t, key, -1, 100)
        elif key in ("action", "proposed"):
            if t.data[key] not in ACTIONS:
                raise t.fail(key, f"{json.dumps(t.data[key])} is not allowed; expected one of {', '.join(ACTIONS)}")
        elif key == "grade":
            if t.data[key] not in GRADES:
                raise t.fail(key, f"{json.dumps(t.data[key])} is not allowed; expected one of {', '.join(GRADES)}")
        elif key in ("symptoms", "judge", "rules_off"):
            t.strs(key)
        elif key == "news2":
            _whole(t, key, 0, 20)
        elif key == "baseline":
            t.bool(key)
        elif key == "vitals":
            Table(t.data[key], t.path, t._k(key)).only(VITALS_KEYS, "vital sign")
    if "who" in t.data and not t.data["who"].strip():
        raise t.fail("who", "is empty; name who did it (nurse) or leave the key out")


def read_responses(path: str, seed: int | None = None) -> tuple[int, list[dict]]:
    """(seed, actions) from a responses file, every key and value checked.

    `seed` is the one given on the command line: it must agree with the file's, because another
    seed is another patient (and the replay would judge the trainee against it)."""
    doc = read_responses_file(path)
    file_seed = None
    if isinstance(doc, dict):
        top = Table(doc, path).only(TOP_KEYS)
        for key in ("scenario", "title"):
            if top.has(key):
                _text(top, key)
        if top.has("seed"):
            _whole(top, "seed", 0, SEED_MAX)
            file_seed = doc["seed"]
        if not top.has("responses"):
            raise top.fail("responses", "is missing: the list of the trainee's actions")
        actions, where = doc["responses"], "responses"
    else:
        actions, where = doc, "responses"  # a plain list: its actions are named as in the saved file
    if not isinstance(actions, list):
        raise DataError(path, where if isinstance(doc, dict) else "(top)",
                        "must be a list of actions (or the file the app saves)")
    if len(actions) > MAX_ACTIONS:
        raise DataError(path, where, f"holds {len(actions)} actions; at most {MAX_ACTIONS} "
                                                "(a real exercise records a few hundred)")
    for i, r in enumerate(actions):
        check_action(Table(r, path, f"{where}[{i}]"))
    if seed is not None and file_seed is not None and seed != file_seed:
        raise DataError(path, "seed", f"the file was recorded with seed {file_seed}, not {seed}: another seed "
                                      "is another patient; leave --seed out")
    return (seed if seed is not None else file_seed if file_seed is not None else 0), actions
