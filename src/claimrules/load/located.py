"""A validated model with where it was read: its document and its data path there."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from claimrules.diagnostics import DataPath, Span
from claimrules.load.yamlsafe import Document, position_of


@dataclass(frozen=True)
class Located:
    """A validated model with the document it came from and its data path there."""

    model: Any
    doc: Document
    path: DataPath

    def span(self, *sub: str | int, key: bool = False) -> Span:
        """Where this item (or a field of it) is."""
        line, col = position_of(self.doc, (*self.path, *sub), key=key)
        return Span(self.doc.file, line, col)
