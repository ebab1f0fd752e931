"""Loading resource files (TOML) with validation that names the file, the key and the problem."""
from __future__ import annotations

import marshal
import math
import os

from .errors import DataError, InputError
from .units import Rate, parse_rate

# IVIG_RESOURCES lets a unit point the app at its own edited copy of resources/.
# os.path, not pathlib: pathlib costs a headless command ~5 ms of start-up. realpath: the editable
# install links each module from build/, where resources/ is not (the `ivig-titration` command).
RESOURCES = os.environ.get("IVIG_RESOURCES") or os.path.join(
    os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "resources")


def resource(*parts: str) -> str:
    return os.path.join(RESOURCES, *parts)


# The drug library (products, protocols, policies, symptoms, NEWS2) may come from elsewhere than
# RESOURCES: the unit server's active version, verified and kept in the user data folder
# (library/cache.py switches it, and clears the loaders' caches). None: the bundled library.
_LIBRARY_FOLDER: list[str | None] = [None]


def library_folder() -> str:
    return _LIBRARY_FOLDER[0] or RESOURCES


def use_library_folder(folder: str | None) -> None:
    """Read the drug library from `folder` from now on (None: the bundled one); library/cache.py
    calls it and clears the loaders' caches."""
    _LIBRARY_FOLDER[0] = folder


def library_resource(*parts: str) -> str:
    """A file of the drug library this process plans with now."""
    return os.path.join(library_folder(), *parts)


# Part of every cache key: a cache written before the parsed data was checked (non-finite numbers)
# is never served.
_CACHE_FORMAT = 2


def cache_folder() -> str | None:
    """The app's folder in the user cache folder (None where the system names none)."""
    if os.name == "nt":
        base = os.environ.get("LOCALAPPDATA")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "ivig-titration") if base else None


def _cache_file(path: str) -> str | None:
    """Where the parsed form of a TOML file is cached (like __pycache__ for bytecode)."""
    base = cache_folder()
    if base is None:
        return None
    name = os.path.abspath(path).replace(os.sep, "%").replace(":", "%")
    return os.path.join(base, "toml", name + ".marshal")


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
    key = (os.path.abspath(path), st.st_mtime_ns, st.st_size, _CACHE_FORMAT)
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
    _refuse_non_finite(path, data)
    _store(cache, key, data)
    return data


def _refuse_non_finite(path: str, value: object, key: str = "") -> None:
    """TOML can spell nan and inf; no resource value is ever one (a NaN threshold compares false
    with everything, so a rule holding it would silently never hold)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise DataError(path, key or "(top)", f"{value!r} is not a number: give a finite value")
    if isinstance(value, dict):
        for k, v in value.items():
            _refuse_non_finite(path, v, f"{key}.{k}" if key else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _refuse_non_finite(path, v, f"{key}[{i}]")


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


def _join(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name

# Table's readers are named str and bool (as the TOML types are): inside the class those names are
# its methods, so annotations there use these.
Str = str
Bool = bool


class Table:
    """A TOML table with typed getters; every error names file and dotted key.

    Reading is strict without a list of keys to keep up to date: the tables of one file share a
    record of the keys their readers asked for, and `finish()` refuses any key that no reader
    read (naming the nearest known one). A key a reader reads is thereby known.
    """

    def __init__(self, data: object, path: Str, key: Str = "", _reads: dict | None = None):
        if not isinstance(data, dict):
            raise DataError(path, key or "(top)", "must be a table")
        self.data, self.path, self.key = data, path, key
        # dotted key -> (the table's data, names read, names asked for): shared by one file's tables
        self._reads = {} if _reads is None else _reads
        _, self._read, self._asked = self._reads.setdefault(key, (data, set(), set()))

    def _k(self, name: Str) -> Str:
        return _join(self.key, name)

    def _child(self, data: object, key: Str) -> "Table":
        return Table(data, self.path, key, self._reads)

    def fail(self, name: Str, problem: Str) -> DataError:
        return DataError(self.path, self._k(name), problem)

    def only(self, known, what: Str = "known key") -> "Table":
        """Refuse a key this table does not know (a misspelling is never ignored), naming the
        nearest known key."""
        known = tuple(known)
        for k in self.data:
            if k not in known:
                near = nearest(str(k), known)
                hint = f"did you mean {near}?" if near else f"use {', '.join(sorted(known))}"
                raise self.fail(str(k), f"is not a {what}; {hint}")
        return self

    def finish(self) -> "Table":
        """Refuse every key, in this table and the tables read from it, that no reader read.
        Call it when a file (or this part of it) has been read to the end."""
        for key, (data, read, asked) in self._reads.items():
            if self.key and not (key == self.key or key.startswith((self.key + ".", self.key + "["))):
                continue
            for name in data:
                if name not in read:
                    raise DataError(self.path, _join(key, str(name)), self._unread(key, str(name), asked))
        return self

    def _unread(self, key: Str, name: Str, asked: set) -> Str:
        """Why a key was not read: it has no meaning with the table's other keys (other tables of
        the same kind read it), or it is unknown (a misspelling: the nearest known key)."""
        import re  # only on the error path

        shape = re.sub(r"\[\d+\]", "[]", key)
        alike = [a for k, (_, _, a) in self._reads.items() if re.sub(r"\[\d+\]", "[]", k) == shape]
        known = set(asked).union(*alike)
        if name in known:
            return "is not used with this table's other keys (it has a meaning only in other settings); remove it"
        near = nearest(name, known)
        if near:
            return f"is not a known key; did you mean {near}?"
        return f"is not a known key; the keys here are {', '.join(sorted(known))}"

    def schema_version(self, *known: int, missing: int | None = None) -> int:
        """The file's schema_version, which must be one this app reads. `missing`: the version of
        a file written before it carried one."""
        if missing is not None and "schema_version" not in self.data:
            self._asked.add("schema_version")
            return missing
        v = self.raw("schema_version")
        if isinstance(v, bool) or not isinstance(v, int) or v not in known:
            versions = " or ".join(map(str, known))
            raise self.fail("schema_version", f"{_spelt(v)} is not a version this app reads (it reads {versions}): "
                                              "the file is for another version of the app, or damaged")
        return v

    def has(self, name: Str) -> Bool:
        self._asked.add(name)
        return name in self.data

    def raw(self, name: Str, default: object = ...) -> object:
        self._read.add(name)
        self._asked.add(name)
        if name not in self.data:
            if default is ...:
                raise self.fail(name, self._missing(name))
            return default
        return self.data[name]

    def _missing(self, name: Str) -> Str:
        stray = [k for k in self.data if isinstance(k, str) and k not in self._read and nearest(k, (name,)) == name]
        return f"is missing ({stray[0]} is given: a misspelling of {name}?)" if stray else "is missing"

    def str(self, name: Str, default: object = ..., choices: tuple | None = None) -> Str:
        v = self.raw(name, default)
        if v is default and default is not ...:
            return v
        if not isinstance(v, str) or not v.strip():
            raise self.fail(name, f"must be a non-empty string, not {v!r}")
        if choices is not None and v not in choices:
            raise self.fail(name, f"{v!r} is not one of {', '.join(map(str, choices))}")
        return v

    def num(self, name: Str, default: object = ..., lo: float | None = None, hi: float | None = None,
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

    def bool(self, name: Str, default: object = ...) -> Bool:
        v = self.raw(name, default)
        if not isinstance(v, bool):
            raise self.fail(name, f"must be true or false, not {v!r}")
        return v

    def strs(self, name: Str, default: object = ...) -> tuple[Str, ...]:
        v = self.raw(name, default)
        if v is default and default is not ...:
            return tuple(v)
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise self.fail(name, "must be a list of strings")
        return tuple(v)

    def nums(self, name: Str, default: object = ..., lo: float = 0.0) -> tuple[float, ...]:
        v = self.raw(name, default)
        if v is default and default is not ...:
            return tuple(v)
        if not isinstance(v, list) or not all(
            isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) and x > lo for x in v
        ):
            raise self.fail(name, f"must be a list of numbers above {lo:g}")
        return tuple(float(x) for x in v)

    def rate(self, name: Str, default: object = ...) -> Rate | None:
        v = self.raw(name, default)
        if v is None:
            return None
        try:
            return parse_rate(v, name)
        except InputError as exc:
            raise self.fail(name, f"{v!r} is not a rate; expected {exc.allowed}") from None

    def rates(self, name: Str) -> tuple[Rate, ...]:
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

    def table(self, name: Str, default: object = ...) -> "Table | None":
        v = self.raw(name, default)
        if v is None:
            return None
        return self._child(v, self._k(name))

    def tables(self, name: Str) -> list["Table"]:
        v = self.raw(name)
        if not isinstance(v, list) or not v:
            raise self.fail(name, "must be a non-empty list of tables")
        return [self._child(x, f"{self._k(name)}[{i}]") for i, x in enumerate(v)]
