"""Decisions: the verdict, the rules that decided it, and a typed trace. No display strings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from claimrules.domain import Attribution, ClaimKind, Effect, FactValue, Modality


class Verdict(StrEnum):
    """The closed set of answers (see the verdict table in DESIGN.md and `combine`)."""

    PERMITTED = "permitted"
    PROHIBITED = "prohibited"
    CONTESTED = "contested"
    INDETERMINATE = "indeterminate"
    NOT_ADDRESSED = "not_addressed"


class RuleStatus(StrEnum):
    """What became of one rule in a decision."""

    APPLIES = "applies"  # its condition holds and nothing overrides it
    OVERRIDDEN = "overridden"  # its condition holds but an applicable rule overrides it
    DOES_NOT_APPLY = "does_not_apply"  # its condition fails on the scenario's facts
    UNDECIDED = "undecided"  # its condition depends on missing facts
    INACTIVE = "inactive"  # filtered out by as_of, known_by or sources


@dataclass(frozen=True)
class CitedClaim:
    """A claim as cited in a decision, with what a reader needs to weigh it."""

    id: str
    source: str
    quote: str
    kind: ClaimKind
    modality: Modality
    attributed_to: Attribution | None
    reported_on: date | None
    start: int
    end: int
    outlet: str | None
    title: str | None
    url: str | None
    published: date | None

    @property
    def undated(self) -> bool:
        """True when neither the claim nor its source carries a date."""
        return self.reported_on is None


@dataclass(frozen=True)
class TestOutcome:
    """One fact test and whether it held on the scenario's value."""

    fact: str
    operator: str
    operand: object
    value: FactValue
    held: bool


@dataclass(frozen=True)
class ConditionFailed:
    """A rule did not apply: these tests made its condition false."""

    tests: tuple[TestOutcome, ...]


@dataclass(frozen=True)
class MissingFacts:
    """A rule is undecided: these missing facts leave its condition open."""

    facts: tuple[str, ...]


@dataclass(frozen=True)
class OutOfPeriod:
    """A rule is inactive: `as_of` falls outside its effective period."""

    as_of: date
    start: date | None
    until: date | None


@dataclass(frozen=True)
class NotYetReported:
    """A rule is inactive: none of its claims was reported by `known_by`."""

    known_by: date
    earliest: date | None  # None: every supporting claim is undated


@dataclass(frozen=True)
class NotInSources:
    """A rule is inactive: none of its claims comes from the named sources."""

    sources: tuple[str, ...]


@dataclass(frozen=True)
class OverriddenBy:
    """A rule applies but is an exception's base: these applicable rules override it."""

    rules: tuple[str, ...]


Reason = (
    ConditionFailed
    | MissingFacts
    | OutOfPeriod
    | NotYetReported
    | NotInSources
    | OverriddenBy
    | None
)


@dataclass(frozen=True)
class Period:
    """A rule's effective period and where it comes from."""

    start: date | None
    until: date | None
    basis: str | None  # the rule's stated basis; None when derived
    derived_from: str | None  # claim id whose date started a derived period


@dataclass(frozen=True)
class RuleOutcome:
    """One rule's part in a decision."""

    rule: str
    effect: Effect
    status: RuleStatus
    reason: Reason
    claims: tuple[CitedClaim, ...]
    note: str
    title: str | None
    period: Period
    overrides: tuple[str, ...]


@dataclass(frozen=True)
class MissingFactOutcome:
    """A missing fact that matters, and the verdicts each of its values would leave possible."""

    fact: str
    question: str
    outcomes: tuple[tuple[FactValue, tuple[Verdict, ...]], ...]


@dataclass(frozen=True)
class Decision:
    """The answer to one scenario: verdict, deciding rules, cited claims and a typed trace."""

    verdict: Verdict
    deciding_rules: tuple[str, ...]
    claims: tuple[CitedClaim, ...]
    missing_facts: tuple[str, ...]
    as_of: date | None = None
    known_by: date | None = None
    sources: tuple[str, ...] | None = None
    facts: dict[str, FactValue] = field(default_factory=dict)
    rules: tuple[RuleOutcome, ...] = ()
    missing: tuple[MissingFactOutcome, ...] = ()
    excluded_undated: tuple[str, ...] = ()  # claims left out by known_by for lack of a date
    ruleset: str = ""
    possible: tuple[Verdict, ...] = ()  # the verdicts completions of the missing facts give
