"""`source add`, `source rehash` and `claim add`: what they write, what they refuse, and that a
ruleset they wrote passes `check`. Messages are golden files in tests/golden/messages/."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from claimrules import load_ruleset
from claimrules.authoring.scaffold import init_ruleset
from conftest import ROOT, check_golden, run_main

PAGE = ROOT / "examples" / "saved-pages" / "ruritania-drones.html"
GOLDEN = ROOT / "tests" / "golden" / "messages"


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    root = tmp_path / "my-policy"
    init_ruleset(root)
    return root


def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        *args: str) -> tuple[int, str, str]:
    return run_main(monkeypatch, capsys, *args)


def _add_page(mp: pytest.MonkeyPatch, cap: pytest.CaptureFixture[str], root: Path,
              *extra: str) -> tuple[int, str, str]:
    return cli(mp, cap, "source", "add", str(root), str(PAGE), "--id", "times-2025-03-03",
               "--outlet", "The Example Times", "--published", "2025-03-03",
               "--retrieved", "2025-03-04", *extra)


def test_source_add_from_html_keeps_the_article_and_the_comments(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fresh: Path) -> None:
    before = (fresh / "sources.yaml").read_text(encoding="utf-8")
    code, _, err = _add_page(monkeypatch, capsys, fresh)
    assert code == 0, err
    text = (fresh / "archive" / "times-2025-03-03.txt").read_text(encoding="utf-8")
    assert "two officials said on Monday." in text
    assert "“We’re not authorizing strikes on cities,”" in text
    assert "Subscribe" not in text and "newsletter" not in text  # page furniture dropped
    after = (fresh / "sources.yaml").read_text(encoding="utf-8")
    assert after.startswith(before), "the existing entries and their comments are kept"
    assert "# the headline; null where unknown" in after
    rs = load_ruleset(fresh)
    src = rs.sources["times-2025-03-03"]
    assert str(src.published) == "2025-03-03" and src.outlet == "The Example Times"
    assert src.archive.sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert src.archive.content == "full"


def test_source_add_takes_plain_text_as_it_is(monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str], fresh: Path,
                                             tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    raw = "# A headline\n\nSome *Markdown* text,\r\nkept byte for byte.\n"
    page.write_bytes(raw.encode())
    code, _, err = cli(monkeypatch, capsys, "source", "add", str(fresh), str(page), "--id", "md")
    assert code == 0, err
    assert (fresh / "archive" / "md.txt").read_bytes() == raw.encode()
    assert load_ruleset(fresh).sources["md"].published is None


def test_source_add_from_excerpts(monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str], fresh: Path) -> None:
    code, _, err = cli(monkeypatch, capsys, "source", "add", str(fresh), "--id", "wire",
                       "--excerpt", "First passage we hold.",
                       "--excerpt", "Second passage,\n\nwith a blank line inside.")
    assert code == 0, err
    text = (fresh / "archive" / "wire.txt").read_text(encoding="utf-8")
    assert text == "First passage we hold.\n\nSecond passage,\nwith a blank line inside.\n"
    assert load_ruleset(fresh).sources["wire"].archive.content == "excerpts"
    code, _, err = cli(monkeypatch, capsys, "claim", "add", str(fresh), "--source", "wire",
                       "--quote", "we hold. Second passage")
    assert code == 2
    assert "runs from one excerpt into the next" in err


def test_source_add_dry_run_writes_nothing(monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str],
                                           fresh: Path) -> None:
    before = (fresh / "sources.yaml").read_bytes()
    code, out, _ = _add_page(monkeypatch, capsys, fresh, "--dry-run")
    assert code == 0
    assert "+++ b/sources.yaml" in out and "+  - id: times-2025-03-03" in out
    assert "+++ b/archive/times-2025-03-03.txt" in out
    assert (fresh / "sources.yaml").read_bytes() == before
    assert not (fresh / "archive" / "times-2025-03-03.txt").exists()


def test_source_add_refuses_to_overwrite(monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str],
                                         fresh: Path) -> None:
    assert _add_page(monkeypatch, capsys, fresh)[0] == 0
    sources = (fresh / "sources.yaml").read_bytes()
    code, _, err = _add_page(monkeypatch, capsys, fresh)
    assert code == 2 and "[duplicate-source]" in err
    assert (fresh / "sources.yaml").read_bytes() == sources
    (fresh / "archive" / "orphan.txt").write_text("kept\n", encoding="utf-8")
    code, _, err = cli(monkeypatch, capsys, "source", "add", str(fresh), str(PAGE), "--id",
                       "orphan")
    assert code == 2 and "[archive-exists]" in err
    assert (fresh / "archive" / "orphan.txt").read_text(encoding="utf-8") == "kept\n"


def test_source_add_messages(monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str], fresh: Path) -> None:
    code, _, err = _add_page(monkeypatch, capsys, fresh, "--published", "2025-02-29")
    assert code == 2 and "February has 28 days in 2025" in err
    code, _, err = cli(monkeypatch, capsys, "source", "add", str(fresh), str(PAGE), "--id",
                       "Bad Id")
    assert code == 2
    check_golden(GOLDEN / "source-add-bad-id.txt", err.replace(str(fresh), "RULESET"))


def test_rehash_records_the_new_hash_and_reverifies_quotes(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fresh: Path) -> None:
    archive = fresh / "archive" / "article.txt"
    archive.write_text(archive.read_text(encoding="utf-8") + "\nA line added later.\n",
                       encoding="utf-8")
    code, _, err = cli(monkeypatch, capsys, "source", "rehash", str(fresh), "article")
    assert code == 0, err
    assert "1 of 1 quotes of `article` found" in err and " → " in err
    load_ruleset(fresh)  # the recorded hash is the archive's again
    text = archive.read_text(encoding="utf-8").replace("within the stated limits",
                                                       "within stated limits")
    archive.write_text(text, encoding="utf-8")
    code, _, err = cli(monkeypatch, capsys, "source", "rehash", str(fresh), "article")
    assert code == 1
    check_golden(GOLDEN / "rehash-quote-lost.txt",
                 "\n".join(line for line in err.replace(str(fresh), "RULESET").splitlines()
                           if "recorded sha256" not in line) + "\n")


def test_claim_add_verifies_then_appends_keeping_comments(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fresh: Path) -> None:
    assert _add_page(monkeypatch, capsys, fresh)[0] == 0
    code, _, err = cli(monkeypatch, capsys, "claim", "add", str(fresh), "--source",
                       "times-2025-03-03", "--quote", "We're not authorizing strikes on cities",
                       "--attributed-to", "Ruritania's defence minister", "--on-record")
    assert code == 2
    check_golden(GOLDEN / "claim-add-straight-apostrophe.txt", err)
    assert not (fresh / "claims" / "times-2025-03-03.yaml").exists()
    code, _, err = cli(monkeypatch, capsys, "claim", "add", str(fresh), "--source",
                       "times-2025-03-03", "--quote", "We’re not authorizing strikes on cities",
                       "--id", "minister-no-cities", "--attributed-to",
                       "Ruritania’s defence minister", "--on-record")
    assert code == 0, err
    before = (fresh / "claims" / "article.yaml").read_text(encoding="utf-8")
    code, _, err = cli(monkeypatch, capsys, "claim", "add", str(fresh), "--source", "article",
                       "--quote", "within the stated limits", "--kind", "provision")
    assert code == 0, err
    after = (fresh / "claims" / "article.yaml").read_text(encoding="utf-8")
    assert after.startswith(before) and "# provision | rationale" in after
    rs = load_ruleset(fresh)
    claim = rs.claims["minister-no-cities"]
    assert claim.claim.attributed_to is not None and claim.claim.attributed_to.on_record
    assert str(claim.claim.modality) == "attributed" and claim.start >= 0
    assert rs.claims["article-within-the-stated-limits"].claim.modality == "asserted"
    code, _, err = cli(monkeypatch, capsys, "claim", "add", str(fresh), "--source", "article",
                       "--quote", "within the stated limits", "--id", "minister-no-cities")
    assert code == 2 and "[duplicate-claim]" in err
    code, _, err = cli(monkeypatch, capsys, "claim", "add", str(fresh), "--source", "artcle",
                       "--quote", "x")
    assert code == 2 and "did you mean `article`?" in err
