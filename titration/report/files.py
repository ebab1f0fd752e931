"""Writing an exported file: the path checked first, one line when it cannot be written, the file
created 0600 like the journal (it may hold a patient's record), and written whole or not at all.

`written(path, field)` yields a temporary name in the same folder (created 0600 by mkstemp); the
caller writes there (Python, or Qt's PDF/SVG/PNG writers); on success it replaces `path`, so an
earlier file of that name is never left half-written; on failure the temporary file is removed.
"""
from __future__ import annotations

import contextlib
import errno
import os
import tempfile

from ..errors import InputError

PRIVATE = 0o600


def _name_max(folder: str) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        return 255


def check_path(path: str, field: str) -> None:
    """Refuse, in one line, a path that cannot be written: empty, a missing folder, a name too
    long, a folder we cannot write to, a folder or a device in the file's place."""
    if not path or not str(path).strip():
        raise InputError(field, path, "a file name")
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path)) or "."
    name = os.path.basename(path)
    if not name:
        raise InputError(field, path, "a file name, not a folder")
    if len(os.fsencode(name)) > _name_max(folder if os.path.isdir(folder) else "/"):
        raise InputError(field, path, f"a shorter file name (at most {_name_max('/')} bytes)")
    if not os.path.isdir(folder):
        raise InputError(field, path, "a path in an existing folder")
    if os.path.isdir(path):
        raise InputError(field, path, "a file name, not a folder")
    if os.path.exists(path) and not os.path.isfile(path):
        raise InputError(field, path, "a regular file (this is a device or another kind of file)")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(field, path, "a path in a folder you can write to")


def _why(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "a place with free space (the disk is full)"
    if exc.errno == errno.ENAMETOOLONG:
        return "a shorter file name"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "a place you can write to"
    return f"a place that can be written ({exc.strerror})"


@contextlib.contextmanager
def written(path: str, field: str):
    """Yield a 0600 temporary file name beside `path`; put it in place if the block succeeds."""
    check_path(path, field)
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    ext = os.path.splitext(path)[1]
    try:
        fd, tmp = tempfile.mkstemp(prefix=".ivig-export-", suffix=ext, dir=folder)
        os.close(fd)
    except OSError as exc:
        raise InputError(field, path, _why(exc)) from None
    try:
        yield tmp
        os.chmod(tmp, PRIVATE)  # Qt's writers reopen the file; the mode stays ours either way
        os.replace(tmp, path)
    except OSError as exc:
        raise InputError(field, path, _why(exc)) from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
