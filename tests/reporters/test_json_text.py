"""`reporters.json.indented` writes the text `json.dumps(obj, ensure_ascii=False, indent=2)`
writes, byte for byte, for every value the JSON reporter builds and any other; values it does
not write itself are left to `json.dumps` (the same text, or the same error). `dumps` writes
that text made inert (`escape.json_text`), string by string."""

from __future__ import annotations

import json
import math
from enum import IntEnum, StrEnum
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claimrules.reporters import escape
from claimrules.reporters.json import dumps, indented


class Colour(StrEnum):
    RED = "red"


class Size(IntEnum):
    BIG = 7


def _reference(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2)


_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(),
    st.sampled_from([Colour.RED, Size.BIG, -0.0, math.inf, -math.inf, math.nan, 1e300, 2**70,
                     "\u2028\x7f\x85\u202e", "\x00\x1f\"\\", "é 日本 🎉"]),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.lists(inner, max_size=4).map(tuple)
    | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=30,
)


@given(_values)
def test_the_same_text_as_json_dumps(value: object) -> None:
    assert indented(value) == _reference(value)


@pytest.mark.parametrize("value", [
    {}, [], (), {"a": {}}, [[]], {"a": [], "b": [{}]}, [None, True, False, 0, 1.5, "x"],
])
def test_empty_and_flat_containers(value: object) -> None:
    assert indented(value) == _reference(value)


@pytest.mark.parametrize("value", [
    {1: "a"}, {None: 1, True: 2, 2.5: 3},  # keys that are not strings
    [{"b": {Size.BIG: "x"}}],
])
def test_other_keys_are_left_to_json(value: Any) -> None:
    assert indented(value) == _reference(value)


@pytest.mark.parametrize("value", [object(), {"a": [1, {2, 3}]}, {"d": b"bytes"},
                                   {"a": {(1, 2): 3}}])
def test_what_json_cannot_hold_raises_as_json_does(value: object) -> None:
    with pytest.raises(TypeError) as ours:
        indented(value)
    with pytest.raises(TypeError) as theirs:
        _reference(value)
    assert str(ours.value) == str(theirs.value)


def test_a_circular_value_raises_as_json_does() -> None:
    loop: list[object] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        indented(loop)


_unsafe_text = st.text(alphabet=st.sampled_from(
    ["a", "é", " ", "\x7f", "\x85", "\x9f", "\xa0", "\u061c", "\u200e", "\u200f", "\u2028",
     "\u202e", "\u202f", "\u2066", "\u2069", "\u206a", "\x00", "\x1f", "\n", "日"]), max_size=8)
_inert_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), _unsafe_text),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(_unsafe_text, inner, max_size=4),
    max_leaves=20,
)


@given(_inert_values)
def test_dumps_is_the_escaped_text_of_json_dumps(value: object) -> None:
    # Each string escaped as written is the whole text escaped after (escape.json_text).
    assert dumps(value) == escape.json_text(_reference(value))


@given(_unsafe_text)
def test_json_safe_says_whether_json_text_changes_a_string(text: str) -> None:
    written = json.dumps(text, ensure_ascii=False)
    assert escape.json_safe(text) == (escape.json_text(written) == written)


def test_every_character_json_text_escapes_is_found() -> None:
    for code in range(0x3000):
        text = chr(code)
        written = json.dumps(text, ensure_ascii=False)
        assert escape.json_safe(text) == (escape.json_text(written) == written), hex(code)
