"""The published brief: Markdown and one self-contained HTML file, checked as text, for every
internal link, against the evaluator (the decision table), and in a headless browser."""

from __future__ import annotations

import hashlib
import itertools
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from browser.chromium import SKIP_REASON, dump_dom, find_browser, png_info, screenshot
from claimrules import evaluate, load_ruleset
from claimrules.authoring.scaffold import init_ruleset
from claimrules.engine.compile import compiled_ruleset
from claimrules.engine.decision import Verdict
from claimrules.load.model import ClaimKind
from claimrules.reporters import render_brief
from claimrules.reporters.brief import BRIEF_FORMATS, build_brief
from claimrules.reporters.escape import markdown as md
from claimrules.reporters.escape import safe_url

# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def brief(shipped):
    return build_brief(shipped)


@pytest.fixture(scope="module")
def html_text(shipped) -> str:
    return render_brief(shipped, "html")


@pytest.fixture(scope="module")
def md_text(shipped) -> str:
    return render_brief(shipped, "markdown")


HOSTILE = '<script>alert("x")</script> & *bold* [link](javascript:alert(1)) | `tick`'


@pytest.fixture
def hostile(tmp_path: Path):
    """A scaffolded ruleset whose title, outlet, URL, archive and quote carry markup."""
    root = tmp_path / "hostile"
    init_ruleset(root)
    quote = "Officials said <b>the named party</b> & *others* may act | `now`."
    archive = f"{HOSTILE}\n\n{quote}\n"
    (root / "archive" / "article.txt").write_text(archive, encoding="utf-8")
    sha = hashlib.sha256(archive.encode()).hexdigest()
    sources = (root / "sources.yaml").read_text(encoding="utf-8")
    sources = re.sub(r"sha256: [0-9a-f]{64}", f"sha256: {sha}", sources)
    sources = sources.replace("outlet: null", "outlet: '<img src=x onerror=alert(1)>'")
    sources = sources.replace("url: null", "url: 'javascript:alert(1)'")
    (root / "sources.yaml").write_text(sources, encoding="utf-8")
    claims = (root / "claims" / "article.yaml").read_text(encoding="utf-8")
    claims = re.sub(r'quote: ".*"', "quote: '" + quote.replace("'", "''") + "'", claims)
    (root / "claims" / "article.yaml").write_text(claims, encoding="utf-8")
    meta = (root / "ruleset.yaml").read_text(encoding="utf-8")
    meta = re.sub(r'title: ".*"', "title: '" + HOSTILE.replace("'", "''") + "'", meta)
    (root / "ruleset.yaml").write_text(meta, encoding="utf-8")
    return load_ruleset(root)


# --- HTML structure ---------------------------------------------------------------------------


class _Page(HTMLParser):
    """Collects ids, links, tags and attributes of an HTML document."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for k, v in attrs:
            self.attrs.append((tag, k, v))
            if k == "id" and v:
                self.ids.append(v)
            if k == "href" and v:
                self.hrefs.append(v)

    def handle_data(self, data):
        self.text.append(data)


def _parse(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    page.close()
    return page


def test_html_is_one_self_contained_page(html_text):
    page = _parse(html_text)
    assert html_text.startswith("<!doctype html>")
    assert ("meta", "name", "viewport") in page.attrs
    # nothing to fetch: no external scripts, styles, images, frames, fonts or imports
    assert not [a for a in page.attrs if a[1] == "src"]
    assert "link" not in page.tags and "iframe" not in page.tags and "img" not in page.tags
    assert "@import" not in html_text and "url(" not in html_text
    assert all(h.startswith(("#", "https://", "http://")) for h in page.hrefs)


def test_html_ids_are_unique_and_every_internal_link_resolves(html_text):
    page = _parse(html_text)
    assert len(page.ids) == len(set(page.ids))
    missing = {h for h in page.hrefs if h.startswith("#") and h[1:] not in set(page.ids)}
    assert not missing


def test_html_anchors_every_claim_rule_and_source(shipped, html_text):
    ids = set(_parse(html_text).ids)
    assert {f"claim-{c}" for c in shipped.claims} <= ids
    assert {f"rule-{r.id}" for r in shipped.rules} <= ids
    assert {f"source-{s}" for s in shipped.sources} <= ids
    assert {"provisions", "timeline", "disagreements", "unaddressed", "table", "sources"} <= ids


def test_html_links_each_source_url_and_says_as_reported(shipped, html_text):
    hrefs = set(_parse(html_text).hrefs)
    for s in shipped.sources.values():
        if s.url:
            assert s.url in hrefs, s.id
    assert html_text.count("as reported") + html_text.count("As reported") >= 3
    assert "no URL recorded" in html_text  # the founding article has no URL


def test_html_quotes_every_provision_with_its_source(shipped, html_text):
    provisions = [r for r in shipped.claims.values() if r.claim.kind is ClaimKind.PROVISION]
    assert provisions
    section = html_text[html_text.index('id="provisions"') : html_text.index('id="timeline"')]
    for r in provisions:
        assert f'id="claim-{r.id}"' in section
        words = " ".join(r.claim.quote.split()[:6])
        assert _unescape(words) in _unescape(section), r.id


def _unescape(s: str) -> str:
    import html

    return " ".join(html.unescape(s).split())


def test_timeline_places_dated_claims_and_lists_undated_apart(shipped, brief, html_text):
    dated = [r for r in shipped.claims.values() if r.reported_on]
    undated = [r for r in shipped.claims.values() if r.reported_on is None]
    assert sum(len(rs) for _, rs in brief.dated) == len(dated)
    assert len(brief.undated) == len(undated)
    chart = html_text[html_text.index('class="tl"') : html_text.index('class="axis"')]
    assert chart.count('class="dot') == len(dated)
    for month in ("May", "Jun", "Aug", "Nov"):
        assert f">{month}<" in html_text
    undated_block = html_text[html_text.index('id="undated"') :]
    for r in undated:
        assert f'href="#claim-{r.id}"' in undated_block


@pytest.mark.parametrize("fmt", BRIEF_FORMATS)
def test_brief_escapes_user_data(hostile, fmt):
    out = render_brief(hostile, fmt)
    for raw in ("<script>alert", "<img", "<b>the named party</b>"):
        assert not re.search(r"(?<!\\)" + re.escape(raw), out), raw
    if fmt == "html":
        page = _parse(out)
        assert not [h for h in page.hrefs if not h.startswith(("#", "http"))]
        assert "&lt;script&gt;" in out and "&lt;img src=x" in out
        # the print helper, and the claims as JSON-LD (escaped: no ruleset string closes it)
        assert page.tags.count("script") == 2
        assert "no URL recorded" in out  # a javascript: URL is shown as no link at all
    else:
        assert r"\<script\>" in out
        assert not re.search(r"(?<!\\)\]\(javascript", out)  # no live link
        assert not re.search(r"\]\((?!#|https?://)", out.replace("\\](", ""))


def test_unknown_format_is_refused(shipped):
    with pytest.raises(ValueError, match="unknown brief format"):
        render_brief(shipped, "pdf")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/a", "https://example.org/a"),
        ("http://example.org/a", "http://example.org/a"),
        ("javascript:alert(1)", None),
        ("JAVASCRIPT:alert(1)", None),
        ("data:text/html,x", None),
        ("//example.org", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_url(url, expected):
    assert safe_url(url) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain words", "plain words"),
        ("*bold* and _under_", r"\*bold\* and \_under\_"),
        ("a | b", r"a \| b"),
        ("<b>x</b> & y", r"\<b\>x\</b\> &amp; y"),
        ("# not a heading", r"\# not a heading"),
        ("- not a list", r"\- not a list"),
        ("line\nbreak", "line break"),
    ],
)
def test_markdown_escaping(text, expected):
    assert md(text) == expected


# --- Markdown -------------------------------------------------------------------------------


def test_markdown_sections_and_internal_links(shipped, md_text):
    for heading in (
        "## The policy as reported",
        "## Timeline of the reporting",
        "## Where the sources disagree",
        "## What the reporting leaves unaddressed",
        "## Decision table",
        "## Sources",
    ):
        assert f"\n{heading}\n" in md_text
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', md_text))
    assert {f"claim-{c}" for c in shipped.claims} <= anchors
    links = set(re.findall(r"\]\(#([^)]+)\)", md_text))
    assert links <= anchors
    assert "**As reported.**" in md_text
    assert md_text.endswith("\n") and not md_text.endswith("\n\n")


def test_markdown_is_deterministic(shipped, md_text):
    assert render_brief(shipped, "markdown") == md_text


# --- the decision table and regions agree with the evaluator ------------------------------------


def _completions(ruleset):
    domains = compiled_ruleset(ruleset).domains
    names = list(ruleset.facts)
    for values in itertools.product(*(domains[n] for n in names)):
        yield dict(zip(names, values, strict=True))


def _dates(when) -> list[date | None]:
    """One as_of inside each span a region holds at (None for the no-date view)."""
    out: list[date | None] = [s.start or s.until or date(2024, 1, 1) for s in when.spans]
    return [*out, None] if when.unset else out


def test_table_rows_agree_with_the_evaluator(shipped, brief):
    table = brief.table
    assert table.complete and table.as_of is None and table.known_by is None
    for facts in _completions(shipped):
        rows = table.lookup(facts)
        assert rows, facts
        decision = evaluate(shipped, facts, explain=False)
        for row in rows:
            assert row.verdict == decision.verdict, facts
            assert set(row.deciding_rules) == set(decision.deciding_rules), facts


def test_disagreements_are_contested_at_their_dates(shipped, brief):
    assert brief.disagreements, "the shipped reporting has contested cases"
    completions = list(_completions(shipped))
    for d in brief.disagreements:
        assert d.permit.effect == "permit" and d.prohibit.effect == "prohibit"
        for region in d.regions:
            inside = [f for f in completions if region.matches(f)]
            assert inside
            for as_of in _dates(region.when):
                for facts in inside[:50]:
                    decision = evaluate(shipped, facts, as_of=as_of, explain=False)
                    assert decision.verdict is Verdict.CONTESTED, (facts, as_of)
                    assert {d.permit.id, d.prohibit.id} <= set(decision.deciding_rules)


GAP_FACTS = """  - name: scope
    type: enum
    values: [a, b, c]
    description: Which part of the policy.
    question: Which part?
  - name: flagged
    type: bool
    description: Whether it is flagged.
    question: Is it flagged?
"""

GAP_RULES = """rules:
  - id: article-permit
    effect: permit
    when: {all: [{fact: actor, is: named_party}, {fact: scope, is: a}]}
    because: [article-permission]
    note: part a is allowed.
  - id: flagged-bar
    effect: prohibit
    when: {all: [{fact: actor, is: named_party}, {fact: flagged, is: true}]}
    because: [article-permission]
    note: flagged cases are barred.
"""


@pytest.fixture
def with_gap(tmp_path: Path):
    """A small ruleset whose rules leave part of their subject unaddressed."""
    root = tmp_path / "gap"
    init_ruleset(root)
    meta = root / "ruleset.yaml"
    meta.write_text(meta.read_text(encoding="utf-8") + GAP_FACTS, encoding="utf-8")
    (root / "rules" / "article.yaml").write_text(GAP_RULES, encoding="utf-8")
    return load_ruleset(root)


@pytest.mark.parametrize("fmt", BRIEF_FORMATS)
def test_gaps_within_the_subject_are_listed(with_gap, fmt):
    brief = build_brief(with_gap)
    assert brief.gaps and brief.disagreements  # part a flagged: permitted and barred
    for region in brief.gaps:
        for facts in _completions(with_gap):
            if region.matches(facts):
                assert evaluate(with_gap, facts).verdict is Verdict.NOT_ADDRESSED
    out = render_brief(with_gap, fmt)
    assert "Within it, no rule applies in these cases" in out
    assert "the party the reporting names" in out  # the subject, in the vocabulary's labels


# --- in a browser -------------------------------------------------------------------------------


def test_html_in_headless_chromium_on_a_phone(html_text, tmp_path):
    browser = find_browser()
    if browser is None:
        pytest.skip(SKIP_REASON)
    page = tmp_path / "brief.html"
    page.write_text(html_text, encoding="utf-8")
    dom = dump_dom(browser, page, tmp_path / "profile")
    assert "<title>US-supplied weapons against targets inside Russia" in dom
    for needle in (
        'id="provisions"',
        'id="timeline"',
        'class="tl"',
        'class="card contested"',
        'id="disagreement-1"',
        "<table>",
        'class="v contested"',
        'class="v permitted"',
        'id="unaddressed"',
        "As reported.",
    ):
        assert needle in dom, needle
    shot = screenshot(browser, page, tmp_path / "shot.png", tmp_path / "profile")
    data = shot.read_bytes()
    width, height, distinct = png_info(data)
    assert (width, height) == (390, 844)
    assert len(data) > 20_000 and distinct > 50  # a blank page is ~3 kB with a few values
