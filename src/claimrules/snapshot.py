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
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from claimrules import __version__
from claimrules.diagnostics import LoadError, Span
from claimrules.domain import (
    All,
    Any_,
    Archive,
    Attribution,
    Case,
    Claim,
    ClaimKind,
    Condition,
    Effect,
    EnumValue,
    Expectation,
    Fact,
    FactType,
    Modality,
    Not,
    Period,
    Rule,
    RuleEffective,
    RulesetMeta,
    Source,
    Test,
)
from claimrules.ruleset import FILE_KINDS, ClaimRecord, Ruleset, yaml_files

#: Bumped whenever the layout of an entry changes.
FORMAT = 2

#: Entries larger than this are not read (a ruleset's archives are at most 2 MiB each).
MAX_ENTRY_BYTES = 256 * 1024 * 1024

_CHUNK = 1 << 20


def enabled() -> bool:
    """False when `CLAIMRULES_NO_CACHE` is set to anything but empty or `0`, or when there is
    no cache directory (no home directory and none set)."""
    return os.environ.get("CLAIMRULES_NO_CACHE", "") in ("", "0") and cache_dir() is not None


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
    explicit = os.environ.get("CLAIMRULES_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "claimrules"
    home = _home()
    return Path(home) / ".cache" / "claimrules" if home is not None else None


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
    package = Path(__file__).resolve().parent
    h = hashlib.sha256(__version__.encode())
    for path in sorted(package.rglob("*")):
        if path.suffix not in (".py", ".json") or "__pycache__" in path.parts:
            continue
        h.update(path.relative_to(package).as_posix().encode() + b"\0")
        h.update(path.read_bytes())
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
        raise _Untrusted(path, f"the {what} belongs to another user (uid {info.st_uid})")
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise _Untrusted(path, f"the {what} is writable by other users "
                         f"(mode {stat.S_IMODE(info.st_mode):04o})")


def _open_dir(where: Path) -> int:
    """A descriptor of the cache directory once it is shown to be the user's own."""
    fd = os.open(where, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        _check_owner(os.fstat(fd), str(where), "cache directory")
    except BaseException:
        os.close(fd)
        raise
    return fd


def _read_entry(where: Path, name: str) -> bytes | None:
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
        _check_owner(info, str(where / name), "cache entry")
        raw = f.read(MAX_ENTRY_BYTES + 1)
    return raw if len(raw) <= MAX_ENTRY_BYTES else None


def _warn_once(warn: Warn | None, exc: _Untrusted) -> None:
    if warn is None or _warned[0]:
        return
    _warned[0] = True
    warn(exc.path, f"cache of checked rulesets not used: {exc.why}")


def file_digest(path: Path) -> str:
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
    where = cache_dir()
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
            or not _unchanged(Path(display_root), doc["inputs"])
        ):
            return None
        return _decode(doc["ruleset"], display_root, doc["inputs"])
    except _Untrusted as exc:
        _warn_once(warn, exc)
        return None
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError):
        return None  # no entry, or an unreadable one: load the ruleset in full


def _unchanged(root: Path, inputs: Mapping[str, str]) -> bool:
    """Every YAML file the directory holds now was read, and every file read (a YAML file or
    an archived text) is still there with its recorded hash."""
    for kind in FILE_KINDS:
        for path in yaml_files(root, kind):
            if path.relative_to(root).as_posix() not in inputs:
                return False  # a file added since
    return all(file_digest(root / rel) == digest for rel, digest in inputs.items())


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


def _day(d: date | None) -> str | None:
    return d.isoformat() if d is not None else None


def _undate(s: str | None) -> date | None:
    return date.fromisoformat(s) if s is not None else None


def _encode(rs: Ruleset) -> dict[str, Any]:
    prefix = rs.root + os.sep if rs.root else ""
    return {
        "meta": {
            "id": rs.meta.id,
            "title": rs.meta.title,
            "description": rs.meta.description,
            "version": rs.meta.version,
            "facts": [_fact(f) for f in rs.meta.facts],
        },
        "sources": [_source(s) for s in rs.sources.values()],
        "claims": [
            {
                "claim": _claim(r.claim),
                "source": r.source.id,
                "reported_on": _day(r.reported_on),
                "start": r.start,
                "end": r.end,
            }
            for r in rs.claims.values()
        ],
        "rules": [_rule(r) for r in rs.rules],
        "cases": [_case(c) for c in rs.cases],
        # Span files relative to the root, so another spelling of the root reads the same.
        "spans": {k: [*_relative(s.file, prefix), s.line, s.col] for k, s in rs.spans.items()},
        "archives": dict(rs.archives),
    }


def _relative(file: str, prefix: str) -> tuple[str, bool]:
    """A file under the root as a path relative to it (True), any other as it is (False)."""
    if prefix and file.startswith(prefix):
        return file[len(prefix) :], True
    return file, False


def _fact(f: Fact) -> dict[str, Any]:
    return {
        "name": f.name,
        "type": f.type.value,
        "description": f.description,
        "question": f.question,
        "values": None
        if f.values is None
        else [v if isinstance(v, str) else [v.value, v.label] for v in f.values],
        "unit": f.unit,
        "minimum": f.minimum,
        "maximum": f.maximum,
        "motivated_by": list(f.motivated_by),
    }


def _source(s: Source) -> dict[str, Any]:
    return {
        "id": s.id,
        "archive": [s.archive.file, s.archive.sha256, s.archive.content],
        "title": s.title,
        "outlet": s.outlet,
        "url": s.url,
        "published": _day(s.published),
        "retrieved": _day(s.retrieved),
        "note": s.note,
    }


def _claim(c: Claim) -> dict[str, Any]:
    a = c.attributed_to
    return {
        "id": c.id,
        "source": c.source,
        "quote": c.quote,
        "kind": c.kind.value,
        "modality": c.modality.value,
        "attributed_to": None if a is None else [a.who, a.on_record, a.via],
        "reported_on": _day(c.reported_on),
        "effective": None
        if c.effective is None
        else [_day(c.effective.from_), _day(c.effective.until)],
        "tags": list(c.tags),
        "note": c.note,
    }


def _condition(c: Condition) -> Any:
    if isinstance(c, Test):
        operand = list(c.operand) if isinstance(c.operand, tuple) else c.operand
        return {"fact": c.fact, "op": c.operator, "operand": operand}
    if isinstance(c, Not):
        return {"not": _condition(c.not_)}
    if isinstance(c, All):
        return {"all": [_condition(p) for p in c.all]}
    return {"any": [_condition(p) for p in c.any]}


def _rule(r: Rule) -> dict[str, Any]:
    e = r.effective
    return {
        "id": r.id,
        "effect": r.effect.value,
        "when": _condition(r.when),
        "because": list(r.because),
        "note": r.note,
        "title": r.title,
        "overrides": list(r.overrides),
        "effective": None if e is None else [e.basis, _day(e.from_), _day(e.until)],
    }


def _case(c: Case) -> dict[str, Any]:
    x = c.expect
    return {
        "id": c.id,
        "expect": [
            x.verdict,
            None if x.deciding_rules is None else list(x.deciding_rules),
            None if x.missing_facts is None else list(x.missing_facts),
        ],
        "facts": c.facts,
        "description": c.description,
        "as_of": _day(c.as_of),
        "known_by": _day(c.known_by),
        "sources": None if c.sources is None else list(c.sources),
    }


# --- decoding ------------------------------------------------------------------------------


def _tuple(items: list[str] | None) -> tuple[str, ...] | None:
    return None if items is None else tuple(items)


def _decode(d: dict[str, Any], display_root: str, inputs: Mapping[str, str]) -> Ruleset:
    m = d["meta"]
    facts = tuple(_unfact(f) for f in m["facts"])
    meta = RulesetMeta(
        id=m["id"], title=m["title"], facts=facts, description=m["description"],
        version=m["version"],
    )
    sources = {s["id"]: _unsource(s) for s in d["sources"]}
    claims = {}
    for r in d["claims"]:
        claim = _unclaim(r["claim"])
        claims[claim.id] = ClaimRecord(
            claim, sources[r["source"]], _undate(r["reported_on"]), r["start"], r["end"]
        )
    spans = {
        k: Span(os.path.join(display_root, f) if relative else f, line, col)
        for k, (f, relative, line, col) in d["spans"].items()
    }
    return Ruleset(
        meta=meta,
        facts={f.name: f for f in facts},
        sources=sources,
        claims=claims,
        rules=tuple(_unrule(r) for r in d["rules"]),
        cases=tuple(_uncase(c) for c in d["cases"]),
        spans=spans,
        archives=d["archives"],
        root=display_root,
        inputs=dict(inputs),
    )


def _unfact(f: dict[str, Any]) -> Fact:
    values = f["values"]
    return Fact(
        name=f["name"],
        type=FactType(f["type"]),
        description=f["description"],
        question=f["question"],
        values=None
        if values is None
        else tuple(v if isinstance(v, str) else EnumValue(v[0], v[1]) for v in values),
        unit=f["unit"],
        minimum=f["minimum"],
        maximum=f["maximum"],
        motivated_by=tuple(f["motivated_by"]),
    )


def _unsource(s: dict[str, Any]) -> Source:
    file, sha, content = s["archive"]
    return Source(
        id=s["id"],
        archive=Archive(file, sha, content),
        title=s["title"],
        outlet=s["outlet"],
        url=s["url"],
        published=_undate(s["published"]),
        retrieved=_undate(s["retrieved"]),
        note=s["note"],
    )


def _unclaim(c: dict[str, Any]) -> Claim:
    a, e = c["attributed_to"], c["effective"]
    return Claim(
        id=c["id"],
        source=c["source"],
        quote=c["quote"],
        kind=ClaimKind(c["kind"]),
        modality=Modality(c["modality"]),
        attributed_to=None if a is None else Attribution(a[0], a[1], a[2]),
        reported_on=_undate(c["reported_on"]),
        effective=None if e is None else Period(_undate(e[0]), _undate(e[1])),
        tags=tuple(c["tags"]),
        note=c["note"],
    )


def _uncondition(c: dict[str, Any]) -> Condition:
    if "fact" in c:
        operand = c["operand"]
        return Test(c["fact"], c["op"], tuple(operand) if isinstance(operand, list) else operand)
    if "not" in c:
        return Not(_uncondition(c["not"]))
    if "all" in c:
        return All(tuple(_uncondition(p) for p in c["all"]))
    return Any_(tuple(_uncondition(p) for p in c["any"]))


def _unrule(r: dict[str, Any]) -> Rule:
    e = r["effective"]
    return Rule(
        id=r["id"],
        effect=Effect(r["effect"]),
        when=_uncondition(r["when"]),
        because=tuple(r["because"]),
        note=r["note"],
        title=r["title"],
        overrides=tuple(r["overrides"]),
        effective=None if e is None else RuleEffective(e[0], _undate(e[1]), _undate(e[2])),
    )


def _uncase(c: dict[str, Any]) -> Case:
    verdict, deciding, missing = c["expect"]
    return Case(
        id=c["id"],
        expect=Expectation(verdict, _tuple(deciding), _tuple(missing)),
        facts=c["facts"],
        description=c["description"],
        as_of=_undate(c["as_of"]),
        known_by=_undate(c["known_by"]),
        sources=_tuple(c["sources"]),
    )

