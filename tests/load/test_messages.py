"""Messages that find the root cause (issue 15): one error per root cause, follow-on errors
counted in one line, a hash field that says what a hash is, an impossible date that says why,
a quote mismatch that names the characters. Golden files: tests/golden/messages/
(`UPDATE_GOLDEN=1` rewrites them and fails)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT, check_golden, edit_file, load_errors, run_main

GOLDEN = ROOT / "tests" / "golden" / "messages"




DW_HASH = "8049e55caed2b17edb573f4adf432466935bac12d08223c11f57de31023c24b7"
DW_FIRST = "US President Joe Biden has reportedly given the go-ahead for Ukraine"
DW_SECOND = "News agencies cited US officials"

# (name, file to edit, old text, new text)
EDITS = [
    ("hash-todo", "sources.yaml", f"sha256: {DW_HASH}", "sha256: TODO"),
    ("hash-uppercase", "sources.yaml", f"sha256: {DW_HASH}", f"sha256: {DW_HASH.upper()}"),
    ("hash-short", "sources.yaml", f"sha256: {DW_HASH}", f"sha256: {DW_HASH[:40]}"),
    ("date-written-out", "sources.yaml", "published: 2024-05-30", "published: 11 July 2024"),
    ("date-impossible", "sources.yaml", "published: 2024-05-30", "published: 2024-11-31"),
    ("date-not-leap", "cases/june-2024.yaml", "as_of: 2024-06-10", "as_of: 2023-02-29"),
    ("quote-straight-apostrophe", "claims/adn-2024-11-17.yaml",
     "in response to North Korea’s deployment", "in response to North Korea's deployment"),
    ("quote-across-excerpts", "claims/dw-2024-05-30.yaml",
     "for strikes inside Russia.\"",
     "for strikes inside Russia. News agencies cited US officials\""),
]


@pytest.mark.parametrize(("name", "file", "old", "new"), EDITS, ids=[e[0] for e in EDITS])
def test_message_names_the_cause(ruleset_copy: Path, name: str, file: str, old: str,
                                 new: str) -> None:
    edit_file(ruleset_copy / file, old, new)
    check_golden(GOLDEN / f"{name}.txt", load_errors(ruleset_copy))


def test_a_source_that_failed_to_load_gives_one_error_and_a_count(ruleset_copy: Path) -> None:
    edit_file(ruleset_copy / "sources.yaml", "published: 2024-05-30", "published: 11 July 2024")
    out = load_errors(ruleset_copy)
    assert "unknown-source" not in out
    assert out.count(": error: ") == 1
    # its two claims, the two date bounds of undated sources that rest on one of them, and a
    # case that names it
    assert "note: 5 errors that follow from this one not shown" in out


def test_a_claim_that_failed_to_load_counts_the_rules_citing_it(ruleset_copy: Path) -> None:
    edit_file(ruleset_copy / "claims/dw-2024-05-30.yaml",
              "    kind: provision\n    modality: hedged",
              "    kind: provisional\n    modality: hedged")
    out = load_errors(ruleset_copy)
    assert out.count(": error: ") == 1, out
    assert "unknown-claim" not in out
    assert "follows from this one not shown" in out or "follow from this one not shown" in out


def test_a_quote_ending_past_a_truncated_archive_word(tmp_path: Path) -> None:
    root = tmp_path / "truncated"
    from claimrules.authoring.scaffold import init_ruleset

    init_ruleset(root)
    text = "Officials said the party may strike targets in Russi.\n"
    import hashlib

    (root / "archive" / "article.txt").write_text(text, encoding="utf-8")
    sources = (root / "sources.yaml").read_text(encoding="utf-8")
    old_hash = sources.split("sha256: ")[1].split()[0]
    edit_file(root / "sources.yaml", old_hash, hashlib.sha256(text.encode()).hexdigest())
    claims = root / "claims" / "article.yaml"
    body = claims.read_text(encoding="utf-8")
    start = body.index("quote: ") + len("quote: ")
    end = body.index("\n", start)
    claims.write_text(body[:start] + '"the party may strike targets in Russia."' + body[end:],
                      encoding="utf-8")
    (root / "cases" / "article.yaml").unlink()
    out = load_errors(root)
    assert "`Russi` in the archive, `Russia` in the quote" in out
    assert "archive text to copy: “the party may strike targets in Russi.”" in out
    check_golden(GOLDEN / "quote-truncated-archive-word.txt", out)


@pytest.mark.parametrize(("name", "args"), [
    ("as-of-november-31", ["--as-of", "2024-11-31"]),
    ("known-by-february-30", ["--known-by", "2024-02-30"]),
    ("as-of-month-13", ["--as-of", "2024-13-01"]),
])
def test_impossible_date_options_say_why(monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str], name: str,
                                         args: list[str]) -> None:
    code, _, err = run_main(monkeypatch, capsys, "eval", str(ROOT / "rules" /
                            "us-weapons-inside-russia"), "--fact", "actor=ukraine", *args)
    assert code == 2
    check_golden(GOLDEN / f"{name}.txt", err)
