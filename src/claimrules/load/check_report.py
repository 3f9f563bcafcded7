"""`claimrules check` as a library call: rulesets loaded and checked in full, every problem
collected, and what each ruleset that loaded holds. Nothing here prints."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from claimrules.diagnostics import Diagnostic, LoadError
from claimrules.load.installed import resolve_ruleset


@dataclass(frozen=True)
class Summary:
    """What one ruleset that loaded holds."""

    ruleset: str
    sources: int
    claims: int
    quotes_verified: int
    facts: int
    rules: int
    cases: int

    def to_dict(self) -> dict[str, Any]:
        """The summary as the JSON output holds it."""
        return asdict(self)


@dataclass(frozen=True)
class CheckReport:
    """The errors and warnings of every ruleset checked, and a summary of each that loaded."""

    errors: tuple[Diagnostic, ...]
    warnings: tuple[Diagnostic, ...]
    rulesets: tuple[Summary, ...]


def expand_rulesets(paths: Iterable[str]) -> list[str]:
    """Each path (or installed ruleset id), or, for a folder holding rulesets rather than
    being one, each ruleset in it."""
    out: list[str] = []
    for path in map(resolve_ruleset, paths):
        root = Path(path)
        if root.is_dir() and not (root / "ruleset.yaml").exists():
            inner = sorted(p for p in root.iterdir() if (p / "ruleset.yaml").is_file())
            if inner:
                out.extend(str(p) for p in inner)
                continue
        out.append(path)
    return out


def check_rulesets(paths: Iterable[str]) -> CheckReport:
    """Load and check each ruleset of `paths` (see `expand_rulesets`), collecting every
    diagnostic; a ruleset that fails to load adds its problems and no summary."""
    from claimrules.load.loader import load_ruleset  # noqa: PLC0415 - loads the validators

    errors: list[Diagnostic] = []
    warnings: list[Diagnostic] = []
    summaries: list[Summary] = []
    for path in expand_rulesets(paths):
        try:
            rs = load_ruleset(resolve_ruleset(path))
        except LoadError as exc:
            errors.extend(d for d in exc.diagnostics if d.severity == "error")
            warnings.extend(d for d in exc.diagnostics if d.severity != "error")
            continue
        warnings.extend(rs.warnings)
        verified = sum(1 for c in rs.claims.values() if c.start >= 0)
        summaries.append(Summary(path, len(rs.sources), len(rs.claims), verified, len(rs.facts),
                                 len(rs.rules), len(rs.cases)))
    return CheckReport(tuple(errors), tuple(warnings), tuple(summaries))
