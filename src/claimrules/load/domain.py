"""The ruleset's entities as plain, immutable values: what every part of claimrules evaluates,
explains and reports on.

The files are validated by the pydantic models of `claimrules.load.model`, which then hand over
these values (`to_domain()`); nothing here validates, and nothing here imports pydantic, so a
process that reads a checked ruleset from the cache (`claimrules.load.snapshot`) never pays for
building the validators. Field names follow the files (`from` is `from_`, `not` is `not_`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from claimrules.values import PlainValue, plain_value

if TYPE_CHECKING:  # what the functions below take; a Protocol class costs start-up 50 µs

    class _Valued(Protocol):
        @property
        def value(self) -> str: ...

    class _Weighed(Protocol):
        @property
        def kind(self) -> ClaimKind: ...

        @property
        def modality(self) -> Modality: ...

FactValue = str | bool | int | float | date
JsonValue = str | bool | int | float | list["JsonValue"] | dict[str, "JsonValue"] | None


#: `YYYY-MM-DD` in digits. A pattern's text: `re` compiles it on first use (and keeps it).
_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"

#: An id of a source, claim, rule or case (the files' `Slug`), and its longest length.
SLUG_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
SLUG_MAX = 120


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_WRITTEN_DATE_FORMATS = ("%d %B %Y", "%B %d, %Y", "%B %d %Y", "%d %b %Y", "%b %d, %Y",
                         "%b %d %Y", "%d %B, %Y")


def why_not_a_date(text: str) -> str:
    """Why a string is not a `YYYY-MM-DD` date, in words: "November has 30 days", "there is no
    month 13", or how to write a date written out in words (`11 July 2024` → `2024-07-11`)."""
    if re.fullmatch(_DATE, text):
        year, month, day = (int(part) for part in text.split("-"))
        if not 1 <= month <= 12:
            return f"`{text}` is not a date: there is no month {month} (months run 01 to 12)"
        if day == 0:
            return f"`{text}` is not a date: days of the month start at 01"
        import calendar  # noqa: PLC0415 - only on a mistake: keeps start-up short

        days = calendar.monthrange(year, month)[1] if year else 31
        name = _MONTHS[month - 1]
        if month == 2 and day == 29:
            return f"`{text}` is not a date: February has 28 days in {year} (not a leap year)"
        if year == 0:
            return f"`{text}` is not a date: years start at 0001"
        if month == 2:
            return f"`{text}` is not a date: February has {days} days in {year}"
        return f"`{text}` is not a date: {name} has {days} days"
    written = text.strip()
    for fmt in _WRITTEN_DATE_FORMATS:
        try:
            parsed = datetime.strptime(written, fmt).date()
        except ValueError:
            continue
        return f"`{text}` is not written `YYYY-MM-DD`: write it `{parsed.isoformat()}`"
    return f"expected a date written `YYYY-MM-DD`, got `{text}`"


def parse_iso_date(value: object) -> object:
    """Accept a `YYYY-MM-DD` string (or a date); refuse numbers and other strings, saying why."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(_DATE, value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(why_not_a_date(value)) from None
    if isinstance(value, str):
        raise ValueError(why_not_a_date(value))
    raise ValueError(f"expected a date written `YYYY-MM-DD`, got `{value}`")


# --- vocabulary --------------------------------------------------------------------------


class FactType(StrEnum):
    """The type of a fact."""

    ENUM = "enum"
    BOOL = "bool"
    DATE = "date"
    NUMBER = "number"


def value_names(values: Iterable[str | _Valued] | None) -> list[str]:
    """The names of an enum's `values` as written (plain names or `{value, label}`), in order."""
    return [v if isinstance(v, str) else v.value for v in values or ()]


@plain_value(slots=True)
class EnumValue(PlainValue):
    """One allowed value of an enum fact, with an optional human label."""

    value: str
    label: str | None = None


@plain_value(slots=True)
class Fact(PlainValue):
    """One fact a scenario may state."""

    name: str
    type: FactType
    description: str
    question: str
    values: tuple[str | EnumValue, ...] | None = None
    unit: str | None = None
    minimum: int | float | None = None
    maximum: int | float | None = None
    motivated_by: tuple[str, ...] = ()
    #: The fact describes the scenario (a region's name, say) and no rule needs to read it.
    scenario_only: bool = False

    def value_names(self) -> list[str]:
        """The enum's values in declared order (empty for other types)."""
        return value_names(self.values)

    def label(self, value: str) -> str | None:
        """The label of an enum value, if any."""
        for v in self.values or ():
            if isinstance(v, EnumValue) and v.value == value:
                return v.label
        return None


@plain_value(slots=True)
class Disagreement(PlainValue):
    """A disagreement between rules that the ruleset's author has seen, with a note: lint
    reports contested regions between exactly these rules as acknowledged."""

    rules: tuple[str, ...]
    note: str


@plain_value(slots=True)
class Constraint(PlainValue):
    """How facts know each other: whenever `when` holds, `then` must hold too (a scenario
    where it does not is impossible); where `then` is a set of `is` tests, their values are
    implied. `note` says why (a weapon is one country's, an area lies in one region)."""

    id: str
    when: Condition
    then: Condition
    note: str


@plain_value(slots=True)
class RulesetMeta(PlainValue):
    """The `ruleset.yaml` file: metadata and vocabulary."""

    id: str
    title: str
    facts: tuple[Fact, ...]
    description: str | None = None
    version: str | None = None
    disagreements: tuple[Disagreement, ...] = ()
    constraints: tuple[Constraint, ...] = ()


# --- sources and claims --------------------------------------------------------------------


@plain_value(slots=True)
class Archive(PlainValue):
    """Where the archived text lives, its hash, and whether it is the full text or excerpts."""

    file: str
    sha256: str
    content: str  # "full" or "excerpts"


@plain_value(slots=True)
class DateBound(PlainValue):
    """One bound on an unknown date, with why it holds: a dated claim it relies on (`claim`),
    or how it was read (`basis`). Never a guessed date."""

    date: date
    basis: str
    claim: str | None = None


@plain_value(slots=True)
class Source(PlainValue):
    """A published document. An undated one (`published` None) may carry bounds on its date."""

    id: str
    archive: Archive
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: date | None = None
    retrieved: date | None = None
    note: str | None = None
    not_before: DateBound | None = None
    not_after: DateBound | None = None


class ClaimKind(StrEnum):
    """What a claim does in the reporting."""

    PROVISION = "provision"
    RATIONALE = "rationale"
    CONTEXT = "context"
    REACTION = "reaction"
    ASSESSMENT = "assessment"
    FORECAST = "forecast"
    EVENT = "event"  # something reported as having happened (a strike), not a permission
    DENIAL = "denial"  # a denial, or "the policy has not changed"
    NO_COMMENT = "no_comment"  # declined to comment, has not responded


#: Claim kinds that can ground a rule (`because`); every other kind is context at most.
GROUNDING_KINDS = frozenset({ClaimKind.PROVISION})


def grounds(claim: _Weighed) -> bool:
    """Whether a claim (or a citation of one) can ground a provision: a provision that is not
    speculative. A forecast, a speculation, an event, a denial or a refusal to comment never
    can."""
    return claim.kind in GROUNDING_KINDS and claim.modality is not Modality.SPECULATIVE


class Modality(StrEnum):
    """How firmly the source states the claim."""

    ASSERTED = "asserted"
    ATTRIBUTED = "attributed"
    HEDGED = "hedged"
    SPECULATIVE = "speculative"


@plain_value(slots=True)
class Attribution(PlainValue):
    """Who the source says said it, and the outlets that passed it on (`via`, nearest to the
    page first: Ukrainska Pravda ← the Guardian ← an unnamed official has via ("the
    Guardian",) on a Ukrainska Pravda page)."""

    who: str
    on_record: bool
    via: tuple[str, ...] = ()

    @property
    def speaker(self) -> str:
        """The speaker's name as `--speaker` matches it: `who`, with ", anonymous" when the
        speaker is not on the record."""
        return self.who if self.on_record else f"{self.who}, anonymous"


@plain_value(slots=True)
class Period(PlainValue):
    """A date range; either end may be open (None). Both ends are inclusive."""

    from_: date | None = None
    until: date | None = None


@plain_value(slots=True)
class Claim(PlainValue):
    """One statement found in a source, quoted verbatim."""

    id: str
    source: str
    quote: str
    kind: ClaimKind
    modality: Modality
    attributed_to: Attribution | None = None
    reported_on: date | None = None
    effective: Period | None = None
    tags: tuple[str, ...] = ()
    note: str | None = None


# --- rules ---------------------------------------------------------------------------------


class Effect(StrEnum):
    """What a rule does when it applies."""

    PERMIT = "permit"
    PROHIBIT = "prohibit"


#: The operators of a fact test, in the order the files document them.
OPERATORS = ("is", "in", "lt", "le", "gt", "ge")


@plain_value(slots=True)
class Test(PlainValue):
    """A comparison on one fact. `operand` is as written: a scalar, or a tuple for `in`."""

    fact: str
    operator: str  # one of OPERATORS
    operand: object


@plain_value(slots=True)
class All(PlainValue):
    """True when every part is true (Kleene conjunction)."""

    all: tuple[Condition, ...]


@plain_value(slots=True)
class Any_(PlainValue):
    """True when some part is true (Kleene disjunction)."""

    any: tuple[Condition, ...]


@plain_value(slots=True)
class Not(PlainValue):
    """Negation (Kleene)."""

    not_: Condition


Condition = All | Any_ | Not | Test


@plain_value(slots=True)
class Unknown(PlainValue):
    """An end of a period that the reporting does not give, with the bounds it does give."""

    not_before: date | None = None
    not_after: date | None = None


#: An end of a stated period: a date, None (open: no end reported, or "since before any
#: date in question" where the basis says so), or an Unknown date within bounds.
PeriodEnd = date | Unknown | None


@plain_value(slots=True)
class RuleEffective(PlainValue):
    """A rule's stated period, with the reason for its dates and the claims that reason rests
    on (a reading that excludes any of them cannot use the stated period)."""

    basis: str
    from_: PeriodEnd = None
    until: PeriodEnd = None
    claims: tuple[str, ...] = ()


@plain_value(slots=True)
class Refinement(PlainValue):
    """A more specific reported limit refining a general statement: where both apply, the
    refining rule decides (as an override does), and the explanation shows both."""

    rule: str
    note: str


@plain_value(slots=True)
class UnreportedTerms(PlainValue):
    """A permission or prohibition whose terms the reporting says exist but does not give.
    The rule applies only where `within` (cases the reporting places inside the terms) holds;
    elsewhere whether it applies is never known."""

    claim: str
    note: str
    within: Condition | None = None


@plain_value(slots=True)
class NotePart(PlainValue):
    """A part of a rule's reading note and the claims it draws on: shown only in a reading
    that keeps every one of them."""

    text: str
    claims: tuple[str, ...] = ()


@plain_value(slots=True)
class Rule(PlainValue):
    """A rule derived from claims."""

    id: str
    effect: Effect
    when: Condition
    because: tuple[str, ...]
    note: str
    title: str | None = None
    overrides: tuple[str, ...] = ()
    effective: RuleEffective | None = None
    refines: tuple[Refinement, ...] = ()
    unreported_terms: UnreportedTerms | None = None
    context: tuple[str, ...] = ()  # claims shown beside the rule, never its grounds
    note_parts: tuple[NotePart, ...] = ()  # when given, `note` is their texts joined


# --- cases ---------------------------------------------------------------------------------


@plain_value(slots=True)
class Expectation(PlainValue):
    """What a case expects."""

    verdict: str
    deciding_rules: tuple[str, ...] | None = None
    missing_facts: tuple[str, ...] | None = None
    support: str | None = None


# weakref: see casetest.case_span
@plain_value(slots=True, weakref_slot=True)
class Case(PlainValue):
    """A test case of a ruleset. `facts` are as written, typed when the case runs."""

    id: str
    expect: Expectation
    facts: dict[str, JsonValue]
    description: str | None = None
    as_of: date | None = None
    known_by: date | None = None
    sources: tuple[str, ...] | None = None
    speakers: tuple[str, ...] | None = None
