"""One writer per journal: an exclusive lock on the journal file itself.

flock on the file's own descriptor locks its device and inode, so every name for it (a symbolic
or a hard link, another mount) shares the one lock, and the lock goes when the process dies. The
`.lock` file beside it only says which process holds it, for the message.
"""
from __future__ import annotations

import os
from pathlib import Path

from .base import JournalError, JournalLocked

WHERE = "choose another file with --db PATH or the IVIG_DB variable"


def take(path: Path) -> int | None:
    """Lock the journal (made empty and private if missing); the descriptor, or JournalLocked."""
    try:
        import fcntl
    except ImportError:  # Windows: SQLite's own locking is all we have
        return None
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise JournalError(f"cannot open the journal {path}: {exc.strerror}; {WHERE}") from None
    real = path.resolve()
    note = real.with_name(real.name + ".lock")
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        try:
            other = note.read_text(errors="replace").strip()[:32]
        except OSError:
            other = ""
        who = f" (process {other})" if other else ""
        raise JournalLocked(f"the journal {path} is open in another copy of the app{who}; "
                            "close that copy first, or use another file with --db PATH") from None
    try:
        nfd = os.open(note, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(nfd, str(os.getpid()).encode())
        finally:
            os.close(nfd)
    except OSError:
        pass  # the note is for the message only; the lock is on the journal itself
    return fd


def release(fd: int | None) -> None:
    if fd is not None:
        os.close(fd)  # closing the descriptor releases the flock
