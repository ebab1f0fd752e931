"""The drug library this workstation runs: the bundled one, or the unit server's active version,
verified and kept in the user data folder for when the server cannot be reached.

A version from the server is written file by file into a folder of its own (named by its content
hash) and read back strictly, like any library: it must load, pass every check across files, and
its content hash and version must be the ones the server lists. Only then does this process plan
with it (`use`), and it becomes the last good version (`last_good`) the next start falls back to.
A version that fails any of this is never used: the workstation keeps what it ran and says why.

Switching changes the folder the library's loaders read and clears their caches. An infusion keeps
the version it was planned with: its session holds its own policy and catalogue, its first event
records the version, and `replay_rules` gives a replay the rules of that version when it is kept here.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from functools import lru_cache

from .. import data
from ..errors import DataError
from .identity import FILE_NAME, content_hash, current_version

POINTER = "active.json"


class Unverified(DataError):
    """A library version that may not be used: it did not load, or it is not the content it claims."""

    def __init__(self, why: str):
        super().__init__("library", "(version)", why)
        self.why = why

    def __str__(self) -> str:
        return self.why


@dataclass(frozen=True)
class Running:
    """What this process plans with, said on the Unit board and by `unit status`."""

    version: int | None
    content_hash: str
    source: str  # "bundled" | "unit server" | "kept copy" (the last good version, server out of reach)
    folder: str
    note: str = ""  # why it is not the server's active version, when it is not

    def line(self) -> str:
        number = f"version {self.version}" if self.version is not None else "unversioned"
        where = {"bundled": "the library bundled with the app", "unit server": "from the unit server",
                 "kept copy": "this workstation's kept copy of the unit's version"}.get(self.source, self.source)
        return f"Drug library {number} ({self.content_hash[:19]}), {where}" + (f"; {self.note}" if self.note else "")

    def to_dict(self) -> dict:
        return {"version": self.version, "content_hash": self.content_hash, "source": self.source,
                "folder": self.folder, "note": self.note}


def cache_root() -> str:
    from platformdirs import user_data_dir

    return os.path.join(user_data_dir("ivig-titration", appauthor=False), "library")


def folder_for(digest: str) -> str:
    return os.path.join(cache_root(), digest.split(":", 1)[-1])


def verify(folder: str, digest: str, version: int | None):
    """The library in `folder` read strictly and checked; Unverified unless it is `digest` (and `version`)."""
    from .checks import problems
    from .load import load

    try:
        lib = load(folder)
    except DataError as exc:
        raise Unverified(f"it does not load: {exc}") from None
    if lib.content_hash != digest:
        raise Unverified(f"its content is {lib.content_hash[:19]}, not the {digest[:19]} the unit server lists")
    if lib.manifest is None or (version is not None and lib.manifest.version != version):
        got = lib.manifest.version if lib.manifest else "none"
        raise Unverified(f"its library.toml gives version {got}, not the {version} the unit server lists")
    found = problems(lib)
    if found:
        raise Unverified(f"it fails the library's checks: {found[0]}")
    return lib


def install(files: dict[str, str], digest: str, version: int) -> str:
    """Write a server version's files into its own folder, verified; the folder (kept as the last good)."""
    bad = [n for n in files if not FILE_NAME.fullmatch(n)]
    if bad:
        raise Unverified(f"it holds a file that is not part of a drug library: {bad[0]!r}")
    target = folder_for(digest)
    os.makedirs(cache_root(), mode=0o700, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".incoming-", dir=cache_root())
    try:
        for name, text in files.items():
            path = os.path.join(tmp, *name.split("/"))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
        verify(tmp, digest, version)
        if os.path.isdir(target):  # a kept copy that no longer verifies (edited here): replaced whole
            shutil.rmtree(target)
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _remember(version, digest)
    return target


def kept(digest: str, version: int) -> str | None:
    """The folder of this version when it is kept here and still verifies (then the last good), else None."""
    folder = folder_for(digest)
    if not os.path.isdir(folder):
        return None
    try:
        verify(folder, digest, version)
    except Unverified:
        return None
    _remember(version, digest)
    return folder


def _remember(version: int, digest: str) -> None:
    path = os.path.join(cache_root(), POINTER)
    tmp = f"{path}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump({"version": version, "content_hash": digest}, fh)
    os.replace(tmp, path)


def last_good() -> tuple[int, str, str] | None:
    """(version, content hash, folder) of the last version verified here, checked again; None if
    there is none (or it no longer verifies: a kept copy edited since is never used)."""
    try:
        with open(os.path.join(cache_root(), POINTER), encoding="utf-8") as fh:
            d = json.load(fh)
        version, digest = int(d["version"]), str(d["content_hash"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    folder = folder_for(digest)
    try:
        verify(folder, digest, version)
    except Unverified:
        return None
    return version, digest, folder


_running: list[Running] = []


def running() -> Running:
    """What this process plans with now."""
    if _running:
        return _running[-1]
    rec = current_version()
    return Running(rec.get("version"), rec["hash"], "bundled", data.library_folder())


def use(folder: str | None, source: str, note: str = "") -> Running:
    """Plan with the library in `folder` from now on (None: the bundled one). Running infusions keep
    the rules they hold; the next infusion is planned with this one."""
    data.use_library_folder(folder)
    _clear_caches()
    rec = current_version()
    now = Running(rec.get("version"), rec["hash"], source if folder else "bundled", data.library_folder(), note)
    _running.append(now)
    del _running[:-1]
    return now


def _clear_caches() -> None:
    from .. import catalogue_file, news2, policy, products, protocols
    from . import identity

    for fn in (products.load_library, products.load_usual_doses, protocols.load_protocols, policy.load_policies,
               catalogue_file.load_catalogue, news2.load_chart, identity._current):
        fn.cache_clear()


@lru_cache(maxsize=8)
def _rules(folder: str):
    from ..catalogue_file import read_catalogue
    from ..policy import load_policies

    return load_policies.__wrapped__(os.path.join(folder, "policies")), \
        read_catalogue(os.path.join(folder, "symptoms.toml"))


def replay_rules(events: list[dict]) -> dict:
    """The policy and catalogue an infusion was planned with, for Session.replay, when this process
    runs another version and the infusion's version is kept here ({} otherwise: the current ones)."""
    first = events[0] if events else {}
    record = first.get("library") if isinstance(first, dict) else None
    if not isinstance(record, dict) or not isinstance(record.get("hash"), str):
        return {}
    digest = record["hash"]
    if digest == running().content_hash:
        return {}
    candidates = [folder_for(digest)]
    if not _running or _running[-1].source != "bundled":
        candidates.append(data.RESOURCES)
    for folder in candidates:
        if os.path.isdir(folder) and _same(folder, digest):
            policies, catalogue = _rules(folder)
            pid = first.get("policy") or "tiered"
            return {"policy": policies[pid], "catalogue": catalogue} if pid in policies else {}
    return {}


@lru_cache(maxsize=8)
def _same(folder: str, digest: str) -> bool:
    try:
        return content_hash(folder) == digest
    except DataError:
        return False
