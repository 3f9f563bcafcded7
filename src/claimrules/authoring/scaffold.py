"""`claimrules init`: a new ruleset directory for another reported policy, ready to edit.

The ruleset it writes passes `claimrules check` and `claimrules test` as generated: one fact,
one source whose archive is a placeholder text (to be replaced by the article), one claim
quoting that placeholder, one rule and one case. Every YAML file starts with a
`# yaml-language-server: $schema=...` line pointing at a copy of its JSON Schema written into
the new ruleset (`schemas/`), so the modelines work wherever the ruleset is moved, committed or
cloned, and an editor with the YAML language server checks the files while they are written.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from pathlib import Path

from claimrules.diagnostics import Diagnostic, LoadError, Span
from claimrules.load.schema import SchemaKind, dumps_schema, schema_path
from claimrules.output import write_atomic

#: The id the placeholder source, claim, rule and case files are named after.
EXAMPLE = "article"

PLACEHOLDER_QUOTE = "Officials said the named party is allowed to act, within the stated limits."

PLACEHOLDER_ARCHIVE = (
    "PLACEHOLDER ARCHIVE. Replace this whole file with the text of the article you are "
    "encoding, copied exactly (or, for `content: excerpts`, the excerpts you hold, one per "
    "paragraph, separated by one blank line). Then record the file's new sha256 in "
    f"sources.yaml.\n\n{PLACEHOLDER_QUOTE}\n"
)


def _slug(name: str) -> str:
    """A ruleset id from a directory name: accents dropped, other runs of symbols as `-`."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    if not slug or not slug[0].isalnum():
        return "new-ruleset"
    return slug[:120]


#: Where the scaffold puts its copies of the schemas, inside the new ruleset.
SCHEMA_FOLDER = "schemas"


def _schema_line(kind: SchemaKind, directory: Path, root: Path) -> str:
    """The editor modeline: a path, relative to the file, to the schema copy in the ruleset."""
    target = schema_path(kind, root / SCHEMA_FOLDER)
    ref = os.path.relpath(target, directory).replace(os.sep, "/")
    return f"# yaml-language-server: $schema={ref}\n"


def schema_line(kind: SchemaKind, directory: Path) -> str:
    """The editor modeline for a new file in `directory` of an existing ruleset: the ruleset's
    own schema copy (`schemas/`, as `init` writes it) when it has one, else a relative path to
    the installed schema (an absolute one on another drive, on Windows)."""
    for root in (directory, directory.parent):
        if schema_path(kind, root / SCHEMA_FOLDER).is_file():
            return _schema_line(kind, directory, root)
    target = schema_path(kind)
    try:
        ref = os.path.relpath(target, directory.resolve()).replace(os.sep, "/")
    except ValueError:
        ref = target.resolve().as_uri()
    return f"# yaml-language-server: $schema={ref}\n"


def _files(root: Path) -> dict[Path, str]:
    ruleset_id = _slug(root.resolve().name)
    archive = PLACEHOLDER_ARCHIVE.encode("utf-8")
    sha = hashlib.sha256(archive).hexdigest()
    sub = {d: root / d for d in ("archive", "claims", "rules", "cases")}
    schemas = {
        schema_path(kind, root / SCHEMA_FOLDER): dumps_schema(kind)
        for kind in ("ruleset", "sources", "claims", "rules", "cases")
    }
    return schemas | {
        root / "ruleset.yaml": _schema_line("ruleset", root, root) + f"""\
id: {ruleset_id}
title: "New reported policy, as reported"       # what the reporting is about
description: >-
  What public reporting says about the policy: replace this with a short summary of the
  decision, who reported it, and the period it covers.
facts:
  # The scenario space: the policy's own categories as the reporting describes them.
  - name: actor
    type: enum
    values:
      - {{value: named_party, label: "the party the reporting names"}}
      - {{value: other, label: "anyone else"}}
    description: Who acts.
    question: Who acts?
    motivated_by: [{EXAMPLE}-permission]
""",
        root / "sources.yaml": _schema_line("sources", root, root) + f"""\
sources:
  - id: {EXAMPLE}
    title: null          # the headline; null where unknown
    outlet: null         # null where unknown
    url: null            # null where unknown
    published: null      # YYYY-MM-DD as the source shows it; null if it shows none, never guessed
    archive:
      file: archive/{EXAMPLE}.txt
      sha256: {sha}
      content: full      # full | excerpts
    note: "placeholder: replace archive/{EXAMPLE}.txt with the article's text and record its sha256"
""",
        sub["archive"] / f"{EXAMPLE}.txt": PLACEHOLDER_ARCHIVE,
        sub["claims"] / f"{EXAMPLE}.yaml": _schema_line("claims", sub["claims"], root) + f"""\
claims:
  - id: {EXAMPLE}-permission
    source: {EXAMPLE}
    quote: "{PLACEHOLDER_QUOTE}"
    kind: provision      # provision | rationale | context | reaction | assessment | forecast
    modality: attributed # asserted | attributed | hedged | speculative
    attributed_to:
      who: officials
      on_record: false   # false: the source does not name them
""",
        sub["rules"] / f"{EXAMPLE}.yaml": _schema_line("rules", sub["rules"], root) + f"""\
rules:
  - id: {EXAMPLE}-permit
    effect: permit       # permit | prohibit
    title: The named party may act
    when:
      all:
        - {{fact: actor, is: named_party}}
    because: [{EXAMPLE}-permission]
    note: >-
      "the named party is allowed to act" is read as actor named_party; say here how each
      quoted phrase maps onto facts.
""",
        sub["cases"] / f"{EXAMPLE}.yaml": _schema_line("cases", sub["cases"], root) + f"""\
cases:
  - id: {EXAMPLE}-named-party-may-act
    description: The placeholder permission, as reported.
    facts: {{actor: named_party}}
    expect:
      verdict: permitted
      deciding_rules: [{EXAMPLE}-permit]
  - id: {EXAMPLE}-others-not-addressed
    description: The placeholder article says nothing about anyone else.
    facts: {{actor: other}}
    expect:
      verdict: not_addressed
""",
    }


def init_ruleset(path: Path, *, force: bool = False) -> list[Path]:
    """Create a new ruleset directory at `path` and return the files written, in order.

    Refuses (LoadError) a path that exists and is not a directory, or a non-empty directory
    unless `force`, in which case the scaffold's files are overwritten and others are kept.
    Each file is written atomically.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise LoadError([Diagnostic("init-not-directory", "path exists and is not a directory",
                                    Span(str(path)))])
    if path.is_dir() and any(path.iterdir()) and not force:
        raise LoadError([
            Diagnostic("init-not-empty", "directory is not empty", Span(str(path)),
                       help="choose a new directory, or pass --force to overwrite the "
                            "scaffold's files in it")
        ])
    files = _files(path)
    for place in [path, *sorted({f.parent for f in files})]:
        if place.is_symlink():  # never write through a symlinked directory
            raise LoadError([Diagnostic(
                "init-symlink", "refusing to write through a symlinked directory",
                Span(str(place)), help="give the directory's real path if that is intended",
            )])
    path.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for file, text in files.items():
        file.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(file, text.encode("utf-8"), force=force)
        written.append(file)
    return written
