"""Batch input: one JSON (or YAML flow) scenario per line, read as bytes in flat memory.

Lines are read as bytes in chunks, never as a whole file, and each line is decoded on its own,
so a line that is too long, not UTF-8 or holds a NUL is one bad line — the same from a file as
from standard input — and every other line is still read. A line longer than
`MAX_LINE_BYTES` is skipped to its end without being kept; one with no end in sight (more than
`MAX_SKIP_BYTES`, such as `/dev/zero`) ends the batch with an input error. Nothing here prints.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import BinaryIO

from claimrules.diagnostics import Diagnostic, LoadError, Span
from claimrules.load.domain import Fact
from claimrules.load.scenario import coerce_facts
from claimrules.load.scenario_file import Resolved, read_scenario_input, unknown_sources

#: Longest line read as a scenario (a scenario of every fact is a few hundred bytes).
MAX_LINE_BYTES = 1 << 20
#: How far an over-long line is skipped looking for its end before the batch gives up.
MAX_SKIP_BYTES = 64 << 20
_CHUNK = 1 << 16
#: Characters no scenario line may hold (tab and a final CR are allowed).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class Line:
    """One line of a batch: its 1-based number and its text, or the diagnostic that makes it
    a bad line."""

    number: int
    text: str | None
    problem: Diagnostic | None = None


def _bad(name: str, number: int, code: str, message: str, col: int = 1) -> Line:
    return Line(number, None, Diagnostic(code, message, Span(name, number, col)))


def _decode(raw: bytes, name: str, number: int) -> Line:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _bad(name, number, "file-encoding", f"not valid UTF-8 at byte {exc.start}",
                    exc.start + 1)
    text = text.removesuffix("\r")
    found = _CONTROL.search(text)
    if found:
        return _bad(name, number, "file-control-char",
                    f"control character U+{ord(found.group()):04X} in the line",
                    found.start() + 1)
    return Line(number, text)


def read_lines(stream: BinaryIO, name: str, *, max_line: int = MAX_LINE_BYTES,
               max_skip: int = MAX_SKIP_BYTES) -> Iterator[Line]:
    """The lines of a binary stream, read in chunks; memory stays within a few `max_line`.

    Raises LoadError when a line runs on past `max_skip` bytes with no end."""
    number = 0
    pending = bytearray()
    skipping = 0  # bytes of an over-long line dropped so far; 0 when not skipping
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            break
        start = 0
        while start < len(chunk):
            end = chunk.find(b"\n", start)
            piece = chunk[start:] if end < 0 else chunk[start:end]
            if skipping:
                skipping += len(piece)
            else:
                pending += piece
                if len(pending) > max_line:
                    skipping = len(pending)
                    pending.clear()
            if skipping > max_skip:
                raise LoadError([Diagnostic(
                    "batch-line-endless",
                    f"line {number + 1} runs on for more than {max_skip} bytes with no end; "
                    "giving up", Span(name, number + 1, 1))])
            if end < 0:
                break
            number += 1
            if skipping:
                yield _bad(name, number, "batch-line-too-long",
                           f"line is longer than {max_line} bytes")
                skipping = 0
            else:
                yield _decode(bytes(pending), name, number)
                pending.clear()
            start = end + 1
    if skipping:
        yield _bad(name, number + 1, "batch-line-too-long", f"line is longer than {max_line} bytes")
    elif pending:
        yield _decode(bytes(pending), name, number + 1)


@dataclass(frozen=True)
class BadLine:
    """A line of a batch that holds no scenario to evaluate, and why (placed at the line)."""

    number: int
    problem: Diagnostic


@dataclass(frozen=True)
class Item:
    """One good line of a batch: its number and its scenario, resolved against the ruleset."""

    number: int
    scenario: Resolved


def _at_line(d: Diagnostic, name: str, number: int, shift: int = 0) -> Diagnostic:
    """A diagnostic about the text of one line, placed at that line of the batch (column 1
    when the column within the line is not known)."""
    col = d.span.col - shift if d.span.line == 1 else 1
    span = Span(name, number, max(col, 1))
    return Diagnostic(d.code, d.message, span, d.path, d.help, d.severity)


def resolve_lines(
    lines: Iterable[Line],
    name: str,
    vocabulary: Mapping[str, Fact],
    known_sources: Collection[str],
    *,
    sources: tuple[str, ...] = (),
) -> Iterator[Item | BadLine]:
    """Each line's scenario (a JSON object, or its inside alone) resolved against the
    ruleset, `sources` given here replacing a line's own; a bad line comes back as a
    `BadLine` whose problem is placed at that line of the batch `name`. Blank lines are
    skipped."""
    for line in lines:
        if line.problem is not None:
            yield BadLine(line.number, line.problem)
            continue
        text = line.text or ""
        if not text.strip():
            continue
        wrapped = not text.lstrip().startswith("{")
        body = "{" + text + "}" if wrapped else text
        try:
            model = read_scenario_input(body, name)
            typed = coerce_facts(vocabulary, model.facts, file=name)
        except LoadError as exc:
            problem = _at_line(exc.diagnostics[0], name, line.number, int(wrapped))
            yield BadLine(line.number, problem)
            continue
        chosen = tuple(sorted(set(sources))) or (  # `sources: []`: no source, as in the API
            tuple(sorted(set(model.sources))) if model.sources is not None else None
        )
        unknown = unknown_sources(chosen or (), known_sources, Span(name))
        if unknown:
            yield BadLine(line.number, _at_line(unknown[0], name, line.number))
            continue
        yield Item(line.number, Resolved(typed, model.as_of, model.known_by, chosen))
