"""Escapers, one per output format, for text that comes from a ruleset or a scenario (titles,
quotes, notes, outlets, file names, fact values): whatever it holds, it is shown, never obeyed.

- terminal text: control characters (C0 but newline and tab, DEL, C1 — so ESC, OSC, CSI), line
  separators and the bidirectional controls (U+202E and kin) are made visible as `\\x1b`,
  `\\u202e`, on a TTY or not;
- GitHub workflow commands: one writer (`github_command`); `%`, CR and LF are escaped in the
  message, and also `:` and `,` in properties, so a value cannot end a command or start one;
- Markdown: one escaper (`markdown`) for every Markdown output — markup characters escaped, on
  one line, so a value cannot open a link, a heading or break a table (`markdown_cell` for
  what a table cell holds); links only to http(s) URLs;
- HTML: `html.escape` on visible text; links only to http(s) URLs;
- JSON: the same characters written as `\\uXXXX` escapes (the same data, inert on a terminal).
"""

from __future__ import annotations

import re
from functools import cache

#: Characters that can drive a terminal or reorder what it shows.
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]"
)


#: `_CONTROL` and the line breaks and tabs. A pattern's text: `re` compiles it on first use
#: (and keeps it), so JSON output never does.
_CONTROL_OR_BREAK = "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]"


def _show(match: re.Match[str]) -> str:
    ch = match.group()
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: str) -> str:
    """Text for a terminal: line breaks and tabs kept, every other control made visible."""
    return _CONTROL.sub(_show, text)


def one_line(text: str) -> str:
    """Text for one line of a terminal: every control, line breaks included, made visible."""
    return re.sub(_CONTROL_OR_BREAK, _show, text)


def json_text(dumped: str) -> str:
    """JSON text with the controls that `json.dumps(ensure_ascii=False)` leaves raw (C1, line
    separators, bidirectional controls) written as `\\uXXXX`: the same data. They can only
    occur inside strings, where such an escape means the same character."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)


# --- URLs --------------------------------------------------------------------------------------


def safe_url(url: str | None) -> str | None:
    """The URL when it is an http(s) link an output may point at; None otherwise (a
    `javascript:`, `data:` or relative URL is shown as text, never linked)."""
    if not url:
        return None
    url = url.strip()
    if re.search(_CONTROL_OR_BREAK, url):
        return None
    from urllib.parse import urlsplit  # noqa: PLC0415 - not on the JSON output's path

    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


# --- GitHub workflow commands ------------------------------------------------------------------


def github_data(text: str) -> str:
    """A workflow command's message: `%`, CR and LF escaped."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: str) -> str:
    """A workflow command's property value: as a message, and `:` and `,` escaped too."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


def github_command(level: str, message: str, *, file: str | None = None, line: int = 0,
                   col: int = 0, title: str | None = None) -> str:
    """One `::level file=…,line=…,col=…,title=…::message` line (level: error, warning or
    notice); every value escaped, so nothing in it can end the command or start another."""
    props: list[str] = []
    if file is not None:
        props.append(f"file={github_property(one_line(file))}")
        if line:
            props += [f"line={line}", f"col={col}"]
    if title is not None:
        props.append(f"title={github_property(one_line(title))}")
    head = f"::{level} {','.join(props)}" if props else f"::{level}"
    return f"{head}::{github_data(_CONTROL.sub(_show, message))}"


# --- Markdown ----------------------------------------------------------------------------------


@cache
def _markdown_patterns() -> tuple[re.Pattern[str], ...]:
    """The Markdown escaper's patterns, compiled on first use (JSON output needs none):

    characters that start Markdown syntax anywhere in a line (`|` too: it splits a table
    row); `_`, which starts emphasis only at the edge of a word, never inside one
    (`target_type`); line starts that would become a heading, a list item or a blockquote
    (`>` is special anywhere); an ordered list's number, kept, and its `.` or `)` escaped."""
    return (re.compile(r"([\\`*\[\]<>~|])"), re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])"),
            re.compile(r"^(\s*)([#+-])"), re.compile(r"^(\s*\d+)([.)])"))


_URL_ESCAPES = {" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E"}


def markdown(text: str) -> str:
    """User text as literal Markdown inline text, on one line: markup characters escaped
    (`|` included, so it is safe in a table cell), `&` kept from starting an entity, controls
    made visible. The one Markdown escaper: every Markdown reporter uses it."""
    special, underscore, line_start, ordered = _markdown_patterns()
    text = one_line(" ".join(text.split())).replace("&", "&amp;")
    text = special.sub(r"\\\1", text)
    text = underscore.sub(r"\\_", text)
    text = line_start.sub(r"\1\\\2", text)
    return ordered.sub(r"\1\\\2", text)


def markdown_code(text: str) -> str:
    """A code span on one line that survives backticks in its content."""
    text = one_line(" ".join(text.split()))
    if "`" not in text:
        return f"`{text}`"
    return f"`` {text} ``"


def markdown_cell(text: str) -> str:
    """Markdown inline text set in a table cell: GFM splits a row at every `|` not escaped,
    code spans included, so each such `|` is escaped (those `markdown` escaped are kept)."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":  # an escape: keep it with the character it escapes
            out.append(text[i : i + 2])
            i += 2
            continue
        if ch == "`":  # a code span: up to the next run of as many backticks
            run = len(text) - len(text[i:].lstrip("`"))
            ticks = text[i:run]
            end = text.find(ticks, run)
            while end >= 0 and text[end + len(ticks) : end + len(ticks) + 1] == "`":
                end = text.find(ticks, end + len(ticks) + 1)
            if end >= 0:
                out.append(ticks + text[run:end].replace("|", r"\|") + ticks)
                i = end + len(ticks)
                continue
            out.append(ticks)
            i = run
            continue
        out.append(r"\|" if ch == "|" else ch)
        i += 1
    return "".join(out)


def markdown_url(url: str) -> str:
    """A URL as a Markdown link destination (characters that would end it escaped)."""
    return "".join(_URL_ESCAPES.get(c, c) for c in url)


def markdown_link(label: str, url: str | None) -> str:
    """`label` (already Markdown) linked to `url` when it is an http(s) URL, else `label`."""
    safe = safe_url(url)
    return f"[{label}]({markdown_url(safe)})" if safe else label


# --- HTML --------------------------------------------------------------------------------------


def html(text: object) -> str:
    """User data for HTML text and attribute values: escaped, controls made visible."""
    from html import escape  # noqa: PLC0415 - only HTML needs it: keeps `eval` start-up short

    return escape(terminal(str(text)), quote=True)
