"""The loaded ruleset: validated models with references resolved and quotes located."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from claimrules.diagnostics import Span
from claimrules.domain import Case, Claim, Fact, Rule, RulesetMeta, Source

if TYPE_CHECKING:
    from claimrules.compile import CompiledRuleset


@dataclass(frozen=True)
class ClaimRecord:
    """A claim with its source resolved, its date settled and its quote located."""

    claim: Claim
    source: Source
    reported_on: date | None
    start: int
    end: int

    @property
    def id(self) -> str:
        """The claim's id."""
        return self.claim.id


@dataclass(eq=False)
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
    _compiled: CompiledRuleset | None = field(default=None, repr=False)

    @property
    def id(self) -> str:
        """The ruleset's id."""
        return self.meta.id

    def span(self, kind: str, ident: str) -> Span:
        """Where an entity (`rule`, `claim`, `source`, `fact`, `case`) is defined."""
        return self.spans.get(f"{kind}:{ident}", Span(self.root))

    def compiled(self) -> CompiledRuleset:
        """The evaluable form, built once."""
        if self._compiled is None:
            from claimrules.compile import compile_ruleset  # noqa: PLC0415 - avoid an import cycle

            self._compiled = compile_ruleset(self)
        return self._compiled
