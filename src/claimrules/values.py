"""A base for the frozen dataclasses of the domain and the decisions: their equality, hash and
repr as three shared functions, instead of three generated per class.

`@dataclass(frozen=True)` compiles six methods per class at import (`exec` of generated source),
and start-up of a cached `claimrules eval` defines over forty such classes. A class declared
`@dataclass(frozen=True, eq=False, repr=False)` that derives from `PlainValue` behaves as the
plain frozen dataclass would: equal when of the same class with equal compared fields, hashed
on those fields (`hash` of the same tuple), shown as `Name(field=value, ...)` with the fields
whose `repr` is on. Only `__init__`, `__setattr__` and `__delattr__` are still generated.
"""

from __future__ import annotations

import dataclasses
import reprlib
from collections.abc import Callable
from operator import attrgetter
from typing import Any

#: For a class: its compared fields as a tuple, its hashed fields as a tuple, its shown fields.
_Plan = tuple[Callable[[Any], tuple[Any, ...]], Callable[[Any], tuple[Any, ...]], tuple[str, ...]]

_PLANS: dict[type, _Plan] = {}


def _getter(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """The values of `names` of an object, always as a tuple (attrgetter unwraps one name)."""
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    if not names:
        return lambda obj: ()
    getter: Callable[[Any], tuple[Any, ...]] = attrgetter(*names)
    return getter


def _plan(cls: type) -> _Plan:
    found = _PLANS.get(cls)
    if found is None:
        fields = dataclasses.fields(cls)
        compared = [f.name for f in fields if f.compare]
        hashed = [f.name for f in fields if (f.compare if f.hash is None else f.hash)]
        found = _PLANS[cls] = (
            _getter(compared), _getter(hashed), tuple(f.name for f in fields if f.repr)
        )
    return found


class PlainValue:
    """Equality, hash and repr of a frozen dataclass, from its fields (see the module)."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        compared = _plan(self.__class__)[0]
        return compared(self) == compared(other)

    def __hash__(self) -> int:
        return hash(_plan(self.__class__)[1](self))

    @reprlib.recursive_repr()
    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in _plan(self.__class__)[2])
        return f"{self.__class__.__qualname__}({shown})"
