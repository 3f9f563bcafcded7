"""Whole-space lint of a ruleset: findings about claims, facts, rules, overrides and regions.

The region findings (contested regions, gaps) are `regions`'; the table is `table`'s and the
diff `diff`'s.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from claimrules.analysis.boxes import MAX_MERGE_WORK, points_in, without
from claimrules.analysis.findings import Finding, meta_file
from claimrules.analysis.regions import (
    member_bound,
    region_findings,
    region_groups,
    subject_scope,
    sweep_slices,
)
from claimrules.analysis.space import TIME, fact_space, impossible_boxes
from claimrules.collector import paused
from claimrules.diagnostics import Severity, Span
from claimrules.engine.compile import CompiledRule, CompiledRuleset, compiled_ruleset
from claimrules.engine.constraints import facts_named
from claimrules.engine.search import MAX_LEAVES, guard
from claimrules.load.checks import graph_cycles
from claimrules.load.domain import ClaimKind, FactValue, Rule, grounds
from claimrules.load.ruleset import Ruleset


def satisfiable(
    compiled: CompiledRuleset,
    rules: Sequence[CompiledRule],
    places: dict[str, dict[FactValue, int]] | None = None,
) -> bool | None:
    """Whether some scenario makes every rule in `rules` apply (None: too large to tell).

    A depth-first search for one such scenario over the facts the rules read, trying for each
    fact only the values every rule's top-level guard allows (`engine.search.guard`): a rule whose
    `policy` must be `p7` costs one branch there, not one per policy. Stops at the first
    scenario found; gives up (None) after `MAX_LEAVES` nodes. `places` caches each fact's
    values' positions across calls.
    """
    if places is None:
        places = {}
    tests = tuple(r.test for r in rules)
    guards = [guard(compiled, r) for r in rules]
    reads = frozenset().union(*(r.reads for r in rules))
    known: dict[str, FactValue] = {}
    budget = [MAX_LEAVES]

    def values(name: str) -> list[FactValue]:
        admitted = [g[name] for g in guards if name in g]
        if not admitted:
            return list(compiled.domain(name))
        # the guards' values, not the fact's: a `policy` with thousands of values costs one
        place = positions(name)
        both = frozenset.intersection(*admitted)
        return sorted((v for v in both if v in place), key=place.__getitem__)

    def positions(name: str) -> Mapping[FactValue, int]:
        found = places.get(name)
        if found is None:
            found = places[name] = {v: i for i, v in enumerate(compiled.domain(name))}
        return found

    def search() -> bool | None:
        budget[0] -= 1
        if budget[0] < 0:
            return None
        unknown = False
        for t in tests:
            held = t(known)
            if held is False:
                return False
            if held is None:
                unknown = True
        if not unknown:
            return True
        open_facts = [n for n in reads if n not in known]
        if not open_facts:
            return False
        choices = {n: values(n) for n in open_facts}
        name = min(open_facts, key=lambda n: (len(choices[n]), compiled.fact_order.get(n, -1), n))
        result: bool | None = False
        for v in choices[name]:
            known[name] = v
            found = search()
            del known[name]
            if found:
                return True
            if found is None:
                result = None
                if budget[0] < 0:
                    break
        return result

    return search()


def _periods_meet(a: CompiledRule, b: CompiledRule) -> bool:
    lo = [d for d in (a.period.start, b.period.start) if d is not None]
    hi = [d for d in (a.period.until, b.period.until) if d is not None]
    return not lo or not hi or max(lo) <= min(hi)


def override_cycles(rules: Sequence[Rule]) -> list[tuple[str, ...]]:
    """Cycles of the `overrides` graph, each once, as rule ids starting at its smallest id
    (a rule overriding itself is a cycle of one). The finder is `check`'s own
    (`checks.graph_cycles`)."""
    graph = {r.id: sorted(set(r.overrides)) for r in rules}
    out: list[tuple[str, ...]] = []
    for cycle in graph_cycles(graph):
        k = cycle.index(min(cycle))
        out.append(cycle[k:] + cycle[:k])
    return out


@paused()  # hundreds of thousands of small acyclic boxes (see claimrules.collector)
def lint(ruleset: Ruleset) -> list[Finding]:
    """Whole-space findings over every valid time, sorted (errors first, then by location).

    Codes: `contested-region`, `not-addressed-region`, `dead-rule`, `shadowed-rule`,
    `unused-claim`, `speculative-rule`, `unused-fact`, `override-cycle`, `no-effect-override`,
    and `partial-analysis` when the space was too large to explore completely.

    CLI: `claimrules lint RULESET [--format text|json|markdown|csv|github]`; exit 1 when a
    finding of severity error or warning is present.
    """
    compiled = compiled_ruleset(ruleset)
    found: list[Finding] = []
    found.extend(_claim_findings(ruleset))
    found.extend(_fact_findings(ruleset))
    found.extend(_speculative_findings(ruleset))
    for cycle in override_cycles(ruleset.rules):
        chain = " → ".join([*cycle, cycle[0]])
        found.append(Finding("override-cycle", Severity.ERROR, f"overrides form a cycle: {chain}",
                             ruleset.span("rule", cycle[0]), rules=cycle))
    dead: set[str] = set()
    places: dict[str, dict[FactValue, int]] = {}  # positions of values, for `satisfiable`
    for r in compiled.rules:
        if satisfiable(compiled, [r], places) is False:
            dead.add(r.id)
            found.append(Finding(
                "dead-rule", Severity.WARNING,
                f"rule `{r.id}` can never apply: no values of the facts satisfy its condition",
                ruleset.span("rule", r.id), rules=(r.id,),
            ))
    found.extend(_override_findings(ruleset, dead, places))
    scope = subject_scope(ruleset)
    sweep = sweep_slices(ruleset, scope)
    space = fact_space(ruleset)
    domains: dict[str, tuple[FactValue, ...]] = {
        **space.domains, TIME: tuple(range(len(sweep.slices)))
    }
    impossible = impossible_boxes(ruleset, space.domains)
    if impossible:  # scenarios that break a constraint are no region of the policy
        sweep.items = [(piece, label) for box, label in sweep.items
                       for piece in without(box, impossible, domains)]
        found.append(Finding(
            "impossible-left-out", Severity.INFO,
            f"{points_in(impossible, space.domains)} impossible scenarios of the grid left "
            "out: they break a constraint of the vocabulary",
            Span(meta_file(ruleset)),
        ))
    groups = region_groups(sweep, domains, exact=not impossible, rules=len(compiled.rules))
    found.extend(region_findings(ruleset, groups.boxes, space, sweep.slices, scope))
    if groups.dropped:
        bound = member_bound(len(compiled.rules))
        found.append(Finding(
            "partial-analysis", Severity.WARNING,
            f"too many rules stand together to list every contested region: {groups.dropped} "
            f"memberships of boxes in regions past the bound of {bound} were not analysed, "
            "so regions are partial",
            Span(meta_file(ruleset)),
        ))
    elif groups.cut:
        found.append(Finding(
            "partial-analysis", Severity.INFO,
            f"regions are exact but not fully merged: merging them would take more than "
            f"{MAX_MERGE_WORK:,} units of work (boxes of many facts each)",
            Span(meta_file(ruleset)),
        ))
    if sweep.complete:
        for r in compiled.rules:
            if r.id in sweep.standing or r.id in dead:
                continue
            by = sorted(o.id for o in compiled.rules if r.index in o.overrides)
            found.append(Finding(
                "shadowed-rule", Severity.WARNING,
                f"rule `{r.id}` is overridden wherever it applies, at every date"
                + (f" (by {', '.join(f'`{b}`' for b in by)})" if by else ""),
                ruleset.span("rule", r.id), rules=(r.id, *by),
            ))
    else:
        found.append(Finding(
            "partial-analysis", Severity.WARNING,
            f"the fact space is too large to explore completely ({sweep.leaves} boxes explored): "
            "regions are partial and shadowed rules are not checked",
            Span(meta_file(ruleset)),
        ))
    return sorted(found, key=Finding.sort_key)


def _claim_findings(ruleset: Ruleset) -> Iterator[Finding]:
    cited = {
        c for r in ruleset.rules
        for c in (*r.because, *r.context, *((r.unreported_terms.claim,) if r.unreported_terms
                                            else ()))
    }
    for cid, rec in ruleset.claims.items():
        if cid in cited:
            continue
        kind = rec.claim.kind
        if kind is ClaimKind.PROVISION:
            yield Finding("unused-claim", Severity.WARNING,
                          f"provision claim `{cid}` is cited by no rule",
                          ruleset.span("claim", cid),
                          help="derive a rule from it, or say in its note why none follows")
        else:
            yield Finding("unused-claim", Severity.INFO,
                          f"{kind} claim `{cid}` is cited by no rule", ruleset.span("claim", cid))


def _fact_findings(ruleset: Ruleset) -> Iterator[Finding]:
    read = set().union(*(r.reads for r in compiled_ruleset(ruleset).rules),
                       *(facts_named(c) for c in ruleset.meta.constraints))
    for name, fact in ruleset.facts.items():
        if name not in read and not fact.scenario_only:  # a fact that only describes the case
            yield Finding("unused-fact", Severity.WARNING, f"fact `{name}` is read by no rule",
                          ruleset.span("fact", name),
                          help="a scenario's value of it never changes a verdict")


def _speculative_findings(ruleset: Ruleset) -> Iterator[Finding]:
    """Rules citing, among their grounds, claims that can never ground them (a forecast, a
    speculation, an event, a denial, a refusal to comment). A rule resting *only* on such
    claims does not load (`check`'s `no-ground`); these only mislead a reader of the file."""
    for r in ruleset.rules:
        weak = [ruleset.claims[c].claim for c in r.because
                if not grounds(ruleset.claims[c].claim)]
        if weak:
            yield Finding(
                "speculative-rule", Severity.WARNING,
                f"rule `{r.id}` cites claims that cannot ground it: "
                + ", ".join(f"`{c.id}` ({c.kind}, {c.modality})" for c in weak),
                ruleset.span("rule", r.id), rules=(r.id,),
                help="list them under `context`: they are shown beside the rule, never "
                "counted as its ground",
            )


def _override_findings(
    ruleset: Ruleset, dead: set[str], places: dict[str, dict[FactValue, int]]
) -> Iterator[Finding]:
    compiled = compiled_ruleset(ruleset)
    for r in compiled.rules:
        for oid in r.rule.overrides:
            o = compiled.by_id.get(oid)
            if o is None or o.id == r.id:
                continue
            if o.effect is r.effect:
                msg = (f"`{r.id}` overrides `{o.id}`, which has the same effect ({r.effect}): "
                       "the override changes no verdict")
            elif r.id in dead or o.id in dead or not _periods_meet(r, o) or (
                satisfiable(compiled, [r, o], places) is False
            ):
                msg = f"`{r.id}` overrides `{o.id}`, but the two never apply together"
            else:
                continue
            yield Finding("no-effect-override", Severity.INFO, msg, ruleset.span("rule", r.id),
                          rules=(r.id, o.id))
