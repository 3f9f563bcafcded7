"""Shared model configuration and constrained types."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints

from claimrules.load.domain import SLUG_MAX, SLUG_PATTERN, parse_iso_date

__all__ = ["IsoDate", "Model", "Name", "Slug", "Text", "parse_iso_date"]


IsoDate = Annotated[date, BeforeValidator(parse_iso_date)]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=SLUG_MAX)]
Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=80)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]


class Model(BaseModel):
    """Strict, frozen, closed: unknown keys are errors."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, populate_by_name=False)
