"""Scenario facts: validated and typed against the ruleset's vocabulary."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date

from claimrules.diagnostics import DataPath, Diagnostic, LoadError, Span, did_you_mean
from claimrules.domain import Fact, FactType, FactValue, parse_iso_date

_INT = re.compile(r"-?(0|[1-9][0-9]{0,17})")
_FLOAT = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")

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
        if strings and value in ("true", "false"):
            return value == "true"
        raise ValueError(
            f"`{value}` is not a boolean for `{fact.name}`; expected `true` or `false`"
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
    elif strings and isinstance(value, str) and _INT.fullmatch(value):
        number = int(value)
    elif strings and isinstance(value, str) and _FLOAT.fullmatch(value):
        number = float(value)
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
