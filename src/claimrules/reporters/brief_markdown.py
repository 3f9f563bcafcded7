"""The brief as one Markdown document (`reporters.html` renders the same brief as HTML).
User data is escaped with `reporters.escape`, the one Markdown escaper."""

from __future__ import annotations

from collections.abc import Sequence

from claimrules.analysis.space import Region
from claimrules.load.domain import Rule, Source
from claimrules.load.ruleset import ClaimRecord
from claimrules.reporters import escape
from claimrules.reporters.brief import (
    AS_REPORTED,
    WIDE_TABLE_COLUMNS,
    Brief,
    SourceGroup,
    caveat_text_parts,
    cell_values,
    claim_when,
    long_date,
    quote_of,
    region_parts,
    rule_notes,
    rule_period_text,
    source_name,
    source_order,
    summary_counts,
    verdict_words,
    when_text,
    who_text,
)

md = escape.markdown
_md_code = escape.markdown_code


def _md_source_link(source: Source) -> str:
    name = md(source_name(source))
    if escape.safe_url(source.url):
        return escape.markdown_link(name, source.url)
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
    return f"### {md(source_name(s))} · {when}"


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


def _md_region(brief: Brief, region: Region, skip: Region | None = None) -> str:
    parts = region_parts(brief, region, skip=skip)
    if not parts:
        return "every such case"
    return "; ".join(f"{md(k)}: {md(' / '.join(v))}" for k, v in parts)


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


def _md_subject(brief: Brief) -> str:
    return _md_region(brief, brief.subject) if brief.subject.cells else "every case"


def _md_disagreements(brief: Brief) -> list[str]:
    out = ["## Where the sources disagree", ""]
    if not brief.disagreements:
        return [*out, "At no date does a permit rule apply together with a prohibit rule that "
                "neither overrides nor is overridden by it: the sources, as read here, do not "
                "contradict each other.", ""]
    out += [
        "In each case below a permit rule and a prohibit rule both apply, and neither is "
        "written as an exception to the other, so the verdict there is *contested*. Each place "
        "is given with the dates at which both rules are in force. Every place is within the "
        f"policy's subject: {_md_subject(brief)}.", "",
    ]
    for n, d in enumerate(brief.disagreements, 1):
        out += [
            f'<a id="disagreement-{n}"></a>', "",
            f"### {n}. {md(d.permit.title or d.permit.id)} vs "
            f"{md(d.prohibit.title or d.prohibit.id)}", "",
            f"- {_md_rule_side(brief, d.permit)}",
            f"- {_md_rule_side(brief, d.prohibit)}",
            "",
            "Where both apply:", "",
        ]
        out += [
            f"- {when_text(region.when)}: {_md_region(brief, region, brief.subject)}"
            for region in d.regions
        ]
        out.append("")
    return out


def _md_gaps(brief: Brief) -> list[str]:
    out = ["## What the reporting leaves unaddressed", "",
           f"Every rule is about {_md_subject(brief)}; the reporting, as read here, says "
           "nothing about cases outside that.", ""]
    if not brief.gaps:
        return [*out, "Within that subject, every case falls under some rule.", ""]
    out += ["Within it, no rule applies in these cases, whatever the other facts:", ""]
    out += [
        f"- {when_text(region.when)}: {_md_region(brief, region, brief.subject)}"
        for region in brief.gaps
    ]
    if brief.gaps_note:
        out += ["", _md_message(brief.gaps_note)]
    return [*out, ""]


def _md_message(message: str) -> str:
    return "".join(_md_code(t) if is_code else md(t) for t, is_code in caveat_text_parts(message))


def _md_caveats(brief: Brief) -> list[str]:
    if not brief.caveats:
        return []
    out = ["### Caveats from the analysis", ""]
    out += [f"- {_md_message(f.message)}" for f in brief.caveats]
    return [*out, ""]


def _md_table(brief: Brief) -> list[str]:
    table = brief.table
    names = list(table.facts)
    out = ["## Decision table", "",
           "Every case the fact vocabulary can describe, with every rule counted at once (no "
           "date given): each row is a set of cases with one verdict and the rules deciding it "
           "(— means any value).", ""]
    if not table.complete:
        out += ["*The table is incomplete: the fact space is larger than the analysis can "
                "explore.*", ""]
    if table.left_out:
        out += [f"*{table.left_out} impossible cases are left out: they break a constraint "
                "between the facts.*", ""]
    if len(names) > WIDE_TABLE_COLUMNS:
        # One column per fact would make the table rows × facts cells, most of them "—":
        # each row names only the facts it constrains, so the text grows with the rows.
        out += [f"*{len(names)} facts: each row names only the facts it constrains; any "
                "other fact may take any value.*", "",
                "| verdict | cases | deciding rules |", "|---|---|---|"]
        for row in table.rows:
            cases = "; ".join(
                f"{_md_code(c.fact)}: "
                + " / ".join(md(v) for v in cell_values(brief, c, labels=False))
                for c in row.cells
            ) or "any case"
            rules = ", ".join(_md_rule_link(x) for x in row.deciding_rules) or "—"
            out.append(f"| {verdict_words(row.verdict)} | {cases} | {rules} |")
        return [*out, ""]
    out.append("| verdict | " + " | ".join(_md_code(n) for n in names) + " | deciding rules |")
    out.append("|" + "---|" * (len(names) + 2))
    for row in table.rows:
        cells = []
        for n in names:
            cell = row.cell(n)
            cells.append(
                " / ".join(md(v) for v in cell_values(brief, cell, labels=False))
                if cell else "—"
            )
        rules = ", ".join(_md_rule_link(x) for x in row.deciding_rules) or "—"
        out.append(f"| {verdict_words(row.verdict)} | " + " | ".join(cells) + f" | {rules} |")
    return [*out, ""]


def _md_rules(brief: Brief) -> list[str]:
    out = ["## How the reporting was read: the rules", ""]
    for rule in brief.ruleset.rules:
        title = f" — {md(rule.title)}" if rule.title else ""
        out += [f'<a id="rule-{rule.id}"></a>', "",
                f"### {rule.effect}: {_md_code(rule.id)}{title}", ""]
        basis = f" ({md(rule.effective.basis)})" if rule.effective else ""
        out.append(f"- In force {rule_period_text(brief, rule.id)}{basis}.")
        out.append("- Rests on " + ", ".join(_md_claim_link(c) for c in rule.because) + ".")
        if rule.overrides:
            out.append("- An exception to " + ", ".join(_md_rule_link(o) for o in rule.overrides)
                       + ".")
        out += [f"- {md(line)}" for line in rule_notes(brief, rule)]
        out += [f"- Reading: {md(rule.note)}", ""]
    return out


def _md_sources(brief: Brief) -> list[str]:
    out = ["## Sources", ""]
    for s in source_order(brief.ruleset):
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
    out.append(" · ".join(f"{n} {noun}" for n, noun, _ in summary_counts(brief)))
    out += ["", "## The policy as reported", "",
            "The provisions — what the reporting says is allowed or barred, and within which "
            "limits — quoted verbatim, source by source, earliest first.", ""]
    out += _md_groups(brief, brief.provisions)
    out += _md_timeline(brief)
    out += _md_disagreements(brief)
    out += _md_gaps(brief)
    out += _md_caveats(brief)
    out += _md_table(brief)
    out += _md_rules(brief)
    out += ["## Other statements in the reporting", "",
            "Context, rationales, reactions, assessments and forecasts the sources report.", ""]
    out += _md_groups(brief, brief.others)
    out += _md_sources(brief)
    out += ["---", "", f"Generated by claimrules from ruleset {_md_code(rs.id)}. {md(AS_REPORTED)}"]
    return "\n".join(out).rstrip("\n") + "\n"
