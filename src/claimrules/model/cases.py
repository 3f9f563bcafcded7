"""Cases (tests of a ruleset) and scenarios (one question to evaluate)."""

from __future__ import annotations

from pydantic import Field, JsonValue

from claimrules.model.base import IsoDate, Model, Name, Slug, Text


class Scenario(Model):
    """One question: facts, and optionally a date of the policy, a knowledge date, sources."""

    facts: dict[str, JsonValue] = Field(default_factory=dict)
    as_of: IsoDate | None = None
    known_by: IsoDate | None = None
    sources: list[Slug] | None = None


class Expectation(Model):
    """What a case expects."""

    verdict: Name
    deciding_rules: list[Slug] | None = None
    missing_facts: list[Name] | None = None


class Case(Model):
    """A test case of a ruleset."""

    id: Slug
    description: Text | None = None
    facts: dict[str, JsonValue] = Field(default_factory=dict)
    as_of: IsoDate | None = None
    known_by: IsoDate | None = None
    sources: list[Slug] | None = None
    expect: Expectation


class CasesFile(Model):
    """A `cases/*.yaml` file."""

    cases: list[Case]
