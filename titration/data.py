"""Loading resource files (TOML) with validation that names the file, the key and the problem."""
from __future__ import annotations

import marshal
import math
import os

from .errors import DataError, InputError
from .units import Rate, parse_rate

# IVIG_RESOURCES lets a unit point the app at its own edited copy of resources/.
# os.path, not pathlib: pathlib costs a headless command ~5 ms of start-up.
RESOURCES = os.environ.get("IVIG_RESOURCES") or os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "resources")


def resource(*parts: str) -> str:
    return os.path.join(RESOURCES, *parts)


def _cache_file(path: str) -> str | None:
    """Where the parsed form of a TOML file is cached (like __pycache__ for bytecode)."""
    if os.name == "nt":
        base = os.environ.get("LOCALAPPDATA")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not base:
        return None
    name = os.path.abspath(path).replace(os.sep, "%").replace(":", "%")
    return os.path.join(base, "ivig-titration", "toml", name + ".marshal")


def _cached(cache: str | None, key: tuple) -> dict | None:
    if cache is None:
        return None
    try:
        with open(cache, "rb") as fh:
            k, data = marshal.load(fh)
        return data if tuple(k) == key else None
    except (OSError, EOFError, ValueError, TypeError):
        return None


def _store(cache: str | None, key: tuple, data: dict) -> None:
    if cache is None:
        return
    try:
        os.makedirs(os.path.dirname(cache), exist_ok=True)
        tmp = f"{cache}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            marshal.dump((key, data), fh)
        os.replace(tmp, cache)
    except (OSError, ValueError):
        pass  # a cache that cannot be written only costs time


def load_toml(path: str) -> dict:
    """Parse a TOML file. The parsed form is cached by path, size and modification time,
    because importing and running tomllib is most of a headless command's start-up."""
    path = os.fspath(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise DataError(path, "(file)", "not found") from None
    except OSError as exc:
        raise DataError(path, "(file)", f"cannot be read: {exc.strerror}") from None
    key = (os.path.abspath(path), st.st_mtime_ns, st.st_size)
    cache = _cache_file(path)
    data = _cached(cache, key)
    if data is not None:
        return data
    import tomllib

    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise DataError(path, "(file)", f"not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise DataError(path, "(file)",
                        f"not UTF-8 text (byte {exc.start + 1} cannot be read); save it as UTF-8") from None
    except RecursionError:
        raise DataError(path, "(file)", "nested too deeply to be a resource file") from None
    except OSError as exc:
        raise DataError(path, "(file)", f"cannot be read: {exc.strerror}") from None
    _store(cache, key, data)
    return data


def toml_files(folder: str) -> list[str]:
    """The .toml files of a resource folder, sorted; a missing folder is a DataError."""
    if not os.path.isdir(folder):
        raise DataError(folder, "(folder)", "not found")
    return [os.path.join(folder, f) for f in sorted(os.listdir(folder)) if f.endswith(".toml")]


def stem(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0]


def nearest(name: str, known) -> str | None:
    """The known name a misspelt one most likely meant: one it begins (a shortened key), else the
    closest spelling, ignoring case and - for _."""
    flat = name.lower().replace("-", "_")
    longer = sorted((k for k in known if k.startswith(flat) and k != flat), key=len)
    if flat in known:
        return flat
    if longer:
        return longer[0]
    import difflib  # only on the error path: start-up stays light

    near = difflib.get_close_matches(flat, list(known), n=1, cutoff=0.5)
    return near[0] if near else None


def _spelt(v: object) -> str:
    """A value as the file spelt it (TOML's true, not Python's True)."""
    return str(v).lower() if isinstance(v, bool) else repr(v)


class Table:
    """A TOML table with typed getters; every error names file and dotted key."""

    def __init__(self, data: object, path: str, key: str = ""):
        if not isinstance(data, dict):
            raise DataError(path, key or "(top)", "must be a table")
        self.data, self.path, self.key = data, path, key

    def _k(self, name: str) -> str:
        return f"{self.key}.{name}" if self.key else name

    def fail(self, name: str, problem: str) -> DataError:
        return DataError(self.path, self._k(name), problem)

    def only(self, known, what: str = "known key") -> "Table":
        """Refuse a key this table does not know (a misspelling is never ignored), naming the
        nearest known key."""
        known = tuple(known)
        for k in self.data:
            if k not in known:
                near = nearest(str(k), known)
                hint = f"did you mean {near}?" if near else f"use {', '.join(sorted(known))}"
                raise self.fail(str(k), f"is not a {what}; {hint}")
        return self

    def has(self, name: str) -> bool:
        return name in self.data

    def raw(self, name: str, default: object = ...) -> object:
        if name not in self.data:
            if default is ...:
                raise self.fail(name, "is missing")
            return default
        return self.data[name]

    def str(self, name: str, default: object = ..., choices: tuple | None = None) -> str:
        v = self.raw(name, default)
        if v is default and default is not ...:
            return v
        if not isinstance(v, str) or not v.strip():
            raise self.fail(name, f"must be a non-empty string, not {v!r}")
        if choices is not None and v not in choices:
            raise self.fail(name, f"{v!r} is not one of {', '.join(map(str, choices))}")
        return v

    def num(self, name: str, default: object = ..., lo: float | None = None, hi: float | None = None,
            lo_open: bool = False) -> float:
        v = self.raw(name, default)
        if v is default and default is not ...:
            return v
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise self.fail(name, f"must be a number, not {_spelt(v)}")
        if lo is not None and (v <= lo if lo_open else v < lo) or hi is not None and v > hi:
            low = "" if lo is None else f" above {lo:g}" if lo_open else f" from {lo:g}"
            high = "" if hi is None else f" {'to' if low else 'up to'} {hi:g}"
            raise self.fail(name, f"{v!r} is outside the range: give a number{low}{high}")
        return float(v)

    def bool(self, name: str, default: object = ...) -> bool:
        v = self.raw(name, default)
        if not isinstance(v, bool):
            raise self.fail(name, f"must be true or false, not {v!r}")
        return v

    def strs(self, name: str, default: object = ...) -> tuple[str, ...]:
        v = self.raw(name, default)
        if v is default and default is not ...:
            return tuple(v)
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise self.fail(name, "must be a list of strings")
        return tuple(v)

    def nums(self, name: str, default: object = ..., lo: float = 0.0) -> tuple[float, ...]:
        v = self.raw(name, default)
        if v is default and default is not ...:
            return tuple(v)
        if not isinstance(v, list) or not all(
            isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) and x > lo for x in v
        ):
            raise self.fail(name, f"must be a list of numbers above {lo:g}")
        return tuple(float(x) for x in v)

    def rate(self, name: str, default: object = ...) -> Rate | None:
        v = self.raw(name, default)
        if v is None:
            return None
        try:
            return parse_rate(v, name)
        except InputError as exc:
            raise self.fail(name, f"{v!r} is not a rate; expected {exc.allowed}") from None

    def rates(self, name: str) -> tuple[Rate, ...]:
        v = self.raw(name)
        if not isinstance(v, list) or not v:
            raise self.fail(name, "must be a non-empty list of rates like '1 mg/kg/min'")
        out = []
        for i, x in enumerate(v):
            try:
                out.append(parse_rate(x, f"{name}[{i}]"))
            except InputError as exc:
                raise self.fail(f"{name}[{i}]", f"{x!r} is not a rate; expected {exc.allowed}") from None
        return tuple(out)

    def table(self, name: str, default: object = ...) -> "Table | None":
        v = self.raw(name, default)
        if v is None:
            return None
        return Table(v, self.path, self._k(name))

    def tables(self, name: str) -> list["Table"]:
        v = self.raw(name)
        if not isinstance(v, list) or not v:
            raise self.fail(name, "must be a non-empty list of tables")
        return [Table(x, self.path, f"{self._k(name)}[{i}]") for i, x in enumerate(v)]
