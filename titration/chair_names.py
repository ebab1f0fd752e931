"""Chair names: a real infusion's chair and a training run are never named alike.

A training run is "Training 1", "Training 2" ..., never "Chair N", so that its alerts, tiles and
records cannot be taken for a real chair's. Names are compared as a nurse reads them (case and
spacing aside).
"""
from __future__ import annotations

from collections.abc import Iterable

TRAINING_PREFIX = "Training"


def same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def next_chair_name(used: Iterable[str], *, training: bool = False) -> str:
    """The first free 'Chair N' (or 'Training N' for a training run)."""
    taken = {" ".join(u.split()).casefold() for u in used}
    prefix = TRAINING_PREFIX if training else "Chair"
    n = 1
    while f"{prefix} {n}".casefold() in taken:
        n += 1
    return f"{prefix} {n}"


def is_training_name(name: str) -> bool:
    """A name kept for training runs: a real chair may not take it."""
    first = " ".join(name.split()).casefold().split(" ")[0] if name.strip() else ""
    return first == TRAINING_PREFIX.casefold()
