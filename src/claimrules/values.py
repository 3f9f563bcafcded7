"""A base and a decorator for the frozen dataclasses of the domain and the decisions: none of
their methods is compiled at import.

`@dataclass(frozen=True)` compiles six methods per class at import (`exec` of generated source),
and start-up of a cached `claimrules eval` defines over forty such classes. A class declared
`@plain_value` (or `@plain_value(slots=True)`) that derives from `PlainValue` behaves as
`@dataclass(frozen=True)` would make it:

- equal when of the same class with equal compared fields, hashed on those fields (`hash` of
  the same tuple), shown as `Name(field=value, ...)` with the fields whose `repr` is on: three
  functions shared by every class (`PlainValue`);
- frozen: assigning or deleting an attribute raises `dataclasses.FrozenInstanceError` (two more
  shared functions), and a slotted one is copied and pickled field by field;
- built by an `__init__` that sets each field with `object.__setattr__` (calling a default
  factory when its argument is left out) and then calls `__post_init__()` if the class has one.
  That one is per class, for speed, but not compiled: it is a copy of the code of the template
  for its number of fields (`claimrules.inits`) with the class's field names put in its place.

It is still a dataclass: `dataclasses.fields`, `replace` and `asdict` work, and its
`__dataclass_params__` says `frozen` and `init`. Fields `__init__` does not take, `InitVar`s and
keyword-only fields are not supported (a `TypeError` at class creation says so).
"""

from __future__ import annotations

import dataclasses
import reprlib
import types
from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform, overload

from claimrules import inits

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

    def __setattr__(self, name: str, value: object) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")

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

    def __repr__(self) -> str:
        return _repr(self)


@reprlib.recursive_repr()
def _repr(self: object) -> str:
    """`Name(field=value, ...)` with the fields whose `repr` is on, as a dataclass shows it."""
    shown = _SHOWN.get(self.__class__)
    if shown is None:
        _learn(self.__class__)
        shown = _SHOWN[self.__class__]
    fmt, values = shown
    return fmt.format(*values(self))


# --- the decorator ----------------------------------------------------------------------------

_C = TypeVar("_C", bound=type)


@overload
def plain_value(cls: _C, /) -> _C: ...
@overload
def plain_value(*, slots: bool = ..., weakref_slot: bool = ...) -> Callable[[_C], _C]: ...


@dataclass_transform(frozen_default=True, eq_default=False,
                     field_specifiers=(dataclasses.field, dataclasses.Field))
def plain_value(
    cls: _C | None = None, /, *, slots: bool = False, weakref_slot: bool = False
) -> _C | Callable[[_C], _C]:
    """Make `cls` (a subclass of `PlainValue`) a frozen dataclass without compiling any of its
    methods (see the module's docstring)."""

    def wrap(cls: _C) -> _C:
        return _make(cls, True, slots, weakref_slot)

    return wrap if cls is None else wrap(cls)


@overload
def record(cls: _C, /) -> _C: ...
@overload
def record(
    *, frozen: bool = ..., slots: bool = ..., weakref_slot: bool = ...
) -> Callable[[_C], _C]: ...


@dataclass_transform(eq_default=False, field_specifiers=(dataclasses.field, dataclasses.Field))
def record(
    cls: _C | None = None, /, *, frozen: bool = False, slots: bool = False,
    weakref_slot: bool = False,
) -> _C | Callable[[_C], _C]:
    """Make `cls` what `@dataclass(eq=False, frozen=..., slots=..., weakref_slot=...)` makes of
    it — compared and hashed by identity, shown by its fields — without compiling any of its
    methods: the `__init__` of `plain_value`, the shared repr, and when frozen the shared
    `__setattr__` and `__delattr__`. Fields that `__init__` does not take are allowed when they
    have no default: the class's `__post_init__` sets them."""

    def wrap(cls: _C) -> _C:
        return _make(cls, frozen, slots, weakref_slot, plain=False)

    return wrap if cls is None else wrap(cls)


def _make(cls: _C, frozen: bool, slots: bool, weakref_slot: bool, *, plain: bool = True) -> _C:
    if plain and not issubclass(cls, PlainValue):
        raise TypeError(f"{cls.__qualname__}: a plain value derives from PlainValue")
    # No method generated: no __init__, repr, eq or frozen __setattr__ (PlainValue has them).
    made: Any = dataclasses.dataclass(cls, init=False, repr=False, eq=False, frozen=False,
                                      slots=slots, weakref_slot=weakref_slot)
    fields = dataclasses.fields(made)
    own: dict[str, Any] = made.__dict__["__dataclass_fields__"]
    set_later = [f for f in fields if not f.init]
    if (len(own) != len(fields) or any(f.kw_only for f in fields) or (plain and set_later)
            or any(f.default is not dataclasses.MISSING
                   or f.default_factory is not dataclasses.MISSING for f in set_later)):
        raise TypeError(f"{cls.__qualname__}: its fields are all plain positional fields that "
                        "__init__ takes" + ("" if plain else " (or that __post_init__ sets)"))
    made.__init__ = _make_init(made, tuple(f for f in fields if f.init))
    if not plain:
        made.__repr__ = _repr
        if frozen:
            made.__setattr__ = PlainValue.__setattr__
            made.__delattr__ = PlainValue.__delattr__
    if slots and frozen:
        made.__getstate__ = _getstate
        made.__setstate__ = _setstate
    params = made.__dict__["__dataclass_params__"]  # this class's own: it says what it is
    params.init = True
    params.repr = not plain
    params.frozen = frozen
    result: _C = made
    return result


def _getstate(self: Any) -> list[object]:
    """A slotted value's state for `copy` (and its kin), as a frozen dataclass gives it."""
    return [getattr(self, f.name) for f in dataclasses.fields(self)]


def _setstate(self: Any, state: list[object]) -> None:
    for f, item in zip(dataclasses.fields(self), state, strict=True):
        object.__setattr__(self, f.name, item)


class _HasFactory:
    """The default of an argument whose field has a default factory."""

    def __repr__(self) -> str:
        return "<factory>"


_HAS_FACTORY = _HasFactory()


def _make_init(cls: type, fields: tuple[dataclasses.Field[Any], ...]) -> Callable[..., None]:
    """The class's `__init__`, doing what `@dataclass(frozen=True)`'s does: the template of its
    number of fields (`claimrules.inits`) with its field names in place of the placeholders (as
    parameter names and as the attributes set) and its defaults; then, for a class with default
    factories or a `__post_init__`, a call of `_finish`."""
    seen_default = False
    defaults: list[object] = []
    factories: list[tuple[str, Callable[[], object]]] = []
    for f in fields:
        if f.name in ("self", "_set"):  # the template's own names
            raise TypeError(f"{cls.__qualname__}: a plain value has no field named {f.name!r}")
        if f.default_factory is not dataclasses.MISSING:
            factories.append((f.name, f.default_factory))
            defaults.append(_HAS_FACTORY)
        elif f.default is not dataclasses.MISSING:
            defaults.append(f.default)
        elif seen_default:
            raise TypeError(f"non-default argument {f.name!r} follows default argument")
        seen_default = bool(defaults)
    if len(fields) >= len(inits.TEMPLATES):
        raise TypeError(f"{cls.__qualname__}: more fields than `claimrules.inits` has templates")
    template = inits.TEMPLATES[len(fields)].__code__
    names = {f"_a{i}": f.name for i, f in enumerate(fields)}
    qualname = f"{cls.__qualname__}.__init__"
    code = template.replace(
        co_varnames=tuple(names.get(n, n) for n in template.co_varnames),
        co_consts=tuple(names.get(c, c) if isinstance(c, str) else c
                        for c in template.co_consts),
        co_name="__init__",
        co_qualname=qualname,
    )
    init: Callable[..., None] = types.FunctionType(
        code, vars(inits), "__init__", tuple(defaults) or None)
    init.__qualname__ = qualname
    init.__module__ = cls.__module__
    init.__annotations__ = {**{f.name: f.type for f in fields}, "return": None}
    post_init = getattr(cls, "__post_init__", None) is not None
    return _finishing(init, tuple(factories), post_init) if factories or post_init else init


def _finishing(
    init: Callable[..., None], factories: tuple[tuple[str, Callable[[], object]], ...],
    post_init: bool,
) -> Callable[..., None]:
    """`init`, then each default factory called for the argument left out, then
    `__post_init__()` when the class has one."""

    def __init__(self: Any, *args: object, **kwargs: object) -> None:
        init(self, *args, **kwargs)
        for name, factory in factories:
            if getattr(self, name) is _HAS_FACTORY:
                object.__setattr__(self, name, factory())
        if post_init:
            self.__post_init__()

    __init__.__qualname__ = init.__qualname__
    __init__.__module__ = init.__module__
    __init__.__wrapped__ = init  # type: ignore[attr-defined]  # inspect.signature shows init's
    return __init__
