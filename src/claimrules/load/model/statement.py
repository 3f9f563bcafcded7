"""The statement file `claimrules review` reads: a public statement about the policy, the
scenario it describes, and the verdict it asserts."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, JsonValue

from claimrules.load.model.base import IsoDate, Model, Slug, Text

#: The verdicts a statement may assert.
AssertedVerdict = Literal["permitted", "prohibited", "contested", "not_addressed"]


class ReviewInfo(Model):
    """Who publishes the review, where, and when (the ClaimReview's author, url,
    datePublished); command-line options override them."""

    author: Text | None = None
    url: Text | None = None
    date_published: IsoDate | None = None


class Statement(Model):
    """A public statement checked against the reported policy."""

    statement: Text
    said_by: Text
    said_by_type: Literal["Person", "Organization"] = "Person"
    said_on: IsoDate
    url: Text
    facts: dict[str, JsonValue] = Field(default_factory=dict)
    as_of: IsoDate | None = None
    known_by: IsoDate | None = None
    sources: list[Slug] | None = None
    speakers: list[Text] | None = None
    asserts: AssertedVerdict
    review: ReviewInfo | None = None
