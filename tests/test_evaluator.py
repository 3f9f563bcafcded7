"""The evaluator: the combining rule, three-valued soundness, time axes and per-source readings."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimrules import Verdict, evaluate, evaluate_many
from claimrules.compile import compile_ruleset
from claimrules.domain import Rule
from claimrules.evaluator import combine
from claimrules.model import Claim, RulesetMeta, Source
from claimrules.model import Rule as RuleModel
from claimrules.ruleset import ClaimRecord, Ruleset
from claimrules.scenario import ScenarioError

BASE = {"actor": "ukraine", "munitions_origin": "us", "target_location": "russia"}


def _rule(rid: str, effect: str, when: dict, overrides=()) -> Rule:
    return RuleModel.model_validate(
        {"id": rid, "effect": effect, "when": when, "because": ["c"], "overrides": list(overrides),
         "note": "n"}
    ).to_domain()


def make_ruleset(facts: list[dict], rules: list[Rule]) -> Ruleset:
    """An in-memory ruleset with one source and one claim every rule cites."""
    source = Source.model_validate(
        {"id": "s", "archive": {"file": "a.txt", "sha256": "0" * 64, "content": "full"}}
    ).to_domain()
    claim = Claim.model_validate(
        {"id": "c", "source": "s", "quote": "q", "kind": "provision", "modality": "asserted"}
    ).to_domain()
    meta = RulesetMeta.model_validate(
        {"id": "gen", "title": "generated", "facts": facts}
    ).to_domain()
    return Ruleset(
        meta=meta,
        facts={f.name: f for f in meta.facts},
        sources={"s": source},
        claims={"c": ClaimRecord(claim, source, None, 0, 1)},
        rules=tuple(sorted(rules, key=lambda r: r.id)),
        cases=(),
        archives={"s": "q"},
    )


# --- the combining rule: a table ------------------------------------------------------------
FACTS = [{"name": "x", "type": "bool", "description": "d", "question": "q?"}]
T = {"fact": "x", "is": True}

COMBINE = [
    ("nothing applies", [], Verdict.NOT_ADDRESSED),
    ("one permit", [("p", "permit", ())], Verdict.PERMITTED),
    ("one prohibit", [("h", "prohibit", ())], Verdict.PROHIBITED),
    ("permit and prohibit, no override", [("p", "permit", ()), ("h", "prohibit", ())], Verdict.CONTESTED),
    ("exception permit overrides prohibit", [("p", "permit", ("h",)), ("h", "prohibit", ())], Verdict.PERMITTED),
    ("exception prohibit overrides permit", [("p", "permit", ()), ("h", "prohibit", ("p",))], Verdict.PROHIBITED),
    ("override of one prohibit leaves another", [("p", "permit", ("h",)), ("h", "prohibit", ()), ("h2", "prohibit", ())], Verdict.CONTESTED),
]


@pytest.mark.parametrize(("name", "rules", "expected"), COMBINE, ids=[c[0] for c in COMBINE])
def test_combine(name: str, rules: list, expected: Verdict) -> None:
    rs = make_ruleset(FACTS, [_rule(i, e, T, o) for i, e, o in rules])
    compiled = compile_ruleset(rs)
    verdict, _ = combine(compiled.rules)
    assert verdict is expected
    # file order never matters
    verdict_rev, _ = combine(tuple(reversed(compiled.rules)))
    assert verdict_rev is expected


# --- soundness on generated rulesets ----------------------------------------------------------
ENUM_FACTS = [
    {"name": "a", "type": "enum", "values": ["a1", "a2", "a3"], "description": "d", "question": "a?"},
    {"name": "b", "type": "bool", "description": "d", "question": "b?"},
    {"name": "n", "type": "number", "description": "d", "question": "n?"},
    {"name": "c", "type": "enum", "values": ["c1", "c2"], "description": "d", "question": "c?"},
]


def _tests() -> st.SearchStrategy[dict]:
    return st.one_of(
        st.builds(lambda v: {"fact": "a", "is": v}, st.sampled_from(["a1", "a2", "a3"])),
        st.builds(lambda vs: {"fact": "a", "in": vs}, st.lists(st.sampled_from(["a1", "a2", "a3"]), min_size=1, max_size=2, unique=True)),
        st.builds(lambda v: {"fact": "b", "is": v}, st.booleans()),
        st.builds(lambda op, v: {"fact": "n", op: v}, st.sampled_from(["lt", "le", "gt", "ge"]), st.integers(-3, 3)),
        st.builds(lambda v: {"fact": "c", "is": v}, st.sampled_from(["c1", "c2"])),
    )


conditions = st.recursive(
    _tests(),
    lambda inner: st.one_of(
        st.builds(lambda xs: {"all": xs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda xs: {"any": xs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda x: {"not": x}, inner),
    ),
    max_leaves=5,
)


@st.composite
def generated(draw) -> Ruleset:
    n = draw(st.integers(1, 6))
    ids = [f"r{i}" for i in range(n)]
    rules = []
    for i, rid in enumerate(ids):
        overrides = draw(st.lists(st.sampled_from(ids[:i]), unique=True, max_size=2)) if i else []
        rules.append(_rule(rid, draw(st.sampled_from(["permit", "prohibit"])), draw(conditions), overrides))
    return make_ruleset(ENUM_FACTS, rules)


partial = st.fixed_dictionaries(
    {},
    optional={
        "a": st.sampled_from(["a1", "a2", "a3"]),
        "b": st.booleans(),
        "n": st.integers(-5, 5) | st.floats(-5, 5, allow_nan=False),
        "c": st.sampled_from(["c1", "c2"]),
    },
)


def _completions(rs: Ruleset, facts: dict):
    compiled = rs.compiled()
    missing = [n for n in rs.facts if n not in facts]
    for values in itertools.product(*(compiled.domains[n] for n in missing)):
        yield {**facts, **dict(zip(missing, values, strict=True))}


@settings(max_examples=300)
@given(generated(), partial)
def test_soundness_on_generated_rulesets(rs: Ruleset, facts: dict) -> None:
    decision = evaluate(rs, facts)
    completions = [evaluate(rs, c).verdict for c in _completions(rs, facts)]
    assert Verdict.INDETERMINATE not in completions  # a complete scenario is always decided
    if decision.verdict is not Verdict.INDETERMINATE:
        assert set(completions) == {decision.verdict}
        assert decision.missing_facts == ()
    else:
        assert len(set(completions)) > 1
        # every reported missing fact can change the verdict on its own
        for name in decision.missing_facts:
            assert name not in facts


def test_numbers_split_at_thresholds() -> None:
    rs = make_ruleset(ENUM_FACTS, [_rule("p", "permit", {"fact": "n", "lt": 2})])
    assert evaluate(rs, {"n": 1.5}).verdict is Verdict.PERMITTED
    assert evaluate(rs, {"n": 2}).verdict is Verdict.NOT_ADDRESSED
    d = evaluate(rs, {})
    assert d.verdict is Verdict.INDETERMINATE and d.missing_facts == ("n",)


# --- the shipped ruleset ----------------------------------------------------------------------
def test_facts_that_cannot_change_the_verdict_are_not_missing(shipped) -> None:
    d = evaluate(shipped, {**BASE, "target_type": "civilian_infrastructure"}, as_of=date(2024, 6, 15))
    assert d.verdict is Verdict.PROHIBITED
    assert d.missing_facts == ()


def test_missing_fact_outcomes_list_each_value(shipped) -> None:
    d = evaluate(shipped, BASE, sources=["biden-decision-article"])
    assert d.verdict is Verdict.INDETERMINATE
    outcomes = {m.fact: dict(m.outcomes) for m in d.missing}
    assert outcomes["target_type"]["civilian_infrastructure"] == (Verdict.PROHIBITED,)
    assert set(outcomes["target_type"]["military_unit"]) == {Verdict.PERMITTED, Verdict.PROHIBITED}


def test_founding_article_alone_never_cites_another_source(shipped) -> None:
    compiled = shipped.compiled()
    names = list(shipped.facts)
    for values in itertools.islice(itertools.product(*(compiled.domains[n] for n in names)), 0, None, 7):
        d = evaluate(shipped, dict(zip(names, values, strict=True)), sources=["biden-decision-article"])
        assert all(c.source == "biden-decision-article" for c in d.claims)
        assert set(d.deciding_rules) <= {"article-permit-involved-units", "article-only-involved-units"}


def test_known_by_excludes_undated_claims_and_says_so(shipped) -> None:
    facts = {**BASE, "target_type": "military_unit", "directly_involved_in_invasion": True,
             "area": "across_from_kharkiv", "weapon_class": "short_range"}
    d = evaluate(shipped, facts, known_by=date(2024, 5, 31))
    assert d.verdict is Verdict.PERMITTED
    assert d.deciding_rules == ("kharkiv-counter-fire",)
    # Each claim cited is shown to be reported by then: dated, or undated with bounds that
    # show it (the Politico story ran on 23 or 30 May).
    assert all(c.latest is not None and c.latest <= date(2024, 5, 31) for c in d.claims)
    assert "article-permission" in d.excluded_undated
    before = evaluate(shipped, facts, known_by=date(2024, 5, 29))
    assert before.verdict is Verdict.NOT_ADDRESSED


def test_as_of_selects_the_version_of_the_policy(shipped) -> None:
    facts = {**BASE, "target_type": "military_unit", "directly_involved_in_invasion": True,
             "area": "deep_inside", "in_kursk_region": True, "weapon_class": "atacms"}
    # The Axios relay is undated; the Anchorage Daily News report of 2024-11-17 dates the
    # authorization whose scope it describes.
    sources = ["lbc-2024-05-31", "liga-axios-2024-11", "adn-2024-11-17"]
    june = evaluate(shipped, facts, as_of=date(2024, 6, 15), sources=sources)
    november = evaluate(shipped, facts, as_of=date(2024, 11, 20), sources=sources)
    assert june.verdict is Verdict.PROHIBITED
    assert november.verdict is Verdict.PERMITTED
    assert "november-kursk-permission" in november.deciding_rules


def test_contested_is_never_broken_by_order(shipped) -> None:
    facts = {**BASE, "target_type": "military_unit", "directly_involved_in_invasion": True,
             "area": "deep_inside", "in_kursk_region": False, "weapon_class": "atacms"}
    d = evaluate(shipped, facts, as_of=date(2024, 11, 20))
    assert d.verdict is Verdict.CONTESTED
    assert {"long-range-authorized-november", "november-kursk-only"} <= set(d.deciding_rules)


def test_unknown_facts_and_values_are_scenario_errors(shipped) -> None:
    with pytest.raises(ScenarioError) as info:
        evaluate(shipped, {"actr": "ukraine", "area": "moskow", "directly_involved_in_invasion": "maybe"})
    messages = [d.message + " " + (d.help or "") for d in info.value.diagnostics]
    assert any("`actr`" in m and "actor" in m for m in messages)
    assert any("moskow" in m and "moscow" in m for m in messages)
    assert any("boolean" in m for m in messages)
    with pytest.raises(ValueError, match="unknown source"):
        evaluate(shipped, BASE, sources=["nope"])


def test_evaluate_many_matches_evaluate(shipped) -> None:
    scenarios = [BASE, {**BASE, "target_type": "civilian_infrastructure"}, {"target_location": "ukraine"}]
    many = list(evaluate_many(shipped, scenarios, as_of=date(2024, 6, 15)))
    single = [evaluate(shipped, s, as_of=date(2024, 6, 15)) for s in scenarios]
    assert [d.verdict for d in many] == [d.verdict for d in single]
    assert [d.missing_facts for d in many] == [d.missing_facts for d in single]


def test_evaluate_is_pure(shipped) -> None:
    facts = dict(BASE)
    a = evaluate(shipped, facts, as_of=date(2024, 6, 15))
    b = evaluate(shipped, facts, as_of=date(2024, 6, 15))
    assert facts == BASE
    assert a == b


# --- number facts from the command line ------------------------------------------------------


@pytest.mark.parametrize("text", ["1e999", "-1e999", "1.5e400"])
def test_a_number_that_overflows_is_refused(text: str) -> None:
    from claimrules.domain import Fact as PlainFact
    from claimrules.domain import FactType
    from claimrules.scenario import coerce_value

    fact = PlainFact(name="n", type=FactType.NUMBER, description="d", question="q?")
    with pytest.raises(ValueError, match="out of range for `n`"):
        coerce_value(fact, text, strings=True)
    assert coerce_value(fact, "1e308", strings=True) == 1e308


# --- date arguments of the Python API ---------------------------------------------------------


def test_dates_may_be_given_as_text(shipped) -> None:
    facts = {"actor": "ukraine", "munitions_origin": "us", "target_location": "russia",
             "target_type": "military_unit", "directly_involved_in_invasion": True}
    as_text = evaluate(shipped, facts, as_of="2024-06-01", known_by="2024-11-20")
    as_dates = evaluate(shipped, facts, as_of=date(2024, 6, 1), known_by=date(2024, 11, 20))
    assert as_text == as_dates
    assert as_text.as_of == date(2024, 6, 1)
    many = list(evaluate_many(shipped, [facts], as_of="2024-06-01", known_by="2024-11-20"))
    assert [d.verdict for d in many] == [as_dates.verdict]


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (20240601, TypeError, "`as_of` must be a date or a `YYYY-MM-DD` string, not int"),
        ("2024-02-30", ValueError,
         "`as_of`: `2024-02-30` is not a date: February has 29 days in 2024"),
        ("1 June 2024", ValueError, "`as_of`: `1 June 2024` is not written `YYYY-MM-DD`: write it `2024-06-01`"),
    ],
)
def test_a_bad_date_argument_says_which(shipped, value: object, error: type, message: str
                                        ) -> None:
    with pytest.raises(error) as info:
        evaluate(shipped, {"actor": "ukraine"}, as_of=value)
    assert str(info.value).startswith(message)
    with pytest.raises(error):
        list(evaluate_many(shipped, [{"actor": "ukraine"}], as_of=value))
