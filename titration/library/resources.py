"""Every resource file the app reads, read strictly at start: the library, and the unit's other
files (unit.toml, training.toml, forecast.toml). The app does not start on the first problem:
a DataError naming the file, the key and the problem."""
from __future__ import annotations

import os

from ..data import RESOURCES
from .load import Library, load

OTHER_FILES = ("unit.toml", "training.toml", "forecast.toml")


def check_resources(folder: str | None = None, *, whole: bool = True) -> Library:
    """Read the library in `folder` (default: the app's resources) and the other resource files.
    `whole`: the other files must be there (the app's own folder); otherwise those present are read."""
    from ..training.forecast import load_params
    from ..training.run import base_settings
    from ..unit_settings import load_unit_settings

    folder = os.fspath(folder or RESOURCES)
    lib = load(folder)
    readers = {"unit.toml": load_unit_settings.__wrapped__, "training.toml": base_settings.__wrapped__,
               "forecast.toml": load_params}
    for name in OTHER_FILES:
        path = os.path.join(folder, name)
        if whole or os.path.exists(path):
            readers[name](path)
    return lib
