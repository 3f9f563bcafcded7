"""Round-trip YAML editing with ruamel.yaml: comments, key order, quoting and indentation of
the existing text are kept; only the added or changed entries are new."""

from __future__ import annotations

import io
import re
from typing import Any

from claimrules.diagnostics import Diagnostic, LoadError, Span

_SEQUENCE_ITEM = re.compile(r"^( *)- ", re.MULTILINE)


def _yaml(text: str) -> Any:
    from ruamel.yaml import YAML  # noqa: PLC0415 - lazy: only authoring commands need it

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long quote onto several lines
    match = _SEQUENCE_ITEM.search(text)
    offset = len(match.group(1)) if match else 2
    yaml.indent(mapping=2, sequence=offset + 2, offset=offset)

    def null(representer: Any, _: None) -> Any:
        return representer.represent_scalar("tag:yaml.org,2002:null", "null")

    yaml.representer.add_representer(type(None), null)
    return yaml


def load(text: str, file: str) -> Any:
    """Parse `text` for editing; a file that cannot be parsed is a LoadError at its place."""
    from ruamel.yaml.error import YAMLError  # noqa: PLC0415

    try:
        return _yaml(text).load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
        raise LoadError([Diagnostic("yaml-syntax", f"cannot edit this file: {exc}".split("\n")[0],
                                    Span(file, line, col),
                                    help="fix it (`claimrules check` says how), then retry")]
                        ) from None


def dump(data: Any, like: str) -> str:
    """Serialise `data` in the layout of the original text `like`."""
    out = io.StringIO()
    _yaml(like).dump(data, out)
    return out.getvalue()


#: Keys whose text is written in double quotes, as the shipped rulesets write them.
_QUOTED = frozenset({"quote", "title", "note", "who", "via"})


def entry(values: dict[str, Any]) -> Any:
    """A new mapping for a list, keys in the given order, values that are None kept as null,
    free text (quotes, titles, notes) in double quotes."""
    from ruamel.yaml.comments import CommentedMap  # noqa: PLC0415
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString  # noqa: PLC0415

    out = CommentedMap()
    for key, value in values.items():
        if isinstance(value, dict):
            out[key] = entry(value)
        elif key in _QUOTED and isinstance(value, str):
            out[key] = DoubleQuotedScalarString(value)
        else:
            out[key] = value
    return out


def append(data: Any, key: str, item: Any, file: str) -> Any:
    """Append `item` to the list under `key` (created when the file has none); return the
    document (a new one when `data` is None)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq  # noqa: PLC0415

    if data is None:
        data = CommentedMap()
    if not isinstance(data, dict):
        raise LoadError([Diagnostic("schema-top-level",
                                    f"expected a mapping with a `{key}:` list", Span(file))])
    items = data.get(key)
    if items is None:
        data[key] = CommentedSeq([item])
        return data
    if not isinstance(items, list):
        raise LoadError([Diagnostic("schema-type", f"expected a list under `{key}`",
                                    Span(file))])
    items.append(item)
    return data
