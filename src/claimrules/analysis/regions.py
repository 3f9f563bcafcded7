"""Region findings: where permit and prohibit rules both stand (contested regions) and which
parts of the policy's subject no rule addresses (gaps), over every stretch of valid time."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date

from claimrules.analysis.boxes import (
    MAX_MERGE_WORK,
    Box,
    BoxIndex,
    Budget,
    Domains,
    Frozen,
    cover,
    intersect,
    merge_disjoint,
    share,
    subtract,
)
from claimrules.analysis.findings import Finding, meta_file
from claimrules.analysis.space import (
    TIME,
    FactSpace,
    Region,
    TimeSlice,
    leaf_box,
    rule_ids,
    time_slices,
    when_of,
)
from claimrules.diagnostics import Severity, Span
from claimrules.engine.compile import CompiledRuleset, compile_condition, compiled_ruleset
from claimrules.engine.decision import Verdict
from claimrules.engine.reading import reading_of
from claimrules.engine.search import Leaf, guard, settle_open
from claimrules.load.domain import All, FactValue, Test
from claimrules.load.ruleset import Ruleset

#: (box, group) memberships `region_groups` takes at most, plus `REGION_MEMBERS_PER_RULE` for
#: each rule: a box where p permits and q prohibits stand belongs to p × q groups, and rules
#: that all read the same facts stand together often (each membership becomes a finding).
MAX_REGION_MEMBERS = 2_000
REGION_MEMBERS_PER_RULE = 4

#: Regions of the policy's subject that no rule addresses, listed one by one at most.
MAX_GAP_FINDINGS = 10


#: A lint box's label: its verdict (or `gap`), and its standing permits and prohibits.
_Label = tuple[str, tuple[str, ...], tuple[str, ...]]
_GAP: _Label = ("gap", (), ())


@dataclass
class Sweep:
    """Leaves of every time slice, labelled, with what lint needs to know about them."""

    slices: list[TimeSlice]
    items: list[tuple[Box, _Label]] = field(default_factory=list)
    standing: set[str] = field(default_factory=set)
    complete: bool = True
    leaves: int = 0


def sweep_slices(ruleset: Ruleset, scope: Box) -> Sweep:
    """Explore the rules in force in each time slice (once per distinct set of rules), and
    label each box by its verdict and standing permits and prohibits. Not-addressed boxes
    inside the policy's subject, in a slice where some rule is in force, are labelled `gap`.
    A box met in several slices is kept once, with the slices as the values of the `@as_of`
    pseudo-fact."""
    compiled = compiled_ruleset(ruleset)
    sweep = Sweep(time_slices(ruleset))
    cache: dict[tuple[int, ...], list[tuple[Box, _Label]]] = {}
    times: dict[tuple[Frozen, _Label], tuple[Box, list[int]]] = {}
    for i, sl in enumerate(sweep.slices):
        reading = reading_of(compiled, sl.as_of, None, None, None)
        ctx = reading.ctx
        key = tuple(r.index for r in ctx.active)
        if key not in cache:
            raw, complete = reading.leaves()  # the one search, shared with the reading
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
    box = leaf_box(leaf)
    label: _Label = (
        leaf.verdict,
        rule_ids(r for r in leaf.standing if r.permit),
        rule_ids(r for r in leaf.standing if not r.permit),
    )
    if leaf.verdict is not Verdict.NOT_ADDRESSED or scope is None:
        yield box, label
        return
    inside = intersect(box, scope)
    if inside is not None:
        yield inside, _GAP
    for piece in subtract(box, scope, compiled.domains):
        yield piece, label


def subject_scope(ruleset: Ruleset) -> Box:
    """The policy's subject: for each fact that every rule tests at the top level of its
    condition (a test, or a test among the parts of a top-level `all`), the values some rule
    allows there. A fact not tested so by every rule is unconstrained."""
    compiled = compiled_ruleset(ruleset)
    if not compiled.rules:
        return {}
    whole: dict[str, frozenset[FactValue]] = {}  # each fact's values, as a set
    per_rule: list[dict[str, frozenset[FactValue]]] = []
    for r in compiled.rules:
        when = r.rule.when
        parts = when.all if isinstance(when, All) else [when]
        admitted = guard(compiled, r)  # the enum and bool `is`/`in` tests, read off
        found: dict[str, frozenset[FactValue]] = {}
        for p in parts:
            if not isinstance(p, Test):
                continue
            if p.fact in admitted and p.operator in ("is", "in"):
                if p.fact not in whole:
                    whole[p.fact] = frozenset(compiled.domains[p.fact])
                vals = admitted[p.fact] & whole[p.fact]
            else:
                test = compile_condition(p, ruleset.facts)
                vals = frozenset(v for v in compiled.domains[p.fact] if test({p.fact: v}))
            found[p.fact] = found[p.fact] & vals if p.fact in found else vals
        per_rule.append(found)
    common = set(per_rule[0]).intersection(*per_rule[1:])
    scope: Box = {}
    for f in common:
        vals = frozenset().union(*(g[f] for g in per_rule))
        if len(vals) < len(compiled.domains[f]):
            scope[f] = vals
    return scope


@dataclass
class Groups:
    """Compressed regions of each group (see `region_groups`), and whether a bound cut the
    work short: then some regions are missing (`dropped`) or left less merged."""

    boxes: dict[tuple[str, ...], list[Box]]
    dropped: int = 0  # (box, group) memberships past MAX_REGION_MEMBERS, not analysed
    cut: bool = False  # the merge budget ran out: regions are exact but less merged


def region_groups(
    sweep: Sweep, domains: Domains, *, exact: bool = True, rules: int = 0
) -> Groups:
    """Compressed regions of each group: `("gap",)`, and each (permit, prohibit) pair of rules
    standing together in a contested box. Boxes grow only where the items cover the whole
    space (`exact`: no impossible scenario was left out).

    Bounded: a contested box with p permits and q prohibits standing belongs to p × q groups,
    so at most `member_bound(rules)` memberships are taken (in box order), and merging shares
    one `Budget` of `MAX_MERGE_WORK`."""
    bound = member_bound(rules)
    budget = Budget(MAX_MERGE_WORK)
    merged = merge_disjoint(sweep.items, domains, budget)
    boxes = [b for b, _ in merged]
    members: dict[tuple[str, ...], list[int]] = {}
    taken = dropped = 0
    for i, (_, label) in enumerate(merged):
        keys: list[tuple[str, ...]] = []
        if label == _GAP:
            keys = [("gap",)]
        elif label[0] == Verdict.CONTESTED:
            keys = [(p, x) for p in label[1] for x in label[2]]
        if taken + len(keys) > bound:
            dropped += len(keys)
            continue
        taken += len(keys)
        for k in keys:
            members.setdefault(k, []).append(i)
    out: dict[tuple[str, ...], list[Box]] = {}
    index = BoxIndex(boxes, domains) if sweep.complete and exact else None
    for key, listed in members.items():
        if index is not None:
            out[key] = cover(boxes, index, _mask(listed), domains)
        else:
            out[key] = [b for b, _ in merge_disjoint(((boxes[i], 0) for i in listed),
                                                      domains, budget)]
    return Groups(out, dropped, budget.spent_out)


def member_bound(rules: int) -> int:
    """The (box, group) memberships `region_groups` takes at most for `rules` rules."""
    return MAX_REGION_MEMBERS + REGION_MEMBERS_PER_RULE * rules


def _mask(indices: list[int]) -> int:
    """The bitmask of `indices` (ascending), built in one pass rather than one long-int
    operation per index."""
    raw = bytearray(indices[-1] // 8 + 1)
    for i in indices:
        raw[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(raw, "little")


def _timeless(box: Box) -> Box:
    return {f: v for f, v in box.items() if f != TIME}


def _brief(region: Region, scope: Box) -> str:
    """The region's text without the cells that only restate the policy's subject."""
    cells = [c for c in region.cells if frozenset(c.values) != scope.get(c.fact)]
    return ", ".join(str(c) for c in cells) if cells else "any case"


def region_findings(
    ruleset: Ruleset,
    groups: Mapping[tuple[str, ...], list[Box]],
    space: FactSpace,
    slices: list[TimeSlice],
    scope: Box,
) -> Iterator[Finding]:
    compiled = compiled_ruleset(ruleset)
    every = frozenset(range(len(slices)))
    acknowledged = ruleset.meta.disagreements

    def region_of(box: Box) -> Region:
        return Region(space.cells(box), when_of(box.get(TIME, every), slices))  # type: ignore[arg-type]

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
    gaps = sorted(((share(_timeless(b), space.domains), region_of(b)) for b in gap_boxes),
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
            Span(meta_file(ruleset)),
        )
