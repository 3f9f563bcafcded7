"""The cache of checked rulesets cannot be poisoned (issue 13, item 1): an entry or directory
that another user owns, or that group or others can write, is never read (one warning says
why); the directory is private; an entry is keyed on the code that wrote it; anything but a
regular file in an entry's place is a miss and never a hang; without a home the cache is off.

The attacks run through the installed command where the behaviour is the command's."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import fields
from pathlib import Path

import pytest

from _proc import Job, claimrules_argv, run
from claimrules import load_ruleset
from claimrules.load import snapshot
from claimrules.load.domain import Effect, Rule
from conftest import ROOT, SHIPPED

PERMITTED = str(ROOT / "examples" / "permitted.yaml")


@pytest.fixture(autouse=True)
def _fresh_warning() -> None:
    snapshot._warned[0] = False


def _cached_run(cache: Path, *extra: str) -> tuple[int, str, str]:
    r = run(Job(claimrules_argv("eval", str(SHIPPED), PERMITTED, "--format", "json", *extra),
                ROOT, env={"CLAIMRULES_CACHE_DIR": str(cache), "CLAIMRULES_NO_CACHE": ""}))
    assert not r.hung
    return r.returncode, r.stdout.decode(), r.stderr.decode()


def _poison(entry: Path) -> None:
    """What an attacker with write access does: every permit becomes a prohibit, and the
    entry's digest of its ruleset is made right (a well-formed entry: only its owner and mode
    keep it from being read)."""
    head, payload = entry.read_bytes().split(b"\n")
    header, ruleset = json.loads(head), json.loads(payload)
    effect = [f.name for f in fields(Rule)].index("effect") + 1
    for rule in ruleset[3]:
        rule[effect] = snapshot._pack(Effect.PROHIBIT, {})
    poisoned = snapshot._json(ruleset)
    header["ruleset"] = snapshot._digest(poisoned)
    entry.write_bytes(snapshot._json(header) + b"\n" + poisoned)


def test_a_poisoned_entry_would_be_believed_were_it_trusted(tmp_path: Path) -> None:
    # So the refusals below are the trust checks' doing, not a malformed entry's.
    cache = tmp_path / "cache"
    assert _cached_run(cache)[0] == 0
    (entry,) = cache.iterdir()
    _poison(entry)
    code, out, _ = _cached_run(cache)
    assert (code, json.loads(out)["verdict"]) == (0, "prohibited")


def test_a_fresh_cache_is_private(tmp_path: Path) -> None:
    cache = tmp_path / "shared" / "claimrules"
    old = os.umask(0)
    try:
        code, out, _ = _cached_run(cache)
    finally:
        os.umask(old)
    assert code == 0
    assert json.loads(out)["verdict"] == "permitted"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    (entry,) = cache.iterdir()
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600


@pytest.mark.parametrize("where", ["entry", "directory"])
def test_a_cache_others_can_write_is_not_read(tmp_path: Path, where: str) -> None:
    cache = tmp_path / "cache"
    assert _cached_run(cache)[0] == 0
    (entry,) = cache.iterdir()
    _poison(entry)
    (entry if where == "entry" else cache).chmod(0o666 if where == "entry" else 0o777)
    code, out, err = _cached_run(cache)
    assert code == 0
    assert json.loads(out)["verdict"] == "permitted"  # not the poisoned PROHIBITED
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "warning: cache of checked rulesets not used" in lines[0]
    assert "writable by other users" in lines[0]
    assert lines[0].endswith("[cache-untrusted]")
    assert "Traceback" not in err


def test_an_entry_of_another_user_is_not_read(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    monkeypatch.setenv("CLAIMRULES_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("CLAIMRULES_NO_CACHE")
    assert snapshot.store(load_ruleset(SHIPPED))
    assert snapshot.load(SHIPPED) is not None
    told: list[str] = []
    monkeypatch.setattr(snapshot, "_uid", lambda: os.getuid() + 1)
    assert snapshot.load(SHIPPED, lambda path, message: told.append(message)) is None
    assert snapshot.load(SHIPPED, lambda path, message: told.append(message)) is None
    assert not snapshot.store(load_ruleset(SHIPPED), lambda p, m: told.append(m))
    assert len(told) == 1  # once per run
    assert "belongs to another user" in told[0]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs chown")
def test_an_entry_chowned_to_another_user_is_not_read(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert _cached_run(cache)[0] == 0
    (entry,) = cache.iterdir()
    _poison(entry)
    os.chown(entry, 65534, 65534)
    code, out, err = _cached_run(cache)
    assert (code, json.loads(out)["verdict"]) == (0, "permitted")
    assert "belongs to another user (uid 65534)" in err


def test_an_entry_of_other_code_is_a_miss(monkeypatch: pytest.MonkeyPatch,
                                          tmp_path: Path) -> None:
    monkeypatch.setenv("CLAIMRULES_CACHE_DIR", str(tmp_path / "cache"))
    assert snapshot.store(load_ruleset(SHIPPED))
    entry = snapshot.entry_path(SHIPPED)
    head, payload = entry.read_bytes().split(b"\n")
    header = json.loads(head)
    assert header["code"] == snapshot.code_digest()
    header["code"] = "0" * 64  # same version string, other code
    entry.write_bytes(snapshot._json(header) + b"\n" + payload)
    entry.chmod(0o600)
    assert snapshot.load(SHIPPED) is None


def test_the_code_digest_covers_the_package_files() -> None:
    digest = snapshot.code_digest()
    assert len(digest) == 64
    assert digest != snapshot._digest(snapshot.__version__.encode())


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _directory(path: Path) -> None:
    path.mkdir()


def _symlink(path: Path) -> None:
    path.symlink_to("/dev/zero")


@pytest.mark.parametrize("make", [_fifo, _directory, _symlink], ids=lambda f: f.__name__[1:])
def test_no_regular_file_in_an_entry_s_place_is_a_miss(tmp_path: Path, make: object) -> None:
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    name = snapshot._entry_name(os.path.realpath(SHIPPED))
    make(cache / name)  # type: ignore[operator]
    code, out, err = _cached_run(cache)  # a FIFO would block an ordinary open() for good
    assert (code, err) == (0, "")
    assert json.loads(out)["verdict"] == "permitted"


def test_without_a_home_the_cache_is_off(monkeypatch: pytest.MonkeyPatch,
                                         tmp_path: Path) -> None:
    import pwd

    def no_entry(uid: int) -> object:
        raise KeyError(uid)

    for name in ("HOME", "CLAIMRULES_CACHE_DIR", "XDG_CACHE_HOME", "CLAIMRULES_NO_CACHE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(pwd, "getpwuid", no_entry)
    monkeypatch.chdir(tmp_path)
    assert snapshot.cache_dir() is None
    assert not snapshot.enabled()
    assert snapshot.load(SHIPPED) is None
    assert not snapshot.store(load_ruleset(SHIPPED))
    assert list(tmp_path.iterdir()) == []  # no `~/.cache` made in the working directory


def _files_by_os_walk(package: str) -> list[str]:
    """The package's files as `code_digest` listed them with os.walk."""
    names = []
    for folder, subfolders, files in os.walk(package):
        subfolders[:] = [d for d in subfolders if d != "__pycache__"]
        prefix = os.path.relpath(folder, package).replace(os.sep, "/") + "/"
        names.extend((prefix + f).removeprefix("./") for f in files
                     if f.endswith((".py", ".json")))
    return sorted(names)


def test_the_code_digest_reads_the_files_os_walk_finds(tmp_path: Path) -> None:
    package = os.path.dirname(os.path.dirname(os.path.realpath(snapshot.__file__)))
    for root in (package, str(tmp_path)):
        if root == str(tmp_path):  # folders, caches, links and other files
            for name in ("a.py", "b.json", "c.txt", "sub/d.py", "sub/__pycache__/e.py",
                         "__pycache__/f.py", "sub/deeper/g.json"):
                (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
                (tmp_path / name).write_text("x", encoding="utf-8")
            (tmp_path / "linked").symlink_to(tmp_path / "sub")
            (tmp_path / "h.py").symlink_to(tmp_path / "a.py")
        found: list[str] = []
        snapshot._package_files(root, "", found)
        assert sorted(found) == _files_by_os_walk(root)
    assert len(found) == 5


def test_the_code_digest_is_of_every_file_s_name_and_bytes() -> None:
    # As written plainly: the version, then each file's `/`-separated path and bytes, sorted.
    package = Path(snapshot.__file__).resolve().parent.parent
    h = snapshot._hasher(snapshot.__version__.encode())
    for name in sorted(_files_by_os_walk(str(package))):
        h.update(name.encode() + b"\0" + (package / name).read_bytes() + b"\0")
    assert snapshot.code_digest() == h.hexdigest()
