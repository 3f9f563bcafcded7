"""JSON Schema (draft 2020-12) of the ruleset file formats, generated from the pydantic models.

The schemas serve editors (the `# yaml-language-server: $schema=...` line at the top of each
file) and other tools. They describe the *shape* of each file, as pydantic checks it; references
between files (unknown ids, quotes not in the archive) are `claimrules check`'s business.

Copies are committed at `src/claimrules/schemas/<kind>.schema.json`; a test proves they equal
what `json_schema` generates now. Regenerate them with `write_schemas(schema_dir())`.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel

from claimrules.load.model import (
    CasesFile,
    ClaimsFile,
    RulesetMeta,
    RulesFile,
    Scenario,
    SourcesFile,
)
from claimrules.load.model.statement import Statement

SchemaKind = Literal["ruleset", "sources", "claims", "rules", "cases", "scenario", "statement"]

#: The kinds of file with a schema, in the order a ruleset directory lists them.
KINDS: tuple[SchemaKind, ...] = get_args(SchemaKind)

DRAFT = "https://json-schema.org/draft/2020-12/schema"

_MODELS: dict[SchemaKind, type[BaseModel]] = {
    "ruleset": RulesetMeta,
    "sources": SourcesFile,
    "claims": ClaimsFile,
    "rules": RulesFile,
    "cases": CasesFile,
    "scenario": Scenario,
    "statement": Statement,
}

_TITLES: dict[SchemaKind, str] = {
    "ruleset": "claimrules ruleset.yaml: metadata and fact vocabulary",
    "sources": "claimrules sources.yaml: the sources and their archived texts",
    "claims": "claimrules claims/*.yaml: verbatim claims found in the sources",
    "rules": "claimrules rules/*.yaml: rules derived from claims",
    "cases": "claimrules cases/*.yaml: test cases of a ruleset",
    "scenario": "claimrules scenario: one question for `claimrules eval`",
    "statement": "claimrules statement: a public statement for `claimrules review`",
}

_OPERATORS = ("is", "in", "lt", "le", "gt", "ge")
_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

# Hover text for editors, keyed by (definition, property). Kept short; README.md
# ("File formats") is the full reference.
_DESCRIPTIONS: dict[tuple[str, str], str] = {
    ("RulesetMeta", "id"): "The ruleset's id, a slug: [a-z0-9][a-z0-9._-]*.",
    ("RulesetMeta", "facts"): "The fact vocabulary: the scenario space this ruleset declares.",
    ("Fact", "name"): "The fact's name, snake_case.",
    ("Fact", "type"): "enum (with `values`), bool, date (YYYY-MM-DD) or number.",
    ("Fact", "values"): "Enum facts only: plain names or {value, label}.",
    ("Fact", "question"): "The question `claimrules ask` puts to a person.",
    ("Fact", "motivated_by"): "Claim ids that motivate this fact.",
    ("Fact", "scenario_only"): "true: the fact only describes a scenario; no rule needs it.",
    ("RulesetMeta", "constraints"): "How facts know each other: when `when` holds, `then` must.",
    ("Constraint", "when"): "A condition over facts, as in a rule's `when`.",
    ("Constraint", "then"): "What must hold too; `is` tests here give implied values.",
    ("Constraint", "note"): "Why the facts know each other (shown when a scenario breaks it).",
    ("Source", "id"): "The source's id, a slug; claims name it in `source`.",
    ("Source", "title"): "The headline; null where unknown.",
    ("Source", "outlet"): "The outlet; null where unknown.",
    ("Source", "url"): "The URL; null where unknown.",
    ("Source", "published"): "YYYY-MM-DD; null where the source shows no date. Never guessed.",
    ("Source", "retrieved"): "YYYY-MM-DD: when the text was archived (optional).",
    ("Source", "note"): "Editorial context; not source text.",
    ("Archive", "file"): "Path of the archived text, relative to the ruleset directory.",
    ("Archive", "sha256"): "sha256 of the file's bytes (64 lowercase hex digits).",
    ("Archive", "content"): "full: the whole text; excerpts: one excerpt per paragraph.",
    ("Claim", "id"): "The claim's id, a slug unique in the ruleset.",
    ("Claim", "source"): "The id of the source the claim is found in.",
    ("Claim", "quote"): "A verbatim span of the archived text (whitespace runs may differ).",
    ("Claim", "kind"): "provision, rationale, context, reaction, assessment or forecast.",
    ("Claim", "modality"): "asserted, attributed, hedged or speculative.",
    ("Claim", "attributed_to"): "Who the source says said it; omit or null for its own voice.",
    ("Claim", "reported_on"): "YYYY-MM-DD; defaults to the source's `published`.",
    ("Claim", "effective"): "A period the claim itself states.",
    ("Attribution", "on_record"): "false when the source does not name the speaker.",
    ("Attribution", "via"): "The outlet or report the statement was relayed through.",
    ("Rule", "effect"): "permit or prohibit.",
    ("Rule", "when"): "A condition tree: all / any / not / {fact, is|in|lt|le|gt|ge}.",
    ("Rule", "because"): "The claim ids (at least one) this rule is read from.",
    ("Rule", "overrides"): "Rule ids this rule is an exception to.",
    ("Rule", "effective"): "Stated period; without it, derived from the claims' dates.",
    ("Rule", "note"): "How the quotes were read: the interpretation, shown in explanations.",
    ("RuleEffective", "basis"): "Why these dates.",
    ("Case", "expect"): "The expected verdict, and optionally deciding rules and missing facts.",
    ("Case", "as_of"): "YYYY-MM-DD: which version of the policy applies.",
    ("Case", "known_by"): "YYYY-MM-DD: only claims reported by then count.",
    ("Case", "sources"): "Evaluate according to these sources only.",
    ("Expectation", "verdict"): "permitted, prohibited, contested, indeterminate or not_addressed.",
    ("Expectation", "deciding_rules"): "Rules that must be among the deciding ones.",
    ("Expectation", "missing_facts"): "The exact set of missing facts expected.",
    ("Statement", "statement"): "The text checked, as it was said or published.",
    ("Statement", "said_by"): "Who made the statement (the reviewed claim's author).",
    ("Statement", "said_on"): "YYYY-MM-DD: when the statement was made.",
    ("Statement", "url"): "Where the statement appeared (http or https).",
    ("Statement", "facts"): "The scenario the statement describes, in the ruleset's facts.",
    ("Statement", "asserts"): "The verdict the statement claims: permitted, prohibited, ...",
    ("Statement", "review"): "The review's author, url and date_published (for ClaimReview).",
}

_ROOT_NAMES: dict[SchemaKind, str] = {
    "ruleset": "RulesetMeta",
    "sources": "SourcesFile",
    "claims": "ClaimsFile",
    "rules": "RulesFile",
    "cases": "CasesFile",
    "scenario": "Scenario",
    "statement": "Statement",
}


def _describe(name: str, definition: dict[str, Any]) -> None:
    for prop, spec in definition.get("properties", {}).items():
        text = _DESCRIPTIONS.get((name, prop))
        if text and isinstance(spec, dict):
            spec["description"] = text


def _refine(name: str, definition: dict[str, Any]) -> None:
    """Add what the models check in validators, so editors flag it too."""
    if name == "Test":
        # The model's validator: exactly one operator.
        definition["oneOf"] = [{"required": [op]} for op in _OPERATORS]
    elif name == "Fact":
        # An enum fact needs values; other types take none.
        definition["if"] = {"properties": {"type": {"const": "enum"}}, "required": ["type"]}
        definition["then"] = {
            "required": ["values"],
            "properties": {"values": {"type": "array", "minItems": 1}},
        }
        definition["else"] = {"properties": {"values": {"type": "null"}}}


def _date_patterns(node: object) -> None:
    """Give every `format: date` a pattern too: validators need not check formats, and the
    models accept only `YYYY-MM-DD`."""
    if isinstance(node, dict):
        if node.get("format") == "date":
            node["pattern"] = _DATE_PATTERN
        for value in node.values():
            _date_patterns(value)
    elif isinstance(node, list):
        for value in node:
            _date_patterns(value)


def json_schema(kind: SchemaKind) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one kind of file: ruleset, sources, claims, rules,
    cases or scenario. Raises ValueError for an unknown kind."""
    if kind not in _MODELS:
        known = ", ".join(KINDS)
        raise ValueError(f"unknown schema kind `{kind}`: expected one of {known}")
    raw = _MODELS[kind].model_json_schema(by_alias=True, mode="validation")
    body = copy.deepcopy(raw)
    defs: dict[str, Any] = body.pop("$defs", {})
    for name, definition in defs.items():
        _describe(name, definition)
        _refine(name, definition)
    _describe(_ROOT_NAMES[kind], body)
    out: dict[str, Any] = {"$schema": DRAFT, "title": _TITLES[kind]}
    out["description"] = body.pop("description", "")
    body.pop("title", None)
    out.update(body)
    if defs:
        out["$defs"] = dict(sorted(defs.items()))
    _date_patterns(out)
    return out


def dumps_schema(kind: SchemaKind) -> str:
    """The schema as the committed file holds it: indented JSON with a final newline."""
    return json.dumps(json_schema(kind), indent=2, ensure_ascii=False) + "\n"


def schema_dir() -> Path:
    """Where the committed schema files live (package data)."""
    return Path(__file__).resolve().parent.parent / "schemas"


def schema_path(kind: SchemaKind, directory: Path | None = None) -> Path:
    """The file name of one kind's schema: `<kind>.schema.json`."""
    return (directory or schema_dir()) / f"{kind}.schema.json"
