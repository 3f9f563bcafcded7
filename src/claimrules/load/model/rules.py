"""Rules: permit/prohibit effects over a condition tree, citing claims."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, Discriminator, Field, Strict, Tag, model_validator

from claimrules.load import domain
from claimrules.load.domain import OPERATORS as _OPERATORS
from claimrules.load.domain import Effect
from claimrules.load.model.base import IsoDate, Model, Name, Slug, Text

__all__ = [
    "All",
    "Any_",
    "Condition",
    "Effect",
    "Not",
    "Rule",
    "RuleEffective",
    "RulesFile",
    "Test",
]


class Test(Model):
    """A comparison on one fact: exactly one of is / in / lt / le / gt / ge."""

    fact: Name
    is_: bool | int | float | str | None = Field(default=None, alias="is")
    in_: list[bool | int | float | str] | None = Field(default=None, alias="in", min_length=1)
    lt: int | float | str | None = None
    le: int | float | str | None = None
    gt: int | float | str | None = None
    ge: int | float | str | None = None

    @model_validator(mode="after")
    def _exactly_one_operator(self) -> Test:
        given = [op for op in _OPERATORS if getattr(self, _FIELD[op]) is not None]
        if len(given) != 1:
            ops = ", ".join(f"`{o}`" for o in _OPERATORS)
            raise ValueError(f"a test on `{self.fact}` needs exactly one of {ops}")
        return self

    @property
    def operator(self) -> str:
        """The one operator used: is, in, lt, le, gt or ge."""
        for op in _OPERATORS:
            if getattr(self, _FIELD[op]) is not None:
                return op
        raise AssertionError("validated model has an operator")  # pragma: no cover

    @property
    def operand(self) -> Any:
        """The operator's argument as written."""
        return getattr(self, _FIELD[self.operator])

    def to_domain(self) -> domain.Test:
        """The plain value: the operator and its operand (a tuple for `in`)."""
        op = self.operator
        operand = self.operand
        return domain.Test(self.fact, op, tuple(operand) if op == "in" else operand)


_FIELD = {"is": "is_", "in": "in_", "lt": "lt", "le": "le", "gt": "gt", "ge": "ge"}


class All(Model):
    """True when every part is true (Kleene conjunction)."""

    all: list[Condition] = Field(min_length=1)

    def to_domain(self) -> domain.All:
        """The plain value."""
        return domain.All(tuple(c.to_domain() for c in self.all))


class Any_(Model):
    """True when some part is true (Kleene disjunction)."""

    any: list[Condition] = Field(min_length=1)

    def to_domain(self) -> domain.Any_:
        """The plain value."""
        return domain.Any_(tuple(c.to_domain() for c in self.any))


class Not(Model):
    """Negation (Kleene)."""

    not_: Condition = Field(alias="not")

    def to_domain(self) -> domain.Not:
        """The plain value."""
        return domain.Not(self.not_.to_domain())


def _condition_kind(value: object) -> str | None:
    if isinstance(value, dict):
        for key in ("all", "any", "not", "fact"):
            if key in value:
                return key
        return None
    if isinstance(value, All | Any_ | Not | Test):
        return {All: "all", Any_: "any", Not: "not", Test: "fact"}[type(value)]
    return None


Condition = Annotated[
    Annotated[All, Tag("all")]
    | Annotated[Any_, Tag("any")]
    | Annotated[Not, Tag("not")]
    | Annotated[Test, Tag("fact")],
    Discriminator(
        _condition_kind,
        custom_error_type="condition",
        custom_error_message="a condition is a mapping with one of `all`, `any`, `not` or `fact`",
    ),
]


class UnknownEnd(Model):
    """An end of a period the reporting does not give, with the bounds it does give."""

    not_before: IsoDate | None = None
    not_after: IsoDate | None = None

    @model_validator(mode="after")
    def _ordered(self) -> UnknownEnd:
        if self.not_before and self.not_after and self.not_before > self.not_after:
            raise ValueError(
                f"`not_before` ({self.not_before}) is after `not_after` ({self.not_after})"
            )
        return self

    def to_domain(self) -> domain.Unknown:
        """The plain value."""
        return domain.Unknown(self.not_before, self.not_after)


def _end(value: object) -> object:
    """`unknown` is an unknown end without bounds."""
    return {} if value == "unknown" else value


PeriodEnd = Annotated[IsoDate | UnknownEnd | None, BeforeValidator(_end)]


def _end_domain(value: date | UnknownEnd | None) -> domain.PeriodEnd:
    return value.to_domain() if isinstance(value, UnknownEnd) else value


class RuleEffective(Model):
    """A rule's stated period: each end a date, null (open), `unknown`, or
    `{not_before, not_after}` (unknown within bounds); the reason; the claims it rests on."""

    from_: PeriodEnd = Field(default=None, alias="from")
    until: PeriodEnd = None
    basis: Text
    claims: list[Slug] = Field(default_factory=list)

    def to_domain(self) -> domain.RuleEffective:
        """The plain value."""
        return domain.RuleEffective(
            self.basis, _end_domain(self.from_), _end_domain(self.until), tuple(self.claims)
        )


class Refinement(Model):
    """This rule is a more specific reported limit of the general rule `rule`."""

    rule: Slug
    note: Text

    def to_domain(self) -> domain.Refinement:
        """The plain value."""
        return domain.Refinement(self.rule, self.note)


class UnreportedTerms(Model):
    """Terms the reporting says exist but does not give (`claim` says so)."""

    claim: Slug
    note: Text
    within: Condition | None = None

    def to_domain(self) -> domain.UnreportedTerms:
        """The plain value."""
        within = self.within.to_domain() if self.within is not None else None
        return domain.UnreportedTerms(self.claim, self.note, within)


class NotePart(Model):
    """A part of a reading note, with the claims it draws on."""

    text: Text
    claims: list[Slug] = Field(default_factory=list)

    def to_domain(self) -> domain.NotePart:
        """The plain value."""
        return domain.NotePart(self.text, tuple(self.claims))


class Rule(Model):
    """A rule derived from claims."""

    id: Slug
    effect: Annotated[Effect, Strict(False)]
    title: Text | None = None
    when: Condition
    because: list[Slug] = Field(min_length=1)
    overrides: list[Slug] = Field(default_factory=list)
    refines: list[Refinement] = Field(default_factory=list)
    effective: RuleEffective | None = None
    unreported_terms: UnreportedTerms | None = None
    context: list[Slug] = Field(default_factory=list)
    note: Text | list[NotePart] = Field(min_length=1)

    def to_domain(self) -> domain.Rule:
        """The plain value."""
        parts = () if isinstance(self.note, str) else tuple(p.to_domain() for p in self.note)
        note = self.note if isinstance(self.note, str) else " ".join(p.text for p in parts)
        return domain.Rule(
            id=self.id,
            effect=self.effect,
            when=self.when.to_domain(),
            because=tuple(self.because),
            note=note,
            title=self.title,
            overrides=tuple(self.overrides),
            effective=self.effective.to_domain() if self.effective else None,
            refines=tuple(r.to_domain() for r in self.refines),
            unreported_terms=(
                self.unreported_terms.to_domain() if self.unreported_terms else None
            ),
            context=tuple(self.context),
            note_parts=parts,
        )


class RulesFile(Model):
    """A `rules/*.yaml` file."""

    rules: list[Rule]


UnreportedTerms.model_rebuild()
All.model_rebuild()
Any_.model_rebuild()
Not.model_rebuild()
