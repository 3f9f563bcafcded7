"""The fact vocabulary: the scenario space a ruleset declares."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, Strict, model_validator

from claimrules.load import domain
from claimrules.load.domain import FactType, FactValue
from claimrules.load.model.base import Model, Name, Slug, Text
from claimrules.load.model.rules import Condition

__all__ = ["Constraint", "EnumValue", "Fact", "FactType", "FactValue", "RulesetMeta"]


class EnumValue(Model):
    """One allowed value of an enum fact, with an optional human label."""

    value: Name
    label: Text | None = None

    def to_domain(self) -> domain.EnumValue:
        """The plain value."""
        return domain.EnumValue(self.value, self.label)


class Fact(Model):
    """One fact a scenario may state."""

    name: Name
    type: Annotated[FactType, Strict(False)]
    values: list[Name | EnumValue] | None = None
    description: Text
    question: Text
    unit: Text | None = None
    minimum: int | float | None = None
    maximum: int | float | None = None
    motivated_by: list[Slug] = Field(default_factory=list)
    scenario_only: bool = False

    @model_validator(mode="after")
    def _values_match_type(self) -> Fact:
        if self.type is FactType.ENUM:
            if not self.values:
                raise ValueError("an enum fact needs a non-empty `values` list")
            names = domain.value_names(self.values)
            if len(set(names)) != len(names):
                raise ValueError("enum `values` must be distinct")
        elif self.values is not None:
            raise ValueError(f"`values` is only for enum facts, not `{self.type}`")
        return self

    def to_domain(self) -> domain.Fact:
        """The plain value."""
        values = None
        if self.values is not None:
            values = tuple(v if isinstance(v, str) else v.to_domain() for v in self.values)
        return domain.Fact(
            name=self.name,
            type=self.type,
            description=self.description,
            question=self.question,
            values=values,
            unit=self.unit,
            minimum=self.minimum,
            maximum=self.maximum,
            motivated_by=tuple(self.motivated_by),
            scenario_only=self.scenario_only,
        )


class Disagreement(Model):
    """A disagreement between rules that the author has seen and acknowledges."""

    rules: list[Slug] = Field(min_length=2)
    note: Text

    def to_domain(self) -> domain.Disagreement:
        """The plain value (rules sorted: a disagreement has no order)."""
        return domain.Disagreement(tuple(sorted(set(self.rules))), self.note)
class Constraint(Model):
    """Facts that know each other: whenever `when` holds, `then` must hold too."""

    id: Slug
    when: Condition
    then: Condition
    note: Text

    def to_domain(self) -> domain.Constraint:
        """The plain value."""
        return domain.Constraint(self.id, self.when.to_domain(), self.then.to_domain(),
                                 self.note)


class RulesetMeta(Model):
    """The `ruleset.yaml` file: metadata and vocabulary."""

    id: Slug
    title: Text
    description: Text | None = None
    version: str | None = None
    facts: list[Fact]
    disagreements: list[Disagreement] = Field(default_factory=list)
    constraints: list[Constraint] = Field(default_factory=list)

    def to_domain(self) -> domain.RulesetMeta:
        """The plain value."""
        return domain.RulesetMeta(
            id=self.id,
            title=self.title,
            facts=tuple(f.to_domain() for f in self.facts),
            description=self.description,
            version=self.version,
            disagreements=tuple(d.to_domain() for d in self.disagreements),
            constraints=tuple(c.to_domain() for c in self.constraints),
        )
