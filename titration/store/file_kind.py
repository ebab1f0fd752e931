"""Is the file at a journal's path one of ours? Asked before anything is touched or made beside it:
a folder, a device, a file that is not SQLite, another program's database are refused and left
exactly as they were; ours (even with its first bytes damaged) is opened, or set aside if damaged.
"""
from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

from .base import JournalError
from .sqlite_schema import APP_ID

BUSY_TIMEOUT_S = 2.0
SQLITE_MAGIC = b"SQLite format 3\x00"
WHERE = "choose another file with --db PATH or the IVIG_DB variable"


def damaged_header(head: bytes) -> bool:
    """The first page of a journal of ours whose first bytes (SQLite's "format 3" string, the page
    size...) are damaged: our application id is in its place (bytes 68-71) and page 1's table
    begins where it should (byte 100). Anything else is not called ours."""
    return (len(head) > 100 and not head.startswith(SQLITE_MAGIC)
            and int.from_bytes(head[68:72], "big") == APP_ID and head[100] in (0x05, 0x0D))


def refuse_foreign(p: Path, own: bool) -> None:
    """Refuse, before touching anything, a path that is not (or may not be) our journal. `own`: the
    workstation's outbox at its own path, a file the app made there, so whatever is there and cannot
    be read as a journal is damage, set aside like any other, never "not ours"."""
    if p.is_dir():
        raise JournalError(f"the journal {p} is a folder, not a file; {WHERE}")
    if not p.exists():
        return
    st = os.stat(p)
    if not stat.S_ISREG(st.st_mode):
        raise JournalError(f"{p} is not a regular file (a device or a pipe?); it was left as it was; {WHERE}")
    if not os.access(p, os.R_OK):
        raise JournalError(f"cannot read the journal {p} (permission denied); {WHERE}")
    if st.st_size == 0 or own:
        return
    with open(p, "rb") as f:
        head = f.read(101)
    if not head.startswith(SQLITE_MAGIC) and damaged_header(head):
        return  # ours, its first bytes damaged: it cannot be opened, and is set aside like any damaged journal
    if not head.startswith(SQLITE_MAGIC) or len(head) < 72:
        raise JournalError(f"{p} is not a journal of this app; it was left as it was; {WHERE}")
    app = int.from_bytes(head[68:72], "big")
    if app == 0:  # our id may still be in the -wal beside it: ask SQLite, read-only
        app = _peek_app_id(p)
    if app != APP_ID:
        raise JournalError(f"{p} is a database of another program, not a journal of this app; it was left as "
                           f"it was; {WHERE}")


def _peek_app_id(path: Path) -> int:
    # Without a -wal beside it the file is complete: read it as immutable, which creates no
    # -wal or -shm beside a file that may be another program's. With one, it must be read too.
    wal = path.with_name(path.name + "-wal").exists()
    uri = "file:" + str(path.resolve()).replace("?", "%3f").replace("#", "%23") + \
        ("?mode=ro" if wal else "?immutable=1")
    try:
        c = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S)
        try:
            app = c.execute("PRAGMA application_id").fetchone()[0]
            tables = c.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        finally:
            c.close()
    except sqlite3.Error:
        return -1
    return APP_ID if app == 0 and tables == 0 else app
