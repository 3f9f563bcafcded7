"""Claims: verbatim statements found in a source."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, Strict, StringConstraints

from claimrules.load import domain
from claimrules.load.domain import ClaimKind, Modality
from claimrules.load.model.base import IsoDate, Model, Slug, Text

__all__ = ["Attribution", "Claim", "ClaimKind", "ClaimsFile", "Modality", "Period"]


class Attribution(Model):
    """Who the source says said it."""

    who: Text
    on_record: bool
    via: Text | list[Text] | None = None

    def to_domain(self) -> domain.Attribution:
        """The plain value: `via` as a chain, nearest outlet first."""
        via = () if self.via is None else (self.via,) if isinstance(self.via, str) else self.via
        return domain.Attribution(self.who, self.on_record, tuple(via))


class Period(Model):
    """A date range; either end may be open (null). Both ends are inclusive."""

    from_: IsoDate | None = Field(default=None, alias="from")
    until: IsoDate | None = None

    def to_domain(self) -> domain.Period:
        """The plain value."""
        return domain.Period(self.from_, self.until)


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

    def to_domain(self) -> domain.Claim:
        """The plain value."""
        return domain.Claim(
            id=self.id,
            source=self.source,
            quote=self.quote,
            kind=self.kind,
            modality=self.modality,
            attributed_to=self.attributed_to.to_domain() if self.attributed_to else None,
            reported_on=self.reported_on,
            effective=self.effective.to_domain() if self.effective else None,
            tags=tuple(self.tags),
            note=self.note,
        )


class ClaimsFile(Model):
    """A `claims/*.yaml` file."""

    claims: list[Claim]
