"""Facts that know each other: constraints a vocabulary states between its facts.

A constraint reads "whenever `when` holds, `then` holds too", with a `note` saying why (a weapon
is one country's; an area lies inside one region). From the constraints follow:

- **impossible scenarios** — `when` true and `then` false: `eval` refuses them as an input
  error naming the constraint; `table` and `lint` leave them out and say how many;
- **implied values** — `when` true and `then` a set of `is` tests on facts the scenario lacks:
  those values are filled in, so `ask` never asks for them;
- **possible scenarios** — the grid of enum and boolean values less the impossible ones.

Conditions are the rules' condition trees, read here with Kleene's three-valued logic (a test
on a fact the scenario lacks is unknown), so a partial scenario is impossible only when it is
impossible whatever its missing facts are.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from datetime import date

from claimrules.diagnostics import Diagnostic, Span
from claimrules.load.domain import (
    All,
    Condition,
    Constraint,
    Fact,
    FactType,
    FactValue,
    Not,
    Test,
)
from claimrules.load.scenario import ScenarioError
from claimrules.values import PlainValue, plain_value

#: Rounds of filling in implied values (each round may enable another constraint).
_MAX_ROUNDS = 64


def _operand(test: Test, fact: Fact | None) -> object:
    raw = test.operand
    if fact is not None and fact.type is FactType.DATE:
        if isinstance(raw, tuple | list):
            return [date.fromisoformat(str(x)) for x in raw]
        return date.fromisoformat(str(raw))
    return raw


def _test(test: Test, value: FactValue, fact: Fact | None) -> bool:
    arg = _operand(test, fact)
    op = test.operator
    if op == "is":
        return value == arg and isinstance(value, bool) == isinstance(arg, bool)
    if op == "in":
        return any(value == a and isinstance(value, bool) == isinstance(a, bool)
                   for a in arg)  # type: ignore[attr-defined]
    try:
        if op == "lt":
            return value < arg  # type: ignore[operator]
        if op == "le":
            return value <= arg  # type: ignore[operator]
        if op == "gt":
            return value > arg  # type: ignore[operator]
        return value >= arg  # type: ignore[operator]
    except TypeError:
        return False


def holds(cond: Condition, facts: Mapping[str, FactValue],
          vocabulary: Mapping[str, Fact] | None = None) -> bool | None:
    """Whether a condition holds for the (typed) facts: True, False, or None (unknown)."""
    if isinstance(cond, Test):
        if facts.get(cond.fact) is None:
            return None
        fact = vocabulary.get(cond.fact) if vocabulary is not None else None
        return _test(cond, facts[cond.fact], fact)
    if isinstance(cond, Not):
        inner = holds(cond.not_, facts, vocabulary)
        return None if inner is None else not inner
    parts = [holds(p, facts, vocabulary) for p in (cond.all if isinstance(cond, All)
                                                   else cond.any)]
    if isinstance(cond, All):
        if False in parts:
            return False
        return None if None in parts else True
    # the remaining kind: Any_
    if True in parts:
        return True
    return None if None in parts else False


def violated(constraints: Sequence[Constraint], facts: Mapping[str, FactValue],
             vocabulary: Mapping[str, Fact] | None = None) -> Constraint | None:
    """The first constraint the scenario breaks for certain (`when` true, `then` false)."""
    for c in constraints:
        if holds(c.when, facts, vocabulary) is True and holds(c.then, facts, vocabulary) is False:
            return c
    return None


def _assignments(cond: Condition) -> dict[str, FactValue] | None:
    """The values a `then` fixes: `{fact, is}` tests, alone or under `all`; else None."""
    if isinstance(cond, Test):
        if cond.operator == "is" and isinstance(cond.operand, str | bool | int | float):
            return {cond.fact: cond.operand}
        return None
    if isinstance(cond, All):
        out: dict[str, FactValue] = {}
        for part in cond.all:
            sub = _assignments(part)
            if sub is None:
                return None
            out.update(sub)
        return out
    return None


def implied(constraints: Sequence[Constraint], facts: Mapping[str, FactValue],
            vocabulary: Mapping[str, Fact] | None = None) -> dict[str, tuple[FactValue, str]]:
    """Values the scenario lacks that its facts imply, each with the constraint implying it,
    found round by round until nothing more follows."""
    current = dict(facts)
    out: dict[str, tuple[FactValue, str]] = {}
    for _ in range(_MAX_ROUNDS):
        added = False
        for c in constraints:
            if holds(c.when, current, vocabulary) is not True:
                continue
            for name, value in (_assignments(c.then) or {}).items():
                if current.get(name) is None:
                    typed = _operand(Test(name, "is", value), (vocabulary or {}).get(name))
                    current[name] = typed  # type: ignore[assignment]
                    out[name] = (typed, c.id)  # type: ignore[assignment]
                    added = True
        if not added:
            break
    return out


class ImpossibleScenario(ScenarioError):
    """A scenario that breaks a constraint of the vocabulary (an input error, exit 2)."""


def impossible(constraint: Constraint, facts: Mapping[str, FactValue]) -> ImpossibleScenario:
    """The input error for a scenario that breaks `constraint`."""
    named = ", ".join(f"{k}={_show(v)}" for k, v in sorted(facts.items()))
    return ImpossibleScenario([Diagnostic(
        "impossible-scenario",
        f"impossible scenario: it breaks constraint `{constraint.id}`: {constraint.note}",
        Span("<scenario>"),
        help=f"the scenario ({named}) cannot happen as the vocabulary describes the facts; "
             "change a value",
    )])


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def complete(constraints: Sequence[Constraint], facts: Mapping[str, FactValue],
             vocabulary: Mapping[str, Fact] | None = None) -> dict[str, FactValue]:
    """The scenario with its implied values filled in; ImpossibleScenario if it breaks a
    constraint (before or after filling in)."""
    out = dict(facts)
    broken = violated(constraints, out, vocabulary)
    if broken is not None:
        raise impossible(broken, facts)
    for name, (value, _) in implied(constraints, out, vocabulary).items():
        out[name] = value
    broken = violated(constraints, out, vocabulary)
    if broken is not None:
        raise impossible(broken, facts)
    return out


def possible(constraints: Sequence[Constraint], facts: Mapping[str, FactValue],
             vocabulary: Mapping[str, Fact] | None = None) -> bool:
    """False when the facts break a constraint for certain."""
    return violated(constraints, facts, vocabulary) is None


@plain_value
class Enumeration(PlainValue):
    """The possible scenarios of a grid, and how many of the grid were left out."""

    scenarios: tuple[dict[str, FactValue], ...]
    left_out: int


def scenarios(domains: Mapping[str, Sequence[FactValue]], constraints: Sequence[Constraint],
              vocabulary: Mapping[str, Fact] | None = None) -> Enumeration:
    """Every full scenario of the grid (each fact over its domain), the impossible ones left
    out and counted."""
    names = list(domains)
    kept: list[dict[str, FactValue]] = []
    left_out = 0
    for values in itertools.product(*(domains[n] for n in names)):
        facts = dict(zip(names, values, strict=True))
        if possible(constraints, facts, vocabulary):
            kept.append(facts)
        else:
            left_out += 1
    return Enumeration(tuple(kept), left_out)


def iter_impossible(domains: Mapping[str, Sequence[FactValue]],
                    constraints: Sequence[Constraint],
                    vocabulary: Mapping[str, Fact] | None = None,
                    ) -> Iterator[dict[str, FactValue]]:
    """The impossible full scenarios of the grid over the facts the constraints name."""
    named = sorted({t.fact for c in constraints for t in _tests(c.when)}
                   | {t.fact for c in constraints for t in _tests(c.then)})
    sub = {n: domains[n] for n in named if n in domains}
    for values in itertools.product(*(sub[n] for n in sub)):
        facts = dict(zip(sub, values, strict=True))
        if not possible(constraints, facts, vocabulary):
            yield facts


def _tests(cond: Condition) -> Iterator[Test]:
    if isinstance(cond, Test):
        yield cond
    elif isinstance(cond, Not):
        yield from _tests(cond.not_)
    else:
        for part in cond.all if isinstance(cond, All) else cond.any:
            yield from _tests(part)


def facts_named(constraint: Constraint) -> set[str]:
    """The facts a constraint reads."""
    return {t.fact for t in _tests(constraint.when)} | {t.fact for t in _tests(constraint.then)}
