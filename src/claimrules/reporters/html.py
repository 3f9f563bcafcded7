"""The brief as one self-contained HTML file: inline CSS, no external fetches, readable on a
phone, with a visual timeline of the dated reporting. Every user-supplied string goes through
`html.escape`; links are only made to http(s) URLs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from claimrules import __version__
from claimrules.analysis.space import Region
from claimrules.engine.decision import Verdict
from claimrules.load.domain import Rule, Source
from claimrules.load.ruleset import ClaimRecord, Ruleset
from claimrules.reporters import escape
from claimrules.reporters.brief import (
    AS_REPORTED,
    WIDE_TABLE_COLUMNS,
    Brief,
    SourceGroup,
    caveat_text_parts,
    cell_values,
    claim_when,
    fact_title,
    long_date,
    quote_of,
    region_parts,
    rule_notes,
    rule_period_text,
    source_name,
    summary_counts,
    verdict_words,
    when_text,
    who_text,
)

#: Dates closer than this (percent of the timeline's width) share one column of dots.
_SAME_COLUMN = 1.5
#: Columns are at least this far apart (percent of the width), so that dots do not overlap on
#: a phone: a column drifts right of its date rather than cover its neighbour.
_COLUMN_GAP = 3.6
#: Height of one dot's slot in a timeline column, in CSS pixels.
_DOT_STEP = 14

_CSS = """
:root{--ink:#1c1c1e;--muted:#5d6168;--line:#e2e2df;--paper:#fff;--card:#f6f6f3;
--accent:#0b57d0;--permit:#1b7f4b;--prohibit:#b3261e;--contested:#a35c00;--na:#6b6f76;
--quote:#fbfaf6;--dot:#0b57d0;--dot2:#9aa0a6}
@media (prefers-color-scheme:dark){:root{--ink:#ececec;--muted:#a8acb3;--line:#34363a;
--paper:#151618;--card:#1e2023;--accent:#8ab4f8;--permit:#5fcf8f;--prohibit:#f28b82;
--contested:#fdc26b;--na:#a8acb3;--quote:#1b1c1f;--dot:#8ab4f8;--dot2:#6b6f76}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--paper);color:var(--ink);
font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
.wrap{max-width:46rem;margin:0 auto;padding:1.25rem 1rem 3rem}
a{color:var(--accent);text-underline-offset:2px}
h1{font-size:1.75rem;line-height:1.2;margin:.25rem 0 .75rem;letter-spacing:-.01em}
h2{font-size:1.35rem;line-height:1.25;margin:2.5rem 0 .75rem;padding-top:.75rem;
border-top:2px solid var(--ink)}
h3{font-size:1.05rem;margin:1.5rem 0 .4rem}
p{margin:.5rem 0}
code{font:.85em/1.3 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
background:var(--card);padding:.05em .3em;border-radius:4px;overflow-wrap:anywhere}
.kicker{text-transform:uppercase;letter-spacing:.08em;font-size:.75rem;font-weight:700;
color:var(--muted);margin:0}
.lede{font-size:1.02rem;color:var(--muted)}
.asreported{border-left:4px solid var(--contested);background:var(--card);
padding:.75rem 1rem;border-radius:0 8px 8px 0;font-size:.95rem}
.stats{display:grid;grid-template-columns:repeat(2,1fr);gap:.5rem;list-style:none;
padding:0;margin:1rem 0}
@media (min-width:40rem){.stats{grid-template-columns:repeat(3,1fr)}}
.stats li{background:var(--card);border-radius:8px;padding:.6rem .75rem;font-size:.85rem;
color:var(--muted);line-height:1.3}
.stats a{color:inherit;text-decoration:none;display:block}
.stats b{display:block;font-size:1.5rem;color:var(--ink)}
nav ol{display:flex;flex-wrap:wrap;gap:.4rem;list-style:none;padding:0;margin:.5rem 0}
nav a{display:inline-block;padding:.25rem .65rem;border:1px solid var(--line);
border-radius:999px;text-decoration:none;font-size:.85rem}
.source{margin:1.75rem 0 .5rem}
.source h3{margin:0}
.source .hl{margin:.1rem 0 .5rem;color:var(--muted);font-style:italic}
figure.claim{margin:.75rem 0 1rem;padding:.75rem .9rem;background:var(--quote);
border:1px solid var(--line);border-left:4px solid var(--dot);border-radius:0 8px 8px 0}
figure.claim.other{border-left-color:var(--dot2)}
figure.claim:target{outline:3px solid var(--contested);outline-offset:2px}
blockquote{margin:0;font:1.05rem/1.5 Georgia,"Times New Roman",serif}
figcaption{margin-top:.5rem;font-size:.82rem;color:var(--muted);line-height:1.45}
.chips{display:flex;flex-wrap:wrap;gap:.3rem;margin-top:.35rem}
.chip{display:inline-block;border:1px solid var(--line);border-radius:999px;
padding:0 .5rem;font-size:.75rem;line-height:1.6;white-space:nowrap;color:var(--muted)}
.read{display:block;margin-top:.3rem}
.chip.k-provision{border-color:var(--dot);color:var(--dot)}
.tl{position:relative;margin:1rem 0 .5rem;border-bottom:2px solid var(--ink)}
.tl .col{position:absolute;z-index:1;bottom:4px;transform:translateX(-50%);display:flex;
flex-direction:column-reverse;align-items:center;gap:4px}
.tl .dot{display:block;width:10px;height:10px;border-radius:50%;background:var(--dot)}
.tl .dot.other{background:var(--dot2)}
.tl .dot:focus,.tl .dot:hover{outline:2px solid var(--contested)}
.tl .n{font-size:.7rem;color:var(--muted);line-height:1}
.axis{position:relative;height:1.6rem;font-size:.72rem;color:var(--muted)}
.axis span{position:absolute;top:.15rem;transform:translateX(-50%);white-space:nowrap}
.axis span.tick{top:0;height:.4rem;border-left:1px solid var(--ink);transform:none}
.years{margin:0;text-align:center;font-size:.72rem;color:var(--muted)}
.legend{font-size:.8rem;color:var(--muted);display:flex;gap:1rem;flex-wrap:wrap}
.legend i{display:inline-block;width:10px;height:10px;border-radius:50%;
background:var(--dot);margin-right:.3rem;vertical-align:-1px}
.legend i.other{background:var(--dot2)}
ol.days{list-style:none;padding:0;margin:.75rem 0}
ol.days>li{display:grid;grid-template-columns:6.2rem 1fr;gap:.5rem;padding:.45rem 0;
border-top:1px solid var(--line)}
ol.days time{font-weight:700;font-size:.9rem}
ol.days ul{list-style:none;padding:0;margin:0;font-size:.9rem}
ol.days ul li{margin:0 0 .35rem}
ol.days li.src{font-weight:700;margin:.1rem 0 .15rem}
.undated{background:var(--card);border-radius:8px;padding:.6rem .9rem;margin-top:1rem}
.undated ul{padding-left:1.1rem;margin:.3rem 0;font-size:.9rem}
.card{border:1px solid var(--line);border-radius:10px;padding:.85rem .9rem;margin:1rem 0}
.card h3{margin-top:0}
.sides{display:grid;grid-template-columns:1fr;gap:.6rem}
@media (min-width:40rem){.sides{grid-template-columns:1fr 1fr}}
.side{border-radius:8px;padding:.6rem .75rem;background:var(--card);font-size:.9rem}
.side.permit{border-top:3px solid var(--permit)}
.side.prohibit{border-top:3px solid var(--prohibit)}
.side q{font-family:Georgia,"Times New Roman",serif}
.eff{font-weight:700;text-transform:uppercase;font-size:.72rem;letter-spacing:.06em}
.eff.permit{color:var(--permit)}.eff.prohibit{color:var(--prohibit)}
.where{font-size:.9rem;margin:.6rem 0 0;padding-left:1.1rem}
.where li{margin:.25rem 0}
ul.places{list-style:none;padding:0;margin:.3rem 0 0}
ul.places>li{padding:.45rem 0;border-top:1px dashed var(--line)}
.when{margin:0 0 .3rem;font-weight:700;font-size:.85rem;color:var(--contested)}
.common{font-size:.9rem;color:var(--muted)}
.wh{font-weight:700;font-size:.9rem;margin:.8rem 0 .3rem}
dl.region{display:grid;grid-template-columns:minmax(0,8.5rem) 1fr;gap:.25rem .75rem;
margin:0;font-size:.88rem}
dl.region dt{color:var(--muted)}dl.region dd{margin:0;font-weight:600}
.scroll{overflow-x:auto;border:1px solid var(--line);border-radius:8px;max-height:75vh}
table{border-collapse:separate;border-spacing:0;font-size:.78rem;min-width:100%}
th,td{padding:.35rem .5rem;border-bottom:1px solid var(--line);text-align:left;
vertical-align:top}
thead th{position:sticky;top:0;background:var(--card);white-space:nowrap;z-index:2}
tbody td{white-space:nowrap;background:var(--paper)}
th:first-child,td:first-child{position:sticky;left:0;z-index:1;border-right:1px solid var(--line)}
thead th:first-child{z-index:3}
td.rules code{overflow-wrap:normal}
td.any{color:var(--line)}
.v{font-weight:700;white-space:nowrap}
.v.permitted{color:var(--permit)}.v.prohibited{color:var(--prohibit)}
.v.contested{color:var(--contested)}.v.not_addressed{color:var(--na)}
details>summary{cursor:pointer;font-weight:600;margin:.5rem 0}
.rule{border-top:1px solid var(--line);padding:.6rem 0}
.rule h3{margin:.1rem 0 .3rem}
.rule ul{margin:.2rem 0;padding-left:1.1rem;font-size:.92rem}
ul.sources{list-style:none;padding:0}
ul.sources li{padding:.55rem 0;border-top:1px solid var(--line);font-size:.92rem;
overflow-wrap:anywhere}
footer{margin-top:3rem;padding-top:1rem;border-top:1px solid var(--line);font-size:.82rem;
color:var(--muted)}
@media print{nav,.tl .n{display:none}h2{break-after:avoid}figure.claim{break-inside:avoid}
.scroll{max-height:none;overflow:visible}}
"""

# Opens every <details> before printing, so a printed brief shows everything.
_SCRIPT = (
    "addEventListener('beforeprint',function(){"
    "document.querySelectorAll('details').forEach(function(d){d.open=true})})"
)


_e = escape.html


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _source_link(source: Source) -> str:
    url = escape.safe_url(source.url)
    name = _e(source_name(source))
    if url:
        return f'<a href="{_e(url)}" rel="noopener noreferrer">{name}</a>'
    return f'{name} <span class="chip">no URL recorded</span>'


def _claim_link(cid: str) -> str:
    return f'<a href="#claim-{_e(cid)}"><code>{_e(cid)}</code></a>'


def _rule_link(rid: str, label: str | None = None) -> str:
    return f'<a href="#rule-{_e(rid)}">{_e(label) if label else f"<code>{_e(rid)}</code>"}</a>'


def _claim(brief: Brief, r: ClaimRecord) -> str:
    c = r.claim
    kind = "provision" if c.kind == "provision" else "other"
    cites = brief.rules_citing.get(c.id, ())
    read = (
        "read into " + ", ".join(_rule_link(x) for x in cites)
        if cites else "not read into any rule"
    )
    when = claim_when(r)
    time = (
        f'<time datetime="{r.reported_on.isoformat()}">{_e(when)}</time>'
        if r.reported_on else "undated"
    )
    return (
        f'<figure class="claim {kind}" id="claim-{_e(c.id)}">'
        f"<blockquote>“{_e(_one_line(quote_of(brief, r)))}”</blockquote>"
        f"<figcaption>— {_e(who_text(r))} · {_source_link(r.source)} · {time}"
        f'<span class="chips"><span class="chip k-{_e(c.kind)}">{_e(c.kind)}</span>'
        f'<span class="chip">{_e(c.modality)}</span>'
        f'<a class="chip" href="#claim-{_e(c.id)}">claim {_e(c.id)}</a></span>'
        f'<span class="read">{read}</span></figcaption></figure>'
    )


def _groups(brief: Brief, groups: Sequence[SourceGroup]) -> str:
    out = []
    for g in groups:
        s = g.source
        when = (
            f'<time datetime="{s.published.isoformat()}">{_e(long_date(s.published))}</time>'
            if s.published else "no date shown"
        )
        head = f'<div class="source"><h3>{_source_link(s)} · {when}</h3>'
        hl = (
            f'<p class="hl">{_e(s.title)}</p>' if s.title
            else '<p class="hl">no headline recorded</p>'
        )
        claims = "".join(_claim(brief, r) for r in g.claims)
        out.append(f"{head}{hl}</div>{claims}")
    return "".join(out)


@dataclass
class _Column:
    x: float
    dates: list[date]
    claims: list[ClaimRecord]


def _month_start(d: date) -> date:
    return d.replace(day=1)


def _month_end(d: date) -> date:
    nxt = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
    return nxt - timedelta(days=1)


def _timeline_chart(brief: Brief) -> str:
    if not brief.dated:
        return ""
    start = _month_start(brief.dated[0][0])
    end = _month_end(brief.dated[-1][0])
    span = (end - start).days + 1

    def pos(d: date) -> float:
        return ((d - start).days + 0.5) / span * 100

    columns: list[_Column] = []
    for d, records in brief.dated:
        x = pos(d)
        if columns and x - pos(columns[-1].dates[-1]) < _SAME_COLUMN:
            columns[-1].dates.append(d)
            columns[-1].claims.extend(records)
        else:
            columns.append(_Column(x, [d], list(records)))
    edge = _COLUMN_GAP / 2  # keeps the first column's dots inside the chart
    for col in columns:
        col.x = max(sum(pos(d) for d in col.dates) / len(col.dates), edge)
        edge = col.x + _COLUMN_GAP
    tallest = max(len(c.claims) for c in columns)
    height = tallest * _DOT_STEP + 26
    parts = [f'<div class="tl" style="height:{height}px" role="img" '
             f'aria-label="dated claims on a date axis">']
    for col in columns:
        days = " – ".join(long_date(d) for d in sorted({col.dates[0], col.dates[-1]}))
        dots = []
        for r in col.claims:
            kind = "" if r.claim.kind == "provision" else " other"
            label = f"{claim_when(r)} · {source_name(r.source)} · {r.claim.kind} · {r.id}"
            dots.append(
                f'<a class="dot{kind}" href="#claim-{_e(r.id)}" title="{_e(label)}" '
                f'aria-label="{_e(label)}"></a>'
            )
        parts.append(
            f'<div class="col" style="left:{min(col.x, 100 - _COLUMN_GAP / 2):.2f}%" '
            f'title="{_e(days)}">{"".join(dots)}<span class="n">{len(col.claims)}</span></div>'
        )
    parts.append("</div>")
    ticks = []
    month = start
    while month <= end:
        following = _month_end(month) + timedelta(days=1)
        middle = (pos(month) + pos(following)) / 2
        ticks.append(f'<span class="tick" style="left:{pos(month):.2f}%"></span>'
                     f'<span style="left:{middle:.2f}%">{_e(month.strftime("%b"))}</span>')
        month = following
    years = sorted({start.year, end.year})
    parts.append(f'<div class="axis" aria-hidden="true">{"".join(ticks)}</div>')
    parts.append(f'<p class="years">{"–".join(str(y) for y in years)}</p>')
    parts.append('<p class="legend"><span><i></i>provision</span>'
                 '<span><i class="other"></i>other statement</span>'
                 "<span>each dot is one claim; tap it to read the quote</span></p>")
    return "".join(parts)


def _opening(quote: str, words: int = 14) -> str:
    parts = quote.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def _timeline(brief: Brief) -> str:
    out = ['<section id="timeline"><h2>Timeline of the reporting</h2>']
    if brief.dated:
        first, last = brief.dated[0][0], brief.dated[-1][0]
        out.append(
            f"<p>{sum(len(rs) for _, rs in brief.dated)} dated claims, reported from "
            f"{_e(long_date(first))} to {_e(long_date(last))}. Claims whose source shows no "
            "date are listed apart, below: they are placed on no date.</p>"
        )
    out.append(_timeline_chart(brief))
    out.append('<ol class="days">')
    for d, records in brief.dated:
        items = []
        for i, r in enumerate(records):
            if i == 0 or records[i - 1].claim.source != r.claim.source:
                items.append(f'<li class="src">{_e(source_name(r.source))}</li>')
            items.append(
                f'<li><span class="chip k-{_e(r.claim.kind)}">{_e(r.claim.kind)}</span> '
                f'<a href="#claim-{_e(r.id)}">“{_e(_opening(quote_of(brief, r)))}”</a></li>'
            )
        out.append(
            f'<li><time datetime="{d.isoformat()}">{_e(long_date(d))}</time>'
            f"<ul>{''.join(items)}</ul></li>"
        )
    out.append("</ol>")
    if brief.undated:
        by_source: dict[str, list[ClaimRecord]] = {}
        for r in brief.undated:
            by_source.setdefault(r.claim.source, []).append(r)
        listed = "".join(
            f"<li><b>{_e(source_name(rs[0].source))}</b>: "
            + ", ".join(_claim_link(r.id) for r in rs)
            + "</li>"
            for rs in by_source.values()
        )
        out.append(
            f'<div class="undated" id="undated"><h3>Undated ({len(brief.undated)} claims)</h3>'
            "<p>These sources show no date, and none is guessed.</p>"
            f"<ul>{listed}</ul></div>"
        )
    out.append("</section>")
    return "".join(out)


def _region_inline(brief: Brief, region: Region, skip: Region | None = None) -> str:
    parts = region_parts(brief, region, skip=skip)
    return "; ".join(f"{_e(k)}: <b>{_e(' / '.join(v))}</b>" for k, v in parts) or "every case"


def _region_list(brief: Brief, region: Region, skip: Region | None = None) -> str:
    parts = region_parts(brief, region, skip=skip)
    if not parts:
        return '<p class="common">in every case of the subject</p>'
    rows = "".join(f"<dt>{_e(k)}</dt><dd>{_e(' / '.join(v))}</dd>" for k, v in parts)
    return f'<dl class="region">{rows}</dl>'


def _side(brief: Brief, rule: Rule) -> str:
    eff = str(rule.effect)
    first = brief.ruleset.claims.get(rule.because[0])
    quote = ""
    if first is not None:
        quote = (
            f'<p><q>{_e(_opening(quote_of(brief, first), 30))}</q> — '
            f"{_e(source_name(first.source))}, {_e(claim_when(first))} "
            f"({_claim_link(first.id)})</p>"
        )
    more = rule.because[1:]
    also = (
        "<p>Also resting on " + ", ".join(_claim_link(c) for c in more) + ".</p>" if more else ""
    )
    return (
        f'<div class="side {eff}"><span class="eff {eff}">{eff}</span> '
        f"{_rule_link(rule.id, rule.title or rule.id)}"
        f'<p class="common">in force {_e(rule_period_text(brief, rule.id))} · '
        f"<code>{_e(rule.id)}</code></p>{quote}{also}</div>"
    )


def _subject(brief: Brief) -> str:
    return _region_inline(brief, brief.subject) if brief.subject.cells else "every case"


def _disagreements(brief: Brief) -> str:
    out = ['<section id="disagreements"><h2>Where the sources disagree</h2>']
    if not brief.disagreements:
        out.append("<p>At no date does a permit rule apply together with a prohibit rule that "
                   "neither overrides nor is overridden by it: the sources, as read here, do "
                   "not contradict each other.</p></section>")
        return "".join(out)
    out.append(
        f"<p>In {len(brief.disagreements)} places a rule read as a permission and a rule read "
        "as a bar both apply, and neither is written as an exception to the other: the verdict "
        'there is <b class="v contested">contested</b>. Both sides are quoted, with the dates '
        "at which both are in force. Every place is within the policy's subject: "
        f"{_subject(brief)}.</p>"
    )
    for n, d in enumerate(brief.disagreements, 1):
        heading = (f"{_e(d.permit.title or d.permit.id)} <i>vs</i> "
                   f"{_e(d.prohibit.title or d.prohibit.id)}")
        where = "".join(
            f'<li><p class="when">{_e(when_text(r.when))}</p>'
            f"{_region_list(brief, r, brief.subject)}</li>"
            for r in d.regions
        )
        out.append(
            f'<div class="card contested" id="disagreement-{n}"><h3>{n}. {heading}</h3>'
            f'<div class="sides">{_side(brief, d.permit)}{_side(brief, d.prohibit)}</div>'
            f'<p class="wh">Where both apply:</p><ul class="places">{where}</ul></div>'
        )
    out.append("</section>")
    return "".join(out)


def _message(message: str) -> str:
    return "".join(f"<code>{_e(t)}</code>" if is_code else _e(t)
                   for t, is_code in caveat_text_parts(message))


def _gaps(brief: Brief) -> str:
    out = ['<section id="unaddressed"><h2>What the reporting leaves unaddressed</h2>',
           f"<p>Every rule is about {_subject(brief)}; the reporting, as read here, says "
           "nothing about cases outside that.</p>"]
    if not brief.gaps:
        out.append("<p>Within that subject, every case falls under some rule.</p>")
    else:
        out.append(
            "<p>Within it, no rule applies in these cases, whatever the other facts are "
            '(verdict <b class="v not_addressed">not addressed</b>):</p><ul class="places">'
        )
        out += [
            f'<li><p class="when">{_e(when_text(r.when))}</p>'
            f"{_region_list(brief, r, brief.subject)}</li>"
            for r in brief.gaps
        ]
        out.append("</ul>")
        if brief.gaps_note:
            out.append(f"<p>{_message(brief.gaps_note)}</p>")
    if brief.caveats:
        items = "".join(f"<li>{_message(f.message)}</li>" for f in brief.caveats)
        out.append(f'<h3 id="caveats">Caveats from the analysis</h3><ul>{items}</ul>')
    out.append("</section>")
    return "".join(out)


def _table(brief: Brief) -> str:
    table = brief.table
    names = list(table.facts)
    wide = len(names) > WIDE_TABLE_COLUMNS  # each row lists its own cells (see the brief)
    head = "<th>cases</th>" if wide else "".join(f"<th>{_e(fact_title(n))}</th>" for n in names)
    rows = []
    counts: dict[Verdict, int] = {}
    for row in table.rows:
        counts[row.verdict] = counts.get(row.verdict, 0) + 1
        cells = []
        if wide:
            cells.append("<td>" + ("; ".join(
                f"{_e(fact_title(c.fact))}: "
                + " / ".join(_e(v) for v in cell_values(brief, c, labels=False))
                for c in row.cells) or "any case") + "</td>")
        for n in () if wide else names:
            cell = row.cell(n)
            cells.append(
                "<td>" + " / ".join(_e(v) for v in cell_values(brief, cell, labels=False))
                + "</td>" if cell else '<td class="any">—</td>'
            )
        rules = ", ".join(_rule_link(x) for x in row.deciding_rules) or "—"
        v = str(row.verdict)
        rows.append(
            f'<tr><td><span class="v {v}">{_e(verdict_words(row.verdict))}</span></td>'
            f'{"".join(cells)}<td class="rules">{rules}</td></tr>'
        )
    tally = ", ".join(
        f'<span class="v {v}">{n} {_e(verdict_words(v))}</span>' for v, n in counts.items()
    )
    note = (
        "" if table.complete
        else "<p><b>The table is incomplete:</b> the fact space is larger than the analysis "
        "can explore.</p>"
    )
    if table.left_out:
        note += (f"<p>{table.left_out} impossible cases are left out: they break a constraint "
                 "between the facts.</p>")
    return (
        '<section id="table"><h2>Decision table</h2>'
        "<p>Every case the fact vocabulary can describe, with every rule counted at once (no "
        "date given): each row is a set of cases with one verdict, and the rules that decide "
        f"it (— means any value). Rows: {tally}.</p>{note}"
        f'<details open><summary>{len(table.rows)} rows</summary><div class="scroll">'
        f'<table><thead><tr><th>verdict</th>{head}<th>deciding rules</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div></details></section>"
    )


def _rules(brief: Brief) -> str:
    out = ['<section id="rules"><h2>How the reporting was read</h2>',
           "<p>Each rule is read from the claims it rests on; the reading is stated so a "
           "reader can disagree with it.</p>"]
    for rule in brief.ruleset.rules:
        eff = str(rule.effect)
        title = _e(rule.title) if rule.title else ""
        overrides = (
            "<li>An exception to " + ", ".join(_rule_link(o) for o in rule.overrides) + ".</li>"
            if rule.overrides else ""
        )
        out.append(
            f'<div class="rule" id="rule-{_e(rule.id)}"><span class="eff {eff}">{eff}</span>'
            f"<h3>{title or f'<code>{_e(rule.id)}</code>'}</h3>"
            f"<ul><li>Rule <code>{_e(rule.id)}</code>, in force "
            f"{_e(rule_period_text(brief, rule.id))}"
            + (f" ({_e(_one_line(rule.effective.basis))})" if rule.effective else "")
            + ".</li>"
            "<li>Rests on " + ", ".join(_claim_link(c) for c in rule.because) + ".</li>"
            f"{overrides}"
            + "".join(f"<li>{_e(line)}</li>" for line in rule_notes(brief, rule))
            + f"<li>Reading: {_e(_one_line(rule.note))}</li></ul></div>"
        )
    out.append("</section>")
    return "".join(out)


def _sources(brief: Brief) -> str:
    counts: dict[str, int] = {}
    for r in brief.ruleset.claims.values():
        counts[r.claim.source] = counts.get(r.claim.source, 0) + 1
    items = []
    for s in sorted(brief.ruleset.sources.values(),
                    key=lambda s: (s.published is None, s.published or date.min, s.id)):
        when = _e(long_date(s.published)) if s.published else "no date shown"
        title = f" — <i>{_e(s.title)}</i>" if s.title else ""
        items.append(
            f'<li id="source-{_e(s.id)}">{_source_link(s)}{title}<br>'
            f'<span class="common">{when} · <code>{_e(s.id)}</code> · '
            f"{counts.get(s.id, 0)} claims · archived {_e(s.archive.content)} text, sha256 "
            f"<code>{_e(s.archive.sha256[:12])}…</code></span></li>"
        )
    return ('<section id="sources"><h2>Sources</h2><ul class="sources">'
            + "".join(items) + "</ul></section>")


_NAV = (
    ("provisions", "Policy"),
    ("timeline", "Timeline"),
    ("disagreements", "Disagreements"),
    ("unaddressed", "Unaddressed"),
    ("table", "Decision table"),
    ("rules", "Rules"),
    ("others", "Other statements"),
    ("sources", "Sources"),
)


def _linked_data(rs: Ruleset) -> str:
    """The ruleset's claims as schema.org JSON-LD (as `claimrules export` writes them), in a
    script element no ruleset string can close."""
    from claimrules.reporters.embed import script_element  # noqa: PLC0415
    from claimrules.reporters.export import jsonld  # noqa: PLC0415

    return script_element(jsonld(rs), "application/ld+json")


def render_html(brief: Brief) -> str:
    """The brief as one self-contained HTML document, ending with one newline."""
    rs = brief.ruleset
    stats = "".join(
        f'<li><a href="#{section}"><b>{n}</b>{_e(noun)}</a></li>'
        for n, noun, section in summary_counts(brief)
    )
    nav = "".join(f'<li><a href="#{k}">{_e(v)}</a></li>' for k, v in _NAV)
    desc = (
        f'<p class="lede">{_e(_one_line(rs.meta.description))}</p>'
        if rs.meta.description else ""
    )
    body = [
        '<header id="top"><p class="kicker">Reported-policy brief · as reported</p>',
        f"<h1>{_e(rs.meta.title)}</h1>{desc}",
        f'<p class="asreported"><b>As reported.</b> {_e(AS_REPORTED)}</p>',
        f'<ul class="stats">{stats}</ul>',
        f'<nav aria-label="sections"><ol>{nav}</ol></nav></header><main>',
        '<section id="provisions"><h2>The policy as reported</h2>'
        "<p>The provisions — what the reporting says is allowed or barred, and within which "
        "limits — quoted verbatim, source by source, earliest first.</p>",
        _groups(brief, brief.provisions),
        "</section>",
        _timeline(brief),
        _disagreements(brief),
        _gaps(brief),
        _table(brief),
        _rules(brief),
        '<section id="others"><h2>Other statements in the reporting</h2>'
        "<p>Context, rationales, reactions, assessments and forecasts the sources report.</p>"
        f"<details><summary>Show {sum(len(g.claims) for g in brief.others)} statements"
        f"</summary>{_groups(brief, brief.others)}</details></section>",
        _sources(brief),
        f"</main><footer><p>{_e(AS_REPORTED)}</p><p>Generated by claimrules {_e(__version__)} "
        f'from ruleset <code>{_e(rs.id)}</code>. <a href="#top">Back to top</a></p></footer>',
    ]
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="claimrules {_e(__version__)}">\n'
        f"<title>{_e(rs.meta.title)} — brief, as reported</title>\n"
        f"<style>{_CSS}</style>\n{_linked_data(rs)}\n</head>\n<body>\n<div class=\"wrap\">"
        + "".join(body)
        + f"</div>\n<script>{_SCRIPT}</script>\n</body>\n</html>\n"
    )
