"""The explorer: one self-contained HTML page where a reader picks a scenario and a reading
(fact choosers, "in force on" and "reported by" dates, source and speaker toggles) and sees the
answer with its quotes.

The page carries the ruleset as data (`explorer_data`) and a small evaluator
(`assets/explorer.js`) that walks it: the reading filter, rule periods, Kleene conditions, the
search over what is not known (missing facts and the pseudo-facts `@period:ID`, `@terms:ID`),
and the combining rule, each a line-for-line image of the engine's (`search`, `combine`, `compile`).
tests/reporters/test_explorer.py holds the two to equal answers in a real browser, on hundreds
of random scenarios and readings. No network: no external script, style, font or image.
"""

from __future__ import annotations

from datetime import date
from importlib import resources
from typing import Any

from claimrules.engine.compile import compiled_ruleset
from claimrules.engine.evaluator import speakers_of
from claimrules.load.domain import All, Condition, Not, Test, Unknown, grounds
from claimrules.load.ruleset import Ruleset
from claimrules.reporters import escape
from claimrules.reporters.embed import script_element
from claimrules.reporters.export import jsonld

#: Bumped when the data the page's evaluator reads changes shape.
DATA_VERSION = 1


def _d(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _http(url: str | None) -> str | None:
    return url if url and url.lower().startswith(("http://", "https://")) else None


def _value(v: object) -> object:
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, tuple | list):
        return [_value(x) for x in v]
    return v


def _condition(cond: Condition, ruleset: Ruleset) -> dict[str, Any]:
    from claimrules.engine.compile import operand_value  # noqa: PLC0415

    if isinstance(cond, Test):
        operand = operand_value(cond, ruleset.facts[cond.fact])
        return {"fact": cond.fact, "op": cond.operator, "value": _value(operand)}
    if isinstance(cond, Not):
        return {"not": _condition(cond.not_, ruleset)}
    if isinstance(cond, All):
        return {"all": [_condition(c, ruleset) for c in cond.all]}
    return {"any": [_condition(c, ruleset) for c in cond.any]}


def _end(end: object) -> dict[str, Any]:
    if isinstance(end, Unknown):
        return {"date": None,
                "unknown": {"not_before": _d(end.not_before), "not_after": _d(end.not_after)}}
    return {"date": _d(end) if isinstance(end, date) else None, "unknown": None}


def explorer_data(ruleset: Ruleset) -> dict[str, Any]:
    """Everything the page's evaluator and its display read, as plain JSON values."""
    compiled = compiled_ruleset(ruleset)
    facts = []
    for name, f in ruleset.facts.items():
        domain = compiled.domains[name]
        facts.append({
            "name": name,
            "type": str(f.type),
            "question": f.question,
            "description": f.description,
            "values": [
                {"value": _value(v), "label": f.label(v) if isinstance(v, str) else None}
                for v in domain
            ],
        })
    claims: dict[str, Any] = {}
    for cid in ruleset.claims:
        c = compiled.citation(cid)
        a = c.attributed_to
        claims[cid] = {
            "source": c.source,
            "quote": c.quote,
            "kind": str(c.kind),
            "modality": str(c.modality),
            "who": a.who if a else None,
            "on_record": a.on_record if a else None,
            "via": list(a.via) if a else [],
            "speaker": c.speaker,
            "strength": str(c.strength),
            "grounds": grounds(c),
            "reported_on": _d(c.reported_on),
            "earliest": _d(c.earliest),
            "latest": _d(c.latest),
        }
    rules = []
    for r in ruleset.rules:
        eff = r.effective
        terms = r.unreported_terms
        rules.append({
            "id": r.id,
            "effect": str(r.effect),
            "title": r.title,
            "when": _condition(r.when, ruleset),
            "terms": None if terms is None else {
                "claim": terms.claim,
                "note": terms.note,
                "within": _condition(terms.within, ruleset) if terms.within else None,
            },
            "because": list(r.because),
            "context": list(r.context),
            "overrides": sorted({*r.overrides, *(x.rule for x in r.refines)}),
            "effective": None if eff is None else {
                "from": _end(eff.from_), "until": _end(eff.until),
                "claims": list(eff.claims), "basis": eff.basis,
            },
            "note": r.note,
            "note_parts": [{"text": p.text, "claims": list(p.claims)} for p in r.note_parts],
        })
    return {
        "version": DATA_VERSION,
        "ruleset": {"id": ruleset.id, "title": ruleset.meta.title},
        "facts": facts,
        "sources": [
            {"id": s.id, "title": s.title, "outlet": s.outlet, "url": _http(s.url),
             "published": _d(s.published)}
            for s in ruleset.sources.values()
        ],
        "speakers": list(speakers_of(ruleset)),
        "claims": claims,
        "rules": rules,
    }


def _asset(name: str) -> str:
    return resources.files("claimrules.reporters").joinpath("assets", name).read_text("utf-8")


def render_explorer(ruleset: Ruleset) -> str:
    """The explorer page for a ruleset: deterministic, self-contained HTML."""
    title = escape.html(f"{ruleset.meta.title} — explore the reported policy")
    data = script_element(explorer_data(ruleset), "application/json", "claimrules-data")
    ld = script_element(jsonld(ruleset), "application/ld+json")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n"
        "<meta name=\"color-scheme\" content=\"light dark\">\n"
        f"<title>{title}</title>\n<style>\n{_asset('explorer.css')}</style>\n</head>\n"
        f"<body>\n{_asset('explorer.html')}\n{data}\n{ld}\n"
        f"<script>\n{_asset('explorer.js')}</script>\n</body>\n</html>\n"
    )
