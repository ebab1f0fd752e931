"""Every resource file read strictly: the library, and the unit's other files (unit.toml,
training.toml, forecast.toml). The first problem is a DataError naming the file, the key and
the problem.

At start the app reads the library and unit.toml (`check_start`) and does not start on a problem.
training.toml and forecast.toml are read, as strictly, where they are used (a training session,
the chair-time forecast): reading them at start would load the training modules and numpy before
the window paints. `library check` reads every file present (`check_resources`).
"""
from __future__ import annotations

import os

from ..data import RESOURCES
from .load import Library, load

OTHER_FILES = ("unit.toml", "training.toml", "forecast.toml")


def _read(name: str, path: str) -> None:
    """One of the other files, through its own (strict) reader, uncached."""
    if name == "unit.toml":
        from ..unit_settings import load_unit_settings

        load_unit_settings.__wrapped__(path)
    elif name == "training.toml":
        from ..training.settings import base_settings

        base_settings.__wrapped__(path)
    else:
        from ..forecast import load_params

        load_params(path)


def check_start(folder: str | None = None) -> Library:
    """What the app reads before its window opens: the library and unit.toml (both must be there)."""
    folder = os.fspath(folder or RESOURCES)
    lib = load(folder)
    _read("unit.toml", os.path.join(folder, "unit.toml"))
    return lib


def check_resources(folder: str) -> Library:
    """The library in `folder` and every other resource file there."""
    folder = os.fspath(folder)
    lib = load(folder)
    for name in OTHER_FILES:
        path = os.path.join(folder, name)
        if os.path.exists(path):
            _read(name, path)
    return lib
