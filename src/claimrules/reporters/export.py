"""Claims as linked data: schema.org `Claim` objects in JSON-LD, each quote anchored in its
archived text by W3C Web Annotation selectors.

Each claim becomes a schema.org `Claim` whose `text` is the quote, whose `appearance` is the
article it appears in (`NewsArticle`, with its publisher) and whose `author` is who the source
says said it (or the outlet, for the source's own voice). Its `target` (Web Annotation
`oa:hasTarget`) is a `SpecificResource` of the archived text with two selectors: a
`TextQuoteSelector` (exact text with 32 characters of context either side) and a
`TextPositionSelector` (the claim's character offsets in the archived text).

The `@context` is inline, so a JSON-LD processor expands the document without fetching
anything: `@vocab` is schema.org, and the few Web Annotation terms map to the `oa:` namespace
as in the W3C Web Annotation context (http://www.w3.org/ns/anno.jsonld).
"""

from __future__ import annotations

import re
from typing import Any

from claimrules.load.domain import Attribution, Source
from claimrules.load.ruleset import ClaimRecord, Ruleset

#: Characters of archived text kept either side of a quote in its TextQuoteSelector.
CONTEXT_CHARS = 32

SCHEMA_ORG = "https://schema.org/"
OA = "http://www.w3.org/ns/oa#"

#: The inline JSON-LD context: schema.org terms by `@vocab`, Web Annotation terms by name.
CONTEXT: dict[str, Any] = {
    "@vocab": SCHEMA_ORG,
    "schema": SCHEMA_ORG,
    "oa": OA,
    "target": {"@id": "oa:hasTarget"},
    "source": {"@id": "oa:hasSource"},
    "selector": {"@id": "oa:hasSelector", "@container": "@set"},
    "SpecificResource": "oa:SpecificResource",
    "TextQuoteSelector": "oa:TextQuoteSelector",
    "TextPositionSelector": "oa:TextPositionSelector",
    "exact": "oa:exact",
    "prefix": "oa:prefix",
    "suffix": "oa:suffix",
    "start": "oa:start",
    "end": "oa:end",
    "url": {"@id": "schema:url", "@type": "@id"},
    "isBasedOn": {"@id": "schema:isBasedOn", "@type": "@id"},
    "datePublished": {"@id": "schema:datePublished", "@type": "schema:Date"},
}

# Who-strings naming a person in a role (checked first: "State Department spokesperson Miller"
# is a person), then ones naming an organisation. Anything else is read as a person's name.
_PERSON_WORDS = re.compile(
    r"\b(president|secretary|spokes(?:person|man|woman)|adviser|advisor|officials?|person|"
    r"people|sources?|minister|leaders?|senator|general|ambassador|chancellor)\b",
    re.IGNORECASE,
)
_ORGANIZATION_WORDS = re.compile(
    r"\b(white house|ministry|department|government|media|allies|pentagon|kremlin|nato|"
    r"agency|agencies|office|administration|council|embassy|army|forces|command|union)\b",
    re.IGNORECASE,
)


def iri(ruleset: Ruleset, kind: str, ident: str) -> str:
    """A stable IRI for an entity of a ruleset: `urn:claimrules:<ruleset>:<kind>:<id>`."""
    return f"urn:claimrules:{ruleset.id}:{kind}:{ident}"


def agent_type(who: str) -> str:
    """`Person` or `Organization` for an attribution's `who`, by the words it uses.

    A heuristic (the files do not say): role words (president, spokesperson, official, source…)
    mean a person; organisation words (White House, ministry, department, government…) an
    organisation; a bare name is a person. Groups of people ("four US officials") stay `Person`.
    """
    if _PERSON_WORDS.search(who):
        return "Person"
    if _ORGANIZATION_WORDS.search(who):
        return "Organization"
    return "Person"


def _author(attribution: Attribution | None, source: Source) -> dict[str, Any] | None:
    if attribution is None:
        if source.outlet is None:
            return None
        return {"@type": "Organization", "name": source.outlet}
    node: dict[str, Any] = {"@type": agent_type(attribution.who), "name": attribution.who}
    notes = ["named on the record" if attribution.on_record else "not named by the source"]
    if attribution.via:
        notes.append(f"relayed via {attribution.via}")
    node["description"] = "; ".join(notes)
    return node


def appearance(source: Source) -> dict[str, Any]:
    """The article a claim appears in: a NewsArticle with url, headline, date and publisher
    (each omitted when the source does not give it)."""
    node: dict[str, Any] = {"@type": "NewsArticle", "identifier": source.id}
    if source.url:
        node["url"] = source.url
    if source.title:
        node["headline"] = source.title
    if source.published:
        node["datePublished"] = source.published.isoformat()
    if source.outlet:
        node["publisher"] = {"@type": "Organization", "name": source.outlet}
    return node


def selectors(text: str, start: int, end: int) -> list[dict[str, Any]]:
    """A TextQuoteSelector and a TextPositionSelector for `text[start:end]`."""
    return [
        {
            "@type": "TextQuoteSelector",
            "exact": text[start:end],
            "prefix": text[max(0, start - CONTEXT_CHARS) : start],
            "suffix": text[end : end + CONTEXT_CHARS],
        },
        {"@type": "TextPositionSelector", "start": start, "end": end},
    ]


def _archive(ruleset: Ruleset, source: Source) -> dict[str, Any]:
    node: dict[str, Any] = {
        "@id": iri(ruleset, "archive", source.id),
        "@type": "MediaObject",
        "name": source.archive.file,
        "encodingFormat": "text/plain",
        "sha256": source.archive.sha256,
        "description": (
            "the full text, as archived"
            if source.archive.content == "full"
            else "excerpts of the text, as archived"
        ),
    }
    if source.url:
        node["isBasedOn"] = source.url
    return node


def claim(ruleset: Ruleset, record: ClaimRecord) -> dict[str, Any]:
    """One claim as a schema.org Claim anchored in its archived text."""
    c = record.claim
    node: dict[str, Any] = {
        "@type": "Claim",
        "@id": iri(ruleset, "claim", c.id),
        "identifier": c.id,
        "text": c.quote,
        "genre": str(c.kind),
        "description": f"{c.modality}, as reported",
    }
    if c.tags:
        node["keywords"] = list(c.tags)
    author = _author(c.attributed_to, record.source)
    if author is not None:
        node["author"] = author
    if record.reported_on:
        node["datePublished"] = record.reported_on.isoformat()
    node["appearance"] = appearance(record.source)
    text = ruleset.archives.get(record.source.id)
    if text is not None and 0 <= record.start <= record.end <= len(text):
        node["target"] = {
            "@type": "SpecificResource",
            "source": _archive(ruleset, record.source),
            "selector": selectors(text, record.start, record.end),
        }
    return node


def jsonld(ruleset: Ruleset) -> dict[str, Any]:
    """Every claim of the ruleset as a schema.org `Claim`, in claim-id order, in the `@graph`
    of one JSON-LD document. Pure: reads only the loaded ruleset."""
    return {"@context": CONTEXT, "@graph": [claim(ruleset, r) for r in ruleset.claims.values()]}
