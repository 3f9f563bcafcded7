"""Writing files atomically: a temp file in the same directory, fsync, then rename into place."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import stat
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from pathlib import Path

    from typing_extensions import Buffer

from claimrules.diagnostics import Diagnostic, LoadError, Span

#: Mode of a new output file before the umask, as `open()` would create it.
_NEW_FILE_MODE = 0o666
_TEMP_ATTEMPTS = 100


def _refuse(path: Path, code: str, message: str, help_line: str | None = None) -> LoadError:
    return LoadError([Diagnostic(code, message, Span(str(path)), help=help_line)])


def _existing(path: Path) -> os.stat_result | None:
    """The output's own status (a symlink is not followed), or None when nothing is there."""
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def _check_target(path: Path, force: bool) -> os.stat_result | None:
    info = _existing(path)
    if info is None:
        return None
    if stat.S_ISLNK(info.st_mode):
        raise _refuse(path, "output-symlink", "refusing to write through a symlink",
                      "write to the symlink's target directly if that is intended")
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(path, "output-not-file", "output exists and is not a regular file")
    if not force:
        raise _refuse(path, "output-exists", "output file exists", "pass --force to replace it")
    return info


def _create_temp(directory: Path, name: str, mode: int) -> tuple[int, Path]:
    """Create a fresh temp file next to the output; `mode` is filtered by the umask."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    import secrets  # noqa: PLC0415 - only on a write: keeps a cached eval's start-up short

    for _ in range(_TEMP_ATTEMPTS):
        tmp = directory / f".{name}.{secrets.token_hex(6)}.tmp"
        try:
            return os.open(tmp, flags, mode), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary file name", str(directory))


def _write_all(fd: int, data: bytes | memoryview) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _publish(tmp: Path, path: Path, force: bool) -> None:
    """Move the finished temp file into place. Without `force`, never replace a file that
    appeared since the check: a hard link fails if the name is taken."""
    if force:
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise _refuse(path, "output-exists", "output file exists",
                      "pass --force to replace it") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV,
                             errno.EMLINK):
            raise
        # A file system without hard links: check once more, then rename.
        if _existing(path) is not None:
            raise _refuse(path, "output-exists", "output file exists",
                          "pass --force to replace it") from None
        os.replace(tmp, path)
        return
    os.unlink(tmp)


def _sync_directory(directory: Path) -> None:
    with contextlib.suppress(OSError):  # make the rename durable where the platform allows
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def write_atomic(path: Path, data: bytes, *, force: bool = False, mode: int | None = None
                 ) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never half.

    An existing file is replaced only with `force` (keeping its permission bits); a symlink is
    never followed or replaced; a new file gets the usual mode (0o666 less the umask), or
    exactly `mode` when it is given. On any failure the previous file is left byte-identical
    and no temp file remains.
    """
    from pathlib import Path  # noqa: PLC0415 - only on a write: the stdout guard needs none

    path = Path(path)
    previous = _check_target(path, force)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise _refuse(path, "output-dir-missing", f"directory `{directory}` does not exist")
    exact = mode is not None or previous is not None
    if mode is None:
        mode = stat.S_IMODE(previous.st_mode) if previous is not None else _NEW_FILE_MODE
    fd, tmp = _create_temp(directory, path.name, mode & 0o600 if exact else mode)
    try:
        try:
            if exact and hasattr(os, "fchmod"):
                os.fchmod(fd, mode)  # the umask applied at creation; set the bits exactly
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        _publish(tmp, path, force)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _sync_directory(directory)


class _CheckedWriter(io.RawIOBase):
    """A raw writer on a file descriptor that writes everything or raises: a partial write
    (a full disk, a file-size limit) is retried, so its error reaches the caller instead of
    being lost inside the buffered layer."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd

    def writable(self) -> bool:
        """Always: this is an output."""
        return True

    def fileno(self) -> int:
        """The descriptor written to."""
        return self._fd

    def write(self, data: Buffer) -> int:
        """Write all of `data`, or raise the OSError that stopped it."""
        view = memoryview(data).cast("B")
        _write_all(self._fd, view)
        return view.nbytes


def checked_text_stream(stream: TextIO) -> TextIO:
    """A text stream writing to the same descriptor as `stream`, with its encoding, error
    handler and line buffering, whose failed writes always raise (CPython's buffered writer
    can drop the rest of a partial write without an error)."""
    raw = _CheckedWriter(stream.fileno())
    return io.TextIOWrapper(
        io.BufferedWriter(raw),
        encoding=stream.encoding,
        errors=stream.errors,
        line_buffering=bool(stream.line_buffering),
    )
