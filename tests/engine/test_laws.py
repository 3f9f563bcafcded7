"""Laws of evaluation, as properties over the shipped ruleset.

1. Soundness (DESIGN.md): a verdict other than `indeterminate` given with missing facts equals
   the verdict of every completion of those facts; and `indeterminate` is given only when two
   completions disagree.
2. Independence from the order of files, rules and claims, and from PYTHONHASHSEED.
3. Adding a rule no scenario can reach changes no answer.
4. A per-source reading of one source never cites a claim of another source.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import random
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import _fuzzkit
from _proc import HANG_SECONDS, claimrules_argv, limit_child
from claimrules import Decision, Ruleset, Verdict, evaluate, load_ruleset
from claimrules.engine.compile import compiled_ruleset, is_pseudo
from claimrules.engine.context import build_context
from claimrules.engine.decision import RuleStatus
from claimrules.engine.explain import decide
from claimrules.load.model import FactType
from claimrules.load.yamlsafe import parse_yaml
from conftest import SHIPPED

PARTS = _fuzzkit.shipped_parts()
RULESET: Ruleset = load_ruleset(SHIPPED)
FACTS = list(RULESET.facts)
SOURCE_IDS = sorted(RULESET.sources)


def _domain(name: str) -> list[object]:
    """Every value of a fact, from the vocabulary (not from the evaluator's own domains)."""
    fact = RULESET.facts[name]
    if fact.type is FactType.ENUM:
        return list(fact.value_names())
    assert fact.type is FactType.BOOL, "the shipped vocabulary has only enum and bool facts"
    return [True, False]


DOMAINS = {name: _domain(name) for name in FACTS}
# Dates around every period boundary of the shipped rules, and some far from them.
def _period_dates(rule: object) -> list[date]:
    p = rule.period  # type: ignore[attr-defined]
    ends = [p.start, p.until]
    for u in (p.start_unknown, p.until_unknown):
        if u is not None:
            ends += [u.not_before, u.not_after]
    return [d for d in ends if d is not None]


BOUNDARIES = sorted({d for r in compiled_ruleset(RULESET).rules for d in _period_dates(r)})
DATE = st.one_of(
    st.none(),
    st.sampled_from(BOUNDARIES),
    st.sampled_from(BOUNDARIES).map(lambda d: date.fromordinal(d.toordinal() - 1)),
    st.sampled_from(BOUNDARIES).map(lambda d: date.fromordinal(d.toordinal() + 1)),
    st.dates(date(2024, 1, 1), date(2025, 6, 30)),
)
SOURCES = st.one_of(st.none(), st.lists(st.sampled_from(SOURCE_IDS), min_size=1, max_size=3,
                                        unique=True))


@st.composite
def partial_facts(draw: st.DrawFn, *, min_known: int = 0) -> dict[str, object]:
    """Some facts of the vocabulary, each with one of its values."""
    names = draw(st.lists(st.sampled_from(FACTS), min_size=min_known, unique=True))
    return {name: draw(st.sampled_from(DOMAINS[name])) for name in names}


def _completions(facts: Mapping[str, object]) -> Iterator[dict[str, object]]:
    missing = [n for n in FACTS if n not in facts]
    for values in itertools.product(*(DOMAINS[n] for n in missing)):
        yield {**facts, **dict(zip(missing, values, strict=True))}


LAW = settings(max_examples=250, deadline=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


# --- 1. soundness ----------------------------------------------------------------------------


def _complete_verdicts(
    full: Mapping[str, object], as_of: date | None, known_by: date | None,
    sources: list[str] | None,
) -> set[Verdict]:
    """The verdicts of a complete scenario under every answer to what the reporting leaves
    open: each pseudo-fact (`@period:ID`, `@terms:ID`) that a rule whose condition holds
    reads, set both ways. Each such verdict must be determinate."""
    compiled = compiled_ruleset(RULESET)
    wanted = tuple(sorted(set(sources))) if sources is not None else None
    ctx = build_context(compiled, as_of, known_by, wanted)
    gates = sorted({
        n for r in ctx.active if r.node is not None and r.node.test(full) is True
        for n in r.reads if is_pseudo(n)
    })
    out: set[Verdict] = set()
    for values in itertools.product((True, False), repeat=len(gates)):
        d = decide(compiled, {**full, **dict(zip(gates, values, strict=True))},  # type: ignore[arg-type]
                   as_of=as_of, known_by=known_by, sources=wanted, explain=False)
        assert d.verdict is not Verdict.INDETERMINATE, "a fully settled case is always decided"
        out.add(d.verdict)
    return out


@settings(LAW, max_examples=120)
@given(partial_facts(min_known=2), DATE, DATE, SOURCES)
def test_soundness_of_verdicts_under_missing_facts(
    facts: dict[str, object], as_of: date | None, known_by: date | None,
    sources: list[str] | None,
) -> None:
    """Soundness, extended to what the reporting leaves open: a determinate verdict holds in
    every completion of the missing facts AND for every answer to the open periods and
    unreported terms; `indeterminate` only when two of those disagree."""
    decision = evaluate(RULESET, facts, as_of=as_of, known_by=known_by, sources=sources)
    seen: set[Verdict] = set()
    for full in _completions(facts):
        verdicts = _complete_verdicts(full, as_of, known_by, sources)
        if decision.verdict is not Verdict.INDETERMINATE:
            assert verdicts == {decision.verdict}, f"the completion {full} gives {verdicts}"
        seen |= verdicts
    if decision.verdict is Verdict.INDETERMINATE:
        assert len(seen) > 1, f"indeterminate, but every completion gives {seen}"
        assert set(decision.possible) == seen
        assert decision.missing_facts or decision.unknowns
        assert not set(decision.missing_facts) & set(facts)


@settings(LAW, max_examples=25)
@given(DATE, DATE, SOURCES)
def test_soundness_with_no_facts_at_all(
    as_of: date | None, known_by: date | None, sources: list[str] | None
) -> None:
    decision = evaluate(RULESET, {}, as_of=as_of, known_by=known_by, sources=sources,
                        explain=False)
    seen: set[Verdict] = set()
    for full in _completions({}):
        seen |= _complete_verdicts(full, as_of, known_by, sources)
    if decision.verdict is Verdict.INDETERMINATE:
        assert len(seen) > 1
    else:
        assert seen == {decision.verdict}


# --- 2. order of files, rules and claims; hash seed -------------------------------------------


def _dump(data: object) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**9)


def _read(path: Path) -> object:
    return parse_yaml(path.read_text(encoding="utf-8"), str(path)).data


def _reshuffle(src: Path, dest: Path, rng: random.Random) -> None:
    """A copy of the ruleset with every list of items shuffled, and the rules, claims and cases
    redistributed over new, renamed files. Archives are copied unchanged (hashes still hold)."""
    shutil.copytree(src / "archive", dest / "archive")
    shutil.copyfile(src / "ruleset.yaml", dest / "ruleset.yaml")  # keeps the facts' order
    sources = _read(src / "sources.yaml")
    assert isinstance(sources, dict)
    rng.shuffle(sources["sources"])
    (dest / "sources.yaml").write_text(_dump(sources), encoding="utf-8")
    for kind in ("claims", "rules", "cases"):
        items = [item for f in sorted((src / kind).glob("*.yaml"))
                 for item in _read(f)[kind]]  # type: ignore[index]
        rng.shuffle(items)
        (dest / kind).mkdir()
        files = rng.randint(1, max(1, min(5, len(items))))
        for n in range(files):
            part = items[n::files]
            name = f"{rng.randrange(10**6):06d}-{kind}-{n}.yaml"
            (dest / kind / name).write_text(_dump({kind: part}), encoding="utf-8")


SCENARIOS = [
    ({}, None, None, None),
    ({"actor": "ukraine", "munitions_origin": "us", "target_location": "russia"},
     None, None, None),
    ({"actor": "ukraine", "munitions_origin": "us", "target_location": "russia",
      "target_type": "military_installation", "directly_involved_in_invasion": True,
      "area": "across_from_kharkiv", "weapon_class": "short_range"},
     date(2024, 6, 1), None, None),
    ({"actor": "ukraine", "munitions_origin": "us", "target_location": "russia",
      "weapon_class": "atacms", "area": "deep_inside", "in_kursk_region": False},
     date(2024, 11, 20), date(2024, 11, 30), ["wsb-cnn-2024-11", "adn-2024-11-17"]),
    ({"actor": "ukraine", "munitions_origin": "us", "target_location": "russia",
      "target_type": "military_unit", "directly_involved_in_invasion": True},
     None, None, ["biden-decision-article"]),
]


def _answers(ruleset: Ruleset) -> list[Decision]:
    out = [evaluate(ruleset, f, as_of=a, known_by=k, sources=s) for f, a, k, s in SCENARIOS]
    out += [evaluate(ruleset, c.facts, as_of=c.as_of, known_by=c.known_by, sources=c.sources)
            for c in ruleset.cases]
    return out


@functools.cache
def _shipped_answers() -> list[Decision]:
    """`_answers` of the ruleset as shipped, worked out once: `evaluate` is pure."""
    return _answers(RULESET)


@settings(LAW, max_examples=12)
@given(st.randoms(use_true_random=False))
def test_answers_do_not_depend_on_the_order_of_files_rules_and_claims(
    tmp_path_factory: pytest.TempPathFactory, rng: random.Random
) -> None:
    dest = tmp_path_factory.mktemp("reshuffled") / "us-weapons-inside-russia"
    dest.mkdir()
    _reshuffle(SHIPPED, dest, rng)
    shuffled = load_ruleset(dest)
    assert [r.id for r in shuffled.rules] == [r.id for r in RULESET.rules]
    assert list(shuffled.claims) == list(RULESET.claims)
    assert _answers(shuffled) == _shipped_answers()


HASH_SEED_ARGS = [
    ["--fact", "actor=ukraine"],
    ["--fact", "actor=ukraine", "--fact", "munitions_origin=us", "--fact",
     "target_location=russia", "--as-of", "2024-06-15"],
    ["--fact", "actor=ukraine", "--fact", "munitions_origin=us", "--fact",
     "target_location=russia", "--fact", "weapon_class=atacms", "--known-by", "2024-11-30",
     "--source", "wsb-cnn-2024-11", "--source", "adn-2024-11-17"],
]


@pytest.mark.parametrize("args", HASH_SEED_ARGS, ids=["one-fact", "as-of", "sources"])
def test_json_output_does_not_depend_on_the_hash_seed(args: list[str]) -> None:
    outputs = []
    for seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(claimrules_argv("eval", str(SHIPPED), *args, "--format", "json"),
                              capture_output=True, env=env, timeout=HANG_SECONDS,
                              preexec_fn=limit_child, check=False)
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    json.loads(outputs[0])


# --- 3. an unreachable rule changes nothing ------------------------------------------------

ALL_RULE_IDS = sorted(r.id for r in RULESET.rules)
UNREACHABLE = {
    "permit-contradiction": {
        "id": "zz-unreachable", "effect": "permit",
        "when": {"all": [{"fact": "actor", "is": "ukraine"}, {"fact": "actor", "is": "other"}]},
        "because": ["dw-go-ahead"], "note": "no actor is both",
    },
    "prohibit-overriding-everything": {
        "id": "zz-unreachable", "effect": "prohibit",
        "when": {"all": [{"fact": "actor", "is": "ukraine"}, {"fact": "actor", "is": "other"}]},
        "because": ["dw-go-ahead"], "overrides": ALL_RULE_IDS,
        "note": "an exception to every rule, that never applies",
    },
    "outside-a-closed-enum": {
        "id": "zz-unreachable", "effect": "prohibit",
        "when": {"not": {"fact": "target_location", "in": ["russia", "ukraine", "other"]}},
        "because": ["dw-go-ahead"], "note": "every target is somewhere",
    },
    "bool-both-ways": {
        "id": "zz-unreachable", "effect": "permit",
        "when": {"all": [{"fact": "in_kursk_region", "is": True},
                         {"not": {"fact": "in_kursk_region", "is": True}}]},
        "because": ["dw-go-ahead"], "overrides": ["no-strikes-on-moscow"],
        "note": "true and not true",
    },
}
WITH_UNREACHABLE = {
    name: _fuzzkit.build_with_rule_file(PARTS, _dump({"rules": [rule]}))
    for name, rule in UNREACHABLE.items()
}
BASELINE = _fuzzkit.build_with_rule_file(PARTS, "rules: []\n")


def _answer(decision: Decision) -> tuple[object, ...]:
    return (decision.verdict, decision.deciding_rules, decision.claims, decision.missing_facts,
            decision.possible)


@settings(LAW, max_examples=200)
@given(st.sampled_from(sorted(UNREACHABLE)), partial_facts(), DATE, DATE, SOURCES)
def test_an_unreachable_rule_changes_no_answer(
    variant: str, facts: dict[str, object], as_of: date | None, known_by: date | None,
    sources: list[str] | None,
) -> None:
    before = evaluate(BASELINE, facts, as_of=as_of, known_by=known_by, sources=sources)
    after = evaluate(WITH_UNREACHABLE[variant], facts, as_of=as_of, known_by=known_by,
                     sources=sources)
    assert _answer(after) == _answer(before)


def test_the_unreachable_rules_are_really_unreachable() -> None:
    for ruleset in WITH_UNREACHABLE.values():
        rule = compiled_ruleset(ruleset).by_id["zz-unreachable"]
        assert not any(rule.test(full) for full in _completions({}))


# --- 4. per-source readings ----------------------------------------------------------------


@settings(LAW, max_examples=300)
@given(st.sampled_from(SOURCE_IDS), partial_facts(), DATE, DATE)
def test_a_per_source_reading_cites_only_that_source(
    source: str, facts: dict[str, object], as_of: date | None, known_by: date | None
) -> None:
    decision = evaluate(RULESET, facts, as_of=as_of, known_by=known_by, sources=[source])
    assert decision.sources == (source,)
    assert all(c.source == source for c in decision.claims)
    for outcome in decision.rules:
        if outcome.status is not RuleStatus.INACTIVE:
            assert all(c.source == source for c in outcome.claims), outcome.rule
    for rule_id in decision.deciding_rules:
        rule = next(r for r in RULESET.rules if r.id == rule_id)
        assert any(RULESET.claims[c].source.id == source for c in rule.because)


@pytest.mark.parametrize("source", SOURCE_IDS)
def test_per_source_json_cites_only_that_source(source: str) -> None:
    from claimrules.reporters import json as rjson

    facts = {"actor": "ukraine", "munitions_origin": "us", "target_location": "russia",
             "target_type": "military_unit", "directly_involved_in_invasion": True}
    decision = evaluate(RULESET, facts, sources=[source])
    out = rjson.decision(decision)
    assert all(c["source"] == source for c in out["claims"])
    claim_source = {cid: rec.source.id for cid, rec in RULESET.claims.items()}
    for rule in out["rules"]:
        if rule["status"] != "inactive":
            for claim in rule["claims"]:
                cid = claim if isinstance(claim, str) else claim["id"]
                assert claim_source[cid] == source, (rule["id"], cid)
