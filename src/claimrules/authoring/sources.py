"""`claimrules source add` and `claimrules source rehash`: archive a saved page and record it in
`sources.yaml` (comments and layout kept), or re-record an archive's hash after an intended
edit and re-verify the quotes that rest on it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from claimrules.authoring import common, extract, yamledit
from claimrules.authoring.plan import Plan, PlannedFile
from claimrules.diagnostics import Diagnostic, LoadError, Span
from claimrules.load import mismatch
from claimrules.load.quotes import Archive

Content = Literal["full", "excerpts"]


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def add_source(
    ruleset: Path,
    ident: str,
    *,
    page: Path | None = None,
    excerpts: tuple[str, ...] = (),
    content: Content | None = None,
    title: str | None = None,
    outlet: str | None = None,
    url: str | None = None,
    published: date | None = None,
    retrieved: date | None = None,
) -> Plan:
    """Plan the archive file `archive/<id>.txt` and the new entry at the end of
    `sources.yaml`. The text is the page's (HTML reduced to its article text) or the
    `excerpts` joined by blank lines; nothing existing is overwritten (LoadError)."""
    from claimrules.load.model import Source  # noqa: PLC0415 - pydantic only when writing

    root = common.ruleset_root(ruleset)
    common.check_id(ident, "source", "--id")
    if (page is None) == (not excerpts):
        raise LoadError([Diagnostic("source-text", "give a saved page FILE or --excerpt "
                                    "passages (one of the two)", Span("source add"))])
    if page is not None:
        text, from_html = extract.page_text(page)
        kind: Content = content or "full"
        note = "article text extracted from a saved HTML page" if from_html else None
    else:
        text, kind, note = extract.excerpts_text(excerpts), "excerpts", None
    existing = common.items(root, "sources")
    for item in existing:
        if item.data.get("id") == ident:
            raise LoadError([Diagnostic(
                "duplicate-source", f"source `{ident}` exists already", item.span("id"),
                help="choose another --id; to record a new hash of its edited archive, use "
                     f"`claimrules source rehash {root} {ident}`")])
    archive = root / "archive" / f"{ident}.txt"
    if archive.exists() or archive.is_symlink():
        raise LoadError([Diagnostic(
            "archive-exists", f"archive `archive/{ident}.txt` exists already",
            Span(common.display(root, archive)),
            help="choose another --id, or remove the file if nothing refers to it")])
    entry: dict[str, object] = {
        "id": ident,
        "title": title,
        "outlet": outlet,
        "url": url,
        "published": published,
        "retrieved": retrieved,
        "archive": {"file": f"archive/{ident}.txt", "sha256": _sha256(text), "content": kind},
    }
    if note:
        entry["note"] = note
    common.validate(Source, entry, "source")
    sources_file = root / "sources.yaml"
    old = sources_file.read_text(encoding="utf-8") if sources_file.exists() else None
    like = old if old is not None else "sources:\n  - x\n"
    data = yamledit.load(old, common.display(root, sources_file)) if old is not None else None
    data = yamledit.append(data, "sources", yamledit.entry(entry),
                           common.display(root, sources_file))
    new = yamledit.dump(data, like)
    words = len(text.split())
    return Plan(
        root,
        (PlannedFile(archive, text, None), PlannedFile(sources_file, new, old)),
        (
            f"archived {words} words as archive/{ident}.txt ({kind}"
            f"{', from HTML' if note else ''}), sha256 {entry_hash(entry)}",
            f"added source `{ident}` to sources.yaml (published: "
            f"{published.isoformat() if published else 'null, unknown'})",
        ),
    )


def entry_hash(entry: dict[str, object]) -> str:
    """The sha256 recorded in a planned entry."""
    archive = entry["archive"]
    return str(archive["sha256"]) if isinstance(archive, dict) else ""


@dataclass(frozen=True)
class Rehash:
    """What `source rehash` found: the hash recorded before and now, and each quote of the
    source's claims that the archive no longer holds."""

    plan: Plan | None  # None when the recorded hash is already the archive's
    source: str
    old: str
    new: str
    quotes: int
    not_found: tuple[Diagnostic, ...]


def rehash_source(ruleset: Path, ident: str) -> Rehash:
    """Plan recording the archive's current sha256 for source `ident`, and re-verify every
    quote of its claims against the archive as it is now."""
    root = common.ruleset_root(ruleset)
    found = [i for i in common.items(root, "sources") if i.data.get("id") == ident]
    if not found:
        known = sorted(str(i.data.get("id")) for i in common.items(root, "sources"))
        from claimrules.diagnostics import did_you_mean  # noqa: PLC0415

        raise LoadError([Diagnostic("unknown-source", f"unknown source `{ident}`",
                                    Span(common.display(root, root / "sources.yaml")),
                                    help=did_you_mean(ident, known))])
    item = found[0]
    archive_entry = item.data.get("archive")
    if not isinstance(archive_entry, dict) or not isinstance(archive_entry.get("file"), str):
        raise LoadError([Diagnostic("schema-missing", f"source `{ident}` names no archive file",
                                    item.span(), help="`archive: {file: ..., sha256: ..., "
                                    "content: full}`")])
    rel = archive_entry["file"]
    path = (root / rel).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        raise LoadError([Diagnostic("archive-missing", f"archive `{rel}` of source `{ident}` "
                                    "is not a file in the ruleset", item.span("archive", "file"))])
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LoadError([Diagnostic("file-encoding", f"archive is not valid UTF-8 (byte "
                                    f"{exc.start})", Span(common.display(root, path)))]) from None
    new_hash = hashlib.sha256(raw).hexdigest()
    old_hash = str(archive_entry.get("sha256"))
    archive = Archive.of(text, excerpts=archive_entry.get("content") == "excerpts")
    quotes = 0
    not_found: list[Diagnostic] = []
    for claim in common.items(root, "claims"):
        quote = claim.data.get("quote")
        if claim.data.get("source") != ident or not isinstance(quote, str):
            continue
        quotes += 1
        if archive.find(quote) is None:
            why = mismatch.explain(quote, archive)
            not_found.append(Diagnostic(
                "quote-not-found",
                f"quote of claim `{claim.data.get('id')}` is not in the edited archive of "
                f"`{ident}`", claim.span("quote"), help=why.help(), notes=why.notes()))
    plan = None
    if new_hash != old_hash:
        sources_file = item.file
        old = sources_file.read_text(encoding="utf-8")
        data = yamledit.load(old, common.display(root, sources_file))
        target = next(e for e in data["sources"] if e.get("id") == ident)
        target["archive"]["sha256"] = new_hash
        plan = Plan(root, (PlannedFile(sources_file, yamledit.dump(data, old), old),),
                    (f"recorded sha256 of {rel}: {old_hash} → {new_hash}",))
    return Rehash(plan, ident, old_hash, new_hash, quotes, tuple(not_found))
