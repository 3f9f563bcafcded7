"""Plain-text listings of claims, facts and sources, and `check`'s summary of a ruleset."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

from claimrules.load.check_report import Summary
from claimrules.load.ruleset import ClaimRecord, Ruleset
from claimrules.reporters.json import attribution


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


def fact_values(ruleset: Ruleset, name: str) -> list[tuple[str, str | None]]:
    """A fact's values as a scenario writes them, with their labels."""
    from claimrules.load.domain import FactType  # noqa: PLC0415

    fact = ruleset.facts[name]
    if fact.type is FactType.ENUM:
        return [(v, fact.label(v)) for v in fact.value_names()]
    if fact.type is FactType.BOOL:
        return [("true", "yes"), ("false", "no")]
    return []


def facts_json(ruleset: Ruleset) -> dict[str, object]:
    """The fact vocabulary: each fact's type, question, description and values with labels."""
    out = []
    for name, fact in ruleset.facts.items():
        entry: dict[str, object] = {
            "name": name,
            "type": str(fact.type),
            "question": fact.question,
            "description": fact.description,
            "values": [{"value": v, "label": label} for v, label in fact_values(ruleset, name)],
        }
        if fact.unit or fact.minimum is not None or fact.maximum is not None:
            entry.update(unit=fact.unit, minimum=fact.minimum, maximum=fact.maximum)
        out.append(entry)
    return {"ruleset": ruleset.id, "facts": out}


def facts_text(ruleset: Ruleset) -> str:
    """The fact vocabulary, one fact a block: name and type, question, description, values."""
    lines: list[str] = []
    for name, fact in ruleset.facts.items():
        kind = {"bool": "yes or no", "date": "date YYYY-MM-DD"}.get(
            str(fact.type), str(fact.type))
        lines.append(f"{name} ({kind}) — {fact.question}")
        lines.extend(textwrap.wrap(fact.description, width=96, initial_indent="    ",
                                   subsequent_indent="    "))
        for value, label in fact_values(ruleset, name):
            if str(fact.type) != "bool":
                lines.append(f"  {value}" + (f" — {label}" if label else ""))
        if fact.minimum is not None or fact.maximum is not None:
            lines.append(f"  from {fact.minimum} to {fact.maximum} {fact.unit or ''}".rstrip())
        lines.append("")
    lines.append("write them as --fact NAME=VALUE (yes/no or true/false for yes-or-no facts), "
                 "or under `facts:` in a scenario file")
    return "\n".join(lines) + "\n"


def check_summary_text(s: Summary) -> str:
    """`claimrules check`'s line for a ruleset that loaded: what it holds."""
    return (f"ok: {s.ruleset}: {s.sources} sources, {s.claims} claims "
            f"({s.quotes_verified} quotes verified), {s.facts} facts, "
            f"{s.rules} rules, {s.cases} cases\n")
