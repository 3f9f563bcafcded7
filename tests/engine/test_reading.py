"""The compiled reading (engine/reading.py): a reading's decision diagram, its bounds, its
canonical keys and its cache. Equality with the per-scenario search and the reference is in
test_equivalence.py; here, the shape of the thing (node counts, never time)."""

from __future__ import annotations

import itertools
import random
from datetime import date

import pytest
from test_equivalence import FACTS, make_ruleset

from claimrules import evaluate, evaluate_many, load_ruleset
from claimrules.engine import reading as reading_module
from claimrules.engine.compile import compiled_ruleset
from claimrules.engine.explain import decide
from claimrules.engine.reading import DIAGRAM_LEAVES, READINGS, reading_of
from claimrules.load.domain import Rule
from claimrules.load.model import Rule as RuleModel
from claimrules.load.ruleset import Ruleset
from claimrules.load.scenario import ScenarioError
from conftest import SHIPPED


def _shipped_space(rs: Ruleset) -> list[dict[str, object]]:
    names = list(rs.facts)
    domains = [
        [True, False] if rs.facts[n].type == "bool" else rs.facts[n].value_names() for n in names
    ]
    return [dict(zip(names, values, strict=True)) for values in itertools.product(*domains)]


def test_shipped_readings_compile_into_small_diagrams() -> None:
    rs = load_ruleset(SHIPPED)
    compiled = compiled_ruleset(rs)
    readings = [
        (None, None, None),
        (date(2024, 5, 31), None, None),
        (date(2024, 6, 15), date(2024, 6, 30), None),
        (None, None, ("biden-decision-article",)),
    ]
    for as_of, known_by, sources in readings:
        reading = reading_of(compiled, as_of, known_by, sources, None)
        reading.build()
        assert reading.root is not None
        # A tree: fewer inner nodes than leaves, and far fewer leaves than scenarios (3,600
        # complete ones, each of which the plain search would explore on its own).
        assert reading.boxes <= 600
        assert reading.boxes < reading.nodes() < 2 * reading.boxes


def _bool_rules(count: int) -> Ruleset:
    """`count` bool facts, each read by its own rule: 2**count boxes."""
    facts = [{"name": f"x{i}", "type": "bool", "description": "d", "question": "q?"}
             for i in range(count)]
    rules = [
        RuleModel.model_validate({
            "id": f"r{i:02d}", "effect": "prohibit" if i % 2 else "permit",
            "when": {"fact": f"x{i}", "is": True}, "because": ["k1"], "note": "n",
        }).to_domain()
        for i in range(count)
    ]
    return make_ruleset(facts, rules)


def test_a_diagram_over_its_leaf_bound_is_not_built_and_answers_stay_the_same() -> None:
    small, large = _bool_rules(11), _bool_rules(13)  # 2,048 and 8,192 boxes
    assert 2**11 <= DIAGRAM_LEAVES < 2**13
    assert reading_of(compiled_ruleset(small), None, None, None, None).nodes() == 0  # not built yet
    evaluate(small, {})  # one scenario: the per-scenario search, no diagram yet
    assert reading_of(compiled_ruleset(small), None, None, None, None).nodes() == 0
    evaluate(small, {"x0": True})  # the second builds it
    assert reading_of(compiled_ruleset(small), None, None, None, None).nodes() == 2**12 - 1
    rng = random.Random(7)  # noqa: S311 - repeatable test data
    for rs in (small, large):
        compiled = compiled_ruleset(rs)
        for _ in range(40):
            facts: dict[str, object] = {
                f"x{i}": rng.choice([True, False]) for i in range(11) if rng.random() < 0.8
            }
            for explain in (False, True):
                assert evaluate(rs, facts, explain=explain) == decide(
                    compiled, facts, explain=explain
                )
    assert reading_of(compiled_ruleset(large), None, None, None, None).root is None


def test_number_and_date_facts_take_the_per_scenario_search() -> None:
    rule: Rule = RuleModel.model_validate({
        "id": "r00", "effect": "permit", "because": ["k1"], "note": "n",
        "when": {"all": [{"fact": "a", "is": "a1"}, {"fact": "n", "gt": 2}]},
    }).to_domain()
    rs = make_ruleset(FACTS, [rule])
    for facts in ({"a": "a1", "n": 3}, {"a": "a1"}, {"a": "a2", "n": 1.5}, {"n": 3}):
        assert evaluate(rs, facts) == decide(compiled_ruleset(rs), facts)
    assert reading_of(compiled_ruleset(rs), None, None, None, None).root is None


def test_key_order_and_absent_or_none_give_the_same_remembered_decision() -> None:
    rs = load_ruleset(SHIPPED)
    facts = {"actor": "ukraine", "munitions_origin": "us", "target_location": "russia",
             "area": "across_from_kharkiv", "in_kursk_region": False}
    first = evaluate(rs, facts)
    reordered = dict(reversed(list(facts.items())))
    assert evaluate(rs, reordered) is first
    assert evaluate(rs, {**reordered, "weapon_class": None, "target_type": None}) is first
    [batch] = evaluate_many(rs, [dict(reordered)], explain=True)
    assert batch is first
    assert evaluate(rs, facts, explain=False) is not first  # one memo per `explain`
    assert evaluate(rs, facts, explain=False).verdict is first.verdict


def test_readings_are_bounded_and_the_least_recently_used_goes_first() -> None:
    rs = load_ruleset(SHIPPED)
    compiled = compiled_ruleset(rs)
    days = [date(2024, 5, d) for d in range(1, READINGS + 4)]
    first = reading_of(compiled, days[0], None, None, None)
    for day in days[1:]:
        reading_of(compiled, days[0], None, None, None)  # keeps the first one in use
        reading_of(compiled, day, None, None, None)
    assert len(compiled.readings) == READINGS
    assert reading_of(compiled, days[0], None, None, None) is first
    assert (days[1], None, None, None) not in compiled.readings


def test_fresh_loads_give_equal_decisions_in_any_order() -> None:
    """Purity: nothing a decision depends on is left behind by earlier decisions — two fresh
    loads, asked the same scenarios in different orders (keys shuffled, some facts missing),
    give equal decisions, explained or not."""
    one, two = load_ruleset(SHIPPED), load_ruleset(SHIPPED)
    rng = random.Random(12)  # noqa: S311 - repeatable test data
    space = _shipped_space(one)
    scenarios = [
        {k: v for k, v in rng.sample(list(s.items()), len(s)) if rng.random() < 0.7}
        for s in rng.sample(space, 300)
    ]
    shuffled = list(range(len(scenarios)))
    rng.shuffle(shuffled)
    for explain in (False, True):
        ones = {i: evaluate(one, scenarios[i], explain=explain) for i in range(len(scenarios))}
        twos = {i: evaluate(two, dict(reversed(list(scenarios[i].items()))), explain=explain)
                for i in shuffled}
        assert ones == twos
        for i in shuffled[:20]:
            assert ones[i] is not twos[i]


def test_the_walk_refuses_malformed_scenarios_and_the_search_reports_them() -> None:
    """A scenario the diagram cannot take as given (a value of the wrong type or outside the
    vocabulary, an unhashable value, an unknown fact, a spelling the API coerces) is refused
    by the walk; the per-scenario path then reports it, or answers for the value meant."""
    rs = load_ruleset(SHIPPED)
    reading = reading_of(compiled_ruleset(rs), None, None, None, None)
    reading.build()
    assert reading.walker is not None
    walk = reading.walker
    names = list(rs.facts)
    memo: dict[tuple[object, ...], object] = {}
    full = _shipped_space(rs)[0]
    assert walk(full, memo) is not None  # type: ignore[arg-type]
    bool_name = next(n for n in names if rs.facts[n].type == "bool")
    enum_name = next(n for n in names if rs.facts[n].type != "bool")
    for bad in ({**full, bool_name: 1}, {**full, enum_name: "nope"},
                {**full, enum_name: ["unhashable"]}, {**full, "not_a_fact": "x"},
                {bool_name: 0}, {enum_name: 3}):
        assert walk(bad, memo) is None, bad  # type: ignore[arg-type]
        with pytest.raises(ScenarioError):  # the per-scenario path reports it
            evaluate(rs, bad)
    # A value the Python API coerces ("yes" for a boolean) is not the diagram's either: the
    # per-scenario path takes it, with the answer of the value it stands for.
    spelled = {**full, bool_name: "yes"}
    assert walk(spelled, memo) is None  # type: ignore[arg-type]
    assert evaluate(rs, spelled) == evaluate(rs, {**full, bool_name: True})


def test_one_search_per_reading_serves_table_lint_and_the_diagram(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`table`, `lint` and the compiled reading read the same search from nothing known:
    under one reading it runs once, whichever asks first."""
    from claimrules.analysis.lint import lint
    from claimrules.analysis.table import table

    calls: list[int] = []
    real = reading_module.explore

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(reading_module, "explore", counted)
    rs = load_ruleset(SHIPPED)
    table(rs)
    assert len(calls) == 1
    table(rs)
    space = _shipped_space(rs)
    for facts in space[:3]:
        evaluate(rs, facts)  # the second builds the diagram, from the same leaves
    reading = reading_of(compiled_ruleset(rs), None, None, None, None)
    assert reading.root is not None and len(calls) == 1
    lint(rs)  # its regions read the reading of each time slice
    searched = len(calls)
    lint(rs)
    assert len(calls) == searched  # nothing searched again


def test_the_restricted_diagram_is_the_search_tree_of_the_leaves_reached() -> None:
    """For a scenario missing facts, the diagram less the splits on the facts it gives
    (`Reading.restricted`) reaches the same leaves, in the same order, as a plain walk that
    follows every branch of a missing fact, each path less the given facts; and the facts
    that matter found on it are those found by rebuilding the tree from the leaves' paths."""
    from claimrules.engine.search import Leaf, mattering_facts

    rs = load_ruleset(SHIPPED)
    space = _shipped_space(rs)
    for facts in space[:2]:
        evaluate(rs, facts)  # the second builds the diagram
    reading = reading_of(compiled_ruleset(rs), None, None, None, None)
    assert reading.root is not None
    names, real = reading.names, len(rs.facts)
    rng = random.Random(20261202)  # noqa: S311 - repeatable test data
    seen_mattering = 0
    for facts in rng.sample(space, 400):
        given = {n: v for n, v in facts.items() if rng.random() < 0.6}
        values = tuple(given.get(n) for n in names[:real]) + (None,) * (len(names) - real)
        reached: list[Leaf] = []
        stack: list[object] = [reading.root]
        while stack:  # the plain walk: every branch of a missing fact, in value order
            node = stack.pop()
            if isinstance(node, reading_module.Box):
                reached.append(node.leaf)
            elif isinstance(node, reading_module.Opening):
                reached.extend(box.leaf for box in node.boxes)
            else:
                position, children = node  # type: ignore[misc]
                value = values[position]
                stack.extend(reversed(children.values()) if value is None else [children[value]])
        leaves, tree = reading.restricted(values)
        assert leaves == [
            Leaf(tuple((n, v) for n, v in leaf.assigned if n not in given), leaf.verdict,
                 leaf.standing)
            for leaf in reached
        ]
        mattering = mattering_facts(leaves, tree)
        assert mattering == mattering_facts(leaves)
        seen_mattering += bool(mattering)
    assert seen_mattering > 50  # the sample reaches scenarios where facts matter
