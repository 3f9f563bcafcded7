"""`reporters.json.indented` writes the text `json.dumps(obj, ensure_ascii=False, indent=2)`
writes, byte for byte, for every value the JSON reporter builds and any other; values it does
not write itself are left to `json.dumps` (the same text, or the same error)."""

from __future__ import annotations

import json
import math
from enum import IntEnum, StrEnum
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claimrules.reporters.json import indented


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
