"""A JSON codec for the ruleset's plain values, derived from their dataclass fields.

Every value is encoded in a self-describing form: a dataclass as its class name and fields, a
`StrEnum` as its class name and value, a date and a tuple tagged as such, so that decoding
needs no hand-written function per entity and a new field is carried without another line of
code. Decoding builds only the classes registered here (data only: no code is ever named by an
entry), and raises ValueError for anything else.

This module imports neither pydantic nor PyYAML.
"""

from __future__ import annotations

import ast
import builtins
import dataclasses
import sys
import types
import typing
from collections.abc import Callable
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


#: What JSON reads a scalar as: decoded as it is (the look-up is cheaper than `isinstance`).
_SCALARS = frozenset({str, bool, int, float, type(None)})


def decode(data: Any, shared: dict[str, object] | None = None) -> Any:
    """The value `encode` was given. Raises ValueError on anything it did not write.

    `shared`: for an encoded dataclass whose writer left fields out because it holds their
    values already decoded (a claim's source, stored once with the ruleset's sources), those
    values by field name; they are checked as the decoded ones are."""
    if type(data) in _SCALARS or isinstance(data, bool | int | float | str):
        return data
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        raise ValueError("not an encoded value")
    if "$d" in data:
        return date.fromisoformat(data["$d"])
    if "$t" in data:
        return tuple([v if type(v) in _SCALARS else decode(v) for v in data["$t"]])
    if "$m" in data:
        return {decode(k): decode(v) for k, v in data["$m"]}
    if "$e" in data:
        return _ENUMS[data["$e"]](data["v"])
    if "$c" in data:
        cls = _CLASSES.get(data["$c"])
        if cls is None:
            raise ValueError(f"unknown class `{data['$c']}`")
        checks = _field_checks(cls)
        given = data["f"]
        if not isinstance(given, dict) or not checks.keys() >= given.keys():
            raise ValueError(f"bad fields for `{data['$c']}`")
        values: dict[str, object] = {}
        for name, encoded in given.items():
            value = encoded if type(encoded) in _SCALARS else decode(encoded)
            check = checks[name]
            if check is not None and not check(value):
                raise ValueError(f"`{data['$c']}.{name}` has the wrong type")
            values[name] = value
        for name, value in (shared or {}).items():
            if name in values or name not in checks:
                raise ValueError(f"bad fields for `{data['$c']}`")
            check = checks[name]
            if check is not None and not check(value):
                raise ValueError(f"`{data['$c']}.{name}` has the wrong type")
            values[name] = value
        return cls(**values)
    raise ValueError("not an encoded value")


#: Tells whether a decoded value has the type its field declares (None: any value will do).
Check = Callable[[object], bool] | None

_CHECKS: dict[type, dict[str, Check]] = {}


def _field_checks(cls: type) -> dict[str, Check]:
    """A class's fields that `__init__` takes, each with the check of its declared type: built
    once per class from its resolved annotations (strings: PEP 563), then only called."""
    found = _CHECKS.get(cls)
    if found is None:
        space = vars(sys.modules[cls.__module__])
        found = _CHECKS[cls] = {
            f.name: _check(_resolve(f.type, space), space)
            for f in dataclasses.fields(cls) if f.init
        }
    return found


_RESOLVED: dict[tuple[str, str], Any] = {}


def _resolve(annotation: Any, space: dict[str, Any]) -> Any:
    """A field's annotation as a type, read in its module (the same few strings recur across
    the classes: each is read once). The strings are this package's own source; they are read
    as expressions of names, `X | Y`, `X[...]` and constants, and never run."""
    if not isinstance(annotation, str):
        return annotation
    key = (space["__name__"], annotation)
    found = _RESOLVED.get(key, _RESOLVED)
    if found is _RESOLVED:
        found = _RESOLVED[key] = _type_of(ast.parse(annotation, mode="eval").body, space)
    return found


def _type_of(node: ast.expr, space: dict[str, Any]) -> Any:
    """The type an annotation's expression names. A quoted name stays a string: a forward
    reference, which no check narrows (as `typing.get_type_hints` leaves one nested)."""
    if isinstance(node, ast.Name):
        return space[node.id] if node.id in space else getattr(builtins, node.id)
    if isinstance(node, ast.Attribute):
        return getattr(_type_of(node.value, space), node.attr)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _type_of(node.left, space) | _type_of(node.right, space)
    if isinstance(node, ast.Subscript):
        index = node.slice
        args = (tuple(_type_of(e, space) for e in index.elts) if isinstance(index, ast.Tuple)
                else _type_of(index, space))
        return _type_of(node.value, space)[args]
    if isinstance(node, ast.Constant):
        return node.value  # None, the `...` of `tuple[X, ...]`, or a quoted name
    raise ValueError(f"cannot read the annotation `{ast.unparse(node)}`")


def _check(hint: Any, space: dict[str, Any]) -> Check:
    """The check of a declared type, so that an entry whose data was damaged is refused here
    rather than met later by the evaluator. A bool is never taken for an int or a float; an
    int is a float."""
    if hint is Any or hint is object:
        return None
    if isinstance(hint, str):  # a quoted name inside an alias: a forward reference
        return _forward_check(hint, space)
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        return _union_check(typing.get_args(hint), space)
    if hint is None or hint is type(None):
        return _is_none
    if origin is tuple:
        return _tuple_check(typing.get_args(hint), space)
    if origin is list or origin is dict:
        return _container_check(origin, typing.get_args(hint), space)
    if origin is typing.Literal:
        allowed = typing.get_args(hint)
        return lambda value: value in allowed
    if isinstance(hint, type):
        return _union_check((hint,), space)
    return None  # a form this codec never writes a narrower check for


_FORWARD: dict[tuple[str, str], Callable[[object], bool]] = {}


def _forward_check(name: str, space: dict[str, Any]) -> Callable[[object], bool]:
    """The check of a type named by a string inside an alias (JsonValue names itself): its
    check is built on first use, so that a recursive alias is checked to the data's depth."""
    key = (space["__name__"], name)
    found = _FORWARD.get(key)
    if found is None:
        built: list[Check] = []

        def check(value: object) -> bool:
            if not built:
                built.append(_check(_resolve(name, space), space))
            return built[0] is None or built[0](value)

        found = _FORWARD[key] = check
    return found


def _is_none(value: object) -> bool:
    return value is None


def _union_check(arms: tuple[Any, ...], space: dict[str, Any]) -> Check:
    """Any arm will do. Plain classes are folded into one `isinstance`; the rest are tried in
    turn."""
    plain: list[type] = []
    others: list[Callable[[object], bool]] = []
    for arm in arms:
        if arm is None or arm is type(None):
            plain.append(type(None))
        elif isinstance(arm, type) and typing.get_origin(arm) is None:
            plain.extend((int, float) if arm is float else (arm,))
        else:
            check = _check(arm, space)
            if check is None:
                return None
            others.append(check)
    classes = tuple(plain)
    # A bool is an int to isinstance: it passes only where some arm takes bools as such.
    bool_ok = any(issubclass(bool, c) and c not in (int, float) for c in classes)
    refuse_bools = not bool_ok and any(issubclass(bool, c) for c in classes)

    def plain_check(value: object) -> bool:
        return isinstance(value, classes) and not (refuse_bools and isinstance(value, bool))

    if not others:
        return plain_check
    if not classes:
        return lambda value: any(check(value) for check in others)
    return lambda value: plain_check(value) or any(check(value) for check in others)


def _tuple_check(args: tuple[Any, ...], space: dict[str, Any]) -> Check:
    if len(args) == 2 and args[1] is Ellipsis:
        item = _check(args[0], space)
        if item is None:
            return lambda value: isinstance(value, tuple)
        each = item
        return lambda value: isinstance(value, tuple) and all(map(each, value))
    checks = [_check(a, space) for a in args]
    return lambda value: (
        isinstance(value, tuple)
        and len(value) == len(checks)
        and all(c is None or c(v) for c, v in zip(checks, value, strict=True))
    )


def _container_check(origin: type, args: tuple[Any, ...], space: dict[str, Any]) -> Check:
    if origin is list:
        item = _check(args[0], space)
        return lambda value: isinstance(value, list) and (
            item is None or all(map(item, value))
        )
    key, val = _check(args[0], space), _check(args[1], space)
    return lambda value: isinstance(value, dict) and all(
        (key is None or key(k)) and (val is None or val(v)) for k, v in value.items()
    )
