"""What a one-shot `claimrules eval` of a cached ruleset pays for at start-up, bounded by work
rather than by the clock (the timing is in bench/): the modules it imports beyond click, and the
methods the value classes generate at import (none: see `claimrules.values`); and the shared
methods that replace generated ones behave as the generated ones do."""

from __future__ import annotations

import dataclasses
import inspect
import itertools
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from claimrules import evaluate, inits
from claimrules.engine import decision
from claimrules.load import domain
from claimrules.values import PlainValue
from conftest import SHIPPED

_PROBE = """
import json, sys
before = set(sys.modules)
import click
after_click = set(sys.modules)
from claimrules.cli.main import main
sys.argv = ["claimrules", *sys.argv[1:]]
try:
    main()
except SystemExit as exc:
    assert not exc.code, exc.code
print(json.dumps(sorted(set(sys.modules) - after_click)), file=sys.stderr)
"""

#: Modules outside claimrules that a cached eval may import beyond those of `import click`:
#: each is used on that path (paths, file hashes, the entry's JSON, the dataclasses, the
#: override index, the help texts' gettext look-up). Adding one is a start-up cost: say why here.
_ALLOWED_BEYOND_CLICK = {
    "_blake2",  # the cache entry's file and code digests (BLAKE2b, built in)
    "json", "json.decoder", "json.encoder", "json.scanner", "_json",  # the entry, the output
    "dataclasses", "copy",  # the value classes
    "heapq", "_heapq", "gc", "math",  # engine.compile (click brings math on 3.11, not on 3.12+)
    "locale", "_locale",  # click's gettext, when the commands are built
}

#: Modules the cached eval path must not import: each was paid for at start-up and is only
#: needed elsewhere (HTML output, writing a file, a did-you-mean, a date error, loading YAML).
_NEVER = ("html", "html.entities", "secrets", "random", "base64", "hmac", "difflib", "calendar",
          "pydantic", "yaml", "claimrules.load.loader",
          # pathlib (and the urllib.parse, ipaddress, fnmatch it brings): the hit path checks
          # the ruleset's files with os (load.ruleset.yaml_names), and only a write, a warning
          # or a path that does not exist imports it
          "pathlib", "urllib.parse", "ipaddress",
          # hashlib loads OpenSSL (2 ms): the cache's digests are the built-in BLAKE2b; only a
          # full load's sha256 of the files it reads needs it
          "hashlib", "_hashlib")


@pytest.fixture(scope="module")
def cached_eval_imports(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The modules a cached `eval --format json` imports beyond `import click` (the second of
    two runs: the first fills the cache)."""
    env = {**os.environ, "CLAIMRULES_CACHE_DIR": str(tmp_path_factory.mktemp("cache"))}
    env.pop("CLAIMRULES_NO_CACHE", None)
    argv = [sys.executable, "-c", _PROBE, "eval", str(SHIPPED), "--fact", "actor=ukraine",
            "--fact", "munitions_origin=us", "--format", "json"]
    runs = [subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
            for _ in range(2)]
    for run in runs:
        assert run.returncode == 0, run.stderr
    assert json.loads(runs[1].stdout)["verdict"] == json.loads(runs[0].stdout)["verdict"]
    imported: list[str] = json.loads(runs[1].stderr.strip().splitlines()[-1])
    assert "pydantic" in json.loads(runs[0].stderr.strip().splitlines()[-1])  # it was a miss
    return imported


def test_a_cached_eval_imports_nothing_it_does_not_use(cached_eval_imports: list[str]) -> None:
    assert [m for m in _NEVER if m in cached_eval_imports] == []
    others = {m for m in cached_eval_imports if m.partition(".")[0] != "claimrules"}
    assert others - _ALLOWED_BEYOND_CLICK == set()


def test_a_cached_eval_imports_a_bounded_part_of_claimrules(
    cached_eval_imports: list[str],
) -> None:
    ours = [m for m in cached_eval_imports if m.partition(".")[0] == "claimrules"]
    # 34 at the time of writing (the engine split by concern, the CLI by command group): the
    # loader, the analyses and every reporter but JSON stay out.
    assert 15 <= len(ours) <= 40, ours
    assert not any(m.startswith(("claimrules.analysis", "claimrules.authoring")) for m in ours)


# --- the value classes generate no equality, hash or repr of their own ------------------------


def _value_classes() -> list[type]:
    return [
        cls for module in (domain, decision) for cls in vars(module).values()
        if isinstance(cls, type) and dataclasses.is_dataclass(cls)
        and cls.__module__ == module.__name__
    ]


def test_the_frozen_values_compile_no_method_of_their_own() -> None:
    classes = _value_classes()
    assert len(classes) >= 35
    for cls in classes:
        params = cls.__dataclass_params__  # type: ignore[attr-defined]
        assert params.frozen, cls
        assert issubclass(cls, PlainValue), cls
        assert not params.eq and not params.repr, cls  # else each class compiles its own
        # equality, hash, repr and the frozen __setattr__ / __delattr__ are PlainValue's ...
        shared = {"__eq__", "__hash__", "__repr__", "__setattr__", "__delattr__"}
        assert shared.isdisjoint(vars(cls)), cls
        # ... and __init__ is a copy of a template's code, compiled with claimrules/inits.py
        init = inspect.unwrap(vars(cls)["__init__"])
        assert init.__code__.co_filename == inits.__file__, cls


# --- ... and they behave as the generated ones -----------------------------------------------


def _reachable(value: object, seen: dict[int, object]) -> Iterator[PlainValue]:
    """Every PlainValue inside `value` (fields, tuples, lists and dict values), once each."""
    if id(value) in seen:
        return
    seen[id(value)] = value
    if isinstance(value, PlainValue):
        yield value
        for f in dataclasses.fields(value):  # type: ignore[arg-type]
            yield from _reachable(getattr(value, f.name), seen)
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _reachable(item, seen)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _reachable(item, seen)


_REFERENCES: dict[type, Any] = {}


def _reference(value: PlainValue) -> object:
    """The same value as an instance of a plain generated `@dataclass(frozen=True)` of the same
    name and fields."""
    cls = type(value)
    ref = _REFERENCES.get(cls)
    if ref is None:
        ref = _REFERENCES[cls] = dataclasses.make_dataclass(
            cls.__qualname__,
            [(f.name, object, dataclasses.field(compare=f.compare, hash=f.hash, repr=f.repr))
             for f in dataclasses.fields(cls)],  # type: ignore[arg-type]
            frozen=True,
        )
    return ref(**{f.name: getattr(value, f.name)
                  for f in dataclasses.fields(value)})  # type: ignore[arg-type]


def _hash(value: object) -> int | None:
    try:
        return hash(value)
    except TypeError:  # a field holds a dict or a list: unhashable, as generated
        return None


def test_shared_methods_answer_as_generated_ones(shipped: Any) -> None:
    facts = {"actor": "ukraine", "munitions_origin": "us", "target_location": "russia"}
    roots = [shipped.meta, shipped.sources, shipped.claims, shipped.rules, shipped.cases,
             evaluate(shipped, facts), evaluate(shipped, {**facts, "weapon_class": "atacms"})]
    seen: dict[int, object] = {}
    values = [v for root in roots for v in _reachable(root, seen)]
    kinds = {type(v) for v in values}
    assert len(values) > 300 and len(kinds) >= 20, sorted(k.__name__ for k in kinds)
    for value in values:
        ref = _reference(value)
        assert repr(value) == repr(ref)
        assert (_hash(value) is None) == (_hash(ref) is None)
        assert value == value.__class__(**{f.name: getattr(value, f.name)
                                           for f in dataclasses.fields(value)})  # type: ignore[arg-type]
        assert value != ref  # another class, even with the same fields
    by_kind: dict[type, list[PlainValue]] = {}
    for value in values:
        by_kind.setdefault(type(value), []).append(value)
    for group in by_kind.values():
        for a, b in itertools.islice(itertools.combinations(group, 2), 400):
            assert (a == b) == (_reference(a) == _reference(b))
            assert (a != b) == (_reference(a) != _reference(b))
            if a == b and _hash(a) is not None:
                assert hash(a) == hash(b)


def test_a_changed_field_makes_another_value() -> None:
    a = domain.Test("actor", "is", "ukraine")
    assert a == domain.Test("actor", "is", "ukraine")
    assert hash(a) == hash(domain.Test("actor", "is", "ukraine"))
    assert a != domain.Test("actor", "is", "russia")
    assert a != ("actor", "is", "ukraine")
    assert {a: 1}[domain.Test("actor", "is", "ukraine")] == 1
    assert repr(domain.Not(a)) == "Not(not_=Test(fact='actor', operator='is', operand='ukraine'))"
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.fact = "other"  # type: ignore[misc]

