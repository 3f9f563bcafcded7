"""Diagnostics: errors as values with a file span, a data path, a stable code and a help line."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import field
from enum import StrEnum
from operator import attrgetter

from claimrules.values import PlainValue, plain_value, record

DataPath = tuple[str | int, ...]


class Severity(StrEnum):
    """How bad a diagnostic is."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@plain_value
class Span(PlainValue):
    """A place in a file: 1-based line and column; 0 means the position is unknown. Spans are
    ordered as `@dataclass(order=True)` orders them: by file, then line, then column."""

    file: str
    line: int = 0
    col: int = 0

    def __lt__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return _place(self) < _place(other)

    def __le__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return _place(self) <= _place(other)

    def __gt__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return _place(self) > _place(other)

    def __ge__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return _place(self) >= _place(other)

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.col}"


_place = attrgetter("file", "line", "col")


@plain_value
class Diagnostic(PlainValue):
    """One problem found in the input, with where it is in the files and in the data."""

    code: str
    message: str
    span: Span
    path: DataPath = ()
    help: str | None = None
    severity: Severity = Severity.ERROR
    #: Further lines that explain the cause (an archive passage beside a quote, the errors
    #: that follow from this one and are not shown), each rendered as `  note: ...`.
    notes: tuple[str, ...] = ()

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Order by file, then position, then code and message."""
        return (self.span.file, self.span.line, self.span.col, self.code, self.message)

    def render(self) -> str:
        """The one-line form `file:line:col: error: message [code]`, plus an indented help line.

        User values may carry control characters or line breaks (from escapes in quoted YAML):
        they are escaped, and long messages truncated, so one diagnostic stays one safe line.
        """
        text = f"{_safe(str(self.span))}: {self.severity}: {_safe(self.message)} [{self.code}]"
        if self.help:
            text += f"\n  help: {_safe(self.help)}"
        for note in self.notes:
            text += f"\n  note: {_safe(note, _MAX_NOTE)}"
        return text

    def display_message(self) -> str:
        """The message as `render` shows it: control characters escaped, length capped."""
        return _safe(self.message)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready mapping."""
        return {
            "code": self.code,
            "severity": str(self.severity),
            "message": self.message,
            "file": self.span.file,
            "line": self.span.line,
            "col": self.span.col,
            "path": format_path(self.path),
            "help": self.help,
            "notes": list(self.notes),
        }


_MAX_MESSAGE = 300
#: Note lines may carry a passage of an archive to copy: longer, still bounded.
_MAX_NOTE = 2000


#: Control characters, line separators and the bidirectional controls that reorder what a
#: terminal shows (U+202E "right-to-left override" and kin). A pattern's text: `re` compiles
#: it on first use (and keeps it), so a run that renders no diagnostic never does.
_UNSAFE = r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]"


def _safe(text: str, limit: int = _MAX_MESSAGE) -> str:
    """Escape control characters and line breaks; truncate very long messages."""
    text = re.sub(_UNSAFE, lambda m: repr(m.group())[1:-1], text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def follow_on_note(count: int) -> str:
    """The one line that stands for the errors caused by a root error and not shown."""
    if count == 1:
        return "1 error that follows from this one not shown"
    return f"{count} errors that follow from this one not shown"


def format_path(path: DataPath) -> str:
    """Render a data path as `claims[3].quote`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def sort_diagnostics(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sort and de-duplicate diagnostics by location."""
    seen: set[tuple[object, ...]] = set()
    out: list[Diagnostic] = []
    for d in sorted(diags, key=Diagnostic.sort_key):
        key = (d.sort_key(), d.path)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


@record
class LoadError(Exception):
    """Raised when input cannot be used; carries every diagnostic found, sorted.

    What `@dataclass` made of it (equal when of the same class with equal diagnostics, and so
    unhashable), without compiling its methods at start-up (`claimrules.values.record`)."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.diagnostics = sort_diagnostics(self.diagnostics)
        super().__init__(self.__str__())

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return bool(self.diagnostics == other.diagnostics)

    __hash__ = None  # type: ignore[assignment]

    def __str__(self) -> str:
        return "\n".join(d.render() for d in self.diagnostics)


def did_you_mean(word: str, choices: Sequence[str]) -> str | None:
    """A help line suggesting the closest of `choices`, or None."""
    import difflib  # noqa: PLC0415 - only on a mistake: keeps a cached eval's start-up short

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if close:
        return f"did you mean `{close[0]}`?"
    return None
