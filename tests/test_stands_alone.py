"""The repository stands alone: no file in it (code, data, docs, tests) points to a file outside it
or to a ticket number; sources are cited by their name and address instead."""
import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# "../shared/...", "shared/design.md", "issue 12", "issue-17": words that only make sense outside the repository
# (another project's GitHub issues, cited as "issues #132", are sources by name and address)
STANDS_APART = re.compile(r"(\.\./|\b)shared[/ ](design|clinical|peers)|\bissues?[ -]?\d+\b", re.IGNORECASE)
SKIP_DIRS = {".git", ".venv", "build", "out", "__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis",
             ".import_linter_cache"}
TEXT = {".py", ".toml", ".md", ".txt", ".cfg", ".ini", ".json", ".csv", ""}


def _files():
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info")]
        for name in files:
            path = Path(folder) / name
            if path.suffix in TEXT and path != Path(__file__).resolve():
                yield path


def test_no_file_points_outside_the_repository_or_to_a_ticket():
    found = []
    for path in _files():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for n, line in enumerate(text.splitlines(), 1):
            if STANDS_APART.search(line):
                found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:100]}")
    assert not found, "\n".join(found)
