"""The fast path (rule index, memo, quick fact checks) against a plain reference evaluator.

The reference below is written to be obviously correct rather than fast: Kleene logic over the
model's condition tree, the rules in force under as_of / known_by / sources read straight from
DESIGN.md, every completion of the missing facts enumerated by brute force, and the combining
rule from the verdict table. Speed must never change a verdict, so the property is equality.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimrules import Verdict, evaluate, evaluate_many, load_ruleset
from claimrules.engine import explain as explaining
from claimrules.engine.compile import (
    CompiledRuleset,
    RuleIndex,
    compile_ruleset,
    compiled_ruleset,
)
from claimrules.engine.context import Context, build_context
from claimrules.engine.decision import ConditionFailed, RuleStatus
from claimrules.engine.explain import built_outcomes, decide, split
from claimrules.engine.reading import reading_of
from claimrules.engine.search import MAX_LEAVES
from claimrules.engine.why import why
from claimrules.load.domain import All, Condition, Not, Rule
from claimrules.load.domain import Test as FactTest
from claimrules.load.model import Rule as RuleModel
from claimrules.load.ruleset import ClaimRecord, Ruleset
from claimrules.load.scenario import ScenarioError
from conftest import SHIPPED, in_memory_ruleset

# --- the reference evaluator ------------------------------------------------------------------


def _typed_operand(value: object, kind: str) -> object:
    if kind == "date":
        if isinstance(value, tuple | list):
            return [date.fromisoformat(str(v)) for v in value]
        return date.fromisoformat(str(value))
    return value


def _test_holds(test: FactTest, value: object, kind: str) -> bool:
    op = test.operator
    arg = _typed_operand(test.operand, kind)
    if op == "is":
        return value == arg
    if op == "in":
        return value in arg
    return {
        "lt": lambda: value < arg,
        "le": lambda: value <= arg,
        "gt": lambda: value > arg,
        "ge": lambda: value >= arg,
    }[op]()


def kleene(cond: Condition, facts: Mapping[str, object], kinds: Mapping[str, str]) -> bool | None:
    """True, False or None (unknown), by Kleene's strong three-valued logic."""
    if isinstance(cond, FactTest):
        if cond.fact not in facts:
            return None
        return _test_holds(cond, facts[cond.fact], kinds[cond.fact])
    if isinstance(cond, Not):
        inner = kleene(cond.not_, facts, kinds)
        return None if inner is None else not inner
    values = [kleene(c, facts, kinds) for c in (cond.all if isinstance(cond, All) else cond.any)]
    if isinstance(cond, All):
        return False if False in values else None if None in values else True
    return True if True in values else None if None in values else False


def _grounds(rs: Ruleset, cid: str) -> bool:
    """A claim can ground a rule: a provision, not speculative (DESIGN.md, "Support")."""
    c = rs.claims[cid].claim
    return str(c.kind) == "provision" and str(c.modality) != "speculative"


def _kept(rs: Ruleset, cid: str, known_by: date | None, sources: set[str] | None,
          speakers: set[str] | None = None) -> bool:
    """A reading keeps a claim from a named source, said by a named speaker, and *shown* to be
    reported by known_by: dated by then, or undated with a `not_after` bound by then."""
    rec = rs.claims[cid]
    if sources is not None and rec.source.id not in sources:
        return False
    if speakers is not None:
        a = rec.claim.attributed_to
        name = a.speaker if a is not None else (rec.source.outlet or rec.source.id)
        if name.casefold() not in {s.casefold() for s in speakers}:
            return False
    if known_by is None:
        return True
    latest = rec.reported_on or (rec.source.not_after.date if rec.source.not_after else None)
    return latest is not None and latest <= known_by


def _after(end: object, as_of: date) -> bool | None:
    """Has a period begun by `as_of`, if it begins at `end`: a date, None (open) or unknown
    within bounds (the domain's Unknown)."""
    if end is None:
        return True
    if isinstance(end, date):
        return end <= as_of
    lo, hi = end.not_before, end.not_after  # type: ignore[attr-defined]
    if hi is not None and as_of >= hi:
        return True
    if lo is not None and as_of < lo:
        return False
    return None


def _before(end: object, as_of: date) -> bool | None:
    """Has a period not yet ended at `as_of`, if it ends at `end`."""
    if end is None:
        return True
    if isinstance(end, date):
        return as_of <= end
    lo, hi = end.not_before, end.not_after  # type: ignore[attr-defined]
    if lo is not None and as_of <= lo:
        return True
    if hi is not None and as_of > hi:
        return False
    return None


def _in_force(rule: Rule, rs: Ruleset, kept: set[str], as_of: date) -> bool | None:
    """Whether the rule is in force at as_of: its stated period when the reading keeps every
    claim that period rests on, else from its earliest kept grounding report (a date, or an
    unknown date between the undated sources' bounds), with no end."""
    eff = rule.effective
    if eff is not None and set(eff.claims) <= kept:
        a, b = _after(eff.from_, as_of), _before(eff.until, as_of)
        return False if False in (a, b) else None if None in (a, b) else True
    grounds = [rs.claims[c] for c in rule.because if c in kept and _grounds(rs, c)]

    def low(r: ClaimRecord) -> date | None:
        return r.reported_on or (r.source.not_before.date if r.source.not_before else None)

    def high(r: ClaimRecord) -> date | None:
        return r.reported_on or (r.source.not_after.date if r.source.not_after else None)
    # The start is the earliest report: on or before as_of for certain when some report is
    # (certainly) dated by then; certainly after it when every report is certainly later.
    if any(high(r) is not None and high(r) <= as_of for r in grounds):  # type: ignore[operator]
        return True
    if all(low(r) is not None and low(r) > as_of for r in grounds):  # type: ignore[operator]
        return False
    return None


def rules_in_force(
    rs: Ruleset, as_of: date | None, known_by: date | None, sources: set[str] | None,
    speakers: set[str] | None = None,
) -> dict[str, tuple[list[str], bool | None]]:
    """Rule id → (the claim ids it may cite, whether it is in force: True, or None when the
    reporting leaves its period open at as_of), for the rules that count (DESIGN.md, "Time has
    two axes"): one grounding claim kept, and as_of not outside its period."""
    out: dict[str, tuple[list[str], bool | None]] = {}
    kept = {c for c in rs.claims if _kept(rs, c, known_by, sources, speakers)}
    for rule in rs.rules:
        claims = [c for c in rule.because if c in kept]
        if not any(_grounds(rs, c) for c in claims):
            continue
        state = True if as_of is None else _in_force(rule, rs, kept, as_of)
        if state is not False:
            out[rule.id] = (claims, state)
    return out


def combining_rule(applicable: list[Rule]) -> tuple[Verdict, list[str]]:
    """The verdict table of DESIGN.md, and the standing rules (a refinement overrides too)."""
    overridden = {o for r in applicable for o in (*r.overrides, *(x.rule for x in r.refines))}
    standing = [r for r in applicable if r.id not in overridden]
    permits = any(r.effect == "permit" for r in standing)
    prohibits = any(r.effect == "prohibit" for r in standing)
    if permits and prohibits:
        verdict = Verdict.CONTESTED
    elif permits:
        verdict = Verdict.PERMITTED
    elif prohibits:
        verdict = Verdict.PROHIBITED
    else:
        return Verdict.NOT_ADDRESSED, []
    return verdict, sorted(r.id for r in standing)


def representatives(rs: Ruleset, name: str) -> list[object]:
    """Values of a fact that between them meet every region its tests can tell apart."""
    fact = rs.facts[name]
    if fact.type == "enum":
        return list(fact.value_names())
    if fact.type == "bool":
        return [True, False]
    points: set[object] = set()

    def collect(cond: Condition) -> None:
        if isinstance(cond, FactTest):
            if cond.fact == name:
                arg = _typed_operand(cond.operand, fact.type)
                points.update(arg if isinstance(arg, tuple | list) else [arg])
        elif isinstance(cond, Not):
            collect(cond.not_)
        else:
            for c in cond.all if isinstance(cond, All) else cond.any:
                collect(c)

    for rule in rs.rules:
        collect(rule.when)
    one: object = timedelta(days=1) if fact.type == "date" else 1
    ordered = sorted(points)
    if not ordered:
        return [date(2024, 1, 1) if fact.type == "date" else 0]
    out: list[object] = [ordered[0] - one]
    for a, b in itertools.pairwise(ordered):
        out += [a, a + one if fact.type == "date" else (a + b) / 2]
    return [*out, ordered[-1], ordered[-1] + one]


@dataclass
class Expected:
    """What the reference says about one scenario."""

    verdict: Verdict
    possible: set[Verdict]  # the verdicts of every completion
    mattering: set[str]  # missing facts whose value alone changes the verdict somewhere
    deciding: list[str] = field(default_factory=list)  # complete facts only
    claims: set[str] = field(default_factory=set)  # complete facts only


def _settled(
    rule: Rule, facts: Mapping[str, object], kinds: Mapping[str, str]
) -> tuple[bool, bool]:
    """What complete facts alone settle about a rule, whatever the open answers: whether its
    condition holds, and whether the case is within the stated part of its unreported terms."""
    terms = rule.unreported_terms
    return (kleene(rule.when, facts, kinds) is True,
            terms is not None and terms.within is not None
            and kleene(terms.within, facts, kinds) is True)


def _applies(rule: Rule, settled: tuple[bool, bool], in_force: bool, within: bool) -> bool:
    """Whether a rule applies to complete facts (`settled` by `_settled`), given answers to what
    the reporting leaves open: whether it was in force, whether the case is within its
    unreported terms."""
    holds, stated_within = settled
    if not in_force or not holds:
        return False
    if rule.unreported_terms is None:
        return True
    return within or stated_within


def reference(
    rs: Ruleset,
    facts: Mapping[str, object],
    as_of: date | None = None,
    known_by: date | None = None,
    sources: set[str] | None = None,
    speakers: set[str] | None = None,
) -> Expected:
    """Every completion of the missing facts, and every answer to what the reporting leaves
    open (each open period, each rule's unreported terms), evaluated one by one."""
    in_force = rules_in_force(rs, as_of, known_by, sources, speakers)
    rules = [r for r in rs.rules if r.id in in_force]
    kinds = {name: str(f.type) for name, f in rs.facts.items()}
    missing = [n for n in rs.facts if n not in facts]
    domains = [representatives(rs, n) for n in missing]
    periods = [r.id for r in rules if in_force[r.id][1] is None]
    terms = [r.id for r in rules if r.unreported_terms is not None]
    answers = list(itertools.product((True, False), repeat=len(periods) + len(terms)))
    # each answer, read as (rule id -> in force, rule id -> within its unreported terms)
    read = {answer: (dict(zip(periods, answer[: len(periods)], strict=True)),
                     dict(zip(terms, answer[len(periods):], strict=True))) for answer in answers}

    def verdicts(settled: Mapping[str, tuple[bool, bool]], answer: tuple[bool, ...],
                 ) -> tuple[Verdict, list[str]]:
        """The verdict and standing rules of one completion (`settled` by its facts) under one
        answer to what the reporting leaves open."""
        open_, within = read[answer]
        return combining_rule([r for r in rules if _applies(
            r, settled[r.id], open_.get(r.id, True), within.get(r.id, False))])

    grid = {}
    for values in itertools.product(*domains):
        full = {**facts, **dict(zip(missing, values, strict=True))}
        settled = {r.id: _settled(r, full, kinds) for r in rules}  # the same for every answer
        for answer in answers:
            grid[(values, answer)] = verdicts(settled, answer)[0]
    possible = set(grid.values())
    # A missing fact matters when changing its value alone changes the verdict somewhere (once
    # one change is found, the fact's other places need no look).
    mattering = set()
    for i, name in enumerate(missing):
        if any(grid[((*values[:i], other, *values[i + 1:]), answer)] != verdict
               for (values, answer), verdict in grid.items() for other in domains[i]):
            mattering.add(name)
    verdict = next(iter(possible)) if len(possible) == 1 else Verdict.INDETERMINATE
    if missing or verdict is Verdict.INDETERMINATE:
        return Expected(verdict, possible, mattering)
    # Deciding rules: those that apply whatever the open answers and stand among themselves,
    # when they give the verdict; failing those, every rule that stands in some answer.
    sure = [r for r in rules if in_force[r.id][1] is True and r.unreported_terms is None
            and kleene(r.when, facts, kinds) is True]
    first, deciding = combining_rule(sure)
    if not deciding or first is not verdict:
        settled = {r.id: _settled(r, facts, kinds) for r in rules}
        deciding = sorted({rid for answer in answers
                           for rid in verdicts(settled, answer)[1]})
    if verdict is Verdict.NOT_ADDRESSED:
        deciding = []
    return Expected(verdict, possible, mattering, deciding,
                    {c for r in deciding for c in in_force[r][0]})


# --- generated rulesets -----------------------------------------------------------------------

FACTS = [
    {"name": "a", "type": "enum", "values": ["a1", "a2", "a3"], "description": "d",
     "question": "a?"},
    {"name": "c", "type": "enum", "values": ["c1", "c2"], "description": "d", "question": "c?"},
    {"name": "b", "type": "bool", "description": "d", "question": "b?"},
    {"name": "n", "type": "number", "description": "d", "question": "n?"},
    {"name": "t", "type": "date", "description": "d", "question": "t?"},
]
ENUMS = {"a": ["a1", "a2", "a3"], "c": ["c1", "c2"]}
DATES = [date(2024, 5, 1), date(2024, 6, 1), date(2024, 11, 17)]
SOURCES = ["s1", "s2", "s3"]
#: s3 is undated, with bounds on its date.
BOUNDS = {"s3": (date(2024, 5, 20), date(2024, 6, 5))}
CLAIMS = {  # claim id → (source, reported_on, kind)
    "k1": ("s1", date(2024, 5, 30), "provision"),
    "k2": ("s1", None, "provision"),
    "k3": ("s2", date(2024, 6, 10), "provision"),
    "k4": ("s2", date(2024, 11, 17), "provision"),
    "k5": ("s3", None, "provision"),
    "k6": ("s2", date(2024, 6, 1), "forecast"),  # never a ground
}


def _test_of(draw: st.DrawFn, name: str) -> dict[str, object]:
    if name in ENUMS:
        if draw(st.booleans()):
            return {"fact": name, "is": draw(st.sampled_from(ENUMS[name]))}
        return {"fact": name, "in": draw(st.lists(st.sampled_from(ENUMS[name]), min_size=1,
                                                  max_size=2, unique=True))}
    if name == "b":
        return {"fact": "b", "is": draw(st.booleans())}
    op = draw(st.sampled_from(["lt", "le", "gt", "ge", "is"]))
    if name == "n":
        return {"fact": "n", op: draw(st.integers(0, 4))}
    return {"fact": "t", op: draw(st.sampled_from(DATES)).isoformat()}


#: The vocabulary without number and date facts: a fact space a reading compiles into a
#: decision diagram (`engine/reading.py`).
FINITE = [f["name"] for f in FACTS if f["type"] in ("enum", "bool")]


@st.composite
def conditions(
    draw: st.DrawFn, depth: int = 2, names: tuple[str, ...] | None = None
) -> dict[str, object]:
    """A condition tree over the generated vocabulary (or the facts `names`)."""
    if depth == 0 or draw(st.integers(0, 2)) == 0:
        return _test_of(draw, draw(st.sampled_from(names or [f["name"] for f in FACTS])))
    kind = draw(st.sampled_from(["all", "any", "not"]))
    if kind == "not":
        return {"not": draw(conditions(depth - 1, names))}
    return {kind: draw(st.lists(conditions(depth - 1, names), min_size=1, max_size=3))}


@st.composite
def rule_conditions(draw: st.DrawFn, names: tuple[str, ...] | None = None) -> dict[str, object]:
    """Mostly a top-level `all` whose `is`/`in` tests the index can use, sometimes anything."""
    if draw(st.integers(0, 4)) == 0:
        return draw(conditions(names=names))
    keyed = draw(st.lists(st.sampled_from(["a", "c", "b"]), min_size=1, max_size=3, unique=True))
    extra = draw(st.lists(conditions(1, names), max_size=2))
    return {"all": [_test_of(draw, k) for k in keyed] + extra}


@st.composite
def rulesets(draw: st.DrawFn, finite: bool = False) -> Ruleset:
    """A ruleset of up to 14 rules (enough for the index to split), with periods, overrides
    (acyclic: a rule only overrides earlier ones) and claims from two sources, some undated.
    `finite`: over the enum and bool facts only (the vocabulary too)."""
    names = tuple(FINITE) if finite else None
    count = draw(st.integers(1, 14))
    rules = []
    for i in range(count):
        effective = None
        if draw(st.integers(0, 3)) == 0:
            start, until = sorted(draw(st.lists(st.sampled_from(DATES), min_size=2, max_size=2)))

            def end(day: date) -> object:
                kind = draw(st.integers(0, 3))
                if kind == 0:
                    return None
                if kind == 1:
                    return {"not_before": (day - timedelta(days=10)).isoformat(),
                            "not_after": day.isoformat()}
                return day.isoformat()

            effective = {"from": end(start), "until": end(until), "basis": "b",
                         "claims": draw(st.lists(st.sampled_from(sorted(CLAIMS)), max_size=1))}
        earlier = [f"r{j:02d}" for j in range(i)]
        grounds = draw(st.lists(st.sampled_from(["k1", "k2", "k3", "k4", "k5"]), min_size=1,
                                max_size=2, unique=True))
        terms = None
        if draw(st.integers(0, 4)) == 0:
            terms = {"claim": grounds[0], "note": "t"}
            if draw(st.booleans()):
                terms["within"] = draw(conditions(1, names))
        rules.append(RuleModel.model_validate({
            "id": f"r{i:02d}",
            "effect": draw(st.sampled_from(["permit", "prohibit"])),
            "when": draw(rule_conditions(names)),
            "because": grounds + (["k6"] if draw(st.integers(0, 5)) == 0 else []),
            "overrides": draw(st.lists(st.sampled_from(earlier), max_size=2, unique=True))
            if earlier else [],
            "refines": [{"rule": r, "note": "r"} for r in draw(
                st.lists(st.sampled_from(earlier), max_size=1))] if earlier else [],
            "effective": effective,
            "unreported_terms": terms,
            "note": "n",
        }).to_domain())
    return make_ruleset([f for f in FACTS if not finite or f["name"] in FINITE], rules)


def make_ruleset(facts: list[dict[str, object]], rules: list[Rule]) -> Ruleset:
    """An in-memory ruleset over the generated sources and claims."""
    return in_memory_ruleset(facts, rules, CLAIMS, sources=SOURCES, bounds=BOUNDS)


def _value(draw: st.DrawFn, name: str) -> object:
    if name in ENUMS:
        return draw(st.sampled_from(ENUMS[name]))
    if name == "b":
        return draw(st.booleans())
    if name == "n":
        return draw(st.sampled_from([-1, 0, 1, 1.5, 2, 3, 4, 5]))
    day = draw(st.sampled_from([*DATES, date(2024, 1, 1), date(2024, 6, 2), date(2025, 1, 1)]))
    return day.isoformat() if draw(st.booleans()) else day  # strings are typed by the evaluator


@st.composite
def scenarios(draw: st.DrawFn, names: list[str], value: object = None) -> dict[str, object]:
    """Some of the facts (the rest missing: absent or None)."""
    out: dict[str, object] = {}
    for name in names:
        present = draw(st.integers(0, 4))
        if present == 0:
            continue
        if present == 1:
            out[name] = None
        else:
            out[name] = value(draw, name) if callable(value) else _value(draw, name)
    return out


@st.composite
def time_axes(draw: st.DrawFn) -> dict[str, object]:
    """as_of, known_by and sources, each sometimes given."""
    days = [None, date(2024, 5, 15), date(2024, 6, 1), date(2024, 7, 1), date(2024, 12, 1)]
    return {
        "as_of": draw(st.sampled_from(days)),
        "known_by": draw(st.sampled_from(days)),
        "sources": draw(st.sampled_from([None, ["s1"], ["s2"], ["s3"], ["s1", "s2"]])),
    }


def _typed(rs: Ruleset, facts: Mapping[str, object]) -> dict[str, object]:
    out = {}
    for name, value in facts.items():
        if value is None:
            continue
        out[name] = date.fromisoformat(value) if rs.facts[name].type == "date" and isinstance(
            value, str) else value
    return out


def _no_index(rs: Ruleset) -> object:
    """A compiled ruleset whose index keys no rule: every rule is tested."""
    compiled = compile_ruleset(rs)
    compiled.index = RuleIndex((), compiled.rules)
    return compiled


def check(rs: Ruleset, facts: dict[str, object], axes: dict[str, object]) -> None:
    """The fast paths agree with the reference and with each other on one scenario."""
    sources = axes["sources"]
    expected = reference(
        rs, _typed(rs, facts), axes["as_of"], axes["known_by"],
        set(sources) if sources else None,
    )
    full = evaluate(rs, facts, **axes)
    again = evaluate(rs, dict(facts), **axes)
    [quick] = evaluate_many(rs, [facts], **axes)
    assert full.verdict is expected.verdict, (facts, axes)
    assert set(full.possible) == expected.possible
    if full.verdict is Verdict.INDETERMINATE:
        assert set(full.missing_facts) == expected.mattering
    assert again == full
    assert quick.verdict is expected.verdict
    assert quick.deciding_rules == full.deciding_rules
    assert quick.claims == full.claims
    assert quick.missing_facts == full.missing_facts
    if not [n for n in rs.facts if n not in _typed(rs, facts)]:
        assert list(full.deciding_rules) == expected.deciding
        assert {c.id for c in full.claims} == expected.claims
    # The index changes nothing at all, explanations included.
    wanted = tuple(sorted(set(sources))) if sources else None
    plain = decide(_no_index(rs), _typed(rs, facts), as_of=axes["as_of"],
                   known_by=axes["known_by"], sources=wanted)
    assert plain == full
    # A failed rule's explanation is what the reference `why` finds.
    typed = _typed(rs, facts)
    for outcome in full.rules:
        if outcome.status is RuleStatus.DOES_NOT_APPLY:
            assert isinstance(outcome.reason, ConditionFailed)
            rule = next(r for r in rs.rules if r.id == outcome.rule)
            assert outcome.reason.tests == why(rule.when, typed, False, rs.facts)


@settings(max_examples=100)
@given(rulesets(), st.data())
def test_generated_rulesets_match_the_reference(rs: Ruleset, data: st.DataObject) -> None:
    for _ in range(3):
        check(rs, data.draw(scenarios([f["name"] for f in FACTS])), data.draw(time_axes()))


def test_a_rule_found_by_its_key_keeps_every_test_the_key_does_not_show_true() -> None:
    """A rule found under a scenario's key is tested only on what the key has not shown true
    (`compile._rest`): a comparison of a key fact stays, as does everything beside the key."""

    def rule(rid: str, effect: str, when: list[dict[str, object]]) -> Rule:
        return RuleModel.model_validate({"id": rid, "effect": effect, "when": {"all": when},
                                         "because": ["k1"], "note": "n"}).to_domain()

    rs = make_ruleset(FACTS, [
        rule("r00", "permit", [{"fact": "n", "is": 2}, {"fact": "n", "le": 2},
                               {"fact": "a", "in": ["a1", "a2"]}, {"fact": "a", "is": "a1"}]),
        rule("r01", "prohibit", [{"fact": "n", "is": 2}, {"fact": "n", "lt": 2}]),
        rule("r02", "prohibit", [{"fact": "n", "is": 1.5}, {"fact": "t", "ge": "2024-06-01"},
                                 {"not": {"fact": "b", "is": True}}]),
        rule("r03", "prohibit", [{"fact": "c", "is": "c1"}, {"fact": "n", "in": [2, 3]},
                                 {"any": [{"fact": "a", "is": "a3"}, {"fact": "n", "gt": 2}]}]),
    ])
    assert any("n" in group.facts for group in compile_ruleset(rs).rule_index().groups)
    names = [f["name"] for f in FACTS]
    domains = [ENUMS["a"], ENUMS["c"], [True, False], [-1, 1.5, 2, 3], [DATES[0], DATES[1]]]
    axes: dict[str, object] = {"as_of": None, "known_by": None, "sources": None}
    for values in itertools.product(*domains):
        facts = dict(zip(names, values, strict=True))
        check(rs, facts, axes)
        check(rs, {**facts, "b": None}, axes)


SHIPPED_AXES = st.fixed_dictionaries({
    "as_of": st.sampled_from(
        [None, date(2024, 5, 29), date(2024, 5, 31), date(2024, 6, 15), date(2024, 11, 18)]),
    "known_by": st.sampled_from([None, date(2024, 5, 31), date(2024, 6, 30), date(2024, 12, 1)]),
    "sources": st.sampled_from([
        None, ["biden-decision-article"], ["liga-axios-2024-11"],
        ["cbs-2024-11-17", "dw-2024-05-30"],
    ]),
})


def draw_shipped(
    shipped: Ruleset, data: st.DataObject
) -> tuple[dict[str, object], dict[str, object]]:
    """A scenario of the shipped vocabulary (facts given or missing) and a reading of it."""
    def value(draw: st.DrawFn, name: str) -> object:
        fact = shipped.facts[name]
        return draw(st.booleans()) if fact.type == "bool" else draw(
            st.sampled_from(fact.value_names()))

    axes = data.draw(SHIPPED_AXES)
    axes["sources"] = [s for s in axes["sources"] or () if s in shipped.sources] or None
    return data.draw(scenarios(list(shipped.facts), value)), axes


@settings(max_examples=200)
@given(st.data())
def test_shipped_ruleset_matches_the_reference(shipped: Ruleset, data: st.DataObject) -> None:
    facts, axes = draw_shipped(shipped, data)
    check(shipped, facts, axes)


def test_every_complete_shipped_scenario_matches_the_reference(shipped: Ruleset) -> None:
    names = list(shipped.facts)
    domains = [
        [True, False] if shipped.facts[n].type == "bool" else shipped.facts[n].value_names()
        for n in names
    ]
    space = [dict(zip(names, values, strict=True)) for values in itertools.product(*domains)]
    fresh = load_ruleset(SHIPPED)  # its memos hold nothing yet, whatever ran before
    for as_of in (None, date(2024, 6, 15)):
        fast = list(evaluate_many(fresh, space, as_of=as_of))
        twice = list(evaluate_many(fresh, space, as_of=as_of))  # from the memo
        for facts, decision, again in zip(space, fast, twice, strict=True):
            expected = reference(fresh, facts, as_of)
            assert decision.verdict is expected.verdict, facts
            assert list(decision.deciding_rules) == expected.deciding
            assert again is decision


# --- the memo never blurs what was asked ------------------------------------------------------


def test_a_remembered_boolean_does_not_admit_an_integer(shipped: Ruleset) -> None:
    facts = {"actor": "ukraine", "munitions_origin": "us", "target_location": "russia",
             "directly_involved_in_invasion": True}
    evaluate(shipped, facts)
    list(evaluate_many(shipped, [facts]))
    for bad in (1, 1.0):
        with pytest.raises(ScenarioError):
            evaluate(shipped, {**facts, "directly_involved_in_invasion": bad})
        with pytest.raises(ScenarioError):
            list(evaluate_many(shipped, [{**facts, "directly_involved_in_invasion": bad}]))


def test_a_remembered_value_under_another_name_is_still_an_error(shipped: Ruleset) -> None:
    facts = {"actor": "ukraine", "munitions_origin": "us"}
    list(evaluate_many(shipped, [facts]))
    with pytest.raises(ScenarioError):
        list(evaluate_many(shipped, [{"actor": "ukraine", "munitions_orign": "us"}]))


def test_memo_is_per_context_and_unknown_sources_still_fail() -> None:
    shipped = load_ruleset(SHIPPED)  # fresh memos
    facts = {"actor": "ukraine", "munitions_origin": "us", "target_location": "russia",
             "target_type": "military_unit", "directly_involved_in_invasion": True,
             "area": "across_from_kharkiv", "weapon_class": "short_range",
             "in_kursk_region": False}
    early = evaluate(shipped, facts, as_of=date(2024, 5, 1))
    late = evaluate(shipped, facts, as_of=date(2024, 6, 15))
    assert early.as_of != late.as_of
    assert evaluate(shipped, facts, as_of=date(2024, 5, 1)) is early
    with pytest.raises(ValueError, match="unknown source"):
        evaluate(shipped, facts, sources=["no-such-source"])
    with pytest.raises(ValueError, match="unknown source"):
        list(evaluate_many(shipped, [facts], sources=["no-such-source"]))
    assert list(evaluate_many(shipped, [], sources=["no-such-source"])) == []


def test_unhashable_and_mapping_inputs_take_the_plain_path(shipped: Ruleset) -> None:
    from types import MappingProxyType

    facts = {"actor": "ukraine", "munitions_origin": "us", "target_location": "ukraine"}
    expected = evaluate(shipped, facts)
    assert evaluate(shipped, MappingProxyType(facts)) == expected
    with pytest.raises(ScenarioError):
        evaluate(shipped, {**facts, "area": ["moscow"]})


# --- the compiled reading (decision diagram) against the per-scenario search -----------------


def check_diagram(rs: Ruleset, facts: dict[str, object], axes: dict[str, object],
                  order: list[int], against_reference: bool = True) -> bool:
    """The diagram's decision, with the scenario's keys in another order, is the one the
    per-scenario search gives (explanations included) and (`against_reference`) the
    reference's; True when the diagram answered."""
    sources = axes["sources"]
    wanted = tuple(sorted(set(sources))) if sources else None  # type: ignore[call-overload]
    items = list(facts.items())
    shuffled = dict(items[i] for i in order)
    reading = reading_of(compiled_ruleset(rs), axes["as_of"], axes["known_by"], wanted, None)
    if not reading.built:
        reading.build()  # (`evaluate` builds it on a reading's second scenario)
    answered = False
    for explain in (False, True):
        plain = decide(_no_index(rs), _typed(rs, facts), as_of=axes["as_of"],
                       known_by=axes["known_by"], sources=wanted, explain=explain)
        walked = reading.decide(shuffled, explain)
        if walked is not None:
            answered = True
            assert walked == plain, (facts, axes, explain)
        assert evaluate(rs, shuffled, explain=explain, **axes) == plain  # type: ignore[arg-type]
    if against_reference:
        check(rs, shuffled, axes)
    return answered


@settings(max_examples=40)
@given(rulesets(finite=True), st.data())
def test_the_diagram_gives_the_per_scenario_decision(rs: Ruleset, data: st.DataObject) -> None:
    for _ in range(4):
        facts = data.draw(scenarios(FINITE))
        order = data.draw(st.permutations(range(len(facts))))
        check_diagram(rs, facts, data.draw(time_axes()), order)


@settings(max_examples=60)
@given(st.data())
def test_the_shipped_diagram_gives_the_per_scenario_decision(
    shipped: Ruleset, data: st.DataObject
) -> None:
    facts, axes = draw_shipped(shipped, data)
    order = data.draw(st.permutations(range(len(facts))))
    # (test_shipped_ruleset_matches_the_reference holds the search to the reference there)
    answered = check_diagram(shipped, facts, axes, order, against_reference=False)
    # The diagram answers every scenario of a reading it compiles, except one whose missing
    # facts and open questions span so many completions that the per-scenario search could
    # give up (reading.py: `search.MAX_LEAVES`): that one takes the search.
    sources = axes["sources"]
    wanted = tuple(sorted(set(sources))) if sources else None  # type: ignore[call-overload]
    reading = reading_of(compiled_ruleset(shipped), axes["as_of"], axes["known_by"], wanted, None)
    assert reading.root is not None  # every shipped reading compiles
    completions = math.prod(size for size, name in zip(reading.sizes, reading.names, strict=True)
                            if facts.get(name) is None)
    assert answered == (completions < MAX_LEAVES), (facts, axes, completions)


def test_every_shipped_scenario_with_missing_facts_walks_to_the_search_decision() -> None:
    """Every scenario of the shipped vocabulary, each fact given, missing or None, under the
    plain reading: the diagram's verdict-only decision is the per-scenario search's."""
    rs = load_ruleset(SHIPPED)
    names = list(rs.facts)
    domains = [
        [None, True, False] if rs.facts[n].type == "bool" else [None, *rs.facts[n].value_names()]
        for n in names
    ]
    compiled = compiled_ruleset(rs)
    reading = reading_of(compiled, None, None, None, None)
    reading.build()
    for values in itertools.product(*domains):
        facts = {n: v for n, v in zip(names, values, strict=True) if v is not None}
        walked = reading.decide(facts, False)
        assert walked is not None
        assert walked == decide(compiled, facts, explain=False), facts


def _numbers(draw: st.DrawFn, name: str) -> object:
    """A fact's value, numbers equal across types among them (1 and 1.0)."""
    if name == "n":
        return draw(st.sampled_from([-1, 0, 1, 1.0, 1.5, 2, 4]))
    return _value(draw, name)


@settings(max_examples=80)
@given(rulesets(), st.data())
def test_laid_out_outcomes_are_the_plainly_built_ones(rs: Ruleset, data: st.DataObject) -> None:
    """Rule outcomes shared between decisions (`explain.layout`: per lead fact and value, the
    ready outcomes of the rules it fails; reasons shared per failed test and value) are those
    built afresh rule by rule, to the type of every value shown (`repr`: 1 is not 1.0): for
    several scenarios in a row under one reading, so later ones meet what earlier ones left,
    and sometimes with limits so small that the layout keeps forgetting."""
    compiled = compiled_ruleset(rs)
    axes = data.draw(time_axes())
    sources = axes["sources"]
    wanted = tuple(sorted(set(sources))) if sources else None  # type: ignore[call-overload]
    small = data.draw(st.booleans())
    saved = (explaining.LAYOUT_PER_RULE, explaining.LAYOUT_MIN, explaining.LAYOUT_REASONS,
             explaining.LAYOUT_RULES)
    explaining.LAYOUT_RULES = 0  # the layout whatever the number of rules
    if small:
        explaining.LAYOUT_PER_RULE, explaining.LAYOUT_MIN, explaining.LAYOUT_REASONS = 1, 1, 1
    try:
        ctx = build_context(
            compiled, axes["as_of"], axes["known_by"], wanted  # type: ignore[arg-type]
        )
        for _ in range(6):
            given = data.draw(scenarios([f["name"] for f in FACTS], _numbers))
            # the per-scenario path, and `evaluate`'s (the diagram's, when it has one)
            for got in (decide(compiled, _typed(rs, given), as_of=axes["as_of"],
                               known_by=axes["known_by"], sources=wanted),
                        evaluate(rs, given, **axes)):  # type: ignore[arg-type]
                facts = got.facts
                applicable, undecided, _ = split(compiled, ctx, facts)
                plain = built_outcomes(compiled, ctx, applicable, undecided, facts)
                assert got.rules == plain, facts
                assert repr(got.rules) == repr(plain), facts
    finally:
        (explaining.LAYOUT_PER_RULE, explaining.LAYOUT_MIN, explaining.LAYOUT_REASONS,
         explaining.LAYOUT_RULES) = saved


def test_a_laid_out_outcome_shows_the_value_of_each_scenario_to_its_type(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """1 and 1.0 are equal (and hash alike), but an explanation shows the value the scenario
    gave: the layout keeps them apart, at the lead test and at the next one."""

    def rule(rid: str, when: list[dict[str, object]]) -> Rule:
        return RuleModel.model_validate({"id": rid, "effect": "permit", "when": {"all": when},
                                         "because": ["k1"], "note": "n"}).to_domain()

    rs = make_ruleset(FACTS, [
        rule("r00", [{"fact": "n", "ge": 3}, {"fact": "a", "is": "a1"}]),
        rule("r01", [{"fact": "n", "ge": 3}, {"fact": "c", "is": "c1"}]),
        rule("r02", [{"fact": "a", "is": "a1"}, {"fact": "n", "ge": 3}]),
    ])
    monkeypatch.setattr(explaining, "LAYOUT_RULES", 0)  # the layout, for three rules
    compiled = compiled_ruleset(rs)
    ctx = build_context(compiled, None, None, None)
    for n in (1, 1.0, 1, 1.0):
        facts = {"a": "a1", "c": "c2", "n": n}
        got = decide(compiled, facts)
        shown = [t.value for o in got.rules for t in o.reason.tests]  # type: ignore[union-attr]
        assert [v.__class__ for v in shown] == [n.__class__] * 3
        assert repr(got.rules) == repr(built_outcomes(compiled, ctx, [], [], facts))


def test_laid_out_outcomes_past_the_lead_test_are_the_plainly_built_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rules whose lead test holds are led on by their next test (several rules to a fact,
    at several depths), beside rules led by a whole-condition test and rules with no lead
    test: every scenario of a small space, twice over (the second time from what the first
    left), gives the plainly built outcomes."""

    def rule(rid: str, when: dict[str, object]) -> Rule:
        return RuleModel.model_validate({"id": rid, "effect": "permit", "when": when,
                                         "because": ["k1"], "note": "n"}).to_domain()

    a1 = {"fact": "a", "is": "a1"}
    rs = make_ruleset(FACTS, [
        rule("r00", {"all": [a1, {"fact": "c", "is": "c1"}]}),
        rule("r01", {"all": [a1, {"fact": "c", "is": "c2"}, {"fact": "b", "is": True}]}),
        rule("r02", {"all": [{"fact": "a", "in": ["a1", "a2"]}, {"fact": "b", "is": False},
                             {"fact": "n", "ge": 3}]}),
        rule("r03", {"all": [a1, {"fact": "c", "in": ["c1", "c2"]}, {"fact": "n", "lt": 2}]}),
        rule("r04", {"fact": "c", "is": "c1"}),
        rule("r05", {"any": [a1, {"fact": "b", "is": True}]}),
        rule("r06", {"all": [{"not": a1}, {"fact": "c", "is": "c2"}]}),
        rule("r07", {"all": [a1, {"fact": "c", "is": "c1"}, {"fact": "b", "is": True}]}),
    ])
    monkeypatch.setattr(explaining, "LAYOUT_RULES", 0)
    compiled = compiled_ruleset(rs)
    ctx = build_context(compiled, None, None, None)
    space = itertools.product(["a1", "a2", "a3", None], ["c1", "c2", None], [True, False, None],
                              [1, 1.0, 4, None])
    scenarios = [{k: v for k, v in zip("acbn", values, strict=True) if v is not None}
                 for values in space]
    _assert_laid_out_as_built(compiled, ctx, scenarios + scenarios)


def _assert_laid_out_as_built(
    compiled: CompiledRuleset, ctx: Context, scenarios: list[dict[str, object]]
) -> None:
    """Each scenario's explanation (laid out) is the plainly built one, down to each value's
    type (compared by repr: `1 == 1.0 == True`)."""
    for facts in scenarios:
        got = decide(compiled, facts)
        applicable, undecided, _ = split(compiled, ctx, facts)
        assert repr(got.rules) == repr(built_outcomes(compiled, ctx, applicable, undecided,
                                                      facts)), facts


def test_a_top_group_tries_each_distinct_lead_test_once_and_gives_the_plain_outcomes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A top group of the layout tries each distinct lead test (one closure, operands of one
    type) once for a value and builds every rule's outcome from its kind's reason: with many
    rules to a lead test, some held and some failed by each value, rules whose failed fields
    were built one by one before (their lead fact missing), values of two types (1 and 1.0),
    and the collector paused while the explanation is built (as from `GC_PAUSE_RULES` rules),
    the outcomes are the plainly built ones, seen first and seen again."""

    def rule(rid: str, when: dict[str, object]) -> Rule:
        return RuleModel.model_validate({"id": rid, "effect": "permit", "when": when,
                                         "because": ["k1"], "note": "n"}).to_domain()

    leads: list[dict[str, object]] = [
        {"fact": "a", "is": "a1"}, {"fact": "a", "is": "a2"}, {"fact": "a", "in": ["a1", "a3"]},
        {"fact": "n", "ge": 1}, {"fact": "n", "lt": 2},
    ]
    seconds = [{"fact": "c", "is": "c1"}, {"fact": "c", "is": "c2"}]
    rules = [rule(f"r{i:02d}", {"all": [leads[i % len(leads)], seconds[i % 2]]})
             for i in range(20)]
    rs = make_ruleset(FACTS, rules)
    monkeypatch.setattr(explaining, "LAYOUT_RULES", 0)
    monkeypatch.setattr(explaining, "GC_PAUSE_RULES", 0)
    compiled = compiled_ruleset(rs)
    ctx = build_context(compiled, None, None, None)
    space = itertools.product([None, "a1", "a2", "a3"], ["c1", None], [None, 1, 1.0, 3])
    scenarios = [{k: v for k, v in zip("acn", values, strict=True) if v is not None}
                 for values in space]
    _assert_laid_out_as_built(compiled, ctx, scenarios + scenarios)
    plan = explaining.layout(compiled, ctx)
    assert {g.fact: len(g.kinds) for g in plan.groups} == {"a": 3, "n": 2}
    assert all(len(g.rules) == len(g.shared) for g in plan.groups)


def test_a_case_within_the_stated_part_of_unreported_terms_is_settled() -> None:
    """A rule whose terms were not reported, with a stated part (`within`): a case inside
    that part is covered whatever the unreported rest says; a case outside it depends on the
    rest (indeterminate); a case the condition misses is not covered at all. The reference
    says so too (its `within` branch, which generated rulesets rarely reach)."""
    rule: Rule = RuleModel.model_validate({
        "id": "r00", "effect": "permit", "because": ["k1"], "note": "n",
        "when": {"fact": "c", "is": "c1"},
        "unreported_terms": {"claim": "k1", "note": "t", "within": {"fact": "a", "is": "a1"}},
    }).to_domain()
    rs = make_ruleset(FACTS, [rule])
    axes: dict[str, object] = {"as_of": None, "known_by": None, "sources": None}
    cases = {
        (("c", "c1"), ("a", "a1")): Verdict.PERMITTED,  # within the stated part
        (("c", "c1"), ("a", "a2")): Verdict.INDETERMINATE,  # outside it: the rest decides
        (("c", "c2"), ("a", "a1")): Verdict.NOT_ADDRESSED,  # the condition fails
    }
    for items, verdict in cases.items():
        facts = {"b": True, "n": 1, "t": "2024-06-01", **dict(items)}
        assert reference(rs, _typed(rs, facts)).verdict is verdict, facts
        assert evaluate(rs, facts).verdict is verdict, facts
        check(rs, facts, axes)
