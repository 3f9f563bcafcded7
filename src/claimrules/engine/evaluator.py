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

import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import cast

from claimrules.engine.compile import (
    Candidate,
    CompiledNode,
    CompiledRule,
    CompiledRuleset,
    Facts,
    compile_condition,
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
    TestOutcome,
    UnreportedTermsOutcome,
    Verdict,
)
from claimrules.load.domain import (
    All,
    Condition,
    Fact,
    FactValue,
    Not,
    Test,
    Unknown,
    grounds,
    parse_iso_date,
)
from claimrules.load.ruleset import Ruleset
from claimrules.load.scenario import coerce_facts, coerce_value

#: Leaves explored before the evaluator gives up proving a verdict and says `indeterminate`.
MAX_LEAVES = 50_000

_MISSING: object = object()


def combine(applicable: Iterable[CompiledRule]) -> tuple[Verdict, tuple[CompiledRule, ...]]:
    """The combining rule: the verdict of a set of applicable rules, and the rules deciding it.

    1. A rule is *overridden* when an applicable rule lists it in `overrides` (a labelled
       exception beats its base rule, as in Catala).
    2. Of the rules left standing: permits and prohibits both → `contested` (never broken by
       file order); only permits → `permitted`; only prohibits → `prohibited`.
    3. No applicable rule → `not_addressed`.
    """
    rules = tuple(applicable)
    if not rules:
        return Verdict.NOT_ADDRESSED, ()
    if len(rules) == 1:  # the common case once rules apply, the steps below in short
        if rules[0].index in rules[0].overrides:
            return Verdict.NOT_ADDRESSED, ()
        return (Verdict.PERMITTED if rules[0].permit else Verdict.PROHIBITED), rules
    overridden = {i for r in rules for i in r.overrides}
    standing = tuple(r for r in rules if r.index not in overridden) if overridden else rules
    permits = any(r.permit for r in standing)
    prohibits = any(not r.permit for r in standing)
    if permits and prohibits:
        return Verdict.CONTESTED, standing
    if permits:
        return Verdict.PERMITTED, standing
    if prohibits:
        return Verdict.PROHIBITED, standing
    return Verdict.NOT_ADDRESSED, ()


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


@dataclass(frozen=True)
class Leaf:
    """One box of the completion space: facts fixed by branching, and its verdict."""

    assigned: tuple[tuple[str, FactValue], ...]
    verdict: Verdict
    standing: tuple[CompiledRule, ...]


@dataclass
class _Search:
    compiled: CompiledRuleset
    rules: tuple[CompiledRule, ...]
    leaves: list[Leaf]
    stop_early: bool
    complete: bool = True

    def run(self, facts: dict[str, FactValue], assigned: list[tuple[str, FactValue]]) -> None:
        if not self.complete:
            return
        if self.stop_early and len({leaf.verdict for leaf in self.leaves}) > 1:
            return
        if len(self.leaves) >= MAX_LEAVES:
            self.complete = False
            return
        applicable: list[CompiledRule] = []
        counts: dict[str, int] = {}
        for r in self.rules:
            value = r.test(facts)
            if value is True:
                applicable.append(r)
            elif value is None:
                for name in r.reads:
                    if name not in facts:
                        counts[name] = counts.get(name, 0) + 1
        if not counts:
            verdict, standing = combine(applicable)
            self.leaves.append(Leaf(tuple(assigned), verdict, standing))
            return
        name = min(counts, key=self.compiled.branch_key(counts))
        for choice in self.compiled.domain(name):
            facts[name] = choice
            assigned.append((name, choice))
            self.run(facts, assigned)
            assigned.pop()
            del facts[name]


def explore(
    compiled: CompiledRuleset,
    rules: tuple[CompiledRule, ...],
    facts: Facts,
    *,
    stop_early: bool = False,
) -> tuple[list[Leaf], bool]:
    """Partition the completions of the missing facts into leaves with one verdict each.

    Returns the leaves and whether the exploration was complete.
    """
    search = _Search(compiled, rules, [], stop_early)
    search.run(dict(facts), [])
    return search.leaves, search.complete


def settle_open(
    leaves: list[Leaf], rules: Iterable[CompiledRule], facts: Facts | None = None
) -> list[Leaf]:
    """The leaves over real facts only: leaves that differ only in pseudo-facts (what the
    reporting leaves open) become one leaf, `indeterminate` unless they agree, with the deciding
    rules `decide` gives that box (see `_deciding_under_unknowns`). The search splits on real
    facts first, so such leaves share their real facts and stay disjoint. `rules` are the
    rules the search explored, `facts` the facts it started from."""
    if not any(is_pseudo(n) for leaf in leaves for n, _ in leaf.assigned):
        return leaves
    explored = tuple(rules)
    groups: dict[tuple[tuple[str, FactValue], ...], list[Leaf]] = {}
    for leaf in leaves:
        real = tuple((n, v) for n, v in leaf.assigned if not is_pseudo(n))
        groups.setdefault(real, []).append(leaf)
    out = []
    for real, group in groups.items():
        verdicts = {leaf.verdict for leaf in group}
        if len(verdicts) > 1:
            out.append(Leaf(real, Verdict.INDETERMINATE, ()))
            continue
        verdict = group[0].verdict
        if len(group) == 1:
            out.append(Leaf(real, verdict, group[0].standing))
            continue
        known = {**(facts or {}), **dict(real)}
        applicable = [r for r in explored if r.test(known) is True]
        standing = _deciding_under_unknowns(verdict, applicable, group)
        out.append(Leaf(real, verdict, tuple(sorted(standing, key=lambda r: r.index))))
    return out


def _mattering_facts(leaves: list[Leaf]) -> set[str]:
    """Facts whose value alone changes the verdict somewhere: two leaves with different verdicts
    whose fixed facts differ in exactly that fact (and agree wherever both are fixed).

    Two leaves first part ways at the search node where they took different values of its
    fact, so that fact is the one they may differ in alone. Rather than comparing every pair of
    leaves, each node's branches are compared: a leaf of one branch is matched only against the
    leaves of another branch that agree with it wherever both are fixed (found by following
    its values down that branch), and a fact is settled by the first pair that differs.
    """
    out: set[str] = set()
    if len(leaves) < 2:
        return out
    stack = [_search_tree(leaves)]
    while stack:
        node = stack.pop()
        if isinstance(node, _Branch):
            branches = list(node.children.values())
            if node.fact not in out and any(
                _parts_ways(a, b) for a, b in itertools.combinations(branches, 2)
            ):
                out.add(node.fact)
            stack.extend(branches)
    return out


@dataclass(eq=False, slots=True)
class _Branch:
    """A node of the search: the fact it split on, and a subtree per value."""

    fact: str
    children: dict[FactValue, _Branch | Leaf]


def _search_tree(leaves: list[Leaf]) -> _Branch | Leaf:
    """The search tree again, from the leaves' paths (each path lists the facts split on)."""
    if len(leaves) == 1 and not leaves[0].assigned:
        return leaves[0]
    root = _Branch(leaves[0].assigned[0][0], {})
    for leaf in leaves:
        node = root
        *through, (_, last) = leaf.assigned
        for depth, (_, value) in enumerate(through):
            child = node.children.get(value)
            if not isinstance(child, _Branch):
                child = node.children[value] = _Branch(leaf.assigned[depth + 1][0], {})
            node = child
        node.children[last] = leaf
    return root


def _leaves_below(node: _Branch | Leaf) -> Iterator[Leaf]:
    if isinstance(node, Leaf):
        yield node
        return
    for child in node.children.values():
        yield from _leaves_below(child)


def _parts_ways(one: _Branch | Leaf, other: _Branch | Leaf) -> bool:
    """Whether a leaf under `one` and a leaf under `other` that agree wherever both are fixed
    (other than on the fact that split them) have different verdicts."""
    for leaf in _leaves_below(one):
        fixed = dict(leaf.assigned)
        stack = [other]
        while stack:
            node = stack.pop()
            if isinstance(node, Leaf):
                if node.verdict != leaf.verdict:
                    return True
            elif node.fact in fixed:
                below = node.children.get(fixed[node.fact])
                if below is not None:
                    stack.append(below)
            else:
                stack.extend(node.children.values())
    return False


def why(
    cond: Condition, facts: Facts, want: bool, vocabulary: Mapping[str, Fact]
) -> tuple[TestOutcome, ...]:
    """The tests that make a (decided) condition evaluate to `want` on these facts."""
    if isinstance(cond, Test):
        return (TestOutcome(cond.fact, cond.operator, cond.operand, facts[cond.fact], want),)
    if isinstance(cond, Not):
        return why(cond.not_, facts, not want, vocabulary)
    parts = cond.all if isinstance(cond, All) else cond.any
    settling = not isinstance(cond, All)  # one False part settles `all`; one True part, `any`
    if settling == want:
        for part in parts:
            if condition_value(part, facts, vocabulary) is want:
                return why(part, facts, want, vocabulary)
        return ()
    return tuple(t for part in parts for t in why(part, facts, want, vocabulary))


def condition_value(cond: Condition, facts: Facts, vocabulary: Mapping[str, Fact]) -> bool | None:
    """The Kleene value of a condition (the uncompiled, reference form)."""
    if isinstance(cond, Test):
        return compile_condition(cond, vocabulary)(facts)
    if isinstance(cond, Not):
        v = condition_value(cond.not_, facts, vocabulary)
        return None if v is None else not v
    parts = cond.all if isinstance(cond, All) else cond.any
    values = [condition_value(p, facts, vocabulary) for p in parts]
    if isinstance(cond, All):
        return False if False in values else (None if None in values else True)
    return True if True in values else (None if None in values else False)


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
            standing = _deciding_under_unknowns(verdict, applicable, leaves)
        else:
            verdict, standing = Verdict.INDETERMINATE, ()
            order = compiled.fact_order
            if complete:
                names = _mattering_facts(leaves)
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


def _deciding_under_unknowns(
    verdict: Verdict, applicable: list[CompiledRule], leaves: list[Leaf]
) -> tuple[CompiledRule, ...]:
    """Deciding rules of a verdict that holds in every completion: the rules that apply already
    and stand; failing those, every rule that stands in some completion."""
    if verdict is Verdict.NOT_ADDRESSED:
        return ()
    _, standing = combine(applicable)
    if standing and combine(standing)[0] == verdict:
        return standing
    seen: dict[int, CompiledRule] = {}
    for leaf in leaves:
        for r in leaf.standing:
            seen.setdefault(r.index, r)
    return tuple(seen.values())


def _value_outcomes(
    compiled: CompiledRuleset, name: str, leaves: list[Leaf]
) -> tuple[tuple[FactValue, tuple[Verdict, ...]], ...]:
    """For each value of a fact (or pseudo-fact), the verdicts the leaves leave possible."""
    outcomes = []
    fixed = [(dict(leaf.assigned).get(name, _MISSING), leaf.verdict) for leaf in leaves]
    for value in compiled.domain(name):
        verdicts = {verdict for v, verdict in fixed if v is _MISSING or v == value}
        outcomes.append((value, tuple(sorted(verdicts))))
    return tuple(outcomes)


def _fact_outcomes(compiled: CompiledRuleset, name: str, leaves: list[Leaf]) -> MissingFactOutcome:
    fact = compiled.ruleset.facts[name]
    return MissingFactOutcome(name, fact.question, _value_outcomes(compiled, name, leaves))


def _open_question(
    compiled: CompiledRuleset, ctx: Context, name: str, leaves: list[Leaf], as_of: date | None
) -> OpenQuestion:
    """What the reporting leaves open behind a pseudo-fact, as far as the reading shows it."""
    kind, rule_id = pseudo_rule(name)
    rule = compiled.by_id[rule_id]
    outcomes = tuple(
        (bool(v), verdicts) for v, verdicts in _value_outcomes(compiled, name, leaves)
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
            failing = _failing(r.node, facts, False)
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
        if failing:
            tests = tuple(
                TestOutcome(n.fact, n.kind, n.operand, facts[n.fact], w)  # type: ignore[arg-type,index]
                for n, w in failing
            )
        else:
            tests = _why_false(compiled, r, facts)
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


def _why_false(
    compiled: CompiledRuleset, rule: CompiledRule, facts: Facts
) -> tuple[TestOutcome, ...]:
    if rule.node is None:
        return why(rule.rule.when, facts, False, compiled.ruleset.facts)
    return _why_node(rule.node, facts, False)


def _failing(
    node: CompiledNode, facts: Facts, want: bool
) -> tuple[tuple[CompiledNode, bool], ...]:
    """The fact tests that make a decided condition `want`, found as `why` finds them, as
    (test node, held) pairs."""
    if node.fact is not None:
        return ((node, want),)
    if node.kind == "not":
        return _failing(node.parts[0], facts, not want)
    settling = node.kind != "all"  # one False part settles `all`; one True part, `any`
    if settling == want:
        for part in node.parts:
            if part.test(facts) is want:
                return _failing(part, facts, want)
        return ()
    return tuple(t for part in node.parts for t in _failing(part, facts, want))


def _why_node(node: CompiledNode, facts: Facts, want: bool) -> tuple[TestOutcome, ...]:
    """`why` over the compiled tree: the same tests, without compiling any of them again."""
    if node.fact is not None:
        return (TestOutcome(node.fact, node.kind, node.operand, facts[node.fact], want),)
    if node.kind == "not":
        return _why_node(node.parts[0], facts, not want)
    settling = node.kind != "all"  # one False part settles `all`; one True part, `any`
    if settling == want:
        for part in node.parts:
            if part.test(facts) is want:
                return _why_node(part, facts, want)
        return ()
    return tuple(t for part in node.parts for t in _why_node(part, facts, want))


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
