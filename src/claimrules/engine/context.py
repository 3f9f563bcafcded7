"""A reading of a ruleset: the rules in force under (as_of, known_by, sources, speakers), each
with the claims the reading may cite and the period it may show (see `Context`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from datetime import date
from typing import Any

from claimrules.engine.compile import (
    CompiledRule,
    CompiledRuleset,
    rule_period,
)
from claimrules.engine.decision import (
    CitedClaim,
    NotBySpeakers,
    NotInSources,
    NotYetReported,
    OutOfPeriod,
    Period,
    Reason,
    RuleOutcome,
)
from claimrules.load.domain import (
    grounds,
)
from claimrules.values import PlainValue, plain_value


@plain_value
class Context(PlainValue):
    """A reading: the rules in force under (as_of, known_by, sources, speakers), each with the
    claims this reading may cite, and the period it may show.

    `active` holds every rule that may apply: one whose period is unknown at `as_of` as its
    gated copy (its test reads `@period:ID`). `cited` holds, per active rule, its claims the
    reading keeps; `context` the context claims it keeps; `periods` the rule's period as far as
    the reading's claims give it; `withheld` the rules whose note draws on claims the reading
    leaves out.
    """

    active: tuple[CompiledRule, ...]
    cited: Mapping[int, tuple[CitedClaim, ...]]
    inactive: Mapping[int, Reason]
    excluded_undated: tuple[str, ...]
    active_ids: frozenset[int] | None = None  # None: every rule is active
    gated: Mapping[int, CompiledRule] = field(default_factory=dict)
    periods: Mapping[int, Period] = field(default_factory=dict)
    context: Mapping[int, tuple[CitedClaim, ...]] = field(default_factory=dict)
    kept: frozenset[str] | None = None  # ids of the claims the reading keeps (None: all)
    as_of: date | None = None
    # Rule outcomes already built under this context, shared between decisions.
    outcomes: dict[tuple[object, ...], RuleOutcome] = field(
        default_factory=dict, compare=False, repr=False
    )
    # What explanations under this context reuse beyond single outcomes (`explain.Layout`,
    # built on first use).
    layouts: list[Any] = field(default_factory=list, compare=False, repr=False)


#: The undated claims a `known_by` reading leaves out (they cannot be shown to have been
#: reported by then), collected while the reading is built.
_Undated = set[str]


def _keeps(
    claim: CitedClaim,
    wanted: frozenset[str] | None,
    speakers: frozenset[str] | None,
    known_by: date | None,
    undated: _Undated,
) -> bool:
    """Whether a reading keeps a claim: from a named source, said by a named speaker, and
    certainly reported by `known_by` (an undated claim only when its source's bounds show it)."""
    if wanted is not None and claim.source not in wanted:
        return False
    if speakers is not None and claim.speaker.casefold() not in speakers:
        return False
    if known_by is not None:
        if claim.latest is not None and claim.latest <= known_by:
            return True
        if claim.earliest is None or claim.earliest <= known_by:
            undated.add(claim.id)  # maybe reported by then, but not shown to be
        return False
    return True


def build_context(
    compiled: CompiledRuleset,
    as_of: date | None,
    known_by: date | None,
    sources: tuple[str, ...] | None,
    speakers: tuple[str, ...] | None = None,
) -> Context:
    """The reading under valid time, knowledge time, sources and speakers (see Context).

    A rule counts when the reading keeps at least one of its grounding claims (a provision,
    not speculative). Its period comes from what the reading keeps (`compile.rule_period`);
    at `as_of` it is in force, not in force, or unknown — and an unknown period gates the rule
    on `@period:ID`, so the verdict is determinate only if it holds either way.
    """
    key = (as_of, known_by, sources, speakers)
    cache = compiled.contexts
    known: Context | None = cache.get(key)
    if known is not None:
        return known
    active: list[CompiledRule] = []
    cited: dict[int, tuple[CitedClaim, ...]] = {}
    inactive: dict[int, Reason] = {}
    gated: dict[int, CompiledRule] = {}
    periods: dict[int, Period] = {}
    context: dict[int, tuple[CitedClaim, ...]] = {}
    undated: _Undated = set()
    wanted = frozenset(sources) if sources is not None else None
    said_by = frozenset(s.casefold() for s in speakers) if speakers is not None else None
    filtered = wanted is not None or said_by is not None or known_by is not None
    everything = compiled.ruleset.claims
    kept_ids: frozenset[str] | None = None
    if filtered:
        kept_ids = frozenset(
            cid for cid, rec in everything.items()
            if _keeps(compiled.citation(cid), wanted, said_by, known_by, undated)
        )
    for rule in compiled.rules:
        claims = rule.claims
        if kept_ids is not None:
            claims = tuple(c for c in claims if c.id in kept_ids)
        if not any(grounds(c) for c in claims):
            inactive[rule.index] = _why_inactive(rule, wanted, said_by, known_by)
            continue
        period = rule.period if kept_ids is None else rule_period(
            rule.rule, everything, kept_ids
        )
        periods[rule.index] = period
        if as_of is not None:
            state = period.in_force(as_of)
            if state is False:
                inactive[rule.index] = OutOfPeriod(as_of, period.start, period.until)
                continue
            if state is None:
                gated[rule.index] = rule.gated()
        active.append(gated.get(rule.index, rule))
        cited[rule.index] = claims
        context[rule.index] = (
            rule.context if kept_ids is None
            else tuple(c for c in rule.context if c.id in kept_ids)
        )
    ids = frozenset(cited) if inactive else None
    relevant = {c.id for r in compiled.rules for c in (*r.claims, *r.context)}
    ctx = Context(
        tuple(active), cited, inactive, tuple(sorted(undated & relevant)), ids, gated, periods,
        context, kept_ids, as_of,
    )
    if len(cache) < 256:
        cache[key] = ctx
    return ctx


def _why_inactive(
    rule: CompiledRule,
    wanted: frozenset[str] | None,
    speakers: frozenset[str] | None,
    known_by: date | None,
) -> Reason:
    """Why a reading keeps none of a rule's grounding claims: the first filter that left
    none."""
    claims = [c for c in rule.claims if grounds(c)]
    if wanted is not None:
        claims = [c for c in claims if c.source in wanted]
        if not claims:
            return NotInSources(tuple(sorted(wanted)))
    if speakers is not None:
        claims = [c for c in claims if c.speaker.casefold() in speakers]
        if not claims:
            return NotBySpeakers(tuple(sorted(speakers)))
    dates = [c.reported_on for c in claims if c.reported_on is not None]
    return NotYetReported(known_by or date.min, min(dates) if dates else None)
