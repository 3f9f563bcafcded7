"""The interview behind `claimrules ask`: which fact to ask next, if any."""

from __future__ import annotations

from datetime import date

from claimrules.compile import CompiledRuleset, Facts
from claimrules.decision import Verdict
from claimrules.evaluator import build_context, decide, explore, settle_open


def next_question(
    compiled: CompiledRuleset,
    facts: Facts,
    *,
    as_of: date | None = None,
    known_by: date | None = None,
    sources: tuple[str, ...] | None = None,
) -> str | None:
    """The most decisive fact still able to change the verdict, or None once it is settled.

    Only facts whose value alone can change the verdict are candidates. The most decisive is
    the one with the most values that settle the verdict outright; ties go to the fact declared
    first in the vocabulary.
    """
    decision = decide(
        compiled, facts, as_of=as_of, known_by=known_by, sources=sources, explain=False
    )
    if decision.verdict is not Verdict.INDETERMINATE or not decision.missing_facts:
        return None
    ctx = build_context(compiled, as_of, known_by, sources)
    found, _ = explore(compiled, ctx.active, facts)
    # What the reporting leaves open is never asked: a box it leaves open is indeterminate.
    leaves = settle_open(found, ctx.active, facts)

    def settled(name: str) -> int:
        count = 0
        for value in compiled.domains[name]:
            verdicts = {
                leaf.verdict for leaf in leaves if dict(leaf.assigned).get(name, value) == value
            }
            count += len(verdicts) == 1
        return count

    order = compiled.fact_order
    return min(decision.missing_facts, key=lambda n: (-settled(n), order[n]))
