"""A cache of checked rulesets, so that a one-shot `claimrules eval` does not parse, validate
and re-verify every quote of a ruleset that has not changed since it was last loaded.

An entry is a JSON document holding the checked ruleset (its plain `domain` values) and the
sha256 of every file it was read from: `ruleset.yaml`, the `sources`, `claims`, `rules` and
`cases` files, and every archived text. It is used only when

- the entry's format and the claimrules version match this program's;
- the ruleset directory holds exactly the YAML files it was read from (none added, none gone);
- every one of those files, and every archived text, still has the recorded sha256.

Anything else — a changed byte, a new claims file, an unreadable or malformed entry — is a
miss, and the caller loads and checks the ruleset in full (which reports what is wrong, such as
an archive that no longer matches its recorded hash). Only rulesets that loaded without errors
are stored. `claimrules check` never reads the cache.

Entries live in `$CLAIMRULES_CACHE_DIR`, else `$XDG_CACHE_HOME/claimrules`, else
`~/.cache/claimrules`, one per ruleset directory (named by the hash of its absolute path), and
are written atomically. Set `CLAIMRULES_NO_CACHE=1` (or pass `--no-cache`) to bypass it. An
entry is data only (no code is ever loaded from it).

Since an entry is believed without re-checking its quotes, nobody else may be able to write it
(a shared `XDG_CACHE_HOME`, a world-writable directory): the cache directory and each entry are
read only when they belong to the current user and are writable by nobody else, else they are
ignored with one warning per run saying why. The directory is created private (0700) and
entries are written 0600. An entry is keyed on the code that wrote it (a hash of this package's
files, not only its version), so a changed check is never skipped. Anything that is not a
regular file where an entry should be (a symlink, a FIFO, a device, a directory) is a miss and
is never waited on. Without a home directory (no `HOME` and no passwd entry) and no cache
directory set, the cache is off.

This module imports neither pydantic nor PyYAML.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Callable, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from claimrules import __version__
from claimrules.diagnostics import LoadError, Span
from claimrules.load import codec
from claimrules.load.domain import Case, Rule, RulesetMeta, Source
from claimrules.load.ruleset import FILE_KINDS, ClaimRecord, Ruleset, yaml_names

if TYPE_CHECKING:
    from pathlib import Path

#: Bumped whenever the layout of an entry changes.
FORMAT = 3

#: Entries larger than this are not read (a ruleset's archives are at most 2 MiB each).
MAX_ENTRY_BYTES = 256 * 1024 * 1024

_CHUNK = 1 << 20


def enabled() -> bool:
    """False when `CLAIMRULES_NO_CACHE` is set to anything but empty or `0`, or when there is
    no cache directory (no home directory and none set)."""
    return os.environ.get("CLAIMRULES_NO_CACHE", "") in ("", "0") and _cache_dir() is not None


def _home() -> str | None:
    """The user's home directory: `$HOME` when absolute, else the passwd entry's; None when
    there is neither (a relative `~` would put the cache in the working directory)."""
    home = os.environ.get("HOME")
    if home and os.path.isabs(home):
        return home
    try:
        import pwd  # noqa: PLC0415 - POSIX only, and only without $HOME

        entry = pwd.getpwuid(os.getuid()).pw_dir
    except (ImportError, KeyError, OSError, AttributeError):
        return None
    return entry if entry and os.path.isabs(entry) else None


def cache_dir() -> Path | None:
    """Where entries live; None when the cache has nowhere to be."""
    where = _cache_dir()
    if where is None:
        return None
    from pathlib import Path  # noqa: PLC0415 - a cached eval reads the cache without pathlib

    return Path(where)


def _cache_dir() -> str | None:
    """`cache_dir()` as the string it is made of (see `_shown`)."""
    explicit = os.environ.get("CLAIMRULES_CACHE_DIR")
    if explicit:
        return explicit
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return os.path.join(xdg, "claimrules")
    home = _home()
    return os.path.join(home, ".cache", "claimrules") if home is not None else None


def _shown(path: str) -> str:
    """A path as the cache's messages show it: as pathlib spells it (`a//b/` is `a/b`)."""
    from pathlib import Path  # noqa: PLC0415 - only for a warning

    return str(Path(path))


def entry_path(root: str | os.PathLike[str]) -> Path:
    """The entry for a ruleset directory (the cache must have a directory: see `enabled`)."""
    where = cache_dir()
    if where is None:
        raise OSError("the cache of checked rulesets has no directory")
    return where / _entry_name(os.path.realpath(root))


def _entry_name(real_root: str) -> str:
    return hashlib.sha256(os.fsencode(real_root)).hexdigest()[:32] + ".json"


@cache
def code_digest() -> str:
    """A sha256 over the files of this package as installed (names and bytes), so an entry
    written by other code, even under the same version string, is a miss."""
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    names: list[str] = []
    # os.walk, not Path.rglob: this runs on every cached eval, and pathlib costs it 5 ms.
    for folder, subfolders, files in os.walk(package):
        subfolders[:] = [d for d in subfolders if d != "__pycache__"]
        prefix = os.path.relpath(folder, package).replace(os.sep, "/") + "/"
        names.extend((prefix + f).removeprefix("./") for f in files
                     if f.endswith((".py", ".json")))
    h = hashlib.sha256(__version__.encode())
    for name in sorted(names):
        h.update(name.encode() + b"\0")
        with open(os.path.join(package, name), "rb") as f:
            h.update(f.read())
        h.update(b"\0")
    return h.hexdigest()


# --- trust ---------------------------------------------------------------------------------

#: Called with a warning to show; set by the CLI (the library never prints). One per run.
Warn = Callable[[str, str], None]
_warned: list[bool] = [False]


class _Untrusted(Exception):
    """A cache directory or entry that someone else could have written."""

    def __init__(self, path: str, why: str) -> None:
        super().__init__(f"{path}: {why}")
        self.path, self.why = path, why


def _uid() -> int:
    return os.getuid()


def _check_owner(info: os.stat_result, path: str, what: str) -> None:
    if info.st_uid != _uid():
        raise _Untrusted(_shown(path), f"the {what} belongs to another user "
                         f"(uid {info.st_uid})")
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise _Untrusted(_shown(path), f"the {what} is writable by other users "
                         f"(mode {stat.S_IMODE(info.st_mode):04o})")


def _open_dir(where: str | Path) -> int:
    """A descriptor of the cache directory once it is shown to be the user's own."""
    fd = os.open(where, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        _check_owner(os.fstat(fd), os.fspath(where), "cache directory")
    except BaseException:
        os.close(fd)
        raise
    return fd


def _read_entry(where: str, name: str) -> bytes | None:
    """The entry's bytes, or None when there is no usable regular file; _Untrusted when it or
    its directory could have been written by someone else. Never follows a symlink and never
    waits on a FIFO or device."""
    dir_fd = _open_dir(where)
    try:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            fd = os.open(name, flags | getattr(os, "O_CLOEXEC", 0), dir_fd=dir_fd)
        except OSError:
            return None  # missing, a symlink (ELOOP), unreadable
    finally:
        os.close(dir_fd)
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None  # a FIFO, a device, a directory
        _check_owner(info, os.path.join(where, name), "cache entry")
        raw = f.read(MAX_ENTRY_BYTES + 1)
    return raw if len(raw) <= MAX_ENTRY_BYTES else None


def _warn_once(warn: Warn | None, exc: _Untrusted) -> None:
    if warn is None or _warned[0]:
        return
    _warned[0] = True
    warn(exc.path, f"cache of checked rulesets not used: {exc.why}")


def file_digest(path: str | os.PathLike[str]) -> str:
    """The sha256 of a regular file's bytes; OSError if it cannot be read or is not a regular
    file (opened without blocking, so a FIFO put in a file's place is refused, not waited on)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path} is not a regular file")
        h = hashlib.sha256()
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def load(root: str | os.PathLike[str], warn: Warn | None = None) -> Ruleset | None:
    """The cached ruleset of the directory `root`, or None when there is no valid, trusted
    entry; `warn(path, message)` is told (once per run) why an entry was not trusted."""
    display_root = os.fspath(root)
    where = _cache_dir()
    if where is None:
        return None
    try:
        real_root = os.path.realpath(display_root)
        raw = _read_entry(where, _entry_name(real_root))
        if raw is None:
            return None
        doc = json.loads(raw)
        if (
            not isinstance(doc, dict)
            or doc.get("format") != FORMAT
            or doc.get("claimrules") != __version__
            or doc.get("code") != code_digest()
            or doc.get("root") != real_root
            or not _unchanged(display_root, doc["inputs"])
        ):
            return None
        return _decode(doc["ruleset"], display_root, doc["inputs"])
    except _Untrusted as exc:
        _warn_once(warn, exc)
        return None
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError):
        return None  # no entry, or an unreadable one: load the ruleset in full


def _unchanged(root: str, inputs: Mapping[str, str]) -> bool:
    """Every YAML file the directory holds now was read, and every file read (a YAML file or
    an archived text) is still there with its recorded hash."""
    for kind in FILE_KINDS:
        for name in yaml_names(root, kind):
            if name not in inputs:
                return False  # a file added since
    return all(file_digest(os.path.join(root, rel)) == digest for rel, digest in inputs.items())


def store(ruleset: Ruleset, warn: Warn | None = None) -> bool:
    """Write the entry of a ruleset loaded from a directory (atomically, mode 0600); False when
    it cannot be written. A cache that cannot be written is no error: the next run loads in
    full. Nothing is written into a directory someone else could write or owns."""
    where = cache_dir()
    if not ruleset.inputs or not ruleset.root or where is None:
        return False
    from claimrules.output import write_atomic  # noqa: PLC0415 - only on a miss

    real_root = os.path.realpath(ruleset.root)
    doc = {
        "format": FORMAT,
        "claimrules": __version__,
        "code": code_digest(),
        "root": real_root,
        "inputs": dict(sorted(ruleset.inputs.items())),
        "ruleset": _encode(ruleset),
    }
    data = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    try:
        where.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.close(_open_dir(where))  # ours and private, or no entry is written
        write_atomic(where / _entry_name(real_root), data, force=True, mode=0o600)
    except _Untrusted as exc:
        _warn_once(warn, exc)
        return False
    except (OSError, ValueError, LoadError):  # write_atomic refuses a symlink, a directory…
        return False
    return True


# --- encoding ------------------------------------------------------------------------------


def _encode(rs: Ruleset) -> dict[str, Any]:
    prefix = rs.root + os.sep if rs.root else ""
    return {
        "meta": codec.encode(rs.meta),
        "sources": [codec.encode(s) for s in rs.sources.values()],
        "claims": [_encode_claim(r, rs.sources) for r in rs.claims.values()],
        "rules": [codec.encode(r) for r in rs.rules],
        "cases": [codec.encode(c) for c in rs.cases],
        # Span files relative to the root, so another spelling of the root reads the same.
        "spans": {k: [*_relative(s.file, prefix), s.line, s.col] for k, s in rs.spans.items()},
        "archives": dict(rs.archives),
    }


def _encode_claim(record: ClaimRecord, sources: Mapping[str, Source]) -> dict[str, Any]:
    """A claim record, its source named by id when it equals the ruleset's source of that id
    (as loading makes it: the same object): each source is then stored, read and decoded once,
    not once per claim quoting it."""
    encoded: dict[str, Any] = codec.encode(record)
    if sources.get(record.source.id) == record.source:
        del encoded["f"]["source"]
        encoded["source"] = record.source.id
    return encoded


def _relative(file: str, prefix: str) -> tuple[str, bool]:
    """A file under the root as a path relative to it (True), any other as it is (False)."""
    if prefix and file.startswith(prefix):
        return file[len(prefix) :], True
    return file, False


# --- decoding ------------------------------------------------------------------------------


def _decode(d: dict[str, Any], display_root: str, inputs: Mapping[str, str]) -> Ruleset:
    meta = codec.decode(d["meta"])
    sources = [codec.decode(s) for s in d["sources"]]
    by_id = {s.id: s for s in sources if isinstance(s, Source)}
    claims = [codec.decode(c, {"source": by_id[c.pop("source")]}) if "source" in c
              else codec.decode(c) for c in d["claims"]]
    rules = tuple(codec.decode(r) for r in d["rules"])
    cases = tuple(codec.decode(c) for c in d["cases"])
    kinds = (
        (meta, RulesetMeta), *((s, Source) for s in sources), *((c, ClaimRecord) for c in claims),
        *((r, Rule) for r in rules), *((c, Case) for c in cases),
    )
    if any(not isinstance(value, kind) for value, kind in kinds):
        raise ValueError("an entry of the wrong kind")
    spans = {
        k: Span(os.path.join(display_root, f) if relative else f, line, col)
        for k, (f, relative, line, col) in d["spans"].items()
    }
    return Ruleset(
        meta=meta,
        facts={f.name: f for f in meta.facts},
        sources={s.id: s for s in sources},
        claims={c.id: c for c in claims},
        rules=rules,
        cases=cases,
        spans=spans,
        archives=d["archives"],
        root=display_root,
        inputs=dict(inputs),
    )
