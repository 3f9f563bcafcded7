"""Ruleset directory → checked Ruleset. Shape errors are mapped to file:line:col; every problem
found in one run is collected and raised once, sorted, as a LoadError."""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from claimrules.diagnostics import (
    DataPath,
    Diagnostic,
    LoadError,
    Span,
    did_you_mean,
    follow_on_note,
)
from claimrules.load import checks
from claimrules.load.domain import Constraint, Fact
from claimrules.load.located import Located
from claimrules.load.model import Case, Claim, Rule, RulesetMeta, Scenario, Source
from claimrules.load.quotes import Archive
from claimrules.load.ruleset import ClaimRecord, Ruleset, yaml_files
from claimrules.load.scenario import ScenarioInput
from claimrules.load.yamlsafe import Document, load_yaml_file, parse_yaml, position_of

M = TypeVar("M", bound=BaseModel)

#: Largest archived text read, in bytes.
MAX_ARCHIVE_BYTES = 2 * 1024 * 1024


class _AnyId(set[str]):
    """Stands for the ids of a kind when one of its files could not be read: any id may be
    defined there, so no reference to that kind is reported as unknown."""

    def __contains__(self, item: object) -> bool:
        return True


@dataclass
class Collector:
    """What one load found: every diagnostic, and which ids and kinds could not be read (so
    the references that follow from them are counted, not reported)."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    broken_ids: set[str] = field(default_factory=set)
    unreadable: set[str] = field(default_factory=set)  # kinds with a file that failed to parse
    # (kind, id) of each item that failed to load → (file, data path) of its own errors
    broken: dict[tuple[str, str], tuple[str, DataPath]] = field(default_factory=dict)
    # (kind, id) → how many references to it were not reported (they follow from its errors)
    follow_ons: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, diags: Iterator[Diagnostic] | list[Diagnostic]) -> None:
        self.diagnostics.extend(diags)


def _walk_loc(data: object, loc: tuple[int | str, ...], missing: bool) -> DataPath:
    """Keep the parts of a pydantic `loc` that exist in the data (drop union tags); a missing
    key, the last part of a `missing` error, is kept for the message."""
    path: list[str | int] = []
    cur = data
    for i, part in enumerate(loc):
        if isinstance(cur, dict) and part in cur:  # noqa: SIM114 - separate so mypy narrows each type
            cur = cur[part]
            path.append(part)
        elif isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur):
            cur = cur[part]
            path.append(part)
        elif missing and i == len(loc) - 1:
            path.append(part)
    return tuple(path)


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "null" if value is None else type(value).__name__


_EXPECTED = {
    "string_type": "a string",
    "int_type": "an integer",
    "float_type": "a number",
    "bool_type": "`true` or `false`",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "date_type": "a date written `YYYY-MM-DD`",
}


def _fields(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _model_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model class that owns the last key of `loc` (best effort, for did-you-mean)."""
    cur: Any = model
    for part in loc[:-1]:
        if not (isinstance(cur, type) and issubclass(cur, BaseModel)):
            return None
        fields = {f.alias or n: f for n, f in cur.model_fields.items()}
        if isinstance(part, str) and part in fields:
            ann = fields[part].annotation
            args = getattr(ann, "__args__", ())
            nested = [a for a in (ann, *args) if isinstance(a, type) and issubclass(a, BaseModel)]
            for a in args:
                nested += [
                    b
                    for b in getattr(a, "__args__", ())
                    if isinstance(b, type) and issubclass(b, BaseModel)
                ]
            cur = nested[0] if nested else None
    return cur if isinstance(cur, type) and issubclass(cur, BaseModel) else None


#: The pattern of a field that holds a sha256 (`archive.sha256`).
_HASH_PATTERN = "^[0-9a-f]{64}$"


def _is_hash_pattern(ctx: object) -> bool:
    return isinstance(ctx, dict) and ctx.get("pattern") == _HASH_PATTERN


def _hash_message(value: object) -> tuple[str, str]:
    """What a sha256 looks like, what is wrong with this one, and how to get the right one."""
    text = str(value)
    if len(text) == 64 and all(c in "0123456789abcdefABCDEF" for c in text):
        why = "write its hex digits in lowercase"
    elif all(c in "0123456789abcdef" for c in text) and text:
        why = f"it has {len(text)} hex digits, not 64"
    else:
        why = "a sha256 is 64 hex digits (`0`-`9`, `a`-`f`), like `9f86d081884c7d65…`"
    return (
        f"`{text}` is not the sha256 of the archive: {why}",
        "record it with `claimrules source add` (a new source) or `claimrules source rehash "
        "RULESET SOURCE-ID` (after editing its archive); `sha256sum FILE` prints it too",
    )


def shape_diagnostics(
    exc: ValidationError, doc: Document, data: object, base: DataPath, model: type[BaseModel]
) -> list[Diagnostic]:
    """Map pydantic errors to diagnostics at file:line:col."""
    out = []
    errors = [
        (e, _walk_loc(data, tuple(e["loc"]), e["type"] == "missing"))
        for e in exc.errors(include_url=False)
    ]
    deeper = {rel[:k] for _, rel in errors for k in range(len(rel))}
    for err, rel in errors:
        if err["type"] in _EXPECTED and rel in deeper:
            continue  # a union branch that did not fit, where another branch got further
        loc = tuple(err["loc"])
        path = (*base, *rel)
        kind = err["type"]
        value = err.get("input")
        help_line = None
        if kind == "missing":
            name = rel[-1] if rel else "?"
            line, col = position_of(doc, path[:-1])
            code, msg = "schema-missing", f"missing required key `{name}`"
        elif kind == "extra_forbidden":
            name = str(rel[-1]) if rel else "?"
            line, col = position_of(doc, path, key=True)
            code, msg = "schema-unknown-key", f"unknown key `{name}`"
            owner = _model_at(model, loc)
            if owner is not None:
                help_line = did_you_mean(name, _fields(owner)) or (
                    "allowed keys: " + ", ".join(f"`{f}`" for f in _fields(owner))
                )
        else:
            line, col = position_of(doc, path)
            code = "schema-type" if kind in _EXPECTED else f"schema-{kind.replace('_', '-')}"
            if kind in _EXPECTED:
                msg = f"expected {_EXPECTED[kind]}, got {_describe(value)}"
                if isinstance(value, str | int | float) and not isinstance(value, bool):
                    msg += f" `{value}`"
            elif kind in ("enum", "literal_error"):
                expected = err.get("ctx", {}).get("expected", "")
                msg = f"`{value}` is not allowed here; expected {expected}"
            elif kind == "string_pattern_mismatch" and _is_hash_pattern(err.get("ctx")):
                msg, help_line = _hash_message(value)
            elif kind == "string_pattern_mismatch":
                msg = (
                    f"`{value}` is not a valid name here: use lowercase letters, digits, "
                    "`-`, `_` or `.`, starting with a letter or digit"
                )
            elif kind == "value_error":
                msg = str(err["msg"]).removeprefix("Value error, ")
            else:
                text = str(err["msg"])
                msg = text[:1].lower() + text[1:]
        out.append(Diagnostic(code, msg, Span(doc.file, line, col), path, help=help_line))
    return out


def _display(root: Path, display_root: str, file: Path) -> str:
    return os.path.join(display_root, os.path.relpath(file, root))


def read_doc(path: Path, display: str, col: Collector) -> Document | None:
    """A YAML file parsed; None (its errors collected) when it is unreadable or empty."""
    try:
        doc = load_yaml_file(path, display)
    except LoadError as exc:
        col.add(exc.diagnostics)
        return None
    if doc.data is None:
        col.add([Diagnostic("file-empty", "file is empty", Span(display, 0, 0))])
        return None
    return doc


def read_items(doc: Document, key: str, model: type[M], col: Collector) -> list[Located]:
    """Validate each item of the list under `key` separately, so one bad item hides no other."""
    data = doc.data
    if not isinstance(data, dict) or key not in data:
        line, col_ = position_of(doc, ())
        got = (
            _describe(data)
            if not isinstance(data, dict)
            else "keys " + ", ".join(f"`{k}`" for k in data)
        )
        col.add(
            [
                Diagnostic(
                    "schema-top-level",
                    f"expected a mapping with a `{key}:` list, got {got}",
                    Span(doc.file, line, col_),
                    (),
                )
            ]
        )
        return []
    extra = [k for k in data if k != key]
    for k in extra:
        line, c = position_of(doc, (k,), key=True)
        col.add(
            [
                Diagnostic(
                    "schema-unknown-key",
                    f"unknown key `{k}`",
                    Span(doc.file, line, c),
                    (k,),
                    help=did_you_mean(k, [key]) or f"this file holds only `{key}:`",
                )
            ]
        )
    items = data[key]
    if not isinstance(items, list):
        line, c = position_of(doc, (key,))
        col.add(
            [
                Diagnostic(
                    "schema-type",
                    f"expected a list under `{key}`, got {_describe(items)}",
                    Span(doc.file, line, c),
                    (key,),
                )
            ]
        )
        return []
    out = []
    for i, item in enumerate(items):
        try:
            out.append(Located(model.model_validate(item), doc, (key, i)))
        except ValidationError as exc:
            col.add(shape_diagnostics(exc, doc, item, (key, i), model))
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                col.broken_ids.add(item["id"])
                col.broken.setdefault((key.removesuffix("s"), item["id"]), (doc.file, (key, i)))
    return out


def _read_archive(root: Path, display_root: str, src: Located, col: Collector) -> str | None:
    source: Source = src.model
    rel = source.archive.file
    span = src.span("archive", "file")
    try:
        target = (root / rel).resolve()
    except (ValueError, OSError):  # e.g. an embedded NUL byte
        target = None
    if target is None or os.path.isabs(rel) or not target.is_relative_to(root.resolve()):
        col.add(
            [
                Diagnostic(
                    "archive-outside",
                    f"archive `{rel}` is outside the ruleset directory",
                    span,
                    (*src.path, "archive", "file"),
                )
            ]
        )
        return None
    display = _display(root, display_root, root / rel)
    try:
        st = target.stat()
    except OSError:
        col.add(
            [
                Diagnostic(
                    "archive-missing",
                    f"archive `{rel}` of source `{source.id}` does not exist",
                    span,
                    (*src.path, "archive", "file"),
                )
            ]
        )
        return None
    if not target.is_file() or st.st_size > MAX_ARCHIVE_BYTES:
        col.add(
            [
                Diagnostic(
                    "archive-unreadable",
                    f"archive `{rel}` is not a regular file under {MAX_ARCHIVE_BYTES} bytes",
                    span,
                    (*src.path, "archive", "file"),
                )
            ]
        )
        return None
    raw = target.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != source.archive.sha256:
        col.add(
            [
                Diagnostic(
                    "archive-hash",
                    f"archive `{rel}` has changed: its sha256 is `{digest}`, the ruleset records "
                    f"`{source.archive.sha256}`",
                    src.span("archive", "sha256"),
                    (*src.path, "archive", "sha256"),
                    help="if the edit is intended, re-verify every quote and record the new hash",
                )
            ]
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        col.add(
            [
                Diagnostic(
                    "file-encoding",
                    f"archive is not valid UTF-8 (byte {exc.start})",
                    Span(display),
                    (),
                )
            ]
        )
        return None


def _inside(path: Path, real_root: Path) -> bool:
    """Whether `path`, with every symlink followed, is inside the ruleset directory."""
    try:
        return path.resolve().is_relative_to(real_root)
    except (OSError, ValueError, RuntimeError):  # a symlink loop, a NUL byte
        return False


def load_ruleset(path: str | os.PathLike[str]) -> Ruleset:
    """Load, validate and check a ruleset directory; raise LoadError with every problem."""
    display_root = os.fspath(path)
    root = Path(path)
    col = Collector()
    meta_file = root / "ruleset.yaml"
    if not root.is_dir():
        raise LoadError(
            [Diagnostic("ruleset-missing", "not a ruleset directory", Span(display_root))]
        )
    # a FIFO or device named ruleset.yaml is read below, and refused there as not a regular file
    if not meta_file.exists() and not meta_file.is_symlink():
        raise LoadError(
            [
                Diagnostic(
                    "ruleset-missing",
                    "no `ruleset.yaml` here: a ruleset directory needs one",
                    Span(display_root),
                    help="create one with `claimrules init DIR`",
                )
            ]
        )

    inputs: dict[str, str] = {}

    real_root = root.resolve()

    def docs(name: str) -> list[Document]:
        out = []
        for f in yaml_files(root, name):
            if not _inside(f, real_root):
                col.add([Diagnostic(
                    "file-outside", "file is outside the ruleset directory (a symlink out of it)",
                    Span(_display(root, display_root, f)),
                    help="copy the file into the ruleset instead of linking to it",
                )])
                col.unreadable.add(name)
                continue
            doc = read_doc(f, _display(root, display_root, f), col)
            if doc is not None:
                out.append(doc)
                inputs[f.relative_to(root).as_posix()] = doc.digest
            else:
                col.unreadable.add(name)
        return out

    meta: Located | None = None
    for doc in docs("ruleset"):
        try:
            meta = Located(RulesetMeta.model_validate(doc.data), doc, ())
        except ValidationError as exc:
            col.add(shape_diagnostics(exc, doc, doc.data, (), RulesetMeta))
    sources = [s for d in docs("sources") for s in read_items(d, "sources", Source, col)]
    claims = [c for d in docs("claims") for c in read_items(d, "claims", Claim, col)]
    rules = [r for d in docs("rules") for r in read_items(d, "rules", Rule, col)]
    cases = [c for d in docs("cases") for c in read_items(d, "cases", Case, col)]
    archives: dict[str, str] = {}
    for s in sources:
        text = _read_archive(root, display_root, s, col)
        if text is not None:
            archives[s.model.id] = text
            rel = Path(os.path.normpath(s.model.archive.file)).as_posix()
            inputs[rel] = s.model.archive.sha256  # checked against the bytes read
    if meta is None:
        raise LoadError(col.diagnostics)
    return build_ruleset(meta, sources, claims, rules, cases, archives, col, display_root, inputs)


def build_ruleset(  # noqa: PLR0915 - one pass over every kind of entity, in file order
    meta: Located,
    sources: list[Located],
    claims: list[Located],
    rules: list[Located],
    cases: list[Located],
    archives: Mapping[str, str],
    col: Collector | None = None,
    root: str = "",
    inputs: Mapping[str, str] | None = None,
) -> Ruleset:
    """Cross-check validated models and assemble the Ruleset (raises LoadError)."""
    col = col or Collector()
    m: RulesetMeta = meta.model
    plain = m.to_domain()
    col.add(
        checks.duplicates(
            "fact",
            [
                (f.name, meta.span("facts", i), (*meta.path, "facts", i))
                for i, f in enumerate(m.facts)
            ],
        )
    )
    col.add(checks.duplicates("source", [(s.model.id, s.span(), s.path) for s in sources]))
    col.add(checks.duplicates("claim", [(c.model.id, c.span(), c.path) for c in claims]))
    col.add(checks.duplicates("rule", [(r.model.id, r.span(), r.path) for r in rules]))
    col.add(checks.duplicates("case", [(c.model.id, c.span(), c.path) for c in cases]))
    facts = {f.name: f for f in plain.facts}
    source_map = {s.model.id: s.model for s in sources}
    claim_ids: set[str] = {c.model.id for c in claims} | col.broken_ids
    rule_ids: set[str] = {r.model.id for r in rules} | col.broken_ids
    if "claims" in col.unreadable:
        claim_ids = _AnyId(claim_ids)
    if "rules" in col.unreadable:
        rule_ids = _AnyId(rule_ids)
    col.add([*checks.fact_references(meta, claim_ids), *checks.constraint_references(meta, facts)])
    normal = {
        sid: Archive.of(text, excerpts=source_map[sid].archive.content == "excerpts")
        for sid, text in archives.items()
    }
    plain_sources = {sid: s.to_domain() for sid, s in sorted(source_map.items())}
    records: dict[str, ClaimRecord] = {}
    for c in claims:
        claim: Claim = c.model
        source = source_map.get(claim.source)
        if source is None and ("source", claim.source) in col.broken:
            col.follow_ons["source", claim.source] += 1  # the source's own error says why
            continue
        if source is None:
            col.add(
                [
                    checks.unknown(
                        "source",
                        claim.source,
                        c.span("source"),
                        (*c.path, "source"),
                        list(source_map),
                    )
                ]
            )
            continue
        offsets = None
        if claim.source in normal:
            offsets = normal[claim.source].find(claim.quote)
            if offsets is None:
                col.add([checks.quote_not_found(c, source, normal[claim.source])])
        elif source.id in source_map:
            continue  # the archive's own error is reported already
        start, end = offsets or (-1, -1)
        reported = claim.reported_on or source.published
        if reported is not None:
            lo, hi = reported, reported
        else:
            lo = source.not_before.date if source.not_before else None
            hi = source.not_after.date if source.not_after else None
        if claim.id not in records:
            records[claim.id] = ClaimRecord(
                claim.to_domain(), plain_sources[source.id], reported, start, end, lo, hi
            )
    col.add(checks.disagreement_references(meta, rule_ids))
    source_of = {c.model.id: c.model.source for c in claims}
    for s in sources:
        for bound in (s.model.not_before, s.model.not_after):
            cid = bound.claim if bound is not None else None
            if cid is not None and cid not in records:
                # the claim (or its source) failed to load: its own error says why
                for cause in (("claim", cid), ("source", source_of.get(cid, ""))):
                    if cause in col.broken:
                        col.follow_ons[cause] += 1
                        break
        col.add(checks.source_bounds(s, records, claim_ids))
    for r in rules:
        col.add(checks.rule_references(r, facts, claim_ids, rule_ids))
        col.add(checks.rule_grounds(r, records))
    col.add(checks.override_cycles(rules))
    _check_cases(col, cases, facts, set(source_map), rule_ids, plain.constraints)
    _count_follow_ons(col, m, rules, cases)
    errors = [d for d in col.diagnostics if d.severity == "error"]
    if errors:
        raise LoadError(_with_follow_ons(col))
    spans: dict[str, checks.Span] = {}
    for i, f in enumerate(m.facts):
        spans[f"fact:{f.name}"] = meta.span("facts", i)
    for kind, items in (("source", sources), ("claim", claims), ("rule", rules), ("case", cases)):
        for it in items:
            spans[f"{kind}:{it.model.id}"] = it.span()
    return Ruleset(
        meta=plain,
        facts=facts,
        sources=plain_sources,
        claims=dict(sorted(records.items())),
        rules=tuple(sorted((r.model.to_domain() for r in rules), key=lambda r: r.id)),
        cases=tuple(sorted((c.model.to_domain() for c in cases), key=lambda c: c.id)),
        spans=spans,
        archives=dict(archives),
        root=root,
        inputs=dict(inputs or {}),
        warnings=tuple(sorted(
            (d for d in col.diagnostics if d.severity != "error"),
            key=lambda d: (d.span.file, d.span.line, d.span.col, d.code),
        )),
    )


def _check_cases(col: Collector, cases: list[Located], facts: Mapping[str, Fact],
                 source_ids: set[str], rule_ids: set[str],
                 constraints: tuple[Constraint, ...]) -> None:
    """Cases' references (a source that failed to load is not also reported as unknown), and
    cases that describe an impossible scenario."""
    known = source_ids | {i for k, i in col.broken if k == "source"}
    for c in cases:
        found = list(checks.case_references(c, facts, known, rule_ids))
        col.add(found)
        if not found and constraints:
            col.add(checks.case_constraints(c, facts, constraints))


def _count_follow_ons(col: Collector, meta: RulesetMeta, rules: list[Located],
                      cases: list[Located]) -> None:
    """Count the references to items that failed to load: each would be an "unknown id" error
    that only follows from the item's own error, so it is counted there instead of shown."""
    refs: list[tuple[str, str]] = [("claim", c) for f in meta.facts for c in f.motivated_by]
    for r in rules:
        refs += [("claim", c) for c in r.model.because]
        refs += [("rule", o) for o in r.model.overrides]
    for c in cases:
        refs += [("source", s) for s in c.model.sources or ()]
        refs += [("rule", d) for d in c.model.expect.deciding_rules or ()]
    for ref in refs:
        if ref in col.broken:
            col.follow_ons[ref] += 1


def _with_follow_ons(col: Collector) -> list[Diagnostic]:
    """The diagnostics, each root error noting how many errors that follow from it are not
    shown (on its first diagnostic, in file order)."""
    out = sorted(col.diagnostics, key=Diagnostic.sort_key)
    for ref, count in sorted(col.follow_ons.items()):
        file, path = col.broken[ref]
        for i, d in enumerate(out):
            if d.span.file == file and d.path[: len(path)] == path:
                out[i] = replace(d, notes=(*d.notes, follow_on_note(count)))
                break
    return out


def load_scenario(text: str, file: str) -> tuple[ScenarioInput, Document]:
    """Parse and validate a scenario (YAML or JSON text); raise LoadError. (The CLI reads
    scenarios with `scenario.read_scenario`, which comes here only for what is not plainly
    valid; both give the same scenario for the same text.)"""
    doc = parse_yaml(text, file)
    return scenario_of(doc), doc


def scenario_of(doc: Document) -> ScenarioInput:
    """Validate a parsed scenario with the `Scenario` model; raise LoadError."""
    file = doc.file
    if doc.data is None:
        raise LoadError([Diagnostic("file-empty", "scenario is empty", Span(file))])
    if not isinstance(doc.data, dict):
        line, col = position_of(doc, ())
        raise LoadError(
            [
                Diagnostic(
                    "schema-top-level",
                    f"expected a mapping with `facts:`, got {_describe(doc.data)}",
                    Span(file, line, col),
                )
            ]
        )
    try:
        model = Scenario.model_validate(doc.data)
    except ValidationError as exc:
        raise LoadError(shape_diagnostics(exc, doc, doc.data, (), Scenario)) from None
    return ScenarioInput(
        dict(model.facts),
        model.as_of,
        model.known_by,
        tuple(model.sources) if model.sources is not None else None,
    )
