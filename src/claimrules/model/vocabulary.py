"""The fact vocabulary: the scenario space a ruleset declares."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import Field, Strict, model_validator

from claimrules.model.base import Model, Name, Slug, Text

FactValue = str | bool | int | float | date


class FactType(StrEnum):
    """The type of a fact."""

    ENUM = "enum"
    BOOL = "bool"
    DATE = "date"
    NUMBER = "number"


class EnumValue(Model):
    """One allowed value of an enum fact, with an optional human label."""

    value: Name
    label: Text | None = None


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

    @model_validator(mode="after")
    def _values_match_type(self) -> Fact:
        if self.type is FactType.ENUM:
            if not self.values:
                raise ValueError("an enum fact needs a non-empty `values` list")
            names = self.value_names()
            if len(set(names)) != len(names):
                raise ValueError("enum `values` must be distinct")
        elif self.values is not None:
            raise ValueError(f"`values` is only for enum facts, not `{self.type}`")
        return self

    def value_names(self) -> list[str]:
        """The enum's values in declared order (empty for other types)."""
        return [v if isinstance(v, str) else v.value for v in self.values or ()]

    def label(self, value: str) -> str | None:
        """The label of an enum value, if any."""
        for v in self.values or ():
            if isinstance(v, EnumValue) and v.value == value:
                return v.label
        return None


class RulesetMeta(Model):
    """The `ruleset.yaml` file: metadata and vocabulary."""

    id: Slug
    title: Text
    description: Text | None = None
    version: str | None = None
    facts: list[Fact]
