"""What the authoring commands share: the ruleset directory checked, the existing entries read
(with the safe reader, positions kept), a new entry validated by the same models `check` uses."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from claimrules.diagnostics import Diagnostic, LoadError, Span
from claimrules.load.domain import SLUG_MAX, SLUG_PATTERN
from claimrules.load.ruleset import yaml_files
from claimrules.load.yamlsafe import Document, load_yaml_file, position_of

_SLUG = re.compile(SLUG_PATTERN)


@dataclass(frozen=True)
class Item:
    """An existing entry of a YAML list (`sources:` or `claims:`), where it is."""

    data: dict[str, Any]
    doc: Document
    file: Path
    index: int
    key: str

    def span(self, *sub: str | int) -> Span:
        """Where the entry (or a field of it) is."""
        line, col = position_of(self.doc, (self.key, self.index, *sub))
        return Span(self.doc.file, line, col)


def ruleset_root(path: Path) -> Path:
    """The ruleset directory, refused when it is not one."""
    if not (path / "ruleset.yaml").is_file():
        raise LoadError([Diagnostic("ruleset-missing",
                                    "not a ruleset directory: no `ruleset.yaml` here",
                                    Span(str(path)),
                                    help="create one with `claimrules init DIR`")])
    return path


def display(root: Path, file: Path) -> str:
    """A file's name as diagnostics show it: the ruleset path, then the file in it."""
    return os.path.join(str(root), os.path.relpath(file, root))


def check_id(ident: str, what: str, option: str) -> None:
    """An id given on the command line is a valid slug."""
    if not _SLUG.match(ident) or len(ident) > SLUG_MAX:
        raise LoadError([Diagnostic(
            "bad-id", f"`{ident}` is not a valid {what} id", Span(option),
            help="use lowercase letters, digits, `-`, `_` or `.`, starting with a letter or "
                 "digit (for example `dw-2024-05-30`)")])


def items(root: Path, kind: str) -> list[Item]:
    """Every entry of every `<kind>` file (sources.yaml, claims/*.yaml) that the safe reader
    can read; a file it cannot read is refused with its own diagnostics."""
    out = []
    for file in yaml_files(root, kind):
        doc = load_yaml_file(file, display(root, file))
        data = doc.data
        entries = data.get(kind) if isinstance(data, dict) else None
        if not isinstance(entries, list):
            continue
        out += [Item(e, doc, file, i, kind) for i, e in enumerate(entries) if isinstance(e, dict)]
    return out


def validate(model: type[BaseModel], entry: dict[str, Any], what: str) -> None:
    """Check a new entry with the model `check` uses; its errors name the option to fix."""
    try:
        model.model_validate(entry)
    except ValidationError as exc:
        diags = []
        for err in exc.errors(include_url=False):
            field = ".".join(str(p) for p in err["loc"])
            msg = str(err["msg"]).removeprefix("Value error, ")
            diags.append(Diagnostic("bad-value", f"{what} `{field}`: {msg}",
                                    Span(f"--{str(err['loc'][0]).replace('_', '-')}")))
        raise LoadError(diags) from None
