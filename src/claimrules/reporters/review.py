"""A review rendered as text (terminal) or JSON; `claimrules.analysis.review.claim_review`
builds the JSON-LD."""

from __future__ import annotations

from typing import Any

from claimrules.analysis.review import Review
from claimrules.load.ruleset import Ruleset
from claimrules.reporters import json as rjson
from claimrules.reporters import text


def review_json(r: Review) -> dict[str, Any]:
    """The review as plain JSON: rating, its definition, the statement, the decision."""
    s = r.statement
    return {
        "schema_version": rjson.SCHEMA_VERSION,
        "rating": str(r.rating),
        "definition": r.definition,
        "statement": {
            "statement": s.statement, "said_by": s.said_by, "said_on": s.said_on.isoformat(),
            "url": s.url, "asserts": s.asserts,
        },
        "decision": rjson.decision(r.decision),
    }


def review_text(r: Review, ruleset: Ruleset, *, color: bool = False) -> str:
    """The rating, the statement, and the decision's explanation with its quotes."""
    s = r.statement
    head = [
        f"{str(r.rating).upper()} — {r.definition}",
        f"Statement: “{s.statement}”",
        f"  said by {s.said_by} on {s.said_on.isoformat()} · {s.url}",
        f"  asserts: {s.asserts} · as reported: {r.decision.verdict}",
        "",
    ]
    return "\n".join(head) + text.render_decision(r.decision, ruleset, color=color)
