"""The Markdown explanation of a decision: the text explanation's content as a document, with
quotes as blockquotes citing (and linking) their sources and tables for the rules that did not
count. User data is escaped; names and values are set as code spans."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from claimrules.engine.decision import (
    CitedClaim,
    Decision,
    MissingFactOutcome,
    MissingFacts,
    OverriddenBy,
    RuleOutcome,
    RuleStatus,
    Verdict,
)
from claimrules.load.domain import ClaimKind, Effect, Fact, FactType
from claimrules.load.ruleset import Ruleset
from claimrules.reporters import escape
from claimrules.reporters.text import (
    attribution_text,
    cited_sources,
    claim_date,
    closest_groups,
    deciding_outcomes,
    excluded_text,
    headline_text,
    inactive_order,
    open_answer_text,
    open_parts_text,
    open_question_text,
    period_text,
    quote_opening,
    quote_text,
    reason_text,
    scenario_items,
    source_label,
    sources_outcomes,
    undecided_heading,
    value_label,
    value_text,
    verdict_name,
    verdicts_text,
)

_esc = escape.markdown
_code = escape.markdown_code
_cell = escape.markdown_cell


def _link(label: str, url: str | None) -> str:
    return escape.markdown_link(_esc(label), url)


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def _title(o: RuleOutcome) -> str:
    return _esc(o.title) if o.title else ""


def _header(decision: Decision, ruleset: Ruleset) -> list[str]:
    word = verdict_name(decision.verdict).capitalize()
    lines = [f"## {word} — {headline_text(decision)}", ""]
    items = scenario_items(decision, ruleset)
    lines.append(
        "- **Scenario:** " + (", ".join(_code(i) for i in items) if items else "no facts given")
    )
    if decision.as_of:
        lines.append(f"- **Policy as of:** {decision.as_of.isoformat()}")
    if decision.known_by:
        known = f"- **Knowing only what was reported by:** {decision.known_by.isoformat()}"
        excluded = excluded_text(decision)
        lines.append(known + (f". {excluded}." if excluded else ""))
    if decision.sources is not None:
        named = ", ".join(_code(s) for s in decision.sources)
        lines.append(f"- **According to:** {named} only")
    if decision.speakers is not None:
        named = ", ".join(_esc(s) for s in decision.speakers)
        lines.append(f"- **As said by:** {named} only")
    return lines


def _citation(c: CitedClaim) -> str:
    parts = [
        _link(source_label(c), c.url),
        claim_date(c),
        _esc(attribution_text(c.attributed_to, c.outlet)),
        str(c.modality),
    ]
    if c.kind is not ClaimKind.PROVISION:
        parts.append(str(c.kind).replace("_", " "))
    return "— " + ", ".join(parts)


def _rule_block(o: RuleOutcome, ruleset: Ruleset, quoted: set[str]) -> list[str]:
    title = f" — {_title(o)}" if o.title else ""
    lines = [f"**{o.effect}** {_code(o.rule)}{title}", ""]
    for c in o.claims:
        if c.id in quoted:
            lines += [f"*Also cites “{_esc(quote_opening(c))}”, quoted above.*", ""]
            continue
        quoted.add(c.id)
        lines += [f"> “{_esc(quote_text(c, ruleset))}”", ">", f"> {_citation(c)}", ""]
    if o.note:
        lines += [f"*Reading:* {_esc(o.note)}", ""]
    if o.note_withheld:
        lines += ["*Reading:* (draws on reporting outside this reading; not shown)", ""]
    if o.terms is not None:
        note = _esc(o.terms.note) if o.terms.note else "(note not shown in this reading)"
        lines += [f"*Terms not reported:* {note}", ""]
    lines += [f"*In effect:* {period_text(o.period, _code, _esc)}", ""]
    for c in o.context:
        lines += [f"> Context: “{_esc(quote_text(c, ruleset))}”", ">", f"> {_citation(c)}", ""]
    if isinstance(o.reason, MissingFacts):
        if o.reason.facts:
            needs = ", ".join(_code(f) for f in o.reason.facts)
            lines += [
                f"*Note:* whether it applies depends on {needs}, which the scenario does not "
                "give.",
                "",
            ]
        for part in open_parts_text(o, _code):
            lines += [f"*Note:* {part}.", ""]
    return lines


def _why(decision: Decision, ruleset: Ruleset) -> list[str]:
    deciding = deciding_outcomes(decision)
    quoted: set[str] = set()
    lines = ["### Why", ""]
    if decision.verdict is Verdict.CONTESTED:
        lines += [
            "The reporting gives both answers here, and neither side is reported as an "
            "exception to the other, so neither prevails.",
            "",
        ]
        for effect, heading in ((Effect.PERMIT, "Permitted"), (Effect.PROHIBIT, "Prohibited")):
            side = [o for o in deciding if o.effect is effect]
            if side:
                lines += [f"#### {heading}, according to", ""]
                for o in side:
                    lines += _rule_block(o, ruleset, quoted)
        return lines
    for o in deciding:
        lines += _rule_block(o, ruleset, quoted)
    if not deciding:
        # explanations were off: only the cited claims are known
        for c in decision.claims:
            lines += [f"> “{_esc(quote_text(c, ruleset))}”", ">", f"> {_citation(c)}", ""]
    return lines


def _missing_fact(m: MissingFactOutcome, fact: Fact | None) -> list[str]:
    lines = [f"**{_esc(m.question)}** ({_code(m.fact)})", ""]
    numeric = fact is not None and fact.type in (FactType.NUMBER, FactType.DATE)
    rows = []
    for value, verdicts in m.outcomes:
        raw = _code(value_text(value))
        label = value_label(fact, value)
        shown = raw if numeric or label == value_text(value) else f"{_esc(label)} ({raw})"
        rows.append((shown, verdicts_text(verdicts)))
    return [*lines, *_table(("value", "would leave"), rows), ""]


def _depends(decision: Decision, ruleset: Ruleset) -> list[str]:
    lines = ["### Depends on", ""]
    if decision.possible:
        lines += [f"It could be {verdicts_text(decision.possible)}, depending on:", ""]
    for q in decision.unknowns:
        lines += [f"**{open_question_text(q, _code)}**", ""]
        if q.claim is not None:
            quote = _esc(quote_text(q.claim, ruleset))
            lines += [f"> “{quote}”", ">", f"> {_citation(q.claim)}", ""]
        if q.note:
            lines += [f"*Reading:* {_esc(q.note)}", ""]
        rows = [(open_answer_text(q, v), verdicts_text(vs)) for v, vs in q.outcomes]
        lines += [*_table(("if", "would leave"), rows), ""]
    for m in decision.missing:
        lines += _missing_fact(m, ruleset.facts.get(m.fact))
    listed = {m.fact for m in decision.missing}
    for name in decision.missing_facts:
        if name not in listed:
            fact = ruleset.facts.get(name)
            lines.append(f"- {_esc(fact.question)} ({_code(name)})" if fact else f"- {_code(name)}")
    if listed != set(decision.missing_facts):
        lines.append("")
    return lines


def _closest(decision: Decision) -> list[str]:
    rows = [
        (_code(o.rule), str(o.effect), _title(o), why)
        for why, outcomes in closest_groups(decision, _code)
        for o in outcomes
    ]
    return [
        "### Closest rules, none of which applies",
        "",
        *_table(("rule", "effect", "what it covers", "why not"), rows),
        "",
    ]


def _outcome_table(heading: str, why: str, outcomes: Sequence[RuleOutcome]) -> list[str]:
    rows = [(_code(o.rule), str(o.effect), reason_text(o, _code)) for o in outcomes]
    return [f"### {heading}", "", *_table(("rule", "effect", why), rows), ""]


def _sources(decision: Decision) -> list[str]:
    heading, outcomes = sources_outcomes(decision)
    claims = cited_sources(outcomes)
    if not claims:
        return []
    lines = [f"### {heading}", ""]
    for c in claims:
        parts = [_link(c.outlet or c.url or "", c.url)] if c.outlet or c.url else []
        if c.title:
            parts.append(f"“{_esc(c.title)}”")
        parts.append(c.published.isoformat() if c.published else "undated")
        if not c.outlet and not c.url:
            parts.append("no outlet or URL on record")
        lines.append(f"- {_code(c.source)} — " + ", ".join(parts))
    return [*lines, ""]


def render_decision(decision: Decision, ruleset: Ruleset) -> str:
    """The explanation as a Markdown document."""
    lines = [*_header(decision, ruleset), ""]
    v = decision.verdict
    by_status: dict[RuleStatus, list[RuleOutcome]] = {s: [] for s in RuleStatus}
    deciding = set(decision.deciding_rules)
    for o in decision.rules:
        if o.rule not in deciding:
            by_status[o.status].append(o)
    if v is Verdict.INDETERMINATE:
        lines += _depends(decision, ruleset)
        if by_status[RuleStatus.APPLIES]:
            quoted: set[str] = set()
            lines += ["### Already applies, whatever the open questions are", ""]
            for o in by_status[RuleStatus.APPLIES]:
                lines += _rule_block(o, ruleset, quoted)
    elif v is Verdict.NOT_ADDRESSED:
        if by_status[RuleStatus.DOES_NOT_APPLY]:
            lines += _closest(decision)
    else:
        lines += _why(decision, ruleset)
    refined = [o for o in by_status[RuleStatus.OVERRIDDEN]
               if isinstance(o.reason, OverriddenBy) and o.reason.refinements]
    if refined:
        quoted_refined: set[str] = set()
        lines += ["### Refined by a more specific limit", ""]
        for o in refined:
            lines += _rule_block(o, ruleset, quoted_refined)
            for rid, note in o.reason.refinements:  # type: ignore[union-attr]
                said = _esc(" ".join(note.split())) if note else "(note not shown in this reading)"
                lines += [f"*Refined by* {_code(rid)}: {said}", ""]
    overridden = [o for o in by_status[RuleStatus.OVERRIDDEN] if o not in refined]
    if overridden:
        lines += _outcome_table("Overridden", "why", overridden)
    if by_status[RuleStatus.DOES_NOT_APPLY] and v is not Verdict.NOT_ADDRESSED:
        lines += _outcome_table("Did not apply", "why", by_status[RuleStatus.DOES_NOT_APPLY])
    if by_status[RuleStatus.UNDECIDED]:
        lines += _outcome_table(undecided_heading(v), "why", by_status[RuleStatus.UNDECIDED])
    inactive = sorted(by_status[RuleStatus.INACTIVE], key=inactive_order)
    if inactive:
        lines += _outcome_table("Not in force", "why", inactive)
    lines += _sources(decision)
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"
