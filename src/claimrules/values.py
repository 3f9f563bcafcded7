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
from operator import attrgetter
from typing import Any

#: For a class: its compared fields and its hashed fields as one tuple each (the class is the
#: last item, so that attrgetter always gives a tuple), and its repr's format with its shown
#: fields. Filled on first use of each class, then only looked up.
_COMPARED: dict[type, attrgetter[Any]] = {}
_HASHED: dict[type, attrgetter[Any]] = {}
_SHOWN: dict[type, tuple[str, attrgetter[Any]]] = {}


def _learn(cls: type) -> None:
    fields = dataclasses.fields(cls)
    compared = [f.name for f in fields if f.compare]
    hashed = [f.name for f in fields if (f.compare if f.hash is None else f.hash)]
    shown = [f.name for f in fields if f.repr]
    _COMPARED[cls] = attrgetter(*compared, "__class__")
    _HASHED[cls] = attrgetter(*hashed, "__class__")
    fmt = ", ".join(f"{name}={{!r}}" for name in shown)
    _SHOWN[cls] = (f"{cls.__qualname__}({fmt})", attrgetter(*shown, "__class__"))


class PlainValue:
    """Equality, hash and repr of a frozen dataclass, from its fields (see the module)."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        cls = self.__class__
        if other.__class__ is not cls:
            return NotImplemented
        compared = _COMPARED.get(cls)
        if compared is None:
            _learn(cls)
            compared = _COMPARED[cls]
        return bool(compared(self) == compared(other))

    def __hash__(self) -> int:
        hashed = _HASHED.get(self.__class__)
        if hashed is None:
            _learn(self.__class__)
            hashed = _HASHED[self.__class__]
        return hash(hashed(self))

    @reprlib.recursive_repr()
    def __repr__(self) -> str:
        shown = _SHOWN.get(self.__class__)
        if shown is None:
            _learn(self.__class__)
            shown = _SHOWN[self.__class__]
        fmt, values = shown
        return fmt.format(*values(self))
