"""A decision and its explanation: the verdict of one (typed) scenario under a reading, the
deciding rules and their claims, what the missing facts and the open questions leave possible,
and one outcome per rule (why it applies, fails, is undecided or inactive).

`decide` is the per-scenario search: the rule index finds the candidate rules, and when some
stay undecided `search.explore` partitions the completions of the missing facts. Rule outcomes
are shared between decisions under one reading (`Context.outcomes`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

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
)
from claimrules.engine.constraints import complete as complete_scenario
from claimrules.engine.context import Context, build_context
from claimrules.engine.decision import (
    CitedClaim,
    ConditionFailed,
    Decision,
    MissingFactOutcome,
    MissingFacts,
    OpenQuestion,
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
    Leaf,
    deciding_under_unknowns,
    explore,
    mattering_facts,
    value_outcomes,
)
from claimrules.engine.why import failing as failing_tests
from claimrules.engine.why import outcomes_of, why_false
from claimrules.load.domain import (
    Unknown,
    grounds,
)


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
