"""Writing files atomically: a temp file in the same directory, fsync, then replace."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from claimrules.diagnostics import Diagnostic, LoadError, Span


def _refuse(path: Path, code: str, message: str, help_line: str | None = None) -> LoadError:
    return LoadError([Diagnostic(code, message, Span(str(path)), help=help_line)])


def write_atomic(path: Path, data: bytes, *, force: bool = False) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never half.

    An existing file is replaced only with `force`; a symlink is never followed or replaced.
    On any failure the previous file is left byte-identical and no temp file remains.
    """
    if path.is_symlink():
        raise _refuse(path, "output-symlink", "refusing to write through a symlink")
    if path.exists():
        if not path.is_file():
            raise _refuse(path, "output-not-file", "output exists and is not a regular file")
        if not force:
            raise _refuse(path, "output-exists", "output file exists",
                          "pass --force to replace it")
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise _refuse(path, "output-dir-missing", f"directory `{directory}` does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename durable where the platform allows
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
