"""JSON Schemas of the file formats: committed copies are current, every shipped YAML file
validates, the editor modelines point at the right schema, and the schemas refuse what the
models refuse."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from claimrules.load.model import (
    CasesFile,
    ClaimsFile,
    RulesetMeta,
    RulesFile,
    Scenario,
    SourcesFile,
)
from claimrules.load.schema import DRAFT, KINDS, dumps_schema, json_schema, schema_dir, schema_path
from claimrules.load.yamlsafe import load_yaml_file, parse_yaml
from conftest import ROOT, SHIPPED

MODELS = {
    "ruleset": RulesetMeta,
    "sources": SourcesFile,
    "claims": ClaimsFile,
    "rules": RulesFile,
    "cases": CasesFile,
    "scenario": Scenario,
}

MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")


def _validator(kind: str) -> Draft202012Validator:
    checker = Draft202012Validator.FORMAT_CHECKER
    return Draft202012Validator(json_schema(kind), format_checker=checker)


def _kind_of(path: Path) -> str:
    if path.parent.name in ("claims", "rules", "cases"):
        return path.parent.name
    return path.stem  # ruleset.yaml, sources.yaml


def _shipped_yaml() -> list[Path]:
    return sorted(p for p in SHIPPED.rglob("*.yaml"))


@pytest.mark.parametrize("kind", KINDS)
def test_committed_schema_is_current(kind):
    """Set UPDATE_SCHEMAS=1 to rewrite the committed copies."""
    path = schema_path(kind)
    fresh = dumps_schema(kind)
    if os.environ.get("UPDATE_SCHEMAS"):
        path.write_text(fresh, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == fresh, f"run UPDATE_SCHEMAS=1 pytest {__file__}"


def test_no_stray_schema_files():
    assert sorted(p.name for p in schema_dir().glob("*.json")) == sorted(
        f"{k}.schema.json" for k in KINDS
    )


@pytest.mark.parametrize("kind", KINDS)
def test_schema_is_valid_draft_2020_12(kind):
    schema = json_schema(kind)
    assert schema["$schema"] == DRAFT
    Draft202012Validator.check_schema(schema)


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown schema kind"):
        json_schema("nope")  # type: ignore[arg-type]


def _date_formats(node: object, path: str = "") -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        if node.get("format") == "date":
            assert node.get("type") == "string", path
            found.add(path)
        for k, v in node.items():
            found |= _date_formats(v, f"{path}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            found |= _date_formats(v, f"{path}/{i}")
    return found


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        ("sources", {"Source/properties/published", "Source/properties/retrieved"}),
        ("claims", {"Claim/properties/reported_on", "Period/properties/from",
                    "Period/properties/until"}),
        ("rules", {"RuleEffective/properties/from", "RuleEffective/properties/until"}),
        ("cases", {"Case/properties/as_of", "Case/properties/known_by"}),
        ("scenario", {"properties/as_of", "properties/known_by"}),
    ],
)
def test_date_fields_are_strings_in_date_format(kind, fields):
    found = {re.sub(r"^/(\$defs/)?|/anyOf/\d+$", "", p) for p in _date_formats(json_schema(kind))}
    assert fields <= found


@pytest.mark.parametrize("path", _shipped_yaml(), ids=lambda p: str(p.relative_to(SHIPPED)))
def test_every_shipped_file_validates(path):
    data = load_yaml_file(path).data
    errors = sorted(_validator(_kind_of(path)).iter_errors(data), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


@pytest.mark.parametrize("path", _shipped_yaml(), ids=lambda p: str(p.relative_to(SHIPPED)))
def test_modeline_points_at_the_schema_of_its_kind(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    m = MODELINE.match(first)
    assert m, f"{path.name}: first line is not a yaml-language-server modeline"
    target = (path.parent / m.group(1)).resolve()
    assert target == schema_path(_kind_of(path)).resolve()
    assert target.is_relative_to(ROOT)


# Each snippet breaks one thing; the schema must refuse it, and so must the model.
BAD = [
    ("rules", "two operators",
     "rules:\n- {id: r, effect: permit, when: {fact: a, is: x, in: [y]}, because: [c], note: n}"),
    ("rules", "no operator",
     "rules:\n- {id: r, effect: permit, when: {fact: a}, because: [c], note: n}"),
    ("rules", "unknown effect",
     "rules:\n- {id: r, effect: allow, when: {fact: a, is: x}, because: [c], note: n}"),
    ("rules", "empty because",
     "rules:\n- {id: r, effect: permit, when: {fact: a, is: x}, because: [], note: n}"),
    ("rules", "condition without a key",
     "rules:\n- {id: r, effect: permit, when: {nope: 1}, because: [c], note: n}"),
    ("ruleset", "enum without values",
     "id: x\ntitle: t\nfacts:\n- {name: a, type: enum, description: d, question: q}"),
    ("ruleset", "values on a bool",
     "id: x\ntitle: t\nfacts:\n- {name: a, type: bool, values: [x], description: d, question: q}"),
    ("ruleset", "bad fact name",
     "id: x\ntitle: t\nfacts:\n- {name: Actor, type: bool, description: d, question: q}"),
    ("sources", "short sha256",
     "sources:\n- {id: s, archive: {file: a.txt, sha256: abc, content: full}}"),
    ("sources", "date in words",
     "sources:\n- {id: s, published: 30 May 2024, archive: {file: a.txt, sha256: "
     + "0" * 64 + ", content: full}}"),
    ("sources", "impossible date",
     "sources:\n- {id: s, published: 2024-02-30, archive: {file: a.txt, sha256: "
     + "0" * 64 + ", content: full}}"),
    ("claims", "unknown kind",
     "claims:\n- {id: c, source: s, quote: q, kind: rumour, modality: asserted}"),
    ("claims", "unknown key",
     "claims:\n- {id: c, source: s, quote: q, kind: context, modality: asserted, extra: 1}"),
    ("claims", "attribution without on_record",
     "claims:\n- {id: c, source: s, quote: q, kind: context, modality: attributed, "
     "attributed_to: {who: w}}"),
    ("cases", "no expectation", "cases:\n- {id: c, facts: {a: x}}"),
    ("scenario", "known_by not a date", "facts: {a: x}\nknown_by: yesterday"),
]


@pytest.mark.parametrize(("kind", "why", "text"), BAD, ids=[b[1] for b in BAD])
def test_schema_and_model_refuse_the_same_mistakes(kind, why, text):
    data = parse_yaml(text, f"{why}.yaml").data
    assert list(_validator(kind).iter_errors(data)), f"schema accepts: {why}"
    with pytest.raises(ValidationError):
        MODELS[kind].model_validate(data)


GOOD = [
    ("rules", "rules:\n- {id: r, effect: permit, when: {not: {any: [{fact: a, in: [x, y]}, "
              "{fact: n, lt: 3}]}}, because: [c], note: n, effective: {from: 2024-05-30, "
              "until: null, basis: b}}"),
    ("ruleset", "id: x\ntitle: t\nfacts:\n- {name: a, type: enum, values: [x, {value: y, "
                "label: Y}], description: d, question: q}\n- {name: n, type: number, "
                "description: d, question: q, minimum: 0, unit: km}"),
    ("scenario", "facts: {a: x, n: 3}\nas_of: 2024-06-01\nsources: [s]"),
]


@pytest.mark.parametrize(("kind", "text"), GOOD)
def test_schema_and_model_accept_the_same_files(kind, text):
    data = parse_yaml(text, "good.yaml").data
    assert not list(_validator(kind).iter_errors(data))
    MODELS[kind].model_validate(data)


def test_committed_schemas_are_plain_json_with_titles():
    for kind in KINDS:
        schema = json.loads(schema_path(kind).read_text(encoding="utf-8"))
        assert schema["title"].startswith("claimrules ")
        assert schema["type"] == "object" and schema["additionalProperties"] is False


def test_dates_are_refused_by_pattern_even_without_format_checking():
    data = parse_yaml("facts: {}\nas_of: 30 May 2024", "s.yaml").data
    assert list(Draft202012Validator(json_schema("scenario")).iter_errors(data))
