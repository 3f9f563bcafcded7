"""Whole-space analysis: lint on planted-problem rulesets, the decision table against `evaluate`
on every assignment, diffs, timelines, region compression and the renderers."""

from __future__ import annotations

import csv
import dataclasses
import gc
import io
import itertools
import json
import random
import re
from datetime import date
from pathlib import Path

import pytest

from claimrules import LoadError, load_ruleset
from claimrules.analysis import boxes, diff, lint, regions, space, table
from claimrules.analysis.findings import Finding
from claimrules.analysis.space import TimeSlice
from claimrules.analysis.timeline import timeline
from claimrules.diagnostics import Severity, Span
from claimrules.engine import search
from claimrules.engine.compile import compiled_ruleset
from claimrules.engine.context import build_context
from claimrules.engine.decision import Verdict
from claimrules.engine.explain import decide
from claimrules.engine.search import Leaf, explore, settle_open
from claimrules.load.domain import Rule
from claimrules.load.model import Rule as RuleModel
from claimrules.load.ruleset import Ruleset
from claimrules.reporters.analysis import (
    render_diff,
    render_lint,
    render_table,
    render_timeline,
)
from conftest import ROOT

RULESETS = ROOT / "tests" / "rulesets"


def planted(name: str) -> Ruleset:
    return load_ruleset(RULESETS / name)


def line_of(path: Path, needle: str) -> int:
    """The 1-based line of the first line containing `needle`."""
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in text:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def all_assignments(rs: Ruleset) -> list[dict[str, object]]:
    domains = compiled_ruleset(rs).domains
    names = list(domains)
    return [dict(zip(names, combo, strict=True))
            for combo in itertools.product(*(domains[n] for n in names))]


# --- lint on planted problems ----------------------------------------------------------------

PLANTED = [
    # ruleset, code, severity, file, the line's text
    ("conflict", "contested-region", Severity.WARNING, "rules/rules.yaml", "- id: deep-permit"),
    ("gap", "not-addressed-region", Severity.INFO, "ruleset.yaml", "- name: zone"),
    ("dead", "dead-rule", Severity.WARNING, "rules/rules.yaml", "- id: impossible"),
    ("shadowed", "shadowed-rule", Severity.WARNING, "rules/rules.yaml",
     "- id: border-military-bar"),
    ("unused-claim", "unused-claim", Severity.WARNING, "claims/claims.yaml",
     "- id: deep-permitted"),
    ("speculative", "speculative-rule", Severity.WARNING, "rules/rules.yaml",
     "- id: civilian-maybe"),
    ("unused-fact", "unused-fact", Severity.WARNING, "ruleset.yaml", "- name: weather_clear"),
    ("no-effect-override", "no-effect-override", Severity.INFO, "rules/rules.yaml",
     "- id: border-permit"),
    ("no-effect-override", "no-effect-override", Severity.INFO, "rules/rules.yaml",
     "- id: civilian-bar"),
]


@pytest.mark.parametrize(("name", "code", "severity", "file", "needle"), PLANTED)
def test_lint_finds_each_planted_problem_at_its_line(
    name: str, code: str, severity: Severity, file: str, needle: str
) -> None:
    findings = lint.lint(planted(name))
    where = RULESETS / name / file
    hits = [f for f in findings if f.code == code and f.span.file.endswith(file)
            and f.span.line == line_of(where, needle)]
    assert hits, render_lint(findings, "text")
    assert all(f.severity is severity for f in hits)
    assert all(f.span.col > 0 for f in hits)


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        ("clean", set()),
        ("conflict", {"contested-region"}),
        ("dead", {"dead-rule"}),
        ("shadowed", {"shadowed-rule"}),
        ("unused-claim", {"unused-claim"}),
        ("speculative", {"speculative-rule"}),
        ("unused-fact", {"unused-fact"}),
        ("gap", set()),
        ("no-effect-override", set()),
    ],
)
def test_planted_rulesets_warn_about_their_problem_only(name: str, codes: set[str]) -> None:
    findings = lint.lint(planted(name))
    assert {f.code for f in findings if f.severity is not Severity.INFO} == codes


def test_clean_ruleset_has_no_findings_at_all() -> None:
    assert lint.lint(planted("clean")) == []


def test_conflict_region_is_compressed_and_dated() -> None:
    (finding,) = [f for f in lint.lint(planted("conflict")) if f.code == "contested-region"]
    assert finding.rules == ("deep-permit", "deep-bar")
    assert finding.region is not None
    cells = {c.fact: c.values for c in finding.region.cells}
    assert cells == {"actor": ("ally",), "zone": ("deep",), "target": ("military",)}
    when = finding.region.when
    assert when is not None and when.unset
    assert [(s.start, s.until) for s in when.spans] == [(date(2024, 4, 1), None)]
    assert "zone=deep, target=military" in finding.message
    assert "from 2024-04-01" in finding.message


def test_gap_region_names_the_unaddressed_values() -> None:
    (finding,) = [f for f in lint.lint(planted("gap")) if f.code == "not-addressed-region"]
    assert finding.region is not None
    assert {c.fact: c.values for c in finding.region.cells} == {
        "actor": ("ally",), "zone": ("border",), "target": ("civilian",)}
    assert "within the policy's subject (actor=ally)" in finding.message


def test_gaps_are_listed_up_to_a_bound_then_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(regions, "MAX_GAP_FINDINGS", 1)
    gaps = [f for f in lint.lint(planted("ranges")) if f.code == "not-addressed-region"]
    assert len(gaps) == 2
    assert [f.region is None for f in gaps].count(True) == 1
    assert any("2 regions of the policy's subject are not addressed" in f.message for f in gaps)


def test_no_effect_override_says_why() -> None:
    messages = sorted(f.message for f in lint.lint(planted("no-effect-override")))
    assert messages == [
        "`border-permit` overrides `deep-bar`, but the two never apply together",
        "`civilian-bar` overrides `deep-bar`, which has the same effect (prohibit): the override "
        "changes no verdict",
    ]


def test_subject_scope_is_the_guard_every_rule_shares(shipped: Ruleset) -> None:
    # Blinken's "We haven't encouraged or enabled strikes outside of Ukraine" speaks of
    # targets elsewhere as well as inside Russia.
    assert regions.subject_scope(shipped) == {
        "actor": frozenset({"ukraine"}),
        "munitions_origin": frozenset({"us"}),
        "target_location": frozenset({"russia", "other"}),
    }
    assert regions.subject_scope(planted("ranges")) == {"actor": frozenset({"ally"})}


# --- override cycles -----------------------------------------------------------------------------


def _rule(rid: str, overrides: list[str]) -> Rule:
    return RuleModel.model_validate({
        "id": rid, "effect": "permit", "when": {"fact": "x", "is": True}, "because": ["c"],
        "overrides": overrides, "note": "n",
    }).to_domain()


@pytest.mark.parametrize(
    ("graph", "cycles"),
    [
        ({"a": [], "b": ["a"]}, []),
        ({"a": ["b"], "b": ["a"]}, [("a", "b")]),
        ({"a": ["a"]}, [("a",)]),
        ({"c": ["a"], "a": ["b"], "b": ["c"]}, [("a", "b", "c")]),
        ({"a": ["b"], "b": ["a", "c"], "c": ["d"], "d": ["c"]}, [("a", "b"), ("c", "d")]),
        ({"a": ["missing"]}, []),
    ],
)
def test_override_cycles_on_raw_rules(
    graph: dict[str, list[str]], cycles: list[tuple[str, ...]]
) -> None:
    rules = [_rule(r, o) for r, o in graph.items()]
    assert sorted(lint.override_cycles(rules)) == cycles


def test_lint_reports_a_cycle_it_is_handed() -> None:
    rs = planted("clean")
    rules = tuple(
        dataclasses.replace(r, overrides={"border-permit": ("civilian-bar",),
                                          "civilian-bar": ("border-permit",)}.get(r.id, ()))
        for r in rs.rules
    )
    cyclic = dataclasses.replace(rs, rules=rules)
    errors = [f for f in lint.lint(cyclic) if f.severity is Severity.ERROR]
    assert [f.code for f in errors] == ["override-cycle"]
    assert "border-permit → civilian-bar → border-permit" in errors[0].message


# --- lint on the shipped ruleset -----------------------------------------------------------------


def test_shipped_lint_is_free_of_structural_problems(shipped: Ruleset) -> None:
    findings = lint.lint(shipped)
    codes = {f.code for f in findings}
    assert not codes & {"dead-rule", "shadowed-rule", "unused-fact", "override-cycle",
                        "speculative-rule", "partial-analysis"}
    assert not [f for f in findings if f.code == "unused-claim" and f.severity is not Severity.INFO]
    assert all(f.span.line > 0 for f in findings)


def test_shipped_lint_finds_the_november_kursk_dispute(shipped: Ruleset) -> None:
    hits = [f for f in lint.lint(shipped) if f.code == "acknowledged-disagreement"
            and f.rules == ("long-range-authorized-november", "november-kursk-only")]
    assert len(hits) == 1
    region = hits[0].region
    assert region is not None and region.when is not None
    cells = {c.fact: c.values for c in region.cells}
    assert cells["weapon_class"] == ("atacms",)
    assert cells["in_kursk_region"] == (False,)
    assert [s.start for s in region.when.spans] == [date(2024, 11, 17)]
    assert "weapon_class=atacms" in hits[0].message
    assert "in_kursk_region=false" in hits[0].message


def test_lint_contested_regions_are_exact(shipped: Ruleset) -> None:
    """Every point of a contested region, at every date it names, has both rules standing."""
    compiled = compiled_ruleset(shipped)
    slices = space.time_slices(shipped)
    points = all_assignments(shipped)

    def holds_at(when: space.When, sl: TimeSlice) -> bool:
        if sl.unset:
            return when.unset
        return any((s.start is None or (sl.start is not None and s.start <= sl.start))
                   and (s.until is None or (sl.until is not None and sl.until <= s.until))
                   for s in when.spans)

    checked = 0
    for f in lint.lint(shipped):
        if f.code not in ("contested-region", "acknowledged-disagreement"):
            continue
        assert f.region is not None and f.region.when is not None
        for sl in slices:
            if not holds_at(f.region.when, sl):
                continue
            for facts in points:
                if f.region.matches(facts):  # type: ignore[arg-type]
                    d = decide(compiled, facts, as_of=sl.as_of, explain=False)  # type: ignore[arg-type]
                    assert d.verdict is Verdict.CONTESTED
                    assert set(f.rules) <= set(d.deciding_rules)
                    checked += 1
    assert checked > 100


def test_partial_exploration_is_said(monkeypatch: pytest.MonkeyPatch, shipped: Ruleset) -> None:
    monkeypatch.setattr(search, "MAX_LEAVES", 20)
    rs = dataclasses.replace(shipped)
    findings = lint.lint(rs)
    assert "partial-analysis" in {f.code for f in findings}
    assert "shadowed-rule" not in {f.code for f in findings}
    tab = table.table(rs)
    assert not tab.complete
    assert "PARTIAL" in render_table(tab, "text", rs)
    compiled = compiled_ruleset(rs)
    for facts in all_assignments(rs):  # the rows that are there are still right
        d = decide(compiled, facts, explain=False)  # type: ignore[arg-type]
        assert all(r.verdict is d.verdict for r in tab.lookup(facts))  # type: ignore[arg-type]


def test_analyses_leave_the_garbage_collector_as_they_found_it(shipped: Ruleset) -> None:
    assert gc.isenabled()
    lint.lint(planted("clean"))
    assert gc.isenabled()
    with pytest.raises(ValueError):
        table.table(shipped, sources=["nope"])
    assert gc.isenabled()
    gc.disable()
    try:
        table.table(planted("clean"))
        assert not gc.isenabled()
    finally:
        gc.enable()


# --- exploration ---------------------------------------------------------------------------------


@pytest.mark.parametrize("as_of", [None, date(2024, 5, 1), date(2024, 6, 1), date(2024, 11, 20)])
@pytest.mark.parametrize("facts", [{}, {"actor": "ukraine"}, {"weapon_class": "atacms",
                                                             "area": "moscow"}])
def test_fast_exploration_gives_explores_leaves(
    shipped: Ruleset, as_of: date | None, facts: dict[str, object]
) -> None:
    compiled = compiled_ruleset(shipped)
    ctx = build_context(compiled, as_of, None, None)
    leaves, complete = explore(compiled, ctx.active, facts)  # type: ignore[arg-type]
    slow = settle_open(leaves, ctx.active, facts), complete  # type: ignore[arg-type]
    fast = search.explore(compiled, ctx.active, facts, settle=True)  # type: ignore[arg-type]

    def plain(result: tuple[list[Leaf], bool]) -> object:
        return [(x.assigned, x.verdict, [r.id for r in x.standing]) for x in result[0]], result[1]

    assert plain(fast) == plain(slow)


# --- the decision table --------------------------------------------------------------------------

TABLE_CONTEXTS = [
    {},
    {"as_of": date(2024, 5, 1)},
    {"as_of": date(2024, 6, 1)},
    {"as_of": date(2024, 11, 20)},
    {"known_by": date(2024, 6, 1)},
    {"as_of": date(2024, 11, 20), "sources": ("biden-decision-article", "cbs-2024-11-17",
                                               "liga-axios-2024-11")},
]


@pytest.mark.parametrize("context", TABLE_CONTEXTS, ids=lambda c: ",".join(map(str, c.values())))
def test_table_rows_reproduce_evaluate_on_every_assignment(
    shipped: Ruleset, context: dict[str, object]
) -> None:
    tab = table.table(shipped, **context)  # type: ignore[arg-type]
    assert tab.complete
    compiled = compiled_ruleset(shipped)
    points = all_assignments(shipped)
    assert len(points) == 3600
    for facts in points:
        d = decide(compiled, facts, explain=False, **context)  # type: ignore[arg-type]
        rows = tab.lookup(facts)  # type: ignore[arg-type]
        assert rows, facts
        for row in rows:
            assert (row.verdict, row.deciding_rules) == (d.verdict, d.deciding_rules), facts


def test_table_is_compressed(shipped: Ruleset) -> None:
    tab = table.table(shipped, as_of=date(2024, 6, 1))
    labels = {(r.verdict, r.deciding_rules) for r in tab.rows}
    assert len(labels) <= len(tab.rows) < tab.leaves
    assert len(tab.rows) <= 2 * len(labels)
    not_addressed = [r for r in tab.rows if r.verdict is Verdict.NOT_ADDRESSED]
    assert sorted(str(space.Region(r.cells)) for r in not_addressed) == [
        "actor=other", "munitions_origin=other", "target_location in [ukraine, other]"]


RANGE_POINTS = [
    {"actor": a, "distance_km": d, "strike_date": s}
    for a in ("ally", "other")
    for d in (0, 25, 50, 50.5, 99, 99.99, 100, 150, 10_000)
    for s in (date(2023, 1, 1), date(2023, 12, 31), date(2024, 1, 1), date(2024, 7, 1))
]


@pytest.mark.parametrize("as_of", [None, date(2024, 1, 15), date(2024, 2, 10), date(2024, 3, 15),
                                   date(2024, 6, 1), date(2025, 6, 1)])
def test_table_over_number_and_date_facts_matches_evaluate(as_of: date | None) -> None:
    rs = planted("ranges")
    tab = table.table(rs, as_of=as_of)
    for facts in RANGE_POINTS:
        d = decide(compiled_ruleset(rs), facts, as_of=as_of, explain=False)  # type: ignore[arg-type]
        rows = tab.lookup(facts)  # type: ignore[arg-type]
        assert rows and all(r.verdict is d.verdict for r in rows), facts


def test_number_and_date_cells_read_as_ranges() -> None:
    tab = table.table(planted("ranges"), as_of=date(2024, 6, 1))
    texts = {str(c) for r in tab.rows for c in r.cells}
    assert "distance_km < 100" in texts
    assert "distance_km ≥ 100" in texts
    assert "distance_km ≤ 50" in texts
    assert "strike_date < 2024-01-01" in texts
    text = render_table(tab, "text", planted("ranges"))
    assert "< 100" in text and "≥ 100" in text


def test_number_cells_in_json_are_ranges() -> None:
    rs = planted("ranges")
    data = json.loads(render_table(table.table(rs, as_of=date(2024, 6, 1)), "json", rs))
    cells = [c for row in data["rows"] for c in row["when"] if c["fact"] == "distance_km"]
    assert {"fact", "ranges", "representatives"} == set(cells[0])
    assert {"min": None, "min_inclusive": False, "max": 100, "max_inclusive": False} in [
        r for c in cells for r in c["ranges"]]


def test_time_slices_follow_rule_periods() -> None:
    assert space.time_slices(planted("ranges")) == [
        TimeSlice(None, None, unset=True),
        TimeSlice(None, date(2024, 1, 31)),
        TimeSlice(date(2024, 2, 1), date(2024, 2, 29)),
        TimeSlice(date(2024, 3, 1), date(2024, 3, 31)),
        TimeSlice(date(2024, 4, 1), date(2024, 12, 31)),
        TimeSlice(date(2025, 1, 1), None),
    ]


def test_table_refuses_unknown_sources(shipped: Ruleset) -> None:
    with pytest.raises(ValueError, match="unknown source `nope`"):
        table.table(shipped, sources=["nope"])


# --- region compression --------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(12))
def test_compress_is_exact_on_random_label_grids(seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - a seeded, reproducible test grid
    domains = {f: tuple(range(rng.randint(2, 4))) for f in "abcd"}
    labels = rng.randint(2, 4)
    # a labelling with structure: each label a union of a few random boxes painted in order
    grid: dict[tuple[int, ...], int] = dict.fromkeys(itertools.product(*domains.values()), 0)
    for _ in range(rng.randint(2, 6)):
        box = {f: {v for v in d if rng.random() < 0.6} or {d[0]} for f, d in domains.items()}
        label = rng.randrange(labels)
        for p in grid:
            if all(v in box[f] for f, v in zip(domains, p, strict=True)):
                grid[p] = label
    items = [({f: frozenset([v]) for f, v in zip(domains, p, strict=True)}, lab)
             for p, lab in grid.items()]
    out = boxes.compress(items, domains)  # type: ignore[arg-type]
    assert len(out) <= len(items)
    for p, lab in grid.items():
        covering = [lb for box, lb in out
                    if all(f not in box or v in box[f] for f, v in zip(domains, p, strict=True))]
        assert covering and set(covering) == {lab}, (p, lab, covering)


def test_compress_merges_a_split_fact_back() -> None:
    domains = {"x": ("a", "b", "c"), "y": (True, False)}
    items = [({"x": frozenset({v}), "y": frozenset({True})}, "L") for v in "abc"]
    items.append(({"y": frozenset({False})}, "M"))
    assert sorted((tuple(sorted(b)), lab) for b, lab in boxes.compress(items, domains)) == [
        (("y",), "L"), (("y",), "M")]


# --- diff ----------------------------------------------------------------------------------------


def test_diff_between_two_dates_names_the_november_claims(shipped: Ruleset) -> None:
    d = diff.diff(shipped, shipped, as_of_a=date(2024, 6, 1), as_of_b=date(2024, 11, 20))
    assert d.complete and d.changes
    entered_claims = {c.id for ch in d.changes for r in ch.entered for c in r.claims}
    assert {"wsb-green-light-longer-range", "cbs-restrictions-lifted",
            "axios-kursk-only"} <= entered_claims
    entered_rules = {r.rule for ch in d.changes for r in ch.entered}
    assert {"long-range-authorized-november", "november-kursk-only",
            "november-kursk-permission"} <= entered_rules
    text = render_diff(d, "text", shipped)
    for cid in ("wsb-green-light-longer-range", "cbs-restrictions-lifted", "axios-kursk-only"):
        assert cid in text
    assert "2024-11-17" in text


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ({"as_of_a": date(2024, 6, 1), "as_of_b": date(2024, 11, 20)}, None),
        ({"as_of_a": date(2024, 5, 1), "as_of_b": date(2024, 6, 10)}, None),
        ({"known_by_a": date(2024, 6, 1), "known_by_b": date(2024, 11, 20)}, None),
    ],
)
def test_diff_regions_are_exactly_the_changed_assignments(
    shipped: Ruleset, old: dict[str, date], new: None
) -> None:
    d = diff.diff(shipped, shipped, **old)
    compiled = compiled_ruleset(shipped)
    changed = 0
    for facts in all_assignments(shipped):
        a = decide(compiled, facts, as_of=old.get("as_of_a"),  # type: ignore[arg-type]
                   known_by=old.get("known_by_a"), explain=False)
        b = decide(compiled, facts, as_of=old.get("as_of_b"),  # type: ignore[arg-type]
                   known_by=old.get("known_by_b"), explain=False)
        hits = [c for c in d.changes if c.region.matches(facts)]  # type: ignore[arg-type]
        if a.verdict is b.verdict:
            assert not hits, facts
            continue
        changed += 1
        assert hits, facts
        for c in hits:
            assert (c.before, c.after) == (a.verdict, b.verdict)
            assert {r.rule for r in c.entered} == set(b.deciding_rules) - set(a.deciding_rules)
            assert {r.rule for r in c.left} == set(a.deciding_rules) - set(b.deciding_rules)
    assert changed == d.changed_cells


def test_diff_between_two_ruleset_directories() -> None:
    d = diff.diff(planted("clean"), planted("conflict"))
    (change,) = d.changes
    assert (change.before, change.after) == (Verdict.PROHIBITED, Verdict.CONTESTED)
    assert [r.rule for r in change.entered] == ["deep-permit"]
    (claim,) = change.entered[0].claims
    assert (claim.id, claim.source, claim.reported_on) == (
        "deep-permitted", "later-report", date(2024, 4, 1))
    assert str(change.region) == "actor=ally, zone=deep, target=military"


@pytest.mark.parametrize("other", ["unused-fact", "ranges"])
def test_diff_refuses_different_vocabularies(other: str) -> None:
    with pytest.raises(LoadError) as err:
        diff.diff(planted("clean"), planted(other))
    assert {d.code for d in err.value.diagnostics} == {"diff-vocabulary"}


def test_diff_with_no_change_says_so(shipped: Ruleset) -> None:
    d = diff.diff(shipped, shipped, as_of_a=date(2024, 12, 1), as_of_b=date(2024, 12, 2))
    assert d.changes == () and d.changed_cells == 0
    assert "no verdict changes" in render_diff(d, "text", shipped)


# --- timeline ------------------------------------------------------------------------------------


def test_timeline_orders_claims_and_keeps_undated_apart(shipped: Ruleset) -> None:
    tl = timeline(shipped)
    days = [d.date for d in tl.dated]
    assert days == sorted(days) and None not in days
    assert all(d.date is None for d in tl.undated)
    assert "biden-decision-article" in {d.source for d in tl.undated}
    placed = [i.claim.id for d in (*tl.dated, *tl.undated) for i in d.claims]
    assert sorted(placed) == sorted(shipped.claims)
    for d in tl.dated:
        assert all(i.claim.reported_on == d.date and i.claim.source == d.source for i in d.claims)
    periods = {p.rule: p for p in tl.rules}
    assert set(periods) == {r.id for r in shipped.rules}
    assert periods["november-kursk-only"].stated
    assert periods["kharkiv-counter-fire"].period.derived_from is not None
    starts = {p.period.start for p in tl.rules if p.period.start is not None}
    assert set(tl.changes) == starts


def test_timeline_of_a_closed_period() -> None:
    tl = timeline(planted("ranges"))
    assert tl.changes == (date(2024, 2, 1), date(2024, 3, 1), date(2024, 4, 1), date(2025, 1, 1))
    text = render_timeline(tl, "text", planted("ranges"))
    assert "from 2024-02-01 until 2024-12-31" in text


# --- renderers -----------------------------------------------------------------------------------

GITHUB = re.compile(r"^::(error|warning|notice) file=[^,]+,line=\d+,col=\d+,title=[a-z-]+::.+$")


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "csv", "github"])
def test_render_lint_formats(fmt: str, shipped: Ruleset) -> None:
    findings = lint.lint(shipped) + lint.lint(planted("dead"))
    out = render_lint(findings, fmt)
    assert out.endswith("\n")
    if fmt == "json":
        data = json.loads(out)
        assert data["kind"] == "lint" and len(data["findings"]) == len(findings)
        assert any(f["region"] for f in data["findings"])
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert len(rows) == len(findings) and rows[0]["code"]
    elif fmt == "github":
        lines = out.splitlines()
        assert len(lines) == len(findings)
        assert all(GITHUB.match(x) for x in lines), lines[:3]
        assert any(x.startswith("::warning") and "title=dead-rule" in x for x in lines)
    elif fmt == "text":
        assert re.search(r"rules/rules.yaml:\d+:5: warning: rule `impossible` can never apply",
                         out)
        assert out.rstrip().splitlines()[-1].startswith(f"{len(findings)} findings")
    else:
        assert out.startswith("# Lint findings")


def test_github_escapes_its_separators() -> None:
    f = Finding("x-y", Severity.ERROR, "50% done\nnext", Span("a,b:c.yaml", 3, 4))
    assert render_lint([f], "github") == (
        "::error file=a%2Cb%3Ac.yaml,line=3,col=4,title=x-y::50%25 done%0Anext\n")


@pytest.mark.parametrize("fmt", ["text", "csv", "markdown", "json"])
def test_render_table_formats(fmt: str, shipped: Ruleset) -> None:
    tab = table.table(shipped, as_of=date(2024, 6, 1))
    out = render_table(tab, fmt, shipped)
    assert out.endswith("\n")
    if fmt == "json":
        data = json.loads(out)
        assert data["kind"] == "table" and len(data["rows"]) == len(tab.rows)
        assert data["as_of"] == "2024-06-01"
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(out)))
        assert rows[0] == [*tab.facts, "verdict", "deciding_rules"]
        assert len(rows) == len(tab.rows) + 1
    elif fmt == "text":
        lines = out.splitlines()
        header = next(i for i, x in enumerate(lines) if x.startswith("actor"))
        body = lines[header + 2:]
        assert len(body) == len(tab.rows)
        col = lines[header].index("verdict")
        assert all(x[col:].split()[0] in {v.value for v in Verdict} for x in body)
    else:
        assert out.count("\n| ") == len(tab.rows) + 1


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_render_diff_and_timeline_formats(fmt: str, shipped: Ruleset) -> None:
    d = diff.diff(shipped, shipped, as_of_a=date(2024, 6, 1), as_of_b=date(2024, 11, 20))
    out = render_diff(d, fmt, shipped)
    tl = render_timeline(timeline(shipped), fmt, shipped)
    assert out.endswith("\n") and tl.endswith("\n")
    if fmt == "json":
        data = json.loads(out)
        assert data["kind"] == "diff" and len(data["changes"]) == len(d.changes)
        assert json.loads(tl)["kind"] == "timeline"
    assert "cbs-restrictions-lifted" in out
    assert "adn-long-range-authorized" in tl


def test_unknown_formats_are_refused(shipped: Ruleset) -> None:
    calls = [
        lambda: render_lint([], "yaml"),
        lambda: render_table(table.table(planted("clean")), "yaml", shipped),
        lambda: render_diff(diff.diff(shipped, shipped), "csv", shipped),
        lambda: render_timeline(timeline(shipped), "github", shipped),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="unknown format"):
            call()
