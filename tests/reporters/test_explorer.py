"""The explorer page (`claimrules explore`), driven in a real headless Chromium: its evaluator
gives the CLI's answers (`claimrules eval --format json`) on random scenarios and readings,
clicking the choosers shows the verdict and the quotes the CLI gives, a shared link opens its
scenario, and the page logs no error and asks the network for nothing. Screenshots of the
explorer and of the brief, at desktop and phone width, go to tests/artifacts/."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from browser.chromium import PHONE, png_info
from browser.driver import (
    DESKTOP,
    SKIP_REASON,
    available,
    console_errors,
    requested_urls,
    resized,
)
from claimrules.engine.compile import compiled_ruleset
from claimrules.engine.evaluator import speakers_of
from claimrules.engine.explain import decide
from claimrules.reporters import json as rjson
from claimrules.reporters.explorer import render_explorer
from conftest import SHIPPED, TESTS, run_main

ARTIFACTS = TESTS / "artifacts"

#: Dates around every change the shipped reporting shows, and none.
DATES = [None, "2024-01-01", "2024-05-15", "2024-05-30", "2024-06-01", "2024-06-06",
         "2024-06-15", "2024-09-01", "2024-11-16", "2024-11-17", "2024-11-18", "2024-11-20",
         "2025-01-01"]

#: The policy's subject: Ukraine striking inside Russia with US munitions.
BASE = {"actor": "ukraine", "munitions_origin": "us", "target_location": "russia"}

pytestmark = [pytest.mark.skipif(not available(), reason=SKIP_REASON),
              pytest.mark.xdist_group("browser")]


def _random_case(rng: random.Random, rs: Any) -> dict[str, Any]:
    compiled = compiled_ruleset(rs)
    facts = {}
    for name in rs.facts:
        if rng.random() < 0.8:
            facts[name] = rng.choice(compiled.domains[name])
    if rng.random() < 0.7:  # most cases about the policy's subject, where the rules differ
        facts.update(BASE)
    sources = speakers = None
    if rng.random() < 0.3:
        sources = sorted(rng.sample(sorted(rs.sources), rng.randint(1, 4)))
    if rng.random() < 0.2:
        speakers = sorted(rng.sample(list(speakers_of(rs)), rng.randint(1, 4)))
    return {"facts": facts, "as_of": rng.choice(DATES),
            "known_by": rng.choice(DATES[:1] * 12 + DATES), "sources": sources,
            "speakers": speakers}


def _engine(rs: Any, case: dict[str, Any]) -> dict[str, Any]:
    """What `claimrules eval --format json` prints for the case (the same reporter call)."""
    d = decide(
        compiled_ruleset(rs), case["facts"],
        as_of=date.fromisoformat(case["as_of"]) if case["as_of"] else None,
        known_by=date.fromisoformat(case["known_by"]) if case["known_by"] else None,
        sources=tuple(case["sources"]) if case["sources"] else None,
        speakers=tuple(case["speakers"]) if case["speakers"] else None,
    )
    return rjson.decision(d)


def _comparable(d: dict[str, Any]) -> dict[str, Any]:
    """The parts of a decision the explorer shows, in one shape for the CLI's JSON and the
    page's evaluator."""
    def ids(xs: list[Any]) -> list[str]:
        return [x if isinstance(x, str) else x["id"] for x in xs]

    return {
        "verdict": d["verdict"],
        "deciding_rules": d["deciding_rules"],
        "claims": ids(d["claims"]),
        "missing_facts": d["missing_facts"],
        "missing": [{"fact": m["fact"], "outcomes": m["outcomes"]} for m in d["missing"]],
        "unknowns": [
            {"type": q["type"], "rule": q["rule"], "undated_sources": q["undated_sources"],
             "claim": q["claim"] if q["claim"] is None or isinstance(q["claim"], str)
             else q["claim"]["id"], "note": q["note"], "outcomes": q["outcomes"]}
            for q in d["unknowns"]
        ],
        "possible_verdicts": d["possible_verdicts"],
        "support": d["support"],
        "context": ids(d["context"]),
        "excluded_undated_claims": d["excluded_undated_claims"],
    }


@pytest.fixture(scope="module")
def page(shipped, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("explorer") / "explorer.html"
    out.write_text(render_explorer(shipped), encoding="utf-8")
    return out


def _in_browser(driver: Any, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return driver.execute_script(
        "return arguments[0].map(function (c) { return window.claimrulesExplorer.decide("
        "c.facts, {as_of: c.as_of, known_by: c.known_by, sources: c.sources, "
        "speakers: c.speakers}); });", cases)


def test_page_answers_equal_the_engine_on_random_scenarios_and_readings(browser, page, shipped):
    browser.get(page.as_uri())
    rng = random.Random(14)  # noqa: S311 - a repeatable sample, not a secret
    cases = [_random_case(rng, shipped) for _ in range(400)]
    got = _in_browser(browser, cases)
    verdicts: set[str] = set()
    kinds: set[str] = set()
    for case, js in zip(cases, got, strict=True):
        want = _comparable(_engine(shipped, case))
        assert _comparable(js) == want, case
        verdicts.add(want["verdict"])
        kinds.update(q["type"] for q in want["unknowns"])
    assert kinds == {"period_unknown", "terms_not_reported"}
    assert verdicts == {"permitted", "prohibited", "contested", "indeterminate", "not_addressed"}


#: Scenarios a reader might click through, with the reading in the URL fragment.
CLICKED = [
    ({**BASE, "target_type": "military_unit", "directly_involved_in_invasion": True},
     {"source": ["biden-decision-article"]}),
    ({**BASE, "target_type": "civilian_infrastructure"}, {"as_of": "2024-06-15"}),
    ({**BASE, "target_type": "military_installation", "directly_involved_in_invasion": True,
      "weapon_class": "short_range", "area": "across_from_sumy"}, {"as_of": "2024-11-20"}),
    ({**BASE}, {"as_of": "2024-11-20"}),
    ({"actor": "ukraine", "munitions_origin": "us", "target_location": "ukraine"}, {}),
]


def _cli(monkeypatch, capsys, facts: dict[str, Any], reading: dict[str, Any]) -> dict[str, Any]:
    args = ["eval", str(SHIPPED), "--format", "json"]
    for k, v in facts.items():
        args += ["--fact", f"{k}={str(v).lower() if isinstance(v, bool) else v}"]
    if reading.get("as_of"):
        args += ["--as-of", reading["as_of"]]
    for s in reading.get("source", []):
        args += ["--source", s]
    code, out, err = run_main(monkeypatch, capsys, *args)
    assert code == 0, err
    return json.loads(out)


def _shown(driver: Any) -> tuple[str, list[str]]:
    answer = driver.find_element("id", "answer")
    quotes = [e.get_attribute("data-claim")
              for e in answer.find_elements("css selector", "article.rule > ul > li[data-claim]")]
    return answer.get_attribute("data-verdict"), sorted(set(quotes))


@pytest.mark.parametrize(("facts", "reading"), CLICKED, ids=[str(i) for i in range(len(CLICKED))])
def test_clicking_choices_shows_the_clis_verdict_and_quotes(browser, page, facts, reading,
                                                             monkeypatch, capsys):
    from selenium.webdriver.support.ui import Select

    want = _cli(monkeypatch, capsys, facts, reading)
    browser.get(page.as_uri())
    requested_urls(browser)
    for name, value in facts.items():
        key = str(value).lower() if isinstance(value, bool) else value
        Select(browser.find_element("id", f"fact-{name}")).select_by_value(key)
    if reading.get("as_of"):
        field = browser.find_element("id", "as_of")
        browser.execute_script("arguments[0].value = arguments[1];"
                               "arguments[0].dispatchEvent(new Event('change', {bubbles: true}))",
                               field, reading["as_of"])
    if reading.get("source"):
        browser.find_element("css selector", "#sources").find_element(
            "xpath", "..").find_element("tag name", "summary").click()
        for box in browser.find_elements("css selector", "input[data-source]"):
            if (box.get_attribute("value") in reading["source"]) != box.is_selected():
                ident = box.get_attribute("id")
                browser.find_element("css selector", f"label[for='{ident}']").click()
    verdict, quotes = _shown(browser)
    assert verdict == want["verdict"]
    assert quotes == sorted({c["id"] for c in want["claims"]})
    for name in want["missing_facts"]:
        assert browser.find_elements("css selector", f"[data-missing='{name}']")
    # The link made for this view opens it again, in a fresh page.
    link = browser.find_element("id", "share").get_attribute("href")
    browser.get("about:blank")
    browser.get(link)
    assert _shown(browser) == (verdict, quotes)
    assert console_errors(browser) == []
    assert all(u.startswith(("file://", "data:")) for u in requested_urls(browser))


def test_a_shared_link_opens_its_scenario(browser, page, monkeypatch, capsys):
    fragment = ("#actor=ukraine&munitions_origin=us&target_location=russia"
                "&target_type=military_unit&directly_involved_in_invasion=true&as_of=2024-11-20"
                "&source=biden-decision-article,cbs-2024-11-17")
    browser.get(page.as_uri() + fragment)
    want = _cli(monkeypatch, capsys, {**BASE, "target_type": "military_unit",
                                      "directly_involved_in_invasion": True},
                {"as_of": "2024-11-20", "source": ["biden-decision-article", "cbs-2024-11-17"]})
    assert _shown(browser)[0] == want["verdict"]
    assert browser.find_element("id", "fact-target_type").get_attribute("value") == "military_unit"
    assert browser.find_element("id", "as_of").get_attribute("value") == "2024-11-20"
    ticked = [b.get_attribute("value") for b in
              browser.find_elements("css selector", "input[data-source]") if b.is_selected()]
    assert ticked == ["biden-decision-article", "cbs-2024-11-17"]
    # A hostile fragment is inert: unknown names and values are ignored.
    browser.get(page.as_uri() + "#actor=%3Cimg%20src%3Dx%3E&bogus=1&as_of=not-a-date")
    assert browser.find_element("id", "fact-actor").get_attribute("value") == ""
    assert console_errors(browser) == []


def test_every_control_has_a_label_and_is_reachable_by_keyboard(browser, page):
    browser.get(page.as_uri())
    controls = browser.find_elements("css selector", "select, input")
    assert controls
    for c in controls:
        ident = c.get_attribute("id")
        assert browser.find_elements("css selector", f"label[for='{ident}']"), ident
        assert c.get_attribute("tabindex") in (None, "0")
    from selenium.webdriver.common.keys import Keys

    first = browser.find_element("id", f"fact-{next(iter(BASE))}")
    first.send_keys(Keys.ARROW_DOWN)  # a keyboard change updates the answer
    assert browser.find_element("id", "answer").get_attribute("data-verdict")


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_text_colours_meet_wcag_aa_contrast_in_light_and_dark_mode():
    import re

    from claimrules.reporters.explorer import _asset

    css = _asset("explorer.css")
    schemes = re.findall(r":root \{([^}]*)\}", css)
    assert len(schemes) == 2  # light, and dark under prefers-color-scheme
    for scheme in schemes:
        colours = dict(re.findall(r"--(\w+): (#[0-9a-f]{6})", scheme))
        for back in ("bg", "panel"):
            for fore in ("fg", "muted", "permit", "prohibit", "contested", "open", "link"):
                a, b = _luminance(colours[fore]), _luminance(colours[back])
                ratio = (max(a, b) + 0.05) / (min(a, b) + 0.05)
                assert ratio >= 4.5, (fore, back, ratio)


def test_screenshots_of_the_explorer_and_the_brief(browser, page, shipped, tmp_path):
    from claimrules.reporters import render_brief

    ARTIFACTS.mkdir(exist_ok=True)
    brief = tmp_path / "brief.html"
    brief.write_text(render_brief(shipped, "html"), encoding="utf-8")
    fragment = "#actor=ukraine&munitions_origin=us&target_location=russia&as_of=2024-11-20"
    console_errors(browser)  # what earlier tests left in the shared browser's log
    for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        with resized(browser, *size) as driver:
            driver.get(page.as_uri() + fragment)
            width = driver.execute_script("return document.documentElement.scrollWidth")
            assert width <= size[0]  # nothing wider than the screen
            out = ARTIFACTS / f"explorer-{name}.png"
            driver.save_screenshot(str(out))
            assert png_info(out.read_bytes())[2] > 10
            contested = ("#actor=ukraine&munitions_origin=us&target_location=russia"
                         "&target_type=military_unit&directly_involved_in_invasion=true"
                         "&weapon_class=atacms&area=deep_inside&in_kursk_region=false"
                         "&as_of=2024-11-20")
            driver.get(page.as_uri() + contested)
            answer = driver.find_element("id", "answer")
            assert answer.get_attribute("data-verdict") == "contested"
            sides = answer.find_elements("css selector", ".side")
            assert [s.get_attribute("aria-label") for s in sides] == [
                "Reported as allowed", "Reported as barred"]
            assert all(s.find_elements("css selector", "li[data-claim]") for s in sides)
            driver.execute_script("arguments[0].scrollIntoView()", answer)
            out = ARTIFACTS / f"explorer-contested-{name}.png"
            driver.save_screenshot(str(out))
            driver.get(brief.as_uri())
            out = ARTIFACTS / f"brief-{name}.png"
            driver.save_screenshot(str(out))
            assert png_info(out.read_bytes())[2] > 10
            assert console_errors(driver) == []


def test_explore_command_writes_the_page(tmp_path, monkeypatch, capsys):
    out = tmp_path / "explorer.html"
    code, _, err = run_main(monkeypatch, capsys, "explore", str(SHIPPED), "-o", str(out))
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    assert "<script src" not in text and "<link" not in text and "@import" not in text
    assert 'type="application/ld+json"' in text
    code, _, err = run_main(monkeypatch, capsys, "explore", str(SHIPPED), "-o", str(out))
    assert code == 2 and "--force" in err
