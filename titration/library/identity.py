"""The library's identity: a hash of its content, and the version an infusion records.

The hash is taken over the parsed files (canonical JSON: sorted keys, whole numbers written as
decimals), so whitespace, comments and key order do not change it and every value does.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from functools import lru_cache

from ..data import library_folder, load_toml, toml_files
from .manifest import MANIFEST, read_manifest

PARTS = ("products.toml", "protocols", "policies", "symptoms.toml", "news2.toml")  # what the library is made of


def library_files(folder: str) -> list[tuple[str, str]]:
    """(name inside the folder, path) of every file of the library, in a fixed order."""
    out = []
    for part in PARTS:
        path = os.path.join(folder, part)
        if part.endswith(".toml"):
            out.append((part, path))
        else:
            out += [(f"{part}/{os.path.basename(p)}", p) for p in toml_files(path)]
    return out


FILE_NAME = re.compile(r"((products|symptoms|news2|library)\.toml"
                       r"|(protocols|policies)/[A-Za-z0-9][A-Za-z0-9._-]*\.toml)")  # and pg_library.FILE_NAME


def library_texts(folder: str) -> dict[str, str]:
    """Every file of the library in `folder`, library.toml included, as text: what a unit server
    stores of a version (a workstation writes them back into a folder and loads that)."""
    out = {}
    for name, path in [*library_files(folder), (MANIFEST, os.path.join(folder, MANIFEST))]:
        with open(path, encoding="utf-8") as fh:
            out[name] = fh.read()
    return out


def files_digest(files: dict[str, str]) -> str:
    """A digest of the files as text (the unit server works out the same: ivig_files_digest), so a
    file damaged on the way is noticed before anything parses it."""
    text = "".join(f"{len(k)}:{k}{len(v)}:{v}" for k, v in sorted(files.items(), key=lambda kv: kv[0].encode()))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _plain(value: object) -> object:
    """The value with 30 and 30.0 written alike (both mean thirty)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def content_hash(folder: str) -> str:
    content = {name: _plain(load_toml(path)) for name, path in library_files(folder)}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=str)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def version_record(folder: str) -> dict:
    """What an infusion records of the library it was planned with: the version number and the
    content hash; `edited_since_version` when the content is not the one that version was given for."""
    digest = content_hash(folder)
    path = os.path.join(folder, MANIFEST)
    if not os.path.exists(path):
        return {"version": None, "hash": digest}
    manifest = read_manifest(path)
    record = {"version": manifest.version, "hash": digest}
    if manifest.content_hash != digest:
        record["edited_since_version"] = True
    return record


@lru_cache(maxsize=4)
def _current(folder: str) -> tuple:
    return tuple(version_record(folder).items())


def current_version(folder: str | None = None) -> dict:
    """The version of the library this process plans with (read once per library folder: a unit
    server's new version switches the folder, library/cache.py)."""
    return dict(_current(folder or library_folder()))
