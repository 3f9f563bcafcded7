"""Batch evaluation: the decisions of a stream of batch lines, in order, through
`evaluate_many` — one run for each stretch of lines that share a reading (`as_of`,
`known_by`, `sources`), so a batch is answered exactly as the Python API answers it.
Nothing here prints; the lines are read and resolved by `claimrules.load.batch`."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from claimrules.diagnostics import Diagnostic
from claimrules.engine.decision import Decision
from claimrules.engine.evaluator import evaluate_many
from claimrules.load.batch import BadLine, Item
from claimrules.load.ruleset import Ruleset

Reading = tuple[date | None, date | None, tuple[str, ...] | None]


@dataclass(frozen=True)
class Outcome:
    """One line's result: its decision, or the diagnostic that made the line bad."""

    number: int
    answer: Decision | Diagnostic


def evaluate_batch(
    ruleset: Ruleset,
    items: Iterable[Item | BadLine],
    *,
    as_of: date | None = None,
    known_by: date | None = None,
    explain: bool = False,
) -> Iterator[Outcome]:
    """The outcome of each resolved line, lazily and in order; `as_of` and `known_by` given
    here override a line's own. A bad line's outcome is its problem."""
    stream = _Stream(items, as_of, known_by)
    while stream.held is not None:
        held = stream.held
        if isinstance(held, BadLine):
            yield Outcome(held.number, held.problem)
            stream.advance()
            continue
        reading = stream.reading(held)
        numbers: deque[int] = deque()
        decisions = evaluate_many(ruleset, stream.stretch(reading, numbers), as_of=reading[0],
                                  known_by=reading[1], sources=reading[2], explain=explain)
        for decision in decisions:
            yield Outcome(numbers.popleft(), decision)


class _Stream:
    """The items of a batch with the next one held back, cut into stretches of one reading."""

    def __init__(self, items: Iterable[Item | BadLine], as_of: date | None,
                 known_by: date | None) -> None:
        self._items = iter(items)
        self._as_of, self._known_by = as_of, known_by
        self.held = next(self._items, None)

    def advance(self) -> None:
        """Hold the next item (None at the end)."""
        self.held = next(self._items, None)

    def reading(self, item: Item) -> Reading:
        """The reading an item is decided under: the batch's options, else the line's own."""
        s = item.scenario
        return self._as_of or s.as_of, self._known_by or s.known_by, s.sources

    def stretch(self, reading: Reading, numbers: deque[int]) -> Iterator[Mapping[str, object]]:
        """The facts of the held item and of those after it that share `reading`, each
        line's number appended to `numbers` as its facts are taken; stops at the first item
        that does not (left held)."""
        while isinstance(self.held, Item) and self.reading(self.held) == reading:
            numbers.append(self.held.number)
            yield self.held.scenario.facts
            self.advance()
