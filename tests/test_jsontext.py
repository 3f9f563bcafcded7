"""`claimrules.jsontext` reads JSON as `json.loads` reads it and writes strings as
`json.encoder.encode_basestring` writes them (it calls the C accelerator `_json` directly, so
that a cached eval does not import the `json` package)."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claimrules import jsontext

_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text()),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=30,
)


def _same(a: object, b: object) -> bool:
    """Equal, with NaN equal to NaN and each value of the same type."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


@given(_values, st.sampled_from(["", " ", "\n", " \t\r\n "]), st.booleans(), st.booleans())
def test_loads_reads_what_json_loads_reads(value: object, space: str, ascii_only: bool,
                                           indent: bool) -> None:
    text = space + json.dumps(value, ensure_ascii=ascii_only, indent=2 if indent else None) \
        + space
    assert _same(jsontext.loads(text), json.loads(text))


@pytest.mark.parametrize("text", [
    "", " ", "{", "[1,]", '{"a" 1}', "[1] [2]", "nul", "1 2", '"\\x"', "[1]x", "\ufeff[]",
    '"a\x00b"', "'a'", "{1: 2}",
])
def test_loads_refuses_what_json_loads_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        json.loads(text)
    with pytest.raises(ValueError):
        jsontext.loads(text)


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity", "[NaN, -Infinity]",
                                  '{"a": 1, "a": 2}', "1e400", "-0", "12345678901234567890"])
def test_loads_reads_the_edge_cases_json_loads_reads(text: str) -> None:
    assert _same(jsontext.loads(text), json.loads(text))


@given(st.text())
def test_string_writes_what_json_writes(text: str) -> None:
    assert jsontext.string(text) == json.encoder.encode_basestring(text)
    assert jsontext.string(text) == json.dumps(text, ensure_ascii=False)
