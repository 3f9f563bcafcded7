"""Whole-space analysis of a ruleset: lint findings, the decision table, and diffs.

Everything here starts from the exploration of `evaluator.explore`, which partitions the fact
space into *leaves* — boxes fixing only the facts that undecided rules read, each with one
verdict — so the work follows the rules' own conditions, never the raw product of the facts'
domains. (`_explore` below gives the very same leaves, faster on large rulesets: it re-tests
only undecided rules and routes rules by their top-level guards.) Leaves are then *compressed*
into regions:

1. an exact disjoint merge: two boxes with the same label that differ in one fact only become
   one box with the union of that fact's values (the fact is dropped once every value is in);
2. when the exploration was complete, an expansion (as in ESPRESSO's expand/irredundant
   steps): each box grows while it meets no box of another label, and boxes covered by the
   union of other boxes of their label are dropped.

Both steps are exact: the rows of one label cover exactly the leaves of that label (rows of one
label may overlap each other; rows of different labels never do).

Number and date facts are explored over representative values split at the rules' thresholds
(`compile.fact_domains`); a region states the ranges those representatives stand for.
"""

from __future__ import annotations

import functools
import gc
import math
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise
from typing import ParamSpec, TypeVar, cast
from weakref import WeakKeyDictionary

from claimrules.diagnostics import Diagnostic, LoadError, Severity, Span
from claimrules.engine.compile import (
    CompiledRule,
    CompiledRuleset,
    compile_condition,
    fact_domains,
    iter_tests,
    operand_value,
)
from claimrules.engine.constraints import facts_named, iter_impossible
from claimrules.engine.decision import CitedClaim, Verdict
from claimrules.engine.evaluator import MAX_LEAVES, Leaf, build_context, combine, settle_open
from claimrules.load.domain import (
    All,
    ClaimKind,
    Effect,
    Fact,
    FactType,
    FactValue,
    Rule,
    Test,
    grounds,
)
from claimrules.load.ruleset import Ruleset

L = TypeVar("L", bound=Hashable)
P = ParamSpec("P")
R = TypeVar("R")

#: The pseudo-fact that carries valid time in lint's regions (a name no fact can have).
TIME = "@as_of"

#: Regions of the policy's subject that no rule addresses, listed one by one at most.
MAX_GAP_FINDINGS = 10

#: Pieces a redundancy check may split a box into before it gives up (and keeps the box).
_MAX_PIECES = 2_000

Box = dict[str, frozenset[FactValue]]
_Frozen = frozenset[tuple[str, frozenset[FactValue]]]  # a box in hashable form


# --- typed regions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """A stretch of a number or date fact's values; an end of None is unbounded."""

    low: int | float | date | None
    low_closed: bool
    high: int | float | date | None
    high_closed: bool

    def contains(self, value: FactValue) -> bool:
        """Whether `value` lies in the stretch."""
        if isinstance(value, bool) or not isinstance(value, int | float | date):
            return False
        low, high = self.low, self.high
        if low is not None and (value < low or (value == low and not self.low_closed)):  # type: ignore[operator]
            return False
        return not (high is not None and (
            value > high or (value == high and not self.high_closed)  # type: ignore[operator]
        ))

    def bounds(self) -> str:
        """The stretch without a name: `< 300`, `≥ 2024-11-17`, `300`, `(300, 500]`, `any`."""
        lo, hi = show_value(self.low), show_value(self.high)
        if self.low is not None and self.low == self.high:
            return lo
        if self.low is None and self.high is None:
            return "any"
        if self.low is None:
            return f"{'≤' if self.high_closed else '<'} {hi}"
        if self.high is None:
            return f"{'≥' if self.low_closed else '>'} {lo}"
        return f"{'[' if self.low_closed else '('}{lo}, {hi}{']' if self.high_closed else ')'}"

    def text(self, name: str) -> str:
        """`name < 300`, `2024-05-30 ≤ name ≤ 2024-06-05`, `name = 7`, `any name`."""
        lo, hi = show_value(self.low), show_value(self.high)
        if self.low is not None and self.low == self.high:
            return f"{name} = {lo}"
        if self.low is None and self.high is None:
            return f"any {name}"
        if self.low is None:
            return f"{name} {'≤' if self.high_closed else '<'} {hi}"
        if self.high is None:
            return f"{name} {'≥' if self.low_closed else '>'} {lo}"
        left = "≤" if self.low_closed else "<"
        right = "≤" if self.high_closed else "<"
        return f"{lo} {left} {name} {right} {hi}"


@dataclass(frozen=True)
class Cell:
    """One fact's allowed values in a region (a fact without a cell may take any value).

    For enum and bool facts `values` are the values themselves; for number and date facts they
    are the explored representatives, and `intervals` the ranges they stand for.
    """

    fact: str
    values: tuple[FactValue, ...]
    intervals: tuple[Interval, ...] = ()

    def contains(self, value: FactValue) -> bool:
        """Whether a scenario's value of this fact falls in the cell."""
        if self.intervals:
            return any(i.contains(value) for i in self.intervals)
        return any(value == v and type(value) is type(v) for v in self.values)

    def value_text(self) -> str:
        """The allowed values without the fact's name: `ukraine`, `a, b`, `< 300`."""
        if self.intervals:
            return " or ".join(i.bounds() for i in self.intervals)
        return ", ".join(show_value(v) for v in self.values)

    def __str__(self) -> str:
        if self.intervals:
            return " or ".join(i.text(self.fact) for i in self.intervals)
        if len(self.values) == 1:
            return f"{self.fact}={show_value(self.values[0])}"
        return f"{self.fact} in [{', '.join(show_value(v) for v in self.values)}]"


@dataclass(frozen=True)
class TimeSlice:
    """A stretch of valid time over which the rules in force do not change (both ends
    inclusive, None open), or with `unset` the view of a question that gives no as_of."""

    start: date | None
    until: date | None
    unset: bool = False

    @property
    def as_of(self) -> date | None:
        """A date standing for the slice (None for the unset view or when no rule is dated)."""
        if self.unset:
            return None
        return self.start if self.start is not None else self.until

    def __str__(self) -> str:
        if self.unset:
            return "when no date is asked"
        if self.start is None and self.until is None:
            return "at every date"
        if self.start is None:
            return f"until {self.until}"
        if self.until is None:
            return f"from {self.start}"
        if self.start == self.until:
            return f"on {self.start}"
        return f"{self.start} to {self.until}"


@dataclass(frozen=True)
class When:
    """The valid times at which a region holds: merged date spans and the unset-as_of view."""

    spans: tuple[TimeSlice, ...]
    unset: bool

    @property
    def always(self) -> bool:
        """True when the region holds at every date and with no as_of."""
        return self.unset and len(self.spans) == 1 and self.spans[0].start is None and (
            self.spans[0].until is None
        )

    def __str__(self) -> str:
        if self.always:
            return "at every date"
        parts = [str(s) for s in self.spans]
        if self.unset:
            parts.append("when no date is asked")
        return "; ".join(parts) if parts else "never"


@dataclass(frozen=True)
class Region:
    """A box of the fact space: each cell constrains one fact; `when` says at which valid times
    it holds (None where the analysis is at one date)."""

    cells: tuple[Cell, ...]
    when: When | None = None

    def matches(self, facts: Mapping[str, FactValue]) -> bool:
        """Whether a full scenario falls in the region (time aside)."""
        return all(c.fact in facts and c.contains(facts[c.fact]) for c in self.cells)

    def cell(self, fact: str) -> Cell | None:
        """The cell constraining `fact`, if any."""
        return next((c for c in self.cells if c.fact == fact), None)

    def __str__(self) -> str:
        return ", ".join(str(c) for c in self.cells) if self.cells else "every case"


def show_value(value: object) -> str:
    """A fact value as written in rulesets: `true`, `2024-05-30`, `300`, `ukraine`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- boxes and their compression ---------------------------------------------------------------

Domains = Mapping[str, tuple[FactValue, ...]]


class _Index:
    """Bitmask index over a list of boxes: which boxes admit value v of fact f (a box that
    leaves f free admits every value)."""

    def __init__(self, boxes: Sequence[Box], domains: Domains) -> None:
        n = len(boxes)
        self.all = (1 << n) - 1
        nbytes = n // 8 + 1
        raw: dict[str, dict[FactValue, bytearray]] = {}
        absent: dict[str, bytearray] = {}
        for i, box in enumerate(boxes):
            byte, bit = divmod(i, 8)
            for f, vals in box.items():
                if f not in raw:
                    raw[f] = {v: bytearray(nbytes) for v in domains[f]}
                    absent[f] = bytearray(b"\xff" * nbytes)
                absent[f][byte] &= ~(1 << bit) & 0xFF
                per = raw[f]
                for v in vals:
                    per[v][byte] |= 1 << bit
        self.masks: dict[str, dict[FactValue, int]] = {}
        for f, per in raw.items():
            free = int.from_bytes(absent[f], "little") & self.all
            self.masks[f] = {v: int.from_bytes(b, "little") | free for v, b in per.items()}

    def value_mask(self, fact: str, value: FactValue) -> int:
        """Boxes admitting `value` for `fact`."""
        per = self.masks.get(fact)
        return self.all if per is None else per[value]

    def fact_mask(self, fact: str, values: Iterable[FactValue]) -> int:
        """Boxes admitting at least one of `values` for `fact`."""
        per = self.masks.get(fact)
        if per is None:
            return self.all
        out = 0
        for v in values:
            out |= per[v]
        return out

    def meeting(self, box: Box) -> int:
        """Boxes that intersect `box`."""
        m = self.all
        for f, vals in box.items():
            m &= self.fact_mask(f, vals)
            if not m:
                break
        return m


def _bits(mask: int) -> Iterator[int]:
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def _share(box: Box, domains: Domains) -> float:
    """The share of the space a box covers (for ordering boxes by size)."""
    return math.prod(len(vals) / len(domains[f]) for f, vals in box.items())


def _count(box: Box, domains: Domains, total: int) -> int:
    """How many points of the space (of `total` points) a box covers."""
    return total // math.prod(len(domains[f]) for f in box) * math.prod(map(len, box.values()))


def _meets(a: Box, b: Box) -> bool:
    return all(f not in b or bool(vals & b[f]) for f, vals in a.items())


def _within(inner: Box, outer: Box) -> bool:
    return all(f in inner and inner[f] <= vals for f, vals in outer.items())


def _subtract(p: Box, q: Box, domains: Domains) -> list[Box]:
    """Disjoint boxes covering p minus q."""
    if not _meets(p, q):
        return [p]
    out: list[Box] = []
    cur = dict(p)
    for f, qv in q.items():
        pv = cur.get(f, frozenset(domains[f]))
        outside = pv - qv
        if outside:
            piece = dict(cur)
            piece[f] = outside
            out.append(piece)
        cur[f] = pv & qv
    return out


def _intersect(a: Box, b: Box) -> Box | None:
    out = dict(a)
    for f, vals in b.items():
        both = out[f] & vals if f in out else vals
        if not both:
            return None
        out[f] = both
    return out


def _normal(box: Box, domains: Domains) -> Box:
    return {f: v for f, v in box.items() if len(v) < len(domains[f])}


def _merge_disjoint(items: Iterable[tuple[Box, L]], domains: Domains) -> list[tuple[Box, L]]:
    """Merge boxes of one label that differ in one fact only (exact: the union of two boxes
    equal outside one fact is the box with the union of that fact's values).

    Each box sits, for each fact it constrains, in a bucket keyed by (label, fact, the rest of
    the box); a bucket holding two boxes is a merge to make. A worklist of such buckets runs
    until none is left, so the cost follows the boxes made, not passes over every fact.
    """
    boxes: dict[int, tuple[Box, L, _Frozen]] = {}
    buckets: dict[tuple[L, str, _Frozen], dict[int, None]] = {}
    seen: set[tuple[_Frozen, L]] = set()
    work: list[tuple[L, str, _Frozen]] = []
    counter = iter(range(1 << 62))

    def add(box: Box, label: L) -> None:
        whole = frozenset(box.items())
        if (whole, label) in seen:
            return
        seen.add((whole, label))
        i = next(counter)
        boxes[i] = (box, label, whole)
        for f, vals in box.items():
            key = (label, f, whole - {(f, vals)})
            bucket = buckets.setdefault(key, {})
            bucket[i] = None
            if len(bucket) == 2:
                work.append(key)

    def remove(i: int) -> Box:
        box, label, whole = boxes.pop(i)
        seen.discard((whole, label))
        for f, vals in box.items():
            key = (label, f, whole - {(f, vals)})
            del buckets[key][i]
        return box

    for box, label in items:
        add(_normal(box, domains), label)
    while work:
        key = work.pop(0) if len(work) < 64 else work.pop()
        members = buckets.get(key)
        if not members or len(members) < 2:
            continue
        label, f, rest = key
        union = frozenset().union(*(remove(i)[f] for i in list(members)))
        merged = dict(rest)
        if len(union) < len(domains[f]):
            merged[f] = union
        add(merged, label)
    return [(b, label) for b, label, _ in (boxes[i] for i in sorted(boxes))]


def _cover(ref: Sequence[Box], index: _Index, allowed: int, domains: Domains) -> list[Box]:
    """Few boxes covering exactly the union of the `ref` boxes in the `allowed` mask.

    Each allowed box grows (whole facts dropped first, then single values added) while it meets
    no box outside the mask; then boxes covered by the union of the others are dropped. `ref`
    must partition the whole space (a complete exploration): a box meeting no box outside the
    mask then lies inside the union of the boxes in it.
    """
    forbidden = index.all & ~allowed
    order = sorted(_bits(allowed), key=lambda i: -_share(ref[i], domains))
    covered = 0
    grown: list[Box] = []
    for i in order:
        if covered >> i & 1:
            continue
        cand = dict(ref[i])
        masks = {f: index.fact_mask(f, v) for f, v in cand.items()}
        # drop whole facts first, those allowing the most values first
        for f in sorted(cand, key=lambda f: (-len(cand[f]), f)):
            if not forbidden & _and_except(masks, f, index.all):
                del cand[f]
                del masks[f]
        for f in list(cand):
            others = forbidden & _and_except(masks, f, index.all)
            for v in domains[f]:
                if v in cand[f]:
                    continue
                trial = masks[f] | index.value_mask(f, v)
                if not others & trial:
                    cand[f] = cand[f] | {v}
                    masks[f] = trial
            if len(cand[f]) == len(domains[f]):
                del cand[f]
                del masks[f]
        inside = allowed
        for mask in masks.values():
            inside &= mask
        for j in _bits(inside):
            if _within(ref[j], cand):
                covered |= 1 << j
        grown.append(cand)
    return _irredundant(grown, domains) if len(grown) > 1 else grown


def _and_except(masks: Mapping[str, int], skip: str, start: int) -> int:
    out = start
    for f, m in masks.items():
        if f != skip:
            out &= m
    return out


def _irredundant(boxes: list[Box], domains: Domains) -> list[Box]:
    """Drop boxes covered by the union of the other kept boxes."""
    index = _Index(boxes, domains)
    keep = index.all
    for i in sorted(range(len(boxes)), key=lambda i: _share(boxes[i], domains)):
        others = index.meeting(boxes[i]) & keep & ~(1 << i)
        if others and _covered(boxes[i], [boxes[j] for j in _bits(others)], domains):
            keep &= ~(1 << i)
    return [boxes[i] for i in _bits(keep)]


def _covered(box: Box, covers: list[Box], domains: Domains) -> bool:
    pieces = [box]
    for c in covers:
        pieces = [q for p in pieces for q in _subtract(p, c, domains)]
        if not pieces:
            return True
        if len(pieces) > _MAX_PIECES:
            return False
    return not pieces


def compress(
    items: Iterable[tuple[Box, L]], domains: Domains, *, exact_cover: bool = True
) -> list[tuple[Box, L]]:
    """Fewer, larger boxes with the same labels over the same points.

    `exact_cover` says the items partition the whole space (a complete exploration), which
    allows growing boxes; without it only the disjoint merge runs.
    """
    merged = _merge_disjoint(items, domains)
    if not exact_cover or not merged:
        return merged
    boxes = [b for b, _ in merged]
    index = _Index(boxes, domains)
    return [(b, label) for label, mask in _masks(merged).items()
            for b in _cover(boxes, index, mask, domains)]


def _masks(items: Iterable[tuple[Box, L]]) -> dict[L, int]:
    out: dict[L, int] = {}
    for i, (_, label) in enumerate(items):
        out[label] = out.get(label, 0) | (1 << i)
    return out


# --- value classes of number and date facts -------------------------------------------------


def _points(rulesets: Iterable[Ruleset]) -> dict[str, list[FactValue]]:
    out: dict[str, set[FactValue]] = {}
    for rs in rulesets:
        for rule in rs.rules:
            for t in iter_tests(rule.when):
                fact = rs.facts[t.fact]
                if fact.type in (FactType.NUMBER, FactType.DATE):
                    v = operand_value(t, fact)
                    values = cast("list[FactValue]", v if isinstance(v, tuple | list) else [v])
                    out.setdefault(t.fact, set()).update(values)
    return {k: sorted(v) for k, v in out.items()}


@dataclass(frozen=True)
class _Space:
    """A fact space: domains in vocabulary order, and the range each representative stands for."""

    domains: dict[str, tuple[FactValue, ...]]
    ranges: dict[str, dict[FactValue, Interval]]
    order: dict[str, int]

    def cells(self, box: Box) -> tuple[Cell, ...]:
        out = []
        for f in sorted((f for f in box if f != TIME), key=self.order.__getitem__):
            vals = tuple(v for v in self.domains[f] if v in box[f])
            if f in self.ranges:
                out.append(Cell(f, vals, _merge_intervals([self.ranges[f][v] for v in vals])))
            else:
                out.append(Cell(f, vals))
        return tuple(out)


def _space(ruleset: Ruleset, *others: Ruleset) -> _Space:
    if others:
        merged = Ruleset(
            meta=ruleset.meta, facts=ruleset.facts, sources={}, claims={},
            rules=tuple(r for rs in (ruleset, *others) for r in rs.rules), cases=(),
        )
        domains = fact_domains(merged)
    else:
        domains = dict(ruleset.compiled().domains)
    points = _points((ruleset, *others))
    ranges: dict[str, dict[FactValue, Interval]] = {}
    for name, fact in ruleset.facts.items():
        if fact.type not in (FactType.NUMBER, FactType.DATE):
            continue
        pts = points.get(name, [])
        per: dict[FactValue, Interval] = {}
        for v in domains[name]:
            if v in pts:
                per[v] = Interval(v, True, v, True)  # type: ignore[arg-type]
            else:
                lower = max((p for p in pts if p < v), default=None)  # type: ignore[operator]
                upper = min((p for p in pts if p > v), default=None)  # type: ignore[operator]
                per[v] = Interval(lower, False, upper, False)  # type: ignore[arg-type]
        ranges[name] = per
    return _Space(domains, ranges, {n: i for i, n in enumerate(ruleset.facts)})


def _merge_intervals(intervals: list[Interval]) -> tuple[Interval, ...]:
    out: list[Interval] = []
    for iv in intervals:  # in domain order, i.e. ascending
        if out and _adjacent(out[-1], iv):
            prev = out[-1]
            out[-1] = Interval(prev.low, prev.low_closed, iv.high, iv.high_closed)
        else:
            out.append(iv)
    return tuple(out)


def _adjacent(a: Interval, b: Interval) -> bool:
    if a.high is None or b.low is None:
        return False
    if a.high == b.low:
        return a.high_closed != b.low_closed
    if isinstance(a.high, date) and isinstance(b.low, date):
        return a.high_closed and b.low_closed and a.high + timedelta(days=1) == b.low
    return False


# --- valid time -------------------------------------------------------------------------------


def time_slices(ruleset: Ruleset) -> list[TimeSlice]:
    """The unset-as_of view, then the stretches of valid time between the rules' period
    boundaries (each start, and each `until` + 1 day), oldest first."""
    bounds: set[date] = set()
    for r in ruleset.compiled().rules:
        if r.period.start is not None:
            bounds.add(r.period.start)
        if r.period.until is not None:
            bounds.add(r.period.until + timedelta(days=1))
    points = sorted(bounds)
    out = [TimeSlice(None, None, unset=True)]
    if not points:
        return [*out, TimeSlice(None, None)]
    out.append(TimeSlice(None, points[0] - timedelta(days=1)))
    for a, b in pairwise(points):
        out.append(TimeSlice(a, b - timedelta(days=1)))
    out.append(TimeSlice(points[-1], None))
    return out


def _when(indices: Iterable[int], slices: Sequence[TimeSlice]) -> When:
    chosen = sorted(set(indices))
    spans: list[TimeSlice] = []
    prev = -2
    for i in chosen:
        s = slices[i]
        if s.unset:
            continue
        if spans and i == prev + 1:
            spans[-1] = TimeSlice(spans[-1].start, s.until)
        else:
            spans.append(s)
        prev = i
    return When(tuple(spans), any(slices[i].unset for i in chosen))


def _collector_paused(fn: Callable[P, R]) -> Callable[P, R]:
    """Run `fn` with the cyclic garbage collector paused, restoring its state after.

    A sweep allocates hundreds of thousands of small, acyclic boxes and keys that stay alive
    until it ends; the collector's repeated full passes over them cost as much as the
    analysis itself on large rulesets (measured: half of `lint`'s time at 100× the shipped
    ruleset). Reference counting still frees everything as usual.
    """

    @functools.wraps(fn)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return paused


# --- exploring under a context ------------------------------------------------------------------


def _explore(
    compiled: CompiledRuleset,
    rules: Sequence[CompiledRule],
    facts: Mapping[str, FactValue],
    *,
    settle: bool = True,
) -> tuple[list[Leaf], bool]:
    """The leaves `evaluator.explore` gives (same branching rule, same order), found faster.

    Each node tests only the rules its parent left undecided, and a branch on an enum or bool
    fact hands each value only the rules whose top-level guard on that fact allows it (a false
    conjunct makes the condition false whatever else is unknown). So a branch that settles
    most rules at once — a `policy` switch, say — costs what its own rules cost, not what the
    whole ruleset costs. Returns the leaves and whether the exploration was complete.
    """
    leaves: list[Leaf] = []
    vocabulary = compiled.ruleset.facts
    state = {"complete": True}
    known = dict(facts)
    assigned: list[tuple[str, FactValue]] = []

    def run(pending: Sequence[CompiledRule], applicable: tuple[CompiledRule, ...]) -> None:
        if not state["complete"]:
            return
        if len(leaves) >= MAX_LEAVES:
            state["complete"] = False
            return
        undecided: list[CompiledRule] = []
        counts: dict[str, int] = {}
        for r in pending:
            held = r.test(known)
            if held is True:
                applicable = (*applicable, r)
            elif held is None:
                undecided.append(r)
                for name in r.reads:
                    if name not in known:
                        counts[name] = counts.get(name, 0) + 1
        if not counts:
            verdict, standing = combine(sorted(applicable, key=lambda r: r.index))
            leaves.append(Leaf(tuple(assigned), verdict, standing))
            return
        name = min(counts, key=compiled.branch_key(counts))
        values = compiled.domain(name)
        routed = _route(undecided, name, values, vocabulary)
        for value in values:
            known[name] = value
            assigned.append((name, value))
            run(routed[value], applicable)
            assigned.pop()
            del known[name]

    run(tuple(rules), ())
    # Leaves that differ only in what the reporting leaves open become one (`settle_open`);
    # `settle=False` keeps them apart, for questions such as "can this rule ever apply?".
    return (settle_open(leaves, rules, facts) if settle else leaves), state["complete"]


_GUARDS: WeakKeyDictionary[CompiledRule, dict[str, frozenset[FactValue]]] = WeakKeyDictionary()


def _guard(rule: CompiledRule, vocabulary: Mapping[str, Fact]) -> dict[str, frozenset[FactValue]]:
    """The values of enum and bool facts a rule's top-level tests allow (`is` and `in` tests,
    alone or as parts of a top-level `all`)."""
    found = _GUARDS.get(rule)
    if found is not None:
        return found
    when = rule.rule.when
    parts = when.all if isinstance(when, All) else [when]
    out: dict[str, frozenset[FactValue]] = {}
    for p in parts:
        if not isinstance(p, Test) or p.operator not in ("is", "in"):
            continue
        fact = vocabulary[p.fact]
        if fact.type is FactType.ENUM:
            values: tuple[FactValue, ...] = tuple(fact.value_names())
        elif fact.type is FactType.BOOL:
            values = (True, False)
        else:
            continue
        test = compile_condition(p, vocabulary)
        allowed = frozenset(v for v in values if test({p.fact: v}))
        out[p.fact] = out[p.fact] & allowed if p.fact in out else allowed
    _GUARDS[rule] = out
    return out


def _route(
    rules: Sequence[CompiledRule],
    name: str,
    values: Sequence[FactValue],
    vocabulary: Mapping[str, Fact],
) -> dict[FactValue, list[CompiledRule]]:
    """For each value of `name`, the rules not already false there by their guard."""
    out: dict[FactValue, list[CompiledRule]] = {v: [] for v in values}
    for r in rules:
        allowed = _guard(r, vocabulary).get(name)
        if allowed is None:
            for v in values:
                out[v].append(r)
        else:
            for v in allowed:
                if v in out:
                    out[v].append(r)
    return out


def _leaf_box(leaf: Leaf, base: Mapping[str, FactValue] | None = None) -> Box:
    box: Box = {f: frozenset([v]) for f, v in (base or {}).items()}
    for f, v in leaf.assigned:
        box[f] = frozenset([v])
    return box


def _ids(rules: Iterable[CompiledRule]) -> tuple[str, ...]:
    return tuple(sorted(r.id for r in rules))


def _as_sources(sources: Iterable[str] | None, *rulesets: Ruleset) -> tuple[str, ...] | None:
    if sources is None:
        return None
    wanted = tuple(sorted({sources} if isinstance(sources, str) else set(sources)))
    for s in wanted:
        if not any(s in rs.sources for rs in rulesets):
            raise ValueError(f"unknown source `{s}`")
    return wanted


# --- the decision table ----------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One row of a decision table: where it holds, its verdict and its deciding rules."""

    cells: tuple[Cell, ...]
    verdict: Verdict
    deciding_rules: tuple[str, ...]

    def matches(self, facts: Mapping[str, FactValue]) -> bool:
        """Whether a full scenario falls under this row."""
        return all(c.fact in facts and c.contains(facts[c.fact]) for c in self.cells)

    def cell(self, fact: str) -> Cell | None:
        """The row's cell for `fact` (None: any value)."""
        return next((c for c in self.cells if c.fact == fact), None)


@dataclass(frozen=True)
class Table:
    """The decision table of the fact space under (as_of, known_by, sources).

    Every full scenario matches at least one row, and every row it matches gives its verdict
    and deciding rules (rows of one verdict may overlap; rows of different verdicts never do).
    """

    ruleset: str
    facts: tuple[str, ...]  # the columns: facts some row constrains, in vocabulary order
    rows: tuple[Row, ...]
    as_of: date | None
    known_by: date | None
    sources: tuple[str, ...] | None
    complete: bool  # False: the exploration stopped early; rows cover only part of the space
    leaves: int  # boxes the exploration produced before compression
    left_out: int = 0  # scenarios of the grid left out as impossible (they break a constraint)

    def lookup(self, facts: Mapping[str, FactValue]) -> list[Row]:
        """The rows a full scenario matches."""
        return [r for r in self.rows if r.matches(facts)]


_VERDICT_ORDER = {v: i for i, v in enumerate(Verdict)}


@_collector_paused
def table(
    ruleset: Ruleset,
    as_of: date | None = None,
    known_by: date | None = None,
    sources: Iterable[str] | None = None,
) -> Table:
    """The decision table: the fewest rows greedy merging finds that keep every verdict right.

    CLI: `claimrules table RULESET [--as-of D] [--known-by D] [--source ID ...]
    [--format text|csv|markdown|json]`. Raises ValueError for an unknown source.
    """
    wanted = _as_sources(sources, ruleset)
    compiled = ruleset.compiled()
    space = _space(ruleset)
    ctx = build_context(compiled, as_of, known_by, wanted)
    leaves, complete = _explore(compiled, ctx.active, {})
    items = [(_leaf_box(leaf), (leaf.verdict, _ids(leaf.standing))) for leaf in leaves]
    impossible = impossible_boxes(ruleset, space.domains)
    if impossible:  # scenarios that break a constraint of the vocabulary are left out
        items = [(piece, label) for box, label in items
                 for piece in _without(box, impossible, space.domains)]
    # growing boxes assumes the items cover the whole space, which they do not once
    # impossible scenarios are left out: then only boxes that fit together are merged
    boxes = compress(items, space.domains, exact_cover=complete and not impossible)
    rows = [Row(space.cells(b), verdict, rules) for b, (verdict, rules) in boxes]
    rows.sort(key=lambda r: (_VERDICT_ORDER[r.verdict], r.deciding_rules, _row_key(r, space)))
    used = {c.fact for r in rows for c in r.cells}
    return Table(
        ruleset=ruleset.id,
        facts=tuple(f for f in ruleset.facts if f in used),
        rows=tuple(rows),
        as_of=as_of,
        known_by=known_by,
        sources=wanted,
        complete=complete,
        leaves=len(leaves),
        left_out=_points_in(impossible, space.domains),
    )


def impossible_boxes(ruleset: Ruleset, domains: Domains) -> list[Box]:
    """The regions of the grid where a constraint of the vocabulary is broken (one box per
    impossible combination of the facts the constraints name)."""
    constraints = ruleset.meta.constraints
    if not constraints:
        return []
    return [{f: frozenset([v]) for f, v in point.items()}
            for point in iter_impossible(domains, constraints, ruleset.facts)]


def _without(box: Box, holes: Sequence[Box], domains: Domains) -> list[Box]:
    """Disjoint boxes covering `box` less every hole."""
    pieces = [box]
    for hole in holes:
        pieces = [p for piece in pieces for p in _subtract(piece, hole, domains)]
    return pieces


def _points_in(boxes: Sequence[Box], domains: Domains) -> int:
    """How many full scenarios of the grid the (disjoint) boxes hold."""
    total = math.prod(len(v) for v in domains.values())
    return sum(_count(b, domains, total) for b in boxes)


def _row_key(row: Row, space: _Space) -> tuple[tuple[int, ...], ...]:
    """Rows ordered by their cells in vocabulary order, values in domain order."""
    return tuple(
        (space.order[c.fact], *(space.domains[c.fact].index(v) for v in c.values))
        for c in row.cells
    )


# --- lint --------------------------------------------------------------------------------------

_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True)
class Finding:
    """One lint finding: a stable code, a severity, a one-line message, where to look, and
    (for region findings) the region of the fact space it is about."""

    code: str
    severity: Severity
    message: str
    span: Span
    region: Region | None = None
    rules: tuple[str, ...] = ()
    help: str | None = None

    def sort_key(self) -> tuple[int, str, int, int, str, str]:
        """Errors first, then by file, position, code and message."""
        s = self.span
        return (_SEVERITY_ORDER[self.severity], s.file, s.line, s.col, self.code, self.message)

    def diagnostic(self) -> Diagnostic:
        """The same finding as a Diagnostic (for renderers shared with `check`)."""
        return Diagnostic(self.code, self.message, self.span, (), self.help, self.severity)


#: A lint box's label: its verdict (or `gap`), and its standing permits and prohibits.
_Label = tuple[str, tuple[str, ...], tuple[str, ...]]
_GAP: _Label = ("gap", (), ())


@dataclass
class _Sweep:
    """Leaves of every time slice, labelled, with what lint needs to know about them."""

    slices: list[TimeSlice]
    items: list[tuple[Box, _Label]] = field(default_factory=list)
    standing: set[str] = field(default_factory=set)
    complete: bool = True
    leaves: int = 0


def _sweep(ruleset: Ruleset, scope: Box) -> _Sweep:
    """Explore the rules in force in each time slice (once per distinct set of rules), and
    label each box by its verdict and standing permits and prohibits. Not-addressed boxes
    inside the policy's subject, in a slice where some rule is in force, are labelled `gap`.
    A box met in several slices is kept once, with the slices as the values of the `@as_of`
    pseudo-fact."""
    compiled = ruleset.compiled()
    sweep = _Sweep(time_slices(ruleset))
    cache: dict[tuple[int, ...], list[tuple[Box, _Label]]] = {}
    times: dict[tuple[_Frozen, _Label], tuple[Box, list[int]]] = {}
    for i, sl in enumerate(sweep.slices):
        ctx = build_context(compiled, sl.as_of, None, None)
        key = tuple(r.index for r in ctx.active)
        if key not in cache:
            raw, complete = _explore(compiled, ctx.active, {}, settle=False)
            leaves = settle_open(raw, ctx.active, {})
            sweep.complete &= complete
            sweep.leaves += len(leaves)
            # with no rule in force the slice lies outside the reported policy's lifetime:
            # nothing there is a gap in the reporting
            within = scope if ctx.active else None
            cache[key] = [item for leaf in leaves for item in _sweep_items(leaf, within, compiled)]
            # A rule stands somewhere if it does for some answer to what the reporting leaves
            # open (a rule with unreported terms never stands for certain).
            sweep.standing.update(r.id for leaf in raw for r in leaf.standing)
        for box, label in cache[key]:
            slot = times.setdefault((frozenset(box.items()), label), (box, []))
            slot[1].append(i)
    for (_, label), (box, indices) in times.items():
        sweep.items.append(({**box, TIME: frozenset(indices)}, label))
    return sweep


def _sweep_items(
    leaf: Leaf, scope: Box | None, compiled: CompiledRuleset
) -> Iterator[tuple[Box, _Label]]:
    box = _leaf_box(leaf)
    label: _Label = (
        leaf.verdict,
        _ids(r for r in leaf.standing if r.permit),
        _ids(r for r in leaf.standing if not r.permit),
    )
    if leaf.verdict is not Verdict.NOT_ADDRESSED or scope is None:
        yield box, label
        return
    inside = _intersect(box, scope)
    if inside is not None:
        yield inside, _GAP
    for piece in _subtract(box, scope, compiled.domains):
        yield piece, label


def subject_scope(ruleset: Ruleset) -> Box:
    """The policy's subject: for each fact that every rule tests at the top level of its
    condition (a test, or a test among the parts of a top-level `all`), the values some rule
    allows there. A fact not tested so by every rule is unconstrained."""
    compiled = ruleset.compiled()
    if not compiled.rules:
        return {}
    per_rule: list[dict[str, frozenset[FactValue]]] = []
    for r in compiled.rules:
        when = r.rule.when
        parts = when.all if isinstance(when, All) else [when]
        guard: dict[str, frozenset[FactValue]] = {}
        for p in parts:
            if not isinstance(p, Test):
                continue
            test = compile_condition(p, ruleset.facts)
            vals = frozenset(v for v in compiled.domains[p.fact] if test({p.fact: v}))
            guard[p.fact] = guard[p.fact] & vals if p.fact in guard else vals
        per_rule.append(guard)
    common = set(per_rule[0]).intersection(*per_rule[1:])
    scope: Box = {}
    for f in common:
        vals = frozenset().union(*(g[f] for g in per_rule))
        if len(vals) < len(compiled.domains[f]):
            scope[f] = vals
    return scope


def _satisfiable(compiled: CompiledRuleset, rules: Sequence[CompiledRule]) -> bool | None:
    """Whether some scenario makes every rule in `rules` apply (None: too large to tell)."""
    tests = tuple(r.test for r in rules)

    def both(facts: Mapping[str, FactValue]) -> bool | None:
        unknown = False
        for t in tests:
            v = t(facts)
            if v is False:
                return False
            if v is None:
                unknown = True
        return None if unknown else True

    first = rules[0]
    probe = CompiledRule(
        index=first.index, rule=first.rule, permit=True, test=both,
        reads=frozenset().union(*(r.reads for r in rules)), overrides=frozenset(),
        period=first.period, claims=(),
    )
    leaves, complete = _explore(compiled, (probe,), {}, settle=False)
    if any(leaf.standing for leaf in leaves):
        return True
    return False if complete else None


def _periods_meet(a: CompiledRule, b: CompiledRule) -> bool:
    lo = [d for d in (a.period.start, b.period.start) if d is not None]
    hi = [d for d in (a.period.until, b.period.until) if d is not None]
    return not lo or not hi or max(lo) <= min(hi)


def override_cycles(rules: Sequence[Rule]) -> list[tuple[str, ...]]:
    """Cycles of the `overrides` graph, each once, as rule ids starting at its smallest id
    (a rule overriding itself is a cycle of one)."""
    graph = {r.id: sorted(set(r.overrides)) for r in rules}
    out: list[tuple[str, ...]] = []
    seen: set[frozenset[str]] = set()
    state: dict[str, int] = {}  # 1 on the current path, 2 done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        path.append(node)
        for child in graph[node]:
            if child not in graph:
                continue
            if state.get(child) == 1:
                cycle = path[path.index(child):]
                key = frozenset(cycle)
                if key not in seen:
                    seen.add(key)
                    k = cycle.index(min(cycle))
                    out.append(tuple(cycle[k:] + cycle[:k]))
            elif not state.get(child):
                visit(child, path)
        path.pop()
        state[node] = 2

    for start in sorted(graph):
        if not state.get(start):
            visit(start, [])
    return out


@_collector_paused
def lint(ruleset: Ruleset) -> list[Finding]:
    """Whole-space findings over every valid time, sorted (errors first, then by location).

    Codes: `contested-region`, `not-addressed-region`, `dead-rule`, `shadowed-rule`,
    `unused-claim`, `speculative-rule`, `unused-fact`, `override-cycle`, `no-effect-override`,
    and `partial-analysis` when the space was too large to explore completely.

    CLI: `claimrules lint RULESET [--format text|json|markdown|csv|github]`; exit 1 when a
    finding of severity error or warning is present.
    """
    compiled = ruleset.compiled()
    found: list[Finding] = []
    found.extend(_claim_findings(ruleset))
    found.extend(_fact_findings(ruleset))
    found.extend(_speculative_findings(ruleset))
    for cycle in override_cycles(ruleset.rules):
        chain = " → ".join([*cycle, cycle[0]])
        found.append(Finding("override-cycle", Severity.ERROR, f"overrides form a cycle: {chain}",
                             ruleset.span("rule", cycle[0]), rules=cycle))
    dead: set[str] = set()
    for r in compiled.rules:
        if _satisfiable(compiled, [r]) is False:
            dead.add(r.id)
            found.append(Finding(
                "dead-rule", Severity.WARNING,
                f"rule `{r.id}` can never apply: no values of the facts satisfy its condition",
                ruleset.span("rule", r.id), rules=(r.id,),
            ))
    found.extend(_override_findings(ruleset, dead))
    scope = subject_scope(ruleset)
    sweep = _sweep(ruleset, scope)
    space = _space(ruleset)
    domains: dict[str, tuple[FactValue, ...]] = {
        **space.domains, TIME: tuple(range(len(sweep.slices)))
    }
    impossible = impossible_boxes(ruleset, space.domains)
    if impossible:  # scenarios that break a constraint are no region of the policy
        sweep.items = [(piece, label) for box, label in sweep.items
                       for piece in _without(box, impossible, domains)]
        found.append(Finding(
            "impossible-left-out", Severity.INFO,
            f"{_points_in(impossible, space.domains)} impossible scenarios of the grid left "
            "out: they break a constraint of the vocabulary",
            Span(_meta_file(ruleset)),
        ))
    groups = _region_groups(sweep, domains, exact=not impossible)
    found.extend(_region_findings(ruleset, groups, space, sweep.slices, scope))
    if sweep.complete:
        for r in compiled.rules:
            if r.id in sweep.standing or r.id in dead:
                continue
            by = sorted(o.id for o in compiled.rules if r.index in o.overrides)
            found.append(Finding(
                "shadowed-rule", Severity.WARNING,
                f"rule `{r.id}` is overridden wherever it applies, at every date"
                + (f" (by {', '.join(f'`{b}`' for b in by)})" if by else ""),
                ruleset.span("rule", r.id), rules=(r.id, *by),
            ))
    else:
        found.append(Finding(
            "partial-analysis", Severity.WARNING,
            f"the fact space is too large to explore completely ({sweep.leaves} boxes explored): "
            "regions are partial and shadowed rules are not checked",
            Span(_meta_file(ruleset)),
        ))
    return sorted(found, key=Finding.sort_key)


def _meta_file(ruleset: Ruleset) -> str:
    return f"{ruleset.root}/ruleset.yaml" if ruleset.root else "ruleset.yaml"


def _claim_findings(ruleset: Ruleset) -> Iterator[Finding]:
    cited = {
        c for r in ruleset.rules
        for c in (*r.because, *r.context, *((r.unreported_terms.claim,) if r.unreported_terms
                                            else ()))
    }
    for cid, rec in ruleset.claims.items():
        if cid in cited:
            continue
        kind = rec.claim.kind
        if kind is ClaimKind.PROVISION:
            yield Finding("unused-claim", Severity.WARNING,
                          f"provision claim `{cid}` is cited by no rule",
                          ruleset.span("claim", cid),
                          help="derive a rule from it, or say in its note why none follows")
        else:
            yield Finding("unused-claim", Severity.INFO,
                          f"{kind} claim `{cid}` is cited by no rule", ruleset.span("claim", cid))


def _fact_findings(ruleset: Ruleset) -> Iterator[Finding]:
    read = set().union(*(r.reads for r in ruleset.compiled().rules),
                       *(facts_named(c) for c in ruleset.meta.constraints))
    for name, fact in ruleset.facts.items():
        if name not in read and not fact.scenario_only:  # a fact that only describes the case
            yield Finding("unused-fact", Severity.WARNING, f"fact `{name}` is read by no rule",
                          ruleset.span("fact", name),
                          help="a scenario's value of it never changes a verdict")


def _speculative_findings(ruleset: Ruleset) -> Iterator[Finding]:
    """Rules citing, among their grounds, claims that can never ground them (a forecast, a
    speculation, an event, a denial, a refusal to comment). A rule resting *only* on such
    claims does not load (`check`'s `no-ground`); these only mislead a reader of the file."""
    for r in ruleset.rules:
        weak = [ruleset.claims[c].claim for c in r.because
                if not grounds(ruleset.claims[c].claim)]
        if weak:
            yield Finding(
                "speculative-rule", Severity.WARNING,
                f"rule `{r.id}` cites claims that cannot ground it: "
                + ", ".join(f"`{c.id}` ({c.kind}, {c.modality})" for c in weak),
                ruleset.span("rule", r.id), rules=(r.id,),
                help="list them under `context`: they are shown beside the rule, never "
                "counted as its ground",
            )


def _override_findings(ruleset: Ruleset, dead: set[str]) -> Iterator[Finding]:
    compiled = ruleset.compiled()
    for r in compiled.rules:
        for oid in r.rule.overrides:
            o = compiled.by_id.get(oid)
            if o is None or o.id == r.id:
                continue
            if o.effect is r.effect:
                msg = (f"`{r.id}` overrides `{o.id}`, which has the same effect ({r.effect}): "
                       "the override changes no verdict")
            elif r.id in dead or o.id in dead or not _periods_meet(r, o) or (
                _satisfiable(compiled, [r, o]) is False
            ):
                msg = f"`{r.id}` overrides `{o.id}`, but the two never apply together"
            else:
                continue
            yield Finding("no-effect-override", Severity.INFO, msg, ruleset.span("rule", r.id),
                          rules=(r.id, o.id))


def _region_groups(sweep: _Sweep, domains: Domains, *, exact: bool = True,
                   ) -> dict[tuple[str, ...], list[Box]]:
    """Compressed regions of each group: `("gap",)`, and each (permit, prohibit) pair of rules
    standing together in a contested box. Boxes grow only where the items cover the whole
    space (`exact`: no impossible scenario was left out)."""
    merged = _merge_disjoint(sweep.items, domains)
    boxes = [b for b, _ in merged]
    masks: dict[tuple[str, ...], int] = {}
    for i, (_, label) in enumerate(merged):
        keys: list[tuple[str, ...]] = []
        if label == _GAP:
            keys = [("gap",)]
        elif label[0] == Verdict.CONTESTED:
            keys = [(p, x) for p in label[1] for x in label[2]]
        for k in keys:
            masks[k] = masks.get(k, 0) | (1 << i)
    out: dict[tuple[str, ...], list[Box]] = {}
    index = _Index(boxes, domains) if sweep.complete and exact else None
    for key, mask in masks.items():
        if index is not None:
            out[key] = _cover(boxes, index, mask, domains)
        else:
            out[key] = [b for b, _ in _merge_disjoint(((boxes[i], 0) for i in _bits(mask)),
                                                      domains)]
    return out


def _timeless(box: Box) -> Box:
    return {f: v for f, v in box.items() if f != TIME}


def _brief(region: Region, scope: Box) -> str:
    """The region's text without the cells that only restate the policy's subject."""
    cells = [c for c in region.cells if frozenset(c.values) != scope.get(c.fact)]
    return ", ".join(str(c) for c in cells) if cells else "any case"


def _region_findings(
    ruleset: Ruleset,
    groups: Mapping[tuple[str, ...], list[Box]],
    space: _Space,
    slices: list[TimeSlice],
    scope: Box,
) -> Iterator[Finding]:
    compiled = ruleset.compiled()
    every = frozenset(range(len(slices)))
    acknowledged = ruleset.meta.disagreements

    def region_of(box: Box) -> Region:
        return Region(space.cells(box), _when(box.get(TIME, every), slices))  # type: ignore[arg-type]

    def newest(rule_id: str) -> tuple[date, bool]:
        r = compiled.by_id[rule_id]
        return (r.period.start or date.min, r.permit)

    for key in sorted(k for k in groups if k != ("gap",)):
        permit, prohibit = key
        at = max((permit, prohibit), key=newest)  # the rule whose arrival made the conflict
        for box in groups[key]:
            region = region_of(box)
            when = region.when
            msg = (f"contested where {_brief(region, scope)}: permit `{permit}` vs prohibit "
                   f"`{prohibit}`" + ("" if when is None or when.always else f" ({when})"))
            seen = next((d for d in acknowledged if set(key) <= set(d.rules)), None)
            if seen is not None:
                yield Finding("acknowledged-disagreement", Severity.INFO, msg,
                              ruleset.span("rule", at), region, key,
                              help="acknowledged: " + " ".join(seen.note.split()))
                continue
            yield Finding("contested-region", Severity.WARNING, msg, ruleset.span("rule", at),
                          region, key,
                          help="if the sources really disagree here, list the rules under "
                          "`disagreements` in ruleset.yaml with a note")
    gap_boxes = groups.get(("gap",), [])
    gaps = sorted(((_share(_timeless(b), space.domains), region_of(b)) for b in gap_boxes),
                  key=lambda x: (-x[0], str(x[1])))
    shown = gaps[:MAX_GAP_FINDINGS]
    subject = Region(space.cells(scope))
    for _, region in shown:
        when = region.when
        first = next((c.fact for c in region.cells if c.fact not in scope), None)
        first = first or next(iter(ruleset.facts), "")
        yield Finding(
            "not-addressed-region", Severity.INFO,
            f"no rule addresses {_brief(region, scope)}"
            + ("" if when is None or when.always else f" ({when})")
            + (f" within the policy's subject ({subject})" if scope else ""),
            ruleset.span("fact", first), region,
        )
    if len(gaps) > len(shown):
        yield Finding(
            "not-addressed-region", Severity.INFO,
            f"{len(gaps)} regions of the policy's subject are not addressed; "
            f"the {len(shown)} largest are listed",
            Span(_meta_file(ruleset)),
        )


# --- diff --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleChange:
    """A rule that entered or left the deciding set, with the claims it cites there."""

    rule: str
    effect: Effect
    claims: tuple[CitedClaim, ...]


@dataclass(frozen=True)
class Change:
    """A region whose verdict changed, old → new, and the rules behind the change."""

    region: Region
    before: Verdict
    after: Verdict
    entered: tuple[RuleChange, ...]
    left: tuple[RuleChange, ...]


@dataclass(frozen=True)
class Diff:
    """Verdict changes between two rulesets, or two dates of one."""

    ruleset_a: str
    ruleset_b: str
    as_of_a: date | None
    as_of_b: date | None
    known_by_a: date | None
    known_by_b: date | None
    sources: tuple[str, ...] | None
    changes: tuple[Change, ...]
    changed_cells: int  # points of the explored grid whose verdict changed
    total_cells: int  # possible points of the explored grid (enum × bool × number/date classes)
    complete: bool
    left_out: int = 0  # points of the grid left out as impossible (they break a constraint)


#: A changed box's label: verdict before and after, rules entering and leaving the deciding set.
_Shift = tuple[Verdict, Verdict, tuple[str, ...], tuple[str, ...]]


_ONE_VOCABULARY = "diff compares rulesets over one vocabulary"


def _vocabulary_problems(a: Ruleset, b: Ruleset) -> Iterator[Diagnostic]:
    for name in a.facts:
        if name not in b.facts:
            yield Diagnostic("diff-vocabulary", f"fact `{name}` is only in `{a.id}`",
                             a.span("fact", name), help=_ONE_VOCABULARY)
    for name, fb in b.facts.items():
        fa = a.facts.get(name)
        if fa is None:
            yield Diagnostic("diff-vocabulary", f"fact `{name}` is only in `{b.id}`",
                             b.span("fact", name), help=_ONE_VOCABULARY)
        elif fa.type is not fb.type:
            yield Diagnostic("diff-vocabulary",
                             f"fact `{name}` is {fa.type} in `{a.id}` but {fb.type} in `{b.id}`",
                             b.span("fact", name))
        elif set(fa.value_names()) != set(fb.value_names()):
            yield Diagnostic("diff-vocabulary",
                             f"fact `{name}` has different values in `{a.id}` and `{b.id}`",
                             b.span("fact", name),
                             help=_ONE_VOCABULARY)


@_collector_paused
def diff(
    ruleset_a: Ruleset,
    ruleset_b: Ruleset,
    *,
    as_of_a: date | None = None,
    as_of_b: date | None = None,
    known_by_a: date | None = None,
    known_by_b: date | None = None,
    sources: Iterable[str] | None = None,
) -> Diff:
    """Regions whose verdict changes from (A, as_of_a, known_by_a) to (B, as_of_b, known_by_b),
    with the rules entering and leaving the deciding set and the claims behind them.

    Pass one ruleset twice to compare two dates. Raises LoadError (code `diff-vocabulary`) when
    the vocabularies differ, ValueError for a source neither ruleset knows.

    CLI: `claimrules diff RULESET [RULESET_B] [--as-of D [--as-of D]] [--known-by D
    [--known-by D]] [--source ID ...] [--format text|json|markdown]` (a repeated option gives
    the old then the new value; a single one applies to both sides).
    """
    if ruleset_a is not ruleset_b:
        problems = list(_vocabulary_problems(ruleset_a, ruleset_b))
        if problems:
            raise LoadError(problems)
    wanted = _as_sources(sources, ruleset_a, ruleset_b)
    space = _space(ruleset_a) if ruleset_a is ruleset_b else _space(ruleset_a, ruleset_b)
    ca, cb = ruleset_a.compiled(), ruleset_b.compiled()
    joint = CompiledRuleset(ruleset_a, ca.rules, ca.by_id, space.domains, ca.fact_order)
    ctx_a = build_context(ca, as_of_a, known_by_a, wanted)
    ctx_b = build_context(cb, as_of_b, known_by_b, wanted)
    leaves_a, complete = _explore(joint, ctx_a.active, {})
    items: list[tuple[Box, _Shift | None]] = []
    changed_cells = 0
    total = math.prod(len(d) for d in space.domains.values())
    impossible = impossible_boxes(ruleset_b, space.domains)  # left out, and counted
    for la in leaves_a:
        base = dict(la.assigned)
        leaves_b, done = _explore(joint, ctx_b.active, base)
        complete &= done
        for lb in leaves_b:
            for box in _without(_leaf_box(lb, base), impossible, space.domains):
                _diff_item(items, box, la, lb)
                if la.verdict is not lb.verdict:
                    changed_cells += _count(box, space.domains, total)
    regions = compress(items, space.domains, exact_cover=complete and not impossible)
    changes = []
    for box, found in regions:
        if found is None:
            continue
        va, vb, came, went = found
        entered = tuple(_rule_change(cb, ctx_b.cited, r) for r in came)
        left = tuple(_rule_change(ca, ctx_a.cited, r) for r in went)
        changes.append(Change(Region(space.cells(box)), va, vb, entered, left))
    changes.sort(key=lambda c: (_VERDICT_ORDER[c.before], _VERDICT_ORDER[c.after],
                                [r.rule for r in c.entered], [r.rule for r in c.left],
                                str(c.region)))
    return Diff(
        ruleset_a=ruleset_a.id, ruleset_b=ruleset_b.id, as_of_a=as_of_a, as_of_b=as_of_b,
        known_by_a=known_by_a, known_by_b=known_by_b, sources=wanted, changes=tuple(changes),
        changed_cells=changed_cells, total_cells=total - _points_in(impossible, space.domains),
        complete=complete, left_out=_points_in(impossible, space.domains),
    )


def _diff_item(items: list[tuple[Box, _Shift | None]], box: Box, la: Leaf, lb: Leaf) -> None:
    """One box of the diff: unchanged (None) or its shift of verdict and deciding rules."""
    if la.verdict is lb.verdict:
        items.append((box, None))
        return
    sa, sb = set(_ids(la.standing)), set(_ids(lb.standing))
    items.append((box, (la.verdict, lb.verdict, tuple(sorted(sb - sa)), tuple(sorted(sa - sb)))))


def _rule_change(
    compiled: CompiledRuleset, cited: Mapping[int, tuple[CitedClaim, ...]], rule_id: str
) -> RuleChange:
    r = compiled.by_id[rule_id]
    return RuleChange(r.id, r.effect, cited.get(r.index, r.claims))


__all__ = [
    "TIME",
    "Cell",
    "Change",
    "Diff",
    "Finding",
    "Interval",
    "Region",
    "Row",
    "RuleChange",
    "Table",
    "TimeSlice",
    "When",
    "compress",
    "diff",
    "lint",
    "override_cycles",
    "show_value",
    "subject_scope",
    "table",
    "time_slices",
]
