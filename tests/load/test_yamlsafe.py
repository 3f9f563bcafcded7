"""The safe, bounded YAML reader: positions, scalar resolution, refusals, hostile input."""

from __future__ import annotations

import json
import os
import pathlib
import re
import socket
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimrules.diagnostics import LoadError
from claimrules.load import yamlsafe
from claimrules.load.yamlsafe import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_NODES,
    Document,
    load_yaml_file,
    parse_yaml,
    plain_json,
    position_of,
    read_text,
)
from conftest import TESTS, make_fixtures

HOSTILE = TESTS / "hostile"
F = "t.yaml"  # display name in the goldens

_C_LOADER = getattr(yaml, "CSafeLoader", None)
LOADERS = [pytest.param(yaml.SafeLoader, id="py")]
if _C_LOADER is not None:
    LOADERS.insert(0, pytest.param(_C_LOADER, id="c"))


@pytest.fixture(params=LOADERS)
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test under both the libyaml and the pure-Python event parser."""
    monkeypatch.setattr(yamlsafe, "_LOADER", request.param)
    return "c" if request.param is _C_LOADER else "py"


def rendered(exc: LoadError) -> str:
    return "\n".join(d.render() for d in exc.diagnostics)


def refuse(text: str, **limits: int) -> LoadError:
    with pytest.raises(LoadError) as info:
        parse_yaml(text, F, **limits)
    return info.value


def test_limits_are_module_constants() -> None:
    assert MAX_FILE_BYTES == 2 * 1024 * 1024
    assert MAX_DEPTH == 64
    assert MAX_NODES == 50_000


# --- positions -------------------------------------------------------------------------

POSITIONS_DOC = """\
title: Demo
facts:
  - name: actor
    values: [ukraine, other]
  - name: distance_km
    type: number
nested:
  deeper:
    leaf: "quoted"
  block: |
    text
empty:
flow: {a: [1, {b: 2}]}
"""

VALUE_POSITIONS = [
    ((), (1, 1)),
    (("title",), (1, 8)),
    (("facts",), (3, 3)),
    (("facts", 0), (3, 5)),
    (("facts", 0, "name"), (3, 11)),
    (("facts", 0, "values"), (4, 13)),
    (("facts", 0, "values", 0), (4, 14)),
    (("facts", 0, "values", 1), (4, 23)),
    (("facts", 1), (5, 5)),
    (("facts", 1, "type"), (6, 11)),
    (("nested",), (8, 3)),
    (("nested", "deeper"), (9, 5)),
    (("nested", "deeper", "leaf"), (9, 11)),
    (("nested", "block"), (10, 10)),
    (("empty",), (12, 7)),  # an empty value sits just after its colon
    (("flow",), (13, 7)),
    (("flow", "a"), (13, 11)),
    (("flow", "a", 0), (13, 12)),
    (("flow", "a", 1), (13, 15)),
    (("flow", "a", 1, "b"), (13, 19)),
]

KEY_POSITIONS = [
    (("title",), (1, 1)),
    (("facts",), (2, 1)),
    (("facts", 0, "name"), (3, 5)),
    (("facts", 0, "values"), (4, 5)),
    (("facts", 1, "type"), (6, 5)),
    (("nested",), (7, 1)),
    (("nested", "deeper"), (8, 3)),
    (("nested", "deeper", "leaf"), (9, 5)),
    (("nested", "block"), (10, 3)),
    (("empty",), (12, 1)),
    (("flow", "a"), (13, 8)),
    (("flow", "a", 1, "b"), (13, 16)),
]


def test_positions_data(loader: str) -> None:
    doc = parse_yaml(POSITIONS_DOC, F)
    assert doc.file == F
    assert doc.data == {
        "title": "Demo",
        "facts": [
            {"name": "actor", "values": ["ukraine", "other"]},
            {"name": "distance_km", "type": "number"},
        ],
        "nested": {"deeper": {"leaf": "quoted"}, "block": "text\n"},
        "empty": None,
        "flow": {"a": [1, {"b": 2}]},
    }


@pytest.mark.parametrize(("path", "pos"), VALUE_POSITIONS)
def test_value_positions(loader: str, path: tuple[str | int, ...], pos: tuple[int, int]) -> None:
    doc = parse_yaml(POSITIONS_DOC, F)
    assert doc.positions[path] == pos
    assert position_of(doc, path) == pos


@pytest.mark.parametrize(("path", "pos"), KEY_POSITIONS)
def test_key_positions(loader: str, path: tuple[str | int, ...], pos: tuple[int, int]) -> None:
    doc = parse_yaml(POSITIONS_DOC, F)
    assert doc.key_positions[path] == pos
    assert position_of(doc, path, key=True) == pos


def test_every_node_has_a_position_and_only_mapping_entries_have_keys(loader: str) -> None:
    doc = parse_yaml(POSITIONS_DOC, F)

    def walk(node: object, path: tuple[str | int, ...]) -> Iterator[tuple[str | int, ...]]:
        yield path
        if isinstance(node, dict):
            for k, v in node.items():
                yield from walk(v, (*path, k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                yield from walk(v, (*path, i))

    paths = set(walk(doc.data, ()))
    assert set(doc.positions) == paths
    assert set(doc.key_positions) == {p for p in paths if p and isinstance(p[-1], str)}


@pytest.mark.parametrize(
    ("text", "path", "key", "pos"),
    [
        # exact hits
        ("a:\n  b: 1\n", ("a", "b"), False, (2, 6)),
        ("a:\n  b: 1\n", ("a", "b"), True, (2, 3)),
        # a list item has no key: key=True falls back to its value
        ("a:\n  - x\n", ("a", 0), True, (2, 5)),
        # absent paths: the nearest ancestor's value
        ("a:\n  b: 1\n", ("a", "missing"), False, (2, 3)),
        ("a:\n  b: 1\n", ("a", "missing", 3, "deeper"), True, (2, 3)),
        ("a:\n  - x\n", ("a", 5), False, (2, 3)),
        ("x: 1\n", ("nope",), False, (1, 1)),
        # nothing known at all
        ("", ("a",), False, (0, 0)),
        ("", (), True, (0, 0)),
    ],
)
def test_position_of(
    text: str, path: tuple[str | int, ...], key: bool, pos: tuple[int, int]
) -> None:
    assert position_of(parse_yaml(text, F), path, key=key) == pos


def test_positions_count_characters_not_bytes_and_handle_crlf(loader: str) -> None:
    doc = parse_yaml("éé: 1\r\nb: [ü, 😀, x]\r\nc: 3\r", F)
    assert doc.positions[("éé",)] == (1, 5)
    assert doc.positions[("b", 2)] == (2, 11)
    assert doc.key_positions[("c",)] == (3, 1)


def test_document_is_frozen() -> None:
    doc = parse_yaml("a: 1\n", F)
    assert isinstance(doc, Document)
    with pytest.raises(AttributeError):
        doc.data = None  # type: ignore[misc]


# --- scalar resolution -------------------------------------------------------------------

RESOLVED = [
    # booleans: exactly these six spellings
    ("true", True),
    ("True", True),
    ("TRUE", True),
    ("false", False),
    ("False", False),
    ("FALSE", False),
    # null
    ("null", None),
    ("Null", None),
    ("NULL", None),
    ("~", None),
    ("", None),
    # integers
    ("0", 0),
    ("7", 7),
    ("-1", -1),
    ("300", 300),
    ("123456789012345678", 123456789012345678),  # 18 digits: the most allowed
    ("-123456789012345678", -123456789012345678),
    # floats: a dot or an exponent
    ("1.5", 1.5),
    ("-0.5", -0.5),
    ("0.0", 0.0),
    ("-2e3", -2000.0),
    ("1e5", 100000.0),
    ("1E5", 100000.0),
    ("1e+5", 100000.0),
    ("1.5e-3", 0.0015),
    ("0e0", 0.0),
    ("1e-400", 0.0),  # underflow is harmless
    ("1234567890123456789012.5", 1234567890123456789012.5),  # the digit limit is for ints
    # everything else stays a string
    ("NO", "NO"),
    ("no", "no"),
    ("No", "No"),
    ("yes", "yes"),
    ("Yes", "Yes"),
    ("YES", "YES"),
    ("on", "on"),
    ("off", "off"),
    ("On", "On"),
    ("y", "y"),
    ("n", "n"),
    ("tRUE", "tRUE"),
    ("nUll", "nUll"),
    ("none", "none"),
    ("None", "None"),
    ("010", "010"),
    ("00", "00"),
    ("-0", "-0"),
    ("+1", "+1"),
    ("0x1F", "0x1F"),
    ("0o17", "0o17"),
    ("0b101", "0b101"),
    ("1_000", "1_000"),
    ("1,000", "1,000"),
    ("12:30", "12:30"),
    ("190:20:30", "190:20:30"),
    ("2024-05-30", "2024-05-30"),
    ("2024-02-30", "2024-02-30"),
    ("2024-05-30T12:00:00Z", "2024-05-30T12:00:00Z"),
    (".nan", ".nan"),
    (".NaN", ".NaN"),
    (".inf", ".inf"),
    ("-.inf", "-.inf"),
    ("+.inf", "+.inf"),
    ("1.", "1."),
    (".5", ".5"),
    ("-.5", "-.5"),
    ("1e", "1e"),
    ("1e5.5", "1e5.5"),
    ("01.5", "01.5"),
    ("1.5.6", "1.5.6"),
    ("=", "="),
    ("１２", "１２"),  # fullwidth digits are not ASCII digits
    ("٣", "٣"),  # nor is ARABIC-INDIC DIGIT THREE
    ("true false", "true false"),
    ("null x", "null x"),
    ("12 km", "12 km"),
]


@pytest.mark.parametrize(("plain", "expected"), RESOLVED, ids=[repr(p) for p, _ in RESOLVED])
def test_plain_scalar_resolution(loader: str, plain: str, expected: object) -> None:
    texts = [f"x: {plain}\n", f"- {plain}\n"]
    if not any(ch in plain for ch in ",[]{}"):
        texts.append(f"[{plain}]\n" if plain else "[~]\n")  # the flow form is [x]
    for text in texts:
        data = parse_yaml(text, F).data
        value = data["x"] if isinstance(data, dict) else data[0]  # type: ignore[index]
        assert value == expected
        assert type(value) is type(expected), text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('x: "true"', "true"),
        ("x: 'false'", "false"),
        ('x: "~"', "~"),
        ("x: 'null'", "null"),
        ('x: ""', ""),
        ("x: ''", ""),
        ('x: "1"', "1"),
        ("x: '1.5'", "1.5"),
        ('x: "1e5"', "1e5"),
        ('x: "12345678901234567890"', "12345678901234567890"),  # quoted: no digit limit
        ("x: |\n  1\n", "1\n"),
        ("x: |-\n  true\n", "true"),
        ("x: >-\n  null\n", "null"),
        ("x: >\n  12\n  34\n", "12 34\n"),
        ("x: 'it''s'", "it's"),
        ('x: "tab\\there"', "tab\there"),
    ],
)
def test_quoted_and_block_scalars_are_strings(loader: str, text: str, expected: str) -> None:
    data = parse_yaml(text, F).data
    assert data == {"x": expected}


def test_root_scalars_resolve_too(loader: str) -> None:
    assert parse_yaml("just a string\n", F).data == "just a string"
    assert parse_yaml("12\n", F).data == 12
    assert parse_yaml("'12'\n", F).data == "12"
    assert parse_yaml("[]\n", F).data == []
    assert parse_yaml("{}\n", F).data == {}


@pytest.mark.parametrize(
    "text",
    ["", "\n", "   \n\n", "# only a comment\n", "# a\n# b\n", "---\n", "--- # c\n...\n"],
)
def test_empty_documents_give_none(loader: str, text: str) -> None:
    assert parse_yaml(text, F).data is None


@pytest.mark.parametrize(
    "key",
    ["NO", "yes", "on", "off", "y", "010", "0x1F", "12:30", "2024-05-30", ".nan", "-0", "1."],
)
def test_keys_that_resolve_to_strings_are_accepted(loader: str, key: str) -> None:
    doc = parse_yaml(f"{key}: v\n", F)
    assert doc.data == {key: "v"}
    assert doc.key_positions[(key,)] == (1, 1)


@pytest.mark.parametrize("key", ['"1"', "'true'", '"~"', "''", '"1.5"', "'<<'"])
def test_quoted_keys_are_strings(loader: str, key: str) -> None:
    data = parse_yaml(f"{key}: v\n", F).data
    assert data == {key[1:-1]: "v"}


# --- refusals: golden diagnostics ---------------------------------------------------------

GOLDEN_REFUSALS: list[tuple[str, str, str | dict[str, str], dict[str, int]]] = [
    # (id, text, golden (or {loader: golden}), limits)
    (
        "anchor-and-alias",
        "a: &x 1\nb: *x\n",
        "t.yaml:1:4: error: anchors and aliases are not allowed: `&x` [yaml-alias]\n"
        "t.yaml:2:4: error: anchors and aliases are not allowed: `*x` [yaml-alias]",
        {},
    ),
    (
        "anchor-on-mapping",
        "defaults: &d\n  kind: provision\n",
        "t.yaml:1:11: error: anchors and aliases are not allowed: `&d` [yaml-alias]",
        {},
    ),
    (
        "cyclic-alias",
        "a: &a [*a]\n",
        "t.yaml:1:4: error: anchors and aliases are not allowed: `&a` [yaml-alias]\n"
        "t.yaml:1:8: error: anchors and aliases are not allowed: `*a` [yaml-alias]",
        {},
    ),
    (
        "alias-as-key",
        "a: &k x\n*k : 1\n",
        "t.yaml:1:4: error: anchors and aliases are not allowed: `&k` [yaml-alias]\n"
        "t.yaml:2:1: error: anchors and aliases are not allowed: `*k` [yaml-alias]",
        {},
    ),
    (
        "tag-python-apply",
        'x: !!python/object/apply:os.system ["echo pwned"]\n',
        "t.yaml:1:4: error: tags are not allowed: `!!python/object/apply:os.system` [yaml-tag]",
        {},
    ),
    (
        "tag-python-object",
        "x: !!python/object:subprocess.Popen\n  args: [ls]\n",
        "t.yaml:1:4: error: tags are not allowed: `!!python/object:subprocess.Popen` [yaml-tag]",
        {},
    ),
    (
        "tag-str",
        "x: !!str 1\n",
        "t.yaml:1:4: error: tags are not allowed: `!!str` [yaml-tag]",
        {},
    ),
    (
        "tag-local",
        "x: !foo bar\n",
        "t.yaml:1:4: error: tags are not allowed: `!foo` [yaml-tag]",
        {},
    ),
    (
        "tag-non-specific",
        "x: ! bar\n",
        "t.yaml:1:4: error: tags are not allowed: `!` [yaml-tag]",
        {},
    ),
    (
        "tag-verbatim",
        "x: !<tag:example.com,2024:x> 1\n",
        "t.yaml:1:4: error: tags are not allowed: `tag:example.com,2024:x` [yaml-tag]",
        {},
    ),
    (
        "tag-on-root-mapping",
        "--- !!map\na: 1\n",
        "t.yaml:1:5: error: tags are not allowed: `!!map` [yaml-tag]",
        {},
    ),
    (
        "tag-on-key",
        "!!str k: v\n",
        "t.yaml:1:1: error: tags are not allowed: `!!str` [yaml-tag]",
        {},
    ),
    (
        "merge-key",
        "rules:\n  - id: a\n    <<: {note: x}\n",
        "t.yaml:3:5: error: merge keys (`<<`) are not allowed [yaml-merge-key]\n"
        "  help: write the entries out in full",
        {},
    ),
    (
        "duplicate-key",
        "claims:\n  - id: a\n    source: s\n    id: b\n",
        "t.yaml:4:5: error: duplicate key `id` (first at line 2) [yaml-duplicate-key]",
        {},
    ),
    (
        "duplicate-keys-all-reported",
        "id: a\nx: 1\nid: b\nnested: {x: 1, y: 2, x: 3}\nid: c\n",
        "t.yaml:3:1: error: duplicate key `id` (first at line 1) [yaml-duplicate-key]\n"
        "t.yaml:4:22: error: duplicate key `x` (first at line 4) [yaml-duplicate-key]\n"
        "t.yaml:5:1: error: duplicate key `id` (first at line 1) [yaml-duplicate-key]",
        {},
    ),
    (
        "duplicate-key-quoted-and-plain",
        "'a': 1\na: 2\n",
        "t.yaml:2:1: error: duplicate key `a` (first at line 1) [yaml-duplicate-key]",
        {},
    ),
    (
        "int-key",
        "facts:\n  1: ukraine\n",
        "t.yaml:2:3: error: key `1` is read as an integer; keys must be strings [yaml-key-type]\n"
        '  help: quote it: `"1"`',
        {},
    ),
    (
        "bool-key",
        "true: x\n",
        "t.yaml:1:1: error: key `true` is read as a boolean; keys must be strings [yaml-key-type]\n"
        '  help: quote it: `"true"`',
        {},
    ),
    (
        "null-key",
        "~: x\n",
        "t.yaml:1:1: error: key `~` is read as null; keys must be strings [yaml-key-type]\n"
        '  help: quote it: `"~"`',
        {},
    ),
    (
        "float-key",
        "1.5: x\n",
        "t.yaml:1:1: error: key `1.5` is read as a number; keys must be strings [yaml-key-type]\n"
        '  help: quote it: `"1.5"`',
        {},
    ),
    (
        "empty-key",
        "? \n: v\n",
        "t.yaml:1:2: error: a key is empty (read as null); keys must be strings [yaml-key-type]",
        {},
    ),
    (
        "sequence-key",
        "facts:\n  ? [actor, target]\n  : ukraine\n",
        "t.yaml:2:5: error: a sequence cannot be a key; keys must be strings [yaml-key-type]",
        {},
    ),
    (
        "mapping-key",
        "{{a: 1}: x}\n",
        "t.yaml:1:2: error: a mapping cannot be a key; keys must be strings [yaml-key-type]",
        {},
    ),
    (
        "two-documents",
        "a: 1\n---\nb: 2\n",
        "t.yaml:2:1: error: only one YAML document is allowed; a second one starts here "
        "[yaml-multi-document]",
        {},
    ),
    (
        "two-explicit-documents",
        "--- a\n--- b\n",
        "t.yaml:2:1: error: only one YAML document is allowed; a second one starts here "
        "[yaml-multi-document]",
        {},
    ),
    (
        "too-deep-default",
        "[" * 65 + "]" * 65 + "\n",
        "t.yaml:1:65: error: nesting is deeper than 64 levels [yaml-too-deep]",
        {},
    ),
    (
        "too-deep-limit",
        "a: {b: {c: 1}}\n",
        "t.yaml:1:8: error: nesting is deeper than 2 levels [yaml-too-deep]",
        {"max_depth": 2},
    ),
    (
        "too-many-nodes",
        "[1, 2, 3]\n",
        "t.yaml:1:8: error: document has more than 3 nodes [yaml-too-many-nodes]",
        {"max_nodes": 3},
    ),
    (
        "int-too-large",
        "facts:\n  distance_km: 1234567890123456789\n",
        "t.yaml:2:16: error: integer too large: `1234567890123456789` (more than 18 digits) "
        "[yaml-int-too-large]\n"
        "  help: quote it if it is meant as text",
        {},
    ),
    (
        "negative-int-too-large",
        "- -1234567890123456789\n",
        "t.yaml:1:3: error: integer too large: `-1234567890123456789` (more than 18 digits) "
        "[yaml-int-too-large]\n"
        "  help: quote it if it is meant as text",
        {},
    ),
    (
        "float-out-of-range",
        "x: 1e999\n",
        "t.yaml:1:4: error: number out of range: `1e999` [yaml-float-range]\n"
        "  help: quote it if it is meant as text",
        {},
    ),
    (
        "tab-indentation",
        "facts:\n\tactor: ukraine\n",
        {
            "c": "t.yaml:2:1: error: found character that cannot start any token [yaml-syntax]\n"
            "  help: indent with spaces; YAML does not allow tabs for indentation",
            "py": "t.yaml:2:1: error: found character '\\t' that cannot start any token "
            "[yaml-syntax]\n"
            "  help: indent with spaces; YAML does not allow tabs for indentation",
        },
        {},
    ),
    (
        "unclosed-flow",
        "facts: {actor: ukraine\nas_of: 2024-06-01\n",
        {
            "c": "t.yaml:2:6: error: did not find expected ',' or '}' [yaml-syntax]\n"
            "  help: while parsing a flow mapping that starts at line 1, column 8",
            "py": "t.yaml:2:6: error: expected ',' or '}', but got ':' [yaml-syntax]\n"
            "  help: while parsing a flow mapping that starts at line 1, column 8",
        },
        {},
    ),
    (
        "unclosed-quote",
        'a: "unclosed\n',
        {
            "c": "t.yaml:2:1: error: found unexpected end of stream [yaml-syntax]\n"
            "  help: while scanning a quoted scalar that starts at line 1, column 4",
            "py": "t.yaml:2:1: error: found unexpected end of stream [yaml-syntax]\n"
            "  help: while scanning a quoted scalar that starts at line 1, column 4",
        },
        {},
    ),
    (
        "mapping-in-plain-value",
        "a: b: c\n",
        {
            "c": "t.yaml:1:5: error: mapping values are not allowed in this context [yaml-syntax]",
            "py": "t.yaml:1:5: error: mapping values are not allowed here [yaml-syntax]",
        },
        {},
    ),
    (
        "nul-in-text",
        "a: x\x00y\n",
        "t.yaml:1:5: error: control character `U+0000` is not allowed [file-control-char]",
        {},
    ),
    (
        "control-chars-all-reported",
        "a: \x1b[1m\nb: \x07\n",
        "t.yaml:1:4: error: control character `U+001B` is not allowed [file-control-char]\n"
        "t.yaml:2:4: error: control character `U+0007` is not allowed [file-control-char]",
        {},
    ),
    (
        "c1-control",
        "a: Ukraine\x92s\n",
        "t.yaml:1:11: error: control character `U+0092` is not allowed [file-control-char]",
        {},
    ),
    (
        "noncharacter",
        "a: x\ufffe\n",
        "t.yaml:1:5: error: character `U+FFFE` is not allowed [file-control-char]",
        {},
    ),
    (
        "lone-surrogate",
        "a: \ud800\n",
        "t.yaml:1:4: error: character `U+D800` is not allowed [file-control-char]",
        {},
    ),
    (
        "bom-in-text",
        "\ufeffa: 1\n",
        "t.yaml:1:1: error: file starts with a byte-order mark; save it as UTF-8 without BOM "
        "[file-bom]",
        {},
    ),
    (
        "long-value-truncated-and-escaped",
        "? |\n  " + "x" * 70 + "\n  y\n: 1\n" + "? |\n  " + "x" * 70 + "\n  y\n: 2\n",
        "t.yaml:5:3: error: duplicate key `" + "x" * 60 + "…` (first at line 1) "
        "[yaml-duplicate-key]",
        {},
    ),
    (
        "newline-in-key-escaped",
        '"a\\nb": 1\n"a\\nb": 2\n',
        "t.yaml:2:1: error: duplicate key `a\\nb` (first at line 1) [yaml-duplicate-key]",
        {},
    ),
]


@pytest.mark.parametrize(
    ("text", "golden", "limits"),
    [pytest.param(text, golden, limits, id=name) for name, text, golden, limits in GOLDEN_REFUSALS],
)
def test_refusal_goldens(
    loader: str, text: str, golden: str | dict[str, str], limits: dict[str, int]
) -> None:
    expected = golden[loader] if isinstance(golden, dict) else golden
    exc = refuse(text, **limits)
    assert rendered(exc) == expected
    assert str(exc) == expected
    for diag in exc.diagnostics:
        assert diag.span.file == F
        assert diag.message[:1] == diag.message[:1].lower()
        assert "\n" not in diag.message
        assert re.fullmatch(r"(yaml|file)-[a-z-]+", diag.code)


def test_refusal_diagnostics_carry_data_paths() -> None:
    exc = refuse("claims:\n  - id: a\n    id: b\n    n: 12345678901234567890\n")
    paths = {d.code: d.path for d in exc.diagnostics}
    assert paths == {
        "yaml-duplicate-key": ("claims", 0, "id"),
        "yaml-int-too-large": ("claims", 0, "n"),
    }


def test_error_collection_is_capped() -> None:
    text = "".join(f"k: {i}\n" for i in range(500))
    exc = refuse(text)
    assert 1 <= len(exc.diagnostics) <= 25
    assert {d.code for d in exc.diagnostics} == {"yaml-duplicate-key"}


def test_soft_errors_are_kept_when_a_syntax_error_follows() -> None:
    exc = refuse("a: !!str x\nb: [\n")
    assert [d.code for d in exc.diagnostics] == ["yaml-tag", "yaml-syntax"]


def test_second_document_stops_parsing_before_its_content() -> None:
    # The broken second document is never parsed: only the multi-document error shows.
    exc = refuse("a: 1\n---\nb: [\n")
    assert [d.code for d in exc.diagnostics] == ["yaml-multi-document"]


def test_directives_are_harmless(loader: str) -> None:
    assert parse_yaml("%YAML 1.1\n---\na: yes\n", F).data == {"a": "yes"}


def test_tag_directive_tags_are_refused(loader: str) -> None:
    exc = refuse("%TAG ! tag:example.com,2024:\n--- !foo\na: 1\n")
    assert [d.code for d in exc.diagnostics] == ["yaml-tag"]


def test_no_object_is_ever_constructed(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []

    def fake_system(*args: object) -> int:
        calls.append(args)
        return 0

    monkeypatch.setattr(os, "system", fake_system)
    refuse('!!python/object/apply:os.system ["echo pwned"]\n')
    refuse("a: !!python/name:os.system ''\n")
    assert calls == []


# --- deep, wide and self-referential input -------------------------------------------------


def _deep_block_mapping(depth: int) -> str:
    return "".join(" " * level + f"k{level}:\n" for level in range(depth)) + " " * depth + "x\n"


DEEP_INPUTS: list[tuple[str, Callable[[], str]]] = [
    ("flow-sequences", lambda: "[" * 3000 + "]" * 3000),
    ("flow-sequences-unclosed", lambda: "[" * 3000),
    ("flow-mappings", lambda: "{a: " * 3000 + "}" * 3000),
    ("block-sequences", lambda: "- " * 3000 + "x\n"),
    ("block-mappings", lambda: _deep_block_mapping(3000)),
]


#: Events a parse refused for depth may hand out: at most a key and a collection start for each
#: level up to the refused one, plus the stream and document starts.
DEPTH_EVENTS = 2 * (MAX_DEPTH + 2)


@pytest.mark.parametrize(("name", "make"), DEEP_INPUTS, ids=[n for n, _ in DEEP_INPUTS])
def test_3000_deep_nesting_is_refused_without_recursion(
    loader: str, name: str, make: Callable[[], str], yaml_events: list[int]
) -> None:
    exc = refuse(make())
    assert [d.code for d in exc.diagnostics] == ["yaml-too-deep"], name
    assert exc.diagnostics[0].message == "nesting is deeper than 64 levels"
    # Building stops at the 65th level: no parse reads on into the other 2,935.
    assert 1 <= len(yaml_events) <= 2, yaml_events  # libyaml, then the pure-Python re-read
    assert max(yaml_events) <= DEPTH_EVENTS, yaml_events


@contextmanager
def _recursion_headroom(frames: int) -> Iterator[None]:
    """Python's recursion limit lowered to `frames` frames above the current depth."""
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + frames)
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


def test_deep_nesting_within_a_raised_limit_is_built_iteratively(loader: str) -> None:
    # The builder keeps its own stack, so depth is bounded by max_depth, not by Python's
    # recursion limit: with 100 frames to spare, 500 or 900 levels still parse. (Under libyaml's
    # own 1,000-level limit; PyYAML's pure-Python scanner is quadratic on deep flow nesting, so
    # that loader gets the shallower input.)
    deep = 900 if loader == "c" else 500
    with _recursion_headroom(100):
        doc = parse_yaml("[" * deep + "]" * deep, F, max_depth=deep)
    node = doc.data
    depth = 0
    while isinstance(node, list):
        depth += 1
        node = node[0] if node else None
    assert depth == deep
    assert doc.positions[(0,) * (deep - 1)] == (1, deep)
    exc = refuse("[" * deep + "]" * deep, max_depth=deep - 1)
    assert exc.diagnostics[0].code == "yaml-too-deep"


def test_block_mapping_depth_boundary(loader: str) -> None:
    # _deep_block_mapping(n) nests n mappings: 64 is the limit, the 65th is refused where
    # it starts (line 65, after 64 spaces).
    assert parse_yaml(_deep_block_mapping(64), F).data is not None
    exc = refuse(_deep_block_mapping(65))
    assert exc.diagnostics[0].code == "yaml-too-deep"
    assert (exc.diagnostics[0].span.line, exc.diagnostics[0].span.col) == (65, 65)


def test_alias_bomb_is_refused_fast(loader: str, yaml_events: list[int]) -> None:
    text = (HOSTILE / "alias_bomb.yaml").read_text(encoding="utf-8")
    written = sum(1 for _ in yaml.parse(text, Loader=yaml.SafeLoader))  # aliases unexpanded
    yaml_events.clear()
    exc = refuse(text)
    # No alias is ever expanded (that document would have 9**9 nodes): the parse stops at the
    # error cap, before even the events the text writes run out.
    assert sum(yaml_events) < written, (yaml_events, written)
    assert {d.code for d in exc.diagnostics} == {"yaml-alias"}
    assert exc.diagnostics[0].render() == (
        "t.yaml:1:4: error: anchors and aliases are not allowed: `&a` [yaml-alias]"
    )
    assert len(exc.diagnostics) <= 25  # capped, not 90 lines


def test_node_limit_counts_keys_and_values(loader: str) -> None:
    text = "".join(f"k{i}: {i}\n" for i in range(50))  # 1 mapping + 100 scalars
    assert parse_yaml(text, F, max_nodes=101).data is not None
    exc = refuse(text, max_nodes=100)
    assert exc.diagnostics[0].code == "yaml-too-many-nodes"
    assert (exc.diagnostics[0].span.line, exc.diagnostics[0].span.col) == (50, 6)


def test_wide_file_within_limits_parses(loader: str) -> None:
    claims = "".join(
        f'  - id: c-{i}\n    source: s\n    quote: "q {i}"\n    tags: [a, b]\n' for i in range(2000)
    )
    doc = parse_yaml("claims:\n" + claims, F)
    assert isinstance(doc.data, dict)
    assert len(doc.data["claims"]) == 2000
    assert doc.positions[("claims", 1999, "quote")] == (2 + 4 * 1999 + 2, 12)


# --- reading files -------------------------------------------------------------------------


def _read_refusal(path: pathlib.Path, display: str = "f.yaml", **limits: int) -> str:
    with pytest.raises(LoadError) as info:
        read_text(path, display, **limits)
    return rendered(info.value)


@pytest.mark.parametrize(
    ("data", "golden"),
    [
        (
            b"\xef\xbb\xbfa: 1\n",
            "f.yaml:1:1: error: file starts with a byte-order mark; save it as UTF-8 without BOM "
            "[file-bom]",
        ),
        (
            "a: 1\n".encode("utf-16"),
            "f.yaml:1:1: error: file is UTF-16 (it starts with a UTF-16 byte-order mark); "
            "save it as UTF-8 [file-encoding]",
        ),
        (
            b"\xffa: 1\n",
            "f.yaml:1:1: error: invalid UTF-8 byte `0xff`; save the file as UTF-8 [file-encoding]",
        ),
        (
            b"facts:\n  actor: caf\xe9\n",
            "f.yaml:2:13: error: invalid UTF-8 byte `0xe9`; save the file as UTF-8 [file-encoding]",
        ),
        (
            # columns count characters: "é" is one column although two bytes
            "a: 1\r\nb: éé".encode() + b"\x80\n",
            "f.yaml:2:6: error: invalid UTF-8 byte `0x80`; save the file as UTF-8 [file-encoding]",
        ),
        (
            # a truncated multi-byte sequence at the end of the file
            b"a: \xe2\x82",
            "f.yaml:1:4: error: invalid UTF-8 byte `0xe2`; save the file as UTF-8 [file-encoding]",
        ),
        (
            b"a: 1\nb: ukr\x00aine\n",
            "f.yaml:2:7: error: control character `U+0000` is not allowed [file-control-char]",
        ),
        (
            b"a: \x0c\n",
            "f.yaml:1:4: error: control character `U+000C` is not allowed [file-control-char]",
        ),
        (
            b"a: \x7f\n",
            "f.yaml:1:4: error: control character `U+007F` is not allowed [file-control-char]",
        ),
        (
            "a: x\u0085y\n".encode(),
            "f.yaml:1:5: error: control character `U+0085` is not allowed [file-control-char]",
        ),
    ],
)
def test_read_text_encoding_goldens(tmp_path: pathlib.Path, data: bytes, golden: str) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(data)
    assert _read_refusal(path) == golden


@pytest.mark.parametrize(
    "data", [b"", b"a: 1\n", b"a:\tb\n", b"a: 1\r\nb: 2\r\n", "q: “curly” – ’\n".encode()]
)
def test_read_text_accepts_utf8_with_tab_cr_lf(tmp_path: pathlib.Path, data: bytes) -> None:
    path = tmp_path / "ok.yaml"
    path.write_bytes(data)
    assert read_text(path) == data.decode("utf-8")


def test_read_text_missing_and_directory(tmp_path: pathlib.Path) -> None:
    assert _read_refusal(tmp_path / "nope.yaml") == "f.yaml: error: file not found [file-missing]"
    assert _read_refusal(tmp_path / "nope" / "x.yaml") == (
        "f.yaml: error: file not found [file-missing]"
    )
    assert _read_refusal(tmp_path) == (
        "f.yaml: error: not a regular file (it is a directory) [file-not-regular]"
    )


def test_display_name_defaults_to_the_path(tmp_path: pathlib.Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(LoadError) as info:
        read_text(missing)
    assert info.value.diagnostics[0].span.file == str(missing)
    good = tmp_path / "a.yaml"
    good.write_text("a: 1\n", encoding="utf-8")
    assert load_yaml_file(good).file == str(good)
    assert load_yaml_file(good, "rules/a.yaml").file == "rules/a.yaml"


class _Opened(Exception):
    """read_text tried to open a file it should have refused from its `stat` alone."""


def _refused_unopened(path: pathlib.Path, display: str = "f.yaml") -> str:
    """read_text's refusal of `path`, which it must give from `os.stat` alone: any `os.open`
    (which could block on a FIFO, or read on and on from a device) fails the test at once."""

    def no_open(*args: object, **kwargs: object) -> int:
        raise _Opened(f"opened {args[0]!r}")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "open", no_open)
        with pytest.raises(LoadError) as info:
            read_text(path, display)
    return rendered(info.value)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_is_refused_without_blocking(tmp_path: pathlib.Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    assert _refused_unopened(fifo) == (
        "f.yaml: error: not a regular file (it is a named pipe) [file-not-regular]"
    )


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_dev_zero_is_refused_fast(tmp_path: pathlib.Path) -> None:
    assert _refused_unopened(pathlib.Path("/dev/zero")) == (
        "f.yaml: error: not a regular file (it is a character device) [file-not-regular]"
    )
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    assert "[file-not-regular]" in _refused_unopened(link)


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no unix sockets")
def test_socket_is_refused() -> None:
    with tempfile.TemporaryDirectory(prefix="cr") as short:  # socket paths must be short
        path = pathlib.Path(short) / "s.yaml"
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.bind(str(path))
            assert _refused_unopened(path) == (
                "f.yaml: error: not a regular file (it is a socket) [file-not-regular]"
            )
        finally:
            sock.close()


def test_symlink_to_regular_file_is_read(tmp_path: pathlib.Path) -> None:
    target = tmp_path / "real.yaml"
    target.write_text("a: 1\n", encoding="utf-8")
    link = tmp_path / "link.yaml"
    link.symlink_to(target)
    assert load_yaml_file(link).data == {"a": 1}


def test_5mb_file_is_refused_fast(tmp_path: pathlib.Path) -> None:
    fixtures = make_fixtures()
    big = fixtures.write_big_file(tmp_path / "big.yaml")
    size = big.stat().st_size
    assert size >= 5 * 1024 * 1024
    # Refused from its size alone: not one byte of it is read.
    assert _refused_unopened(big, "big.yaml") == (
        f"big.yaml: error: file is too large: {size} bytes (the limit is {MAX_FILE_BYTES}) "
        "[file-too-large]"
    )


def test_size_limit_boundary(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(b"a: 12345\n")  # 9 bytes
    assert read_text(path, max_bytes=9) == "a: 12345\n"
    assert _read_refusal(path, max_bytes=8) == (
        "f.yaml: error: file is too large: 9 bytes (the limit is 8) [file-too-large]"
    )


def test_read_is_bounded_even_when_stat_lies(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Files like those under /proc report size 0 but have content; a file may also grow
    # between stat and read. Only max_bytes + 1 bytes may ever be read.
    path = tmp_path / "f.yaml"
    path.write_bytes(b"x" * 1000)
    real_stat = os.stat

    def lying_stat(p: object, *args: object, **kwargs: object) -> os.stat_result:
        st_real = real_stat(p, *args, **kwargs)  # type: ignore[arg-type]
        fields = list(st_real[:10])
        fields[stat.ST_SIZE] = 0
        return os.stat_result(fields)

    reads: list[int] = []
    real_read = os.read

    def counting_read(fd: int, n: int) -> bytes:
        data = real_read(fd, n)
        reads.append(len(data))
        return data

    monkeypatch.setattr(os, "stat", lying_stat)
    monkeypatch.setattr(os, "read", counting_read)
    refusal = _read_refusal(path, max_bytes=100)
    assert refusal == "f.yaml: error: file is too large: more than 100 bytes [file-too-large]"
    assert sum(reads) == 101


def test_open_failure_is_reported(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "f.yaml"
    path.write_text("a: 1\n", encoding="utf-8")

    def refuse_open(*args: object, **kwargs: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "open", refuse_open)
    assert _read_refusal(path) == (
        "f.yaml: error: cannot read file: permission denied [file-unreadable]"
    )


def test_load_yaml_file_passes_limits(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text("a: {b: [1, 2]}\n", encoding="utf-8")
    assert load_yaml_file(path).data == {"a": {"b": [1, 2]}}
    for limits, code in [
        ({"max_bytes": 5}, "file-too-large"),
        ({"max_depth": 2}, "yaml-too-deep"),
        ({"max_nodes": 3}, "yaml-too-many-nodes"),
    ]:
        with pytest.raises(LoadError) as info:
            load_yaml_file(path, "f.yaml", **limits)
        assert info.value.diagnostics[0].code == code


# --- the hostile fixtures ----------------------------------------------------------------

# name -> ("refused", [codes in order], (line, col) of the first) | ("data", expected data)
HOSTILE_CASES: dict[str, tuple[str, object, object]] = {
    "alias_bomb.yaml": ("refused", ["yaml-alias"] * 20, (1, 4)),
    "alias_cycle.yaml": ("refused", ["yaml-alias", "yaml-alias"], (1, 9)),
    "anchor_only.yaml": ("refused", ["yaml-alias"], (1, 11)),
    "bare_string.yaml": ("data", "just a string", None),
    "bom.yaml": ("refused", ["file-bom"], (1, 1)),
    "c1_control.yaml": ("refused", ["file-control-char"], (2, 17)),
    "comment_only.yaml": ("data", None, None),
    "complex_key.yaml": ("refused", ["yaml-key-type"], (2, 5)),
    "control_char.yaml": ("refused", ["file-control-char", "file-control-char"], (2, 10)),
    "crlf.yaml": ("data", {"facts": {"actor": "ukraine", "distance_km": 12}}, None),
    "deep_block_map.yaml": ("refused", ["yaml-too-deep"], (65, 129)),
    "deep_block_seq.yaml": ("refused", ["yaml-too-deep"], (1, 129)),
    "deep_flow.yaml": ("refused", ["yaml-too-deep"], (1, 65)),
    "duplicate_key.yaml": ("refused", ["yaml-duplicate-key"], (4, 5)),
    "empty.yaml": ("data", None, None),
    "float_overflow.yaml": ("refused", ["yaml-float-range"], (2, 16)),
    "hex_0x1f.yaml": ("data", {"facts": {"distance_km": "0x1F"}}, None),
    "huge_int.yaml": ("refused", ["yaml-int-too-large"], (2, 16)),
    "invalid_date.yaml": ("data", {"as_of": "2024-02-30", "facts": {}}, None),
    "merge_key.yaml": ("refused", ["yaml-merge-key"], (4, 5)),
    "nan.yaml": ("data", {"facts": {"distance_km": ".nan"}}, None),
    "non_utf8.yaml": ("refused", ["file-encoding"], (2, 13)),
    "nonstring_key.yaml": ("refused", ["yaml-key-type", "yaml-key-type"], (2, 3)),
    "norway_no.yaml": ("data", {"facts": {"country": "NO"}}, None),
    "nul_byte.yaml": ("refused", ["file-control-char"], (2, 13)),
    "octal_010.yaml": ("data", {"facts": {"distance_km": "010"}}, None),
    "on_key.yaml": ("data", {"facts": {"on": "yes", "off": "no"}}, None),
    "sexagesimal.yaml": ("data", {"facts": {"distance_km": "12:30"}}, None),
    "syntax_error.yaml": ("refused", ["yaml-syntax"], (2, 6)),
    "tab_indent.yaml": ("refused", ["yaml-syntax"], (2, 1)),
    "tag_custom.yaml": ("refused", ["yaml-tag"], (2, 10)),
    "tag_python_apply.yaml": ("refused", ["yaml-tag"], (1, 8)),
    "tag_python_object.yaml": ("refused", ["yaml-tag"], (3, 13)),
    "tag_str.yaml": ("refused", ["yaml-tag"], (2, 10)),
    "two_documents.yaml": ("refused", ["yaml-multi-document"], (2, 1)),
    "unknown_top_key.yaml": (
        "data",
        {"claimz": [{"id": "dw-go-ahead", "source": "dw-2024-05-30"}]},
        None,
    ),
    "unquoted_date.yaml": ("data", {"as_of": "2024-05-30", "facts": {}}, None),
    "utf16.yaml": ("refused", ["file-encoding"], (1, 1)),
    "wrong_types.yaml": (
        "data",
        {
            "claims": {
                "id": "dw-go-ahead",
                "source": 2024,
                "quote": ["not", "a", "string"],
                "tags": "kharkiv",
                "attributed_to": True,
            }
        },
        None,
    ),
}


def test_hostile_fixture_table_covers_every_file() -> None:
    # Every top-level fixture is in the table and in the README; fixtures for other layers
    # (model, CLI) live in subfolders and are checked by their own tests.
    on_disk = {p.name for p in HOSTILE.iterdir() if p.is_file()} - {
        "README.md",
        "make_fixtures.py",
    }
    assert on_disk == set(HOSTILE_CASES), "add new top-level fixtures to HOSTILE_CASES"
    assert len(on_disk) >= 25
    readme = (HOSTILE / "README.md").read_text(encoding="utf-8")
    for name in on_disk:
        assert f"`{name}`" in readme, f"{name} is not described in tests/hostile/README.md"


def test_every_hostile_file_in_subfolders_gives_a_document_or_a_load_error() -> None:
    for path in sorted(HOSTILE.rglob("*")):
        if path.is_file() and path.parent != HOSTILE and path.suffix in {".yaml", ".yml"}:
            try:
                doc = load_yaml_file(path)
            except LoadError as exc:
                assert exc.diagnostics, path
            else:
                _assert_plain(doc.data)


def test_generated_fixtures_are_up_to_date(tmp_path: pathlib.Path) -> None:
    fixtures = make_fixtures()
    written = fixtures.write(tmp_path)
    assert written
    for path in written:
        assert (HOSTILE / path.name).read_bytes() == path.read_bytes(), (
            f"{path.name} is stale: run python tests/hostile/make_fixtures.py"
        )


@pytest.mark.parametrize("name", sorted(HOSTILE_CASES))
def test_hostile_fixture(loader: str, name: str) -> None:
    kind, expected, where = HOSTILE_CASES[name]
    path = HOSTILE / name
    if kind == "data":
        doc = load_yaml_file(path, name)
        assert doc.data == expected
        assert doc.file == name
        return
    with pytest.raises(LoadError) as info:
        load_yaml_file(path, name)
    diags = info.value.diagnostics
    assert [d.code for d in diags] == expected
    assert (diags[0].span.file, diags[0].span.line, diags[0].span.col) == (name, *where)  # type: ignore[misc]


def test_hostile_scalars_keep_their_types() -> None:
    # Valid YAML that the models refuse later: here only the resolved types matter.
    def leaf(name: str, *path: str) -> object:
        node: object = load_yaml_file(HOSTILE / name).data
        for part in path:
            assert isinstance(node, dict)
            node = node[part]
        return node

    for name, path in [
        ("norway_no.yaml", ("facts", "country")),
        ("octal_010.yaml", ("facts", "distance_km")),
        ("sexagesimal.yaml", ("facts", "distance_km")),
        ("nan.yaml", ("facts", "distance_km")),
        ("unquoted_date.yaml", ("as_of",)),
        ("invalid_date.yaml", ("as_of",)),
        ("hex_0x1f.yaml", ("facts", "distance_km")),
    ]:
        assert type(leaf(name, *path)) is str, name
    assert type(leaf("wrong_types.yaml", "claims", "source")) is int


# --- properties ----------------------------------------------------------------------------

YAMLISH = st.text(
    alphabet=st.sampled_from([*"ab01e.-+:,[]{}&*!|>'\"#?~%@`<= \n\t\r\\", "é", "\u2028"]),
    max_size=60,
)


@settings(
    derandomize=True,
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.one_of(YAMLISH, st.text(max_size=60)))
def test_arbitrary_text_gives_a_document_or_a_load_error(text: str) -> None:
    try:
        doc = parse_yaml(text, F)
    except LoadError as exc:
        assert exc.diagnostics
        for diag in exc.diagnostics:
            assert "\n" not in diag.message
            assert diag.span.file == F
        return
    assert isinstance(doc, Document)
    _assert_plain(doc.data)


def _assert_plain(node: object) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            assert type(key) is str
            _assert_plain(value)
    elif isinstance(node, list):
        for item in node:
            _assert_plain(item)
    else:
        assert node is None or type(node) in (str, int, float, bool)


# What our resolver reads as a float. PyYAML's YAML 1.1 resolver does not (it wants a dot
# and a signed exponent), so safe_dump writes such strings unquoted: `"1e5"` -> `1e5`.
OUR_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+(?:[eE][-+]?[0-9]+)?|[eE][-+]?[0-9]+)")
C1_OR_DEL = re.compile("[\x7f-\x9f]")

KEYS = st.text(max_size=12).filter(lambda s: not OUR_FLOAT.fullmatch(s))
LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**18) + 1, max_value=10**18 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(["010", "yes", "NO", "on", "12:30", "2024-05-30", ".nan", "~", "1e5"])
)
JSONISH = st.recursive(
    LEAVES,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=20,
)


def _same(original: object, parsed: object) -> bool:
    """Equal, except that a string which our resolver reads as a float may come back a float."""
    if isinstance(original, dict):
        return (
            isinstance(parsed, dict)
            and original.keys() == parsed.keys()
            and all(_same(v, parsed[k]) for k, v in original.items())
        )
    if isinstance(original, list):
        return (
            isinstance(parsed, list)
            and len(original) == len(parsed)
            and all(_same(a, b) for a, b in zip(original, parsed, strict=True))
        )
    if isinstance(original, str) and isinstance(parsed, float):
        return OUR_FLOAT.fullmatch(original) is not None and float(original) == parsed
    return type(original) is type(parsed) and original == parsed


def _has_c1(node: object) -> bool:
    if isinstance(node, dict):
        return any(C1_OR_DEL.search(k) or _has_c1(v) for k, v in node.items())
    if isinstance(node, list):
        return any(_has_c1(v) for v in node)
    return isinstance(node, str) and C1_OR_DEL.search(node) is not None


@settings(derandomize=True, max_examples=300, deadline=None)
@given(JSONISH, st.booleans())
def test_safe_dump_round_trips(data: object, allow_unicode: bool) -> None:
    text = yaml.safe_dump(data, allow_unicode=allow_unicode)
    try:
        doc = parse_yaml(text, F)
    except LoadError as exc:
        # With allow_unicode, safe_dump writes DEL/C1 characters raw, which we refuse.
        assert allow_unicode
        assert _has_c1(data)
        assert {d.code for d in exc.diagnostics} == {"file-control-char"}
        return
    assert _same(data, doc.data), (text, doc.data)


@pytest.mark.parametrize(
    ("value", "dumped", "parsed"),
    [
        # safe_dump quotes what YAML 1.1 would resolve, so these stay strings
        ("010", "'010'", "010"),
        ("yes", "'yes'", "yes"),
        ("NO", "'NO'", "NO"),
        ("12:30", "'12:30'", "12:30"),
        ("2024-05-30", "'2024-05-30'", "2024-05-30"),
        (".nan", "'.nan'", ".nan"),
        ("1.5", "'1.5'", "1.5"),
        ("", "''", ""),
        # but not a dot-less or unsigned exponent: YAML 1.1 calls `1e5` a string, we a float
        ("1e5", "1e5", 100000.0),
        ("1.5e3", "1.5e3", 1500.0),
    ],
)
def test_safe_dump_quoting_of_ambiguous_strings(value: str, dumped: str, parsed: object) -> None:
    text = yaml.safe_dump({"x": value})
    assert text == f"x: {dumped}\n"
    data = parse_yaml(text, F).data
    assert isinstance(data, dict)
    assert data == {"x": parsed}
    assert type(data["x"]) is type(parsed)


def test_safe_dump_of_a_float_like_key_is_refused() -> None:
    exc = refuse(yaml.safe_dump({"1e5": 1}))
    assert [d.code for d in exc.diagnostics] == ["yaml-key-type"]


def test_safe_dump_floats_come_back_as_floats() -> None:
    for value in [0.5, -0.0, 1e17, 1e-5, 5e-324, 1.7976931348623157e308]:
        data = parse_yaml(yaml.safe_dump({"x": value}), F).data
        assert isinstance(data, dict)
        assert data == {"x": value}
        assert type(data["x"]) is float
    # inf and nan are dumped as `.inf` / `.nan`, which stay strings here
    assert parse_yaml(yaml.safe_dump({"x": float("inf")}), F).data == {"x": ".inf"}


# --- plain_json: JSON read as parse_yaml reads it -------------------------------------------


def _strictly_equal(a: object, b: object) -> bool:
    """Equal, down to each value's type (`1 == True`, so `==` alone would not tell)."""
    if isinstance(a, dict):
        return (
            type(b) is dict
            and list(a) == list(b)
            and all(_strictly_equal(v, b[k]) for k, v in a.items())
        )
    if isinstance(a, list):
        return type(b) is list and len(a) == len(b) and all(
            _strictly_equal(x, y) for x, y in zip(a, b, strict=True)
        )
    return type(a) is type(b) and a == b


#: Text that JSON and YAML may read apart: escapes, YAML line breaks, floats, `-0`, C1.
JSON_TRICKY = st.sampled_from(
    ["\\", "\\u00e9", "\\n", "\x85", "\u2028", "\u2029", "\ufeff", "\x80", "\t", "é", " ", "-0",
     "1.5", "1e5", "NaN", "<<", "~", "null", "true", ":", "#", "&a", "*a", "!t", "'", '"']
)
JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | JSON_TRICKY
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8) | JSON_TRICKY, children, max_size=4),
    max_leaves=16,
)


#: Values `plain_json` mostly reads (the tricky ones above it mostly leaves).
PLAIN_TEXT = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x7e, blacklist_characters='\\"')
    | st.sampled_from("éß日本\u00a0\U0001f600"),
    max_size=12,
)
PLAIN_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**18) + 1, 10**18 - 1) | PLAIN_TEXT,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(PLAIN_TEXT, children, max_size=4),
    max_leaves=16,
)


@settings(derandomize=True, max_examples=300, deadline=None)
@given(
    st.dictionaries(PLAIN_TEXT, PLAIN_VALUES, max_size=5)
    | st.dictionaries(PLAIN_TEXT | JSON_TRICKY, JSON_VALUES, max_size=5),
    st.booleans(),
    st.sampled_from([(", ", ": "), (",", ":"), (" , ", " : ")]),
    st.sampled_from(["", "dup", "raw"]),
)
def test_plain_json_reads_what_parse_yaml_reads(
    data: dict[str, object], ascii_only: bool, separators: tuple[str, str], twist: str
) -> None:
    """Whatever `plain_json` reads, `parse_yaml` reads to the same values, types included;
    what it leaves (None), `parse_yaml` still decides."""
    text = json.dumps(data, ensure_ascii=ascii_only, separators=separators)
    if twist == "dup" and data:  # a duplicate key, which JSON would quietly keep the last of
        first = json.dumps(next(iter(data)), ensure_ascii=ascii_only)
        text = "{" + first + separators[1] + "1" + separators[0] + text[1:]
    elif twist == "raw":  # a raw character where JSON would escape it
        text = text.replace("\\u0085", "\x85").replace("\\t", "\t").replace("\\u2028", "\u2028")
    got = plain_json(text)
    if got is None:
        return
    assert _strictly_equal(got, parse_yaml(text, F).data), text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"facts": {"actor": "ukraine", "n": 3, "b": true, "x": null}}',
         {"facts": {"actor": "ukraine", "n": 3, "b": True, "x": None}}),
        ('{"as_of":"2024-05-30","sources":["nyt"]}', {"as_of": "2024-05-30", "sources": ["nyt"]}),
        ('{"é": "日本"}', {"é": "日本"}),
        ('{"a": 1, "a": 2}', None),  # duplicate: parse_yaml refuses it
        ('{"a": 1.5}', None),  # a float: its text decides what it is
        ('{"a": -0}', None),  # `-0` stays a string for this reader
        ('{"a": 1234567890123456789}', None),  # more digits than an int64: refused
        ('{"a": NaN}', None),
        ('{"a": "\\u00e9"}', None),  # an escape
        ('{"a": "x\u2028y"}', None),  # a YAML line break, folded in a quoted scalar
        ('{"a":\t1}', None),
        ('\ufeff{"a": 1}', None),
        ('[1, 2]', None),
        (' {"a": 1}', None),
        ('{"a": 1,}', None),
        ("{" + '"' + "k" * 1001 + '": 1}', None),  # a key PyYAML may not find
        ('{"a": "' + "x" * (64 * 1024) + '"}', None),  # longer than PLAIN_JSON_CHARS
    ],
)
def test_plain_json_reads_plain_objects_and_leaves_the_rest(
    text: str, expected: object
) -> None:
    got = plain_json(text)
    assert _strictly_equal(got, expected), got
    if got is not None:
        assert _strictly_equal(parse_yaml(text, F).data, got)
