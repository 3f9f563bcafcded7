"""The JSON form of decisions, claims and sources: the versioned machine contract."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from claimrules.diagnostics import Diagnostic
from claimrules.engine.decision import (
    CitedClaim,
    ConditionFailed,
    Decision,
    MissingFacts,
    NotBySpeakers,
    NotInSources,
    NotYetReported,
    OpenQuestion,
    OutOfPeriod,
    OverriddenBy,
    Period,
    Reason,
    RuleOutcome,
    Support,
)
from claimrules.load.domain import Attribution, Unknown
from claimrules.load.ruleset import ClaimRecord, Ruleset
from claimrules.reporters import escape

#: Bumped on any incompatible change to the JSON below; additions keep the version.
SCHEMA_VERSION = "1.0"


def _date(d: date | None) -> str | None:
    return d.isoformat() if d else None


def fact_value(v: object) -> object:
    """A fact value as JSON holds it: a date as `YYYY-MM-DD`, anything else as it is."""
    return v.isoformat() if isinstance(v, date) else v


def attribution(a: Attribution | None) -> dict[str, Any] | None:
    """Who the claim is attributed to; None for the source's own voice."""
    if a is None:
        return None
    return {"who": a.who, "on_record": a.on_record, "via": list(a.via), "speaker": a.speaker}


def cited_claim(c: CitedClaim) -> dict[str, Any]:
    """A claim as cited in a decision."""
    return {
        "id": c.id,
        "source": c.source,
        "quote": c.quote,
        "kind": str(c.kind),
        "modality": str(c.modality),
        "attributed_to": attribution(c.attributed_to),
        "reported_on": _date(c.reported_on),
        "undated": c.undated,
        "reported_between": (
            {"not_before": _date(c.earliest), "not_after": _date(c.latest)}
            if c.undated and (c.earliest or c.latest) else None
        ),
        "speaker": c.speaker,
        "strength": str(c.strength),
        "outlet": c.outlet,
        "title": c.title,
        "url": c.url,
        "start": c.start,
        "end": c.end,
    }


def reason(r: Reason) -> dict[str, Any] | None:
    """Why a rule did not apply, or is inactive, or is overridden."""
    if r is None:
        return None
    if isinstance(r, ConditionFailed):
        return {
            "type": "condition_failed",
            "tests": [
                {
                    "fact": t.fact,
                    "operator": t.operator,
                    "operand": t.operand,
                    "value": fact_value(t.value),
                    "held": t.held,
                }
                for t in r.tests
            ],
        }
    if isinstance(r, MissingFacts):
        return {"type": "missing_facts", "facts": list(r.facts)}
    if isinstance(r, OutOfPeriod):
        return {
            "type": "out_of_period",
            "as_of": _date(r.as_of),
            "from": _date(r.start),
            "until": _date(r.until),
        }
    if isinstance(r, NotYetReported):
        return {
            "type": "not_yet_reported",
            "known_by": _date(r.known_by),
            "earliest": _date(r.earliest),
        }
    if isinstance(r, NotInSources):
        return {"type": "not_in_sources", "sources": list(r.sources)}
    if isinstance(r, NotBySpeakers):
        return {"type": "not_by_speakers", "speakers": list(r.speakers)}
    if isinstance(r, OverriddenBy):
        return {
            "type": "overridden",
            "by": list(r.rules),
            "refined_by": [{"rule": rid, "note": note} for rid, note in r.refinements],
        }
    raise TypeError(f"unknown reason {r!r}")  # pragma: no cover - the Reason union is closed


def _unknown_end(u: Unknown | None) -> dict[str, Any] | None:
    if u is None:
        return None
    return {"not_before": _date(u.not_before), "not_after": _date(u.not_after)}


def period(p: Period) -> dict[str, Any]:
    """A rule's period: each end a date, null (open), or unknown within bounds."""
    return {
        "from": _date(p.start),
        "until": _date(p.until),
        "from_unknown": _unknown_end(p.start_unknown),
        "until_unknown": _unknown_end(p.until_unknown),
        "basis": p.basis,
        "derived_from": p.derived_from,
    }


def rule_outcome(o: RuleOutcome) -> dict[str, Any]:
    """One rule's part in a decision."""
    return {
        "id": o.rule,
        "effect": str(o.effect),
        "title": o.title,
        "status": str(o.status),
        "reason": reason(o.reason),
        "note": o.note,
        "note_withheld": o.note_withheld,
        "overrides": list(o.overrides),
        "effective": period(o.period),
        "in_force_unknown": (
            {"as_of": _date(o.period_unknown.as_of),
             "undated_sources": list(o.period_unknown.sources)}
            if o.period_unknown else None
        ),
        "unreported_terms": (
            {"claim": o.terms.claim.id if o.terms.claim else None, "note": o.terms.note}
            if o.terms else None
        ),
        "claims": [c.id for c in o.claims],
        "context": [cited_claim(c) for c in o.context],
    }


def support(s: Support) -> dict[str, Any]:
    """What backs the verdict."""
    return {
        "strength": str(s.strength),
        "sources": s.sources,
        "claims": s.claims,
        "undated_only": s.undated_only,
        "relayed_only": s.relayed_only,
    }


def open_question(q: OpenQuestion) -> dict[str, Any]:
    """Something the reporting leaves open that changes the verdict."""
    return {
        "type": "period_unknown" if q.kind == "period" else "terms_not_reported",
        "rule": q.rule,
        "undated_sources": list(q.sources),
        "claim": cited_claim(q.claim) if q.claim else None,
        "note": q.note,
        "outcomes": [
            {"value": v, "verdicts": [str(x) for x in vs]} for v, vs in q.outcomes
        ],
    }


def decision(d: Decision) -> dict[str, Any]:
    """The decision contract: verdict, deciding_rules, claims, missing_facts, as_of, known_by."""
    return {
        "schema_version": SCHEMA_VERSION,
        "ruleset": d.ruleset,
        "verdict": str(d.verdict),
        "as_reported": True,
        "deciding_rules": list(d.deciding_rules),
        "claims": [cited_claim(c) for c in d.claims],
        "missing_facts": list(d.missing_facts),
        "as_of": _date(d.as_of),
        "known_by": _date(d.known_by),
        "sources": list(d.sources) if d.sources is not None else None,
        "speakers": list(d.speakers) if d.speakers is not None else None,
        "support": support(d.support),
        "unknowns": [open_question(q) for q in d.unknowns],
        "context": [cited_claim(c) for c in d.context],
        "facts": {k: fact_value(v) for k, v in sorted(d.facts.items())},
        "possible_verdicts": [str(v) for v in d.possible],
        "missing": [
            {
                "fact": m.fact,
                "question": m.question,
                "outcomes": [
                    {"value": fact_value(v), "verdicts": [str(x) for x in vs]}
                    for v, vs in m.outcomes
                ],
            }
            for m in d.missing
        ],
        "rules": [rule_outcome(o) for o in d.rules],
        "excluded_undated_claims": list(d.excluded_undated),
    }


def batch_line(number: int, answer: Decision | Diagnostic) -> str:
    """One line of `eval --batch` output: the decision without its rule outcomes, or the
    line's error and its code, with the line's number; JSON on one line."""
    if isinstance(answer, Diagnostic):
        out = {"line": number, "error": answer.display_message(), "code": answer.code}
    else:
        out = decision(answer)
        out.pop("rules")
        out["line"] = number
    return json.dumps(out, ensure_ascii=False)


def claim_record(r: ClaimRecord) -> dict[str, Any]:
    """A claim as listed by `claimrules claims`: start/end are character offsets in the archive."""
    c = r.claim
    return {
        "id": c.id,
        "source": c.source,
        "quote": c.quote,
        "kind": str(c.kind),
        "modality": str(c.modality),
        "attributed_to": attribution(c.attributed_to),
        "reported_on": _date(r.reported_on),
        "start": r.start,
        "end": r.end,
        "effective": (
            {"from": _date(c.effective.from_), "until": _date(c.effective.until)}
            if c.effective
            else None
        ),
        "tags": list(c.tags),
        "note": c.note,
    }


def claims(ruleset: Ruleset, records: Iterable[ClaimRecord]) -> dict[str, Any]:
    """The `claims` listing."""
    return {
        "schema_version": SCHEMA_VERSION,
        "ruleset": ruleset.id,
        "claims": [claim_record(r) for r in records],
    }


def sources(ruleset: Ruleset) -> dict[str, Any]:
    """The `sources` listing."""
    counts: dict[str, int] = {}
    for r in ruleset.claims.values():
        counts[r.claim.source] = counts.get(r.claim.source, 0) + 1
    return {
        "schema_version": SCHEMA_VERSION,
        "ruleset": ruleset.id,
        "sources": [
            {
                "id": s.id,
                "title": s.title,
                "outlet": s.outlet,
                "url": s.url,
                "published": _date(s.published),
                "retrieved": _date(s.retrieved),
                "archive": {
                    "file": s.archive.file,
                    "sha256": s.archive.sha256,
                    "content": s.archive.content,
                },
                "note": s.note,
                "not_before": (
                    {"date": _date(s.not_before.date), "basis": s.not_before.basis,
                     "claim": s.not_before.claim} if s.not_before else None
                ),
                "not_after": (
                    {"date": _date(s.not_after.date), "basis": s.not_after.basis,
                     "claim": s.not_after.claim} if s.not_after else None
                ),
                "claims": counts.get(s.id, 0),
            }
            for s in ruleset.sources.values()
        ],
    }


def dumps(obj: object) -> str:
    """Deterministic JSON text: sorted nothing, insertion order fixed by the builders above."""
    return escape.json_text(json.dumps(obj, ensure_ascii=False, indent=2))
