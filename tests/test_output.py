"""`output.write_atomic`: readers see the old file or the new one, never half; failures leave the
previous file byte-identical and no temp file behind; no overwrite without force; symlinks are
refused, never followed or replaced."""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from claimrules.diagnostics import LoadError
from claimrules.output import write_atomic

OLD = b"old contents\n" * 100
NEW = b"new contents\n" * 5000  # several writes' worth on some systems


class Injected(OSError):
    """The fault the tests inject."""


def _listing(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def _code(info: pytest.ExceptionInfo[LoadError]) -> str:
    return info.value.diagnostics[0].code


@pytest.fixture
def target(tmp_path: Path) -> Path:
    path = tmp_path / "brief.md"
    path.write_bytes(OLD)
    return path


def test_new_file(tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    write_atomic(path, NEW)
    assert path.read_bytes() == NEW
    assert _listing(tmp_path) == ["out.json"]


def test_empty_data(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    write_atomic(path, b"")
    assert path.read_bytes() == b""
    assert _listing(tmp_path) == ["empty.txt"]


def test_new_file_gets_the_umask_mode_not_the_temp_file_mode(tmp_path: Path) -> None:
    old_mask = os.umask(0o022)
    try:
        write_atomic(tmp_path / "out.txt", NEW)
    finally:
        os.umask(old_mask)
    assert stat.S_IMODE((tmp_path / "out.txt").stat().st_mode) == 0o644


def test_existing_file_is_not_overwritten_without_force(target: Path) -> None:
    with pytest.raises(LoadError) as info:
        write_atomic(target, NEW)
    assert _code(info) == "output-exists"
    assert "--force" in (info.value.diagnostics[0].help or "")
    assert target.read_bytes() == OLD
    assert _listing(target.parent) == [target.name]


def test_force_replaces_and_keeps_the_mode(target: Path) -> None:
    target.chmod(0o640)
    write_atomic(target, NEW, force=True)
    assert target.read_bytes() == NEW
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert _listing(target.parent) == [target.name]


@pytest.mark.parametrize("force", [False, True])
def test_symlink_is_refused_never_followed_or_replaced(tmp_path: Path, force: bool) -> None:
    real = tmp_path / "real.txt"
    real.write_bytes(OLD)
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    with pytest.raises(LoadError) as info:
        write_atomic(link, NEW, force=force)
    assert _code(info) == "output-symlink"
    assert link.is_symlink()
    assert os.readlink(link) == str(real)
    assert real.read_bytes() == OLD
    assert _listing(tmp_path) == ["link.txt", "real.txt"]


@pytest.mark.parametrize("force", [False, True])
def test_dangling_symlink_is_refused(tmp_path: Path, force: bool) -> None:
    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "missing.txt")
    with pytest.raises(LoadError) as info:
        write_atomic(link, NEW, force=force)
    assert _code(info) == "output-symlink"
    assert not (tmp_path / "missing.txt").exists()
    assert _listing(tmp_path) == ["link.txt"]


def test_symlink_to_a_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "d", target_is_directory=True)
    with pytest.raises(LoadError) as info:
        write_atomic(tmp_path / "link", NEW, force=True)
    assert _code(info) == "output-symlink"
    assert _listing(tmp_path / "d") == []


@pytest.mark.parametrize("force", [False, True])
def test_directory_and_fifo_targets_are_refused(tmp_path: Path, force: bool) -> None:
    (tmp_path / "d").mkdir()
    os.mkfifo(tmp_path / "pipe")
    for name in ("d", "pipe"):
        with pytest.raises(LoadError) as info:
            write_atomic(tmp_path / name, NEW, force=force)
        assert _code(info) in ("output-not-file", "output-exists")
    assert stat.S_ISFIFO(os.lstat(tmp_path / "pipe").st_mode)
    assert _listing(tmp_path) == ["d", "pipe"]


def test_missing_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as info:
        write_atomic(tmp_path / "nope" / "out.txt", NEW)
    assert _code(info) == "output-dir-missing"
    assert _listing(tmp_path) == []


def test_relative_path_in_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_atomic(Path("out.txt"), NEW)
    assert (tmp_path / "out.txt").read_bytes() == NEW
    assert _listing(tmp_path) == ["out.txt"]


# --- fault injection ---------------------------------------------------------------------


def _fail_write_halfway(real: Callable[[int, bytes], int]) -> Callable[[int, bytes], int]:
    calls = {"n": 0}

    def write(fd: int, data: bytes) -> int:
        calls["n"] += 1
        if calls["n"] == 1:
            return real(fd, bytes(data[: len(data) // 2]))  # a short write, then the fault
        raise Injected("disk full")

    return write


def _fail(*_: object, **__: object) -> None:
    raise Injected("injected")


def _interrupt(*_: object, **__: object) -> None:
    raise KeyboardInterrupt


FAULTS = {
    "write-halfway": ("write", lambda: _fail_write_halfway(os.write), Injected),
    "write-interrupted": ("write", lambda: _interrupt, KeyboardInterrupt),
    "fsync": ("fsync", lambda: _fail, Injected),
    "close": ("close", lambda: _fail, Injected),
    "replace": ("replace", lambda: _fail, Injected),  # publishing a replacement (force)
    "replace-interrupted": ("replace", lambda: _interrupt, KeyboardInterrupt),
    "link": ("link", lambda: _fail, Injected),  # publishing a new file (no force)
    "link-interrupted": ("link", lambda: _interrupt, KeyboardInterrupt),
}
FAULT_CASES = [
    pytest.param(fault, force, id=f"{fault}-{'force' if force else 'new'}")
    for fault in sorted(FAULTS)
    for force in (False, True)
    if not ((fault.startswith("replace") and not force) or (fault.startswith("link") and force))
]


@pytest.mark.parametrize(("fault", "force"), FAULT_CASES)
def test_failure_leaves_previous_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str, force: bool
) -> None:
    name, make, expected = FAULTS[fault]
    path = tmp_path / "brief.md"
    if force:
        path.write_bytes(OLD)
    real_close = os.close
    if name == "close":
        # Fail the temp file's close once; later closes (the fd is gone either way) go through.
        def close(fd: int) -> None:
            real_close(fd)
            monkeypatch.setattr(os, "close", real_close)
            raise Injected("close failed")

        monkeypatch.setattr(os, "close", close)
    else:
        monkeypatch.setattr(os, name, make())
    with pytest.raises(expected):  # type: ignore[call-overload]
        write_atomic(path, NEW, force=force)
    monkeypatch.undo()
    if force:
        assert path.read_bytes() == OLD
        assert _listing(tmp_path) == ["brief.md"]
    else:
        # A fault before the file is published leaves nothing; `link` is the publishing step.
        assert _listing(tmp_path) == []


def test_fsync_failure_of_the_directory_is_not_fatal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_fsync = os.fsync
    calls: list[int] = []

    def fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) > 1:  # the second fsync is the directory's
            raise Injected("directory fsync unsupported")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    write_atomic(tmp_path / "out.txt", NEW)
    assert (tmp_path / "out.txt").read_bytes() == NEW
    assert len(calls) == 2


def test_file_appearing_during_the_write_is_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "out.txt"
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        real_fsync(fd)
        if not path.exists():
            path.write_bytes(b"someone else's file")  # the race: created after the check

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(LoadError) as info:
        write_atomic(path, NEW)
    assert _code(info) == "output-exists"
    assert path.read_bytes() == b"someone else's file"
    assert _listing(tmp_path) == ["out.txt"]


def test_without_hard_links_falls_back_to_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(*_: object, **__: object) -> None:
        raise PermissionError(1, "Operation not permitted")  # EPERM, as on some file systems

    monkeypatch.setattr(os, "link", no_links)
    write_atomic(tmp_path / "out.txt", NEW)
    assert (tmp_path / "out.txt").read_bytes() == NEW
    assert _listing(tmp_path) == ["out.txt"]


def test_temp_name_collisions_are_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    names = iter(["aaaaaaaaaaaa", "aaaaaaaaaaaa", "bbbbbbbbbbbb"])
    monkeypatch.setattr(secrets, "token_hex", lambda _n: next(names))  # imported on a write
    (tmp_path / ".out.txt.aaaaaaaaaaaa.tmp").write_bytes(b"stale")
    write_atomic(tmp_path / "out.txt", NEW)
    assert (tmp_path / "out.txt").read_bytes() == NEW
    assert (tmp_path / ".out.txt.aaaaaaaaaaaa.tmp").read_bytes() == b"stale"  # not touched


def test_readers_never_see_a_partial_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "out.txt"
    path.write_bytes(OLD)
    seen: list[bytes] = []
    real_write = os.write

    def write(fd: int, data: bytes) -> int:
        seen.append(path.read_bytes())  # what a reader sees while the new file is written
        return real_write(fd, bytes(data[:1000]))

    monkeypatch.setattr(os, "write", write)
    write_atomic(path, NEW, force=True)
    monkeypatch.undo()
    assert len(seen) > 1
    assert set(seen) == {OLD}
    assert path.read_bytes() == NEW
