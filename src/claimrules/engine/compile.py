"""Rules compiled to closures over a facts mapping, with Kleene (three-valued) logic, and a
discrimination index that finds the few rules a scenario can trigger.

A compiled test returns True, False, or None for *unknown* (a fact it reads is missing).
"""

from __future__ import annotations

import heapq
import itertools
import math
import operator
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import field
from datetime import date, timedelta
from typing import Any, cast

from claimrules.collector import paused
from claimrules.engine.decision import CitedClaim, Period
from claimrules.load.domain import (
    All,
    Condition,
    Effect,
    Fact,
    FactType,
    FactValue,
    Modality,
    Not,
    PeriodEnd,
    Rule,
    Test,
    Unknown,
    grounds,
)
from claimrules.load.ruleset import ClaimRecord, Ruleset
from claimrules.values import record

Facts = Mapping[str, FactValue]
Kleene = bool | None
CompiledTest = Callable[[Facts], Kleene]

_MISSING: object = object()
#: What most rules override: one shared set (a rule's own would be one more object to read).
_NO_OVERRIDES: frozenset[int] = frozenset()

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}


def operand_value(test: Test, fact: Fact) -> object:
    """The operand of a test, typed like the fact (dates parsed from their strings)."""
    return _typed_operand(test.operand, fact)


def _typed_operand(raw: object, fact: Fact) -> object:
    if fact.type is FactType.DATE:
        if isinstance(raw, tuple | list):
            return [date.fromisoformat(str(x)) for x in raw]
        return date.fromisoformat(str(raw))
    # Strings interned: each file's YAML gives every occurrence of a value its own object, and
    # a test comparing a scenario's value with one of a few shared objects finds it in the CPU
    # cache, where with thousands of rules their own copies rarely are (fact names likewise).
    if isinstance(raw, tuple | list):
        return tuple(sys.intern(x) if isinstance(x, str) else x for x in raw)
    return sys.intern(raw) if isinstance(raw, str) else raw


def _compile_test(
    test: Test, fact: Fact, known: tuple[str, object] | None = None
) -> CompiledTest:
    name = sys.intern(test.fact)  # see _typed_operand
    op, raw = known or (test.operator, test.operand)  # the model computes both on each access
    arg = _typed_operand(raw, fact)
    missing = _MISSING

    if op == "is":

        def is_(facts: Facts) -> Kleene:
            v = facts.get(name, missing)
            if v is missing:
                return None
            return bool(v == arg)

        return is_
    if op == "in":
        members = frozenset(arg) if isinstance(arg, tuple | list) else frozenset([arg])

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


@record(slots=True)  # not frozen: built once per condition node, never changed
class CompiledNode:
    """A condition with its compiled closure and its compiled parts, kept so that an
    explanation can find the tests that decided a rule without compiling anything again."""

    cond: Condition
    test: CompiledTest
    parts: tuple[CompiledNode, ...]
    kind: str  # "all", "any", "not", or the operator of a fact test
    fact: str | None = None  # a fact test's fact
    operand: object = None  # a fact test's operand, as written


#: Closures built for one ruleset, by what they compute (see `compile_node`).
SharedTests = dict[tuple[object, ...], CompiledTest]


def compile_node(
    cond: Condition, facts: Mapping[str, Fact], shared: SharedTests | None = None
) -> CompiledNode:
    """The condition's closure (the one `compile_condition` builds) with its compiled parts.

    Equal fact tests, and `not`/`all`/`any` of the same closures, get one closure, kept in
    `shared` for the next conditions of the ruleset: rules repeat each other's tests, and
    with thousands of rules a closure many of them share is far likelier to be in the CPU
    cache when a decision calls it than one of their own.
    """
    if shared is None:
        shared = {}
    if isinstance(cond, Test):
        op, operand = cond.operator, cond.operand
        key = ("test", cond.fact, op, *_operand_key(operand))
        test = shared.get(key)
        if test is None:
            test = shared[key] = _compile_test(cond, facts[cond.fact], (op, operand))
        return CompiledNode(cond, test, (), op, cond.fact, operand)
    if isinstance(cond, Not):
        node = compile_node(cond.not_, facts, shared)
        return CompiledNode(cond, _combined(shared, "not", (node.test,)), (node,), "not")
    kind, conds = ("all", cond.all) if isinstance(cond, All) else ("any", cond.any)
    parts = tuple(compile_node(c, facts, shared) for c in conds)
    return CompiledNode(cond, _combined(shared, kind, tuple(p.test for p in parts)), parts, kind)


def _operand_key(operand: object) -> tuple[object, ...]:
    """An operand as part of a key: each value with its type (`1`, `1.0` and `True` are equal,
    tests of them need not be), the values of `in` in order."""
    if isinstance(operand, tuple | list):
        return (list, *((v.__class__, v) for v in operand))
    return (operand.__class__, operand)


def _combined(shared: SharedTests, kind: str, parts: tuple[CompiledTest, ...]) -> CompiledTest:
    """The closure of `not`, `all` or `any` over these closures, shared (see compile_node)."""
    key = (kind, *parts)
    test = shared.get(key)
    if test is None:
        test = shared[key] = (
            _not(parts[0]) if kind == "not" else _all(parts) if kind == "all" else _any(parts)
        )
    return test


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


def conjoin(first: CompiledTest | None, second: CompiledTest) -> CompiledTest:
    """The Kleene conjunction of two tests (the second alone when there is no first)."""
    return second if first is None else _all((first, second))


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
        earliest=record.earliest,
        latest=record.latest,
    )


#: The prefix of a pseudo-fact: a boolean that no scenario states and the reporting never
#: settles — whether a rule was in force (`@period:ID`), whether a case falls within terms
#: that were not reported (`@terms:ID`). The search splits on them like on missing facts, after
#: every real fact, so a verdict that depends on one is `indeterminate`.
PSEUDO = "@"
PSEUDO_DOMAIN: tuple[FactValue, ...] = (True, False)


def is_pseudo(name: str) -> bool:
    """Whether a fact name is a pseudo-fact (see PSEUDO)."""
    return name.startswith(PSEUDO)


def period_gate(rule_id: str) -> str:
    """The pseudo-fact for whether a rule was in force."""
    return f"{PSEUDO}period:{rule_id}"


def terms_gate(rule_id: str) -> str:
    """The pseudo-fact for whether a case falls within a rule's unreported terms."""
    return f"{PSEUDO}terms:{rule_id}"


def pseudo_rule(name: str) -> tuple[str, str]:
    """(kind, rule id) of a pseudo-fact's name."""
    kind, _, rule = name[len(PSEUDO) :].partition(":")
    return kind, rule


def gate_test(name: str) -> CompiledTest:
    """The test reading a pseudo-fact: its value when a search has set it, else unknown."""
    missing = _MISSING

    def gate(facts: Facts) -> Kleene:
        v = facts.get(name, missing)
        return None if v is missing else bool(v)

    return gate


def rule_period(
    rule: Rule, claims: Mapping[str, ClaimRecord], kept: frozenset[str] | None = None
) -> Period:
    """The rule's period in a reading that keeps the claims `kept` (None: every claim).

    The stated period counts when the reading keeps every claim its basis rests on. Else the
    period is derived from the grounding claims kept: it starts with the earliest report of
    the rule — a date when that report is dated, else unknown within the bounds the undated
    sources carry — and has no reported end.
    """
    eff = rule.effective
    if eff is not None and (kept is None or all(c in kept for c in eff.claims)):
        start, start_unknown = _end(eff.from_)
        until, until_unknown = _end(eff.until)
        return Period(start, until, eff.basis, None, start_unknown, until_unknown)
    records = [
        claims[c] for c in rule.because
        if (kept is None or c in kept) and c in claims and grounds(claims[c].claim)
    ]
    if not records:
        return Period(None, None, None, None, Unknown())
    lows = [r.earliest for r in records]
    low = None if any(d is None for d in lows) else min(cast(list[date], lows))
    # The claim that dates the start: the earliest report, the firmest of equal dates.
    highs = sorted(
        (r.latest, _FIRMNESS.index(r.claim.modality), r.id) for r in records
        if r.latest is not None
    )
    if not highs:
        return Period(None, None, None, None, Unknown(low, None))
    high, _, claim_id = highs[0]
    if low == high:
        return Period(high, None, None, claim_id)
    return Period(None, None, None, claim_id, Unknown(low, high))


_FIRMNESS = (Modality.ASSERTED, Modality.ATTRIBUTED, Modality.HEDGED, Modality.SPECULATIVE)


def _end(end: PeriodEnd) -> tuple[date | None, Unknown | None]:
    if isinstance(end, Unknown):
        return None, end
    return end, None


@record(frozen=True, slots=True, weakref_slot=True)  # weakref: analysis._GUARDS
class CompiledRule:
    """A rule ready to evaluate. Slotted, with its id at hand: a decision reads a few fields of
    each rule it finds, and with thousands of rules each object read is likely a cache miss.

    `test` is the rule's whole condition: `when`, and for a rule with unreported terms, its
    `within` or the never-known `@terms:ID` (`terms`); a gated copy made for a reading in which
    the rule's period is unknown also reads `@period:ID` (`gate`)."""

    index: int
    rule: Rule
    permit: bool
    test: CompiledTest
    reads: frozenset[str]
    overrides: frozenset[int]
    period: Period
    claims: tuple[CitedClaim, ...]
    node: CompiledNode | None = None  # the condition's compiled tree, for explanations
    overrides_ids: tuple[str, ...] = ()  # the ids it overrides (and refines), sorted
    terms: CompiledTest | None = None  # the unreported-terms part of `test`
    gate: CompiledTest | None = None  # the in-force part of `test`, in a gated copy
    context: tuple[CitedClaim, ...] = ()  # claims shown beside the rule, never its grounds
    id: str = field(init=False)  # the rule's id

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", self.rule.id)

    @property
    def effect(self) -> Effect:
        """permit or prohibit."""
        return self.rule.effect

    def gated(self) -> CompiledRule:
        """A copy whose test also reads `@period:ID`: for a reading in which it is unknown
        whether the rule was in force."""
        name = period_gate(self.id)
        gate = gate_test(name)
        return CompiledRule(
            index=self.index, rule=self.rule, permit=self.permit,
            test=_all((gate, self.test)), reads=self.reads | {name},
            overrides=self.overrides, period=self.period, claims=self.claims, node=self.node,
            overrides_ids=self.overrides_ids, terms=self.terms, gate=gate, context=self.context,
        )


#: A group's key holds at most this many facts.
_KEY_FACTS = 3
#: A key is selective enough once it admits this fraction of scenarios or fewer.
_SELECTIVE = 1 / 256
#: A rule is listed under at most this many keys (the product of its key tests' value counts).
_MAX_KEYS = 16
#: One more group to look up costs about this many rule tests: a group is merged into the one
#: keyed by one fact fewer when that adds fewer expected candidate rules than this.
_LOOKUP_COST = 0.3
#: Facts without a finite domain (numbers, dates) count as this many values for selectivity.
_OPEN_DOMAIN = 16


#: A rule found by the index, with the test that decides it on the facts it was found for.
Candidate = tuple[CompiledRule, CompiledTest]


@record(frozen=True, slots=True)
class RuleGroup:
    """Rules keyed by the values their top-level `is`/`in` tests require of the same facts.

    A rule found under a scenario's key comes with its test less those tests of the key facts
    (the key shows them true; see `_rest`); a rule found while a key fact is missing comes with
    its whole test.
    """

    facts: tuple[str, ...]
    key: Callable[[Mapping[str, object]], object]  # the key of a scenario (KeyError: missing)
    table: Mapping[object, tuple[Candidate, ...]]  # key → rules, in rule order, with tests left
    by_fact: Mapping[str, Mapping[object, tuple[Candidate, ...]]]  # one fact's value → rules
    rules: tuple[Candidate, ...]  # every rule of the group, in rule order, with its whole test

    def matching(self, facts: Mapping[str, object]) -> tuple[Candidate, ...]:
        """The group's rules whose required values the facts do not contradict."""
        try:
            key = self.key(facts)
        except KeyError:  # a key fact is missing: narrow by the key facts that are known
            best = self.rules
            for name in self.facts:
                if name in facts:
                    some = self.by_fact[name].get(facts[name], ())
                    if len(some) < len(best):
                        best = some
            return best
        return self.table.get(key, ())


@record(frozen=True, slots=True)
class RuleIndex:
    """The rules grouped by the facts their top-level `is`/`in` tests read, each group a table
    from the values those tests admit to the rules. Finding the rules a scenario can trigger
    costs one look-up per group, whatever the number of rules."""

    groups: tuple[RuleGroup, ...]
    unkeyed: tuple[CompiledRule, ...]  # rules with no usable test: always candidates

    def lookup(self, facts: Mapping[str, object]) -> list[Candidate]:
        """The rules whose required values the facts do not contradict, in rule order, each
        with the test that decides it on these facts (its value is the rule's condition's).

        Every other rule has a top-level `is`/`in` test that is false on a known fact, so its
        condition is false whatever the missing facts are. Raises TypeError for an unhashable
        value (the caller then tests every rule).
        """
        found = [(rule, rule.test) for rule in self.unkeyed] if self.unkeyed else []
        parts = 1 if found else 0
        for group in self.groups:
            # `matching`, inlined for the common case of every key fact known.
            try:
                hits = group.table.get(group.key(facts), ())
            except KeyError:
                hits = group.matching(facts)
            if hits:
                found.extend(hits)
                parts += 1
        if parts > 1:
            found.sort(key=_candidate_index)
        return found


def _rule_index(rule: CompiledRule) -> int:
    return rule.index


def _candidate_index(candidate: Candidate) -> int:
    return candidate[0].index


def _always(facts: Facts) -> Kleene:
    """The test left of a rule whose every test the key showed true."""
    return True


def _rest(rule: CompiledRule, names: tuple[str, ...], shared: SharedTests) -> CompiledTest:
    """The rule's test less its top-level `is`/`in` tests of the facts `names`, for scenarios
    whose key found it in the table of a group keyed by those facts.

    The rule is listed under the values each such test admits, so a scenario's key finds it
    only when every one of them is true (the table compares as the tests do, by hash and `==`;
    an `is` operand unequal to itself, NaN, keeps its test). `all` of true parts and the rest
    is `all` of the rest: the value is the condition's, unknown exactly when the rest is.
    Testing them again would only cost time: it reads the rule's own closures, which with
    thousands of rules are rarely in the CPU cache.
    """
    node = rule.node
    if node is None:
        return rule.test
    parts = node.parts if node.kind == "all" else (node,)
    rest = tuple(
        part.test for part in parts
        if part.fact not in names
        or not (part.kind == "in" or (part.kind == "is" and part.operand == part.operand))
    )
    if len(rest) == len(parts):
        return rule.test
    # The parts of the test outside `when` (see CompiledRule) are never in a key.
    rest += tuple(t for t in (rule.gate, rule.terms) if t is not None)
    if not rest:
        return _always
    return rest[0] if len(rest) == 1 else _combined(shared, "all", rest)


def required_values(cond: Condition, facts: Mapping[str, Fact]) -> dict[str, frozenset[object]]:
    """For each fact that a top-level `is`/`in` test of the condition reads, the values that
    test admits (intersected when several tests read one fact). The condition can only be true
    when every such fact is missing or holds one of its admitted values."""
    parts = cond.all if isinstance(cond, All) else [cond]
    out: dict[str, frozenset[object]] = {}
    for part in parts:
        if not isinstance(part, Test) or part.operator not in ("is", "in"):
            continue
        name = sys.intern(part.fact)  # as the tests read it: a group's key reads it too
        arg = operand_value(part, facts[name])
        admitted = frozenset(arg) if isinstance(arg, tuple | list) else frozenset([arg])
        previous = out.get(name)
        out[name] = admitted if previous is None else previous & admitted
    return out


def _key_facts(
    required: Mapping[str, frozenset[object]], sizes: Mapping[str, int]
) -> list[tuple[str, float]]:
    """A rule's key: its most selective required facts, with the fraction of their values each
    admits, until the key is selective enough."""
    ranked = sorted(required, key=lambda n: (len(required[n]) / sizes[n], n))
    key: list[tuple[str, float]] = []
    fraction, keys = 1.0, 1
    for name in ranked:
        if len(key) == _KEY_FACTS or fraction <= _SELECTIVE:
            break
        if keys * max(1, len(required[name])) > _MAX_KEYS:
            continue
        share = len(required[name]) / sizes[name]
        key.append((name, share))
        fraction *= share
        keys *= max(1, len(required[name]))
    return key


def _group(
    names: tuple[str, ...],
    members: list[tuple[CompiledRule, dict[str, frozenset[object]]]],
    shared: SharedTests,
) -> RuleGroup:
    members = sorted(members, key=lambda item: item[0].index)
    table: dict[object, list[Candidate]] = {}
    by_fact: dict[str, dict[object, list[Candidate]]] = {n: {} for n in names}
    for rule, required in members:
        found = (rule, _rest(rule, names, shared))
        for values in itertools.product(*(sorted(required[n], key=repr) for n in names)):
            table.setdefault(values if len(names) > 1 else values[0], []).append(found)
        whole = (rule, rule.test)
        for n in names:
            for v in required[n]:
                by_fact[n].setdefault(v, []).append(whole)
    return RuleGroup(
        facts=names,
        key=operator.itemgetter(*names),
        table={k: tuple(v) for k, v in table.items()},
        by_fact={n: {v: tuple(rs) for v, rs in d.items()} for n, d in by_fact.items()},
        rules=tuple((rule, rule.test) for rule, _ in members),
    )


def build_index(rules: Iterable[CompiledRule], facts: Mapping[str, Fact]) -> RuleIndex:
    """Group the rules by their keys (see RuleIndex). A group too small to pay for its own
    look-up is merged into the group keyed by its key less its least selective fact, smallest
    cost first, so that many rare keys do not cost a look-up each."""
    sizes = {
        name: len(f.value_names()) if f.type is FactType.ENUM
        else 2 if f.type is FactType.BOOL else _OPEN_DOMAIN
        for name, f in facts.items()
    }
    keyed: dict[tuple[str, ...], list[tuple[CompiledRule, dict[str, frozenset[object]]]]] = {}
    shares: dict[tuple[str, ...], list[tuple[str, float]]] = {}  # most selective first
    for rule in rules:
        required = required_values(rule.rule.when, facts)
        key = _key_facts(required, sizes)
        group = tuple(sorted(name for name, _ in key))
        keyed.setdefault(group, []).append((rule, required))
        shares.setdefault(group, key)

    def merge_cost(group: tuple[str, ...]) -> float:
        """Expected candidates added per scenario by merging `group` one fact shorter."""
        *rest, (_, last) = shares[group]
        shorter = math.prod(share for _, share in rest)
        return len(keyed[group]) * (shorter - shorter * last)

    heap = [(merge_cost(g), len(members), g) for g, members in keyed.items() if g]
    heapq.heapify(heap)
    while heap:
        cost, size, group = heapq.heappop(heap)
        if len(keyed.get(group, ())) != size:
            continue  # merged away, or grown since: a stale entry
        if cost >= _LOOKUP_COST:
            break
        shorter = shares[group][:-1]
        merged = tuple(sorted(name for name, _ in shorter))
        keyed.setdefault(merged, []).extend(keyed.pop(group))
        shares.setdefault(merged, shorter)
        if merged:
            heapq.heappush(heap, (merge_cost(merged), len(keyed[merged]), merged))
    unkeyed = tuple(sorted((rule for rule, _ in keyed.pop((), [])), key=_rule_index))
    shared: SharedTests = {}  # the rest of equal tests is one closure (see compile_node)
    groups = tuple(_group(names, keyed[names], shared) for names in sorted(keyed))
    return RuleIndex(groups, unkeyed)


@record
class CompiledRuleset:
    """All rules compiled, with each fact's finite domain of representative values.

    The last fields are caches that never change an answer: contexts by (as_of, known_by,
    sources), the rule index, the search's guards, and the compiled readings (`reading.py`)
    with the decisions already made under each.
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
    index: RuleIndex | None = None
    citations: dict[str, CitedClaim] = field(default_factory=dict)
    # Per rule index, the values of enum and bool facts its top-level tests allow (see
    # `search.guard`); a gated copy of a rule shares its rule's guard.
    guards: dict[int, dict[str, frozenset[FactValue]]] = field(default_factory=dict)
    # Compiled readings by (as_of, known_by, sources, speakers), most recently used last
    # (see `reading.reading`).
    readings: dict[tuple[object, ...], Any] = field(default_factory=dict)

    def citation(self, claim_id: str) -> CitedClaim:
        """The citation form of any claim of the ruleset, built once."""
        found = self.citations.get(claim_id)
        if found is None:
            found = self.citations[claim_id] = cite(self.ruleset.claims[claim_id])
        return found

    def domain(self, name: str) -> tuple[FactValue, ...]:
        """The values a search splits a fact (or a pseudo-fact) into."""
        return PSEUDO_DOMAIN if is_pseudo(name) else self.domains[name]

    def branch_key(self, counts: Mapping[str, int]) -> Callable[[str], tuple[object, ...]]:
        """The order a search picks the fact to split on: real facts before pseudo-facts
        (so every box of real facts is settled before what the reporting leaves open), then
        the fact most undecided rules read, then vocabulary order."""
        order = self.fact_order
        last = len(order)

        def key(name: str) -> tuple[object, ...]:
            pseudo = is_pseudo(name)
            return (pseudo, -counts[name], last if pseudo else order[name], name)

        return key

    def rule_index(self) -> RuleIndex:
        """The discrimination index over every rule, built on first use."""
        if self.index is None:
            with paused():
                self.index = build_index(self.rules, self.ruleset.facts)
        return self.index


def _threshold_domain(points: set[FactValue], kind: FactType) -> tuple[FactValue, ...]:
    """Representative values: each threshold, one between each pair, one below and above."""
    if not points:
        return (date(2024, 1, 1),) if kind is FactType.DATE else (0,)
    out: list[FactValue] = []
    if kind is FactType.DATE:
        days = cast(list[date], sorted(points))  # a fact has one type
        step = timedelta(days=1)
        out.append(days[0] - step)
        for a, b in itertools.pairwise(days):
            out.append(a)
            if (b - a).days > 1:
                out.append(a + step)
        out.append(days[-1])
        out.append(days[-1] + step)
        return tuple(out)
    numbers = cast(list[float], sorted(points))  # a fact has one type
    out.append(numbers[0] - 1)
    for low, high in itertools.pairwise(numbers):
        out.append(low)
        out.append((low + high) / 2)
    out.append(numbers[-1])
    out.append(numbers[-1] + 1)
    return tuple(out)


def fact_domains(ruleset: Ruleset) -> dict[str, tuple[FactValue, ...]]:
    """Each fact's values (enum, bool) or representatives split at the rules' thresholds."""
    points: dict[str, set[FactValue]] = {name: set() for name in ruleset.facts}
    for rule in ruleset.rules:
        for t in iter_tests(rule.when):
            fact = ruleset.facts[t.fact]
            if fact.type in (FactType.NUMBER, FactType.DATE):
                v = operand_value(t, fact)
                for x in v if isinstance(v, tuple | list) else [v]:
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


#: Where a loaded ruleset keeps its compiled form (in `Ruleset.derived`).
COMPILED = "claimrules.engine.compile"


def compiled_ruleset(ruleset: Ruleset) -> CompiledRuleset:
    """The ruleset's evaluable form, built on first use and kept as long as the ruleset is
    (each ruleset object its own: two loads of the same files share nothing)."""
    derived = ruleset.derived
    found: CompiledRuleset | None = derived.get(COMPILED)  # type: ignore[assignment]
    if found is None:
        found = derived[COMPILED] = compile_ruleset(ruleset)
    return found


def compile_ruleset(ruleset: Ruleset) -> CompiledRuleset:
    """Compile every rule of a checked ruleset."""
    with paused():
        return _compile_ruleset(ruleset)


def _compile_ruleset(ruleset: Ruleset) -> CompiledRuleset:
    index = {r.id: i for i, r in enumerate(ruleset.rules)}
    citations: dict[str, CitedClaim] = {}

    def cited(claim_id: str) -> CitedClaim:
        # A claim cited by many rules is one shared (frozen) value.
        if claim_id not in citations:
            citations[claim_id] = cite(ruleset.claims[claim_id])
        return citations[claim_id]

    shared: SharedTests = {}
    nodes = [compile_node(r.when, ruleset.facts, shared) for r in ruleset.rules]
    compiled = []
    for (i, r), node in zip(enumerate(ruleset.rules), nodes, strict=True):
        test, reads, terms = node.test, facts_read(r.when), None
        if r.unreported_terms is not None:
            name = terms_gate(r.id)
            terms = gate_test(name)
            within = r.unreported_terms.within
            if within is not None:
                terms = _any((compile_node(within, ruleset.facts, shared).test, terms))
                reads |= facts_read(within)
            test, reads = _all((test, terms)), reads | {name}
        over = {*r.overrides, *(x.rule for x in r.refines)}
        compiled.append(CompiledRule(
            index=i,
            rule=r,
            permit=r.effect is Effect.PERMIT,
            test=test,
            reads=reads,
            overrides=frozenset(index[o] for o in over) if over else _NO_OVERRIDES,
            period=rule_period(r, ruleset.claims),
            claims=tuple(cited(c) for c in r.because),
            node=node,
            overrides_ids=tuple(sorted(over)),
            terms=terms,
            context=tuple(cited(c) for c in r.context),
        ))
    return CompiledRuleset(
        ruleset=ruleset,
        rules=tuple(compiled),
        by_id={r.id: r for r in compiled},
        domains=fact_domains(ruleset),
        fact_order={name: i for i, name in enumerate(ruleset.facts)},
        value_sets={name: _value_set(f) for name, f in ruleset.facts.items()},
        in_id_order=tuple(sorted(compiled, key=lambda r: r.id)),
        citations=citations,
    )


def _value_set(fact: Fact) -> tuple[type, frozenset[object]] | None:
    if fact.type is FactType.ENUM:
        return str, frozenset(fact.value_names())
    if fact.type is FactType.BOOL:
        return bool, frozenset([True, False])
    return None
