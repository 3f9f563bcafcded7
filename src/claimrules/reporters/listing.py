"""Plain-text listings of claims and sources."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

from claimrules.reporters.json import attribution
from claimrules.ruleset import ClaimRecord, Ruleset


def _who(record: ClaimRecord) -> str:
    a = attribution(record.claim.attributed_to)
    if a is None:
        return "the source's own voice"
    text = f"attributed to {a['who']} ({'on record' if a['on_record'] else 'anonymous'})"
    return text + (f" via {a['via']}" if a["via"] else "")


def claims_text(ruleset: Ruleset, records: Iterable[ClaimRecord]) -> str:
    """Each claim: id, kind and modality, the quote, and who said it when."""
    lines: list[str] = []
    for r in records:
        c = r.claim
        when = r.reported_on.isoformat() if r.reported_on else "undated"
        lines.append(f"{c.id}  [{c.kind} · {c.modality}]")
        lines.extend(
            textwrap.wrap(f"“{c.quote}”", width=96, initial_indent="  ", subsequent_indent="   ")
        )
        lines.append(f"    {c.source} · {when} · {_who(r)} · chars {r.start}–{r.end}")
        lines.append("")
    n = len([x for x in lines if not x])
    lines.append(f"{n} claim{'s' if n != 1 else ''}")
    return "\n".join(lines) + "\n"


def sources_text(ruleset: Ruleset) -> str:
    """Each source: id, outlet and date, headline, URL, archive and how many claims cite it."""
    counts: dict[str, int] = {}
    for r in ruleset.claims.values():
        counts[r.claim.source] = counts.get(r.claim.source, 0) + 1
    lines: list[str] = []
    for s in ruleset.sources.values():
        when = s.published.isoformat() if s.published else "undated"
        lines.append(f"{s.id}  {s.outlet or '(outlet unknown)'} · {when}")
        if s.title:
            lines.extend(
                textwrap.wrap(s.title, width=96, initial_indent="  ", subsequent_indent="  ")
            )
        if s.url:
            lines.append(f"  {s.url}")
        lines.append(
            f"  archive: {s.archive.file} ({s.archive.content}) · {counts.get(s.id, 0)} claims"
        )
        lines.append("")
    lines.append(f"{len(ruleset.sources)} sources")
    return "\n".join(lines) + "\n"
