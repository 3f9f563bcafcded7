"""Scale: `lint` and `report` do work linear in the rules (issue 13 item 8, issue 12 item 3), and
bounded work where rules all read the same facts. Work is counted (mask operations, findings,
output bytes, peak memory of a child under a cap), never timed."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping
from pathlib import Path

import pytest
from scale_bench import dense, partitioned  # the bench's own generators (bench/)

from _proc import Job, claimrules_argv, run_many
from claimrules import load_ruleset
from claimrules.analysis import lint, regions
from claimrules.analysis.boxes import BoxIndex, Budget, bits, merge_disjoint
from claimrules.engine import search
from claimrules.engine.compile import CompiledTest, compiled_ruleset
from claimrules.load.checks import graph_cycles
from claimrules.load.domain import All, Effect, FactValue, Rule
from claimrules.load.ruleset import Ruleset
from claimrules.reporters import render_brief


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    base = tmp_path_factory.mktemp("scale")
    return {n: partitioned(base / f"p{n}", n) for n in (240, 480, 960)}


class _Counted:
    """Counts the long-int mask operations of the box index (`value_mask`, `fact_mask`)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        for name in ("value_mask", "fact_mask"):
            original = getattr(BoxIndex, name)

            def counted(index: BoxIndex, *args: object, _original: object = original) -> int:
                self.count += 1
                return _original(index, *args)  # type: ignore[operator,no-any-return]

            monkeypatch.setattr(BoxIndex, name, counted)


def _work(rs: Ruleset, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    counted = _Counted(monkeypatch)
    findings = lint.lint(rs)
    return counted.count, len(findings)


def test_lint_mask_work_grows_linearly_with_rules(
    scaled: dict[int, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Growing a box used to try every value of `policy` (one per group of rules) for every
    # box: work rules × groups. Now a box tries the values the boxes of its own group support.
    work = {n: _work(load_ruleset(p), monkeypatch) for n, p in scaled.items()}
    (w1, f1), (w2, f2), (w4, f4) = work[240], work[480], work[960]
    assert f2 <= 2.2 * f1 and f4 <= 2.2 * f2  # the findings themselves grow linearly
    assert w2 <= 2.3 * w1, work
    assert w4 <= 2.3 * w2, work


def test_satisfiability_search_tries_only_guarded_values(scaled: dict[int, Path]) -> None:
    # Each rule tests `policy is v<g>`: finding a scenario where it applies costs a few nodes,
    # not one per value of `policy` (which grows with the rules).
    calls = {}
    for n, path in scaled.items():
        compiled = compiled_ruleset(load_ruleset(path))
        count = 0

        def counting(test: CompiledTest) -> CompiledTest:
            def counted(facts: Mapping[str, FactValue]) -> bool | None:
                nonlocal count
                count += 1
                return test(facts)
            return counted

        places: dict[str, dict[FactValue, int]] = {}
        for r in compiled.rules:
            probe = dataclasses.replace(r, test=counting(r.test))
            assert lint.satisfiable(compiled, [probe], places) is True
        calls[n] = count
    assert calls[960] <= 4.4 * calls[240], calls


def test_report_output_and_memory_grow_linearly(scaled: dict[int, Path]) -> None:
    # A decision table with a column per fact was rows × facts cells (17 MB at 2,000 rules);
    # past `WIDE_TABLE_COLUMNS` facts each row lists its own cells.
    runs = run_many([Job(claimrules_argv("report", str(p)), p.parent,
                         env={"CLAIMRULES_NO_CACHE": "1"}) for p in scaled.values()], parallel=1)
    for run in runs:
        assert run.returncode == 0, run.why_stopped() + run.stderr.decode()[-500:]
    sizes = [len(run.stdout) for run in runs]
    assert sizes[1] <= 2.2 * sizes[0] and sizes[2] <= 2.2 * sizes[1], sizes
    assert sizes[2] < 1_500 * 960, sizes  # about 1.2 KB a rule
    assert runs[2].max_rss_mb < 200, runs[2].why_stopped()


def test_dense_rulesets_stay_bounded_and_say_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rules that all read the same facts stand together almost everywhere: a box where p
    # permits and q prohibits stand is p × q contested regions. Work stops at the bounds, and
    # lint says what it left out. (Small bounds here, so the test does little work.)
    rs = load_ruleset(dense(tmp_path / "dense", 60))
    monkeypatch.setattr(search, "MAX_LEAVES", 3_000)
    monkeypatch.setattr(regions, "MAX_REGION_MEMBERS", 200)
    monkeypatch.setattr(regions, "REGION_MEMBERS_PER_RULE", 0)
    findings = lint.lint(rs)
    contested = [f for f in findings if f.code == "contested-region"]
    assert 0 < len(contested) <= 200
    notes = [f.message for f in findings if f.code == "partial-analysis"]
    assert any("bound of 200" in m for m in notes), notes


def test_dense_lint_in_a_child_stays_under_a_memory_cap(tmp_path: Path) -> None:
    # 40 shared facts: the exploration stops at its leaf bound, and what follows is bounded by
    # the merge budget and the region cap (without them: 9.6 GB and minutes at 200 rules).
    root = dense(tmp_path / "dense", 40)
    (run,) = run_many([Job(claimrules_argv("lint", str(root), "--format", "json"), tmp_path,
                           env={"CLAIMRULES_NO_CACHE": "1"})])
    assert run.returncode == 1, run.why_stopped() + run.stderr.decode()[-500:]
    assert b"partial-analysis" in run.stdout
    assert run.max_rss_mb < 550, run.why_stopped()


def test_merge_budget_keeps_the_merge_exact() -> None:
    domains = {"a": tuple(range(4)), "b": tuple(range(4)), "c": tuple(range(3))}
    rng = random.Random(5)  # noqa: S311 - a seeded, reproducible grid
    items = [({"a": frozenset([a]), "b": frozenset([b]), "c": frozenset([c])},
              rng.choice("xy")) for a in range(4) for b in range(4) for c in range(3)]
    full = merge_disjoint(items, domains)
    budget = Budget(60)  # room for a few boxes of three facts (9 units each)
    cut = merge_disjoint(items, domains, budget)
    assert budget.spent_out and len(full) < len(cut) < len(items)

    def points(result: list[tuple[dict[str, frozenset[int]], str]]) -> set[tuple[object, ...]]:
        return {(a, b, c, label) for box, label in result
                for a in box.get("a", domains["a"]) for b in box.get("b", domains["b"])
                for c in box.get("c", domains["c"])}

    assert points(cut) == points(full) == points(items)  # type: ignore[arg-type]


@pytest.mark.parametrize("mask", [0, 1, 0b1011, (1 << 5000) | (1 << 17) | 1,
                                  sum(1 << i for i in range(0, 3000, 7))])
def test_bits_lists_the_set_bits_lowest_first(mask: int) -> None:
    assert list(bits(mask)) == [i for i in range(mask.bit_length()) if mask >> i & 1]


def test_one_cycle_finder_for_check_and_lint_whatever_the_depth() -> None:
    # A chain of 5,000 overrides closed into a loop: one cycle, found without recursion (the
    # finder lint had recursed once per rule).
    n = 5_000
    rules = [Rule(id=f"r{i:04d}", effect=Effect.PERMIT, when=All(()), because=(), note="",
                  overrides=(f"r{(i + 1) % n:04d}",)) for i in range(n)]
    (cycle,) = lint.override_cycles(rules)
    assert len(cycle) == n and cycle[0] == "r0000"
    assert graph_cycles({"a": ["b", "a"], "b": ["a", "x"]}) == [("a", "b"), ("a",)]


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_brief_grows_linearly_in_both_formats(scaled: dict[int, Path], fmt: str) -> None:
    # 81 facts at 960 rules: past `WIDE_TABLE_COLUMNS` the table names each row's own cells.
    sizes = [len(render_brief(load_ruleset(scaled[n]), fmt)) for n in (240, 960)]  # type: ignore[arg-type]
    assert sizes[1] <= 4.4 * sizes[0], sizes
