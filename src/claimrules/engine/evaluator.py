"""Evaluate a scenario against a ruleset: a pure function of (ruleset, facts, as_of, known_by,
sources) returning a Decision with a typed trace. No I/O, no clock, no printing.

Missing facts make rule conditions *unknown* (Kleene logic). When some rule is undecided, the
evaluator splits the space of completions of the missing facts it reads (each enum/bool value,
and representatives of number/date facts split at the rules' thresholds), re-evaluating at each
branch, until no rule is undecided. The leaves partition every completion, so a verdict other
than `indeterminate` holds for every completion (the soundness law).

Speed never changes an answer (tests/test_equivalence.py holds the fast path to a plain
reference evaluator): the rule index (`compile.RuleIndex`) finds the few rules a scenario can
trigger, every other rule being false on a known fact, each with the tests its key has not
already shown true; rule outcomes of explanations are shared between decisions; and
`evaluate` / `evaluate_many` remember the decision for each scenario already answered (a plain
dict of strings, booleans and Nones), per (as_of, known_by, sources, explain), in memos bounded
in size and kept on the compiled ruleset.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import cast

from claimrules.engine.combine import combine
from claimrules.engine.compile import (
    Candidate,
    CompiledNode,
    CompiledRule,
    CompiledRuleset,
    Facts,
    conjoin,
    gc_paused,
    is_pseudo,
    pseudo_rule,
    rule_period,
)
from claimrules.engine.constraints import complete as complete_scenario
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
    PeriodUnknown,
    Reason,
    RuleOutcome,
    RuleStatus,
    Support,
    UnreportedTermsOutcome,
    Verdict,
)
from claimrules.engine.search import (
    MAX_LEAVES,
    Leaf,
    deciding_under_unknowns,
    explore,
    mattering_facts,
    settle_open,
    value_outcomes,
)
from claimrules.engine.why import condition_value, outcomes_of, why, why_false
from claimrules.engine.why import failing as failing_tests
from claimrules.load.domain import (
    FactValue,
    Unknown,
    grounds,
    parse_iso_date,
)
from claimrules.load.ruleset import Ruleset
from claimrules.load.scenario import coerce_facts, coerce_value

# Homes of the engine's steps, named here too for the modules that import them from here.
__all__ = [
    "MAX_LEAVES",
    "Context",
    "Leaf",
    "build_context",
    "combine",
    "condition_value",
    "decide",
    "evaluate",
    "evaluate_many",
    "explore",
    "settle_open",
    "speakers_of",
    "why",
]


@dataclass(frozen=True)
class Context:
    """A reading: the rules in force under (as_of, known_by, sources, speakers), each with the
    claims this reading may cite, and the period it may show.

    `active` holds every rule that may apply: one whose period is unknown at `as_of` as its
    gated copy (its test reads `@period:ID`). `cited` holds, per active rule, its claims the
    reading keeps; `context` the context claims it keeps; `periods` the rule's period as far as
    the reading's claims give it; `withheld` the rules whose note draws on claims the reading
    leaves out.
    """

    active: tuple[CompiledRule, ...]
    cited: Mapping[int, tuple[CitedClaim, ...]]
    inactive: Mapping[int, Reason]
    excluded_undated: tuple[str, ...]
    active_ids: frozenset[int] | None = None  # None: every rule is active
    gated: Mapping[int, CompiledRule] = field(default_factory=dict)
    periods: Mapping[int, Period] = field(default_factory=dict)
    context: Mapping[int, tuple[CitedClaim, ...]] = field(default_factory=dict)
    kept: frozenset[str] | None = None  # ids of the claims the reading keeps (None: all)
    as_of: date | None = None
    # Rule outcomes already built under this context, shared between decisions.
    outcomes: dict[tuple[object, ...], RuleOutcome] = field(
        default_factory=dict, compare=False, repr=False
    )


#: The undated claims a `known_by` reading leaves out (they cannot be shown to have been
#: reported by then), collected while the reading is built.
_Undated = set[str]


def _keeps(
    claim: CitedClaim,
    wanted: frozenset[str] | None,
    speakers: frozenset[str] | None,
    known_by: date | None,
    undated: _Undated,
) -> bool:
    """Whether a reading keeps a claim: from a named source, said by a named speaker, and
    certainly reported by `known_by` (an undated claim only when its source's bounds show it)."""
    if wanted is not None and claim.source not in wanted:
        return False
    if speakers is not None and claim.speaker.casefold() not in speakers:
        return False
    if known_by is not None:
        if claim.latest is not None and claim.latest <= known_by:
            return True
        if claim.earliest is None or claim.earliest <= known_by:
            undated.add(claim.id)  # maybe reported by then, but not shown to be
        return False
    return True


def build_context(
    compiled: CompiledRuleset,
    as_of: date | None,
    known_by: date | None,
    sources: tuple[str, ...] | None,
    speakers: tuple[str, ...] | None = None,
) -> Context:
    """The reading under valid time, knowledge time, sources and speakers (see Context).

    A rule counts when the reading keeps at least one of its grounding claims (a provision,
    not speculative). Its period comes from what the reading keeps (`compile.rule_period`);
    at `as_of` it is in force, not in force, or unknown — and an unknown period gates the rule
    on `@period:ID`, so the verdict is determinate only if it holds either way.
    """
    key = (as_of, known_by, sources, speakers)
    cache = compiled.contexts
    known: Context | None = cache.get(key)
    if known is not None:
        return known
    active: list[CompiledRule] = []
    cited: dict[int, tuple[CitedClaim, ...]] = {}
    inactive: dict[int, Reason] = {}
    gated: dict[int, CompiledRule] = {}
    periods: dict[int, Period] = {}
    context: dict[int, tuple[CitedClaim, ...]] = {}
    undated: _Undated = set()
    wanted = frozenset(sources) if sources is not None else None
    said_by = frozenset(s.casefold() for s in speakers) if speakers is not None else None
    filtered = wanted is not None or said_by is not None or known_by is not None
    everything = compiled.ruleset.claims
    kept_ids: frozenset[str] | None = None
    if filtered:
        kept_ids = frozenset(
            cid for cid, rec in everything.items()
            if _keeps(compiled.citation(cid), wanted, said_by, known_by, undated)
        )
    for rule in compiled.rules:
        claims = rule.claims
        if kept_ids is not None:
            claims = tuple(c for c in claims if c.id in kept_ids)
        if not any(grounds(c) for c in claims):
            inactive[rule.index] = _why_inactive(rule, wanted, said_by, known_by)
            continue
        period = rule.period if kept_ids is None else rule_period(
            rule.rule, everything, kept_ids
        )
        periods[rule.index] = period
        if as_of is not None:
            state = period.in_force(as_of)
            if state is False:
                inactive[rule.index] = OutOfPeriod(as_of, period.start, period.until)
                continue
            if state is None:
                gated[rule.index] = rule.gated()
        active.append(gated.get(rule.index, rule))
        cited[rule.index] = claims
        context[rule.index] = (
            rule.context if kept_ids is None
            else tuple(c for c in rule.context if c.id in kept_ids)
        )
    ids = frozenset(cited) if inactive else None
    relevant = {c.id for r in compiled.rules for c in (*r.claims, *r.context)}
    ctx = Context(
        tuple(active), cited, inactive, tuple(sorted(undated & relevant)), ids, gated, periods,
        context, kept_ids, as_of,
    )
    if len(cache) < 256:
        cache[key] = ctx
    return ctx


def _why_inactive(
    rule: CompiledRule,
    wanted: frozenset[str] | None,
    speakers: frozenset[str] | None,
    known_by: date | None,
) -> Reason:
    """Why a reading keeps none of a rule's grounding claims: the first filter that left
    none."""
    claims = [c for c in rule.claims if grounds(c)]
    if wanted is not None:
        claims = [c for c in claims if c.source in wanted]
        if not claims:
            return NotInSources(tuple(sorted(wanted)))
    if speakers is not None:
        claims = [c for c in claims if c.speaker.casefold() in speakers]
        if not claims:
            return NotBySpeakers(tuple(sorted(speakers)))
    dates = [c.reported_on for c in claims if c.reported_on is not None]
    return NotYetReported(known_by or date.min, min(dates) if dates else None)


def _unique_claims(
    rules: tuple[CompiledRule, ...], cited: Mapping[int, tuple[CitedClaim, ...]]
) -> tuple[CitedClaim, ...]:
    if len(rules) == 1:
        claims = cited[rules[0].index]
        if len(claims) < 2:  # nothing to leave out
            return claims
    seen: dict[str, CitedClaim] = {}
    for r in rules:
        for c in cited[r.index]:
            seen.setdefault(c.id, c)
    return tuple(seen.values())


def decide(
    compiled: CompiledRuleset,
    facts: Facts,
    *,
    as_of: date | None = None,
    known_by: date | None = None,
    sources: tuple[str, ...] | None = None,
    speakers: tuple[str, ...] | None = None,
    explain: bool = True,
) -> Decision:
    """Evaluate already-typed facts. `explain=False` skips the per-rule trace and the
    per-value outcomes of missing facts (the verdict, rules, claims and missing facts stay).

    `facts` may also set pseudo-facts (`@period:ID`, `@terms:ID`): what the reporting leaves
    open, settled one way — the soundness law's completions do so."""
    if compiled.ruleset.meta.constraints:  # implied values filled in; impossible: refused
        facts = complete_scenario(compiled.ruleset.meta.constraints, facts, compiled.ruleset.facts)
    ctx = build_context(compiled, as_of, known_by, sources, speakers)
    candidates = _candidates(compiled, ctx, facts)
    applicable: list[CompiledRule] = []
    undecided: list[CompiledRule] = []
    for r, test in candidates:
        value = test(facts)
        if value is True:
            applicable.append(r)
        elif value is None:
            undecided.append(r)
    missing: tuple[MissingFactOutcome, ...] = ()
    missing_names: tuple[str, ...] = ()
    unknowns: tuple[OpenQuestion, ...] = ()
    if not undecided:
        verdict, standing = combine(applicable)
        possible: tuple[Verdict, ...] = (verdict,)
    else:
        # Rules outside the candidates are false in every completion: exploring without them
        # visits the same leaves.
        leaves, complete = explore(compiled, tuple(r for r, _ in candidates), facts)
        verdicts = sorted({leaf.verdict for leaf in leaves})
        possible = tuple(verdicts)
        if len(verdicts) == 1 and complete:
            verdict = verdicts[0]
            standing = deciding_under_unknowns(verdict, applicable, leaves)
        else:
            verdict, standing = Verdict.INDETERMINATE, ()
            order = compiled.fact_order
            if complete:
                names = mattering_facts(leaves)
            else:
                names = {n for r in undecided for n in r.reads if n not in facts}
            missing_names = tuple(sorted(
                (n for n in names if not is_pseudo(n)), key=order.__getitem__
            ))
            open_names = sorted(n for n in names if is_pseudo(n))
            unknowns = tuple(
                _open_question(compiled, ctx, n, leaves, as_of) for n in open_names
            )
            if explain:
                missing = tuple(_fact_outcomes(compiled, n, leaves) for n in missing_names)
    deciding = standing if len(standing) < 2 else tuple(sorted(standing, key=lambda r: r.id))
    claims = _unique_claims(deciding, ctx.cited)
    return Decision(
        verdict=verdict,
        deciding_rules=tuple(r.id for r in deciding),
        claims=claims,
        missing_facts=missing_names,
        as_of=as_of,
        known_by=known_by,
        sources=sources,
        facts={k: v for k, v in facts.items() if not is_pseudo(k)},
        rules=_explained(compiled, ctx, applicable, undecided, facts) if explain else (),
        missing=missing,
        excluded_undated=ctx.excluded_undated,
        ruleset=compiled.ruleset.id,
        possible=possible,
        speakers=speakers,
        support=Support.of(tuple(c for c in claims if grounds(c))),
        unknowns=unknowns,
        context=_unique_claims(deciding, ctx.context) if deciding else (),
    )


#: From this many rules, an explanation (one outcome per rule) pauses the cyclic garbage
#: collector while it is built: its many small acyclic objects would otherwise set off
#: collections that walk the whole (large) ruleset, several times per decision.
GC_PAUSE_RULES = 500


def _explained(
    compiled: CompiledRuleset,
    ctx: Context,
    applicable: list[CompiledRule],
    undecided: list[CompiledRule],
    facts: Facts,
) -> tuple[RuleOutcome, ...]:
    values = _values(ctx, applicable, undecided)
    if len(compiled.rules) < GC_PAUSE_RULES:
        return _outcomes(compiled, ctx, values, facts, applicable)
    with gc_paused():
        return _outcomes(compiled, ctx, values, facts, applicable)


def _candidates(compiled: CompiledRuleset, ctx: Context, facts: Facts) -> list[Candidate]:
    """The active rules that may apply or stay undecided, in rule order, each with the test
    that decides it on these facts; every other active rule is false on these facts (the index
    found a required value contradicted)."""
    try:
        # A plain dict: a look-up must not call a mapping's own __getitem__ (a defaultdict's
        # would add keys).
        found = compiled.rule_index().lookup(facts if facts.__class__ is dict else dict(facts))
    except TypeError:  # an unhashable value: no index lookup, test every rule
        return [(r, r.test) for r in ctx.active]
    ids = ctx.active_ids
    gated = ctx.gated
    if gated:
        found = [
            (gated[r.index], conjoin(gated[r.index].gate, t))
            if r.index in gated else (r, t)
            for r, t in found
        ]
    if ids is None:
        return found
    return [c for c in found if c[0].index in ids]


def _values(
    ctx: Context, applicable: list[CompiledRule], undecided: list[CompiledRule]
) -> dict[int, bool | None]:
    """Each active rule's condition value: true, unknown, or (for every other rule) false."""
    values: dict[int, bool | None] = dict.fromkeys(ctx.cited, False)
    for r in applicable:
        values[r.index] = True
    for r in undecided:
        values[r.index] = None
    return values


def _fact_outcomes(compiled: CompiledRuleset, name: str, leaves: list[Leaf]) -> MissingFactOutcome:
    fact = compiled.ruleset.facts[name]
    return MissingFactOutcome(name, fact.question, value_outcomes(compiled, name, leaves))


def _open_question(
    compiled: CompiledRuleset, ctx: Context, name: str, leaves: list[Leaf], as_of: date | None
) -> OpenQuestion:
    """What the reporting leaves open behind a pseudo-fact, as far as the reading shows it."""
    kind, rule_id = pseudo_rule(name)
    rule = compiled.by_id[rule_id]
    outcomes = tuple(
        (bool(v), verdicts) for v, verdicts in value_outcomes(compiled, name, leaves)
    )
    if kind == "terms":
        terms = rule.rule.unreported_terms
        if terms is None:  # pragma: no cover - only such rules read `@terms:ID`
            raise AssertionError(name)
        claim = compiled.citation(terms.claim)
        shown = claim if ctx.kept is None or claim.id in ctx.kept else None
        note = terms.note if _terms_note_shown(rule, ctx.kept) else None
        return OpenQuestion("terms", rule_id, (), shown, note, outcomes)
    return OpenQuestion("period", rule_id, _undated_sources(ctx, rule), None, None, outcomes)


def _undated_sources(ctx: Context, rule: CompiledRule) -> tuple[str, ...]:
    """The sources of a rule's undated claims that the reading keeps."""
    claims = ctx.cited.get(rule.index, ())
    return tuple(sorted({c.source for c in claims if c.reported_on is None}))


#: Rule outcomes kept per context for reuse across decisions, before that cache starts afresh.
OUTCOME_CACHE = 1 << 14


def _outcomes(
    compiled: CompiledRuleset,
    ctx: Context,
    values: Mapping[int, bool | None],
    facts: Facts,
    applicable: list[CompiledRule],
) -> tuple[RuleOutcome, ...]:
    by_override: dict[int, list[str]] = {}
    for r in applicable:
        for i in r.overrides:
            by_override.setdefault(i, []).append(r.id)
    cache = ctx.outcomes
    if len(cache) > OUTCOME_CACHE:
        cache.clear()
    out = []
    for r in compiled.in_id_order or sorted(compiled.rules, key=lambda r: r.id):
        i = r.index
        value = None if i in ctx.inactive else values[i]
        failing: tuple[tuple[CompiledNode, bool], ...] = ()
        # Equal outcomes are one shared (frozen) value: the key says all the outcome depends on.
        key: tuple[object, ...] | None
        if i in ctx.inactive:
            key = (i,)
        elif value is True:
            key = (i, True, tuple(sorted(by_override.get(i, ()))))
        elif value is False and r.node is not None:
            failing = failing_tests(r.node, facts, False)
            key = (i, False, *((n, w, facts[n.fact].__class__, facts[n.fact])  # type: ignore[index]
                               for n, w in failing))
        else:
            key = None
        try:
            known = cache.get(key) if key is not None else None
        except TypeError:  # an unhashable fact value (only `decide` with untyped facts)
            key, known = None, None
        if known is None:
            known = _outcome(compiled, ctx, r, value, facts, by_override, failing)
            if key is not None:
                cache[key] = known
        out.append(known)
    return tuple(out)


def _outcome(
    compiled: CompiledRuleset,
    ctx: Context,
    r: CompiledRule,
    value: bool | None,
    facts: Facts,
    by_override: Mapping[int, list[str]],
    failing: tuple[tuple[CompiledNode, bool], ...],
) -> RuleOutcome:
    reason: Reason
    kept = ctx.kept
    claims = ctx.cited.get(r.index)
    if claims is None:
        claims = r.claims if kept is None else tuple(c for c in r.claims if c.id in kept)
    note, withheld = _note(r, kept)
    period = ctx.periods.get(r.index, r.period if kept is None else _no_period())
    if r.index in ctx.inactive:
        status, reason = RuleStatus.INACTIVE, ctx.inactive[r.index]
    elif value is True:
        if r.index in by_override:
            status = RuleStatus.OVERRIDDEN
            by = tuple(sorted(by_override[r.index]))
            reason = OverriddenBy(by, _refinements(compiled, r, by, kept))
        else:
            status, reason = RuleStatus.APPLIES, None
    elif value is False:
        status = RuleStatus.DOES_NOT_APPLY
        tests = outcomes_of(failing, facts) if failing else why_false(compiled, r, facts)
        reason = ConditionFailed(tests)
    else:
        status = RuleStatus.UNDECIDED
        order = compiled.fact_order
        names = sorted(
            (n for n in r.reads if n not in facts and not is_pseudo(n)), key=order.__getitem__
        )
        reason = MissingFacts(tuple(names))
    terms = None
    if r.rule.unreported_terms is not None:
        t = r.rule.unreported_terms
        claim = compiled.citation(t.claim)
        shown = kept is None or claim.id in kept
        terms = UnreportedTermsOutcome(claim if shown else None,
                                       t.note if _terms_note_shown(r, kept) else None)
    return RuleOutcome(
        rule=r.id,
        effect=r.effect,
        status=status,
        reason=reason,
        claims=claims,
        note=note,
        title=r.rule.title,
        period=period,
        overrides=r.overrides_ids or tuple(sorted(r.rule.overrides)),
        context=ctx.context.get(r.index, ()),
        note_withheld=withheld,
        period_unknown=(
            PeriodUnknown(ctx.as_of, _undated_sources(ctx, r))
            if r.index in ctx.gated and ctx.as_of is not None else None
        ),
        terms=terms,
    )


def _refinements(
    compiled: CompiledRuleset, rule: CompiledRule, by: tuple[str, ...], kept: frozenset[str] | None
) -> tuple[tuple[str, str | None], ...]:
    """(rule id, note) of the overriding rules that refine `rule`; the note is None where the
    reading may not show it (it leaves out a claim of the refining rule)."""
    out: list[tuple[str, str | None]] = []
    for rid in by:
        other = compiled.by_id[rid].rule
        shown = kept is None or all(c in kept for c in other.because)
        out.extend((rid, x.note if shown else None) for x in other.refines if x.rule == rule.id)
    return tuple(out)


def _terms_note_shown(rule: CompiledRule, kept: frozenset[str] | None) -> bool:
    """A note on unreported terms is a reading of the rule's claims: shown only in a reading
    that keeps every one of them and the claim that says terms exist."""
    terms = rule.rule.unreported_terms
    if kept is None or terms is None:
        return True
    return terms.claim in kept and all(c in kept for c in rule.rule.because)


def _no_period() -> Period:
    return Period(None, None, None, None, Unknown())


def _note(rule: CompiledRule, kept: frozenset[str] | None) -> tuple[str | None, bool]:
    """The reading note as far as a reading keeping the claims `kept` may show it: the parts
    whose claims it keeps (a plain note draws on every claim of the rule), and whether any
    part was left out."""
    r = rule.rule
    if kept is None:
        return r.note, False
    if not r.note_parts:
        if all(c in kept for c in r.because):
            return r.note, False
        return None, True
    shown = [p.text for p in r.note_parts if all(c in kept for c in p.claims)]
    return (" ".join(shown) or None), len(shown) < len(r.note_parts)


def as_date(value: object, name: str) -> date | None:
    """A date argument of the Python API: a `date` (a `datetime` counts as its day), a
    `YYYY-MM-DD` string, or None. Raises TypeError or ValueError naming the argument."""
    if value is None:
        return None
    if not isinstance(value, date | str):
        raise TypeError(
            f"`{name}` must be a date or a `YYYY-MM-DD` string, not {type(value).__name__}"
        )
    try:
        return cast(date, parse_iso_date(value))  # a date, its day for a datetime, or raises
    except ValueError as exc:
        raise ValueError(f"`{name}`: {exc}") from None


def _as_sources(sources: Iterable[str] | None) -> tuple[str, ...] | None:
    if sources is None:
        return None
    if isinstance(sources, str):
        sources = [sources]
    return tuple(sorted(set(sources)))


#: Decisions a ruleset remembers, shared out between its memos (one per as_of, known_by,
#: sources and explain); a memo that reaches its share starts afresh.
MEMO_DECISIONS = 1 << 14
#: A memo's share never drops below this many decisions...
MEMO_MIN_SHARE = 1 << 12
#: ...and a ruleset keeps at most this many memos before starting them all afresh.
MEMO_CONTEXTS = 8
#: With explanations a decision holds one outcome per rule: a memo keeps at most this many.
MEMO_OUTCOMES = 1 << 20

# A remembered decision: the decision, the scenario it answers (a private copy), and the
# positions of its boolean values (equal to `True`/`False` is not enough: `1` is no boolean).
_Entry = tuple[Decision, dict[str, object], tuple[int, ...]]
_Memo = dict[tuple[object, ...], _Entry]


def _memo(
    compiled: CompiledRuleset, key: tuple[object, ...], explain: bool
) -> tuple[_Memo | None, int]:
    """The memo of decisions under one context, and how many decisions it may hold."""
    memos = compiled.decisions
    try:
        memo = memos.get(key)
    except TypeError:  # an unhashable date argument: no memo (and the evaluation will say why)
        return None, 0
    if memo is None:
        if len(memos) >= MEMO_CONTEXTS:
            memos.clear()
        memo = memos[key] = {}
    limit = max(MEMO_MIN_SHARE, MEMO_DECISIONS // len(memos))
    if explain:
        limit = max(1, min(limit, MEMO_OUTCOMES // max(1, len(compiled.rules))))
    return memo, limit


def _recall(memo: _Memo | None, facts: Mapping[str, object]) -> Decision | None:
    """The decision already made for an equal scenario: same names and values, in the same
    order, with booleans where it had booleans. Only plain dicts are looked up."""
    if memo is None or facts.__class__ is not dict:
        return None
    values = tuple(facts.values())
    try:
        entry = memo.get(values)
    except TypeError:  # an unhashable value (a list, a mapping): never remembered
        return None
    if entry is None or entry[1] != facts:
        return None
    for i in entry[2]:
        if values[i].__class__ is not bool:
            return None
    return entry[0]


def _remember(
    memo: _Memo | None, limit: int, facts: Mapping[str, object], decision: Decision
) -> None:
    """Remember a decision for a plain dict scenario of strings, booleans and Nones; numbers and
    dates are left out (`1 == 1.0 == True` and `-0.0 == 0.0` would blur what was asked)."""
    if memo is None or facts.__class__ is not dict:
        return
    values = tuple(facts.values())
    bools = []
    for i, v in enumerate(values):
        kind = v.__class__
        if kind is bool:
            bools.append(i)
        elif kind is not str and v is not None:
            return
    if len(memo) >= limit:
        memo.clear()
    memo[values] = (decision, dict(facts), tuple(bools))


def _typed(compiled: CompiledRuleset, facts: Mapping[str, object]) -> dict[str, FactValue]:
    """`coerce_facts` of the scenario, with a quick path for enum and boolean values given
    exactly; anything else (and every error) goes through `coerce_facts` itself."""
    vocabulary = compiled.ruleset.facts
    sets = compiled.value_sets
    out: dict[str, FactValue] = {}
    for name, value in facts.items():
        if name not in sets:
            return coerce_facts(vocabulary, facts)  # reports the unknown fact (and the rest)
        if value is None:
            continue
        kind = sets[name]
        if kind is None:
            try:
                out[name] = coerce_value(vocabulary[name], value)
            except ValueError:
                return coerce_facts(vocabulary, facts)
        elif value.__class__ is kind[0] and value in kind[1]:
            out[name] = value  # type: ignore[assignment]  # a str or bool, checked just above
        else:
            return coerce_facts(vocabulary, facts)
    return out


def evaluate(
    ruleset: Ruleset,
    facts: Mapping[str, object],
    *,
    as_of: date | str | None = None,
    known_by: date | str | None = None,
    sources: Iterable[str] | None = None,
    speakers: Iterable[str] | None = None,
    explain: bool = True,
) -> Decision:
    """What the reported policy says about one scenario.

    `facts` maps fact names to values (enum strings, booleans, numbers, dates or `YYYY-MM-DD`
    strings; `None` means unknown). Raises ScenarioError for unknown facts or bad values, and
    ValueError for unknown source ids. `as_of` and `known_by` are dates or `YYYY-MM-DD` strings
    (TypeError or ValueError otherwise). Decisions are remembered per ruleset: an equal
    scenario asked again gets the same (frozen) Decision object back.
    """
    as_of, known_by = as_date(as_of, "as_of"), as_date(known_by, "known_by")
    compiled = ruleset.compiled()
    wanted = _as_sources(sources)
    said_by = _as_sources(speakers)
    memo, limit = _memo(compiled, (as_of, known_by, wanted, said_by, explain), explain)
    known = _recall(memo, facts)
    if known is not None:
        return known
    typed = _typed(compiled, facts)
    _check_reading(ruleset, wanted, said_by)
    decision = decide(
        compiled, typed, as_of=as_of, known_by=known_by, sources=wanted, speakers=said_by,
        explain=explain,
    )
    _remember(memo, limit, facts, decision)
    return decision


def evaluate_many(
    ruleset: Ruleset,
    scenarios: Iterable[Mapping[str, object]],
    *,
    as_of: date | str | None = None,
    known_by: date | str | None = None,
    sources: Iterable[str] | None = None,
    speakers: Iterable[str] | None = None,
    explain: bool = False,
) -> Iterator[Decision]:
    """Evaluate many fact mappings lazily, in order. Explanations are off by default.

    Each decision is the one `evaluate` gives; scenarios equal to one answered before get the
    remembered (frozen) Decision object back without being validated or evaluated again.
    """
    as_of, known_by = as_date(as_of, "as_of"), as_date(known_by, "known_by")
    compiled = ruleset.compiled()
    wanted = _as_sources(sources)
    said_by = _as_sources(speakers)
    try:
        _check_reading(ruleset, wanted, said_by)
    except ValueError:
        for facts in scenarios:  # fails on the first scenario, exactly as `evaluate` does
            yield evaluate(
                ruleset, facts, as_of=as_of, known_by=known_by, sources=sources,
                speakers=speakers, explain=explain,
            )
        return
    memo, limit = _memo(compiled, (as_of, known_by, wanted, said_by, explain), explain)
    if memo is None:
        for facts in scenarios:
            yield decide(compiled, _typed(compiled, facts), as_of=as_of, known_by=known_by,
                         sources=wanted, speakers=said_by, explain=explain)
        return
    get = memo.get
    for facts in scenarios:
        # The look-up of `_recall`, inlined: this loop is the batch fast path.
        if facts.__class__ is dict:
            values = tuple(facts.values())
            try:
                entry = get(values)
            except TypeError:
                entry = None
            if entry is not None and entry[1] == facts:
                for i in entry[2]:
                    if values[i].__class__ is not bool:
                        break
                else:
                    yield entry[0]
                    continue
        decision = decide(compiled, _typed(compiled, facts), as_of=as_of, known_by=known_by,
                          sources=wanted, speakers=said_by, explain=explain)
        _remember(memo, limit, facts, decision)
        yield decision


def speakers_of(ruleset: Ruleset) -> dict[str, tuple[str, ...]]:
    """Every speaker the ruleset's claims quote (see `CitedClaim.speaker`), with the ids of
    their claims, by name."""
    compiled = ruleset.compiled()
    out: dict[str, list[str]] = {}
    for cid in ruleset.claims:
        out.setdefault(compiled.citation(cid).speaker, []).append(cid)
    return {name: tuple(ids) for name, ids in sorted(out.items(), key=lambda i: i[0].casefold())}


def _check_reading(
    ruleset: Ruleset, sources: tuple[str, ...] | None, speakers: tuple[str, ...] | None
) -> None:
    """Raise ValueError for a source id or a speaker the ruleset does not know."""
    if sources is not None:
        unknown = [s for s in sources if s not in ruleset.sources]
        if unknown:
            raise ValueError(f"unknown source `{unknown[0]}`")
    if speakers is not None:
        names = ruleset.compiled().contexts.get(("speakers",))
        if names is None:
            names = ruleset.compiled().contexts[("speakers",)] = frozenset(
                n.casefold() for n in speakers_of(ruleset)
            )
        unknown = [s for s in speakers if s.casefold() not in names]
        if unknown:
            raise ValueError(f"unknown speaker `{unknown[0]}`")
