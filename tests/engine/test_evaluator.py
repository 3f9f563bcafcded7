"""The evaluator: the combining rule, three-valued soundness, time axes and per-source readings."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimrules import Verdict, evaluate, evaluate_many
from claimrules.engine.combine import combine
from claimrules.engine.compile import compile_ruleset, compiled_ruleset
from claimrules.load.domain import Rule
from claimrules.load.model import Rule as RuleModel
from claimrules.load.ruleset import Ruleset
from claimrules.load.scenario import ScenarioError
from conftest import in_memory_ruleset

BASE = {"actor": "ukraine", "munitions_origin": "us", "target_location": "russia"}


def _rule(rid: str, effect: str, when: dict, overrides=()) -> Rule:
    return RuleModel.model_validate(
        {"id": rid, "effect": effect, "when": when, "because": ["c"], "overrides": list(overrides),
         "note": "n"}
    ).to_domain()


def make_ruleset(facts: list[dict], rules: list[Rule]) -> Ruleset:
    """An in-memory ruleset with one source and one claim every rule cites."""
    return in_memory_ruleset(facts, rules)


# --- the combining rule: a table ------------------------------------------------------------
FACTS = [{"name": "x", "type": "bool", "description": "d", "question": "q?"}]
T = {"fact": "x", "is": True}

COMBINE = [
    ("nothing applies", [], Verdict.NOT_ADDRESSED),
    ("one permit", [("p", "permit", ())], Verdict.PERMITTED),
    ("one prohibit", [("h", "prohibit", ())], Verdict.PROHIBITED),
    ("permit and prohibit, no override",
     [("p", "permit", ()), ("h", "prohibit", ())], Verdict.CONTESTED),
    ("exception permit overrides prohibit",
     [("p", "permit", ("h",)), ("h", "prohibit", ())], Verdict.PERMITTED),
    ("exception prohibit overrides permit",
     [("p", "permit", ()), ("h", "prohibit", ("p",))], Verdict.PROHIBITED),
    ("override of one prohibit leaves another",
     [("p", "permit", ("h",)), ("h", "prohibit", ()), ("h2", "prohibit", ())], Verdict.CONTESTED),
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
    {"name": "a", "type": "enum", "values": ["a1", "a2", "a3"], "description": "d",
     "question": "a?"},
    {"name": "b", "type": "bool", "description": "d", "question": "b?"},
    {"name": "n", "type": "number", "description": "d", "question": "n?"},
    {"name": "c", "type": "enum", "values": ["c1", "c2"], "description": "d", "question": "c?"},
]


def _tests() -> st.SearchStrategy[dict]:
    return st.one_of(
        st.builds(lambda v: {"fact": "a", "is": v}, st.sampled_from(["a1", "a2", "a3"])),
        st.builds(lambda vs: {"fact": "a", "in": vs},
                  st.lists(st.sampled_from(["a1", "a2", "a3"]), min_size=1, max_size=2,
                           unique=True)),
        st.builds(lambda v: {"fact": "b", "is": v}, st.booleans()),
        st.builds(lambda op, v: {"fact": "n", op: v}, st.sampled_from(["lt", "le", "gt", "ge"]),
                  st.integers(-3, 3)),
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
        effect = draw(st.sampled_from(["permit", "prohibit"]))
        rules.append(_rule(rid, effect, draw(conditions), overrides))
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
    compiled = compiled_ruleset(rs)
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
    d = evaluate(shipped, {**BASE, "target_type": "civilian_infrastructure"},
                 as_of=date(2024, 6, 15))
    assert d.verdict is Verdict.PROHIBITED
    assert d.missing_facts == ()


def test_missing_fact_outcomes_list_each_value(shipped) -> None:
    d = evaluate(shipped, BASE, sources=["biden-decision-article"])
    assert d.verdict is Verdict.INDETERMINATE
    outcomes = {m.fact: dict(m.outcomes) for m in d.missing}
    assert outcomes["target_type"]["civilian_infrastructure"] == (Verdict.PROHIBITED,)
    assert set(outcomes["target_type"]["military_unit"]) == {Verdict.PERMITTED, Verdict.PROHIBITED}


def test_founding_article_alone_never_cites_another_source(shipped) -> None:
    compiled = compiled_ruleset(shipped)
    names = list(shipped.facts)
    article_rules = {"article-permit-involved-units", "article-only-involved-units"}
    every = itertools.product(*(compiled.domains[n] for n in names))
    for values in itertools.islice(every, 0, None, 7):
        d = evaluate(shipped, dict(zip(names, values, strict=True)),
                     sources=["biden-decision-article"])
        assert all(c.source == "biden-decision-article" for c in d.claims)
        assert set(d.deciding_rules) <= article_rules


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
        evaluate(shipped, {"actr": "ukraine", "area": "moskow",
                           "directly_involved_in_invasion": "maybe"})
    messages = [d.message + " " + (d.help or "") for d in info.value.diagnostics]
    assert any("`actr`" in m and "actor" in m for m in messages)
    assert any("moskow" in m and "moscow" in m for m in messages)
    assert any("boolean" in m for m in messages)
    with pytest.raises(ValueError, match="unknown source"):
        evaluate(shipped, BASE, sources=["nope"])


def test_evaluate_many_matches_evaluate(shipped) -> None:
    scenarios = [BASE, {**BASE, "target_type": "civilian_infrastructure"},
                 {"target_location": "ukraine"}]
    many = list(evaluate_many(shipped, scenarios, as_of=date(2024, 6, 15)))
    single = [evaluate(shipped, s, as_of=date(2024, 6, 15)) for s in scenarios]
    assert [d.verdict for d in many] == [d.verdict for d in single]
    assert [d.missing_facts for d in many] == [d.missing_facts for d in single]


# --- purity: evaluate is a function of (ruleset, facts, as_of, known_by, sources) -----------

#: Calls covering every kind of reading: complete and missing facts, both time axes, a source
#: filter, explanations on and off, and the same scenario with its keys in another order.
PURE_CALLS: list[tuple[dict[str, object], dict[str, object]]] = [
    (BASE, {}),
    (BASE, {"as_of": date(2024, 6, 15)}),
    ({**BASE, "target_type": "military_unit", "directly_involved_in_invasion": True}, {}),
    ({"target_location": "russia", "munitions_origin": "us", "actor": "ukraine"},
     {"as_of": "2024-06-15"}),
    ({**BASE, "weapon_class": "atacms"}, {"known_by": date(2024, 11, 30)}),
    ({**BASE, "weapon_class": "atacms"},
     {"known_by": date(2024, 11, 30), "sources": ["wsb-cnn-2024-11", "adn-2024-11-17"]}),
    (BASE, {"sources": ["biden-decision-article"]}),
    ({"actor": "ukraine"}, {"explain": False}),
    ({}, {}),
    ({**BASE, "target_type": "civilian_infrastructure"}, {"as_of": date(2024, 11, 20)}),
]


def _answers(ruleset: Ruleset, order: list[int]) -> dict[int, object]:
    return {i: evaluate(ruleset, dict(PURE_CALLS[i][0]), **PURE_CALLS[i][1]) for i in order}


def _fresh() -> Ruleset:
    from claimrules import load_ruleset
    from conftest import SHIPPED

    return load_ruleset(SHIPPED)


#: Functions that read a clock. `date.today()` and `datetime.now()` are C methods that cannot
#: be patched, so calls to them are watched for with a profiler instead.
CLOCKS = ["time", "time_ns", "monotonic", "monotonic_ns", "perf_counter", "perf_counter_ns",
          "process_time", "process_time_ns", "localtime", "gmtime", "ctime", "asctime"]
#: os functions that touch the file system, the terminal or other processes.
OS_CALLS = ["open", "read", "write", "stat", "lstat", "fstat", "listdir", "scandir", "walk",
            "getcwd", "system", "popen", "urandom", "getrandom"]


def test_evaluate_does_no_io_and_reads_no_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """No file, socket, process, environment variable or clock is touched by evaluate or
    evaluate_many, on a fresh load (so first-use work such as compiling is watched too)."""
    import builtins
    import datetime as dt
    import gc
    import io
    import os
    import socket
    import subprocess
    import sys
    import time

    ruleset = _fresh()  # nothing evaluated yet: whatever is built on first use is built below
    called: list[str] = []

    def spy(name: str, real: object) -> object:
        def watched(*args: object, **kwargs: object) -> object:
            called.append(name)
            return real(*args, **kwargs)  # type: ignore[operator]
        return watched

    for module, names in [(time, CLOCKS), (os, OS_CALLS)]:
        for name in names:
            if hasattr(module, name):
                monkeypatch.setattr(module, name, spy(f"{module.__name__}.{name}",
                                                      getattr(module, name)))
    monkeypatch.setattr(builtins, "open", spy("open", builtins.open))
    monkeypatch.setattr(io, "open", spy("io.open", io.open))
    monkeypatch.setattr(socket, "socket", spy("socket.socket", socket.socket))
    monkeypatch.setattr(socket, "create_connection", spy("socket.create_connection",
                                                         socket.create_connection))
    monkeypatch.setattr(subprocess, "Popen", spy("subprocess.Popen", subprocess.Popen))

    class Environment(dict[str, str]):
        """os.environ, read from: the environment is input that evaluate does not take."""

        def __getitem__(self, key: str) -> str:
            called.append(f"os.environ[{key!r}]")
            return super().__getitem__(key)

        def get(self, key: str, default: object = None) -> object:  # type: ignore[override]
            called.append(f"os.environ.get({key!r})")
            return super().get(key, default)

    monkeypatch.setattr(os, "environ", Environment(os.environ))
    # C functions reached through names bound before the patches above (`from os import stat`)
    # and C methods that cannot be patched (`date.today()`): a profiler sees them called.
    import _io
    import posix

    watched_c = {id(dt.date): {"today"}, id(dt.datetime): {"today", "now", "utcnow"},
                 id(time): set(CLOCKS), id(posix): set(OS_CALLS), id(builtins): {"open"},
                 id(_io): {"open", "open_code"}}

    def profile(frame: object, event: str, arg: object) -> None:
        if event == "c_call":
            name = getattr(arg, "__name__", "")
            if name in watched_c.get(id(getattr(arg, "__self__", None)), ()):
                called.append(name)

    # The collector stays off meanwhile: its callbacks (hypothesis times collections with
    # perf_counter) are not evaluate's doing.
    collecting = gc.isenabled()
    gc.disable()
    sys.setprofile(profile)
    try:
        answers = _answers(ruleset, list(range(len(PURE_CALLS))))
        list(evaluate_many(ruleset, [c[0] for c in PURE_CALLS], as_of=date(2024, 6, 15)))
    finally:
        sys.setprofile(None)
        if collecting:
            gc.enable()
    assert not called, called
    assert len(answers) == len(PURE_CALLS)


def test_evaluate_does_not_change_its_inputs(shipped) -> None:
    for facts, kwargs in PURE_CALLS:
        given_facts = dict(facts)
        given_kwargs = {k: list(v) if isinstance(v, list) else v for k, v in kwargs.items()}
        evaluate(shipped, given_facts, **given_kwargs)
        assert (given_facts, given_kwargs) == (facts, kwargs)


def test_evaluate_keeps_no_global_state() -> None:
    """Two fresh loads give equal (not merely identical, remembered) decisions, whatever order
    the calls come in, and evaluating leaves every module-level value of the package as it was."""
    import sys

    def module_state() -> dict[str, object]:
        state: dict[str, object] = {}
        for name, module in list(sys.modules.items()):
            if not name.startswith("claimrules"):
                continue
            for attr, value in list(vars(module).items()):
                key = f"{name}.{attr}"
                if isinstance(value, dict | list | set | bytearray):
                    state[key] = repr(value)  # contents, for containers that could grow
                elif hasattr(value, "cache_info"):
                    state[key] = value.cache_info().currsize  # functools caches
                else:
                    state[key] = id(value)  # rebinding
        return state

    forward = list(range(len(PURE_CALLS)))
    one, other = _fresh(), _fresh()
    _answers(one, [0])  # the modules as they are once everything evaluate needs is imported
    before = module_state()
    first = _answers(one, forward)
    second = _answers(other, forward[::-1])
    again = _answers(other, forward)
    assert module_state() == before
    for i in forward:
        assert first[i] == second[i], PURE_CALLS[i]
        assert second[i] == again[i], PURE_CALLS[i]
    # Each answer is the one a load that has answered nothing else gives.
    for i in forward:
        assert _answers(_fresh(), [i])[i] == first[i], PURE_CALLS[i]


# --- number facts from the command line ------------------------------------------------------


@pytest.mark.parametrize("text", ["1e999", "-1e999", "1.5e400"])
def test_a_number_that_overflows_is_refused(text: str) -> None:
    from claimrules.load.domain import Fact as PlainFact
    from claimrules.load.domain import FactType
    from claimrules.load.scenario import coerce_value

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
        ("1 June 2024", ValueError,
         "`as_of`: `1 June 2024` is not written `YYYY-MM-DD`: write it `2024-06-01`"),
    ],
)
def test_a_bad_date_argument_says_which(shipped, value: object, error: type, message: str
                                        ) -> None:
    with pytest.raises(error) as info:
        evaluate(shipped, {"actor": "ukraine"}, as_of=value)
    assert str(info.value).startswith(message)
    with pytest.raises(error):
        list(evaluate_many(shipped, [{"actor": "ukraine"}], as_of=value))
