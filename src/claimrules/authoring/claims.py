"""`claimrules claim add`: verify a quote against its source's archive first, then append the
claim to that source's claims file (comments and layout kept), or start `claims/<source>.yaml`.

A quote that is not in the archive is refused with the same explanation `check` gives: the
archive's nearest passage, the differing characters named, a quote joining two excerpts."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path

from claimrules.authoring import common, yamledit
from claimrules.authoring.plan import Plan, PlannedFile
from claimrules.diagnostics import Diagnostic, LoadError, Span, did_you_mean
from claimrules.load import mismatch
from claimrules.load.quotes import Archive

#: Words of the quote used to make a claim id when none is given.
_ID_WORDS = 5


def _derived_id(source: str, quote: str, taken: set[str]) -> str:
    ascii_quote = unicodedata.normalize("NFKD", quote).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_quote.lower())[:_ID_WORDS]
    base = "-".join([source, *words])[:100].strip("-")
    ident, n = base, 2
    while ident in taken:
        ident, n = f"{base}-{n}", n + 1
    return ident


def _archive_of(root: Path, source: common.Item) -> Archive:
    entry = source.data.get("archive")
    rel = entry.get("file") if isinstance(entry, dict) else None
    if not isinstance(entry, dict) or not isinstance(rel, str):
        raise LoadError([Diagnostic("schema-missing", "this source names no archive file",
                                    source.span())])
    path = (root / rel).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        raise LoadError([Diagnostic("archive-missing", f"archive `{rel}` does not exist",
                                    source.span("archive", "file"))])
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise LoadError([Diagnostic("file-encoding", f"archive is not valid UTF-8 (byte "
                                    f"{exc.start})", Span(common.display(root, path)))]) from None
    return Archive.of(text, excerpts=entry.get("content") == "excerpts")


def add_claim(
    ruleset: Path,
    source: str,
    quote: str,
    *,
    ident: str | None = None,
    kind: str = "provision",
    modality: str | None = None,
    attributed_to: str | None = None,
    on_record: bool = False,
    via: str | None = None,
    reported_on: date | None = None,
    tags: tuple[str, ...] = (),
    note: str | None = None,
) -> Plan:
    """Plan appending one claim; refuse (LoadError) an unknown source, a taken id, or a quote
    that its source's archive does not hold."""
    from claimrules.load.model import Claim  # noqa: PLC0415 - pydantic only when writing

    root = common.ruleset_root(ruleset)
    sources = common.items(root, "sources")
    match = [s for s in sources if s.data.get("id") == source]
    if not match:
        known = sorted(str(s.data.get("id")) for s in sources)
        raise LoadError([Diagnostic("unknown-source", f"unknown source `{source}`",
                                    Span("--source"), help=did_you_mean(source, known) or
                                    "add it first with `claimrules source add`")])
    archive = _archive_of(root, match[0])
    if archive.find(quote) is None:
        why = mismatch.explain(quote, archive)
        raise LoadError([Diagnostic(
            "quote-not-found", f"the quote is not in the archived text of `{source}`",
            Span("--quote"), help=why.help(), notes=why.notes())])
    claims = common.items(root, "claims")
    taken = {str(c.data.get("id")) for c in claims}
    if ident is None:
        ident = _derived_id(source, quote, taken)
    common.check_id(ident, "claim", "--id")
    for c in claims:
        if c.data.get("id") == ident:
            raise LoadError([Diagnostic("duplicate-claim", f"claim `{ident}` exists already",
                                        c.span("id"), help="choose another --id")])
    entry: dict[str, object] = {
        "id": ident,
        "source": source,
        "quote": quote,
        "kind": kind,
        "modality": modality or ("attributed" if attributed_to else "asserted"),
    }
    if attributed_to:
        who: dict[str, object] = {"who": attributed_to, "on_record": on_record}
        if via:
            who["via"] = via
        entry["attributed_to"] = who
    if reported_on is not None:
        entry["reported_on"] = reported_on
    if tags:
        entry["tags"] = list(tags)
    if note:
        entry["note"] = note
    common.validate(Claim, entry, "claim")
    holders = sorted({c.file for c in claims if c.data.get("source") == source})
    target = holders[0] if holders else root / "claims" / f"{source}.yaml"
    old = target.read_text(encoding="utf-8") if target.exists() else None
    display = common.display(root, target)
    data = yamledit.load(old, display) if old is not None else None
    data = yamledit.append(data, "claims", yamledit.entry(entry), display)
    new = yamledit.dump(data, old or "claims:\n  - x\n")
    if old is None:
        new = _schema_line(target.parent) + new
    return Plan(root, (PlannedFile(target, new, old),),
                (f"added claim `{ident}` ({entry['kind']}, {entry['modality']}) to "
                 f"{target.relative_to(root).as_posix()}",))


def _schema_line(directory: Path) -> str:
    from claimrules.authoring.scaffold import schema_line  # noqa: PLC0415

    return schema_line("claims", directory)
