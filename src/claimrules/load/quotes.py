"""Finding a quote in an archived text: exact, except that runs of whitespace compare equal.

Case, curly quotes, apostrophes and dashes must match exactly. In an archive of excerpts, a
quote must lie inside one excerpt (excerpts are separated by blank lines).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WS = re.compile(r"\s+")
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")


@dataclass(frozen=True)
class Archive:
    """An archived text, normalised once for fast quote lookups."""

    text: str
    excerpts: bool
    normal: str  # whitespace runs collapsed to one space
    origin: tuple[int, ...]  # origin[i] = offset in `text` of normal[i]; one extra end entry

    @classmethod
    def of(cls, text: str, *, excerpts: bool = False) -> Archive:
        """Normalise `text` and remember where each character came from."""
        parts: list[str] = []
        origin: list[int] = []
        pos = 0
        for m in _WS.finditer(text):
            chunk = text[pos : m.start()]
            parts.append(chunk)
            origin.extend(range(pos, m.start()))
            parts.append(" ")
            origin.append(m.start())
            pos = m.end()
        parts.append(text[pos:])
        origin.extend(range(pos, len(text)))
        origin.append(len(text))
        return cls(text, excerpts, "".join(parts), tuple(origin))

    def find(self, quote: str) -> tuple[int, int] | None:
        """Offsets `(start, end)` of the first occurrence of `quote` in the text, or None."""
        needle = _WS.sub(" ", quote).strip()
        if not needle:
            return None
        at = self.normal.find(needle)
        while at >= 0:
            start = self.origin[at]
            end = self.origin[at + len(needle) - 1] + 1
            if not (self.excerpts and _BLANK_LINE.search(self.text, start, end)):
                return start, end
            at = self.normal.find(needle, at + 1)
        return None

