"""Reviewing a public statement against the reported policy: the statement's scenario is
evaluated like `eval`, and the verdict it asserts is rated against the verdict the reporting
gives. Pure: no I/O and no clock (the review's date comes from the statement file or the
command line).

Ratings (defined in README, "Review a public statement"): accurate (the reporting gives the
verdict asserted) · inaccurate (it gives another determinate verdict) · disputed (the sources
disagree and the statement asserts one side) · not supported by the reporting (the reporting
does not address the case) · cannot be determined (the answer depends on facts the statement
leaves out, or on what the reporting leaves open).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from claimrules.engine.decision import Decision, Verdict
from claimrules.load.model.statement import Statement
from claimrules.load.ruleset import Ruleset
from claimrules.reporters.export import CONTEXT, appearance, iri


class Rating(StrEnum):
    """How a statement fares against the reporting."""

    ACCURATE = "accurate"
    INACCURATE = "inaccurate"
    DISPUTED = "disputed"
    NOT_SUPPORTED = "not supported by the reporting"
    CANNOT_BE_DETERMINED = "cannot be determined"


#: What each rating means, as the README defines it (shown with every review).
DEFINITIONS: dict[Rating, str] = {
    Rating.ACCURATE: "the reporting gives the verdict the statement asserts",
    Rating.INACCURATE: "the reporting gives a different verdict from the one the statement "
    "asserts",
    Rating.DISPUTED: "the sources disagree on this case, and the statement asserts one side",
    Rating.NOT_SUPPORTED: "the reporting does not address the case the statement describes",
    Rating.CANNOT_BE_DETERMINED: "the answer depends on facts the statement leaves out or on "
    "what the reporting leaves open",
}

#: The ClaimReview rating scale: 5 best (accurate) to 1 worst (inaccurate). "cannot be
#: determined" is not a point on the scale and carries only its name (`alternateName`).
SCALE: dict[Rating, int | None] = {
    Rating.ACCURATE: 5,
    Rating.DISPUTED: 3,
    Rating.NOT_SUPPORTED: 2,
    Rating.INACCURATE: 1,
    Rating.CANNOT_BE_DETERMINED: None,
}
BEST, WORST = 5, 1


def rate(asserted: str, verdict: Verdict) -> Rating:
    """The rating of a statement asserting `asserted` where the reporting gives `verdict`."""
    if verdict is Verdict.INDETERMINATE:
        return Rating.CANNOT_BE_DETERMINED
    if asserted == str(verdict):
        return Rating.ACCURATE
    if verdict is Verdict.CONTESTED:
        return Rating.DISPUTED
    if verdict is Verdict.NOT_ADDRESSED:
        return Rating.NOT_SUPPORTED
    return Rating.INACCURATE


@dataclass(frozen=True)
class Publication:
    """Who publishes the review, where and when: the ClaimReview's author, url and
    datePublished (None where not given)."""

    author: str | None = None
    url: str | None = None
    date_published: date | None = None


@dataclass(frozen=True)
class Review:
    """A statement, the decision for its scenario, and its rating."""

    statement: Statement
    decision: Decision
    rating: Rating
    publication: Publication

    @property
    def definition(self) -> str:
        """What the rating means."""
        return DEFINITIONS[self.rating]


def review(statement: Statement, decision: Decision, publication: Publication) -> Review:
    """Rate a statement given the decision for its scenario."""
    return Review(statement, decision, rate(statement.asserts, decision.verdict), publication)


def missing_for_jsonld(publication: Publication) -> list[str]:
    """What a ClaimReview needs that the publication lacks (the fact-check markup's required
    `url`, and the author and date aggregators expect)."""
    return [
        name for name, value in (("author", publication.author), ("url", publication.url),
                                 ("date_published", publication.date_published))
        if value is None
    ]


def _http(url: str | None) -> str | None:
    return url if url and url.lower().startswith(("http://", "https://")) else None


def review_body(r: Review) -> str:
    """One paragraph saying what the reporting gives and why, quoting the deciding claims."""
    d = r.decision
    words = str(d.verdict).replace("_", " ")
    text = (f"As reported, the case the statement describes is {words}; the statement says "
            f"{r.statement.asserts.replace('_', ' ')}. Rated {r.rating}: {r.definition}.")
    quotes = [f"{c.outlet or c.source}: “{c.quote}”" for c in d.claims]
    if quotes:
        text += " The reporting: " + " ".join(quotes)
    if d.missing_facts:
        text += " It depends on: " + ", ".join(d.missing_facts) + "."
    return text


def claim_review(r: Review, ruleset: Ruleset) -> dict[str, Any]:
    """The schema.org ClaimReview of a review (JSON-LD with an inline context, so it expands
    without fetching anything): claimReviewed, reviewRating, itemReviewed (a Claim with its
    author and appearance), author, datePublished, url, and the sources cited."""
    s, p, d = r.statement, r.publication, r.decision
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": str(r.rating),
                              "description": r.definition}
    value = SCALE[r.rating]
    if value is not None:
        rating.update(ratingValue=value, bestRating=BEST, worstRating=WORST)
    statement_url = _http(s.url)
    item: dict[str, Any] = {
        "@type": "Claim",
        "author": {"@type": s.said_by_type, "name": s.said_by},
        "datePublished": s.said_on.isoformat(),
        "text": s.statement,
    }
    if statement_url:
        item["appearance"] = {"@type": "CreativeWork", "url": statement_url}
        item["firstAppearance"] = {"@type": "CreativeWork", "url": statement_url}
    cited: dict[str, dict[str, Any]] = {}
    for c in d.claims:
        if c.source not in cited:
            cited[c.source] = appearance(ruleset.sources[c.source])
    node: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "ClaimReview",
        "claimReviewed": s.statement,
        "reviewRating": rating,
        "itemReviewed": item,
        "reviewBody": review_body(r),
        "isBasedOn": iri(ruleset, "ruleset", ruleset.id),
        "citation": list(cited.values()),
    }
    if p.author:
        node["author"] = {"@type": "Organization", "name": p.author}
    if p.date_published:
        node["datePublished"] = p.date_published.isoformat()
    if _http(p.url):
        node["url"] = p.url
    return node


def read_statement(text: str, file: str) -> tuple[Statement, Any]:
    """Parse and validate a statement file (YAML or JSON): (the statement, its parsed
    document, for positions). Raises LoadError with `file:line:col` diagnostics."""
    from pydantic import ValidationError  # noqa: PLC0415

    from claimrules.diagnostics import Diagnostic, LoadError, Span  # noqa: PLC0415
    from claimrules.load.loader import shape_diagnostics  # noqa: PLC0415
    from claimrules.load.yamlsafe import parse_yaml  # noqa: PLC0415

    doc = parse_yaml(text, file)
    if not isinstance(doc.data, dict):
        raise LoadError([Diagnostic(
            "schema-top-level", "expected a mapping with `statement:`, `asserts:` and `facts:`",
            Span(file, 1, 1), help="see `claimrules schema statement`",
        )])
    try:
        return Statement.model_validate(doc.data), doc
    except ValidationError as exc:
        raise LoadError(shape_diagnostics(exc, doc, doc.data, (), Statement)) from None
