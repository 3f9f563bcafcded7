"""The decision table: the fewest rows greedy merging finds that keep every verdict right."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from claimrules.analysis.boxes import compress, points_in, without
from claimrules.analysis.space import (
    Cell,
    FactSpace,
    as_sources,
    fact_space,
    impossible_boxes,
    leaf_box,
    rule_ids,
)
from claimrules.collector import paused
from claimrules.engine.compile import compiled_ruleset
from claimrules.engine.decision import Verdict
from claimrules.engine.reading import reading_of
from claimrules.engine.search import settle_open
from claimrules.load.domain import FactValue
from claimrules.load.ruleset import Ruleset


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


VERDICT_ORDER = {v: i for i, v in enumerate(Verdict)}


@paused()  # hundreds of thousands of small acyclic boxes (see claimrules.collector)
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
    wanted = as_sources(sources, ruleset)
    compiled = compiled_ruleset(ruleset)
    space = fact_space(ruleset)
    reading = reading_of(compiled, as_of, known_by, wanted, None)
    raw, complete = reading.leaves()  # the one search, shared with the compiled reading
    leaves = settle_open(raw, reading.ctx.active, {})
    items = [(leaf_box(leaf), (leaf.verdict, rule_ids(leaf.standing))) for leaf in leaves]
    impossible = impossible_boxes(ruleset, space.domains)
    if impossible:  # scenarios that break a constraint of the vocabulary are left out
        items = [(piece, label) for box, label in items
                 for piece in without(box, impossible, space.domains)]
    # growing boxes assumes the items cover the whole space, which they do not once
    # impossible scenarios are left out: then only boxes that fit together are merged
    boxes = compress(items, space.domains, exact_cover=complete and not impossible)
    rows = [Row(space.cells(b), verdict, rules) for b, (verdict, rules) in boxes]
    rows.sort(key=lambda r: (VERDICT_ORDER[r.verdict], r.deciding_rules, _row_key(r, space)))
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
        left_out=points_in(impossible, space.domains),
    )


def _row_key(row: Row, space: FactSpace) -> tuple[tuple[int, ...], ...]:
    """Rows ordered by their cells in vocabulary order, values in domain order."""
    return tuple(
        (space.order[c.fact], *(space.positions[c.fact][v] for v in c.values))
        for c in row.cells
    )
