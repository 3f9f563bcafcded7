"""Sources: published documents and their archived text."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import StringConstraints

from claimrules import domain
from claimrules.model.base import IsoDate, Model, Slug, Text

Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class Archive(Model):
    """Where the archived text lives, its hash, and whether it is the full text or excerpts."""

    file: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    sha256: Sha256
    content: Literal["full", "excerpts"]

    def to_domain(self) -> domain.Archive:
        """The plain value."""
        return domain.Archive(self.file, self.sha256, self.content)


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
        )


class SourcesFile(Model):
    """The `sources.yaml` file."""

    sources: list[Source]
