"""Verdict changes between two rulesets, or two dates of one, region by region."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from claimrules.analysis.boxes import (
    Box,
    compress,
    count_points,
    points_in,
    without,
)
from claimrules.analysis.space import (
    Region,
    as_sources,
    fact_space,
    impossible_boxes,
    leaf_box,
    rule_ids,
)
from claimrules.analysis.table import VERDICT_ORDER
from claimrules.collector import paused
from claimrules.diagnostics import Diagnostic, LoadError
from claimrules.engine.compile import CompiledRuleset, compiled_ruleset
from claimrules.engine.context import build_context
from claimrules.engine.decision import CitedClaim, Verdict
from claimrules.engine.search import Leaf, explore
from claimrules.load.domain import Effect
from claimrules.load.ruleset import Ruleset


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


@paused()  # hundreds of thousands of small acyclic boxes (see claimrules.collector)
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
    wanted = as_sources(sources, ruleset_a, ruleset_b)
    space = fact_space(ruleset_a) if ruleset_a is ruleset_b else fact_space(ruleset_a, ruleset_b)
    ca, cb = compiled_ruleset(ruleset_a), compiled_ruleset(ruleset_b)
    joint = CompiledRuleset(ruleset_a, ca.rules, ca.by_id, space.domains, ca.fact_order)
    ctx_a = build_context(ca, as_of_a, known_by_a, wanted)
    ctx_b = build_context(cb, as_of_b, known_by_b, wanted)
    leaves_a, complete = explore(joint, ctx_a.active, {}, settle=True)
    items: list[tuple[Box, _Shift | None]] = []
    changed_cells = 0
    total = math.prod(len(d) for d in space.domains.values())
    impossible = impossible_boxes(ruleset_b, space.domains)  # left out, and counted
    for la in leaves_a:
        base = dict(la.assigned)
        leaves_b, done = explore(joint, ctx_b.active, base, settle=True)
        complete &= done
        for lb in leaves_b:
            for box in without(leaf_box(lb, base), impossible, space.domains):
                _diff_item(items, box, la, lb)
                if la.verdict is not lb.verdict:
                    changed_cells += count_points(box, space.domains, total)
    regions = compress(items, space.domains, exact_cover=complete and not impossible)
    changes = []
    for box, found in regions:
        if found is None:
            continue
        va, vb, came, went = found
        entered = tuple(_rule_change(cb, ctx_b.cited, r) for r in came)
        left = tuple(_rule_change(ca, ctx_a.cited, r) for r in went)
        changes.append(Change(Region(space.cells(box)), va, vb, entered, left))
    changes.sort(key=lambda c: (VERDICT_ORDER[c.before], VERDICT_ORDER[c.after],
                                [r.rule for r in c.entered], [r.rule for r in c.left],
                                str(c.region)))
    return Diff(
        ruleset_a=ruleset_a.id, ruleset_b=ruleset_b.id, as_of_a=as_of_a, as_of_b=as_of_b,
        known_by_a=known_by_a, known_by_b=known_by_b, sources=wanted, changes=tuple(changes),
        changed_cells=changed_cells, total_cells=total - points_in(impossible, space.domains),
        complete=complete, left_out=points_in(impossible, space.domains),
    )


def _diff_item(items: list[tuple[Box, _Shift | None]], box: Box, la: Leaf, lb: Leaf) -> None:
    """One box of the diff: unchanged (None) or its shift of verdict and deciding rules."""
    if la.verdict is lb.verdict:
        items.append((box, None))
        return
    sa, sb = set(rule_ids(la.standing)), set(rule_ids(lb.standing))
    items.append((box, (la.verdict, lb.verdict, tuple(sorted(sb - sa)), tuple(sorted(sa - sb)))))


def _rule_change(
    compiled: CompiledRuleset, cited: Mapping[int, tuple[CitedClaim, ...]], rule_id: str
) -> RuleChange:
    r = compiled.by_id[rule_id]
    return RuleChange(r.id, r.effect, cited.get(r.index, r.claims))
