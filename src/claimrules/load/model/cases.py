"""Cases (tests of a ruleset) and scenarios (one question to evaluate)."""

from __future__ import annotations

from pydantic import Field, JsonValue

from claimrules.load import domain
from claimrules.load.model.base import IsoDate, Model, Name, Slug, Text


class Scenario(Model):
    """One question: facts, and optionally a date of the policy, a knowledge date, sources."""

    facts: dict[str, JsonValue] = Field(default_factory=dict)
    as_of: IsoDate | None = None
    known_by: IsoDate | None = None
    sources: list[Slug] | None = None
    speakers: list[Text] | None = None


class Expectation(Model):
    """What a case expects."""

    verdict: Name
    deciding_rules: list[Slug] | None = None
    missing_facts: list[Name] | None = None
    support: Name | None = None

    def to_domain(self) -> domain.Expectation:
        """The plain value."""
        return domain.Expectation(
            self.verdict,
            tuple(self.deciding_rules) if self.deciding_rules is not None else None,
            tuple(self.missing_facts) if self.missing_facts is not None else None,
            self.support,
        )


class Case(Model):
    """A test case of a ruleset."""

    id: Slug
    description: Text | None = None
    facts: dict[str, JsonValue] = Field(default_factory=dict)
    as_of: IsoDate | None = None
    known_by: IsoDate | None = None
    sources: list[Slug] | None = None
    speakers: list[Text] | None = None
    expect: Expectation

    def to_domain(self) -> domain.Case:
        """The plain value."""
        return domain.Case(
            id=self.id,
            expect=self.expect.to_domain(),
            facts=dict(self.facts),
            description=self.description,
            as_of=self.as_of,
            known_by=self.known_by,
            sources=tuple(self.sources) if self.sources is not None else None,
            speakers=tuple(self.speakers) if self.speakers is not None else None,
        )


class CasesFile(Model):
    """A `cases/*.yaml` file."""

    cases: list[Case]
