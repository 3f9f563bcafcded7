"""The combining rule: which verdict a set of applicable rules gives, and which rules decide
it (DESIGN.md, the verdict table)."""

from __future__ import annotations

from collections.abc import Iterable

from claimrules.engine.compile import CompiledRule
from claimrules.engine.decision import Verdict


def combine(applicable: Iterable[CompiledRule]) -> tuple[Verdict, tuple[CompiledRule, ...]]:
    """The combining rule: the verdict of a set of applicable rules, and the rules deciding it.

    1. A rule is *overridden* when an applicable rule lists it in `overrides` (a labelled
       exception beats its base rule, as in Catala).
    2. Of the rules left standing: permits and prohibits both → `contested` (never broken by
       file order); only permits → `permitted`; only prohibits → `prohibited`.
    3. No applicable rule → `not_addressed`.
    """
    rules = tuple(applicable)
    if not rules:
        return Verdict.NOT_ADDRESSED, ()
    if len(rules) == 1:  # the common case once rules apply, the steps below in short
        if rules[0].index in rules[0].overrides:
            return Verdict.NOT_ADDRESSED, ()
        return (Verdict.PERMITTED if rules[0].permit else Verdict.PROHIBITED), rules
    overridden = {i for r in rules for i in r.overrides}
    standing = tuple(r for r in rules if r.index not in overridden) if overridden else rules
    permits = any(r.permit for r in standing)
    prohibits = any(not r.permit for r in standing)
    if permits and prohibits:
        return Verdict.CONTESTED, standing
    if permits:
        return Verdict.PERMITTED, standing
    if prohibits:
        return Verdict.PROHIBITED, standing
    return Verdict.NOT_ADDRESSED, ()
