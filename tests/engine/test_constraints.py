"""Facts that know each other (issue 15): constraints in the vocabulary make some scenarios
impossible and imply values; eval refuses the impossible, ask never asks what is implied, and
table, lint, diff and the brief leave impossible scenarios out and say how many."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest

from claimrules import evaluate, load_ruleset
from claimrules.analysis import diff, lint, table
from claimrules.analysis.interview import next_question
from claimrules.diagnostics import LoadError
from claimrules.engine.compile import compiled_ruleset
from claimrules.engine.constraints import ImpossibleScenario, implied, scenarios
from conftest import ROOT, check_golden, run_main

RULESET = ROOT / "tests" / "rulesets" / "constraints"
GOLDEN = ROOT / "tests" / "golden" / "messages"


@pytest.fixture(scope="module")
def rs():
    return load_ruleset(RULESET)


def test_implied_values_are_filled_in(rs) -> None:
    d = evaluate(rs, {"weapon": "atacms", "area": "kursk"})
    assert d.verdict == "permitted" and d.deciding_rules == ("us-in-russia",)
    assert d.missing_facts == ()
    assert implied(rs.meta.constraints, {"weapon": "storm_shadow"}) == {
        "munitions_origin": ("uk", "storm-shadow-is-uk")}


@pytest.mark.parametrize("facts", [
    {"weapon": "atacms", "munitions_origin": "uk"},
    {"area": "belgorod", "location": "ukraine"},
])
def test_an_impossible_scenario_is_an_input_error(rs, facts: dict[str, str]) -> None:
    with pytest.raises(ImpossibleScenario) as info:
        evaluate(rs, facts)
    assert info.value.diagnostics[0].code == "impossible-scenario"


def test_eval_names_the_broken_constraint(monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_main(monkeypatch, capsys, "eval", str(RULESET), "--fact",
                              "weapon=atacms", "--fact", "munitions_origin=uk")
    assert code == 2 and out == ""
    check_golden(GOLDEN / "impossible-scenario.txt", err)


def test_ask_never_asks_what_is_implied(rs) -> None:
    compiled = compiled_ruleset(rs)
    assert next_question(compiled, {"weapon": "atacms", "area": "kursk"}) is None
    asked = next_question(compiled, {"weapon": "atacms"})
    assert asked is not None and asked != "munitions_origin"


def test_possible_scenarios_are_enumerated(rs) -> None:
    domains = dict(compiled_ruleset(rs).domains)
    grid = scenarios(domains, rs.meta.constraints, rs.facts)
    assert len(grid.scenarios) == 40 and grid.left_out == 68
    assert len(grid.scenarios) + grid.left_out == 3 * 3 * 3 * 2 * 2


def test_table_leaves_impossible_scenarios_out_and_counts_them(rs) -> None:
    tab = table.table(rs)
    assert tab.left_out == 68
    domains = dict(compiled_ruleset(rs).domains)
    names = list(domains)
    possible = {tuple(s.values()) for s in scenarios(domains, rs.meta.constraints,
                                                     rs.facts).scenarios}
    for values in itertools.product(*(domains[n] for n in names)):
        facts = dict(zip(names, values, strict=True))
        rows = tab.lookup(facts)
        if values in possible:
            assert rows, facts
            assert {r.verdict for r in rows} == {evaluate(rs, facts).verdict}, facts
        else:
            assert rows == [], facts


def test_lint_counts_what_it_left_out_and_spares_scenario_facts(rs) -> None:
    findings = lint.lint(rs)
    codes = [f.code for f in findings]
    assert "unused-fact" not in codes  # region_name is scenario_only; weapon, area constrain
    left = [f for f in findings if f.code == "impossible-left-out"]
    assert len(left) == 1 and left[0].message.startswith("68 impossible scenarios")


def test_diff_leaves_impossible_scenarios_out(rs, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(RULESET, other)
    with (other / "rules" / "rules.yaml").open("a", encoding="utf-8") as f:
        f.write("  - id: drones-anywhere\n    effect: permit\n    when: {fact: weapon, is: drone}\n"
                "    because: [us-missiles-allowed]\n    note: toy.\n")
    d = diff.diff(rs, load_ruleset(other))
    assert d.left_out == 68 and d.total_cells == 40 and d.changed_cells == 18


@pytest.mark.parametrize(("name", "old", "new"), [
    ("constraint-unknown-fact", "then: {fact: munitions_origin, is: us}",
     "then: {fact: munition_origin, is: us}"),
    ("constraint-bad-value", "then: {fact: munitions_origin, is: us}",
     "then: {fact: munitions_origin, is: usa}"),
])
def test_check_reports_bad_constraints(tmp_path: Path, name: str, old: str, new: str) -> None:
    root = tmp_path / "c"
    shutil.copytree(RULESET, root)
    meta = root / "ruleset.yaml"
    text = meta.read_text(encoding="utf-8")
    assert old in text
    meta.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load_ruleset(root)
    out = "\n".join(d.render() for d in info.value.diagnostics).replace(str(root), "RULESET")
    check_golden(GOLDEN / f"{name}.txt", out + "\n")


def test_check_refuses_a_case_that_could_never_happen(tmp_path: Path) -> None:
    root = tmp_path / "c"
    shutil.copytree(RULESET, root)
    cases = root / "cases" / "cases.yaml"
    text = cases.read_text(encoding="utf-8")
    cases.write_text(text.replace("{weapon: atacms, area: kursk}",
                                  "{weapon: atacms, area: kursk, location: ukraine}"),
                     encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load_ruleset(root)
    out = "\n".join(d.render() for d in info.value.diagnostics).replace(str(root), "RULESET")
    assert "constraint `border-areas-are-in-russia`" in out
    check_golden(GOLDEN / "impossible-case.txt", out + "\n")
