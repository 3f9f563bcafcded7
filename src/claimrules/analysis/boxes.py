"""Boxes of the fact space and their exact compression.

A box maps some facts to the values it allows (a fact it leaves out may take any value). The
exploration gives *leaves* — boxes, each with one label — and `compress` turns them into fewer,
larger boxes:

1. an exact disjoint merge: two boxes with the same label that differ in one fact only become
   one box with the union of that fact's values (the fact is dropped once every value is in);
2. when the exploration was complete, an expansion (as in ESPRESSO's expand/irredundant
   steps): each box grows while it meets no box of another label, and boxes covered by the
   union of other boxes of their label are dropped.

Both steps are exact: the rows of one label cover exactly the leaves of that label (rows of one
label may overlap each other; rows of different labels never do).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from claimrules.load.domain import FactValue

L = TypeVar("L", bound=Hashable)

Box = dict[str, frozenset[FactValue]]
Frozen = frozenset[tuple[str, frozenset[FactValue]]]  # a box in hashable form

#: Pieces a redundancy check may split a box into before it gives up (and keeps the box).
_MAX_PIECES = 2_000

#: Work `merge_disjoint` may do in one call (or one shared `Budget`): a box of k facts costs
#: k². Two million is 80,000 boxes of five facts, or 1,250 of forty.
MAX_MERGE_WORK = 2_000_000

#: Values `cover` tries to add to one cell of a growing box, at most (see `_trial_values`).
MAX_VALUE_TRIALS = 16

#: Masks with at most this many bits set have them taken off one by one (see `bits`).
_FEW_BITS = 32

#: Facts with at most this many values have every value tried, as a box grows.
_SMALL_DOMAIN = 16



# --- boxes and their compression ---------------------------------------------------------------

Domains = Mapping[str, tuple[FactValue, ...]]


class BoxIndex:
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


def bits(mask: int) -> Iterator[int]:
    """The positions of the set bits of `mask`, lowest first.

    Isolating the lowest bit of a long int costs as much as the int is long: a few bits are
    taken off one by one, many are read off the binary digits in one pass (taking thousands
    off one by one would cost their number times the length, quadratic in the boxes).
    """
    if mask.bit_count() <= _FEW_BITS:
        while mask:
            low = mask & -mask
            yield low.bit_length() - 1
            mask ^= low
        return
    digits = bin(mask)[:1:-1]  # bit i at position i
    i = digits.find("1")
    while i >= 0:
        yield i
        i = digits.find("1", i + 1)


def share(box: Box, domains: Domains) -> float:
    """The share of the space a box covers (for ordering boxes by size)."""
    return math.prod(len(vals) / len(domains[f]) for f, vals in box.items())


def count_points(box: Box, domains: Domains, total: int) -> int:
    """How many points of the space (of `total` points) a box covers."""
    return total // math.prod(len(domains[f]) for f in box) * math.prod(map(len, box.values()))


def meets(a: Box, b: Box) -> bool:
    return all(f not in b or bool(vals & b[f]) for f, vals in a.items())


def within(inner: Box, outer: Box) -> bool:
    return all(f in inner and inner[f] <= vals for f, vals in outer.items())


def subtract(p: Box, q: Box, domains: Domains) -> list[Box]:
    """Disjoint boxes covering p minus q."""
    if not meets(p, q):
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


def intersect(a: Box, b: Box) -> Box | None:
    out = dict(a)
    for f, vals in b.items():
        both = out[f] & vals if f in out else vals
        if not both:
            return None
        out[f] = both
    return out


def _normal(box: Box, domains: Domains) -> Box:
    return {f: v for f, v in box.items() if len(v) < len(domains[f])}


@dataclass
class Budget:
    """Work an analysis may still do, in units its callers count (see `MAX_MERGE_WORK`)."""

    left: int
    spent_out: bool = False  # set once some work was refused

    def spend(self, units: int) -> bool:
        """Take `units` off the budget, or refuse (and say so) when fewer are left."""
        if units > self.left:
            self.spent_out = True
            return False
        self.left -= units
        return True


def merge_disjoint(
    items: Iterable[tuple[Box, L]], domains: Domains, budget: Budget | None = None
) -> list[tuple[Box, L]]:
    """Merge boxes of one label that differ in one fact only (exact: the union of two boxes
    equal outside one fact is the box with the union of that fact's values).

    Each box sits, for each fact it constrains, in a bucket keyed by (label, fact, the rest of
    the box); a bucket holding two boxes is a merge to make. A worklist of such buckets runs
    until none is left, so the cost follows the boxes made, not passes over every fact.

    A box of k facts costs k² units of `budget` (its k keys of k - 1 facts each; a fresh
    budget of `MAX_MERGE_WORK` when none is given): once it is spent, boxes are kept as they
    are, unmerged. The result stays exact, only less compressed, and time and memory stay
    bounded however wide the boxes (rules that all read the same 40 facts).
    """
    if budget is None:
        budget = Budget(MAX_MERGE_WORK)
    boxes: dict[int, tuple[Box, L, Frozen]] = {}
    buckets: dict[tuple[L, str, Frozen], dict[int, None]] = {}
    seen: set[tuple[Frozen, L]] = set()
    work: list[tuple[L, str, Frozen]] = []
    counter = iter(range(1 << 62))

    def add(box: Box, label: L) -> None:
        whole = frozenset(box.items())
        if (whole, label) in seen:
            return
        seen.add((whole, label))
        i = next(counter)
        boxes[i] = (box, label, whole)
        if not budget.spend(len(box) ** 2):
            return  # kept, never merged: it sits in no bucket
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


def cover(ref: Sequence[Box], index: BoxIndex, allowed: int, domains: Domains) -> list[Box]:
    """Few boxes covering exactly the union of the `ref` boxes in the `allowed` mask.

    Each allowed box grows (whole facts dropped first, then single values added) while it meets
    no box outside the mask; then boxes covered by the union of the others are dropped. `ref`
    must partition the whole space (a complete exploration): a box meeting no box outside the
    mask then lies inside the union of the boxes in it.
    """
    forbidden = index.all & ~allowed
    order = sorted(bits(allowed), key=lambda i: -share(ref[i], domains))
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
            rest = _and_except(masks, f, index.all)
            others = forbidden & rest
            if others & masks[f]:
                continue  # cand meets a box outside the mask already: nothing may be added
            for v in _trial_values(ref, allowed & rest, f, cand[f], domains[f]):
                trial = index.value_mask(f, v)
                if not others & trial:
                    cand[f] = cand[f] | {v}
                    masks[f] |= trial
            if len(cand[f]) == len(domains[f]):
                del cand[f]
                del masks[f]
        inside = allowed
        for mask in masks.values():
            inside &= mask
        for j in bits(inside):
            if within(ref[j], cand):
                covered |= 1 << j
        grown.append(cand)
    return _irredundant(grown, domains) if len(grown) > 1 else grown


def _trial_values(
    ref: Sequence[Box], meeting: int, fact: str, have: frozenset[FactValue],
    domain: Sequence[FactValue],
) -> list[FactValue]:
    """The values `cover` tries to add to a box's cell of `fact` (the box holds `have`).

    A value can only be added when the boxes in the mask cover the slab it adds, so some box
    in the mask that meets the rest of the box (`meeting`) admits it: only those values are
    tried. (Trying every value of a fact with thousands — a `policy` switch — would cost as
    much as the fact has values for every box.) Past `MAX_VALUE_TRIALS` candidates the rest
    are not tried: the box then grows less, and the cover stays exact.
    """
    if len(domain) <= _SMALL_DOMAIN:
        return [v for v in domain if v not in have]
    found: set[FactValue] = set()
    for j in bits(meeting):
        vals = ref[j].get(fact)
        if vals is None:  # a box free in the fact supports every value
            return [v for v in domain if v not in have][:MAX_VALUE_TRIALS]
        found.update(vals - have)
        if len(found) > MAX_VALUE_TRIALS:
            break
    if not found:
        return []
    return [v for v in domain if v in found][:MAX_VALUE_TRIALS]


def _and_except(masks: Mapping[str, int], skip: str, start: int) -> int:
    out = start
    for f, m in masks.items():
        if f != skip:
            out &= m
    return out


def _irredundant(boxes: list[Box], domains: Domains) -> list[Box]:
    """Drop boxes covered by the union of the other kept boxes."""
    index = BoxIndex(boxes, domains)
    keep = index.all
    for i in sorted(range(len(boxes)), key=lambda i: share(boxes[i], domains)):
        others = index.meeting(boxes[i]) & keep & ~(1 << i)
        if others and _covered(boxes[i], [boxes[j] for j in bits(others)], domains):
            keep &= ~(1 << i)
    return [boxes[i] for i in bits(keep)]


def _covered(box: Box, covers: list[Box], domains: Domains) -> bool:
    pieces = [box]
    for c in covers:
        pieces = [q for p in pieces for q in subtract(p, c, domains)]
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
    merged = merge_disjoint(items, domains)
    if not exact_cover or not merged:
        return merged
    boxes = [b for b, _ in merged]
    index = BoxIndex(boxes, domains)
    return [(b, label) for label, mask in _masks(merged).items()
            for b in cover(boxes, index, mask, domains)]


def _masks(items: Iterable[tuple[Box, L]]) -> dict[L, int]:
    out: dict[L, int] = {}
    for i, (_, label) in enumerate(items):
        out[label] = out.get(label, 0) | (1 << i)
    return out


def without(box: Box, holes: Sequence[Box], domains: Domains) -> list[Box]:
    """Disjoint boxes covering `box` less every hole."""
    pieces = [box]
    for hole in holes:
        pieces = [p for piece in pieces for p in subtract(piece, hole, domains)]
    return pieces


def points_in(boxes: Sequence[Box], domains: Domains) -> int:
    """How many full scenarios of the grid the (disjoint) boxes hold."""
    total = math.prod(len(v) for v in domains.values())
    return sum(count_points(b, domains, total) for b in boxes)
