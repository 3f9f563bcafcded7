"""A cache of checked rulesets, so that a one-shot `claimrules eval` does not parse, validate
and re-verify every quote of a ruleset that has not changed since it was last loaded.

An entry is two lines of JSON: a header — the format, the claimrules version, the digest of
the code that wrote it, the ruleset's directory, the digest of every file the ruleset was read
from (`ruleset.yaml`, the `sources`, `claims`, `rules` and `cases` files, and every archived
text) and the digest of the second line — then the checked ruleset (its plain `domain` values,
as tagged arrays: see "encoding" below, and the sha256 of each file that the load recorded, its
`inputs`). Digests are BLAKE2b (`_hasher`). An entry is used only when

- the entry's format, the claimrules version and the code digest match this program's;
- the ruleset directory holds exactly the YAML files it was read from (none added, none gone);
- every one of those files, and every archived text, still has the recorded digest;
- the stored ruleset still has its recorded digest (a damaged entry is a miss: the bytes
  decoded are the bytes written).

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

import dataclasses
import json
import os
import stat
from collections.abc import Callable, Mapping
from datetime import date
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from claimrules import __version__
from claimrules.collector import paused
from claimrules.diagnostics import LoadError, Span
from claimrules.load import domain
from claimrules.load.domain import Case, Rule, RulesetMeta, Source
from claimrules.load.ruleset import FILE_KINDS, ClaimRecord, Ruleset, yaml_names

if TYPE_CHECKING:
    from pathlib import Path

try:  # BLAKE2 as CPython builds it in: `hashlib` would load OpenSSL, 2 ms of every cached eval
    from _blake2 import blake2b
except ImportError:  # an interpreter built without it
    from hashlib import blake2b

#: Bumped whenever the layout of an entry changes.
FORMAT = 4

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
    return _digest(os.fsencode(real_root))[:32] + ".json"


def _hasher(data: bytes | memoryview = b"") -> Any:
    """The hash of everything the cache checks (the code, the files a ruleset was read from,
    the stored ruleset): BLAKE2b of 256 bits, a cryptographic hash as strong as the sha256 a
    full load records, and built into CPython (see the import)."""
    return blake2b(data, digest_size=32)


def _digest(data: bytes | memoryview) -> str:
    return str(_hasher(data).hexdigest())


@cache
def code_digest() -> str:
    """A digest (`_hasher`) over the files of this package as installed (names and bytes), so
    an entry written by other code, even under the same version string, is a miss."""
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    names: list[str] = []
    _package_files(package, "", names)
    h = _hasher(__version__.encode())
    # Each file opened relative to the package's folder (one path walk for the hundred files).
    folder = os.open(package, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _READ_FLAGS)
    try:
        for name in sorted(names):
            h.update(name.encode() + b"\0")
            _hash_file(h, name, dir_fd=folder)
            h.update(b"\0")
    finally:
        os.close(folder)
    return str(h.hexdigest())


def _package_files(folder: str, prefix: str, names: list[str]) -> None:
    """Add the `.py` and `.json` files under `folder` to `names`, as `/`-separated paths
    after `prefix`; `__pycache__` is left out. With os.scandir (not pathlib's rglob, 5 ms on
    every cached eval, nor os.walk, twice this)."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir():  # a link to a folder is not followed (as os.walk does not)
                if entry.name != "__pycache__" and not entry.is_symlink():
                    _package_files(entry.path, f"{prefix}{entry.name}/", names)
            elif entry.name.endswith((".py", ".json")):
                names.append(prefix + entry.name)


#: How every file the cache hashes is opened.
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def _hash_file(h: Any, path: str | os.PathLike[str], *, regular: bool = False,
               also: Any = None, dir_fd: int | None = None) -> None:
    """Feed a file's bytes to the hash `h` (and to `also`, when given), read with the
    descriptor's own calls (a buffered file object costs a cached eval about twice as much for
    a hundred small files): the size `fstat` gives in one read, then on to the end.
    `regular`: opened without blocking, and OSError unless it is a regular file (a FIFO put in
    a file's place is refused, not waited on). `dir_fd`: `path` is relative to that folder."""
    flags = _READ_FLAGS | getattr(os, "O_NONBLOCK", 0) if regular else _READ_FLAGS
    fd = os.open(path, flags, dir_fd=dir_fd)
    try:
        info = os.fstat(fd)
        if regular and not stat.S_ISREG(info.st_mode):
            raise OSError(f"{os.fspath(path)} is not a regular file")
        chunk = os.read(fd, info.st_size + 1)
        while chunk:
            h.update(chunk)
            if also is not None:
                also.update(chunk)
            chunk = os.read(fd, _CHUNK)
    finally:
        os.close(fd)


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
        # As many bytes as it holds and one more (a read of the bound itself would set aside
        # 256 MiB first); on to the bound if it has grown since.
        raw = f.read(min(info.st_size, MAX_ENTRY_BYTES) + 1)
        if len(raw) > info.st_size:
            raw += f.read(MAX_ENTRY_BYTES + 1 - len(raw))
    return raw if len(raw) <= MAX_ENTRY_BYTES else None


def _warn_once(warn: Warn | None, exc: _Untrusted) -> None:
    if warn is None or _warned[0]:
        return
    _warned[0] = True
    warn(exc.path, f"cache of checked rulesets not used: {exc.why}")


def file_digest(path: str | os.PathLike[str]) -> str:
    """The digest (`_hasher`) of a regular file's bytes; OSError if it cannot be read or is not
    a regular file (opened without blocking, so a FIFO put in a file's place is refused, not
    waited on)."""
    h = _hasher()
    _hash_file(h, path, regular=True)
    return str(h.hexdigest())


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
        head, _, payload = raw.partition(b"\n")
        doc = json.loads(head)
        if (
            not isinstance(doc, dict)
            or doc.get("format") != FORMAT
            or doc.get("claimrules") != __version__
            or doc.get("code") != code_digest()
            or doc.get("root") != real_root
            or not _unchanged(display_root, doc["files"])
            or _digest(payload) != doc["ruleset"]
        ):
            return None
        rs = _read_ruleset(payload, display_root)
        return rs if rs.inputs.keys() == doc["files"].keys() else None
    except _Untrusted as exc:
        _warn_once(warn, exc)
        return None
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError):
        return None  # no entry, or an unreadable one: load the ruleset in full


def _read_ruleset(payload: bytes, display_root: str) -> Ruleset:
    """The ruleset of an entry's second line, read and decoded with the cyclic collector
    paused: thousands of new containers, none of them garbage."""
    with paused():
        return _decode(json.loads(payload.decode("ascii")), display_root)


def _unchanged(root: str, files: Mapping[str, str]) -> bool:
    """Every YAML file the directory holds now was read, and every file read (a YAML file or
    an archived text) is still there with its recorded digest."""
    for kind in FILE_KINDS:
        for name in yaml_names(root, kind):
            if name not in files:
                return False  # a file added since
    return all(file_digest(os.path.join(root, rel)) == digest for rel, digest in files.items())


def _file_digests(ruleset: Ruleset) -> dict[str, str] | None:
    """The digest (`_hasher`) of every file the ruleset was read from, of the same bytes: each
    file read again, and its sha256 found to be the one the load recorded; None when one has
    changed since (the entry would pair the ruleset with bytes it was not read from)."""
    import hashlib  # noqa: PLC0415 - only on a miss, which has loaded it already

    found = {}
    for rel, sha256 in sorted(ruleset.inputs.items()):
        h, check = _hasher(), hashlib.sha256()
        _hash_file(h, os.path.join(ruleset.root, rel), regular=True, also=check)
        if check.hexdigest() != sha256:
            return None
        found[rel] = str(h.hexdigest())
    return found


def store(ruleset: Ruleset, warn: Warn | None = None) -> bool:
    """Write the entry of a ruleset loaded from a directory (atomically, mode 0600); False when
    it cannot be written. A cache that cannot be written is no error: the next run loads in
    full. Nothing is written into a directory someone else could write or owns."""
    where = cache_dir()
    if not ruleset.inputs or not ruleset.root or where is None:
        return False
    from claimrules.output import write_atomic  # noqa: PLC0415 - only on a miss

    real_root = os.path.realpath(ruleset.root)
    try:
        payload = _json(_encode(ruleset))
        files = _file_digests(ruleset)
    except (ValueError, OSError):  # a value no entry can hold, a file gone
        return False
    if files is None:
        return False
    data = _json({
        "format": FORMAT,
        "claimrules": __version__,
        "code": code_digest(),
        "root": real_root,
        "files": files,
        "ruleset": _digest(payload),
    }) + b"\n" + payload
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


def _json(value: object) -> bytes:
    """Compact JSON in ASCII: no newline occurs inside it (one ends an entry's header), and
    the C parser reads ASCII fastest."""
    return json.dumps(value, ensure_ascii=True, separators=(",", ":")).encode("ascii")


# --- encoding ------------------------------------------------------------------------------
#
# The ruleset is stored as JSON arrays and scalars (read back by the C parser, into lists
# decoded with no function per entity, so that a new field is carried without another line of
# code). Every array is tagged by its first item:
#
# - a plain value of one of `_CLASSES` (a frozen dataclass): `[number, field, field, ...]`,
#   its class's number in `_CLASSES` first, then its fields in declared order, so that
#   decoding is one positional call of the class;
# - a tuple: `[_TUPLE, item, ...]`; a list: `[_LIST, item, ...]`; a date: `[_DATE, ordinal]`;
#   a member of one of `_ENUMS`: `[_ENUM - number, value]`; a source equal to the ruleset's
#   source of its id (a claim's, as loading makes it: the same object): `[_SOURCE, id]`, so
#   each source is stored, read and decoded once, not once per claim quoting it.
#
# None, a bool, an int, a float and a str (not an enum) are stored as they are, a dict with
# str keys as an object. Decoding builds only those classes (data only: an entry names no
# code). The layout depends on the classes' fields: an entry is keyed on the code that wrote
# it (`code_digest`), and the stored ruleset on its digest (a damaged entry is a miss).

#: The classes an entry may hold, by their number in it.
_CLASSES: tuple[type, ...] = (
    domain.EnumValue, domain.Fact, domain.Disagreement, domain.Constraint, domain.RulesetMeta,
    domain.Archive, domain.DateBound, domain.Source, domain.Attribution, domain.Period,
    domain.Claim, domain.Test, domain.All, domain.Any_, domain.Not, domain.Unknown,
    domain.RuleEffective, domain.Refinement, domain.UnreportedTerms, domain.NotePart,
    domain.Rule, domain.Expectation, domain.Case, ClaimRecord,
)
_NUMBERS = {cls: i for i, cls in enumerate(_CLASSES)}
_ENUMS: tuple[type[StrEnum], ...] = (
    domain.FactType, domain.ClaimKind, domain.Modality, domain.Effect,
)
_TUPLE, _LIST, _DATE, _SOURCE, _ENUM = -1, -2, -3, -4, -10
#: Each enum's members by value (a look-up, not a call of the enum, which costs microseconds).
_MEMBERS: tuple[dict[str, StrEnum], ...] = tuple({m.value: m for m in e} for e in _ENUMS)

#: What an entry holds as it is (the look-up is cheaper than `isinstance`).
_SCALARS = frozenset({str, bool, int, float, type(None)})


def _pack(value: object, sources: Mapping[str, Source]) -> Any:
    """The encoded form of a plain value (see above); ValueError for anything else."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is tuple:
        return [_TUPLE, *[_pack(v, sources) for v in cast("tuple[object, ...]", value)]]
    if kind is list:
        return [_LIST, *[_pack(v, sources) for v in cast("list[object]", value)]]
    if kind is dict:
        items = cast("dict[object, object]", value).items()
        if any(type(k) is not str for k, _ in items):
            raise ValueError("cannot encode a dict whose keys are not all strings")
        return {k: _pack(v, sources) for k, v in items}
    if kind is date:
        return [_DATE, cast(date, value).toordinal()]
    if kind in _ENUMS:
        return [_ENUM - _ENUMS.index(kind), cast(StrEnum, value).value]
    if kind is Source and sources.get(cast(Source, value).id) == value:
        return [_SOURCE, cast(Source, value).id]
    number = _NUMBERS.get(kind)
    if number is None:
        raise ValueError(f"cannot encode a {kind.__name__}")
    return [number, *[_pack(getattr(value, f.name), sources)
                      for f in dataclasses.fields(cast(Any, value))]]


def _unpack(data: Any, sources: Mapping[str, Source]) -> Any:
    """The value `_pack` was given; ValueError (or TypeError, KeyError, IndexError) on anything
    it did not write."""
    kind = type(data)
    if kind is list:
        tag = data[0]
        if type(tag) is not int:
            raise ValueError("not an encoded value")
        if tag >= 0:
            return _CLASSES[tag](*[v if type(v) in _SCALARS else _unpack(v, sources)
                                   for v in data[1:]])
        if tag == _TUPLE:
            return tuple([v if type(v) in _SCALARS else _unpack(v, sources) for v in data[1:]])
        if tag == _LIST:
            return [v if type(v) in _SCALARS else _unpack(v, sources) for v in data[1:]]
        if tag == _DATE and len(data) == 2:
            return date.fromordinal(data[1])
        if tag == _SOURCE and len(data) == 2:
            return sources[data[1]]
        if tag <= _ENUM and len(data) == 2:
            return _MEMBERS[_ENUM - tag][data[1]]
        raise ValueError("not an encoded value")
    if kind in _SCALARS:
        return data
    if kind is dict:
        return {k: v if type(v) in _SCALARS else _unpack(v, sources) for k, v in data.items()}
    raise ValueError("not an encoded value")


def _encode(rs: Ruleset) -> list[Any]:
    prefix = rs.root + os.sep if rs.root else ""
    sources = {s.id: s for s in rs.sources.values()}
    return [
        _pack(rs.meta, {}),
        [_pack(s, {}) for s in rs.sources.values()],
        [_pack(r, sources) for r in rs.claims.values()],
        [_pack(r, {}) for r in rs.rules],
        [_pack(c, {}) for c in rs.cases],
        # Span files relative to the root, so another spelling of the root reads the same.
        [[k, *_relative(s.file, prefix), s.line, s.col] for k, s in rs.spans.items()],
        _pack(dict(rs.archives), {}),
        _pack(dict(sorted(rs.inputs.items())), {}),  # the sha256 the load recorded
    ]


def _relative(file: str, prefix: str) -> tuple[str, bool]:
    """A file under the root as a path relative to it (True), any other as it is (False)."""
    if prefix and file.startswith(prefix):
        return file[len(prefix) :], True
    return file, False


# --- decoding ------------------------------------------------------------------------------


def _decode(d: Any, display_root: str) -> Ruleset:
    packed_meta, packed_sources, packed_claims, packed_rules, packed_cases, packed_spans, \
        archives, inputs = d
    meta = _unpack(packed_meta, {})
    sources = [_unpack(s, {}) for s in packed_sources]
    by_id = {s.id: s for s in sources if type(s) is Source}
    claims = [_unpack(c, by_id) for c in packed_claims]
    rules = tuple(_unpack(r, {}) for r in packed_rules)
    cases = tuple(_unpack(c, {}) for c in packed_cases)
    kinds = (
        (meta, RulesetMeta), *((s, Source) for s in sources), *((c, ClaimRecord) for c in claims),
        *((r, Rule) for r in rules), *((c, Case) for c in cases),
    )
    if any(type(value) is not kind for value, kind in kinds) or len(by_id) != len(sources):
        raise ValueError("an entry of the wrong kind")
    if any(type(m) is not dict or not all(type(v) is str for v in m.values())
           for m in (archives, inputs)):
        raise ValueError("an entry of the wrong kind")
    spans = {
        k: Span(os.path.join(display_root, f) if relative else f, line, col)
        for k, f, relative, line, col in packed_spans
    }
    return Ruleset(
        meta=meta,
        facts={f.name: f for f in meta.facts},
        sources={s.id: s for s in sources},
        claims={c.id: c for c in claims},
        rules=rules,
        cases=cases,
        spans=spans,
        archives=archives,
        root=display_root,
        inputs=inputs,
    )
