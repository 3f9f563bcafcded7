"""A safe, bounded YAML reader: text in, plain data and source positions out.

The reader drives PyYAML at the *event* level and builds the data itself, so no
constructor ever runs and no object other than dict/list/str/int/float/bool/None
is ever made. It refuses tags, anchors, aliases, merge keys, duplicate keys,
non-string keys, multiple documents, deep nesting and oversized input, and it
resolves plain scalars with a small YAML-1.2-like rule set (see "File formats" in README.md):
everything that is not plainly a boolean, null, integer or decimal stays a string.

Errors are raised as `LoadError` carrying `Diagnostic`s with a file span; nothing
is printed.
"""

from __future__ import annotations

import hashlib
import math
import os
import pathlib
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, BinaryIO, Final

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from claimrules.diagnostics import DataPath, Diagnostic, LoadError, Span

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "Document",
    "load_yaml_file",
    "parse_yaml",
    "plain_json",
    "position_of",
    "read_text",
]

MAX_FILE_BYTES: Final = 2 * 1024 * 1024
MAX_DEPTH: Final = 64
MAX_NODES: Final = 50_000

# Stop collecting after this many problems in one file: the rest is noise.
_MAX_ERRORS: Final = 20
# Integers with more digits than this are refused (they do not fit an int64).
_MAX_INT_DIGITS: Final = 18

# The libyaml-backed loader when PyYAML was built with it; tests may swap this.
_LOADER: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Position = tuple[int, int]


@dataclass(frozen=True)
class Document:
    """One parsed YAML file: its data and where each value and key came from."""

    data: object
    positions: dict[DataPath, Position]
    key_positions: dict[DataPath, Position]
    file: str
    digest: str = ""  # sha256 of the file's bytes, when read from a file


# --- scalar resolution -------------------------------------------------------------

# Plain scalars that are not strings, other than numbers.
_SPECIAL: Final[dict[str, bool | None]] = {
    "": None,
    "~": None,
    "null": None,
    "Null": None,
    "NULL": None,
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
}
_NUMBER_START: Final = frozenset("-0123456789")
# `[0-9]`, not `\d`: only ASCII digits make numbers.
_INT_RE: Final = re.compile(r"0|-?[1-9][0-9]*")
_FLOAT_RE: Final = re.compile(
    r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+(?:[eE][-+]?[0-9]+)?|[eE][-+]?[0-9]+)"
)

# --- text checks ------------------------------------------------------------------

# C0 controls other than tab/LF/CR, DEL, C1 controls (NEL included: YAML would read it
# as a line break), lone surrogates and the two non-characters YAML refuses.
_BAD_CHAR_RE: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# What YAML counts as a line break, so that our positions agree with the parser's.
_BREAK_RE: Final = re.compile("\r\n|[\n\r\u2028\u2029\x85]")

_YAML_TAG_PREFIX: Final = "tag:yaml.org,2002:"


def _line_col(text: str, index: int) -> Position:
    """1-based line and column of character `index` in `text`, counting breaks as YAML does."""
    line = 1
    start = 0
    for match in _BREAK_RE.finditer(text, 0, index):
        line += 1
        start = match.end()
    return line, index - start + 1


def _show(value: str, limit: int = 60) -> str:
    """A user value made safe for a one-line message (escaped breaks, truncated)."""
    if len(value) > limit:
        value = value[:limit] + "…"
    if any(ch < " " or ch in "\x7f\x85\u2028\u2029" for ch in value):
        value = repr(value)[1:-1]
    return value


def _diag(
    code: str,
    message: str,
    file: str,
    pos: Position = (0, 0),
    *,
    path: DataPath = (),
    help: str | None = None,
) -> Diagnostic:
    span = Span(file, pos[0], pos[1])
    return Diagnostic(code=code, message=message, span=span, path=path, help=help)


def _check_text(text: str, file: str) -> None:
    """Refuse a leading byte-order mark and control characters, with their positions."""
    if text.startswith("\ufeff"):
        raise LoadError(
            [
                _diag(
                    "file-bom",
                    "file starts with a byte-order mark; save it as UTF-8 without BOM",
                    file,
                    (1, 1),
                )
            ]
        )
    if _BAD_CHAR_RE.search(text) is None:
        return
    diags: list[Diagnostic] = []
    for match in _BAD_CHAR_RE.finditer(text):
        code_point = ord(match.group())
        kind = "control character" if code_point < 0xA0 else "character"
        diags.append(
            _diag(
                "file-control-char",
                f"{kind} `U+{code_point:04X}` is not allowed",
                file,
                _line_col(text, match.start()),
            )
        )
        if len(diags) >= _MAX_ERRORS:
            break
    raise LoadError(diags)


# --- reading files ---------------------------------------------------------------


def _file_kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _not_regular(name: str, mode: int) -> LoadError:
    return LoadError(
        [_diag("file-not-regular", f"not a regular file (it is {_file_kind(mode)})", name)]
    )


def _unreadable(name: str, exc: OSError) -> LoadError:
    reason = (exc.strerror or type(exc).__name__).strip()
    reason = reason[:1].lower() + reason[1:]
    return LoadError([_diag("file-unreadable", f"cannot read file: {reason}", name)])


#: How input files are opened: read-only, never blocking (a FIFO put in a file's place is refused,
#: not waited on), never becoming the controlling terminal.
_READ_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_BINARY", 0)
)


def open_regular(path: pathlib.Path, display: str | None = None) -> BinaryIO:
    """Open a regular file for reading as a binary stream, whatever its size (for input read
    as a stream, such as a batch). FIFOs, devices, sockets and directories are refused
    without blocking, as by `read_text`."""
    name = display if display is not None else str(path)
    try:
        fd = os.open(path, _READ_FLAGS)
    except (FileNotFoundError, NotADirectoryError):
        raise LoadError([_diag("file-missing", "file not found", name)]) from None
    except OSError as exc:
        raise _unreadable(name, exc) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise _not_regular(name, mode)
    return os.fdopen(fd, "rb")


def read_text(
    path: pathlib.Path, display: str | None = None, *, max_bytes: int = MAX_FILE_BYTES
) -> str:
    """Read a regular file of at most `max_bytes` bytes as strict UTF-8 text.

    The file is `stat`ed before it is opened, so FIFOs, devices, sockets and
    directories are refused without blocking; at most `max_bytes + 1` bytes are read.
    """
    name = display if display is not None else str(path)
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise LoadError([_diag("file-missing", "file not found", name)]) from None
    except OSError as exc:
        raise _unreadable(name, exc) from None
    if not stat.S_ISREG(info.st_mode):
        raise _not_regular(name, info.st_mode)
    if info.st_size > max_bytes:
        raise LoadError(
            [
                _diag(
                    "file-too-large",
                    f"file is too large: {info.st_size} bytes (the limit is {max_bytes})",
                    name,
                )
            ]
        )
    # Non-blocking, and checked again after opening, in case the path was swapped.
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError as exc:
        raise _unreadable(name, exc) from None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            raise _not_regular(name, opened.st_mode)
        chunks: list[bytes] = []
        remaining = max_bytes + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as exc:
        raise _unreadable(name, exc) from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > max_bytes:
        raise LoadError(
            [
                _diag(
                    "file-too-large",
                    f"file is too large: more than {max_bytes} bytes",
                    name,
                )
            ]
        )
    return _decode_text(data, name)


def _decode_text(data: bytes, file: str) -> str:
    """Decode bytes as strict UTF-8 (no BOM, no control characters) or raise LoadError. A
    UTF-8 byte-order mark decodes to U+FEFF, which `_check_text` refuses."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LoadError(
            [
                _diag(
                    "file-encoding",
                    "file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8",
                    file,
                    (1, 1),
                )
            ]
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        prefix = data[: exc.start].decode("utf-8")
        raise LoadError(
            [
                _diag(
                    "file-encoding",
                    f"invalid UTF-8 byte `0x{data[exc.start]:02x}`; save the file as UTF-8",
                    file,
                    _line_col(prefix, len(prefix)),
                )
            ]
        ) from None
    _check_text(text, file)
    return text


# --- building data from events ------------------------------------------------------


class _Frame:
    """An open mapping or sequence on the build stack."""

    __slots__ = ("container", "expect_key", "is_map", "key", "path", "store")

    def __init__(self, is_map: bool, path: DataPath | None) -> None:
        # dict[str, object] for a mapping, list[object] for a sequence.
        self.container: Any = {} if is_map else []
        self.is_map = is_map
        self.path = path  # None inside a refused (collection) key: no positions kept there
        self.expect_key = True  # mappings: the next node is a key
        self.key: str | None = None  # mappings: the pending key (None: a refused key)
        self.store = False  # mappings: whether the pending value is kept


def _show_tag(tag: str) -> str:
    if tag.startswith(_YAML_TAG_PREFIX):
        return "!!" + tag[len(_YAML_TAG_PREFIX) :]
    return tag


def _char_at(text: str, pos: Position) -> str:
    lines = _BREAK_RE.split(text)
    line, col = pos
    if 1 <= line <= len(lines) and 1 <= col <= len(lines[line - 1]):
        return lines[line - 1][col - 1]
    return ""


def _syntax_diag(exc: yaml.YAMLError, text: str, file: str) -> Diagnostic:
    """Turn a PyYAML scanner/parser/reader error into one diagnostic."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        pos = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
        problem = problem[:1].lower() + problem[1:]
        help_line = None
        if _char_at(text, pos) == "\t" or "tab" in problem:
            help_line = "indent with spaces; YAML does not allow tabs for indentation"
        elif exc.problem and exc.context and exc.context_mark is not None:
            cmark = exc.context_mark
            help_line = (
                f"{exc.context} that starts at line {cmark.line + 1}, column {cmark.column + 1}"
            )
        return _diag("yaml-syntax", problem, file, pos, help=help_line)
    if isinstance(exc, yaml.reader.ReaderError):
        character = exc.character
        code_point = character if isinstance(character, int) else ord(str(character)[:1] or "\0")
        return _diag(
            "file-control-char",
            f"character `U+{code_point:04X}` is not allowed",
            file,
            _line_col(text, exc.position),
        )
    first = str(exc).strip().splitlines()[:1] or ["invalid YAML"]
    return _diag("yaml-syntax", first[0][:1].lower() + first[0][1:], file)


def _key_kind(raw: str) -> str:
    value = _SPECIAL.get(raw, 0)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if _INT_RE.fullmatch(raw):
        return "an integer"
    return "a number"


class _Builder:
    """Builds plain data and positions from a stream of PyYAML events, iteratively."""

    __slots__ = (
        "diags",
        "documents",
        "file",
        "frame",
        "key_positions",
        "max_depth",
        "max_nodes",
        "nodes",
        "positions",
        "root",
        "stack",
        "text",
    )

    def __init__(self, text: str, file: str, max_depth: int, max_nodes: int) -> None:
        self.text = text
        self.file = file
        self.max_depth = max_depth
        self.max_nodes = max_nodes
        self.positions: dict[DataPath, Position] = {}
        self.key_positions: dict[DataPath, Position] = {}
        self.diags: list[Diagnostic] = []
        self.stack: list[_Frame] = []
        self.frame: _Frame | None = None  # the innermost open collection (stack[-1])
        self.root: object = None
        self.nodes = 0
        self.documents = 0

    def run(self, events: Iterable[Any]) -> Document:
        diags = self.diags
        try:
            for event in events:
                if len(diags) >= _MAX_ERRORS:
                    break
                cls = event.__class__
                if cls is ScalarEvent:
                    if not self.scalar(event):
                        break
                elif cls is MappingStartEvent or cls is SequenceStartEvent:
                    if not self.collection(event, cls is MappingStartEvent):
                        break
                elif cls is MappingEndEvent or cls is SequenceEndEvent:
                    self.end()
                elif cls is AliasEvent:
                    self.alias(event)
                elif cls is DocumentStartEvent and not self.document(event):
                    break
        except yaml.YAMLError as exc:
            diags.append(_syntax_diag(exc, self.text, self.file))
        if diags:
            raise LoadError(diags)
        return Document(
            data=self.root,
            positions=self.positions,
            key_positions=self.key_positions,
            file=self.file,
        )

    # -- helpers

    def error(
        self,
        code: str,
        message: str,
        pos: Position,
        path: DataPath | None = (),
        help: str | None = None,
    ) -> None:
        self.diags.append(_diag(code, message, self.file, pos, path=path or (), help=help))

    def child_path(self) -> DataPath | None:
        """The data path of the next node placed in the open collection (None: not kept)."""
        frame = self.frame
        if frame is None:
            return ()
        path = frame.path
        if path is None:
            return None
        if not frame.is_map:
            return (*path, len(frame.container))
        if frame.key is None:
            return None
        return (*path, frame.key)

    def check_node(self, event: Any, pos: Position) -> bool:
        """Refuse a node's anchor and tag; False once the node limit is passed.

        Called only when one of those is present, to keep the common path short."""
        if self.nodes > self.max_nodes:
            self.error("yaml-too-many-nodes", f"document has more than {self.max_nodes} nodes", pos)
            return False
        anchor = event.anchor
        if anchor is not None:
            self.error(
                "yaml-alias", f"anchors and aliases are not allowed: `&{_show(anchor)}`", pos
            )
        tag = event.tag
        if tag is not None:
            self.error("yaml-tag", f"tags are not allowed: `{_show(_show_tag(tag))}`", pos)
        return True

    def drop_key(self, frame: _Frame) -> None:
        """The mapping's pending key was refused: its value is built but not kept."""
        frame.expect_key = False
        frame.key = None
        frame.store = False

    # -- events

    def scalar(self, event: Any) -> bool:
        self.nodes += 1
        mark = event.start_mark
        pos = (mark.line + 1, mark.column + 1)
        if (
            self.nodes > self.max_nodes or event.anchor is not None or event.tag is not None
        ) and not self.check_node(event, pos):
            return False
        raw: str = event.value
        # Plain style is None from the pure-Python parser and "" from libyaml.
        plain = not event.style and event.tag is None
        frame = self.frame
        if frame is not None and frame.is_map and frame.expect_key:
            self.mapping_key(frame, raw, plain, pos)
            return True
        value = self.resolve(raw, pos) if plain else raw
        if frame is None:
            self.positions[()] = pos
            self.root = value
        elif not frame.is_map:
            seq = frame.container
            if frame.path is not None:
                self.positions[(*frame.path, len(seq))] = pos
            seq.append(value)
        else:
            key = frame.key
            if frame.path is not None and key is not None:
                self.positions[(*frame.path, key)] = pos
            if frame.store:
                frame.container[key] = value
            frame.expect_key = True
        return True

    def resolve(self, raw: str, pos: Position) -> object:
        """Resolve a plain scalar: bool, null, int, float, or else the string itself."""
        if raw in _SPECIAL:
            return _SPECIAL[raw]
        if raw[:1] not in _NUMBER_START:
            return raw
        if _INT_RE.fullmatch(raw) is not None:
            if len(raw) - raw.startswith("-") > _MAX_INT_DIGITS:
                self.error(
                    "yaml-int-too-large",
                    f"integer too large: `{_show(raw)}` (more than {_MAX_INT_DIGITS} digits)",
                    pos,
                    self.child_path(),
                    help="quote it if it is meant as text",
                )
                return None
            return int(raw)
        if _FLOAT_RE.fullmatch(raw) is not None:
            number = float(raw)
            if math.isinf(number):
                self.error(
                    "yaml-float-range",
                    f"number out of range: `{_show(raw)}`",
                    pos,
                    self.child_path(),
                    help="quote it if it is meant as text",
                )
                return None
            return number
        return raw

    def mapping_key(self, frame: _Frame, raw: str, plain: bool, pos: Position) -> None:
        self.drop_key(frame)
        path = frame.path
        if plain and (
            raw in _SPECIAL
            or (
                raw[:1] in _NUMBER_START
                and (_INT_RE.fullmatch(raw) is not None or _FLOAT_RE.fullmatch(raw) is not None)
            )
        ):
            if raw == "":
                self.error(
                    "yaml-key-type",
                    "a key is empty (read as null); keys must be strings",
                    pos,
                    path,
                )
            else:
                self.error(
                    "yaml-key-type",
                    f"key `{_show(raw)}` is read as {_key_kind(raw)}; keys must be strings",
                    pos,
                    path,
                    help=f'quote it: `"{_show(raw)}"`',
                )
            return
        if plain and raw == "<<":
            self.error(
                "yaml-merge-key",
                "merge keys (`<<`) are not allowed",
                pos,
                path,
                help="write the entries out in full",
            )
            return
        frame.key = raw
        if raw in frame.container:
            if path is None:
                self.error("yaml-duplicate-key", f"duplicate key `{_show(raw)}`", pos)
            else:
                first = self.key_positions.get((*path, raw), (0, 0))[0]
                self.error(
                    "yaml-duplicate-key",
                    f"duplicate key `{_show(raw)}` (first at line {first})",
                    pos,
                    (*path, raw),
                )
            return
        frame.store = True
        if path is not None:
            self.key_positions[(*path, raw)] = pos

    def collection(self, event: Any, is_map: bool) -> bool:
        self.nodes += 1
        mark = event.start_mark
        pos = (mark.line + 1, mark.column + 1)
        if (
            self.nodes > self.max_nodes or event.anchor is not None or event.tag is not None
        ) and not self.check_node(event, pos):
            return False
        if len(self.stack) >= self.max_depth:
            self.error("yaml-too-deep", f"nesting is deeper than {self.max_depth} levels", pos)
            return False
        frame = self.frame
        path: DataPath | None
        if frame is not None and frame.is_map and frame.expect_key:
            kind = "mapping" if is_map else "sequence"
            self.error(
                "yaml-key-type", f"a {kind} cannot be a key; keys must be strings", pos, frame.path
            )
            path = None
        else:
            path = self.child_path()
            if path is not None:
                self.positions[path] = pos
        self.frame = _Frame(is_map, path)
        self.stack.append(self.frame)
        return True

    def end(self) -> None:
        done = self.stack.pop().container
        frame = self.frame = self.stack[-1] if self.stack else None
        if frame is None:
            self.root = done
        elif not frame.is_map:
            frame.container.append(done)
        elif frame.expect_key:
            self.drop_key(frame)  # the collection was a (refused) key
        else:
            if frame.store:
                frame.container[frame.key] = done
            frame.expect_key = True

    def alias(self, event: Any) -> None:
        self.nodes += 1
        mark = event.start_mark
        self.error(
            "yaml-alias",
            f"anchors and aliases are not allowed: `*{_show(event.anchor or '')}`",
            (mark.line + 1, mark.column + 1),
        )
        # Stand in a null so that building can go on and find further problems.
        frame = self.frame
        if frame is None:
            self.root = None
        elif not frame.is_map:
            frame.container.append(None)
        elif frame.expect_key:
            self.drop_key(frame)
        else:
            frame.expect_key = True

    def document(self, event: Any) -> bool:
        self.documents += 1
        if self.documents == 1:
            return True
        mark = event.start_mark
        self.error(
            "yaml-multi-document",
            "only one YAML document is allowed; a second one starts here",
            (mark.line + 1, mark.column + 1),
        )
        return False


# --- public entry points ----------------------------------------------------------


def parse_yaml(
    text: str, file: str, *, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES
) -> Document:
    """Parse one YAML document into plain data and positions, or raise LoadError.

    An empty (or comment-only) document gives `data=None`; deciding whether that is
    acceptable is the caller's business.
    """
    _check_text(text, file)
    try:
        return _Builder(text, file, max_depth, max_nodes).run(yaml.parse(text, Loader=_LOADER))
    except LoadError as exc:
        # Newer libyaml builds stop at 1,000 nesting levels while scanning ahead, before our own
        # (lower) depth limit sees the events; the pure-Python parser reads lazily, so re-read
        # with it to report our own limit at the right place, whatever libyaml is installed.
        if _LOADER is yaml.SafeLoader or not any(
            "maximum nesting depth" in d.message for d in exc.diagnostics
        ):
            raise
    return _Builder(text, file, max_depth, max_nodes).run(yaml.parse(text, Loader=yaml.SafeLoader))


#: Longest text `plain_json` reads (so that it never holds more than `MAX_NODES` nodes).
PLAIN_JSON_CHARS: Final = 64 * 1024
#: A character `plain_json` leaves to `parse_yaml`: anything but a printable one other than
#: the backslash (no escape to decode) and YAML's own line breaks and byte-order mark.
_NOT_PLAIN_JSON_RE: Final = re.compile(
    r"[^\x20-\x5b\x5d-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
    r"\U00010000-\U0010ffff]"
)
#: PyYAML finds a flow mapping's key only within this many characters of its start.
_MAX_PLAIN_KEY: Final = 1000


class _NotPlain(Exception):
    """The text is JSON that `parse_yaml` might read otherwise, or refuse."""


def _pairs(pairs: list[tuple[str, object]]) -> dict[str, object]:
    out = dict(pairs)
    if len(out) != len(pairs) or any(len(k) > _MAX_PLAIN_KEY for k in out):
        raise _NotPlain  # a duplicate key (parse_yaml refuses it), or one PyYAML may not find
    return out


def _plain_int(raw: str) -> int:
    if _INT_RE.fullmatch(raw) is None or len(raw) - raw.startswith("-") > _MAX_INT_DIGITS:
        raise _NotPlain  # `-0` stays a string, a long integer is refused
    return int(raw)


def _not_plain(raw: str) -> object:
    raise _NotPlain  # a float (its text decides its value) or NaN / Infinity


def plain_json(text: str) -> dict[str, object] | None:
    """The data `parse_yaml` gives for `text`, read as JSON (many times faster), when `text`
    is plainly a JSON object that `parse_yaml` reads to the same values: at most
    `PLAIN_JSON_CHARS` characters, printable ones only, no backslash, no float, no duplicate
    or overlong key, integers as this reader reads them. None otherwise, or when not plainly
    so: then `parse_yaml` reads it (and words what is wrong)."""
    if len(text) > PLAIN_JSON_CHARS or not text.startswith("{"):
        return None
    if _NOT_PLAIN_JSON_RE.search(text) is not None:
        return None
    import json  # noqa: PLC0415 - only batches read JSON this way

    try:
        data = json.loads(
            text,
            object_pairs_hook=_pairs,
            parse_int=_plain_int,
            parse_float=_not_plain,
            parse_constant=_not_plain,
        )
    except (_NotPlain, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def load_yaml_file(
    path: pathlib.Path,
    display: str | None = None,
    *,
    max_bytes: int = MAX_FILE_BYTES,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
) -> Document:
    """`read_text` then `parse_yaml`, with the same display name and limits."""
    name = display if display is not None else str(path)
    text = read_text(path, name, max_bytes=max_bytes)
    doc = parse_yaml(text, name, max_depth=max_depth, max_nodes=max_nodes)
    # strict UTF-8 decoding round-trips, so this is the hash of the bytes read
    return replace(doc, digest=hashlib.sha256(text.encode("utf-8")).hexdigest())


def position_of(doc: Document, path: DataPath, *, key: bool = False) -> Position:
    """Where `path` is in the file: its key's position if `key` (and it has one), else its
    value's; for a path not in the file, the nearest ancestor's value; (0, 0) if none."""
    path = tuple(path)
    if key:
        found = doc.key_positions.get(path)
        if found is not None:
            return found
    while True:
        found = doc.positions.get(path)
        if found is not None:
            return found
        if not path:
            return (0, 0)
        path = path[:-1]
