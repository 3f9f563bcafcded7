"""The frictions a new user hit, each fixed: the fact listing, yes/no booleans, `ask` with
"don't know", a stable order and --format, completion of the ruleset's own words, and plain
words for an unset date."""

from __future__ import annotations

import json

import pytest

from conftest import SHIPPED, run_main

RS = str(SHIPPED)
BASE = ["--fact", "actor=ukraine", "--fact", "munitions_origin=us",
        "--fact", "target_location=russia", "--fact", "target_type=military_unit"]


def run(capsys, monkeypatch, *args: str, stdin: str = "") -> tuple[int, str, str]:
    """`claimrules ARGS...` in this process, reading `stdin`."""
    return run_main(monkeypatch, capsys, *args, stdin=stdin)


def test_facts_lists_names_types_questions_values_and_labels(capsys, monkeypatch) -> None:
    code, out, _ = run(capsys, monkeypatch, "facts", RS)
    assert code == 0
    assert "actor (enum) — Who carries out the strike?" in out
    assert "  ukraine — Ukraine's forces" in out
    assert "directly_involved_in_invasion (yes or no)" in out
    code, out, _ = run(capsys, monkeypatch, "facts", RS, "--format", "json")
    data = {f["name"]: f for f in json.loads(out)["facts"]}
    assert data["directly_involved_in_invasion"]["values"] == [
        {"value": "true", "label": "yes"}, {"value": "false", "label": "no"}]
    assert {"value": "ukraine", "label": "Ukraine's forces"} in data["actor"]["values"]


@pytest.mark.parametrize("word", ["yes", "Yes", "true", "no", "NO", "false"])
def test_yes_and_no_answer_boolean_facts_everywhere(capsys, monkeypatch, tmp_path, word):
    want = word.lower() in ("yes", "true")
    code, out, err = run(capsys, monkeypatch, "eval", RS, *BASE, "--fact",
                         f"directly_involved_in_invasion={word}", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["facts"]["directly_involved_in_invasion"] is want
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"facts:\n  directly_involved_in_invasion: {word}\n", encoding="utf-8")
    code, out, err = run(capsys, monkeypatch, "eval", RS, str(scenario), "--format", "json")
    assert code == 0, err
    assert json.loads(out)["facts"]["directly_involved_in_invasion"] is want


def test_a_bad_boolean_says_what_it_takes(capsys, monkeypatch) -> None:
    code, _, err = run(capsys, monkeypatch, "eval", RS, "--fact",
                       "directly_involved_in_invasion=maybe")
    assert code == 2
    assert "expected `true`/`yes` or `false`/`no`" in err


def test_ask_dont_know_stops_asking_that_fact(capsys, monkeypatch) -> None:
    # don't know who strikes: the answer stays open on that fact, and it is not asked again
    code, out, err = run(capsys, monkeypatch, "ask", RS, "--as-of", "2024-06-15",
                         "--order", "vocabulary", "--format", "json",
                         stdin="?\nus\nrussia\ncivilian_infrastructure\n")
    assert code == 0, err
    assert err.count("Who carries out the strike?") == 1
    data = json.loads(out)
    assert data["verdict"] == "indeterminate" and "actor" in data["missing_facts"]
    assert "actor" not in data["facts"]


def test_ask_vocabulary_order_is_stable_whatever_the_answers(capsys, monkeypatch) -> None:
    firsts = []
    for answers in ("ukraine\nus\nrussia\n", "other\n"):
        _, _, err = run(capsys, monkeypatch, "ask", RS, "--order", "vocabulary",
                        stdin=answers + "?\n" * 8)
        questions = [line for line in err.splitlines() if line.endswith("?")]
        firsts.append(questions[0])
    assert firsts == ["Who carries out the strike?"] * 2


@pytest.mark.parametrize(("words", "offered"), [
    (["eval", RS, "--fact", "act"], ["actor="]),
    (["eval", RS, "--fact", "directly_involved_in_invasion="],
     ["directly_involved_in_invasion=yes", "directly_involved_in_invasion=no",
      "directly_involved_in_invasion=true", "directly_involved_in_invasion=false"]),
    (["eval", RS, "--fact", "area=across_from_k"], ["area=across_from_kharkiv"]),
    (["ask", RS, "--source", "biden-"], ["biden-decision-article"]),
    (["eval", RS, "--speaker", "the white h"], ["the White House"]),
    (["eval", "no-such-ruleset", "--source", "a"], []),
])
def test_completion_offers_the_rulesets_words(monkeypatch, words, offered) -> None:
    from click.shell_completion import ShellComplete

    from claimrules.cli.main import cli

    complete = ShellComplete(cli, {}, "claimrules", "_CLAIMRULES_COMPLETE")
    assert [c.value for c in complete.get_completions(words[:-1], words[-1])] == offered


def test_no_jargon_for_an_unset_date(capsys, monkeypatch) -> None:
    for args in (["table", RS], ["lint", RS, "--fail-on", "never"]):
        _, out, _ = run(capsys, monkeypatch, *args)
        assert "as_of" not in out.replace("--as-of", "")


@pytest.mark.parametrize(("args", "line"), [
    (["eval", RS, "--as-of", "2024-13-01"],
     "--as-of: error: `2024-13-01` is not a date: there is no month 13 (months run 01 to 12) "
     "[bad-option]"),
    (["eval", RS, "--format", "yaml"],
     "--format: error: `yaml` is not one of `text`, `json`, `markdown` [bad-option]"),
    (["eval", RS, "--bogus"], "claimrules eval: error: no such option `--bogus` [no-such-option]"),
    (["eval"], "claimrules eval: error: missing argument `RULESET` [missing-argument]"),
    (["nosuch"], "claimrules: error: no such command `nosuch` [usage]"),
])
def test_usage_errors_speak_the_tools_one_error_style(capsys, monkeypatch, args, line) -> None:
    code, out, err = run(capsys, monkeypatch, *args)
    assert code == 2 and out == ""
    assert err.splitlines()[0] == line
    assert err.splitlines()[1].startswith("  help: see `claimrules")
    assert "Error:" not in err and "Usage:" not in err


def _widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


@pytest.mark.parametrize("columns", [60, 100])
def test_table_fits_the_terminal(capsys, monkeypatch, columns) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    code, out, _ = run(capsys, monkeypatch, "table", RS, "--as-of", "2024-11-20")
    assert code == 0
    assert _widest(out) <= columns
    assert "1. PERMITTED — " in out and "actor=ukraine" in out
    code, wide, _ = run(capsys, monkeypatch, "table", RS, "--as-of", "2024-11-20", "--width", "0")
    assert _widest(wide) > columns and "deciding rules" in wide
    rows = [line for line in wide.splitlines() if line.startswith(("ukraine", "other", "*"))]
    assert out.count("\n\n") == len(rows)  # one block per row of the wide table


def test_diff_summary_is_short_and_keeps_every_kind_of_change(capsys, monkeypatch) -> None:
    args = ["diff", RS, "--as-of", "2024-06-01", "--as-of", "2024-11-20", "--format"]
    _, full, _ = run(capsys, monkeypatch, *args, "text")
    _, short, _ = run(capsys, monkeypatch, *args, "text", "--summary")
    _, data, _ = run(capsys, monkeypatch, *args, "json")
    kinds = {(c["before"], c["after"]) for c in json.loads(data)["changes"]}
    assert len(short.splitlines()) * 4 < len(full.splitlines())
    for before, after in kinds:
        assert f"{before} → {after}: " in short
    assert "“" not in short  # no quotes in the summary
