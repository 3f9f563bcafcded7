"""Golden tests of the decision reporters (text, Markdown, JSON) on the shipped ruleset.

Each scenario's explanation is compared byte for byte with
`tests/golden/explain/NAME.{txt,md,json}`.
Regenerate with `UPDATE_GOLDEN=1 pytest tests/reporters/test_reporters.py`: the run then fails,
naming the files it wrote, so a regeneration is never silently green — read the diff, then run
again.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from datetime import date
from typing import Any

import pytest

from claimrules import Decision, Ruleset, Verdict, evaluate
from claimrules.engine.decision import RuleStatus
from claimrules.reporters import DECISION_FORMATS, markdown, render, text
from claimrules.reporters import json as json_reporter
from conftest import ROOT, TESTS

GOLDEN = TESTS / "golden" / "explain"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
ANSI = re.compile(r"\x1b\[[0-9;]*m")

BASE = {"actor": "ukraine", "munitions_origin": "us", "target_location": "russia"}

#: name → (facts, evaluate() keywords, expected verdict)
SCENARIOS: dict[str, tuple[dict[str, object], dict[str, Any], Verdict]] = {
    "permitted-article-only": (
        {**BASE, "target_type": "military_unit", "directly_involved_in_invasion": True},
        {"sources": ["biden-decision-article"]},
        Verdict.PERMITTED,
    ),
    "prohibited-civilian-infrastructure": (
        {**BASE, "target_type": "civilian_infrastructure"},
        {"sources": ["biden-decision-article", "newser-2024-05"]},
        Verdict.PROHIBITED,
    ),
    "contested-kharkiv-installation": (
        {
            **BASE,
            "area": "across_from_kharkiv",
            "target_type": "military_installation",
            "directly_involved_in_invasion": True,
            "weapon_class": "short_range",
        },
        {},
        Verdict.CONTESTED,
    ),
    "indeterminate-undated-article-2024-06-01": (
        {
            **BASE,
            "area": "across_from_kharkiv",
            "target_type": "military_installation",
            "directly_involved_in_invasion": True,
            "weapon_class": "short_range",
        },
        {"as_of": date(2024, 6, 1)},
        Verdict.INDETERMINATE,
    ),
    "indeterminate-limited-strikes-adn": (
        {
            **BASE,
            "weapon_class": "atacms",
            "area": "deep_inside",
            "in_kursk_region": False,
            "target_type": "military_unit",
            "directly_involved_in_invasion": True,
        },
        {"as_of": date(2024, 11, 20), "sources": ["adn-2024-11-17"]},
        Verdict.INDETERMINATE,
    ),
    "prohibited-refined-article": (
        {
            **BASE,
            "weapon_class": "atacms",
            "area": "deep_inside",
            "target_type": "military_unit",
            "directly_involved_in_invasion": True,
        },
        {"sources": ["biden-decision-article", "lbc-2024-05-31"]},
        Verdict.PROHIBITED,
    ),
    "permitted-relayed-axios": (
        {
            **BASE,
            "weapon_class": "atacms",
            "area": "elsewhere_near_border",
            "in_kursk_region": True,
            "target_type": "military_unit",
            "directly_involved_in_invasion": True,
        },
        {"sources": ["liga-axios-2024-11"]},
        Verdict.PERMITTED,
    ),
    "indeterminate-nothing-about-the-target": (dict(BASE), {}, Verdict.INDETERMINATE),
    "not-addressed-target-in-ukraine": (
        {**BASE, "target_location": "ukraine"},
        {},
        Verdict.NOT_ADDRESSED,
    ),
    "known-by-2024-06-01-kharkiv-installation": (
        {
            **BASE,
            "area": "across_from_kharkiv",
            "target_type": "military_installation",
            "directly_involved_in_invasion": True,
            "weapon_class": "short_range",
        },
        {"known_by": date(2024, 6, 1)},
        Verdict.PERMITTED,
    ),
    "contested-atacms-outside-kursk-2024-11-20": (
        {
            **BASE,
            "weapon_class": "atacms",
            "area": "deep_inside",
            "in_kursk_region": False,
            "target_type": "military_unit",
            "directly_involved_in_invasion": True,
        },
        {"as_of": date(2024, 11, 20)},
        Verdict.CONTESTED,
    ),
}

#: golden file suffix → format name given to `render`
SUFFIXES = {"txt": "text", "md": "markdown", "json": "json"}


@pytest.fixture(scope="module")
def ruleset(shipped: Ruleset) -> Ruleset:
    """The shipped ruleset (loaded once per session by conftest)."""
    return shipped


def _decide(ruleset: Ruleset, name: str) -> Decision:
    facts, kwargs, _ = SCENARIOS[name]
    return evaluate(ruleset, facts, **kwargs)


def _rendered(ruleset: Ruleset, name: str, suffix: str) -> str:
    decision = _decide(ruleset, name)
    if suffix == "json":
        return json_reporter.dumps(json_reporter.decision(decision)) + "\n"
    if suffix == "md":
        return markdown.render_decision(decision, ruleset)
    return text.render_decision(decision, ruleset)


@pytest.mark.parametrize("suffix", sorted(SUFFIXES))
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_golden(ruleset: Ruleset, name: str, suffix: str) -> None:
    actual = _rendered(ruleset, name, suffix)
    path = GOLDEN / f"{name}.{suffix}"
    if UPDATE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        new = actual.encode("utf-8")
        if not path.exists() or path.read_bytes() != new:
            path.write_bytes(new)
            pytest.fail(f"UPDATE_GOLDEN=1: wrote {path.relative_to(ROOT)}; review it and rerun")
        return
    assert path.exists(), f"missing golden {path}; run with UPDATE_GOLDEN=1 to create it"
    expected = path.read_bytes().decode("utf-8")
    assert actual == expected, f"{path.name} differs; UPDATE_GOLDEN=1 rewrites it"


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_verdict(ruleset: Ruleset, name: str) -> None:
    assert _decide(ruleset, name).verdict is SCENARIOS[name][2]


def test_every_verdict_has_a_golden_scenario() -> None:
    assert {v for _, _, v in SCENARIOS.values()} == set(Verdict)


@pytest.mark.parametrize("fmt", DECISION_FORMATS)
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_render_by_name_matches_the_reporter(ruleset: Ruleset, name: str, fmt: str) -> None:
    suffix = {v: k for k, v in SUFFIXES.items()}[fmt]
    assert render(_decide(ruleset, name), ruleset, fmt) == _rendered(ruleset, name, suffix)


def test_render_json_is_the_contract(ruleset: Ruleset) -> None:
    decision = _decide(ruleset, "prohibited-civilian-infrastructure")
    out = json.loads(render(decision, ruleset, "json"))
    assert out["verdict"] == "prohibited"
    assert out["deciding_rules"] == ["article-only-involved-units", "civilian-infrastructure-bar"]
    assert {"id", "source", "quote"} <= set(out["claims"][0])


def test_render_refuses_an_unknown_format(ruleset: Ruleset) -> None:
    with pytest.raises(ValueError, match="unknown format `yaml`"):
        render(_decide(ruleset, "permitted-article-only"), ruleset, "yaml")


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_text_is_at_most_100_columns(ruleset: Ruleset, name: str) -> None:
    for line in text.render_decision(_decide(ruleset, name), ruleset).splitlines():
        if line.strip().startswith("https://"):
            continue  # URLs are never broken
        assert len(line) <= text.WIDTH, line


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_headline_says_as_reported(ruleset: Ruleset, name: str) -> None:
    decision = _decide(ruleset, name)
    assert "as reported" in text.render_decision(decision, ruleset).splitlines()[0]
    assert "as reported" in markdown.render_decision(decision, ruleset).splitlines()[0]


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_colour_only_when_asked(ruleset: Ruleset, name: str) -> None:
    decision = _decide(ruleset, name)
    plain = text.render_decision(decision, ruleset, color=False)
    painted = text.render_decision(decision, ruleset, color=True)
    assert "\x1b" not in plain
    assert "\x1b[" in painted.splitlines()[0]
    assert ANSI.sub("", painted) == plain
    assert "\x1b" not in markdown.render_decision(decision, ruleset)


def test_output_does_not_depend_on_fact_order(ruleset: Ruleset) -> None:
    facts, kwargs, _ = SCENARIOS["contested-atacms-outside-kursk-2024-11-20"]
    backwards = dict(reversed(list(facts.items())))
    a = evaluate(ruleset, facts, **kwargs)
    b = evaluate(ruleset, backwards, **kwargs)
    for fmt in DECISION_FORMATS:
        assert render(a, ruleset, fmt) == render(b, ruleset, fmt)


def test_every_deciding_claim_is_quoted(ruleset: Ruleset) -> None:
    for name in SCENARIOS:
        decision = _decide(ruleset, name)
        out = text.render_decision(decision, ruleset)
        flat = " ".join(out.split())
        for claim in decision.claims:
            assert " ".join(claim.quote.split()) in flat, (name, claim.id)


def test_known_by_says_how_many_undated_claims_were_left_out(ruleset: Ruleset) -> None:
    decision = _decide(ruleset, "known-by-2024-06-01-kharkiv-installation")
    n = len(decision.excluded_undated)
    assert n > 0
    out = text.render_decision(decision, ruleset)
    assert f"{n} undated claims were left out" in out
    assert "cannot be shown to have been reported by 2024-06-01" in out


def test_markdown_escapes_user_text_in_tables(ruleset: Ruleset) -> None:
    decision = _decide(ruleset, "not-addressed-target-in-ukraine")
    first = decision.rules[0]
    assert first.status is RuleStatus.DOES_NOT_APPLY
    odd = dataclasses.replace(first, title="left | right *bold* [link](x)")
    decision = dataclasses.replace(decision, rules=(odd, *decision.rules[1:]))
    out = markdown.render_decision(decision, ruleset)
    assert r"left \| right \*bold\* \[link\](x)" in out
    rows = [line for line in out.splitlines() if line.startswith("| `")]
    assert all(len(re.findall(r"(?<!\\)\|", row)) == 5 for row in rows)


def test_markdown_links_sources(ruleset: Ruleset) -> None:
    decision = _decide(ruleset, "contested-kharkiv-installation")
    out = markdown.render_decision(decision, ruleset)
    assert "> — [DW](https://www.dw.com/" in out
    assert "### Why" in out
    assert "#### Permitted, according to" in out
    assert "#### Prohibited, according to" in out


def test_a_claim_cited_twice_is_quoted_once(ruleset: Ruleset) -> None:
    decision = _decide(ruleset, "prohibited-civilian-infrastructure")
    first, second = (o for o in decision.rules if o.rule in decision.deciding_rules)
    shared = first.claims[0]
    doubled = dataclasses.replace(second, claims=(*second.claims, shared))
    rules = tuple(doubled if o.rule == second.rule else o for o in decision.rules)
    decision = dataclasses.replace(decision, rules=rules)
    quote = " ".join(shared.quote.split()[:8])
    out = text.render_decision(decision, ruleset)
    assert " ".join(out.split()).count(" ".join(shared.quote.split()[3:])) == 1
    assert f'(also cites "{quote}…", quoted above)' in " ".join(out.split())
    assert f"*Also cites “{quote}…”, quoted above.*" in markdown.render_decision(decision, ruleset)
