"""Why a quote is not in its archive: the archive's nearest passage, the characters that differ
(named by code point and Unicode name, since `’` and `'` look alike), whether the quote runs
from one excerpt into the next, and the archive's exact text to copy.

`claimrules check` and `claimrules claim add` explain a mismatch with the same words.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from claimrules.load.quotes import Archive

_WS = re.compile(r"\s+")
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")

#: A passage is "near" when an anchor of at least this many characters matches exactly.
_MIN_ANCHOR = 8
#: At most this many differing places are named one by one.
_MAX_DIFFERENCES = 5
#: Characters of context shown around a difference.
_CONTEXT = 12


@dataclass(frozen=True)
class Difference:
    """One place where the archive and the quote differ: what each has there (either may be
    empty), whether the characters are named one by one (look-alikes, punctuation, spaces) or
    shown as words, and a few words around it, as the quote has them."""

    archive: str
    quote: str
    by_character: bool
    context: str

    def describe(self) -> str:
        """`’` U+2019 RIGHT SINGLE QUOTATION MARK in the archive, `'` U+0027 APOSTROPHE in the
        quote — or `Russi` in the archive, `Russia` in the quote."""
        if self.by_character:
            return f"{_side(self.archive, 'the archive')}, {_side(self.quote, 'the quote')}"
        return f"{_word(self.archive, 'the archive')}, {_word(self.quote, 'the quote')}"


@dataclass(frozen=True)
class Mismatch:
    """The explanation of a quote that is not in its archive."""

    passage: str | None  # the archive's nearest passage, whitespace runs as one space
    differences: tuple[Difference, ...]
    crosses_excerpts: bool  # the quote (or its nearest passage) spans a blank line in excerpts
    parts: tuple[str, ...]  # where it crosses excerpts: the quote's part in each excerpt

    def help(self) -> str:
        """One line: what to do."""
        if self.crosses_excerpts and not self.differences and self.parts:
            return (
                "a quote must lie within one excerpt (excerpts are separated by a blank line): "
                f"split it into {len(self.parts)} claims, one per excerpt"
            )
        if self.passage is not None:
            return "copy the archive's text (note below): only runs of whitespace may differ"
        return (
            "no passage of the archive is close to this quote: check the source id, or that "
            "the archive holds this part of the article"
        )

    def notes(self) -> tuple[str, ...]:
        """Lines that show the cause: the passage beside the quote, each difference named."""
        out: list[str] = []
        if self.crosses_excerpts:
            out.append(
                "the quote runs from one excerpt into the next; each excerpt is a separate "
                "passage of the source, so a quote cannot join two"
            )
            out += [f"excerpt part {i}: “{p}”" for i, p in enumerate(self.parts, 1)]
        for d in self.differences[:_MAX_DIFFERENCES]:
            out.append(f"at “{d.context}”: {d.describe()}")
        hidden = len(self.differences) - _MAX_DIFFERENCES
        if hidden > 0:
            out.append(f"{hidden} more difference{'s' if hidden > 1 else ''} not shown")
        if self.passage is not None and (self.differences or not self.parts):
            out.append(f"archive text to copy: “{self.passage}”")
        return tuple(out)


def char_name(ch: str) -> str:
    """`’` U+2019 RIGHT SINGLE QUOTATION MARK (control and space characters shown escaped)."""
    name = unicodedata.name(ch, "")
    shown = ch if ch.isprintable() and not ch.isspace() else repr(ch)[1:-1]
    if ch == " ":
        shown = " "
    return f"`{shown}` U+{ord(ch):04X}{' ' + name if name else ''}"


def _side(chars: str, where: str) -> str:
    if not chars:
        return f"nothing in {where}"
    return " ".join(char_name(c) for c in chars) + f" in {where}"


def _word(text: str, where: str) -> str:
    return f"`{text.strip()}` in {where}" if text.strip() else f"nothing in {where}"


def _longest_prefix(needle: str, hay: str) -> int:
    """Length of the longest leading part of `needle` that `hay` contains."""
    lo, hi = 0, len(needle)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if needle[:mid] in hay:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _longest_suffix(needle: str, hay: str) -> int:
    lo, hi = 0, len(needle)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if needle[len(needle) - mid :] in hay:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _window(needle: str, normal: str) -> tuple[int, int] | None:
    """Where in the (normalised) archive the quote most nearly is: anchored at its longest
    matching start or end, then trimmed to the aligned characters."""
    pre = _longest_prefix(needle, normal)
    suf = _longest_suffix(needle, normal)
    if max(pre, suf) < min(_MIN_ANCHOR, len(needle)):
        return None
    slack = max(8, len(needle) // 4)
    if pre >= suf:
        start = normal.find(needle[:pre])
        lo, hi = start, min(len(normal), start + len(needle) + slack)
    else:
        end = normal.find(needle[len(needle) - suf :]) + suf
        lo, hi = max(0, end - len(needle) - slack), end
    segment = normal[lo:hi]
    blocks = [
        b
        for b in difflib.SequenceMatcher(None, segment, needle, autojunk=False)
        .get_matching_blocks()
        if b.size
    ]
    if not blocks:
        return None
    first, last = blocks[0], blocks[-1]
    # the archive's characters in place of the quote's first and last ones, where they differ
    a_start = max(0, first.a - first.b)
    tail = len(needle) - (last.b + last.size)
    a_end = min(len(segment), last.a + last.size + tail)
    return lo + a_start, lo + a_end


_TOKEN = re.compile(r"\w+|\s|[^\w\s]")


def _plain(chars: str) -> bool:
    """ASCII letters, digits and spaces only: a word edit, shown as words rather than named
    character by character (nothing there looks like something else)."""
    return all(c.isascii() and (c.isalnum() or c == " ") for c in chars)


def _differences(passage: str, needle: str) -> tuple[Difference, ...]:
    """The differing places, found word by word (so an edited word is one difference), each
    named character by character unless it is an edit of plain letters or digits."""
    a_tok, b_tok = _TOKEN.findall(passage), _TOKEN.findall(needle)
    a_pos = [0]
    for t in a_tok:
        a_pos.append(a_pos[-1] + len(t))
    b_pos = [0]
    for t in b_tok:
        b_pos.append(b_pos[-1] + len(t))
    out = []
    matcher = difflib.SequenceMatcher(None, a_tok, b_tok, autojunk=False)
    for op, i0, i1, j0, j1 in matcher.get_opcodes():
        if op == "equal":
            continue
        a_text, b_text = "".join(a_tok[i0:i1]), "".join(b_tok[j0:j1])
        inner = difflib.SequenceMatcher(None, a_text, b_text, autojunk=False).get_opcodes()
        a_diff = "".join(a_text[x0:x1] for o, x0, x1, _, _ in inner if o != "equal")
        b_diff = "".join(b_text[y0:y1] for o, _, _, y0, y1 in inner if o != "equal")
        by_character = not (_plain(a_diff) and _plain(b_diff))
        if by_character:
            a_text, b_text = a_diff, b_diff
        b0, b1 = b_pos[j0], b_pos[j1]
        left = needle[max(0, b0 - _CONTEXT) : b0]
        right = needle[b1 : b1 + _CONTEXT]
        context = ("…" if b0 > _CONTEXT else "") + left + "[" + needle[b0:b1] + "]" + right
        context += "…" if b1 + _CONTEXT < len(needle) else ""
        out.append(Difference(a_text, b_text, by_character, context))
    return tuple(out)


def _original(archive: Archive, start: int, end: int) -> str:
    """The archive's own text for a range of its normalised form."""
    return archive.text[archive.origin[start] : archive.origin[end - 1] + 1]


def _split_at_excerpts(text: str) -> tuple[str, ...]:
    return tuple(_WS.sub(" ", p).strip() for p in _BLANK_LINE.split(text) if p.strip())


def explain(quote: str, archive: Archive) -> Mismatch:
    """Explain why `quote` is not found in `archive` (call it only when `find` failed)."""
    needle = _WS.sub(" ", quote).strip()
    if not needle:
        return Mismatch(None, (), False, ())
    at = archive.normal.find(needle)
    if at >= 0 and archive.excerpts:
        # the text is there, but only across a blank line that separates two excerpts
        original = _original(archive, at, at + len(needle))
        return Mismatch(_WS.sub(" ", original), (), True, _split_at_excerpts(original))
    window = _window(needle, archive.normal)
    if window is None:
        return Mismatch(None, (), False, ())
    start, end = window
    original = _original(archive, start, end) if end > start else ""
    crosses = archive.excerpts and bool(_BLANK_LINE.search(original))
    passage = _WS.sub(" ", original)
    parts = _split_at_excerpts(original) if crosses else ()
    return Mismatch(passage, _differences(passage, needle), crosses, parts)
