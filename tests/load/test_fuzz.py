"""Property-based fuzzing of the loader and the evaluator: whatever the input, the answer is a
result or the documented error (LoadError / ScenarioError, and ValueError for unknown source
ids), never anything else.

Derandomised by the hypothesis profile in conftest.py, so every run tries the same examples;
`EXAMPLES` (≥ 10,000 in total) is spread over the tests below so the file stays under a minute.
"""

from __future__ import annotations

import json
import math
import string
import tempfile
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import _fuzzkit
from claimrules import Decision, LoadError, Ruleset, ScenarioError, Verdict, evaluate
from claimrules.engine.compile import compiled_ruleset
from claimrules.load.domain import Fact, FactType
from claimrules.load.loader import load_scenario
from claimrules.load.scenario import coerce_facts
from claimrules.load.yamlsafe import Document, load_yaml_file, parse_yaml
from conftest import cpu_limit

EXAMPLES = {  # cheap examples get more; recursive strategies and evaluations cost more
    "text": 4500,
    "bytes": 1300,
    "yamlish": 1200,
    "scenario": 1200,
    "rules": 500,
    "evaluate": 1000,
    "evaluate_extended": 600,
}
SUPPRESS = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
            HealthCheck.large_base_example]


def fuzz(name: str) -> settings:
    """Settings for one fuzz test: its share of the examples, on top of the loaded profile."""
    return settings(max_examples=EXAMPLES[name], deadline=None, suppress_health_check=SUPPRESS)


def test_example_budget() -> None:
    assert sum(EXAMPLES.values()) >= 10_000


PARTS = _fuzzkit.shipped_parts()
PARTS_EXTENDED = _fuzzkit.shipped_parts(extended=True)
SHIPPED: Ruleset = _fuzzkit.build_with_rule_file(PARTS, "rules: []\n")
# One rule on the number and date facts, so the evaluator splits their ranges at thresholds.
FAR_AFTER_JUNE = """\
  - id: zz-far-after-june
    effect: prohibit
    when:
      all:
        - {fact: distance_km, gt: 300}
        - {fact: strike_date, ge: 2024-06-01}
        - {fact: actor, is: ukraine}
    because: [dw-go-ahead]
    note: a rule on the number and date facts
"""
# A second one, overlapping the first in part: more thresholds, so more leaves to explore.
NEAR_BEFORE_JUNE = """\
  - id: zz-near-before-june
    effect: permit
    when:
      any:
        - {fact: distance_km, le: 10}
        - {fact: strike_date, in: [2024-05-30, 2024-05-31]}
    because: [dw-go-ahead]
    note: another rule on the number and date facts
"""
EXTENDED: Ruleset = _fuzzkit.build_with_rule_file(PARTS_EXTENDED, "rules:\n" + FAR_AFTER_JUNE)
VERDICTS = set(Verdict)


# --- strategies ---------------------------------------------------------------------------

# Characters that make YAML structure, plus a few that make trouble.
YAMLISH = st.lists(
    st.sampled_from([
        *"abcxyz019-_.:,[]{}&*!|>'\"#?~%@`<=+ \n\t\\/", "\r\n", "\u2028", "é", "\x85", "\ufeff",
        "\x00", "\x1b", "facts", "rules", "id", "when", "all", "not", "fact", "is", "in", "- ",
        "\n  ", "\n    ", "true", "null", "2024-06-01", "1e999", "&a ", "*a", "!!python/", "---",
        "<<: ",
    ]),
    max_size=40,
).map("".join)

FACT_NAMES = [*SHIPPED.facts, "distance_km", "strike_date"]
ENUM_VALUES = sorted({v for f in EXTENDED.facts.values() for v in f.value_names()})
CLAIM_IDS = sorted(SHIPPED.claims)
RULE_IDS = sorted(r.id for r in SHIPPED.rules)
SOURCE_IDS = sorted(SHIPPED.sources)
JUNK_NAMES = st.text(alphabet=string.ascii_letters + string.digits + "_- .é", max_size=12)
DATE_TEXT = st.one_of(
    st.dates(date(2023, 1, 1), date(2026, 12, 31)).map(date.isoformat),
    st.sampled_from(["2024-02-30", "2024-13-01", "0000-01-01", "2024-6-1", "20240601",
                     "２０２４-06-01", "2024-06-01T00:00"]),
)
SCALAR = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**20), 10**20), st.floats(),
    st.text(max_size=12), DATE_TEXT, st.sampled_from(ENUM_VALUES),
)
DATA = st.recursive(
    SCALAR,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12,
)


def _yaml_text(data: object, flow: bool) -> str:
    """Dump data as YAML (block or flow style) or as JSON, which is also YAML."""
    try:
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False,
                              default_flow_style=flow)
    except yaml.YAMLError:
        return json.dumps(data, default=str)


def dumped(data: st.SearchStrategy[object]) -> st.SearchStrategy[str]:
    """Data written out as YAML text in one of three styles."""
    return st.one_of(
        st.builds(_yaml_text, data, st.just(False)),
        st.builds(_yaml_text, data, st.just(True)),
        data.map(lambda d: json.dumps(d, default=str, allow_nan=True)),
    )


OPERATORS = ["is", "in", "lt", "le", "gt", "ge"]
OPERAND = st.one_of(
    st.sampled_from(ENUM_VALUES), st.booleans(), st.integers(-5, 6000),
    st.floats(allow_nan=False, allow_infinity=False, width=32), DATE_TEXT, st.none(),
    st.lists(st.one_of(st.sampled_from(ENUM_VALUES), st.integers(0, 500), DATE_TEXT,
                       st.booleans()), min_size=0, max_size=3),
    SCALAR,
)
TEST = st.builds(
    lambda name, ops: {"fact": name, **ops},
    st.one_of(st.sampled_from(FACT_NAMES), JUNK_NAMES),
    st.dictionaries(st.sampled_from(OPERATORS), OPERAND, min_size=0, max_size=2),
)
CONDITION = st.recursive(
    st.one_of(TEST, TEST, DATA),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda xs: {"all": xs}),
        st.lists(inner, max_size=3).map(lambda xs: {"any": xs}),
        inner.map(lambda x: {"not": x}),
    ),
    max_leaves=8,
)
NEW_RULE_IDS = ["zz-a", "zz-b", "zz-c"]
RULE_ID = st.one_of(st.sampled_from(NEW_RULE_IDS), st.sampled_from(RULE_IDS), JUNK_NAMES)
RULE = st.fixed_dictionaries(
    {
        "id": RULE_ID,
        "effect": st.one_of(st.sampled_from(["permit", "prohibit"]), SCALAR),
        "when": CONDITION,
        "because": st.one_of(
            st.lists(st.one_of(st.sampled_from(CLAIM_IDS), JUNK_NAMES), min_size=1, max_size=3),
            SCALAR,
        ),
        "note": st.one_of(st.just("how the quotes are read"), SCALAR),
    },
    optional={
        "overrides": st.lists(st.one_of(st.sampled_from(NEW_RULE_IDS + RULE_IDS), JUNK_NAMES),
                              max_size=3),
        "effective": st.fixed_dictionaries(
            {"basis": st.one_of(st.just("stated"), SCALAR)},
            optional={"from": st.one_of(DATE_TEXT, SCALAR), "until": st.one_of(DATE_TEXT, SCALAR)},
        ),
        "title": st.one_of(st.text(max_size=20), SCALAR),
        "efect": SCALAR,
    },
)
RULE_FILE = st.one_of(
    st.lists(RULE, max_size=3).map(lambda rules: {"rules": rules}),
    st.lists(RULE, max_size=2).map(lambda rules: {"rules": rules, "extra": 1}),
    DATA,
)


# --- the loader ---------------------------------------------------------------------------


def _parse(text: str) -> Document | None:
    try:
        doc = parse_yaml(text, "f.yaml")
    except LoadError as exc:
        _well_formed(exc)
        return None
    assert isinstance(doc, Document)
    _plain(doc.data)
    return doc


def _plain(data: object, depth: int = 0) -> None:
    """Only plain data comes out of the reader: no tags, no objects, finite numbers."""
    assert depth <= 64
    if isinstance(data, dict):
        for key, value in data.items():
            assert type(key) is str
            _plain(value, depth + 1)
    elif isinstance(data, list):
        for item in data:
            _plain(item, depth + 1)
    elif isinstance(data, float):
        assert math.isfinite(data)
    else:
        assert data is None or type(data) in (str, int, bool)


def _well_formed(exc: LoadError) -> None:
    assert exc.diagnostics, "a LoadError with no diagnostics"
    for d in exc.diagnostics:
        assert d.code
        assert d.message
        assert d.span.line >= 0
        assert d.span.col >= 0


@fuzz("text")
@given(st.text(max_size=200))
def test_any_text_parses_or_is_refused(text: str) -> None:
    _parse(text)


@fuzz("yamlish")
@given(st.one_of(YAMLISH, dumped(DATA)))
def test_yaml_like_text_parses_or_is_refused(text: str) -> None:
    doc = _parse(text)
    if doc is not None:  # every position the reader records is inside the text
        # YAML breaks lines at U+0085, U+2028 and U+2029 too (YAML 1.1, as PyYAML reads it)
        lines = sum(text.count(c) for c in "\n\r\x85\u2028\u2029") + 2
        for line, col in [*doc.positions.values(), *doc.key_positions.values()]:
            assert 1 <= line <= lines
            assert col >= 1


@pytest.fixture(scope="module")
def scratch() -> Path:
    with tempfile.TemporaryDirectory(prefix="claimrules-fuzz-") as d:
        yield Path(d) / "f.yaml"


@fuzz("bytes")
@given(st.one_of(st.binary(max_size=120), YAMLISH.map(lambda t: t.encode("utf-8", "replace")),
                 st.builds(lambda t, enc: t.encode(enc, "replace"), YAMLISH,
                           st.sampled_from(["utf-16", "latin-1", "utf-8-sig", "cp1252"]))))
def test_any_file_bytes_read_or_are_refused(scratch: Path, data: bytes) -> None:
    scratch.write_bytes(data)
    try:
        doc = load_yaml_file(scratch, "f.yaml")
    except LoadError as exc:
        _well_formed(exc)
        return
    _plain(doc.data)


@fuzz("scenario")
@given(st.one_of(
    YAMLISH,
    dumped(DATA),
    dumped(st.fixed_dictionaries(
        {"facts": st.dictionaries(st.one_of(st.sampled_from(FACT_NAMES), JUNK_NAMES), SCALAR,
                                  max_size=5)},
        optional={"as_of": st.one_of(DATE_TEXT, SCALAR), "known_by": st.one_of(DATE_TEXT, SCALAR),
                  "sources": st.one_of(st.lists(st.sampled_from(SOURCE_IDS)), SCALAR)},
    )),
))
def test_scenario_text_loads_or_is_refused(text: str) -> None:
    try:
        model, doc = load_scenario(text, "s.yaml")
        facts = coerce_facts(EXTENDED.facts, model.facts, file="s.yaml", base=("facts",),
                             positions=doc.positions)
    except LoadError as exc:
        _well_formed(exc)
        return
    assert set(facts) <= set(EXTENDED.facts)


@fuzz("rules")
@given(RULE_FILE.flatmap(lambda data: dumped(st.just(data))))
def test_any_rule_file_builds_or_is_refused(text: str) -> None:
    try:
        ruleset = _fuzzkit.build_with_rule_file(PARTS_EXTENDED, text)
    except LoadError as exc:
        _well_formed(exc)
        return
    # What loaded must compile and evaluate (with the facts every rule asks first, so the
    # completion search stays small; test_evaluate_* cover the search itself).
    facts: dict[str, object] = {"actor": "ukraine", "munitions_origin": "us",
                                "target_location": "russia"}
    _check(ruleset, facts, evaluate(ruleset, facts))
    facts.update({"distance_km": 250, "strike_date": date(2024, 11, 20),
                  "target_type": "military_unit", "area": "deep_inside"})
    _check(ruleset, facts, evaluate(ruleset, facts, as_of=date(2024, 11, 20)))


# --- the evaluator ------------------------------------------------------------------------


def _check(ruleset: Ruleset, facts: Mapping[str, object], decision: Decision,
           sources: tuple[str, ...] | None = None) -> None:
    """What every decision must satisfy."""
    assert isinstance(decision, Decision)
    assert decision.verdict in VERDICTS
    if decision.verdict is Verdict.INDETERMINATE:  # the verdicts completions would give
        assert decision.possible
        assert Verdict.INDETERMINATE not in decision.possible
    else:
        assert decision.possible == (decision.verdict,)
    rules = {r.id: r for r in ruleset.rules}
    assert set(decision.deciding_rules) <= set(rules)
    assert list(decision.deciding_rules) == sorted(decision.deciding_rules)
    if decision.verdict in (Verdict.PERMITTED, Verdict.PROHIBITED, Verdict.CONTESTED):
        assert decision.deciding_rules
    else:
        assert not decision.deciding_rules
        assert not decision.claims
    if decision.verdict is Verdict.INDETERMINATE:
        assert decision.missing_facts, "indeterminate must name the facts it lacks"
    else:
        assert not decision.missing_facts
    given_names = {name for name, value in facts.items() if value is not None}
    assert set(decision.missing_facts) <= set(ruleset.facts) - given_names
    cited_by_deciding = {c for r in decision.deciding_rules for c in rules[r].because}
    for claim in decision.claims:
        assert claim.id in cited_by_deciding
        assert claim.source == ruleset.claims[claim.id].source.id
        if sources is not None:
            assert claim.source in sources


def _valid_value(fact: Fact, value: object) -> bool | None:
    """Whether the documented contract accepts `value` for `fact` (None: either is fine)."""
    if value is None:
        return True
    if fact.type is FactType.ENUM:
        return isinstance(value, str) and value in fact.value_names()
    if fact.type is FactType.BOOL:
        # Questions are put as yes/no: the words answer them too, in any case and spacing.
        if isinstance(value, str):
            return value.strip().lower() in {"true", "yes", "false", "no"}
        return isinstance(value, bool)
    if fact.type is FactType.DATE:
        if isinstance(value, datetime):
            return None  # a datetime is a date: accepting it or refusing it are both fine
        if isinstance(value, date):
            return True
        if isinstance(value, str):
            try:
                return len(value) == 10 and value.isascii() and bool(date.fromisoformat(value))
            except ValueError:
                return False
        return False
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if not math.isfinite(value):
        return False
    low, high = fact.minimum, fact.maximum
    return (low is None or value >= low) and (high is None or value <= high)


def _expected(ruleset: Ruleset, facts: Mapping[str, object]) -> bool | None:
    """True: a decision is due; False: a ScenarioError is; None: either."""
    verdicts = []
    for name, value in facts.items():
        fact = ruleset.facts.get(name)
        verdicts.append(False if fact is None else _valid_value(fact, value))
    if False in verdicts:
        return False
    return None if None in verdicts else True


FACT_VALUE = st.one_of(
    st.sampled_from(ENUM_VALUES), st.booleans(), st.none(), st.integers(-10, 6000),
    st.floats(), st.dates(date(2023, 1, 1), date(2026, 12, 31)), DATE_TEXT,
    st.datetimes(datetime(2023, 1, 1), datetime(2026, 12, 31)), st.text(max_size=10),
    st.binary(max_size=4), st.lists(st.sampled_from(ENUM_VALUES), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=1), st.integers(),
    st.sampled_from(["true", "false", "1", "nan", "inf", "-0", "1e999", ""]),
)


def _valid_values(fact: Fact) -> st.SearchStrategy[object]:
    """Values the vocabulary accepts for `fact`, in every form the Python API takes."""
    if fact.type is FactType.ENUM:
        return st.sampled_from(fact.value_names())
    if fact.type is FactType.BOOL:
        return st.booleans()
    if fact.type is FactType.DATE:
        days = st.dates(date(2024, 1, 1), date(2025, 3, 1))
        return st.one_of(days, days.map(date.isoformat), st.datetimes(datetime(2024, 1, 1),
                                                                       datetime(2025, 3, 1)))
    low = fact.minimum if fact.minimum is not None else -1e6
    high = fact.maximum if fact.maximum is not None else 1e6
    return st.one_of(st.integers(int(low), int(high)), st.floats(low, high))


@st.composite
def _scenario_facts(draw: st.DrawFn, ruleset: Ruleset) -> dict[str, object]:
    """Facts drawn from the vocabulary, mostly with values it accepts, plus junk."""
    names = draw(st.lists(st.one_of(st.sampled_from(list(ruleset.facts)), JUNK_NAMES),
                          max_size=len(ruleset.facts) + 1, unique=True))
    facts: dict[str, object] = {}
    for name in names:
        fact = ruleset.facts.get(name)
        valid = _valid_values(fact) if fact is not None else FACT_VALUE
        facts[name] = draw(st.one_of(valid, valid, valid, st.none(), FACT_VALUE))
    return facts


def _scenarios(ruleset: Ruleset) -> st.SearchStrategy[dict[str, object]]:
    return _scenario_facts(ruleset)


DATES = st.one_of(st.none(), st.dates(date(2024, 1, 1), date(2025, 3, 1)))
SOURCES = st.one_of(
    st.none(),
    st.lists(st.sampled_from(SOURCE_IDS), max_size=3),
    st.lists(st.one_of(st.sampled_from(SOURCE_IDS), JUNK_NAMES), min_size=1, max_size=2),
)


def _evaluate_any(
    ruleset: Ruleset, facts: dict[str, object], as_of: date | None, known_by: date | None,
    sources: list[str] | None,
) -> None:
    expected = _expected(ruleset, facts)
    unknown_sources = sources is not None and not set(sources) <= set(ruleset.sources)
    try:
        decision = evaluate(ruleset, facts, as_of=as_of, known_by=known_by, sources=sources)
    except ScenarioError as exc:
        assert expected is not True, f"refused a valid scenario: {exc}"
        _well_formed(exc)
        return
    except ValueError as exc:  # the documented error for unknown source ids
        assert unknown_sources, f"ValueError without an unknown source: {exc}"
        assert expected is not False
        return
    assert expected is not False, "accepted an invalid scenario"
    assert not unknown_sources
    chosen = tuple(sorted(set(sources))) if sources is not None else None
    _check(ruleset, facts, decision, chosen)
    quick = evaluate(ruleset, facts, as_of=as_of, known_by=known_by, sources=sources,
                     explain=False)
    assert (quick.verdict, quick.deciding_rules, quick.missing_facts) == (
        decision.verdict, decision.deciding_rules, decision.missing_facts)


@fuzz("evaluate")
@given(_scenarios(SHIPPED), DATES, DATES, SOURCES)
def test_evaluate_shipped_any_facts(
    facts: dict[str, object], as_of: date | None, known_by: date | None,
    sources: list[str] | None,
) -> None:
    _evaluate_any(SHIPPED, facts, as_of, known_by, sources)


@fuzz("evaluate_extended")
@given(_scenarios(EXTENDED), DATES, DATES, SOURCES)
@example({"strike_date": datetime(2024, 7, 1)}, None, None, None)
def test_evaluate_with_number_and_date_facts(
    facts: dict[str, object], as_of: date | None, known_by: date | None,
    sources: list[str] | None,
) -> None:
    _evaluate_any(EXTENDED, facts, as_of, known_by, sources)


@pytest.mark.parametrize("rules", [[FAR_AFTER_JUNE], [FAR_AFTER_JUNE, NEAR_BEFORE_JUNE]],
                         ids=["one-rule", "two-rules"])
def test_evaluate_stays_fast_with_number_and_date_facts(rules: list[str]) -> None:
    """Ten facts and one or two extra rules: an empty scenario is still answered (the completion
    space has a few thousand leaves at most, a fraction of a second's work), well inside a
    CPU-time guard that only an exponential search would reach."""
    ruleset = _fuzzkit.build_with_rule_file(PARTS_EXTENDED, "rules:\n" + "".join(rules))
    compiled_ruleset(ruleset)
    with cpu_limit(30):
        decision = evaluate(ruleset, {}, explain=False)
    assert decision.verdict is Verdict.INDETERMINATE
