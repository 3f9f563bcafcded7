"""A lint finding: what `lint` reports, one value per problem."""

from __future__ import annotations

from dataclasses import dataclass

from claimrules.analysis.space import Region
from claimrules.diagnostics import Diagnostic, Severity, Span
from claimrules.load.ruleset import Ruleset

_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True)
class Finding:
    """One lint finding: a stable code, a severity, a one-line message, where to look, and
    (for region findings) the region of the fact space it is about."""

    code: str
    severity: Severity
    message: str
    span: Span
    region: Region | None = None
    rules: tuple[str, ...] = ()
    help: str | None = None

    def sort_key(self) -> tuple[int, str, int, int, str, str]:
        """Errors first, then by file, position, code and message."""
        s = self.span
        return (_SEVERITY_ORDER[self.severity], s.file, s.line, s.col, self.code, self.message)

    def diagnostic(self) -> Diagnostic:
        """The same finding as a Diagnostic (for renderers shared with `check`)."""
        return Diagnostic(self.code, self.message, self.span, (), self.help, self.severity)


def meta_file(ruleset: Ruleset) -> str:
    """The ruleset's own file, where findings about the whole ruleset point."""
    return f"{ruleset.root}/ruleset.yaml" if ruleset.root else "ruleset.yaml"
