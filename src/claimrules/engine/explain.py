"""A decision and its explanation: the verdict of one (typed) scenario under a reading, the
deciding rules and their claims, what the missing facts and the open questions leave possible,
and one outcome per rule (why it applies, fails, is undecided or inactive).

`decide` is the per-scenario search: the rule index finds the candidate rules, and when some
stay undecided `search.explore` partitions the completions of the missing facts. Rule outcomes
are shared between decisions under one reading (`Context.outcomes`), and from LAYOUT_RULES
rules laid out by each rule's lead test (`layout`): per value of a lead fact, the outcomes of
every rule it fails, ready to join.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import field
from datetime import date

from claimrules.collector import paused
from claimrules.engine.combine import combine
from claimrules.engine.compile import (
    Candidate,
    CompiledNode,
    CompiledRule,
    CompiledRuleset,
    Facts,
    conjoin,
    is_pseudo,
    pseudo_rule,
)
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
    build_decision,
)
from claimrules.engine.search import (
    Branch,
    Leaf,
    deciding_under_unknowns,
    explore,
    mattering_facts,
    value_outcomes,
)
from claimrules.engine.why import failing as failing_tests
from claimrules.engine.why import outcomes_of, settled_by, why_false
from claimrules.load.domain import (
    Unknown,
    grounds,
)
from claimrules.values import record


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
        # imported here: a ruleset without constraints (and its start-up) never needs them
        from claimrules.engine.constraints import complete as complete_scenario  # noqa: PLC0415

        facts = complete_scenario(compiled.ruleset.meta.constraints, facts, compiled.ruleset.facts)
    ctx = build_context(compiled, as_of, known_by, sources, speakers)
    applicable, undecided, candidates = split(compiled, ctx, facts)
    shared = reading_fields(compiled, ctx, known_by, sources, speakers)
    if not undecided:
        core = settled_core(ctx, combine(applicable)[1], shared)
    else:
        # Rules outside the candidates are false in every completion: exploring without them
        # visits the same leaves.
        leaves, complete = explore(compiled, candidates, facts)
        if complete:
            core = leaves_core(compiled, ctx, applicable, leaves, explain, shared)
        else:
            names = {n for r in undecided for n in r.reads if n not in facts}
            core = open_core(compiled, ctx, names, leaves, explain, shared)
    rules = explained(compiled, ctx, applicable, undecided, facts) if explain else ()
    return build_decision(core, {k: v for k, v in facts.items() if not is_pseudo(k)}, rules)


#: The fields of a Decision that do not depend on the scenario's own values: its verdict,
#: deciding rules, claims, what stays possible and open, and the reading's own fields. Many
#: scenarios share one (it is never changed once built).
Core = dict[str, object]


def reading_fields(
    compiled: CompiledRuleset,
    ctx: Context,
    known_by: date | None,
    sources: tuple[str, ...] | None,
    speakers: tuple[str, ...] | None,
) -> Core:
    """The fields every decision under a reading shares."""
    return {
        "as_of": ctx.as_of,
        "known_by": known_by,
        "sources": sources,
        "speakers": speakers,
        "excluded_undated": ctx.excluded_undated,
        "ruleset": compiled.ruleset.id,
    }


def split(
    compiled: CompiledRuleset, ctx: Context, facts: Facts
) -> tuple[list[CompiledRule], list[CompiledRule], tuple[CompiledRule, ...]]:
    """The rules that apply on these facts, those left undecided, and every rule that may
    apply (the candidates: every other active rule is false on these facts)."""
    candidates = _candidates(compiled, ctx, facts)
    applicable: list[CompiledRule] = []
    undecided: list[CompiledRule] = []
    for r, test in candidates:
        value = test(facts)
        if value is True:
            applicable.append(r)
        elif value is None:
            undecided.append(r)
    return applicable, undecided, tuple(r for r, _ in candidates)


def settled_core(ctx: Context, standing: tuple[CompiledRule, ...], shared: Core) -> Core:
    """The core of a decision whose verdict holds with these rules standing."""
    verdict, _ = combine(standing)
    return _core(ctx, verdict, standing, (verdict,), (), (), (), shared)


def leaves_core(
    compiled: CompiledRuleset,
    ctx: Context,
    applicable: list[CompiledRule],
    leaves: list[Leaf],
    explain: bool,
    shared: Core,
    tree: Branch | Leaf | None = None,
) -> Core:
    """The core of a decision from a complete partition of the completions into leaves (each
    path fixing missing facts only), given the rules that apply already; `tree`: their search
    tree, when the caller has it (see `search.mattering_facts`)."""
    verdicts = sorted({leaf.verdict for leaf in leaves})
    if len(verdicts) == 1:
        verdict = verdicts[0]
        standing = deciding_under_unknowns(verdict, applicable, leaves)
        return _core(ctx, verdict, standing, (verdict,), (), (), (), shared)
    return open_core(compiled, ctx, mattering_facts(leaves, tree), leaves, explain, shared)


def open_core(
    compiled: CompiledRuleset,
    ctx: Context,
    names: set[str],
    leaves: list[Leaf],
    explain: bool,
    shared: Core,
) -> Core:
    """The core of an `indeterminate` decision: the facts (and open questions) that matter."""
    order = compiled.fact_order
    missing_names = tuple(sorted((n for n in names if not is_pseudo(n)), key=order.__getitem__))
    unknowns = tuple(
        _open_question(compiled, ctx, n, leaves, ctx.as_of)
        for n in sorted(n for n in names if is_pseudo(n))
    )
    missing = (
        tuple(_fact_outcomes(compiled, n, leaves) for n in missing_names) if explain else ()
    )
    possible = tuple(sorted({leaf.verdict for leaf in leaves}))
    return _core(
        ctx, Verdict.INDETERMINATE, (), possible, missing_names, missing, unknowns, shared
    )


def _core(
    ctx: Context,
    verdict: Verdict,
    standing: tuple[CompiledRule, ...],
    possible: tuple[Verdict, ...],
    missing_names: tuple[str, ...],
    missing: tuple[MissingFactOutcome, ...],
    unknowns: tuple[OpenQuestion, ...],
    shared: Core,
) -> Core:
    deciding = standing if len(standing) < 2 else tuple(sorted(standing, key=lambda r: r.id))
    claims = _unique_claims(deciding, ctx.cited)
    return {
        **shared,
        "verdict": verdict,
        "deciding_rules": tuple(r.id for r in deciding),
        "claims": claims,
        "missing_facts": missing_names,
        "missing": missing,
        "possible": possible,
        "support": Support.of(tuple(c for c in claims if grounds(c))),
        "unknowns": unknowns,
        "context": _unique_claims(deciding, ctx.context) if deciding else (),
    }


#: From this many rules, an explanation (one outcome per rule) pauses the cyclic garbage
#: collector while it is built: its many small acyclic objects would otherwise set off
#: collections that walk the whole (large) ruleset, several times per decision.
GC_PAUSE_RULES = 500

#: From this many rules, an explanation takes the layout (see `layout`): below, building it
#: (for a ruleset loaded for a few decisions) costs more than it saves.
LAYOUT_RULES = 100


def explained(
    compiled: CompiledRuleset,
    ctx: Context,
    applicable: list[CompiledRule],
    undecided: list[CompiledRule],
    facts: Facts,
) -> tuple[RuleOutcome, ...]:
    """Every rule's outcome on these facts, in explanation order (`applicable` and
    `undecided` as `split` gives them): built rule by rule for small rulesets, through the
    layout (see `layout`) from `LAYOUT_RULES` rules on."""
    if len(compiled.rules) < LAYOUT_RULES:
        return _outcomes(compiled, ctx, _values(applicable, undecided), facts, applicable)
    if len(compiled.rules) < GC_PAUSE_RULES:
        return _laid_out(compiled, ctx, facts, applicable, undecided)
    with paused():
        parts = _laid_parts(compiled, ctx, facts, applicable, undecided)
    # Joined with the collector running again: the collection that its pause put off then
    # starts on allocating the joined list, before that list (or the explanation) holds every
    # rule's outcome for it to walk.
    return _joined(*parts)


def built_outcomes(
    compiled: CompiledRuleset,
    ctx: Context,
    applicable: list[CompiledRule],
    undecided: list[CompiledRule],
    facts: Facts,
) -> tuple[RuleOutcome, ...]:
    """What `explained` gives, built the plain way: each rule's outcome afresh, its failed
    tests found by `why.why_false`, nothing shared or laid out (the tests hold the layout to
    it)."""
    values = _values(applicable, undecided)
    by_override = _overridden_by(applicable)
    return tuple(
        _outcome(compiled, ctx, r, None if r.index in ctx.inactive else values.get(r.index, False),
                 facts, by_override, ())
        for r in sorted(compiled.rules, key=lambda r: r.id)
    )


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
    applicable: list[CompiledRule], undecided: list[CompiledRule]
) -> dict[int, bool | None]:
    """The condition value of the rules that apply (true) and of those left undecided
    (unknown); every other active rule's is false (read them with `.get(index, False)`)."""
    values: dict[int, bool | None] = {r.index: True for r in applicable}
    values.update((r.index, None) for r in undecided)
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


def path_outcomes(
    compiled: CompiledRuleset, ctx: Context, applicable: list[CompiledRule], path: Facts
) -> tuple[RuleOutcome | None, ...]:
    """The rule outcomes (in explanation order) of every scenario that gives the facts of
    `path` — facts that decide every rule, `applicable` being the rules they make apply — and
    maybe more: None for a rule whose failing tests more facts may change (`why.settled_by`).
    """
    values = _values(applicable, [])
    out = _outcomes(compiled, ctx, values, path, applicable)
    return tuple(
        None
        if r.index not in ctx.inactive and values.get(r.index, False) is False
        and (r.node is None or not settled_by(r.node, path, False))
        else outcome
        for r, outcome in zip(_in_id_order(compiled), out, strict=True)
    )


def completed(
    compiled: CompiledRuleset,
    ctx: Context,
    applicable: list[CompiledRule],
    facts: Facts,
    known: tuple[RuleOutcome | None, ...],
) -> tuple[RuleOutcome, ...]:
    """The rule outcomes of a scenario, from those `path_outcomes` found for a path its facts
    extend: the missing ones built (or found again) for these facts."""
    if None not in known:
        return known  # type: ignore[return-value]  # no None in it
    if len(compiled.rules) >= LAYOUT_RULES:
        # The layout's outcomes equal those `known` holds (each is these facts' outcome), and
        # with the layout's shared parts, all of them cost less than finding the missing ones.
        return explained(compiled, ctx, applicable, [], facts)
    values = _values(applicable, [])
    rules = [r for r, o in zip(_in_id_order(compiled), known, strict=True) if o is None]
    built = iter(_outcomes(compiled, ctx, values, facts, applicable, rules))
    return tuple(o if o is not None else next(built) for o in known)


def _in_id_order(compiled: CompiledRuleset) -> tuple[CompiledRule, ...]:
    return compiled.in_id_order or tuple(sorted(compiled.rules, key=lambda r: r.id))


def _overridden_by(applicable: list[CompiledRule]) -> dict[int, list[str]]:
    """For each rule index, the ids of the applicable rules that override it."""
    out: dict[int, list[str]] = {}
    for r in applicable:
        for i in r.overrides:
            out.setdefault(i, []).append(r.id)
    return out


def _bound_outcome_cache(ctx: Context) -> None:
    """Start the context's outcome cache afresh once it holds `OUTCOME_CACHE` outcomes."""
    if len(ctx.outcomes) > OUTCOME_CACHE:
        ctx.outcomes.clear()


def _outcomes(
    compiled: CompiledRuleset,
    ctx: Context,
    values: Mapping[int, bool | None],
    facts: Facts,
    applicable: list[CompiledRule],
    rules: Iterable[CompiledRule] | None = None,
) -> tuple[RuleOutcome, ...]:
    """The outcome of each rule (every rule in explanation order, or `rules`)."""
    by_override = _overridden_by(applicable)
    _bound_outcome_cache(ctx)
    return tuple(
        _found(compiled, ctx, r, values.get(r.index, False), facts, by_override)
        for r in (_in_id_order(compiled) if rules is None else rules)
    )


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


# --- the layout: outcomes shared between decisions, laid out by a rule's lead test ------------
#
# Most rules fail on a scenario by their lead test (the rule's condition, or the first part of
# its `all`, when that is a fact test): `why.failing` stops at the first false part, so such a
# rule's outcome depends on nothing but the lead fact's value. The layout keeps, per lead fact
# and value, the outcomes of every rule led by that fact as one ready tuple, and a decision
# joins one such tuple per lead fact. The rules whose lead test the value makes true are led,
# the same way, by their next part when it is a fact test, built for each scenario (few meet
# again there, and outcomes kept for them would set off full garbage collections); the rest
# (the rules without a lead test, those whose lead fact is missing ...) are found one by one in
# `Context.outcomes` as before.

#: Rule outcomes a layout keeps in its ready tuples, per rule of the ruleset (and at least
#: LAYOUT_MIN in all): past that, it forgets them all and starts afresh. A kept
#: outcome costs about 250 bytes (its reason is shared by the rules of one lead test): at
#: most about 32 kB per rule, beside the 19 kB a loaded rule takes. Rules led by facts of 100
#: values (bench/run.py's generated rulesets) keep about 100 outcomes each for their lead tests.
LAYOUT_PER_RULE = 128
LAYOUT_MIN = 1 << 16
#: Reasons (a failed lead test, with the value) a layout keeps before it starts afresh.
LAYOUT_REASONS = 1 << 17


@record(slots=True)
class Led:
    """Rules led by one fact: their positions in explanation order, their lead tests (the
    part `depth` of their `all`, or at depth 0 the condition itself when it is a fact test),
    and at depth 0, per value of the fact (with its class), what that value gives them."""

    fact: str
    depth: int
    positions: tuple[int, ...]
    rules: tuple[CompiledRule, ...]
    leads: tuple[CompiledNode, ...]
    unknown: tuple[None, ...]  # the fact missing: every rule's outcome is found one by one
    ready: dict[tuple[object, ...], Ready] = field(default_factory=dict)
    # At depth 0: the distinct lead tests (one closure, operands of one type: they hold or fail
    # together, with one reason), each rule's among them, and each one's rules (by member).
    kinds: tuple[CompiledNode, ...] = ()
    kind_of: tuple[int, ...] = ()
    members: tuple[tuple[int, ...], ...] = ()
    # Once a value is first laid out: each rule's failed outcome fields (`Layout.failed`).
    shared: tuple[dict[str, object], ...] = ()


@record(slots=True)
class Ready:
    """What one value of a lead fact gives the rules it leads: their outcomes (None where the
    value does not fail the lead test), the positions of the rules found one by one, and the
    rules its true lead tests hand on to their next test."""

    outcomes: tuple[RuleOutcome | None, ...]
    left: tuple[int, ...]
    next: tuple[Led, ...]


@record(slots=True)
class Layout:
    """The shared parts of the explanations under one context (see the section's comment)."""

    order: tuple[CompiledRule, ...]  # every rule, in explanation order
    fixed: tuple[RuleOutcome | None, ...]  # the inactive rules' outcomes; None: an unled rule
    unled: tuple[int, ...]  # the positions of the active rules without a lead test
    groups: tuple[Led, ...]
    where: tuple[int, ...]  # by position in explanation order: where the joined parts hold it
    gather: Callable[[list[RuleOutcome | None]], tuple[RuleOutcome, ...]]
    limit: int  # the most outcomes it keeps (see LAYOUT_PER_RULE)
    kept: int = 0  # outcomes held in the groups' ready tuples
    # Per rule index: the fields of its first outcome with its condition failed (all the same
    # but the reason).
    failed: dict[int, dict[str, object]] = field(default_factory=dict)
    # The reason of a lead test failed by a value, per (test, operand class, value class, value).
    reasons: dict[tuple[object, ...], ConditionFailed] = field(default_factory=dict)


def _lead(r: CompiledRule, depth: int) -> CompiledNode | None:
    """The rule's fact test at `depth` (see Led), if it has one."""
    node = r.node
    if node is None:
        return None
    if node.fact is not None:
        return node if depth == 0 else None
    if node.kind == "all" and depth < len(node.parts) and node.parts[depth].fact is not None:
        return node.parts[depth]
    return None


def _led(
    depth: int, members: Iterable[tuple[int, CompiledRule, CompiledNode]]
) -> tuple[Led, ...]:
    """Rules grouped by the fact of their lead test at `depth`, in order."""
    by_fact: dict[str, list[tuple[int, CompiledRule, CompiledNode]]] = {}
    for member in members:
        by_fact.setdefault(member[2].fact, []).append(member)  # type: ignore[arg-type]
    groups = tuple(
        Led(name, depth, tuple(p for p, _, _ in led), tuple(r for _, r, _ in led),
            tuple(n for _, _, n in led), (None,) * len(led))
        for name, led in by_fact.items()
    )
    if depth == 0:
        for g in groups:
            _sort_kinds(g)
    return groups


def _sort_kinds(g: Led) -> None:
    """Fill in a top group's kinds (see Led)."""
    kinds: dict[tuple[object, type], int] = {}
    leads: list[CompiledNode] = []
    members: list[list[int]] = []
    kind_of: list[int] = []
    for m, lead in enumerate(g.leads):
        k = kinds.setdefault((lead.test, lead.operand.__class__), len(leads))
        if k == len(leads):
            leads.append(lead)
            members.append([])
        members[k].append(m)
        kind_of.append(k)
    g.kinds, g.kind_of = tuple(leads), tuple(kind_of)
    g.members = tuple(map(tuple, members))


def layout(compiled: CompiledRuleset, ctx: Context) -> Layout:
    """The context's layout, built on first use."""
    if ctx.layouts:
        found: Layout = ctx.layouts[0]
        return found
    order = _in_id_order(compiled)
    fixed: list[RuleOutcome | None] = []
    unled: list[int] = []
    led: list[tuple[int, CompiledRule, CompiledNode]] = []
    where = [0] * len(order)  # the fixed part first, then each group's
    for p, r in enumerate(order):
        lead = None if r.index in ctx.inactive else _lead(r, 0)
        if lead is not None:
            led.append((p, r, lead))
            continue
        where[p] = len(fixed)
        if r.index in ctx.inactive:
            fixed.append(_outcome(compiled, ctx, r, None, {}, {}, ()))
        else:
            fixed.append(None)
            unled.append(p)
    groups = _led(0, led)
    at = len(fixed)
    for g in groups:
        for p in g.positions:
            where[p] = at
            at += 1
    made = Layout(order, tuple(fixed), tuple(unled), groups, tuple(where), _gatherer(where),
                  max(LAYOUT_MIN, LAYOUT_PER_RULE * len(order)))
    ctx.layouts.append(made)
    return made


def _gatherer(where: list[int]) -> Callable[[list[RuleOutcome | None]], tuple[RuleOutcome, ...]]:
    """The joined parts' outcomes in explanation order (one C-level pass)."""
    if len(where) > 1:
        return operator.itemgetter(*where)
    return lambda parts: tuple(parts[i] for i in where)  # type: ignore[misc]  # filled in


def _laid_out(
    compiled: CompiledRuleset,
    ctx: Context,
    facts: Facts,
    applicable: list[CompiledRule],
    undecided: list[CompiledRule],
) -> tuple[RuleOutcome, ...]:
    """Every rule's outcome, in explanation order (equal to `_outcome` of each rule)."""
    return _joined(*_laid_parts(compiled, ctx, facts, applicable, undecided))


#: What `_laid_parts` finds: the layout, the joined parts (in the layout's order), and the
#: outcomes that go in place of their Nones (by position in the joined parts).
Parts = tuple[Layout, list[tuple[RuleOutcome | None, ...]], list[int], list[RuleOutcome]]


def _laid_parts(
    compiled: CompiledRuleset,
    ctx: Context,
    facts: Facts,
    applicable: list[CompiledRule],
    undecided: list[CompiledRule],
) -> Parts:
    """The outcomes `_laid_out` joins: every one it builds is built here (`explained` builds
    them with the collector paused, and joins them after: see there)."""
    plan = layout(compiled, ctx)
    parts: list[tuple[RuleOutcome | None, ...]] = [plan.fixed]
    todo: list[tuple[int, ...]] = [plan.unled]
    after: list[Led] = []
    for g in plan.groups:
        ready = _ready_for(compiled, ctx, plan, g, facts)
        if ready is None:
            parts.append(g.unknown)
            todo.append(g.positions)
            continue
        parts.append(ready.outcomes)
        todo.append(ready.left)
        after.extend(ready.next)
    where = plan.where
    at: list[int] = []
    put: list[RuleOutcome] = []
    while after:
        g = after.pop()
        ready = _ready_for(compiled, ctx, plan, g, facts)
        if ready is None:
            todo.append(g.positions)
            continue
        for p, o in zip(g.positions, ready.outcomes, strict=True):
            if o is not None:
                at.append(where[p])
                put.append(o)
        todo.append(ready.left)
        after.extend(ready.next)
    positions = list(itertools.chain.from_iterable(todo))
    if positions:
        values = _values(applicable, undecided)
        by_override = _overridden_by(applicable)
        _bound_outcome_cache(ctx)
        order = plan.order
        for p in positions:
            r = order[p]
            at.append(where[p])
            put.append(_found(compiled, ctx, r, values.get(r.index, False), facts, by_override))
    return plan, parts, at, put


def _joined(
    plan: Layout, parts: list[tuple[RuleOutcome | None, ...]], at: list[int],
    put: list[RuleOutcome],
) -> tuple[RuleOutcome, ...]:
    """`_laid_parts`'s outcomes, in explanation order."""
    joined = list(parts[0])
    for part in itertools.islice(parts, 1, None):
        joined += part  # a tuple's items copied at once (a chain hands them on one by one)
    for i, o in zip(at, put, strict=True):
        joined[i] = o
    return plan.gather(joined)


_NONE: object = object()


def _ready_for(
    compiled: CompiledRuleset, ctx: Context, plan: Layout, g: Led, facts: Facts
) -> Ready | None:
    """What the scenario's value of `g.fact` gives its rules (None: the fact is missing)."""
    value = facts.get(g.fact, _NONE)
    if value is _NONE:
        return None
    if g.depth:  # not kept (see the section's comment)
        return _ready(compiled, ctx, g, facts)
    key = (value.__class__, value)
    try:
        ready = g.ready.get(key)
    except TypeError:  # an unhashable value (only `decide` with untyped facts)
        return _ready(compiled, ctx, g, facts)
    if ready is None:
        ready = _ready(compiled, ctx, g, facts)
        size = len(g.positions)
        if plan.kept + size > plan.limit:
            for top in plan.groups:
                top.ready.clear()
            plan.kept = 0
        g.ready[key] = ready
        plan.kept += size
    return ready


def _ready(compiled: CompiledRuleset, ctx: Context, g: Led, facts: Facts) -> Ready:
    """What the scenario's value of `g.fact` gives its rules (see Ready)."""
    plan = layout(compiled, ctx)
    reasons = plan.reasons
    if len(reasons) > LAYOUT_REASONS:
        reasons.clear()
    if g.kinds:
        return _ready_top(compiled, ctx, plan, g, facts)
    out: list[RuleOutcome | None] = []
    left: list[int] = []
    onward: list[tuple[int, CompiledRule, CompiledNode]] = []
    value = facts[g.fact]
    depth = g.depth + 1
    # Equal tests (one closure, operands of one type) fail on one value with one reason.
    found: dict[object, ConditionFailed] = {}
    for p, r, lead, shared in zip(g.positions, g.rules, g.leads,
                                  g.shared or _shared_fields(compiled, ctx, plan, g, facts),
                                  strict=True):
        held = lead.test(facts)
        if held is not False:
            out.append(None)
            # Every earlier part held too: a false next part is the first false part.
            then = _lead(r, depth) if held is True else None
            if then is None:
                left.append(p)
            else:
                onward.append((p, r, then))
            continue
        test = lead.test
        reason = found.get(test)
        if reason is None or reason.tests[0].operand.__class__ is not lead.operand.__class__:
            key = (test, lead.operand.__class__, value.__class__, value)
            reason = reasons.get(key)
            if reason is None:
                reason = reasons[key] = ConditionFailed(outcomes_of(((lead, False),), facts))
            found[test] = reason
        out.append(_with_reason(shared, reason))
    return Ready(tuple(out), tuple(left), _led(depth, onward))


def _with_reason(shared: dict[str, object], reason: ConditionFailed | None) -> RuleOutcome:
    """A failed outcome from a rule's shared fields (`Layout.failed`) and its reason, made
    as `build_decision` makes a Decision, without the frozen constructor's one
    `object.__setattr__` per field. The instance is given its own dict, a copy of a split
    dict (an instance's), which keeps its keys shared and costs a third less than updating
    the instance's."""
    own = shared.copy()
    own["reason"] = reason
    outcome = object.__new__(RuleOutcome)
    object.__setattr__(outcome, "__dict__", own)
    return outcome


def _ready_top(
    compiled: CompiledRuleset, ctx: Context, plan: Layout, g: Led, facts: Facts
) -> Ready:
    """`_ready` of a top group: each of its distinct lead tests tried once, and the outcomes of
    all its rules built in a few C-level passes (thousands of them when a value is new)."""
    reasons = plan.reasons
    value = facts[g.fact]
    kind_reason: list[ConditionFailed | None] = []
    holding: list[int] = []
    held_by: dict[int, bool | None] = {}
    for k, lead in enumerate(g.kinds):
        held = lead.test(facts)
        if held is False:
            key = (lead.test, lead.operand.__class__, value.__class__, value)
            reason = reasons.get(key)
            if reason is None:
                reason = reasons[key] = ConditionFailed(outcomes_of(((lead, False),), facts))
            kind_reason.append(reason)
            continue
        kind_reason.append(None)
        for m in g.members[k]:
            holding.append(m)
            held_by[m] = held
    shared = g.shared or _shared_fields(compiled, ctx, plan, g, facts)
    out: list[RuleOutcome | None] = []
    for fields_, k in zip(shared, g.kind_of, strict=True):
        out.append(_with_reason(fields_, kind_reason[k]))
    left: list[int] = []
    onward: list[tuple[int, CompiledRule, CompiledNode]] = []
    for m in sorted(holding):
        out[m] = None
        r = g.rules[m]
        # Every earlier part held too: a false next part is the first false part.
        then = _lead(r, 1) if held_by[m] is True else None
        if then is None:
            left.append(g.positions[m])
        else:
            onward.append((g.positions[m], r, then))
    return Ready(tuple(out), tuple(left), _led(1, onward))


def _shared_fields(
    compiled: CompiledRuleset, ctx: Context, plan: Layout, g: Led, facts: Facts
) -> tuple[dict[str, object], ...]:
    """Each rule's failed outcome fields (`Layout.failed`), kept on its group (the groups
    past the lead test live as long as the ready value that hands them on)."""
    failed = plan.failed
    for r, lead in zip(g.rules, g.leads, strict=True):
        if r.index not in failed:
            _failed(compiled, ctx, r, facts, ((lead, False),))
    if g.depth:
        g.shared = tuple(failed[r.index] for r in g.rules)
        return g.shared
    # At the top, copies made one after the other, which take the originals' place: a new
    # value copies them all again, in order, and finds them side by side in memory (the
    # originals, built rule by rule, are spread over it).
    g.shared = tuple(map(dict.copy, (failed[r.index] for r in g.rules)))
    failed.update((r.index, own) for r, own in zip(g.rules, g.shared, strict=True))
    return g.shared


def _found(
    compiled: CompiledRuleset,
    ctx: Context,
    r: CompiledRule,
    value: bool | None,
    facts: Facts,
    by_override: Mapping[int, list[str]],
) -> RuleOutcome:
    """One rule's outcome, found in `Context.outcomes` or built (and kept there)."""
    i = r.index
    cache = ctx.outcomes
    failing: tuple[tuple[CompiledNode, bool], ...] = ()
    # Equal outcomes are one shared (frozen) value: the key says all the outcome depends on.
    key: tuple[object, ...] | None
    if i in ctx.inactive:
        key = (i,)
        value = None
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
        if failing:
            known = _failed(compiled, ctx, r, facts, failing)
        else:
            known = _outcome(compiled, ctx, r, value, facts, by_override, failing)
        if key is not None:
            cache[key] = known
    return known


def _failed(
    compiled: CompiledRuleset,
    ctx: Context,
    r: CompiledRule,
    facts: Facts,
    failing: tuple[tuple[CompiledNode, bool], ...],
    reason: ConditionFailed | None = None,
) -> RuleOutcome:
    """The outcome of a rule these tests fail: `_outcome`'s, built from the fields of the
    rule's first failed outcome (all the same but the reason) by `_with_reason` (three times
    faster than the constructor; its own dict costs some 60 bytes more than its values)."""
    if reason is None:
        reason = ConditionFailed(outcomes_of(failing, facts))
    plan = layout(compiled, ctx)
    shared = plan.failed.get(r.index)
    if shared is None:
        first = _outcome(compiled, ctx, r, False, facts, {}, failing)
        # An instance's own __dict__ shares its keys with the class's instances: an outcome
        # updated from it keeps them shared (a smaller dict than from a plain one).
        shared = plan.failed[r.index] = first.__dict__
        if first.reason == reason:
            return first
    return _with_reason(shared, reason)
