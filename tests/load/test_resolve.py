"""Scenario resolution returns diagnostics: a scenario file's text, `--fact` values and source
ids resolved against the ruleset, or the problems of the first step that failed."""

from __future__ import annotations

from datetime import date

import pytest

from claimrules.load.scenario_file import resolve_scenario, unknown_sources


def test_a_file_with_facts_laid_over_it(shipped) -> None:
    text = ("s.yaml", "facts: {actor: ukraine, target_location: russia}\nas_of: 2024-06-15\n"
            "sources: [dw-2024-05-30, biden-decision-article, dw-2024-05-30]\n")
    resolved, problems = resolve_scenario(shipped.facts, shipped.sources, text,
                                          {"target_location": "ukraine"})
    assert problems == []
    assert resolved is not None
    assert resolved.facts == {"actor": "ukraine", "target_location": "ukraine"}
    assert resolved.as_of == date(2024, 6, 15)
    assert resolved.sources == ("biden-decision-article", "dw-2024-05-30")


def test_given_sources_replace_the_files_and_an_empty_list_is_no_source(shipped) -> None:
    text = ("s.yaml", "facts: {}\nsources: []\n")
    resolved, _ = resolve_scenario(shipped.facts, shipped.sources, text)
    assert resolved is not None and resolved.sources == ()
    resolved, _ = resolve_scenario(shipped.facts, shipped.sources, text,
                                   sources=("dw-2024-05-30",))
    assert resolved is not None and resolved.sources == ("dw-2024-05-30",)
    resolved, _ = resolve_scenario(shipped.facts, shipped.sources)
    assert resolved is not None and resolved.sources is None and resolved.facts == {}


@pytest.mark.parametrize(
    ("text", "facts", "sources", "codes"),
    [
        (("s.yaml", "facts: [\n"), None, (), ["yaml-syntax"]),
        (("s.yaml", "facts: {actr: ukraine, actor: nobody}\n"), None, (),
         ["unknown-fact", "bad-fact-value"]),
        (None, {"actor": "nobody"}, (), ["bad-fact-value"]),
        (None, None, ("nope", "dw-2024-05-30", "biden-decison-article"),
         ["unknown-source", "unknown-source"]),
    ],
)
def test_problems_come_back_as_diagnostics(shipped, text, facts, sources, codes) -> None:
    resolved, problems = resolve_scenario(shipped.facts, shipped.sources, text, facts, sources)
    assert resolved is None
    assert [d.code for d in problems] == codes


def test_an_unknown_source_gets_a_did_you_mean(shipped) -> None:
    from claimrules.diagnostics import Span

    (d,) = unknown_sources(["biden-decison-article"], shipped.sources, Span("--source"),
                           hint="see the list")
    assert "biden-decision-article" in (d.help or "")
    (d,) = unknown_sources(["zzz"], shipped.sources, Span("--source"), hint="see the list")
    assert d.help == "see the list"
