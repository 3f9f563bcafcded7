"""A brief a journalist can publish: the policy as reported, the timeline of the reporting,
where the sources disagree, what the reporting leaves unaddressed, and the decision table.

`build_brief` gathers everything a brief says into typed values (no strings); `render_brief`
renders it as Markdown (here) or as one self-contained HTML file (`reporters.html`). Every
quoted statement carries an anchor (`claim-<id>`) and links to its source's URL when the
source has one. User data is escaped in both formats.

The whole-space sweep behind the last three sections is the evaluator's own exploration of
every completion of the facts (`evaluator.explore`), with every rule in force (no date, no
knowledge date, all sources): its leaves are boxes of the fact space with one verdict each,
merged here into as few boxes as possible for reading.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal
from urllib.parse import urlsplit

from claimrules.compile import CompiledRuleset, cite, iter_tests, operand_value
from claimrules.decision import Verdict
from claimrules.evaluator import build_context, explore
from claimrules.model import ClaimKind, Effect, Fact, FactType, Rule, Source
from claimrules.model.vocabulary import FactValue
from claimrules.reporters.text import (
    attribution_text,
    dates_text,
    quote_text,
    value_label,
    value_text,
    verdict_name,
)
from claimrules.ruleset import ClaimRecord, Ruleset

BriefFormat = Literal["markdown", "html"]

#: The formats `render_brief` knows.
BRIEF_FORMATS: tuple[BriefFormat, ...] = ("markdown", "html")

#: The line every brief carries, in both formats.
AS_REPORTED = (
    "This brief describes what the cited public reporting says, as reported. It is not legal "
    "advice and not an operational aid: it takes no coordinates, unit names or intelligence, "
    "and it ranks, selects or recommends nothing. Every statement links to the claim that "
    "supports it and to its source."
)

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


# --- the brief as values ------------------------------------------------------------------


@dataclass(frozen=True)
class Region:
    """A box of the fact space: each listed fact restricted to the listed values; facts not
    listed may take any value. Facts are in the vocabulary's declared order."""

    facts: tuple[tuple[str, tuple[FactValue, ...]], ...]


@dataclass(frozen=True)
class TableRow:
    """One row of the decision table: a region, its verdict and the rules deciding it."""

    region: Region
    verdict: Verdict
    rules: tuple[str, ...]


@dataclass(frozen=True)
class Disagreement:
    """A permit rule and a prohibit rule that both apply, neither overriding the other, in
    these regions: the sources they rest on disagree there."""

    permit: Rule
    prohibit: Rule
    regions: tuple[Region, ...]


@dataclass(frozen=True)
class SourceGroup:
    """A source and its claims of one kind, in the order they appear in the archived text."""

    source: Source
    claims: tuple[ClaimRecord, ...]


@dataclass(frozen=True)
class Brief:
    """Everything a brief says, as values; reporters only turn it into text."""

    ruleset: Ruleset
    provisions: tuple[SourceGroup, ...]  # claims of kind provision, grouped by source
    others: tuple[SourceGroup, ...]  # every other claim, grouped by source
    dated: tuple[tuple[date, tuple[ClaimRecord, ...]], ...]  # the timeline, by reported date
    undated: tuple[ClaimRecord, ...]  # claims with no date, listed apart
    disagreements: tuple[Disagreement, ...]
    not_addressed: tuple[Region, ...]
    table: tuple[TableRow, ...]
    complete: bool  # False when the sweep hit the evaluator's leaf limit
    rules_citing: Mapping[str, tuple[str, ...]]  # claim id -> ids of the rules resting on it
    thresholds: Mapping[str, tuple[FactValue, ...]]  # number/date fact -> the rules' cut points


# --- building it --------------------------------------------------------------------------


def _source_order(ruleset: Ruleset) -> list[Source]:
    """Sources by date (published, else their earliest dated claim), undated last, then id."""
    first: dict[str, date] = {}
    for r in ruleset.claims.values():
        if r.reported_on is not None:
            sid = r.claim.source
            first[sid] = min(first.get(sid, r.reported_on), r.reported_on)

    def key(s: Source) -> tuple[int, date, str]:
        d = s.published or first.get(s.id)
        return (0, d, s.id) if d else (1, date.min, s.id)

    return sorted(ruleset.sources.values(), key=key)


def _groups(ruleset: Ruleset, records: Iterable[ClaimRecord]) -> tuple[SourceGroup, ...]:
    by_source: dict[str, list[ClaimRecord]] = {}
    for r in records:
        by_source.setdefault(r.claim.source, []).append(r)
    return tuple(
        SourceGroup(s, tuple(sorted(by_source[s.id], key=lambda r: (r.start, r.id))))
        for s in _source_order(ruleset)
        if s.id in by_source
    )


def _timeline(
    ruleset: Ruleset,
) -> tuple[tuple[tuple[date, tuple[ClaimRecord, ...]], ...], tuple[ClaimRecord, ...]]:
    order = {s.id: i for i, s in enumerate(_source_order(ruleset))}
    dated: dict[date, list[ClaimRecord]] = {}
    undated: list[ClaimRecord] = []
    for r in ruleset.claims.values():
        if r.reported_on is None:
            undated.append(r)
        else:
            dated.setdefault(r.reported_on, []).append(r)

    def key(r: ClaimRecord) -> tuple[int, int, str]:
        return (order[r.claim.source], r.start, r.id)

    return (
        tuple((d, tuple(sorted(dated[d], key=key))) for d in sorted(dated)),
        tuple(sorted(undated, key=key)),
    )


Box = dict[str, frozenset[FactValue]]


def _merge(boxes: list[Box], domains: Mapping[str, tuple[FactValue, ...]]) -> list[Box]:
    """Merge disjoint boxes that differ in one fact only, until none do; a fact whose values
    cover its whole domain is dropped (any value). The union of the boxes is unchanged."""
    boxes = [dict(b) for b in boxes]
    changed = True
    while changed:
        changed = False
        for name in domains:
            groups: dict[tuple[object, ...], Box] = {}
            order: list[tuple[object, ...]] = []
            for b in boxes:
                rest = tuple(sorted((k, tuple(sorted(map(repr, v)))) for k, v in b.items()
                                    if k != name))
                key = (name in b, rest)
                if key in groups and name in b:
                    groups[key][name] = groups[key][name] | b[name]
                    changed = True
                elif key in groups:  # two boxes equal except both leave `name` open: dupes
                    changed = True
                else:
                    groups[key] = dict(b)
                    order.append(key)
            boxes = [groups[k] for k in order]
            for b in boxes:
                if name in b and len(b[name]) == len(domains[name]):
                    del b[name]
    return boxes


def _region(box: Box, compiled: CompiledRuleset) -> Region:
    domains = compiled.domains
    return Region(
        tuple(
            (name, tuple(v for v in domains[name] if v in box[name]))
            for name in compiled.fact_order
            if name in box
        )
    )


def _thresholds(ruleset: Ruleset) -> dict[str, tuple[FactValue, ...]]:
    points: dict[str, set[FactValue]] = {}
    for rule in ruleset.rules:
        for t in iter_tests(rule.when):
            fact = ruleset.facts.get(t.fact)
            if fact is None or fact.type not in (FactType.NUMBER, FactType.DATE):
                continue
            v = operand_value(t, fact)
            for x in v if isinstance(v, list) else [v]:
                points.setdefault(t.fact, set()).add(x)  # type: ignore[arg-type]
    return {k: tuple(sorted(v)) for k, v in points.items()}  # type: ignore[type-var]


def build_brief(ruleset: Ruleset) -> Brief:
    """Gather what a brief says about a ruleset. Pure: no I/O, no clock."""
    compiled = ruleset.compiled()
    ctx = build_context(compiled, None, None, None)
    leaves, complete = explore(compiled, ctx.active, {})
    rules = {r.id: r for r in ruleset.rules}

    rows: dict[tuple[Verdict, tuple[str, ...]], list[Box]] = {}
    pairs: dict[tuple[str, str], list[Box]] = {}
    gaps: list[Box] = []
    for leaf in leaves:
        box: Box = {k: frozenset([v]) for k, v in leaf.assigned}
        ids = tuple(sorted(r.id for r in leaf.standing))
        rows.setdefault((leaf.verdict, ids), []).append(box)
        if leaf.verdict is Verdict.CONTESTED:
            permits = sorted(r.id for r in leaf.standing if r.permit)
            prohibits = sorted(r.id for r in leaf.standing if not r.permit)
            for p in permits:
                for q in prohibits:
                    pairs.setdefault((p, q), []).append(box)
        elif leaf.verdict is Verdict.NOT_ADDRESSED:
            gaps.append(box)

    def regions(boxes: list[Box]) -> tuple[Region, ...]:
        return tuple(_region(b, compiled) for b in _merge(boxes, compiled.domains))

    table = tuple(
        TableRow(region, verdict, ids)
        for (verdict, ids), boxes in rows.items()
        for region in regions(boxes)
    )
    disagreements = tuple(
        Disagreement(rules[p], rules[q], regions(boxes)) for (p, q), boxes in sorted(pairs.items())
    )
    citing: dict[str, list[str]] = {}
    for rule in ruleset.rules:
        for cid in rule.because:
            citing.setdefault(cid, []).append(rule.id)
    provisions = [r for r in ruleset.claims.values() if r.claim.kind is ClaimKind.PROVISION]
    others = [r for r in ruleset.claims.values() if r.claim.kind is not ClaimKind.PROVISION]
    dated, undated = _timeline(ruleset)
    return Brief(
        ruleset=ruleset,
        provisions=_groups(ruleset, provisions),
        others=_groups(ruleset, others),
        dated=dated,
        undated=undated,
        disagreements=disagreements,
        not_addressed=regions(gaps),
        table=table,
        complete=complete,
        rules_citing={k: tuple(sorted(v)) for k, v in citing.items()},
        thresholds=_thresholds(ruleset),
    )


# --- phrasing shared with the HTML reporter -----------------------------------------------


def long_date(d: date) -> str:
    """A date as a reader writes it: "30 May 2024"."""
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def claim_when(record: ClaimRecord) -> str:
    """When a claim was reported: "30 May 2024", or "undated"."""
    return long_date(record.reported_on) if record.reported_on else "undated"


def source_name(source: Source) -> str:
    """What to call a source: its outlet, else its headline, else its id."""
    return source.outlet or source.title or source.id


def safe_url(url: str | None) -> str | None:
    """The URL when it is an http(s) link a brief may point at; None otherwise."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def quote_of(brief: Brief, record: ClaimRecord) -> str:
    """The quote on one line, with "…" where it starts or stops mid-sentence."""
    return quote_text(cite(record), brief.ruleset)


def who_text(record: ClaimRecord) -> str:
    """Who said it: "the source's own voice" or "attributed to X (anonymous) via Y"."""
    return attribution_text(record.claim.attributed_to)


def fact_title(name: str) -> str:
    """A fact's name as words: `target_type` reads "target type"."""
    return name.replace("_", " ")


def _interval(value: FactValue, points: Sequence[FactValue], is_date: bool) -> str:
    shown = value_text
    if value in points:
        return shown(value)
    lower = [p for p in points if p < value]  # type: ignore[operator]
    upper = [p for p in points if p > value]  # type: ignore[operator]
    below, above = ("before", "after") if is_date else ("below", "above")
    if not lower and upper:
        return f"{below} {shown(upper[0])}"
    if lower and not upper:
        return f"{above} {shown(lower[-1])}"
    if lower and upper:
        return f"between {shown(lower[-1])} and {shown(upper[0])}"
    return "any value"


def value_phrase(brief: Brief, name: str, value: FactValue, *, labels: bool = True) -> str:
    """One value of a region as a reader sees it: an enum value's label (or its name when
    `labels` is false), yes/no, or for number and date facts the interval it stands for."""
    fact: Fact | None = brief.ruleset.facts.get(name)
    if fact is not None and fact.type in (FactType.NUMBER, FactType.DATE):
        return _interval(value, brief.thresholds.get(name, ()), fact.type is FactType.DATE)
    if labels:
        return value_label(fact, value)
    return value_text(value)


def region_parts(brief: Brief, region: Region, *, labels: bool = True) -> list[tuple[str, str]]:
    """A region as (fact in words, its values in words joined by "or") pairs."""
    return [
        (fact_title(name), " or ".join(value_phrase(brief, name, v, labels=labels)
                                      for v in values))
        for name, values in region.facts
    ]


def effect_word(effect: Effect) -> str:
    """permit or prohibit."""
    return str(effect)


def rule_period_text(brief: Brief, rule_id: str) -> str:
    """When a rule is in force: "from 2024-05-30", "at every date"."""
    p = brief.ruleset.compiled().by_id[rule_id].period
    return dates_text(p.start, p.until)


def summary_counts(brief: Brief) -> list[tuple[int, str]]:
    """The numbers at the top of a brief, with their nouns."""
    rs = brief.ruleset
    provisions = sum(len(g.claims) for g in brief.provisions)
    return [
        (len(rs.sources), "sources"),
        (len(rs.claims), "claims quoted verbatim"),
        (provisions, "provisions"),
        (len(rs.rules), "rules read from them"),
        (len(brief.disagreements), "points where sources disagree"),
        (len(brief.not_addressed), "areas the reporting leaves unaddressed"),
    ]


def verdict_words(verdict: Verdict) -> str:
    """The verdict in words, as the table shows it."""
    return verdict_name(verdict)


# --- Markdown -----------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*\[\]<>~_|#])")
_MD_LINE_START = re.compile(r"^(\s*)([+-]|\d+[.)])")


def md(text: str) -> str:
    """User text as literal Markdown inline text, on one line (markup characters escaped,
    `&` kept from starting an entity)."""
    text = " ".join(text.split()).replace("&", "&amp;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_LINE_START.sub(r"\1\\\2", text)


def _md_code(text: str) -> str:
    text = " ".join(text.split())
    if "`" not in text:
        return f"`{text}`"
    return f"`` {text} ``"


def _md_url(url: str) -> str:
    return "".join({" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E"}.get(c, c)
                   for c in url)


def _md_source_link(source: Source) -> str:
    url = safe_url(source.url)
    name = md(source_name(source))
    if url:
        return f"[{name}]({_md_url(url)})"
    return f"{name} (no URL recorded)"


def _md_claim_link(cid: str) -> str:
    return f"[{_md_code(cid)}](#claim-{cid})"


def _md_rule_link(rid: str) -> str:
    return f"[{_md_code(rid)}](#rule-{rid})"


def _md_claim(brief: Brief, r: ClaimRecord) -> list[str]:
    c = r.claim
    cites = brief.rules_citing.get(c.id, ())
    read = (
        "read into " + ", ".join(_md_rule_link(x) for x in cites)
        if cites else "not read into any rule"
    )
    meta = (
        f"— {md(who_text(r))} · {_md_source_link(r.source)} · {claim_when(r)} · "
        f"{c.kind} · {c.modality} · claim {_md_claim_link(c.id)} · {read}"
    )
    return [f'<a id="claim-{c.id}"></a>', "", f"> “{md(quote_of(brief, r))}”", ">",
            f"> {meta}", ""]


def _md_group_heading(group: SourceGroup) -> str:
    s = group.source
    when = long_date(s.published) if s.published else "undated"
    head = f"### {md(source_name(s))} · {when}"
    return head


def _md_groups(brief: Brief, groups: Sequence[SourceGroup]) -> list[str]:
    out: list[str] = []
    for g in groups:
        out += [_md_group_heading(g), ""]
        if g.source.title:
            out += [f"*{md(g.source.title)}* — source {_md_code(g.source.id)}", ""]
        else:
            out += [f"Source {_md_code(g.source.id)} (no headline recorded)", ""]
        for r in g.claims:
            out += _md_claim(brief, r)
    return out


def _md_region(brief: Brief, region: Region) -> str:
    parts = region_parts(brief, region)
    if not parts:
        return "every case"
    return "; ".join(f"{md(k)}: {md(v)}" for k, v in parts)


def _md_timeline(brief: Brief) -> list[str]:
    out = ["## Timeline of the reporting", ""]
    if brief.dated:
        first, last = brief.dated[0][0], brief.dated[-1][0]
        out += [f"Dated reporting runs from {long_date(first)} to {long_date(last)}.", ""]
    for d, records in brief.dated:
        out += [f"- **{long_date(d)}**"]
        for r in records:
            out.append(
                f"  - {md(source_name(r.source))}: {_md_claim_link(r.id)} ({r.claim.kind}) "
                f"— “{md(_opening(quote_of(brief, r)))}”"
            )
    out.append("")
    if brief.undated:
        out += ["### Undated", "",
                "These claims come from sources that show no date; they are listed apart and "
                "placed on no date.", ""]
        for r in brief.undated:
            out.append(
                f"- {md(source_name(r.source))}: {_md_claim_link(r.id)} ({r.claim.kind}) "
                f"— “{md(_opening(quote_of(brief, r)))}”"
            )
        out.append("")
    return out


def _opening(quote: str, words: int = 12) -> str:
    parts = quote.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def _md_rule_side(brief: Brief, rule: Rule) -> str:
    claims = ", ".join(_md_claim_link(c) for c in rule.because)
    title = f" — {md(rule.title)}" if rule.title else ""
    return f"**{rule.effect}** {_md_rule_link(rule.id)}{title}, resting on {claims}"


def _md_disagreements(brief: Brief) -> list[str]:
    out = ["## Where the sources disagree", ""]
    if not brief.disagreements:
        return [*out, "No region of the fact space has a permit and a prohibit rule in force "
                "together: the sources, as read here, do not contradict each other.", ""]
    out += [
        "In each case below a permit rule and a prohibit rule both apply, and neither is "
        "written as an exception to the other, so the verdict there is *contested*. Rules are "
        "compared with every rule in force (no date filter).", "",
    ]
    for n, d in enumerate(brief.disagreements, 1):
        out += [
            f'<a id="disagreement-{n}"></a>', "",
            f"### {n}. {_md_code(d.permit.id)} vs {_md_code(d.prohibit.id)}", "",
            f"- {_md_rule_side(brief, d.permit)}",
            f"- {_md_rule_side(brief, d.prohibit)}",
            "",
            "Where:", "",
        ]
        out += [f"- {_md_region(brief, region)}" for region in d.regions]
        out.append("")
    return out


def _md_gaps(brief: Brief) -> list[str]:
    out = ["## What the reporting leaves unaddressed", ""]
    if not brief.not_addressed:
        return [*out, "Every case of the fact space falls under some rule.", ""]
    out += ["No rule applies in these cases, whatever the other facts: the reporting, as read "
            "here, says nothing about them.", ""]
    out += [f"- {_md_region(brief, region)}" for region in brief.not_addressed]
    return [*out, ""]


def _md_table(brief: Brief) -> list[str]:
    names = list(brief.ruleset.facts)
    out = ["## Decision table", "",
           "Every case of the fact space, with every rule in force: each row is a set of cases "
           "with one verdict (— means any value).", ""]
    if not brief.complete:
        out += ["*The table is incomplete: the fact space is larger than the sweep's limit.*",
                ""]
    out.append("| verdict | " + " | ".join(_md_code(n) for n in names) + " | deciding rules |")
    out.append("|" + "---|" * (len(names) + 2))
    for row in brief.table:
        given = dict(row.region.facts)
        cells = [
            " or ".join(md(value_phrase(brief, n, v, labels=False)) for v in given[n])
            if n in given else "—"
            for n in names
        ]
        rules = ", ".join(_md_rule_link(x) for x in row.rules) or "—"
        out.append(f"| {verdict_words(row.verdict)} | " + " | ".join(cells) + f" | {rules} |")
    return [*out, ""]


def _md_rules(brief: Brief) -> list[str]:
    out = ["## How the reporting was read: the rules", ""]
    for rule in brief.ruleset.rules:
        title = f" — {md(rule.title)}" if rule.title else ""
        out += [f'<a id="rule-{rule.id}"></a>', "",
                f"### {rule.effect}: {_md_code(rule.id)}{title}", ""]
        out.append(f"- In force {rule_period_text(brief, rule.id)}.")
        out.append("- Rests on " + ", ".join(_md_claim_link(c) for c in rule.because) + ".")
        if rule.overrides:
            out.append("- An exception to " + ", ".join(_md_rule_link(o) for o in rule.overrides)
                       + ".")
        out += [f"- Reading: {md(rule.note)}", ""]
    return out


def _md_sources(brief: Brief) -> list[str]:
    out = ["## Sources", ""]
    for s in _source_order(brief.ruleset):
        when = long_date(s.published) if s.published else "no date shown"
        title = f" — *{md(s.title)}*" if s.title else ""
        out.append(f'- <a id="source-{s.id}"></a>{_md_source_link(s)}{title} · {when} · '
                   f"{_md_code(s.id)} · archived {s.archive.content} text, sha256 "
                   f"{_md_code(s.archive.sha256[:12])}…")
    return [*out, ""]


def render_markdown(brief: Brief) -> str:
    """The brief as one Markdown document, ending with one newline."""
    rs = brief.ruleset
    out = [f"# {md(rs.meta.title)}", "", f"**As reported.** {md(AS_REPORTED)}", ""]
    if rs.meta.description:
        out += [md(rs.meta.description), ""]
    out.append(" · ".join(f"{n} {noun}" for n, noun in summary_counts(brief)))
    out += ["", "## The policy as reported", "",
            "The provisions — what the reporting says is allowed or barred, and within which "
            "limits — quoted verbatim, source by source, earliest first.", ""]
    out += _md_groups(brief, brief.provisions)
    out += _md_timeline(brief)
    out += _md_disagreements(brief)
    out += _md_gaps(brief)
    out += _md_table(brief)
    out += _md_rules(brief)
    out += ["## Other statements in the reporting", "",
            "Context, rationales, reactions, assessments and forecasts the sources report.", ""]
    out += _md_groups(brief, brief.others)
    out += _md_sources(brief)
    out += ["---", "", f"Generated by claimrules from ruleset {_md_code(rs.id)}. {md(AS_REPORTED)}"]
    return "\n".join(out).rstrip("\n") + "\n"


def render_brief(ruleset: Ruleset, fmt: BriefFormat) -> str:
    """The brief of a ruleset as Markdown or as one self-contained HTML file.
    Raises ValueError for an unknown format."""
    if fmt not in BRIEF_FORMATS:
        known = ", ".join(f"`{f}`" for f in BRIEF_FORMATS)
        raise ValueError(f"unknown brief format `{fmt}`; expected one of {known}")
    brief = build_brief(ruleset)
    if fmt == "markdown":
        return render_markdown(brief)
    from claimrules.reporters import html  # noqa: PLC0415 - html.py imports this module

    return html.render_html(brief)
