"""The terminal explanation of a decision: a verdict that says "as reported", the quotes behind
it, and why every other rule did not count.

The phrasing helpers (`fact_test_text`, `reason_text`, `period_text`, ...) are shared with the
Markdown reporter; they take a `code` function so Markdown can set names and values as code
spans while the terminal shows them plain.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable, Sequence
from datetime import date

from claimrules.engine.decision import (
    CitedClaim,
    ConditionFailed,
    Decision,
    MissingFactOutcome,
    MissingFacts,
    NotBySpeakers,
    NotInSources,
    NotYetReported,
    OpenQuestion,
    OutOfPeriod,
    OverriddenBy,
    Period,
    Reason,
    RuleOutcome,
    RuleStatus,
    Strength,
    Support,
    TestOutcome,
    Verdict,
)
from claimrules.load.domain import (
    Attribution,
    ClaimKind,
    Effect,
    Fact,
    FactType,
    FactValue,
    Unknown,
)
from claimrules.load.ruleset import Ruleset
from claimrules.reporters import escape

#: Widest line the text explanation writes (long URLs excepted: they are never broken).
WIDTH = 100

Code = Callable[[str], str]

_VERDICT_ORDER = tuple(Verdict)

#: ANSI colours of the verdict word; `2` is "dim".
_COLOURS: dict[Verdict, str] = {
    Verdict.PERMITTED: "1;32",
    Verdict.PROHIBITED: "1;31",
    Verdict.CONTESTED: "1;33",
    Verdict.INDETERMINATE: "1;36",
    Verdict.NOT_ADDRESSED: "2",
}

#: How a comparison reads, for numbers and for dates.
_COMPARISONS: dict[str, tuple[str, str]] = {
    "lt": ("below", "before"),
    "le": ("at most", "on or before"),
    "gt": ("above", "after"),
    "ge": ("at least", "on or after"),
}

#: Characters after which a quote starting mid-text continues a sentence.
_MID_SENTENCE = ",;:(-–—"


def _plain(s: str) -> str:
    return s


# --- phrasing shared with the Markdown reporter ---------------------------------------------


def verdict_name(verdict: Verdict) -> str:
    """The verdict in words: `not_addressed` reads "not addressed"."""
    return str(verdict).replace("_", " ")


def verdicts_text(verdicts: Iterable[Verdict]) -> str:
    """Verdicts as a list in words, in the verdict table's order: "permitted or contested"."""
    names = [verdict_name(v) for v in sorted(set(verdicts), key=_VERDICT_ORDER.index)]
    if not names:
        return "nothing"
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " or " + names[-1]


def value_text(value: object) -> str:
    """A fact value or operand as written in a scenario: `true`, `2024-06-01`, `deep_inside`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def value_label(fact: Fact | None, value: FactValue) -> str:
    """A value as a person reads it: the enum value's label, "yes"/"no" for booleans."""
    if fact is not None and isinstance(value, str):
        label = fact.label(value)
        if label:
            return label
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value_text(value)


def fact_test_text(t: TestOutcome, code: Code = _plain) -> str:
    """One fact test against the scenario's value: "area is deep_inside, not one of a, b"."""
    fact, value = code(t.fact), code(value_text(t.value))
    if t.operator in ("is", "in"):
        if t.held:
            return f"{fact} is {value}"
        members = t.operand if isinstance(t.operand, tuple | list) else [t.operand]
        wanted = ", ".join(code(value_text(m)) for m in members)
        return f"{fact} is {value}, not {'one of ' if len(members) > 1 else ''}{wanted}"
    words = _COMPARISONS.get(t.operator, (t.operator, t.operator))
    word = words[1] if isinstance(t.value, date) else words[0]
    operand = code(value_text(t.operand))
    return f"{fact} is {value}, {'' if t.held else 'not '}{word} {operand}"


def fact_tests_text(tests: Sequence[TestOutcome], code: Code = _plain) -> str:
    """Why a condition is false: the tests that failed, and the tests that held where the rule
    excludes them (under a `not`): "it excludes cases where area is across_from_kharkiv"."""
    failed = " and ".join(fact_test_text(t, code) for t in tests if not t.held)
    held = " and ".join(fact_test_text(t, code) for t in tests if t.held)
    excluded = f"it excludes cases where {held}" if held else ""
    return "; ".join(x for x in (failed, excluded) if x) or "its condition does not hold"


def dates_text(start: date | None, until: date | None) -> str:
    """A period's dates: "from 2024-05-30", "from A until B", "at every date"."""
    if start and until:
        return f"from {start.isoformat()} until {until.isoformat()}"
    if start:
        return f"from {start.isoformat()}"
    if until:
        return f"until {until.isoformat()}"
    return "at every date"


def unknown_date_text(u: Unknown) -> str:
    """An unknown date with its bounds: "an unknown date (not before A, not after B)"."""
    bounds = [
        f"{word} {d.isoformat()}"
        for word, d in (("not before", u.not_before), ("not after", u.not_after))
        if d is not None
    ]
    return "an unknown date" + (f" ({', '.join(bounds)})" if bounds else "")


def period_dates_text(p: Period) -> str:
    """A period's dates, unknown ends with their bounds: "from an unknown date (not before
    2024-05-23, not after 2024-05-30)"."""
    dates = dates_text(p.start, p.until)
    if p.start_unknown is not None or p.until_unknown is not None:
        start = (
            f"from {unknown_date_text(p.start_unknown)}" if p.start_unknown is not None
            else dates_text(p.start, None) if p.start else ""
        )
        until = (
            f"until {unknown_date_text(p.until_unknown)}" if p.until_unknown is not None
            else f"until {p.until.isoformat()}" if p.until else ""
        )
        dates = " ".join(x for x in (start, until) if x)
    return dates


def period_text(p: Period, code: Code = _plain, text: Code = _plain) -> str:
    """When a rule is in effect and where that comes from (`text` escapes the stated basis)."""
    dates = period_dates_text(p)
    if p.basis:
        return f"{dates} (basis: {text(' '.join(p.basis.split()))})"
    if p.derived_from:
        return f"{dates} (derived from the earliest report, {code(p.derived_from)})"
    if p.start is None and p.until is None and p.start_unknown is None:
        return f"{dates} (undated)"
    return dates


def reason_text(outcome: RuleOutcome, code: Code = _plain) -> str:
    """Why a rule did not apply, is overridden, undecided or not in force, in one phrase."""
    r: Reason = outcome.reason
    if isinstance(r, ConditionFailed):
        return fact_tests_text(r.tests, code)
    if isinstance(r, MissingFacts):
        open_parts = open_parts_text(outcome, code)
        needs = "needs " + ", ".join(code(f) for f in r.facts) if r.facts else ""
        return "; ".join(x for x in (needs, *open_parts) if x) or "undecided"
    if isinstance(r, OverriddenBy):
        refined = {rid for rid, _ in r.refinements}
        plain = [x for x in r.rules if x not in refined]
        parts = []
        if plain:
            parts.append(f"overridden by {', '.join(code(x) for x in plain)}, an exception to it")
        if refined:
            by = ", ".join(code(x) for x in sorted(refined))
            parts.append(f"refined by {by}, a more specific reported limit")
        return "; ".join(parts)
    if isinstance(r, OutOfPeriod):
        return (
            f"in effect {period_dates_text(outcome.period)}; "
            f"the policy is read as of {r.as_of.isoformat()}"
        )
    if isinstance(r, NotYetReported):
        known = r.known_by.isoformat()
        if r.earliest is None:
            return f"rests only on undated claims, which cannot be shown to be reported by {known}"
        undated = any(c.undated for c in outcome.claims)
        return f"first reported {r.earliest.isoformat()}, after {known}" + (
            "; its other claims are undated" if undated else ""
        )
    if isinstance(r, NotInSources):
        return "from other sources only"
    if isinstance(r, NotBySpeakers):
        return "said by other speakers only"
    return ""


def open_parts_text(outcome: RuleOutcome, code: Code = _plain) -> list[str]:
    """What the reporting leaves open about a rule: its period at as_of, its terms."""
    parts = []
    pu = outcome.period_unknown
    if pu is not None:
        undated = ", ".join(code(s) for s in pu.sources)
        parts.append(
            f"whether it was in force on {pu.as_of.isoformat()} is not known"
            + (f" (undated: {undated})" if undated else "")
        )
    if outcome.terms is not None:
        parts.append("its terms were not reported")
    return parts


def attribution_text(a: Attribution | None, outlet: str | None = None) -> str:
    """Who said it: "the source's own voice", "attributed to X (anonymous)", or the whole
    chain of relays: "LIGA.net ← Axios ← an informed source (anonymous)"."""
    if a is None:
        return "the source's own voice"
    who = f"{a.who} ({'on record' if a.on_record else 'anonymous'})"
    if not a.via:
        return f"attributed to {who}"
    chain = [*([outlet] if outlet else []), *a.via, who]
    return "relayed: " + " ← ".join(chain)


def support_text(support: Support) -> str:
    """The strength of what backs a verdict: "2 sources, anonymous officials only"."""
    n = support.sources
    text = f"{n} source" + ("" if n == 1 else "s")
    strength = {
        Strength.ON_RECORD: "",
        Strength.ANONYMOUS: "anonymous officials only",
        Strength.HEDGED: "hedged reports only",
        Strength.SPECULATIVE: "forecasts or speculation only",
        Strength.NONE: "",
    }[support.strength]
    extra = [x for x in (strength, "undated only" if support.undated_only else "",
                         "relayed only" if support.relayed_only else "") if x]
    return ", ".join([text, *extra])


def source_label(c: CitedClaim) -> str:
    """The outlet when known, else the source id."""
    return c.outlet or c.source


def claim_date(c: CitedClaim) -> str:
    """The date the claim was reported, or "undated"."""
    return c.reported_on.isoformat() if c.reported_on else "undated"


def quote_text(c: CitedClaim, ruleset: Ruleset) -> str:
    """The quote on one line, with "…" where it starts or stops mid-sentence in its source."""
    quote = " ".join(c.quote.split())
    if not quote:
        return quote
    text = ruleset.archives.get(c.source)
    head = quote[0].islower()
    tail = False
    if text is not None and 0 <= c.start <= c.end <= len(text):
        before = text[: c.start].rstrip(" \t")
        if before and (before[-1].isalnum() or before[-1] in _MID_SENTENCE):
            head = True
        after = text[c.end :].lstrip(" \t")
        tail = bool(after) and (after[0].isalnum() or after[0] in _MID_SENTENCE)
    return ("…" if head else "") + quote + ("…" if tail else "")


def quote_opening(c: CitedClaim, words: int = 8) -> str:
    """The first words of a quote, to refer back to it once it has been quoted in full."""
    parts = c.quote.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def headline_text(decision: Decision) -> str:
    """What follows the verdict word: "as reported by 2 sources, anonymous officials only"."""
    sources = support_text(decision.support)
    v = decision.verdict
    if v is Verdict.CONTESTED:
        return f"as reported by {sources}, which disagree"
    if v is Verdict.INDETERMINATE:
        why = []
        if decision.missing_facts or not decision.unknowns:
            why.append("facts the scenario does not give")
        if any(q.kind == "period" for q in decision.unknowns):
            why.append("dates the reporting does not give")
        if any(q.kind == "terms" for q in decision.unknowns):
            why.append("terms that were not reported")
        listed = ", ".join(why[:-1]) + " and " + why[-1] if len(why) > 1 else why[0]
        return "as reported, it depends on " + listed
    if v is Verdict.NOT_ADDRESSED:
        return "as reported, nothing in the reporting we hold covers this case"
    return f"as reported by {sources}"


def scenario_items(decision: Decision, ruleset: Ruleset) -> list[str]:
    """The scenario's facts as `name=value`, in the vocabulary's declared order."""
    order = {name: i for i, name in enumerate(ruleset.facts)}
    names = sorted(decision.facts, key=lambda n: (order.get(n, len(order)), n))
    return [f"{n}={value_text(decision.facts[n])}" for n in names]


def excluded_text(decision: Decision) -> str | None:
    """The sentence on undated claims left out by `known_by`, when there are any."""
    if decision.known_by is None or not decision.excluded_undated:
        return None
    n = len(decision.excluded_undated)
    claims = "claim was" if n == 1 else "claims were"
    return (
        f"{n} undated {claims} left out: they cannot be shown to have been reported by "
        f"{decision.known_by.isoformat()}"
    )


def outcome_map(decision: Decision) -> dict[str, RuleOutcome]:
    """Each rule's outcome by rule id."""
    return {o.rule: o for o in decision.rules}


def deciding_outcomes(decision: Decision) -> list[RuleOutcome]:
    """The deciding rules' outcomes, in the decision's order (rules missing from the trace
    when explanations were off are skipped)."""
    by_id = outcome_map(decision)
    return [by_id[r] for r in decision.deciding_rules if r in by_id]


def closest_groups(decision: Decision, code: Code = _plain) -> list[tuple[str, list[RuleOutcome]]]:
    """Rules that did not apply, grouped by the phrase saying why, largest group first."""
    groups: dict[str, list[RuleOutcome]] = {}
    for o in decision.rules:
        if o.status is RuleStatus.DOES_NOT_APPLY:
            groups.setdefault(reason_text(o, code), []).append(o)
    order = {k: i for i, k in enumerate(groups)}
    return sorted(groups.items(), key=lambda kv: (-len(kv[1]), order[kv[0]]))


def undecided_heading(verdict: Verdict) -> str:
    """The heading of the rules left open by missing facts."""
    if verdict is Verdict.INDETERMINATE:
        return "Undecided"
    return "Undecided (the verdict holds either way)"


def inactive_order(o: RuleOutcome) -> tuple[int, str]:
    """Rules not in force, grouped by why: out of period, not yet reported, not in sources."""
    kinds = (OutOfPeriod, NotYetReported, NotInSources, NotBySpeakers)
    for i, kind in enumerate(kinds):
        if isinstance(o.reason, kind):
            return (i, o.rule)
    return (len(kinds), o.rule)


def cited_sources(outcomes: Iterable[RuleOutcome]) -> list[CitedClaim]:
    """One claim per source cited by these rules (for the source's outlet, title, URL)."""
    seen: dict[str, CitedClaim] = {}
    for o in outcomes:
        for c in o.claims:
            seen.setdefault(c.source, c)
    return [seen[s] for s in sorted(seen)]


def sources_outcomes(decision: Decision) -> tuple[str, list[RuleOutcome]]:
    """The heading and the rules whose sources the explanation lists: the deciding rules, or,
    when no rule decides, every rule in force (the reporting consulted)."""
    deciding = deciding_outcomes(decision)
    if deciding:
        return "Sources", deciding
    in_force = [o for o in decision.rules if o.status is not RuleStatus.INACTIVE]
    return "Reporting consulted", in_force


# --- the text layout ------------------------------------------------------------------------


def _fill(text: str, first: str, rest: str | None = None) -> list[str]:
    return textwrap.wrap(
        text,
        width=WIDTH,
        initial_indent=first,
        subsequent_indent=rest if rest is not None else first,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [first.rstrip()]


def _effect(effect: Effect) -> str:
    return f"{effect!s:<8}"


def _paint(word: str, verdict: Verdict, color: bool) -> str:
    if not color:
        return word
    return f"\x1b[{_COLOURS[verdict]}m{word}\x1b[0m"


def _header(decision: Decision, ruleset: Ruleset, color: bool) -> list[str]:
    word = _paint(verdict_name(decision.verdict).upper(), decision.verdict, color)
    lines = [f"{word} — {headline_text(decision)}"]
    items = scenario_items(decision, ruleset)
    lines += _fill(", ".join(items) if items else "no facts given", "Scenario: ", " " * 10)
    if decision.as_of:
        lines.append(f"Policy as of {decision.as_of.isoformat()}")
    if decision.known_by:
        lines.append(f"Knowing only what was reported by {decision.known_by.isoformat()}")
        excluded = excluded_text(decision)
        if excluded:
            lines += _fill(excluded, "  ")
    if decision.sources is not None:
        lines += _fill(", ".join(decision.sources) + " (only)", "According to: ", " " * 14)
    if decision.speakers is not None:
        lines += _fill(", ".join(decision.speakers) + " (only)", "As said by: ", " " * 12)
    return lines


def _rule_block(o: RuleOutcome, ruleset: Ruleset, quoted: set[str]) -> list[str]:
    head = f"{_effect(o.effect)}  {o.rule}" + (f" — {o.title}" if o.title else "")
    lines = _fill(head, "  ", " " * 12)
    for c in o.claims:
        if c.id in quoted:
            lines += _fill(f'(also cites "{quote_opening(c)}", quoted above)', "    ", "     ")
            continue
        quoted.add(c.id)
        lines += _fill(f'"{quote_text(c, ruleset)}"', "    ", "     ")
        lines += _fill(cite_text(c), " " * 7, " " * 9)
    if o.note:
        lines += _fill(" ".join(o.note.split()), "    reading: ", " " * 13)
    if o.note_withheld:
        lines += _fill(
            "the rest of the reading note draws on reporting outside this reading and is "
            "not shown" if o.note else
            "the reading note draws on reporting outside this reading and is not shown",
            "    reading: ", " " * 13,
        )
    if o.terms is not None:
        lines += _fill(" ".join((o.terms.note or "the note draws on reporting outside this "
                                 "reading and is not shown").split()),
                       "    terms not reported: ", " " * 8)
    lines += _fill(period_text(o.period), "    in effect: ", " " * 15)
    for c in o.context:
        lines += _fill(f'"{quote_text(c, ruleset)}"', "    context: ", " " * 14)
        lines += _fill(cite_text(c), " " * 14, " " * 16)
    if isinstance(o.reason, MissingFacts):
        needs = ", ".join(o.reason.facts)
        if needs:
            lines += _fill(
                f"whether it applies depends on {needs}, which the scenario does not give",
                "    note: ",
                " " * 10,
            )
        for part in open_parts_text(o):
            lines += _fill(part, "    note: ", " " * 10)
    return lines


def cite_text(c: CitedClaim) -> str:
    """Where a quote comes from: outlet · date · who said it · how firmly · what kind."""
    parts = [source_label(c), claim_date(c), attribution_text(c.attributed_to, c.outlet),
             str(c.modality)]
    if c.kind is not ClaimKind.PROVISION:
        parts.append(str(c.kind).replace("_", " "))
    return " · ".join(parts)


def _why(decision: Decision, ruleset: Ruleset) -> list[str]:
    deciding = deciding_outcomes(decision)
    quoted: set[str] = set()
    lines: list[str] = []
    if decision.verdict is Verdict.CONTESTED:
        lines += _fill(
            "The reporting gives both answers here, and neither side is reported as an exception "
            "to the other, so neither prevails.",
            "",
        )
        for effect, heading in ((Effect.PERMIT, "Permitted"), (Effect.PROHIBIT, "Prohibited")):
            side = [o for o in deciding if o.effect is effect]
            if not side:
                continue
            lines += ["", f"{heading}, according to"]
            for i, o in enumerate(side):
                lines += ([""] if i else []) + _rule_block(o, ruleset, quoted)
        return lines
    lines.append("Why")
    for i, o in enumerate(deciding):
        lines += ([""] if i else []) + _rule_block(o, ruleset, quoted)
    if not deciding and decision.claims:
        # explanations were off: only the cited claims are known
        for c in decision.claims:
            lines += _fill(f'"{quote_text(c, ruleset)}"', "    ", "     ")
            lines += _fill(f"{source_label(c)} · {claim_date(c)}", " " * 7)
    return lines


def _refined(outcomes: list[RuleOutcome], ruleset: Ruleset) -> list[str]:
    """General statements that a more specific reported limit refines, with their quotes."""
    lines = ["Refined by a more specific limit"]
    quoted: set[str] = set()
    for i, o in enumerate(outcomes):
        lines += ([""] if i else []) + _rule_block(o, ruleset, quoted)
        if isinstance(o.reason, OverriddenBy):
            for rid, note in o.reason.refinements:
                said = " ".join(note.split()) if note else (
                    "(the note draws on reporting outside this reading and is not shown)")
                lines += _fill(f"{rid}: {said}", "    refined by ", " " * 15)
    return lines


def _outcome_lines(outcomes: Iterable[RuleOutcome]) -> list[str]:
    lines: list[str] = []
    for o in outcomes:
        lines += _fill(f"{_effect(o.effect)}  {o.rule}: {reason_text(o)}", "  ", " " * 12)
    return lines


def open_question_text(q: OpenQuestion, code: Code = _plain) -> str:
    """What the reporting leaves open, in one sentence."""
    rule = code(q.rule)
    if q.kind == "period":
        undated = ", ".join(code(s) for s in q.sources)
        return (
            f"Whether {rule} was already (or still) in force: the reporting does not date it"
            + (f" (undated: {undated})" if undated else "")
        )
    return f"Whether the case falls within the terms of {rule}, which were not reported"


def open_answer_text(q: OpenQuestion, value: bool) -> str:
    """The words for one answer to an open question."""
    if q.kind == "period":
        return "in force" if value else "not in force"
    return "within the terms" if value else "outside them"


def _open(decision: Decision, ruleset: Ruleset) -> list[str]:
    lines: list[str] = []
    for q in decision.unknowns:
        lines += ["", *_fill(open_question_text(q), "  ", "    ")]
        if q.claim is not None:
            lines += _fill(f'"{quote_text(q.claim, ruleset)}"', "    ", "     ")
            lines += _fill(cite_text(q.claim), " " * 7, " " * 9)
        if q.note:
            lines += _fill(" ".join(q.note.split()), "    reading: ", " " * 13)
        for value, verdicts in q.outcomes:
            lines.append(f"    {open_answer_text(q, value):<17} → {verdicts_text(verdicts)}")
    return lines


def _depends(decision: Decision, ruleset: Ruleset) -> list[str]:
    lines = ["Depends on"]
    possible = verdicts_text(decision.possible) if decision.possible else None
    if possible:
        lines += _fill(f"It could be {possible}, depending on:", "  ")
    lines += _open(decision, ruleset)
    for m in decision.missing:
        lines += ["", *_missing_fact(m, ruleset.facts.get(m.fact))]
    listed = {m.fact for m in decision.missing}
    for name in decision.missing_facts:
        if name not in listed:
            fact = ruleset.facts.get(name)
            question = fact.question if fact else name
            lines += _fill(f"{question} ({name})", "  ", "    ")
    return lines


def _missing_fact(m: MissingFactOutcome, fact: Fact | None) -> list[str]:
    lines = _fill(f"{m.question} ({m.fact})", "  ", "    ")
    numeric = fact is not None and fact.type in (FactType.NUMBER, FactType.DATE)
    shown = [
        f"{m.fact} = {value_text(v)}" if numeric else value_label(fact, v) for v, _ in m.outcomes
    ]
    gives = [f"→ {verdicts_text(vs)}" for _, vs in m.outcomes]
    pad = max((len(x) for x in shown), default=0)
    aligned = 4 + pad + 2 + max((len(g) for g in gives), default=0) <= WIDTH
    for label, arrow in zip(shown, gives, strict=True):
        if aligned:
            lines.append(f"    {label:<{pad}}  {arrow}")
        else:
            lines += _fill(label, "    ", "      ")
            lines += _fill(arrow, "      ", "        ")
    return lines


def _closest(decision: Decision) -> list[str]:
    lines = ["Closest rules, none of which applies"]
    for i, (why, outcomes) in enumerate(closest_groups(decision)):
        lines += ([""] if i else []) + _fill(why, "  ", "    ")
        for o in outcomes:
            head = f"{_effect(o.effect)}  {o.rule}" + (f" — {o.title}" if o.title else "")
            lines += _fill(head, "    ", " " * 14)
    return lines


def _sources(decision: Decision) -> list[str]:
    heading, outcomes = sources_outcomes(decision)
    claims = cited_sources(outcomes)
    if not claims:
        return []
    if not decision.deciding_rules:
        # no rule decides: name the reporting consulted, without the full references
        return _fill(", ".join(c.source for c in claims), f"{heading}: ", "  ")
    lines = [heading]
    for c in claims:
        parts = [c.outlet] if c.outlet else []
        if c.title:
            parts.append(f'"{c.title}"')
        parts.append(c.published.isoformat() if c.published else "undated")
        if not c.outlet and not c.url:
            parts.append("no outlet or URL on record")
        lines += _fill(f"{c.source} — " + " · ".join(parts), "  ", "    ")
        if c.url:
            lines.append(f"    {c.url}")  # never wrapped: a URL is copied whole
    return lines


def render_decision(decision: Decision, ruleset: Ruleset, *, color: bool = False) -> str:
    """The explanation a person reads at a terminal; ANSI colour on the verdict when `color`.
    Control characters from the ruleset or scenario are made visible (`escape.terminal`)
    before the colour, the only escape sequence written, is put on."""
    sections: list[list[str]] = [_header(decision, ruleset, False)]
    v = decision.verdict
    by_status: dict[RuleStatus, list[RuleOutcome]] = {s: [] for s in RuleStatus}
    deciding = set(decision.deciding_rules)
    for o in decision.rules:
        if o.rule not in deciding:
            by_status[o.status].append(o)
    if v is Verdict.INDETERMINATE:
        sections.append(_depends(decision, ruleset))
        applying = by_status[RuleStatus.APPLIES]
        if applying:
            quoted: set[str] = set()
            lines = ["Already applies, whatever the open questions are"]
            for i, o in enumerate(applying):
                lines += ([""] if i else []) + _rule_block(o, ruleset, quoted)
            sections.append(lines)
    elif v is Verdict.NOT_ADDRESSED:
        if by_status[RuleStatus.DOES_NOT_APPLY]:
            sections.append(_closest(decision))
    else:
        sections.append(_why(decision, ruleset))
    refined = [
        o for o in by_status[RuleStatus.OVERRIDDEN]
        if isinstance(o.reason, OverriddenBy) and o.reason.refinements
    ]
    if refined:
        sections.append(_refined(refined, ruleset))
    overridden = [o for o in by_status[RuleStatus.OVERRIDDEN] if o not in refined]
    if overridden:
        sections.append(["Overridden", *_outcome_lines(overridden)])
    if by_status[RuleStatus.DOES_NOT_APPLY] and v is not Verdict.NOT_ADDRESSED:
        sections.append(["Did not apply", *_outcome_lines(by_status[RuleStatus.DOES_NOT_APPLY])])
    if by_status[RuleStatus.UNDECIDED]:
        heading = undecided_heading(v)
        sections.append([heading, *_outcome_lines(by_status[RuleStatus.UNDECIDED])])
    inactive = sorted(by_status[RuleStatus.INACTIVE], key=inactive_order)
    if inactive:
        sections.append(["Not in force", *_outcome_lines(inactive)])
    sources = _sources(decision)
    if sources:
        sections.append(sources)
    out = escape.terminal("\n\n".join("\n".join(s) for s in sections) + "\n")
    if color:
        word = verdict_name(v).upper()
        out = _paint(word, v, True) + out.removeprefix(word)
    return out
