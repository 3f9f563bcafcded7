"""A JSON codec for the ruleset's plain values, derived from their dataclass fields.

Every value is encoded in a self-describing form: a dataclass as its class name and fields, a
`StrEnum` as its class name and value, a date and a tuple tagged as such, so that decoding
needs no hand-written function per entity and a new field is carried without another line of
code. Decoding builds only the classes registered here (data only: no code is ever named by an
entry), and raises ValueError for anything else.

This module imports neither pydantic nor PyYAML.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date
from enum import StrEnum
from typing import Any

from claimrules.load import domain
from claimrules.load.ruleset import ClaimRecord

#: The classes an entry may name, by name.
_CLASSES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        domain.EnumValue,
        domain.Fact,
        domain.Disagreement,
        domain.Constraint,
        domain.RulesetMeta,
        domain.Archive,
        domain.DateBound,
        domain.Source,
        domain.Attribution,
        domain.Period,
        domain.Claim,
        domain.Test,
        domain.All,
        domain.Any_,
        domain.Not,
        domain.Unknown,
        domain.RuleEffective,
        domain.Refinement,
        domain.UnreportedTerms,
        domain.NotePart,
        domain.Rule,
        domain.Expectation,
        domain.Case,
        ClaimRecord,
    )
}
_ENUMS: dict[str, type[StrEnum]] = {
    cls.__name__: cls
    for cls in (domain.FactType, domain.ClaimKind, domain.Modality, domain.Effect)
}


def encode(value: object) -> Any:
    """A JSON-ready form of a plain value (see the module's docstring)."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, StrEnum):
        return {"$e": type(value).__name__, "v": value.value}
    if isinstance(value, str):
        return value
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if isinstance(value, tuple):
        return {"$t": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {"$m": [[encode(k), encode(v)] for k, v in value.items()]}
    name = type(value).__name__
    if dataclasses.is_dataclass(value) and _CLASSES.get(name) is type(value):
        return {
            "$c": name,
            "f": {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)},
        }
    raise ValueError(f"cannot encode a {name}")


def decode(data: Any) -> Any:
    """The value `encode` was given. Raises ValueError on anything it did not write."""
    if data is None or isinstance(data, bool | int | float | str):
        return data
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        raise ValueError("not an encoded value")
    if "$d" in data:
        return date.fromisoformat(data["$d"])
    if "$t" in data:
        return tuple(decode(v) for v in data["$t"])
    if "$m" in data:
        return {decode(k): decode(v) for k, v in data["$m"]}
    if "$e" in data:
        return _ENUMS[data["$e"]](data["v"])
    if "$c" in data:
        cls = _CLASSES.get(data["$c"])
        if cls is None:
            raise ValueError(f"unknown class `{data['$c']}`")
        fields = {f.name for f in dataclasses.fields(cls) if f.init}
        given = data["f"]
        if not isinstance(given, dict) or set(given) - fields:
            raise ValueError(f"bad fields for `{data['$c']}`")
        values = {k: decode(v) for k, v in given.items()}
        hints = _hints(cls)
        for name, value in values.items():
            if not _conforms(value, hints[name]):
                raise ValueError(f"`{data['$c']}.{name}` has the wrong type")
        return cls(**values)
    raise ValueError("not an encoded value")


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    """A class's resolved field types (its annotations are strings: PEP 563)."""
    found = _HINTS.get(cls)
    if found is None:
        found = _HINTS[cls] = typing.get_type_hints(cls)
    return found


def _conforms(value: object, hint: Any) -> bool:
    """Whether a decoded value has the type a field declares, so that an entry whose data was
    damaged is refused here rather than met later by the evaluator."""
    if hint is Any or hint is object:
        return True
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        return any(_conforms(value, arm) for arm in typing.get_args(hint))
    if hint is None or hint is type(None):
        return value is None
    if origin is tuple:
        args = typing.get_args(hint)
        if not isinstance(value, tuple):
            return False
        if len(args) == 2 and args[1] is Ellipsis:
            return all(_conforms(v, args[0]) for v in value)
        return len(args) == len(value) and all(map(_conforms, value, args))
    if origin in (list, dict):
        if not isinstance(value, origin):
            return False
        args = typing.get_args(hint)
        if origin is list:
            return all(_conforms(v, args[0]) for v in value)
        return all(_conforms(k, args[0]) and _conforms(v, args[1])
                   for k, v in value.items())
    if origin is typing.Literal:
        return value in typing.get_args(hint)
    if isinstance(hint, type):
        if hint is float:
            return isinstance(value, int | float) and not isinstance(value, bool)
        if hint is int:
            return isinstance(value, int) and not isinstance(value, bool)
        if hint is date:
            return isinstance(value, date)
        return isinstance(value, hint)
    return True  # a form this codec never writes a narrower check for
