"""The fact space the analysis works over: typed regions (facts' cells, valid times), the
value classes of number and date facts, the time slices of valid time, and the boxes the
exploration's leaves and the vocabulary's constraints make.

Number and date facts are explored over representative values split at the rules' thresholds
(`compile.fact_domains`); a region states the ranges those representatives stand for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import cast

from claimrules.analysis.boxes import Box, Domains
from claimrules.engine.compile import (
    CompiledRule,
    compiled_ruleset,
    fact_domains,
    iter_tests,
    operand_value,
)
from claimrules.engine.constraints import iter_impossible
from claimrules.engine.search import Leaf
from claimrules.load.domain import FactType, FactValue
from claimrules.load.ruleset import Ruleset

#: The pseudo-fact that carries valid time in lint's regions (a name no fact can have).
TIME = "@as_of"


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
class FactSpace:
    """A fact space: domains in vocabulary order, and the range each representative stands for."""

    domains: dict[str, tuple[FactValue, ...]]
    ranges: dict[str, dict[FactValue, Interval]]
    order: dict[str, int]
    positions: dict[str, dict[FactValue, int]]  # each value's place in its fact's domain

    def cells(self, box: Box) -> tuple[Cell, ...]:
        """The box as a region's cells, in vocabulary order, values in domain order."""
        out = []
        for f in sorted((f for f in box if f != TIME), key=self.order.__getitem__):
            vals = tuple(sorted(box[f], key=self.positions[f].__getitem__))
            if f in self.ranges:
                out.append(Cell(f, vals, _merge_intervals([self.ranges[f][v] for v in vals])))
            else:
                out.append(Cell(f, vals))
        return tuple(out)


def fact_space(ruleset: Ruleset, *others: Ruleset) -> FactSpace:
    """The fact space of `ruleset` (with the thresholds of `others` too, for a diff)."""
    if others:
        merged = Ruleset(
            meta=ruleset.meta, facts=ruleset.facts, sources={}, claims={},
            rules=tuple(r for rs in (ruleset, *others) for r in rs.rules), cases=(),
        )
        domains = fact_domains(merged)
    else:
        domains = dict(compiled_ruleset(ruleset).domains)
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
    return FactSpace(
        domains, ranges, {n: i for i, n in enumerate(ruleset.facts)},
        {n: {v: i for i, v in enumerate(d)} for n, d in domains.items()},
    )


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
    for r in compiled_ruleset(ruleset).rules:
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


def when_of(indices: Iterable[int], slices: Sequence[TimeSlice]) -> When:
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


#: One shared one-value set per value (keyed with its type: `True == 1`), for `leaf_box`.
_SINGLES: dict[tuple[type, FactValue], frozenset[FactValue]] = {}


def leaf_box(leaf: Leaf, base: Mapping[str, FactValue] | None = None) -> Box:
    """The box a leaf of the exploration fixes (on top of `base`), one value per fact.

    The one-value sets are shared: fifty thousand leaves of forty facts would otherwise hold
    two million sets of one value each (400 MB)."""
    box: Box = {f: _single(v) for f, v in (base or {}).items()}
    for f, v in leaf.assigned:
        box[f] = _single(v)
    return box


def _single(value: FactValue) -> frozenset[FactValue]:
    key = (type(value), value)
    found = _SINGLES.get(key)
    if found is None:
        if len(_SINGLES) >= _MAX_SINGLES:
            _SINGLES.clear()
        found = _SINGLES[key] = frozenset([value])
    return found


#: Values `_single` keeps at most before it starts afresh (a bound on a module-level cache).
_MAX_SINGLES = 100_000


def rule_ids(rules: Iterable[CompiledRule]) -> tuple[str, ...]:
    """The ids of `rules`, sorted."""
    return tuple(sorted(r.id for r in rules))


def as_sources(sources: Iterable[str] | None, *rulesets: Ruleset) -> tuple[str, ...] | None:
    if sources is None:
        return None
    wanted = tuple(sorted({sources} if isinstance(sources, str) else set(sources)))
    for s in wanted:
        if not any(s in rs.sources for rs in rulesets):
            raise ValueError(f"unknown source `{s}`")
    return wanted


def impossible_boxes(ruleset: Ruleset, domains: Domains) -> list[Box]:
    """The regions of the grid where a constraint of the vocabulary is broken (one box per
    impossible combination of the facts the constraints name)."""
    constraints = ruleset.meta.constraints
    if not constraints:
        return []
    return [{f: frozenset([v]) for f, v in point.items()}
            for point in iter_impossible(domains, constraints, ruleset.facts)]
