"""The timeline of a ruleset: claims in date order grouped by source, undated claims apart, and
each rule's effective period (stated, or derived from its earliest dated claim)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from claimrules.engine.compile import cite, compiled_ruleset
from claimrules.engine.decision import CitedClaim, Period
from claimrules.load.domain import Effect
from claimrules.load.ruleset import Ruleset


@dataclass(frozen=True)
class TimelineClaim:
    """A claim on the timeline, the period it states itself (if any), and the rules citing it."""

    claim: CitedClaim
    effective_from: date | None
    effective_until: date | None
    states_period: bool
    rules: tuple[str, ...]


@dataclass(frozen=True)
class SourceDay:
    """The claims one source reported on one date (`date` None: undated), in archive order."""

    date: date | None
    source: str
    outlet: str | None
    title: str | None
    claims: tuple[TimelineClaim, ...]


@dataclass(frozen=True)
class RulePeriod:
    """A rule's effective period: stated (with its basis) or derived (from a claim's date)."""

    rule: str
    effect: Effect
    title: str | None
    period: Period

    @property
    def stated(self) -> bool:
        """True when the rule states its own period."""
        return self.period.basis is not None


@dataclass(frozen=True)
class Timeline:
    """Dated claims oldest first (grouped by source and date), undated claims by source, rule
    periods, and the dates on which the rules in force change."""

    ruleset: str
    dated: tuple[SourceDay, ...]
    undated: tuple[SourceDay, ...]
    rules: tuple[RulePeriod, ...]
    changes: tuple[date, ...]  # each rule start, and each `until` + 1 day


def _period_order(p: RulePeriod) -> tuple[bool, date, date, str]:
    """Dated periods by start (an open start first), then end; undated ones last."""
    undated = p.period.start is None and p.period.until is None
    return (undated, p.period.start or date.min, p.period.until or date.max, p.rule)


def timeline(ruleset: Ruleset) -> Timeline:
    """Build the timeline of a ruleset.

    CLI: `claimrules timeline RULESET [--format text|json|markdown]`.
    """
    cited_by: dict[str, list[str]] = {}
    for r in ruleset.rules:
        for c in r.because:
            cited_by.setdefault(c, []).append(r.id)
    groups: dict[tuple[date | None, str], list[TimelineClaim]] = {}
    for record in sorted(ruleset.claims.values(), key=lambda r: (r.source.id, r.start, r.id)):
        eff = record.claim.effective
        item = TimelineClaim(
            claim=cite(record),
            effective_from=eff.from_ if eff else None,
            effective_until=eff.until if eff else None,
            states_period=eff is not None,
            rules=tuple(sorted(cited_by.get(record.id, []))),
        )
        groups.setdefault((record.reported_on, record.source.id), []).append(item)
    days = [
        SourceDay(day, sid, ruleset.sources[sid].outlet, ruleset.sources[sid].title, tuple(items))
        for (day, sid), items in groups.items()
    ]
    dated = sorted((d for d in days if d.date is not None), key=lambda d: (d.date, d.source))
    undated = sorted((d for d in days if d.date is None), key=lambda d: d.source)
    compiled = compiled_ruleset(ruleset)
    periods = sorted(
        (RulePeriod(r.id, r.effect, r.rule.title, r.period) for r in compiled.rules),
        key=_period_order,
    )
    changes: set[date] = set()
    for p in periods:
        if p.period.start is not None:
            changes.add(p.period.start)
        if p.period.until is not None:
            changes.add(p.period.until + timedelta(days=1))
    return Timeline(ruleset.id, tuple(dated), tuple(undated), tuple(periods),
                    tuple(sorted(changes)))
