"""Scenarios: their files read, their facts validated and typed against the ruleset's
vocabulary."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import field
from datetime import date
from typing import cast

from claimrules.diagnostics import DataPath, Diagnostic, LoadError, Span, did_you_mean
from claimrules.load.domain import (
    SLUG_MAX,
    SLUG_PATTERN,
    Fact,
    FactType,
    FactValue,
    JsonValue,
    parse_iso_date,
)
from claimrules.values import PlainValue, plain_value

#: An integer and a decimal number as a fact's value may be written. Patterns' texts: `re`
#: compiles each on first use (and keeps it), so a scenario without number facts never does.
_INT = r"-?(0|[1-9][0-9]{0,17})"
_FLOAT = r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?"

Locate = Mapping[DataPath, tuple[int, int]]


class ScenarioError(LoadError):
    """A scenario names an unknown fact or gives a value of the wrong type."""


def _type_hint(fact: Fact) -> str:
    if fact.type is FactType.ENUM:
        return "one of " + ", ".join(f"`{v}`" for v in fact.value_names())
    if fact.type is FactType.BOOL:
        return "`true` or `false`"
    if fact.type is FactType.DATE:
        return "a date written `YYYY-MM-DD`"
    return "a number"


#: The words a boolean fact accepts (any case), beside YAML/JSON `true` and `false`.
_TRUE = frozenset({"true", "yes"})
_FALSE = frozenset({"false", "no"})


def coerce_value(fact: Fact, value: object, *, strings: bool = False) -> FactValue:
    """Type one value by its fact; raise ValueError with a user-facing message."""
    if fact.type is FactType.ENUM:
        names = fact.value_names()
        if isinstance(value, str) and value in names:
            return value
        hint = did_you_mean(str(value), names) if isinstance(value, str) else None
        msg = f"`{value}` is not a value of `{fact.name}`; expected {_type_hint(fact)}"
        raise ValueError(msg + (f" ({hint})" if hint else ""))
    if fact.type is FactType.BOOL:
        if isinstance(value, bool):
            return value
        # Questions are put as yes/no, so yes/no answer them, wherever a scenario is written.
        word = value.strip().lower() if isinstance(value, str) else None
        if word in _TRUE or word in _FALSE:
            return word in _TRUE
        raise ValueError(
            f"`{value}` is not a boolean for `{fact.name}`; expected `true`/`yes` or "
            "`false`/`no`"
        )
    if fact.type is FactType.DATE:
        try:
            parsed = parse_iso_date(value)
        except ValueError as exc:
            raise ValueError(f"`{fact.name}`: {exc}") from None
        if not isinstance(parsed, date):  # pragma: no cover - parse_iso_date returns dates
            raise TypeError("parse_iso_date returned a non-date")
        return parsed
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise ValueError(f"`{value}` is not a finite number for `{fact.name}`")
        number: FactValue = value
    elif strings and isinstance(value, str) and re.fullmatch(_INT, value):
        number = int(value)
    elif strings and isinstance(value, str) and re.fullmatch(_FLOAT, value):
        number = float(value)
        if not math.isfinite(number):  # `1e999` overflows to infinity
            raise ValueError(f"`{value}` is out of range for `{fact.name}`")
    else:
        raise ValueError(f"`{value}` is not a number for `{fact.name}`")
    if fact.minimum is not None and number < fact.minimum:  # type: ignore[operator]
        raise ValueError(f"`{number}` is below the minimum {fact.minimum} of `{fact.name}`")
    if fact.maximum is not None and number > fact.maximum:  # type: ignore[operator]
        raise ValueError(f"`{number}` is above the maximum {fact.maximum} of `{fact.name}`")
    return number


def coerce_facts(
    vocabulary: Mapping[str, Fact],
    raw: Mapping[str, object],
    *,
    file: str = "<facts>",
    base: DataPath = (),
    positions: Locate | None = None,
    strings: bool = False,
) -> dict[str, FactValue]:
    """Type every fact of a scenario; a `None` value means the fact is unknown (left out).

    Every problem is collected and raised together as a ScenarioError.
    """
    out: dict[str, FactValue] = {}
    problems: list[Diagnostic] = []

    def span(path: DataPath) -> Span:
        line, col = (positions or {}).get(path, (0, 0))
        return Span(file, line, col)

    for name, value in raw.items():
        path = (*base, name)
        fact = vocabulary.get(name)
        if fact is None:
            problems.append(
                Diagnostic(
                    "unknown-fact",
                    f"unknown fact `{name}`",
                    span(path),
                    path,
                    help=did_you_mean(name, list(vocabulary))
                    or "known facts: " + ", ".join(vocabulary),
                )
            )
            continue
        if value is None:
            continue
        try:
            out[name] = coerce_value(fact, value, strings=strings)
        except ValueError as exc:
            problems.append(Diagnostic("bad-fact-value", str(exc), span(path), path))
    if problems:
        raise ScenarioError(problems)
    return out


# --- scenario files --------------------------------------------------------------------------


@plain_value(slots=True)
class ScenarioInput(PlainValue):
    """A scenario file's fields, its facts still as written (`coerce_facts` types them)."""

    facts: dict[str, JsonValue] = field(default_factory=dict)
    as_of: date | None = None
    known_by: date | None = None
    sources: tuple[str, ...] | None = None


_SCENARIO_KEYS = frozenset(["facts", "as_of", "known_by", "sources"])


def plain_scenario(data: object) -> ScenarioInput | None:
    """The scenario when `data` is plainly valid (what the `Scenario` model would accept, to
    the same values); None when it is not, or not plainly so."""
    if not isinstance(data, dict) or not data.keys() <= _SCENARIO_KEYS:
        return None
    facts = data.get("facts", {})
    if not isinstance(facts, dict) or not all(
        isinstance(k, str) and _plain_json(v, 0) for k, v in facts.items()
    ):
        return None
    dates: list[date | None] = []
    for key in ("as_of", "known_by"):
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            return None  # a date object, a number…: the model words what is wrong
        try:
            dates.append(None if value is None else cast(date, parse_iso_date(value)))
        except ValueError:
            return None
    sources = data.get("sources")
    if sources is not None and not (
        isinstance(sources, list)
        and all(isinstance(s, str) and len(s) <= SLUG_MAX and re.fullmatch(SLUG_PATTERN, s)
                for s in sources)
    ):
        return None
    return ScenarioInput(
        dict(facts), dates[0], dates[1], tuple(sources) if sources is not None else None
    )


def _plain_json(value: object, depth: int) -> bool:
    if depth > 32:
        return False
    if value is None or isinstance(value, str | bool | int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_plain_json(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain_json(v, depth + 1) for k, v in value.items())
    return False
