"""The interview behind `claimrules ask`: which fact to ask next, if any."""

from __future__ import annotations

from datetime import date

from claimrules.engine.compile import CompiledRuleset, Facts
from claimrules.engine.decision import Verdict
from claimrules.engine.reading import decide_in, reading_of
from claimrules.engine.search import explore, settle_open


def next_question(
    compiled: CompiledRuleset,
    facts: Facts,
    *,
    as_of: date | None = None,
    known_by: date | None = None,
    sources: tuple[str, ...] | None = None,
    unknown: frozenset[str] = frozenset(),
    order: str = "decisive",
) -> str | None:
    """The next fact to ask that can still change the verdict, or None once the verdict is
    settled (or only facts answered "don't know", `unknown`, could change it).

    Only facts whose value alone can change the verdict are candidates. With `order`
    "decisive" the next is the one with the most values that settle the verdict outright (ties
    to the fact declared first); with "vocabulary" it is the first in the vocabulary's order,
    so the questions come in the same order whatever the answers.
    """
    reading = reading_of(compiled, as_of, known_by, sources, None)
    decision = reading.decide(dict(facts), False) or decide_in(reading, facts, False)
    candidates = [n for n in decision.missing_facts if n not in unknown]
    if decision.verdict is not Verdict.INDETERMINATE or not candidates:
        return None
    order_of = compiled.fact_order
    if order == "vocabulary":
        return min(candidates, key=order_of.__getitem__)
    active = reading.ctx.active
    found, _ = explore(compiled, active, facts)
    # What the reporting leaves open is never asked: a box it leaves open is indeterminate.
    leaves = settle_open(found, active, facts)

    def settled(name: str) -> int:
        count = 0
        for value in compiled.domains[name]:
            verdicts = {
                leaf.verdict for leaf in leaves if dict(leaf.assigned).get(name, value) == value
            }
            count += len(verdicts) == 1
        return count

    return min(candidates, key=lambda n: (-settled(n), order_of[n]))
