"""Rules compiled to closures over a facts mapping, with Kleene (three-valued) logic, and a
discrimination index that finds the few rules a scenario can trigger.

A compiled test returns True, False, or None for *unknown* (a fact it reads is missing).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from claimrules.decision import CitedClaim, Period
from claimrules.model import All, Any_, Condition, Effect, Fact, FactType, Not, Rule, Test
from claimrules.model.vocabulary import FactValue
from claimrules.ruleset import ClaimRecord, Ruleset

Facts = Mapping[str, FactValue]
Kleene = bool | None
CompiledTest = Callable[[Facts], Kleene]

_MISSING: object = object()

_COMPARE: dict[str, Callable[[object, object], bool]] = {
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}


def operand_value(test: Test, fact: Fact) -> object:
    """The operand of a test, typed like the fact (dates parsed from their strings)."""
    raw = test.operand
    if fact.type is FactType.DATE:
        if isinstance(raw, list):
            return [date.fromisoformat(str(x)) for x in raw]
        return date.fromisoformat(str(raw))
    return raw


def _compile_test(test: Test, fact: Fact) -> CompiledTest:
    name = test.fact
    op = test.operator
    arg = operand_value(test, fact)
    missing = _MISSING

    if op == "is":

        def is_(facts: Facts) -> Kleene:
            v = facts.get(name, missing)
            if v is missing:
                return None
            return bool(v == arg)

        return is_
    if op == "in":
        members = frozenset(arg) if isinstance(arg, list) else frozenset([arg])

        def in_(facts: Facts) -> Kleene:
            v = facts.get(name, missing)
            if v is missing:
                return None
            return v in members

        return in_
    cmp = _COMPARE[op]

    def compare(facts: Facts) -> Kleene:
        v = facts.get(name, missing)
        if v is missing:
            return None
        return cmp(v, arg)

    return compare


def compile_condition(cond: Condition, facts: Mapping[str, Fact]) -> CompiledTest:
    """A closure computing the condition's Kleene value."""
    if isinstance(cond, Test):
        return _compile_test(cond, facts[cond.fact])
    return compile_node(cond, facts).test


@dataclass(frozen=True, eq=False)
class CompiledNode:
    """A condition with its compiled closure and its compiled parts, kept so that an
    explanation can find the tests that decided a rule without compiling anything again."""

    cond: Condition
    test: CompiledTest
    parts: tuple[CompiledNode, ...]
    kind: str  # "all", "any", "not", or the operator of a fact test
    fact: str | None = None  # a fact test's fact
    operand: object = None  # a fact test's operand, as written


def compile_node(cond: Condition, facts: Mapping[str, Fact]) -> CompiledNode:
    """The condition's closure (the one `compile_condition` builds) with its compiled parts."""
    if isinstance(cond, Test):
        test = _compile_test(cond, facts[cond.fact])
        return CompiledNode(cond, test, (), cond.operator, cond.fact, cond.operand)
    if isinstance(cond, Not):
        node = compile_node(cond.not_, facts)
        return CompiledNode(cond, _not(node.test), (node,), "not")
    if isinstance(cond, All):
        parts = tuple(compile_node(c, facts) for c in cond.all)
        return CompiledNode(cond, _all(tuple(p.test for p in parts)), parts, "all")
    parts = tuple(compile_node(c, facts) for c in cond.any)
    return CompiledNode(cond, _any(tuple(p.test for p in parts)), parts, "any")


def _not(inner: CompiledTest) -> CompiledTest:
    def not_(f: Facts) -> Kleene:
        r = inner(f)
        return None if r is None else not r

    return not_


def _all(parts: tuple[CompiledTest, ...]) -> CompiledTest:
    def all_(f: Facts) -> Kleene:
        unknown = False
        for p in parts:
            r = p(f)
            if r is False:
                return False
            if r is None:
                unknown = True
        return None if unknown else True

    return all_


def _any(parts: tuple[CompiledTest, ...]) -> CompiledTest:
    def any_(f: Facts) -> Kleene:
        unknown = False
        for p in parts:
            r = p(f)
            if r is True:
                return True
            if r is None:
                unknown = True
        return None if unknown else False

    return any_


def facts_read(cond: Condition) -> frozenset[str]:
    """The names of the facts a condition reads."""
    if isinstance(cond, Test):
        return frozenset([cond.fact])
    if isinstance(cond, Not):
        return facts_read(cond.not_)
    parts = cond.all if isinstance(cond, All) else cond.any
    out: frozenset[str] = frozenset()
    for p in parts:
        out |= facts_read(p)
    return out


def iter_tests(cond: Condition) -> list[Test]:
    """Every fact test in a condition, in order."""
    if isinstance(cond, Test):
        return [cond]
    if isinstance(cond, Not):
        return iter_tests(cond.not_)
    parts = cond.all if isinstance(cond, All) else cond.any
    return [t for p in parts for t in iter_tests(p)]


def cite(record: ClaimRecord) -> CitedClaim:
    """The citation form of a claim."""
    c, s = record.claim, record.source
    return CitedClaim(
        id=c.id,
        source=s.id,
        quote=c.quote,
        kind=c.kind,
        modality=c.modality,
        attributed_to=c.attributed_to,
        reported_on=record.reported_on,
        start=record.start,
        end=record.end,
        outlet=s.outlet,
        title=s.title,
        url=s.url,
        published=s.published,
    )


def rule_period(rule: Rule, claims: Mapping[str, ClaimRecord]) -> Period:
    """The rule's stated period, or one derived from its earliest dated claim."""
    if rule.effective is not None:
        return Period(rule.effective.from_, rule.effective.until, rule.effective.basis, None)
    dated = sorted(
        (claims[c].reported_on, c) for c in rule.because if claims[c].reported_on is not None
    )
    if not dated:
        return Period(None, None, None, None)
    first, claim_id = dated[0]
    return Period(first, None, None, claim_id)


@dataclass(frozen=True, eq=False)
class CompiledRule:
    """A rule ready to evaluate."""

    index: int
    rule: Rule
    permit: bool
    test: CompiledTest
    reads: frozenset[str]
    overrides: frozenset[int]
    period: Period
    claims: tuple[CitedClaim, ...]
    node: CompiledNode | None = None  # the condition's compiled tree, for explanations
    overrides_ids: tuple[str, ...] = ()  # the ids it overrides, sorted

    @property
    def id(self) -> str:
        """The rule's id."""
        return self.rule.id

    @property
    def effect(self) -> Effect:
        """permit or prohibit."""
        return self.rule.effect


#: An index node with this many rules or fewer is a leaf: testing them beats splitting further.
_LEAF_RULES = 4
#: A split must cut the expected number of candidate rules by this factor to be worth a level.
_SPLIT_GAIN = 0.75
#: Rules listed under several values (`in` tests) are copied; copies stop growing past this
#: multiple of the number of rules, which keeps the index linear in the ruleset.
_MAX_COPIES = 8
#: Facts without a finite domain (numbers, dates) count as this many values when scoring a split.
_OPEN_DOMAIN = 16


@dataclass(frozen=True, eq=False)
class IndexNode:
    """A node of the discrimination index over the rules' required values.

    A leaf (`fact` None) lists its rules. An inner node splits on `fact`: `children` maps each
    value some rule requires to the node of those rules, `rest` holds the rules that do not test
    `fact`, and `rules` is every rule below, in rule order, for a scenario that lacks `fact`.
    """

    fact: str | None
    rules: tuple[CompiledRule, ...]
    children: Mapping[object, IndexNode] = field(default_factory=dict)
    rest: IndexNode | None = None

    def lookup(self, facts: Facts) -> list[CompiledRule]:
        """The rules whose required values the facts do not contradict, in rule order.

        Every other rule has a top-level `is`/`in` test that is false on a known fact, so its
        condition is false whatever the missing facts are. Raises TypeError for an unhashable
        value (the caller then tests every rule).
        """
        found: list[CompiledRule] = []
        parts = 0
        stack = [self]
        while stack:
            node = stack.pop()
            name = node.fact
            if name is None:
                if node.rules:
                    found.extend(node.rules)
                    parts += 1
                continue
            value = facts.get(name, _MISSING)
            if value is _MISSING:
                found.extend(node.rules)
                parts += 1
                continue
            if node.rest is not None:
                stack.append(node.rest)
            child = node.children.get(value)
            if child is not None:
                stack.append(child)
        if parts > 1:
            found.sort(key=_rule_index)
        return found


def _rule_index(rule: CompiledRule) -> int:
    return rule.index


def required_values(cond: Condition, facts: Mapping[str, Fact]) -> dict[str, frozenset[object]]:
    """For each fact that a top-level `is`/`in` test of the condition reads, the values that
    test admits (intersected when several tests read one fact). The condition can only be true
    when every such fact is missing or holds one of its admitted values."""
    parts = cond.all if isinstance(cond, All) else [cond]
    out: dict[str, frozenset[object]] = {}
    for part in parts:
        if not isinstance(part, Test) or part.operator not in ("is", "in"):
            continue
        arg = operand_value(part, facts[part.fact])
        admitted = frozenset(arg) if isinstance(arg, list) else frozenset([arg])
        previous = out.get(part.fact)
        out[part.fact] = admitted if previous is None else previous & admitted
    return out


_Keyed = tuple[CompiledRule, dict[str, frozenset[object]]]


def _split_fact(
    keyed: list[_Keyed], used: frozenset[str], sizes: Mapping[str, int]
) -> str | None:
    """The fact that leaves the fewest expected candidates per scenario, if splitting pays."""
    score: dict[str, float] = {}
    for _, required in keyed:
        for name, admitted in required.items():
            if name not in used:
                score[name] = score.get(name, 0.0) + 1.0 - len(admitted) / sizes.get(name, 1)
    if not score:
        return None
    # The score is the expected number of rules a split removes; ties go to the first by name.
    best = max(sorted(score), key=score.__getitem__)
    if len(keyed) - score[best] > _SPLIT_GAIN * len(keyed):
        return None
    return best


def _build_node(
    keyed: list[_Keyed], used: frozenset[str], sizes: Mapping[str, int], budget: list[int]
) -> IndexNode:
    rules = tuple(sorted((r for r, _ in keyed), key=_rule_index))
    name = None if len(keyed) <= _LEAF_RULES else _split_fact(keyed, used, sizes)
    if name is None:
        return IndexNode(None, rules)
    copies = sum(len(req[name]) - 1 for _, req in keyed if name in req)
    if copies > budget[0]:
        return IndexNode(None, rules)
    budget[0] -= copies
    by_value: dict[object, list[_Keyed]] = {}
    rest: list[_Keyed] = []
    for item in keyed:
        admitted = item[1].get(name)
        if admitted is None:
            rest.append(item)
            continue
        for value in admitted:
            by_value.setdefault(value, []).append(item)
    below = used | {name}
    children = {v: _build_node(items, below, sizes, budget) for v, items in by_value.items()}
    return IndexNode(name, rules, children, _build_node(rest, below, sizes, budget) if rest else None)


def build_index(rules: Iterable[CompiledRule], facts: Mapping[str, Fact]) -> IndexNode:
    """A discrimination tree over the values each rule's top-level `is`/`in` tests require, so
    that finding the rules a scenario can trigger costs about the depth of the tree, not the
    number of rules. Each level splits on the fact that removes the most rules."""
    keyed = [(r, required_values(r.rule.when, facts)) for r in rules]
    sizes = {
        name: len(f.value_names()) if f.type is FactType.ENUM
        else 2 if f.type is FactType.BOOL else _OPEN_DOMAIN
        for name, f in facts.items()
    }
    return _build_node(keyed, frozenset(), sizes, [_MAX_COPIES * max(1, len(keyed))])


@dataclass(eq=False)
class CompiledRuleset:
    """All rules compiled, with each fact's finite domain of representative values.

    The last fields are caches that never change an answer: contexts by (as_of, known_by,
    sources), the rule index, and decisions already made, by scenario.
    """

    ruleset: Ruleset
    rules: tuple[CompiledRule, ...]
    by_id: dict[str, CompiledRule]
    domains: dict[str, tuple[FactValue, ...]]
    fact_order: dict[str, int]
    contexts: dict[tuple[object, ...], Any] = field(default_factory=dict)
    # For enum and bool facts, the one type and the values a scenario may give (checked
    # exactly, so `1` is no boolean); None for number and date facts.
    value_sets: dict[str, tuple[type, frozenset[object]] | None] = field(default_factory=dict)
    in_id_order: tuple[CompiledRule, ...] = ()  # the order explanations list rules in
    index: IndexNode | None = None
    decisions: dict[tuple[object, ...], dict[tuple[object, ...], Any]] = field(
        default_factory=dict
    )

    def rule_index(self) -> IndexNode:
        """The discrimination index over every rule, built on first use."""
        if self.index is None:
            self.index = build_index(self.rules, self.ruleset.facts)
        return self.index


def _threshold_domain(points: set[FactValue], kind: FactType) -> tuple[FactValue, ...]:
    """Representative values: each threshold, one between each pair, one below and above."""
    if not points:
        return (date(2024, 1, 1),) if kind is FactType.DATE else (0,)
    ordered = sorted(points)  # type: ignore[type-var]
    out: list[FactValue] = []
    if kind is FactType.DATE:
        step = timedelta(days=1)
        out.append(ordered[0] - step)  # type: ignore[operator]
        for a, b in zip(ordered, ordered[1:], strict=False):
            out.append(a)
            if (b - a).days > 1:  # type: ignore[operator]
                out.append(a + step)  # type: ignore[operator]
        out.append(ordered[-1])
        out.append(ordered[-1] + step)  # type: ignore[operator]
        return tuple(out)
    out.append(ordered[0] - 1)  # type: ignore[operator]
    for a, b in zip(ordered, ordered[1:], strict=False):
        out.append(a)
        out.append((a + b) / 2)  # type: ignore[operator]
    out.append(ordered[-1])
    out.append(ordered[-1] + 1)  # type: ignore[operator]
    return tuple(out)


def fact_domains(ruleset: Ruleset) -> dict[str, tuple[FactValue, ...]]:
    """Each fact's values (enum, bool) or representatives split at the rules' thresholds."""
    points: dict[str, set[FactValue]] = {name: set() for name in ruleset.facts}
    for rule in ruleset.rules:
        for t in iter_tests(rule.when):
            fact = ruleset.facts[t.fact]
            if fact.type in (FactType.NUMBER, FactType.DATE):
                v = operand_value(t, fact)
                for x in v if isinstance(v, list) else [v]:
                    points[t.fact].add(x)  # type: ignore[arg-type]
    out: dict[str, tuple[FactValue, ...]] = {}
    for name, fact in ruleset.facts.items():
        if fact.type is FactType.ENUM:
            out[name] = tuple(fact.value_names())
        elif fact.type is FactType.BOOL:
            out[name] = (True, False)
        else:
            out[name] = _threshold_domain(points[name], fact.type)
    return out


def compile_ruleset(ruleset: Ruleset) -> CompiledRuleset:
    """Compile every rule of a checked ruleset."""
    index = {r.id: i for i, r in enumerate(ruleset.rules)}
    citations: dict[str, CitedClaim] = {}

    def cited(claim_id: str) -> CitedClaim:
        # A claim cited by many rules is one shared (frozen) value.
        if claim_id not in citations:
            citations[claim_id] = cite(ruleset.claims[claim_id])
        return citations[claim_id]

    nodes = [compile_node(r.when, ruleset.facts) for r in ruleset.rules]
    compiled = tuple(
        CompiledRule(
            index=i,
            rule=r,
            permit=r.effect is Effect.PERMIT,
            test=node.test,
            reads=facts_read(r.when),
            overrides=frozenset(index[o] for o in r.overrides),
            period=rule_period(r, ruleset.claims),
            claims=tuple(cited(c) for c in r.because),
            node=node,
            overrides_ids=tuple(sorted(r.overrides)),
        )
        for (i, r), node in zip(enumerate(ruleset.rules), nodes, strict=True)
    )
    return CompiledRuleset(
        ruleset=ruleset,
        rules=compiled,
        by_id={r.id: r for r in compiled},
        domains=fact_domains(ruleset),
        fact_order={name: i for i, name in enumerate(ruleset.facts)},
        value_sets={name: _value_set(f) for name, f in ruleset.facts.items()},
        in_id_order=tuple(sorted(compiled, key=lambda r: r.id)),
    )


def _value_set(fact: Fact) -> tuple[type, frozenset[object]] | None:
    if fact.type is FactType.ENUM:
        return str, frozenset(fact.value_names())
    if fact.type is FactType.BOOL:
        return bool, frozenset([True, False])
    return None
