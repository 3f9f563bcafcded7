"""Decisions: the verdict, the rules that decided it, and a typed trace. No display strings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field, fields
from datetime import date
from enum import StrEnum

from claimrules.load.domain import Attribution, ClaimKind, Effect, FactValue, Modality, Unknown
from claimrules.values import PlainValue, plain_value


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


@plain_value
class CitedClaim(PlainValue):
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
    earliest: date | None = None  # bounds on an undated claim's report date (None: unbounded)
    latest: date | None = None

    @property
    def undated(self) -> bool:
        """True when neither the claim nor its source carries a date."""
        return self.reported_on is None

    @property
    def speaker(self) -> str:
        """Who said it, as `--speaker` matches it: the attributed speaker (", anonymous" when
        not on the record), else the outlet's own voice (the outlet, or the source id)."""
        if self.attributed_to is not None:
            return self.attributed_to.speaker
        return self.outlet or self.source

    @property
    def strength(self) -> Strength:
        """How firmly this claim supports what it is cited for."""
        if self.modality is Modality.SPECULATIVE or self.kind is ClaimKind.FORECAST:
            return Strength.SPECULATIVE
        if self.modality is Modality.HEDGED:
            return Strength.HEDGED
        if self.attributed_to is not None and not self.attributed_to.on_record:
            return Strength.ANONYMOUS
        return Strength.ON_RECORD


class Strength(StrEnum):
    """The strength of the support behind a verdict, strongest first."""

    ON_RECORD = "on_record"  # asserted by the outlet, or said on the record by a named speaker
    ANONYMOUS = "anonymous"  # attributed to speakers not on the record (anonymous officials)
    HEDGED = "hedged"  # "reportedly", "suggested"
    SPECULATIVE = "speculative"  # forecasts or speculation only
    NONE = "none"  # nothing cited


_STRENGTH_ORDER = tuple(Strength)


@plain_value
class Support(PlainValue):
    """What backs a verdict: the strongest support among the claims cited for it, how many
    sources and claims, and whether every one of them is undated."""

    strength: Strength
    sources: int
    claims: int
    undated_only: bool
    relayed_only: bool  # every claim passed on through another outlet (`via`)

    @staticmethod
    def of(claims: tuple[CitedClaim, ...]) -> Support:
        """The support of these cited claims."""
        if not claims:
            return Support(Strength.NONE, 0, 0, False, False)
        best = min((c.strength for c in claims), key=_STRENGTH_ORDER.index)
        return Support(
            strength=best,
            sources=len({c.source for c in claims}),
            claims=len(claims),
            undated_only=all(c.reported_on is None for c in claims),
            relayed_only=all(c.attributed_to is not None and c.attributed_to.via for c in claims),
        )


@plain_value
class TestOutcome(PlainValue):
    """One fact test and whether it held on the scenario's value."""

    fact: str
    operator: str
    operand: object
    value: FactValue
    held: bool


@plain_value
class ConditionFailed(PlainValue):
    """A rule did not apply: these tests made its condition false."""

    tests: tuple[TestOutcome, ...]


@plain_value
class MissingFacts(PlainValue):
    """A rule is undecided: these missing facts leave its condition open."""

    facts: tuple[str, ...]


@plain_value
class OutOfPeriod(PlainValue):
    """A rule is inactive: `as_of` falls outside its effective period."""

    as_of: date
    start: date | None
    until: date | None


@plain_value
class NotYetReported(PlainValue):
    """A rule is inactive: none of its claims was reported by `known_by`."""

    known_by: date
    earliest: date | None  # None: every supporting claim is undated


@plain_value
class NotInSources(PlainValue):
    """A rule is inactive: none of its claims comes from the named sources."""

    sources: tuple[str, ...]


@plain_value
class NotBySpeakers(PlainValue):
    """A rule is inactive: none of its claims was said by the named speakers."""

    speakers: tuple[str, ...]


@plain_value
class PeriodUnknown(PlainValue):
    """Whether a rule was in force at `as_of` is unknown: the reporting dates its start (or
    end) only within bounds, or not at all. `sources` are the undated sources it rests on."""

    as_of: date
    sources: tuple[str, ...]


@plain_value
class OverriddenBy(PlainValue):
    """A rule applies but is an exception's base: these applicable rules override it.
    `refinements` are those of them that refine it as a more specific reported limit, with
    their notes (rule id, note)."""

    rules: tuple[str, ...]
    refinements: tuple[tuple[str, str | None], ...] = ()


Reason = (
    ConditionFailed
    | MissingFacts
    | OutOfPeriod
    | NotYetReported
    | NotInSources
    | NotBySpeakers
    | OverriddenBy
    | None
)


@plain_value
class Period(PlainValue):
    """A rule's effective period and where it comes from. An end is a date, None (open), or
    unknown: `start_unknown` / `until_unknown` then hold the bounds the reporting gives (and
    `start` / `until` are None)."""

    start: date | None
    until: date | None
    basis: str | None  # the rule's stated basis; None when derived
    derived_from: str | None  # claim id whose date started a derived period
    start_unknown: Unknown | None = None
    until_unknown: Unknown | None = None

    def in_force(self, as_of: date) -> bool | None:
        """Whether the period covers `as_of`: True, False, or None (unknown)."""
        return _and(_after(self.start, self.start_unknown, as_of),
                    _before(self.until, self.until_unknown, as_of))


def _after(start: date | None, unknown: Unknown | None, as_of: date) -> bool | None:
    if unknown is not None:
        if unknown.not_after is not None and as_of >= unknown.not_after:
            return True
        if unknown.not_before is not None and as_of < unknown.not_before:
            return False
        return None
    return start is None or start <= as_of


def _before(until: date | None, unknown: Unknown | None, as_of: date) -> bool | None:
    if unknown is not None:
        if unknown.not_before is not None and as_of <= unknown.not_before:
            return True
        if unknown.not_after is not None and as_of > unknown.not_after:
            return False
        return None
    return until is None or as_of <= until


def _and(a: bool | None, b: bool | None) -> bool | None:
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


@plain_value
class RuleOutcome(PlainValue):
    """One rule's part in a decision. `note` is the reading note as far as this reading may
    show it (None: it draws on claims outside the reading, and `note_withheld` says so);
    `context` the claims shown beside the rule (events, denials, forecasts), never grounds."""

    rule: str
    effect: Effect
    status: RuleStatus
    reason: Reason
    claims: tuple[CitedClaim, ...]
    note: str | None
    title: str | None
    period: Period
    overrides: tuple[str, ...]
    context: tuple[CitedClaim, ...] = ()
    note_withheld: bool = False
    period_unknown: PeriodUnknown | None = None  # set when the rule's period is open at as_of
    terms: UnreportedTermsOutcome | None = None


@plain_value
class UnreportedTermsOutcome(PlainValue):
    """A rule whose terms the reporting does not give: the claim saying so (None when the
    reading leaves it out) and the rule's note on them."""

    claim: CitedClaim | None
    note: str | None  # None: the note draws on claims outside the reading


@plain_value
class OpenQuestion(PlainValue):
    """Something the reporting leaves open that changes the verdict: whether a rule was in
    force at `as_of` (`kind` "period"), or whether a case falls within terms the reporting
    does not give (`kind` "terms"); with the verdicts each answer would leave possible."""

    kind: str  # "period" or "terms"
    rule: str
    sources: tuple[str, ...]  # period: the undated sources it rests on
    claim: CitedClaim | None  # terms: the claim that says terms exist
    note: str | None  # terms: the rule's note on them
    outcomes: tuple[tuple[bool, tuple[Verdict, ...]], ...]


@plain_value
class MissingFactOutcome(PlainValue):
    """A missing fact that matters, and the verdicts each of its values would leave possible."""

    fact: str
    question: str
    outcomes: tuple[tuple[FactValue, tuple[Verdict, ...]], ...]


@plain_value
class Decision(PlainValue):
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
    speakers: tuple[str, ...] | None = None
    support: Support = field(default_factory=lambda: Support(Strength.NONE, 0, 0, False, False))
    unknowns: tuple[OpenQuestion, ...] = ()  # what the reporting leaves open, when it matters
    context: tuple[CitedClaim, ...] = ()  # claims shown beside the deciding rules


#: The fields of a Decision, in order.
DECISION_FIELDS = tuple(f.name for f in fields(Decision))


def build_decision(
    core: Mapping[str, object], facts: dict[str, FactValue], rules: tuple[RuleOutcome, ...]
) -> Decision:
    """The Decision with a shared core's fields (every field but `facts` and `rules`) and
    these facts and rule outcomes: equal to `Decision(**core, facts=facts, rules=rules)`,
    without the frozen constructor's one `object.__setattr__` per field (the evaluator builds
    one per scenario from a core many scenarios share)."""
    decision = object.__new__(Decision)
    own = decision.__dict__
    own.update(core)
    own["facts"] = facts
    own["rules"] = rules
    return decision
