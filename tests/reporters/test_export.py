"""JSON-LD export: schema.org Claims that a JSON-LD processor expands offline, each quote
anchored by Web Annotation selectors that resolve against the archived text."""

from __future__ import annotations

import json
import re

import pytest
from pyld import jsonld as pyld

from claimrules.reporters.export import CONTEXT_CHARS, agent_type, jsonld

SCHEMA = "https://schema.org/"
OA = "http://www.w3.org/ns/oa#"


def _no_network(url, options=None):
    raise AssertionError(f"the export made a JSON-LD processor fetch {url}")


OFFLINE = {"documentLoader": _no_network}


@pytest.fixture(scope="module")
def doc(shipped):
    return jsonld(shipped)


def _ws(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def _claims(doc):
    return [n for n in doc["@graph"] if n["@type"] == "Claim"]


def test_every_claim_is_exported_once_in_id_order(shipped, doc):
    ids = [n["identifier"] for n in _claims(doc)]
    assert ids == list(shipped.claims)
    assert json.loads(json.dumps(doc)) == doc  # plain JSON


def test_expands_offline_to_schema_org_and_web_annotation_terms(shipped, doc):
    expanded = pyld.expand(doc, OFFLINE)
    claims = [n for n in expanded if f"{SCHEMA}Claim" in n.get("@type", [])]
    assert len(claims) == len(shipped.claims)
    first = claims[0]
    assert f"{SCHEMA}text" in first and f"{SCHEMA}appearance" in first
    target = first[f"{OA}hasTarget"][0]
    assert f"{OA}SpecificResource" in target["@type"]
    types = {t for s in target[f"{OA}hasSelector"] for t in s["@type"]}
    assert types == {f"{OA}TextQuoteSelector", f"{OA}TextPositionSelector"}


def test_converts_offline_to_rdf(doc):
    nquads = pyld.to_rdf(doc, {**OFFLINE, "format": "application/n-quads"})
    assert f"<{OA}exact>" in nquads and f"<{OA}start>" in nquads
    assert f"<{SCHEMA}datePublished>" in nquads


def test_every_selector_resolves_against_the_archived_text(shipped, doc):
    for node in _claims(doc):
        record = shipped.claims[node["identifier"]]
        text = shipped.archives[record.claim.source]
        quote_sel, pos_sel = node["target"]["selector"]
        assert quote_sel["@type"] == "TextQuoteSelector"
        assert pos_sel["@type"] == "TextPositionSelector"
        start, end = pos_sel["start"], pos_sel["end"]
        assert (start, end) == (record.start, record.end)
        exact = quote_sel["exact"]
        assert _ws(text[start:end]) == _ws(exact) == _ws(record.claim.quote)
        prefix, suffix = quote_sel["prefix"], quote_sel["suffix"]
        assert prefix + exact + suffix in text
        assert len(prefix) == min(CONTEXT_CHARS, start)
        assert len(suffix) == min(CONTEXT_CHARS, len(text) - end)
        source = node["target"]["source"]
        assert source["sha256"] == record.source.archive.sha256
        assert source["name"] == record.source.archive.file


def test_appearance_is_the_article_and_omits_what_is_unknown(shipped, doc):
    for node in _claims(doc):
        source = shipped.claims[node["identifier"]].source
        article = node["appearance"]
        assert article["@type"] == "NewsArticle"
        assert article.get("url") == source.url
        assert article.get("headline") == source.title
        published = article.get("datePublished")
        assert published == (source.published.isoformat() if source.published else None)
        publisher = article.get("publisher")
        assert publisher == (
            {"@type": "Organization", "name": source.outlet} if source.outlet else None
        )
        assert None not in article.values()


def test_claim_date_and_author(shipped, doc):
    for node in _claims(doc):
        record = shipped.claims[node["identifier"]]
        expected = record.reported_on.isoformat() if record.reported_on else None
        assert node.get("datePublished") == expected
        a = record.claim.attributed_to
        author = node.get("author")
        if a is not None:
            assert author["name"] == a.who
            assert author["@type"] in ("Person", "Organization")
        elif record.source.outlet:
            assert author == {"@type": "Organization", "name": record.source.outlet}
        else:
            assert author is None


@pytest.mark.parametrize(
    ("who", "kind"),
    [
        ("Biden", "Person"),
        ("Jake Sullivan", "Person"),
        ("the White House", "Organization"),
        ("four US officials", "Person"),
        ("an informed source", "Person"),
        ("State Department spokesperson Miller", "Person"),
        ("U.S. Defense Department Deputy Press Secretary Sabrina Singh", "Person"),
        ("the US Department of State", "Organization"),
        ("Russia’s Defense Ministry", "Organization"),
        ("NATO allies", "Organization"),
        ("US media", "Organization"),
        ("the Ukrainian government", "Organization"),
        ("Ukrainian President Volodymyr Zelensky", "Person"),
    ],
)
def test_agent_type(who, kind):
    assert agent_type(who) == kind
