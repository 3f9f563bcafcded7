"""Shared model configuration and constrained types."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_iso_date(value: object) -> object:
    """Accept a `YYYY-MM-DD` string (or a date); refuse numbers and other strings."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _DATE_RE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"`{value}` is not a valid calendar date") from None
    raise ValueError(f"expected a date written `YYYY-MM-DD`, got `{value}`")


IsoDate = Annotated[date, BeforeValidator(parse_iso_date)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=120)]
Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=80)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]


class Model(BaseModel):
    """Strict, frozen, closed: unknown keys are errors."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, populate_by_name=False)
