"""Sources: published documents and their archived text."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import StringConstraints, model_validator

from claimrules.load import domain
from claimrules.load.model.base import IsoDate, Model, Slug, Text

Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class Archive(Model):
    """Where the archived text lives, its hash, and whether it is the full text or excerpts."""

    file: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    sha256: Sha256
    content: Literal["full", "excerpts"]

    def to_domain(self) -> domain.Archive:
        """The plain value."""
        return domain.Archive(self.file, self.sha256, self.content)


class DateBound(Model):
    """A bound on an undated source's date and why it holds: `basis` says how it was read;
    `claim` names a dated claim it relies on."""

    date: IsoDate
    basis: Text
    claim: Slug | None = None

    def to_domain(self) -> domain.DateBound:
        """The plain value."""
        return domain.DateBound(self.date, self.basis, self.claim)


class Source(Model):
    """A published document."""

    id: Slug
    title: Text | None = None
    outlet: Text | None = None
    url: Text | None = None
    published: IsoDate | None = None
    retrieved: IsoDate | None = None
    archive: Archive
    note: Text | None = None
    not_before: DateBound | None = None
    not_after: DateBound | None = None

    @model_validator(mode="after")
    def _bounds(self) -> Source:
        if self.published is not None and (self.not_before or self.not_after):
            raise ValueError(
                "`not_before` / `not_after` bound an unknown date: a source with `published` "
                "needs none"
            )
        lo, hi = self.not_before, self.not_after
        if lo is not None and hi is not None and lo.date > hi.date:
            raise ValueError(f"`not_before` ({lo.date}) is after `not_after` ({hi.date})")
        return self

    def to_domain(self) -> domain.Source:
        """The plain value."""
        return domain.Source(
            id=self.id,
            archive=self.archive.to_domain(),
            title=self.title,
            outlet=self.outlet,
            url=self.url,
            published=self.published,
            retrieved=self.retrieved,
            note=self.note,
            not_before=self.not_before.to_domain() if self.not_before else None,
            not_after=self.not_after.to_domain() if self.not_after else None,
        )


class SourcesFile(Model):
    """The `sources.yaml` file."""

    sources: list[Source]
