"""The one explanation walker: which fact tests make a decided condition true or false.

It walks a compiled condition tree (`compile.CompiledNode`): a test explains itself; `not`
flips what is wanted; a part that settles its `all` (false) or `any` (true) explains it alone
(the first such part); otherwise every part does. `why` and `condition_value` are the same
walk over a condition not yet compiled (as analysis's probes and the tests ask it).
"""

from __future__ import annotations

from collections.abc import Mapping

from claimrules.engine.compile import (
    CompiledNode,
    CompiledRule,
    CompiledRuleset,
    Facts,
    compile_condition,
    compile_node,
)
from claimrules.engine.decision import TestOutcome
from claimrules.load.domain import Condition, Fact


def failing(node: CompiledNode, facts: Facts, want: bool) -> tuple[tuple[CompiledNode, bool], ...]:
    """The fact tests that make a decided condition `want` on these facts, as (test node,
    held) pairs."""
    if node.fact is not None:
        return ((node, want),)
    if node.kind == "not":
        return failing(node.parts[0], facts, not want)
    settling = node.kind != "all"  # one False part settles `all`; one True part, `any`
    if settling == want:
        for part in node.parts:
            if part.test(facts) is want:
                return failing(part, facts, want)
        return ()
    return tuple(t for part in node.parts for t in failing(part, facts, want))


def settled_by(node: CompiledNode, facts: Facts, want: bool) -> bool:
    """Whether `failing(node, more, want)` is the same for every `more` that gives these facts
    and maybe others (`node` being `want` on these facts): no part the walk passes over on
    its way to the part it explains by is unknown on these facts."""
    if node.fact is not None:
        return True
    if node.kind == "not":
        return settled_by(node.parts[0], facts, not want)
    if (node.kind != "all") == want:
        for part in node.parts:
            value = part.test(facts)
            if value is want:
                return settled_by(part, facts, want)
            if value is None:
                return False
        return True
    return all(settled_by(part, facts, want) for part in node.parts)


def outcomes_of(
    tests: tuple[tuple[CompiledNode, bool], ...], facts: Facts
) -> tuple[TestOutcome, ...]:
    """The test outcomes of `failing`'s pairs, with the values the facts give."""
    return tuple(
        TestOutcome(n.fact, n.kind, n.operand, facts[n.fact], w)  # type: ignore[arg-type,index]
        for n, w in tests
    )


def why_node(node: CompiledNode, facts: Facts, want: bool) -> tuple[TestOutcome, ...]:
    """The tests that make a compiled (decided) condition evaluate to `want` on these facts."""
    return outcomes_of(failing(node, facts, want), facts)


def why_false(
    compiled: CompiledRuleset, rule: CompiledRule, facts: Facts
) -> tuple[TestOutcome, ...]:
    """The tests that make a rule's condition false on these facts."""
    node = rule.node
    if node is None:
        node = compile_node(rule.rule.when, compiled.ruleset.facts)
    return why_node(node, facts, False)


def why(
    cond: Condition, facts: Facts, want: bool, vocabulary: Mapping[str, Fact]
) -> tuple[TestOutcome, ...]:
    """The tests that make a (decided) condition evaluate to `want` on these facts."""
    return why_node(compile_node(cond, vocabulary), facts, want)


def condition_value(cond: Condition, facts: Facts, vocabulary: Mapping[str, Fact]) -> bool | None:
    """The Kleene value of a condition on these facts (None: unknown)."""
    return compile_condition(cond, vocabulary)(facts)
