"""Rules compiled to closures over a facts mapping, with Kleene (three-valued) logic.

A compiled test returns True, False, or None for *unknown* (a fact it reads is missing).
"""

from __future__ import annotations

import operator
from typing import Any
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

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
    if isinstance(cond, Not):
        inner = compile_condition(cond.not_, facts)

        def not_(f: Facts) -> Kleene:
            r = inner(f)
            return None if r is None else not r

        return not_
    if isinstance(cond, All):
        parts = tuple(compile_condition(c, facts) for c in cond.all)

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
    parts_any = tuple(compile_condition(c, facts) for c in cond.any)

    def any_(f: Facts) -> Kleene:
        unknown = False
        for p in parts_any:
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

    @property
    def id(self) -> str:
        """The rule's id."""
        return self.rule.id

    @property
    def effect(self) -> Effect:
        """permit or prohibit."""
        return self.rule.effect


@dataclass(eq=False)
class CompiledRuleset:
    """All rules compiled, with each fact's finite domain of representative values."""

    ruleset: Ruleset
    rules: tuple[CompiledRule, ...]
    by_id: dict[str, CompiledRule]
    domains: dict[str, tuple[FactValue, ...]]
    fact_order: dict[str, int]
    contexts: dict[tuple[object, ...], Any] = field(default_factory=dict)


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
    compiled = tuple(
        CompiledRule(
            index=i,
            rule=r,
            permit=r.effect is Effect.PERMIT,
            test=compile_condition(r.when, ruleset.facts),
            reads=facts_read(r.when),
            overrides=frozenset(index[o] for o in r.overrides),
            period=rule_period(r, ruleset.claims),
            claims=tuple(cite(ruleset.claims[c]) for c in r.because),
        )
        for i, r in enumerate(ruleset.rules)
    )
    return CompiledRuleset(
        ruleset=ruleset,
        rules=compiled,
        by_id={r.id: r for r in compiled},
        domains=fact_domains(ruleset),
        fact_order={name: i for i, name in enumerate(ruleset.facts)},
    )
