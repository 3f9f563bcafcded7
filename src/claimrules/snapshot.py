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
entry is data only (no code is ever loaded from it); it is as trusted as the rest of the
user's cache directory.

This module imports neither pydantic nor PyYAML.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from claimrules import __version__, codec
from claimrules.diagnostics import LoadError, Span
from claimrules.domain import Case, Rule, RulesetMeta, Source
from claimrules.ruleset import FILE_KINDS, ClaimRecord, Ruleset, yaml_files

#: Bumped whenever the layout of an entry changes.
FORMAT = 2

#: Entries larger than this are not read (a ruleset's archives are at most 2 MiB each).
MAX_ENTRY_BYTES = 256 * 1024 * 1024

_CHUNK = 1 << 20


def enabled() -> bool:
    """False when `CLAIMRULES_NO_CACHE` is set to anything but empty or `0`."""
    return os.environ.get("CLAIMRULES_NO_CACHE", "") in ("", "0")


def cache_dir() -> Path:
    """Where entries live."""
    explicit = os.environ.get("CLAIMRULES_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "claimrules"


def entry_path(root: str | os.PathLike[str]) -> Path:
    """The entry for a ruleset directory."""
    return _entry(os.path.realpath(root))


def _entry(real_root: str) -> Path:
    key = hashlib.sha256(os.fsencode(real_root)).hexdigest()[:32]
    return cache_dir() / f"{key}.json"


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


def load(root: str | os.PathLike[str]) -> Ruleset | None:
    """The cached ruleset of the directory `root`, or None when there is no valid entry."""
    display_root = os.fspath(root)
    try:
        real_root = os.path.realpath(display_root)
        with open(_entry(real_root), "rb") as f:
            raw = f.read(MAX_ENTRY_BYTES + 1)
        if len(raw) > MAX_ENTRY_BYTES:
            return None
        doc = json.loads(raw)
        if (
            not isinstance(doc, dict)
            or doc.get("format") != FORMAT
            or doc.get("claimrules") != __version__
            or doc.get("root") != real_root
            or not _unchanged(Path(display_root), doc["inputs"])
        ):
            return None
        return _decode(doc["ruleset"], display_root, doc["inputs"])
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


def store(ruleset: Ruleset) -> bool:
    """Write the entry of a ruleset loaded from a directory (atomically); False when it cannot
    be written. A cache that cannot be written is no error: the next run loads in full."""
    if not ruleset.inputs or not ruleset.root:
        return False
    from claimrules.output import write_atomic  # noqa: PLC0415 - only on a miss

    real_root = os.path.realpath(ruleset.root)
    doc = {
        "format": FORMAT,
        "claimrules": __version__,
        "root": real_root,
        "inputs": dict(sorted(ruleset.inputs.items())),
        "ruleset": _encode(ruleset),
    }
    data = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    try:
        entry = _entry(real_root)
        entry.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_atomic(entry, data, force=True)
    except (OSError, ValueError, LoadError):  # write_atomic refuses a symlink, a directory…
        return False
    return True


# --- encoding ------------------------------------------------------------------------------


def _encode(rs: Ruleset) -> dict[str, Any]:
    prefix = rs.root + os.sep if rs.root else ""
    return {
        "meta": codec.encode(rs.meta),
        "sources": [codec.encode(s) for s in rs.sources.values()],
        "claims": [codec.encode(r) for r in rs.claims.values()],
        "rules": [codec.encode(r) for r in rs.rules],
        "cases": [codec.encode(c) for c in rs.cases],
        # Span files relative to the root, so another spelling of the root reads the same.
        "spans": {k: [*_relative(s.file, prefix), s.line, s.col] for k, s in rs.spans.items()},
        "archives": dict(rs.archives),
    }


def _relative(file: str, prefix: str) -> tuple[str, bool]:
    """A file under the root as a path relative to it (True), any other as it is (False)."""
    if prefix and file.startswith(prefix):
        return file[len(prefix) :], True
    return file, False


# --- decoding ------------------------------------------------------------------------------


def _decode(d: dict[str, Any], display_root: str, inputs: Mapping[str, str]) -> Ruleset:
    meta = codec.decode(d["meta"])
    sources = [codec.decode(s) for s in d["sources"]]
    claims = [codec.decode(c) for c in d["claims"]]
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
