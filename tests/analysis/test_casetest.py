"""The case runner: expectations (verdict, deciding rules as a subset, missing facts as a set),
case files, coverage of rules and provision claims, and the rendered reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimrules import LoadError, load_ruleset
from claimrules.analysis.casetest import CaseFile, Coverage, load_case_file, run_cases
from claimrules.load.ruleset import Ruleset
from claimrules.reporters.analysis import render_cases
from conftest import ROOT

CLEAN = ROOT / "tests" / "rulesets" / "clean"
FAILING = CLEAN / "extra" / "failing-cases.yaml"
BAD = CLEAN / "extra" / "bad-cases.yaml"


@pytest.fixture(scope="module")
def clean() -> Ruleset:
    return load_ruleset(CLEAN)


def line_of(path: Path, needle: str) -> int:
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in text:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def test_shipped_cases_pass(shipped: Ruleset) -> None:
    report = run_cases(shipped)
    assert len(report.results) == len(shipped.cases) > 0
    failures = [r.case.id for r in report.results if not r.passed]
    assert failures == [], render_cases(report, "text", shipped)
    cov = report.coverage
    assert cov.percent == pytest.approx(100 * cov.covered / cov.total)
    assert set(cov.rules) == {r.id for r in shipped.rules}


def test_own_cases_and_their_coverage(clean: Ruleset) -> None:
    report = run_cases(clean)
    assert [(r.case.id, r.passed) for r in report.results] == [
        ("border-military", True), ("border-needs-target", True), ("deep-any-target", True)]
    cov = report.coverage
    # border-military exercises border-permit; deep-any-target exercises deep-bar (which
    # decides although target is missing); border-needs-target leaves every rule undecided
    assert cov.exercised_rules == ("border-permit", "deep-bar")
    assert cov.claims == ("border-permitted", "civilian-barred", "deep-barred")
    assert cov.covered_claims == ("border-permitted", "deep-barred")
    assert (cov.covered, cov.total) == (4, 6)
    assert cov.percent == pytest.approx(200 / 3)
    assert cov.unexercised_rules == ("civilian-bar",)
    assert cov.uncovered_claims == ("civilian-barred",)


@pytest.mark.parametrize(
    ("fail_under", "ok"), [(None, True), (0, True), (66.6, True), (66.7, False), (100, False)]
)
def test_fail_under(clean: Ruleset, fail_under: float | None, ok: bool) -> None:
    assert run_cases(clean).ok(fail_under) is ok


def test_a_failing_case_fails_whatever_the_coverage(clean: Ruleset) -> None:
    report = run_cases(clean, load_case_file(FAILING, clean))
    assert report.failed == 3
    assert not report.ok()
    assert not report.ok(0)


EXPECTED = [
    # case, passed, mismatching fields, (expected, got) of the first mismatch
    ("other-actor-wrongly-permitted", False, ["verdict"], (("permitted",), ("not_addressed",))),
    ("deep-military-wrong-rule", False, ["deciding_rules"], (("civilian-bar",), ("deep-bar",))),
    ("border-civilian", True, [], None),
    ("needs-target-wrong-missing", False, ["missing_facts"], (("zone",), ("target",))),
]


@pytest.mark.parametrize(("case_id", "passed", "fields", "first"), EXPECTED)
def test_case_file_results(
    clean: Ruleset,
    case_id: str,
    passed: bool,
    fields: list[str],
    first: tuple[tuple[str, ...], tuple[str, ...]] | None,
) -> None:
    cases = load_case_file(FAILING, clean)
    report = run_cases(clean, cases)
    (result,) = [r for r in report.results if r.case.id == case_id]
    assert result.passed is passed
    assert [m.field for m in result.mismatches] == fields
    if first is not None:
        assert (result.mismatches[0].expected, result.mismatches[0].got) == first
    assert result.span.file == str(FAILING)
    assert result.span.line == line_of(FAILING, f"- id: {case_id}")


def test_case_file_keeps_spans_and_order(clean: Ruleset) -> None:
    cases = load_case_file(FAILING, clean)
    assert isinstance(cases, CaseFile) and isinstance(cases, list)
    assert [c.id for c in cases] == [e[0] for e in EXPECTED]
    assert set(cases.spans) == {c.id for c in cases}
    merged = [*cases]  # a plain list loses the spans; pass them explicitly
    report = run_cases(clean, merged, spans=cases.spans)
    assert all(r.span.file == str(FAILING) for r in report.results)


def test_spans_survive_flattening_case_files(clean: Ruleset) -> None:
    flat = [c for f in (FAILING,) for c in load_case_file(f, clean)]  # as the CLI does
    report = run_cases(clean, flat)
    assert all(r.span.file == str(FAILING) and r.span.line > 0 for r in report.results)
    assert report.coverage_percent == report.coverage.percent


def test_case_with_as_of_and_sources_is_decided_with_them(clean: Ruleset) -> None:
    report = run_cases(clean, load_case_file(FAILING, clean))
    (result,) = [r for r in report.results if r.case.id == "border-civilian"]
    assert result.decision.sources == ("toy-report",)
    assert str(result.decision.as_of) == "2024-03-15"
    assert "civilian-barred" in report.coverage.covered_claims


def test_bad_case_file_reports_every_problem_with_its_line(clean: Ruleset) -> None:
    with pytest.raises(LoadError) as err:
        load_case_file(BAD, clean)
    diags = err.value.diagnostics
    assert {d.code for d in diags} == {"unknown-fact", "unknown-verdict", "duplicate-case",
                                       "unknown-rule"}
    assert all(d.span.file == str(BAD) and d.span.line > 0 for d in diags)
    by_code = {d.code: d for d in diags}
    assert by_code["unknown-fact"].help == "did you mean `actor`?"
    assert by_code["unknown-verdict"].help == "did you mean `permitted`?"


def test_missing_case_file_is_an_input_error(clean: Ruleset, tmp_path: Path) -> None:
    with pytest.raises(LoadError):
        load_case_file(tmp_path / "nope.yaml", clean)


def test_empty_coverage_is_complete() -> None:
    cov = Coverage(rules=(), exercised_rules=(), claims=(), covered_claims=())
    assert cov.percent == 100.0


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "github"])
def test_render_cases(clean: Ruleset, fmt: str) -> None:
    report = run_cases(clean, load_case_file(FAILING, clean))
    out = render_cases(report, fmt, clean)
    assert out.endswith("\n")
    if fmt == "json":
        data = json.loads(out)
        assert data["kind"] == "test"
        assert data["summary"] == {"cases": 4, "passed": 1, "failed": 3}
        assert data["coverage"]["total"] == 6
        failed = [c for c in data["cases"] if not c["passed"]]
        assert all(c["decision"]["verdict"] for c in failed)
    elif fmt == "text":
        assert "FAIL  deep-military-wrong-rule" in out
        assert "deciding rules: expected to include civilian-bar; got deep-bar" in out
        assert "PASS  border-civilian" in out
        assert "PROHIBITED" in out  # the failing case's explanation is shown
        assert "4 cases: 1 passed, 3 failed" in out
        assert "coverage:" in out
    elif fmt == "github":
        lines = out.splitlines()
        assert len(lines) == 4
        assert lines[0].startswith(f"::error file={FAILING},line=")
        assert "title=case-failed::case `other-actor-wrongly-permitted`" in lines[0]
        assert lines[-1].startswith("::notice title=claimrules test::4 cases: 1 passed")
    else:
        assert out.startswith("# Cases of")
        assert "## Failed: `deep-military-wrong-rule`" in out


def test_unknown_format_is_refused(clean: Ruleset) -> None:
    with pytest.raises(ValueError, match="unknown format"):
        render_cases(run_cases(clean), "csv", clean)
