"""Claims: verbatim statements found in a source."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, Strict, StringConstraints

from claimrules.model.base import IsoDate, Model, Slug, Text


class ClaimKind(StrEnum):
    """What a claim does in the reporting."""

    PROVISION = "provision"
    RATIONALE = "rationale"
    CONTEXT = "context"
    REACTION = "reaction"
    ASSESSMENT = "assessment"
    FORECAST = "forecast"


class Modality(StrEnum):
    """How firmly the source states the claim."""

    ASSERTED = "asserted"
    ATTRIBUTED = "attributed"
    HEDGED = "hedged"
    SPECULATIVE = "speculative"


class Attribution(Model):
    """Who the source says said it."""

    who: Text
    on_record: bool
    via: Text | None = None


class Period(Model):
    """A date range; either end may be open (null). Both ends are inclusive."""

    from_: IsoDate | None = Field(default=None, alias="from")
    until: IsoDate | None = None


class Claim(Model):
    """One statement found in a source, quoted verbatim."""

    id: Slug
    source: Slug
    quote: Annotated[str, StringConstraints(min_length=1, max_length=5_000)]
    kind: Annotated[ClaimKind, Strict(False)]
    modality: Annotated[Modality, Strict(False)]
    attributed_to: Attribution | None = None
    reported_on: IsoDate | None = None
    effective: Period | None = None
    tags: list[Slug] = Field(default_factory=list)
    note: Text | None = None


class ClaimsFile(Model):
    """A `claims/*.yaml` file."""

    claims: list[Claim]
