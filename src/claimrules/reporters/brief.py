"""A brief a journalist can publish: the policy as reported, the timeline of the reporting,
where the sources disagree, what the reporting leaves unaddressed, and the decision table.

`build_brief` gathers everything a brief says into typed values, with the words both formats
share; `reporters.render_brief` renders it as Markdown (`reporters.brief_markdown`) or as one
self-contained HTML file (`reporters.html`). Every
quoted statement carries an anchor (`claim-<id>`) and links to its source's URL when the
source has one. User data is escaped in both formats.

The whole-space sections come from `analysis`: the decision table is
`analysis.table.table(ruleset, None, None, None)` (every rule counted, no date given), and the
disagreements and gaps are `analysis.lint`'s `contested-region` and `not-addressed-region`
findings, which sweep every stretch of valid time and say when each region holds.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

from claimrules.analysis import lint as linting
from claimrules.analysis import regions
from claimrules.analysis import table as tables
from claimrules.analysis.findings import Finding
from claimrules.analysis.space import Cell, Region, TimeSlice, When
from claimrules.analysis.table import Table
from claimrules.engine.compile import cite, compiled_ruleset
from claimrules.engine.decision import Support, Verdict
from claimrules.load.domain import ClaimKind, EnumValue, Fact, Rule, Source, grounds
from claimrules.load.ruleset import ClaimRecord, Ruleset
from claimrules.reporters.text import (
    attribution_text,
    period_dates_text,
    quote_text,
    support_text,
    value_label,
    value_text,
    verdict_name,
)

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

#: Lint findings a reader of the brief should know about (besides regions), in this order.
CAVEAT_CODES = ("partial-analysis", "speculative-rule", "dead-rule", "shadowed-rule",
                "override-cycle")

#: Past this many facts, a decision table lists each row's own cells instead of a column per
#: fact (whose rows × facts cells would grow quadratically with the ruleset).
WIDE_TABLE_COLUMNS = 24

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


# --- the brief as values ------------------------------------------------------------------


@dataclass(frozen=True)
class Disagreement:
    """A permit rule and a prohibit rule that both apply, neither overriding the other, in
    these regions (each with the valid times it holds at): the sources disagree there."""

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
    subject: Region  # what every rule is about (cases outside it are unaddressed by design)
    disagreements: tuple[Disagreement, ...]
    gaps: tuple[Region, ...]  # regions inside the subject that no rule addresses
    gaps_note: str | None  # lint's count when it lists only the largest gaps
    table: Table
    caveats: tuple[Finding, ...]
    rules_citing: Mapping[str, tuple[str, ...]]  # claim id -> ids of the rules resting on it

    @property
    def complete(self) -> bool:
        """False when the analysis could not explore the whole fact space."""
        return self.table.complete and not any(
            f.code == "partial-analysis" for f in self.caveats
        )


# --- building it --------------------------------------------------------------------------


def source_order(ruleset: Ruleset) -> list[Source]:
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
        for s in source_order(ruleset)
        if s.id in by_source
    )


def _timeline(
    ruleset: Ruleset,
) -> tuple[tuple[tuple[date, tuple[ClaimRecord, ...]], ...], tuple[ClaimRecord, ...]]:
    order = {s.id: i for i, s in enumerate(source_order(ruleset))}
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


def _subject(ruleset: Ruleset) -> Region:
    """The policy's subject (`analysis.regions.subject_scope`) as a region, in vocabulary order."""
    scope = regions.subject_scope(ruleset)
    domains = compiled_ruleset(ruleset).domains
    return Region(tuple(
        Cell(name, tuple(v for v in domains[name] if v in scope[name]))
        for name in ruleset.facts if name in scope
    ))


def _first_date(region: Region) -> date:
    spans = region.when.spans if region.when else ()
    starts = [s.start or date.min for s in spans]
    return min(starts) if starts else date.max


def build_brief(ruleset: Ruleset) -> Brief:
    """Gather what a brief says about a ruleset. Pure: no I/O, no clock."""
    findings = linting.lint(ruleset)
    rules = {r.id: r for r in ruleset.rules}
    pairs: dict[tuple[str, str], list[Region]] = {}
    gaps: list[Region] = []
    gaps_note: str | None = None
    for f in findings:
        # An acknowledged disagreement is still one the reader should see.
        if (f.code in ("contested-region", "acknowledged-disagreement")
                and f.region is not None and len(f.rules) == 2):
            pairs.setdefault((f.rules[0], f.rules[1]), []).append(f.region)
        elif f.code == "not-addressed-region":
            if f.region is not None:
                gaps.append(f.region)
            else:
                gaps_note = f.message
    disagreements = sorted(
        (Disagreement(rules[p], rules[q], tuple(sorted(rs, key=_first_date)))
         for (p, q), rs in pairs.items()),
        key=lambda d: (min(_first_date(r) for r in d.regions), d.permit.id, d.prohibit.id),
    )
    caveats = sorted(
        (f for f in findings if f.code in CAVEAT_CODES),
        key=lambda f: (CAVEAT_CODES.index(f.code), f.message),
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
        subject=_subject(ruleset),
        disagreements=tuple(disagreements),
        gaps=tuple(gaps),
        gaps_note=gaps_note,
        table=tables.table(ruleset, None, None, None),
        caveats=tuple(caveats),
        rules_citing={k: tuple(sorted(v)) for k, v in citing.items()},
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


def quote_of(brief: Brief, record: ClaimRecord) -> str:
    """The quote on one line, with "…" where it starts or stops mid-sentence."""
    return quote_text(cite(record), brief.ruleset)


def who_text(record: ClaimRecord) -> str:
    """Who said it: "the source's own voice" or "attributed to X (anonymous) via Y"."""
    return attribution_text(record.claim.attributed_to)


def fact_title(name: str) -> str:
    """A fact's name as words: `target_type` reads "target type"."""
    return name.replace("_", " ")


def cell_values(brief: Brief, cell: Cell, *, labels: bool = True) -> list[str]:
    """A cell's values as a reader sees them: enum labels (or names when `labels` is false),
    yes/no, or for number and date facts the ranges the values stand for (`< 300`)."""
    if cell.intervals:
        return [cell.value_text()]
    fact: Fact | None = brief.ruleset.facts.get(cell.fact)
    if labels:
        named = _labels(fact) if fact is not None else {}
        return [named.get(v) or value_label(None, v) if isinstance(v, str)
                else value_label(fact, v) for v in cell.values]
    return [value_text(v) for v in cell.values]


@functools.lru_cache(maxsize=256)
def _labels(fact: Fact) -> dict[str, str]:
    """An enum fact's labels by value (`Fact.label` looks one up by reading every value: a
    `policy` of thousands of values, each shown once per region, would cost their square)."""
    return {v.value: v.label for v in fact.values or () if isinstance(v, EnumValue) and v.label}


def region_parts(brief: Brief, region: Region, *, labels: bool = True,
                 skip: Region | None = None) -> list[tuple[str, list[str]]]:
    """A region as (fact in words, its values in words) pairs, leaving out cells equal to
    those of `skip` (the policy's subject, which every region shares)."""
    shared = set(skip.cells) if skip else set()
    return [
        (fact_title(c.fact), cell_values(brief, c, labels=labels))
        for c in region.cells if c not in shared
    ]


def _slice_text(s: TimeSlice) -> str:
    if s.start and s.until:
        return long_date(s.start) if s.start == s.until else (
            f"{long_date(s.start)} to {long_date(s.until)}"
        )
    if s.start:
        return f"from {long_date(s.start)}"
    if s.until:
        return f"until {long_date(s.until)}"
    return "at every date"


def when_text(when: When | None) -> str:
    """When a region holds, in words: "from 17 November 2024", "at every date", or "only when
    no date is given (every rule counted at once)"."""
    if when is None or when.always:
        return "at every date"
    if not when.spans:
        return "only when no date is given (every rule counted at once)"
    return "; ".join(_slice_text(s) for s in when.spans)


def rule_period_text(brief: Brief, rule_id: str) -> str:
    """When a rule is in force: "from 2024-05-30", "from an unknown date (not before …)"."""
    p = compiled_ruleset(brief.ruleset).by_id[rule_id].period
    return period_dates_text(p)


def rule_notes(brief: Brief, rule: Rule) -> list[str]:
    """What else a reader should know of a rule, as plain sentences: the support behind it,
    the general statements it refines, its unreported terms, the claims shown as context."""
    compiled = compiled_ruleset(brief.ruleset).by_id[rule.id]
    grounding = tuple(c for c in compiled.claims if grounds(c))
    out = [f"Support: {support_text(Support.of(grounding))}."]
    out += [f"Refines {x.rule}: {' '.join(x.note.split())}" for x in rule.refines]
    if rule.unreported_terms is not None:
        note = " ".join(rule.unreported_terms.note.split())
        out.append(f"Terms not reported ({rule.unreported_terms.claim}): {note}")
    if rule.context:
        out.append("Shown as context, never as its ground: " + ", ".join(rule.context) + ".")
    return out


def summary_counts(brief: Brief) -> list[tuple[int, str, str]]:
    """The numbers at the top of a brief: (count, noun, id of the section that lists them)."""
    rs = brief.ruleset
    provisions = sum(len(g.claims) for g in brief.provisions)
    return [
        (len(rs.sources), "sources", "sources"),
        (len(rs.claims), "claims quoted verbatim", "provisions"),
        (provisions, "provisions", "provisions"),
        (len(rs.rules), "rules read from them", "rules"),
        (len(brief.disagreements), "points where sources disagree", "disagreements"),
        (len(brief.gaps), "areas the reporting leaves unaddressed", "unaddressed"),
    ]


def caveat_text_parts(message: str) -> list[tuple[str, bool]]:
    """A finding's message as (text, is_code) parts: `backticked` names are code."""
    parts = message.split("`")
    return [(part, i % 2 == 1) for i, part in enumerate(parts) if part]


def verdict_words(verdict: Verdict) -> str:
    """The verdict in words, as the table shows it."""
    return verdict_name(verdict)
