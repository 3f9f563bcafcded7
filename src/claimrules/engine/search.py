"""The one search: partition the completions of a scenario's missing facts into leaves with one
verdict each, and what the leaves say (which facts matter, what the reporting leaves open).

The search splits on the fact most undecided rules read (real facts before pseudo-facts, then
vocabulary order; `CompiledRuleset.branch_key`), over each fact's domain, until no rule is
undecided. Each node tests only the rules its parent left undecided, and a split on an enum or
bool fact hands each value only the rules whose top-level guard on that fact allows it (a false
conjunct makes a condition false whatever else is unknown), so a split that settles most rules
at once costs what its own rules cost, not what the whole ruleset costs. The leaves come in the
order of a plain depth-first search that re-tests every rule at every node.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import field
from typing import cast

from claimrules.engine.combine import combine
from claimrules.engine.compile import (
    CompiledRule,
    CompiledRuleset,
    Facts,
    is_pseudo,
    operand_value,
)
from claimrules.engine.decision import Verdict
from claimrules.load.domain import All, FactType, FactValue, Test
from claimrules.values import PlainValue, plain_value, record

#: Leaves explored before the search gives up proving a verdict (the evaluator then says
#: `indeterminate`).
MAX_LEAVES = 50_000


@plain_value
class Leaf(PlainValue):
    """One box of the completion space: facts fixed by branching, and its verdict."""

    assigned: tuple[tuple[str, FactValue], ...]
    verdict: Verdict
    standing: tuple[CompiledRule, ...]


def explore(
    compiled: CompiledRuleset,
    rules: Sequence[CompiledRule],
    facts: Facts,
    *,
    settle: bool = False,
    stop_early: bool = False,
    max_leaves: int | None = None,
) -> tuple[list[Leaf], bool]:
    """Partition the completions of the missing facts into leaves with one verdict each.

    `rules` are the rules that may apply, in rule order. `settle=True` merges leaves that
    differ only in pseudo-facts (`settle_open`); `stop_early=True` stops once two verdicts are
    found; the search gives up (incomplete) before its `max_leaves`-th leaf (by default the
module's `MAX_LEAVES`, read at each call) and one more node.
    Returns the leaves and whether the exploration was complete.
    """
    leaves: list[Leaf] = []
    known = dict(facts)
    assigned: list[tuple[str, FactValue]] = []
    complete = True
    if max_leaves is None:
        max_leaves = MAX_LEAVES

    def run(pending: Sequence[CompiledRule], applicable: tuple[CompiledRule, ...]) -> None:
        nonlocal complete
        if not complete:
            return
        if stop_early and len({leaf.verdict for leaf in leaves}) > 1:
            return
        if len(leaves) >= max_leaves:
            complete = False
            return
        undecided: list[CompiledRule] = []
        counts: dict[str, int] = {}
        for r in pending:
            held = r.test(known)
            if held is True:
                applicable = (*applicable, r)
            elif held is None:
                undecided.append(r)
                for name in r.reads:
                    if name not in known:
                        counts[name] = counts.get(name, 0) + 1
        if not counts:
            verdict, standing = combine(sorted(applicable, key=_index))
            leaves.append(Leaf(tuple(assigned), verdict, standing))
            return
        name = min(counts, key=compiled.branch_key(counts))
        values = compiled.domain(name)
        routed = route(compiled, undecided, name, values)
        for value in values:
            known[name] = value
            assigned.append((name, value))
            run(routed[value], applicable)
            assigned.pop()
            del known[name]

    run(tuple(rules), ())
    return (settle_open(leaves, rules, facts) if settle else leaves), complete


def _index(rule: CompiledRule) -> int:
    return rule.index


def guard(compiled: CompiledRuleset, rule: CompiledRule) -> dict[str, frozenset[FactValue]]:
    """The values of enum and bool facts a rule's top-level tests allow (`is` and `in` tests,
    alone or as parts of a top-level `all`), found once per rule."""
    found = compiled.guards.get(rule.index)
    if found is not None:
        return found
    vocabulary = compiled.ruleset.facts
    when = rule.rule.when
    parts = when.all if isinstance(when, All) else [when]
    out: dict[str, frozenset[FactValue]] = {}
    for p in parts:
        if not isinstance(p, Test) or p.operator not in ("is", "in"):
            continue
        fact = vocabulary[p.fact]
        if fact.type not in (FactType.ENUM, FactType.BOOL):
            continue
        # The values the test admits, read off its operand (it compares by `==`, as a set
        # does for names and booleans): testing each value of the fact instead would cost
        # as many calls as the fact has values, for every rule. An operand outside the
        # fact's values is kept, and admits no value of the fact.
        arg = operand_value(p, fact)
        allowed = (
            frozenset(cast("Iterable[FactValue]", arg))
            if isinstance(arg, tuple | list)
            else frozenset([cast("FactValue", arg)])
        )
        out[p.fact] = out[p.fact] & allowed if p.fact in out else allowed
    compiled.guards[rule.index] = out
    return out


def route(
    compiled: CompiledRuleset,
    rules: Sequence[CompiledRule],
    name: str,
    values: Sequence[FactValue],
) -> dict[FactValue, list[CompiledRule]]:
    """For each value of `name`, the rules not already false there by their guard."""
    out: dict[FactValue, list[CompiledRule]] = {v: [] for v in values}
    for r in rules:
        allowed = guard(compiled, r).get(name)
        if allowed is None:
            for v in values:
                out[v].append(r)
        else:
            for v in allowed:
                if v in out:
                    out[v].append(r)
    return out


def settle_open(
    leaves: list[Leaf], rules: Iterable[CompiledRule], facts: Facts | None = None
) -> list[Leaf]:
    """The leaves over real facts only: leaves that differ only in pseudo-facts (what the
    reporting leaves open) become one leaf, `indeterminate` unless they agree, with the deciding
    rules `deciding_under_unknowns` gives that box. The search splits on real facts first, so
    such leaves share their real facts and stay disjoint. `rules` are the rules the search
    explored, `facts` the facts it started from."""
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
        standing = deciding_under_unknowns(verdict, applicable, group)
        out.append(Leaf(real, verdict, tuple(sorted(standing, key=_index))))
    return out


def deciding_under_unknowns(
    verdict: Verdict, applicable: Sequence[CompiledRule], leaves: Iterable[Leaf]
) -> tuple[CompiledRule, ...]:
    """Deciding rules of a verdict that holds in every completion: the rules that apply already
    and stand; failing those, every rule that stands in some completion (in leaf order)."""
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


def mattering_facts(leaves: list[Leaf], tree: Branch | Leaf | None = None) -> set[str]:
    """Facts whose value alone changes the verdict somewhere: two leaves with different verdicts
    whose fixed facts differ in exactly that fact (and agree wherever both are fixed).

    Two leaves first part ways at the search node where they took different values of its
    fact, so that fact is the one they may differ in alone. Rather than comparing every pair of
    leaves, each node's branches are compared: a leaf of one branch is matched only against the
    leaves of another branch that agree with it wherever both are fixed (found by following
    its values down that branch), and a fact is settled by the first pair that differs. Two
    branches whose leaves all have one and the same verdict are not compared at all. The
    leaves may come from any search tree over the same facts (their paths say its shape);
    `tree` is that tree when the caller has it already (`branch` builds its nodes), else it
    is built again from the paths.
    """
    out: set[str] = set()
    if len(leaves) < 2:
        return out
    root = _search_tree(leaves) if tree is None else tree
    if isinstance(root, Leaf):
        return out
    fixed = {id(leaf): dict(leaf.assigned) for leaf in leaves}
    stack = [root]
    while stack:
        node = stack.pop()
        branches = list(node.children.values())
        if node.fact not in out and len(node.verdicts) > 1 and any(
            _parts_ways(a, b, fixed) for a, b in itertools.combinations(branches, 2)
        ):
            out.add(node.fact)
        stack.extend(b for b in branches if isinstance(b, Branch) and len(b.verdicts) > 1)
    return out


@record(slots=True)
class Branch:
    """A node of the search: the fact it split on, a subtree per value, and (filled in once
    the tree is built) the leaves below it and their verdicts."""

    fact: str
    children: dict[FactValue, Branch | Leaf]
    leaves: list[Leaf] = field(default_factory=list)
    verdicts: frozenset[Verdict] = frozenset()


def branch(fact: str, children: dict[FactValue, Branch | Leaf]) -> Branch:
    """A node of a search tree from its subtrees (in value order, each built already), with
    the leaves below it, in leaf order, and their verdicts."""
    leaves: list[Leaf] = []
    verdicts: set[Verdict] = set()
    for child in children.values():
        if child.__class__ is Leaf:
            leaves.append(child)
            verdicts.add(child.verdict)
        else:
            leaves += child.leaves  # type: ignore[union-attr]
            verdicts |= child.verdicts  # type: ignore[union-attr]
    return Branch(fact, children, leaves, frozenset(verdicts))


def _search_tree(leaves: list[Leaf]) -> Branch | Leaf:
    """The search tree again, from the leaves' paths (each path lists the facts split on),
    each node with the leaves below it (in leaf order) and their verdicts."""
    if len(leaves) == 1 and not leaves[0].assigned:
        return leaves[0]
    root = Branch(leaves[0].assigned[0][0], {})
    for leaf in leaves:
        node = root
        node.leaves.append(leaf)
        *through, (_, last) = leaf.assigned
        for depth, (_, value) in enumerate(through):
            child = node.children.get(value)
            if not isinstance(child, Branch):
                child = node.children[value] = Branch(leaf.assigned[depth + 1][0], {})
            node = child
            node.leaves.append(leaf)
        node.children[last] = leaf
    stack = [root]
    while stack:
        node = stack.pop()
        node.verdicts = frozenset(leaf.verdict for leaf in node.leaves)
        stack.extend(c for c in node.children.values() if isinstance(c, Branch))
    return root


def _parts_ways(
    one: Branch | Leaf, other: Branch | Leaf, fixed: Mapping[int, Mapping[str, FactValue]]
) -> bool:
    """Whether a leaf under `one` and a leaf under `other` that agree wherever both are fixed
    (other than on the fact that split them) have different verdicts. `fixed`: each leaf's
    path as a dict, by `id`."""
    if isinstance(other, Leaf):
        if isinstance(one, Leaf):
            return one.verdict != other.verdict
        one, other = other, one  # follow the leaf's values down the branch
    branch = cast(Branch, other)
    mine, verdicts = ([one], {one.verdict}) if isinstance(one, Leaf) else (one.leaves, one.verdicts)
    if len(verdicts | branch.verdicts) == 1:
        return False
    for leaf in mine:
        values = fixed[id(leaf)]
        verdict = leaf.verdict
        stack: list[Branch | Leaf] = [branch]
        while stack:
            node = stack.pop()
            if isinstance(node, Leaf):
                if node.verdict != verdict:
                    return True
            elif len(node.verdicts) == 1 and verdict in node.verdicts:
                continue  # every leaf below has this leaf's verdict
            elif node.fact in values:
                below = node.children.get(values[node.fact])
                if below is not None:
                    stack.append(below)
            else:
                stack.extend(node.children.values())
    return False


def value_outcomes(
    compiled: CompiledRuleset, name: str, leaves: Iterable[Leaf]
) -> tuple[tuple[FactValue, tuple[Verdict, ...]], ...]:
    """For each value of a fact (or pseudo-fact), the verdicts the leaves leave possible."""
    outcomes = []
    fixed = [(dict(leaf.assigned).get(name, _MISSING), leaf.verdict) for leaf in leaves]
    for value in compiled.domain(name):
        verdicts = {verdict for v, verdict in fixed if v is _MISSING or v == value}
        outcomes.append((value, tuple(sorted(verdicts))))
    return tuple(outcomes)


_MISSING: object = object()

