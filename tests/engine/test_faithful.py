"""Faithful readings: what the reporting does not say stays unknown.

- an undated source's time is unknown (within the bounds it carries), never "always";
- a date before everything the reporting covers never yields `permitted`;
- unreported terms leave the cases that depend on them `indeterminate`, quoting the claim;
- a more specific reported limit refines a general statement instead of contesting it;
- every decision states the support behind its verdict;
- events, denials and refusals to comment are context, never grounds; relays are attributed
  through every outlet that passed them on; `--speaker` reads the policy by who said it;
- under `sources`, `speakers` or `known_by` nothing from an excluded claim reaches the output.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimrules import Ruleset, Verdict, evaluate, load_ruleset
from claimrules.diagnostics import LoadError
from claimrules.engine.compile import compiled_ruleset
from claimrules.engine.decision import CitedClaim, Strength
from claimrules.load.domain import ClaimKind, grounds
from claimrules.reporters import json as rjson
from claimrules.reporters import render
from conftest import SHIPPED, run_main

RULESET: Ruleset = load_ruleset(SHIPPED)
FACTS = list(RULESET.facts)
SOURCE_IDS = sorted(RULESET.sources)
BASE = {"actor": "ukraine", "munitions_origin": "us", "target_location": "russia"}
UNIT = {**BASE, "target_type": "military_unit", "directly_involved_in_invasion": True}


def _values(name: str) -> list[object]:
    fact = RULESET.facts[name]
    return list(fact.value_names()) if fact.value_names() else [True, False]


@st.composite
def partial(draw: st.DrawFn) -> dict[str, object]:
    names = draw(st.lists(st.sampled_from(FACTS), unique=True))
    return {n: draw(st.sampled_from(_values(n))) for n in names}


#: Every date the shipped reporting covers starts on or after this day (the first report of a
#: permission is 2024-05-30; the earliest bound any undated source carries is 2024-05-10).
FIRST_COVERED = date(2024, 5, 10)


# --- 1. time that is not known is unknown --------------------------------------------------------


@settings(max_examples=150)
@given(partial(), st.dates(date(1990, 1, 1), FIRST_COVERED - timedelta(days=1)))
def test_a_date_before_the_reporting_never_yields_permitted(facts: dict[str, object],
                                                            day: date) -> None:
    decision = evaluate(RULESET, facts, as_of=day)
    assert decision.verdict is not Verdict.PERMITTED
    assert Verdict.PERMITTED not in decision.possible


def test_the_undated_article_is_unknown_in_time_not_always() -> None:
    article = {"article-permit-involved-units"}
    mid_may = evaluate(RULESET, {**UNIT, "area": "across_from_kharkiv",
                                 "weapon_class": "short_range", "in_kursk_region": False},
                       as_of="2024-05-20")
    assert mid_may.verdict is Verdict.INDETERMINATE
    assert not article & set(mid_may.deciding_rules)
    # Without a date, time is not part of the question: the article read alone says what
    # its text says.
    alone = evaluate(RULESET, UNIT, sources=["biden-decision-article"])
    assert alone.verdict is Verdict.PERMITTED
    assert set(alone.deciding_rules) == article


def test_an_open_period_is_named_with_its_undated_sources() -> None:
    decision = evaluate(RULESET, {**UNIT, "area": "across_from_sumy", "weapon_class": "short_range",
                                  "in_kursk_region": False}, as_of="2024-06-01")
    assert decision.verdict is Verdict.INDETERMINATE
    assert decision.missing_facts == ()
    (question,) = decision.unknowns
    assert (question.kind, question.rule) == ("period", "border-wide-permission")
    assert question.sources == ("liga-sullivan-2024-06",)
    assert dict(question.outcomes) == {True: (Verdict.PERMITTED,), False: (Verdict.CONTESTED,)}


def test_known_by_keeps_an_undated_claim_only_when_its_bounds_show_it_was_reported() -> None:
    facts = {**UNIT, "area": "across_from_kharkiv", "weapon_class": "short_range"}
    # The Politico story (undated) ran on 23 or 30 May: shown to be reported by 31 May...
    politico = ["yahoo-reuters-politico-2024-05"]
    by_31 = evaluate(RULESET, facts, known_by="2024-05-31", sources=politico)
    assert by_31.verdict is Verdict.PERMITTED
    # ...but not by 29 May, and it says so.
    by_29 = evaluate(RULESET, facts, known_by="2024-05-29", sources=politico)
    assert by_29.verdict is Verdict.NOT_ADDRESSED
    assert "politico-counter-fire" in by_29.excluded_undated


# --- 2. specific limits refine general statements ----------------------------------------------


def test_a_specific_limit_refines_the_article_and_shows_both_quotes() -> None:
    facts = {**UNIT, "area": "deep_inside", "weapon_class": "atacms", "in_kursk_region": False}
    # No date: time is not part of the question, and the article counts.
    decision = evaluate(RULESET, facts, sources=["biden-decision-article", "lbc-2024-05-31"])
    assert decision.verdict is Verdict.PROHIBITED
    refined = {o.rule: o for o in decision.rules}["article-permit-involved-units"]
    assert refined.reason is not None and refined.reason.refinements  # type: ignore[union-attr]
    text = render(decision, RULESET, "text")
    assert "Refined by a more specific limit" in text
    assert "can only target military units" in text  # the article's own quote
    assert "for deep strikes inside Russia" in text  # the refining limit's quote


# --- 3. unreported terms ------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "rule", "quote"), [
    ("adn-2024-11-17", "november-limited-strikes", "for limited strikes inside Russia"),
    ("yahoo-reuters-politico-2024-05", "long-range-unchanged", "has not changed"),
])
def test_unreported_terms_leave_the_case_open_and_quote_the_claim(source: str, rule: str,
                                                                   quote: str) -> None:
    facts = {**UNIT, "area": "across_from_kharkiv", "weapon_class": "atacms",
             "in_kursk_region": False}
    decision = evaluate(RULESET, facts, sources=[source])
    assert decision.verdict is Verdict.INDETERMINATE
    (question,) = decision.unknowns
    assert (question.kind, question.rule) == ("terms", rule)
    assert question.claim is not None and quote in question.claim.quote
    assert "terms that were not reported" in render(decision, RULESET, "text").splitlines()[0]


def test_a_forecast_is_context_never_a_ground() -> None:
    for rule in RULESET.rules:
        for cid in rule.because:
            claim = RULESET.claims[cid].claim
            assert claim.kind is not ClaimKind.FORECAST, (rule.id, cid)
    kursk = next(r for r in RULESET.rules if r.id == "november-limited-strikes")
    assert "adn-kursk-focus" in kursk.context


# --- 4. strength of support -----------------------------------------------------------------------


@pytest.mark.parametrize(("sources", "strength", "headline"), [
    (["lbc-2024-05-31"], Strength.ANONYMOUS, "anonymous officials only"),
    (["abc-2024-06-06", "liga-sullivan-2024-06"], Strength.ON_RECORD, "2 sources"),
    (["biden-decision-article"], Strength.ON_RECORD, "undated only"),
])
def test_every_decision_states_its_support(sources: list[str], strength: Strength,
                                           headline: str) -> None:
    facts = {**UNIT, "area": "across_from_kharkiv", "weapon_class": "short_range"}
    decision = evaluate(RULESET, facts, sources=sources)
    assert decision.verdict is Verdict.PERMITTED
    assert decision.support.strength is strength
    assert headline in render(decision, RULESET, "text").splitlines()[0]
    assert rjson.decision(decision)["support"]["strength"] == str(strength)


def test_a_relay_is_attributed_through_every_outlet() -> None:
    decision = evaluate(RULESET, {**UNIT, "weapon_class": "atacms", "in_kursk_region": True,
                                  "area": "elsewhere_near_border"},
                        sources=["liga-axios-2024-11"])
    assert decision.verdict is Verdict.PERMITTED
    assert decision.support.strength is Strength.ANONYMOUS and decision.support.relayed_only
    text = render(decision, RULESET, "text")
    assert "LIGA.net (citing Axios) ← Axios ← an informed source (anonymous)" in " ".join(
        text.split())


def test_events_denials_and_no_comment_are_context_in_explanations() -> None:
    decision = evaluate(RULESET, {**UNIT, "area": "deep_inside", "weapon_class": "atacms",
                                  "in_kursk_region": False}, sources=["cbs-2024-11-17"])
    assert decision.verdict is Verdict.PERMITTED
    kinds = {c.kind for c in decision.context}
    assert ClaimKind.NO_COMMENT in kinds
    assert all(grounds(c) for c in decision.claims)
    assert "declined to comment" in render(decision, RULESET, "text")


def test_speakers_read_the_policy_by_who_said_it() -> None:
    facts = {**UNIT, "area": "moscow", "weapon_class": "short_range", "in_kursk_region": False}
    biden = evaluate(RULESET, facts, speakers=["Biden"], as_of="2024-06-10")
    assert biden.verdict is Verdict.PROHIBITED
    assert {c.speaker for c in biden.claims} == {"Biden"}
    with pytest.raises(ValueError, match="unknown speaker"):
        evaluate(RULESET, facts, speakers=["Nobody"])


def test_cli_speaker_option_and_speakers_listing(monkeypatch, capsys) -> None:
    code, out, _ = run_main(monkeypatch, capsys, *[
        "eval", str(SHIPPED), "--speaker", "four US officials, anonymous", "--format", "json",
        *(f"--fact={k}={str(v).lower()}" for k, v in {**UNIT, "area": "across_from_kharkiv",
                                                      "weapon_class": "short_range"}.items()),
    ])
    assert code == 0
    data = json.loads(out)
    assert data["verdict"] == "permitted"
    assert data["speakers"] == ["four US officials, anonymous"]
    assert {c["speaker"] for c in data["claims"]} == {"four US officials, anonymous"}
    code, out, _ = run_main(monkeypatch, capsys, *["speakers", str(SHIPPED)])
    assert code == 0 and "Secretary of State Blinken" in out


# --- 7. readings stay inside their sources ----------------------------------------------------


def _excluded_texts(kept: set[str]) -> list[str]:
    """Quotes, claim ids and notes the reading must not show: those of claims it excludes."""
    out = []
    for cid, rec in RULESET.claims.items():
        if cid not in kept:
            out += [rec.claim.quote, f'"{cid}"']
    return out


def _kept(sources: list[str] | None, known_by: date | None) -> set[str]:
    compiled = compiled_ruleset(RULESET)
    kept = set()
    for cid in RULESET.claims:
        c: CitedClaim = compiled.citation(cid)
        if sources is not None and c.source not in sources:
            continue
        if known_by is not None and (c.latest is None or c.latest > known_by):
            continue
        kept.add(cid)
    return kept


@settings(max_examples=120)
@given(partial(), st.sampled_from(SOURCE_IDS).map(lambda s: [s]) | st.none(),
       st.none() | st.dates(date(2024, 5, 20), date(2024, 12, 31)),
       st.none() | st.dates(date(2024, 5, 20), date(2024, 12, 31)))
def test_nothing_from_an_excluded_claim_reaches_the_output(
    facts: dict[str, object], sources: list[str] | None, known_by: date | None,
    as_of: date | None,
) -> None:
    if sources is None and known_by is None:
        return  # no claim excluded
    decision = evaluate(RULESET, facts, sources=sources, known_by=known_by, as_of=as_of)
    kept = _kept(sources, known_by)
    data = rjson.decision(decision)
    # The ids of the undated claims `known_by` left out are listed by design: the explanation
    # says what it left out (never their quotes, dates or notes).
    assert set(data.pop("excluded_undated_claims")) == set(decision.excluded_undated)
    shown = json.dumps(data, ensure_ascii=False)
    for text in _excluded_texts(kept):
        assert text not in shown, text
    rules = {r.id: r for r in RULESET.rules}
    for o in decision.rules:
        assert {c.id for c in o.claims} <= kept
        rule = rules[o.rule]
        if o.note is not None and not rule.note_parts:
            assert set(rule.because) <= kept, f"{o.rule}'s note draws on excluded claims"
        if o.period.derived_from is not None:
            assert o.period.derived_from in kept
        if o.period.basis is not None and rule.effective is not None:
            assert set(rule.effective.claims) <= kept
    for text in (render(decision, RULESET, "text"), render(decision, RULESET, "markdown")):
        flat = " ".join(text.split())
        for cid, rec in RULESET.claims.items():
            if cid not in kept and len(rec.claim.quote) > 40:
                assert " ".join(rec.claim.quote.split())[:60] not in flat, cid


# --- check and lint ---------------------------------------------------------------------------


def test_check_rejects_a_rule_grounded_only_in_a_forecast(tmp_path: Path) -> None:
    copy = tmp_path / "rs"
    shutil.copytree(SHIPPED, copy)
    rules = copy / "rules" / "may-2024.yaml"
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace("      - newser-no-civilian-infrastructure\n",
                                  "      - adn-kursk-focus\n", 1), encoding="utf-8")
    with pytest.raises(LoadError) as exc:
        load_ruleset(copy)
    (error,) = [d for d in exc.value.diagnostics if d.severity == "error"]
    assert error.code == "no-ground"
    assert error.span.line > 0


def test_lint_reports_acknowledged_disagreements_and_fails_only_on_new_ones(
    monkeypatch, capsys, tmp_path: Path
) -> None:
    code, out, _ = run_main(monkeypatch, capsys, *["lint", str(SHIPPED), "--fail-on", "warning"])
    assert code == 0, out
    assert "acknowledged-disagreement" in out
    copy = tmp_path / "rs"
    shutil.copytree(SHIPPED, copy)
    meta = copy / "ruleset.yaml"
    text = meta.read_text(encoding="utf-8")
    start, end = text.index("disagreements:"), text.index("facts:")
    meta.write_text(text[:start] + text[end:], encoding="utf-8")
    code, out, _ = run_main(monkeypatch, capsys, *["lint", str(copy)])
    assert code == 1 and "contested-region" in out
    code, _, _ = run_main(monkeypatch, capsys, *["lint", str(copy), "--fail-on", "never"])
    assert code == 0
    code, _, _ = run_main(monkeypatch, capsys, *["lint", str(copy), "--fail-on", "error"])
    assert code == 0


# --- the README says what the data says ----------------------------------------------------------


def test_readme_counts_and_reading_table_match_the_shipped_ruleset() -> None:
    import re

    readme = (SHIPPED.parents[1] / "README.md").read_text(encoding="utf-8")
    reports = [s for s in RULESET.sources.values() if s.id != "biden-decision-article"]
    undated = [s for s in reports if s.published is None]
    assert f"16 pieces of reporting from May to November 2024\n({len(undated)} of them undated)" \
        in readme
    assert len(reports) == 16
    assert f"page shows none: {len(undated)} of the {len(reports)})" in readme
    table = readme.split("<!-- reading-table:", 1)[1].split("\n\n", 1)[0]
    named = re.findall(r"`([a-z0-9-]+)`", "\n".join(
        line.split("|")[1] for line in table.splitlines() if line.startswith("| `")))
    assert sorted(named) == sorted(r.id for r in RULESET.rules), "every rule once, no other"
