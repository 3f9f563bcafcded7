"""The loaded ruleset: validated models with references resolved and quotes located."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Mapping
from dataclasses import field
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING

from claimrules.diagnostics import Diagnostic, Span
from claimrules.load.domain import Case, Claim, Fact, Rule, RulesetMeta, Source
from claimrules.values import PlainValue, plain_value, record

if TYPE_CHECKING:
    from pathlib import Path

#: The kinds of YAML file a ruleset directory holds, in the order the loader reads them.
FILE_KINDS = ("ruleset", "sources", "claims", "rules", "cases")


def yaml_files(root: Path, kind: str) -> list[Path]:
    """`<kind>.yaml` and every `<kind>/*.yaml` (or `.yml`), sorted: the files of one kind."""
    return [root / name for name in yaml_names(os.fspath(root), kind)]


def yaml_names(root: str, kind: str) -> list[str]:
    """The files `yaml_files` gives, as paths relative to `root` with `/` between folder and
    name (`claims.yaml`, `claims/may.yaml`), found without pathlib (a cached `eval` checks
    them and does not import it): the same files, the same order, the same errors."""
    names = []
    if _stat(os.path.join(root, f"{kind}.yaml")) is not None:
        names.append(f"{kind}.yaml")
    folder = os.path.join(root, kind)
    info = _stat(folder)
    if info is not None and stat.S_ISDIR(info.st_mode):
        names.extend(f"{kind}/{name}"
                     for name in sorted(os.listdir(folder), key=os.path.normcase)
                     if _suffix(name) in (".yaml", ".yml"))
    return names


#: Errors on which pathlib's `exists()` and `is_dir()` answer False rather than raise.
_NOT_THERE_ERRNOS = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP})
_NOT_THERE_WINERRORS = frozenset({21, 123, 1921})


def _stat(path: str) -> os.stat_result | None:
    """`os.stat(path)`, or None where pathlib would say the path does not exist."""
    try:
        return os.stat(path)
    except OSError as exc:
        if (exc.errno in _NOT_THERE_ERRNOS
                or getattr(exc, "winerror", None) in _NOT_THERE_WINERRORS):
            return None
        raise
    except ValueError:  # a path the OS cannot take (a NUL byte)
        return None


def _suffix(name: str) -> str:
    """A file name's suffix as `PurePath.suffix` gives it (`.yaml` has none)."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


@plain_value
class ClaimRecord(PlainValue):
    """A claim with its source resolved, its date settled and its quote located."""

    claim: Claim
    source: Source
    reported_on: date | None
    start: int
    end: int
    # Bounds on the report date: both `reported_on` when it is known; an undated claim's
    # come from its source's `not_before` / `not_after` (None: unbounded).
    earliest: date | None = None
    latest: date | None = None

    def __post_init__(self) -> None:
        # A dated claim's bounds are its date, however the record was built.
        if self.reported_on is not None:
            object.__setattr__(self, "earliest", self.reported_on)
            object.__setattr__(self, "latest", self.reported_on)

    @property
    def id(self) -> str:
        """The claim's id."""
        return self.claim.id


@record
class Ruleset:
    """A checked ruleset. Rules, claims and sources are held sorted by id, so file order never
    changes an answer; facts keep the vocabulary's declared order."""

    meta: RulesetMeta
    facts: Mapping[str, Fact]
    sources: Mapping[str, Source]
    claims: Mapping[str, ClaimRecord]
    rules: tuple[Rule, ...]
    cases: tuple[Case, ...]
    spans: Mapping[str, Span] = field(default_factory=dict)
    archives: Mapping[str, str] = field(default_factory=dict)
    root: str = ""
    # Every file the ruleset was read from (path relative to the root, `/`-separated) with the
    # sha256 of the bytes read; empty for a ruleset built in memory.
    inputs: Mapping[str, str] = field(default_factory=dict)
    # Warnings the checks found on a ruleset that loaded (none from the cache).
    warnings: tuple[Diagnostic, ...] = ()

    @property
    def id(self) -> str:
        """The ruleset's id."""
        return self.meta.id

    @cached_property
    def derived(self) -> dict[str, object]:
        """What later stages derive from this ruleset object and keep as long as it lives
        (the engine's compiled form, the decisions it has given), by a key each stage names.
        Never part of the ruleset's content: not a field, not in its snapshot."""
        return {}

    def span(self, kind: str, ident: str) -> Span:
        """Where an entity (`rule`, `claim`, `source`, `fact`, `case`) is defined."""
        return self.spans.get(f"{kind}:{ident}", Span(self.root))
