"""A saved page → the text to archive: HTML reduced to its article text by trafilatura (a
maintained extraction library), plain text and Markdown taken as they are, or excerpts given
one by one and joined with a blank line between them (how the loader tells excerpts apart)."""

from __future__ import annotations

import re
from pathlib import Path

from claimrules.diagnostics import Diagnostic, LoadError, Span

_HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_HTML_START = re.compile(rb"^\s*(<!doctype html|<html|<head|<body|<meta|<article)", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_LINE_BREAKS = re.compile(r"[ \t]*\r?\n[ \t]*")

#: Largest saved page read, in bytes (an archive is at most 2 MiB; a page carries markup too).
MAX_PAGE_BYTES = 16 * 1024 * 1024


def _refuse(file: str, code: str, message: str, help_line: str | None = None) -> LoadError:
    return LoadError([Diagnostic(code, message, Span(file), help=help_line)])


def is_html(path: Path, raw: bytes) -> bool:
    """By its name, else by how it starts."""
    return path.suffix.lower() in _HTML_SUFFIXES or bool(_HTML_START.match(raw[:1024]))


def html_text(raw: bytes, file: str) -> str:
    """The article text of an HTML page, one paragraph per block, blank lines between them."""
    import trafilatura  # noqa: PLC0415 - lazy: only `source add` needs it

    text = trafilatura.extract(raw, include_comments=False, include_tables=False,
                               favor_precision=True)
    if not text or not text.strip():
        raise _refuse(file, "page-no-article", "found no article text in this page",
                      "save the article as plain text and pass that file, or pass the "
                      "passages you hold with --excerpt")
    paragraphs = [p.strip() for p in text.splitlines() if p.strip()]
    return "\n\n".join(paragraphs) + "\n"


def page_text(path: Path) -> tuple[str, bool]:
    """The text to archive from a saved page, and whether it came from HTML."""
    file = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _refuse(file, "page-missing", f"cannot read the page: {exc.strerror}") from None
    if not path.is_file() or size > MAX_PAGE_BYTES:
        raise _refuse(file, "page-unreadable",
                      f"not a regular file under {MAX_PAGE_BYTES} bytes")
    raw = path.read_bytes()
    if is_html(path, raw):
        return html_text(raw, file), True
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _refuse(file, "file-encoding", f"the page is not valid UTF-8 (byte {exc.start})",
                      "save it as UTF-8 text") from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise _refuse(file, "page-empty", "the page is empty")
    return text, False


def excerpts_text(excerpts: tuple[str, ...]) -> str:
    """Excerpts joined by one blank line; an excerpt's own line breaks become single ones, so
    no excerpt is split in two."""
    parts = [_LINE_BREAKS.sub("\n", _BLANK_LINES.sub("\n", e.strip())) for e in excerpts]
    parts = [p for p in parts if p]
    if not parts:
        raise _refuse("--excerpt", "excerpt-empty", "every excerpt given is empty")
    return "\n\n".join(parts) + "\n"
