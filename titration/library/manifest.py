"""resources/library.toml: the library's version number, effective date, changelog line and the
content hash that version was reviewed with."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..data import Table, load_toml

HASH = re.compile(r"sha256:[0-9a-f]{64}")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MANIFEST = "library.toml"


@dataclass(frozen=True)
class Manifest:
    version: int
    effective: str  # YYYY-MM-DD: the day this version applies from
    changelog: str  # one line: what changed from the version before
    content_hash: str  # "sha256:<64 hex>": the content this version was reviewed with
    path: str


def read_manifest(path: str) -> Manifest:
    t = Table(load_toml(path), path)
    t.schema_version(1)
    version = t.raw("version")
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= 1_000_000:
        raise t.fail("version", f"{version!r} is not a version number: give a whole number from 1")
    effective = t.raw("effective")
    if not isinstance(effective, str) or not DATE.fullmatch(effective) or not _real_date(effective):
        raise t.fail("effective", f"{effective!r} is not a date: give it quoted, as \"YYYY-MM-DD\"")
    changelog = t.str("changelog")
    if any(ord(c) < 32 for c in changelog):
        raise t.fail("changelog", "must be one line (no line breaks or control characters)")
    content_hash = t.raw("content_hash")
    if not isinstance(content_hash, str) or not HASH.fullmatch(content_hash):
        raise t.fail("content_hash", f"{content_hash!r} is not a content hash: give \"sha256:\" and 64 hex "
                                     "digits, as `library check` prints it")
    t.finish()
    return Manifest(version, effective, changelog, content_hash, path)


def _real_date(text: str) -> bool:
    from datetime import date

    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
