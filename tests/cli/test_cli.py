"""The command line: contracts, exit codes, clean errors, the interview, and documentation."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import cast

import click
import pytest

from _proc import limit_child
from claimrules.cli.main import cli
from conftest import ROOT, SHIPPED, run_main

RS = str(SHIPPED)
FACTS = ["--fact", "actor=ukraine", "--fact", "munitions_origin=us",
         "--fact", "target_location=russia"]


def run(capsys, monkeypatch, *args: str, stdin: str = "") -> tuple[int, str, str]:
    """`claimrules ARGS...` in this process, reading `stdin`."""
    return run_main(monkeypatch, capsys, *args, stdin=stdin)


def test_check_passes_on_the_shipped_ruleset(capsys, monkeypatch) -> None:
    code, out, _ = run(capsys, monkeypatch, "check", RS)
    assert code == 0
    assert re.search(r"ok: .*17 sources, (\d+) claims \(\1 quotes verified\)", out)


def test_check_reports_an_edited_archive_with_exit_1(
    capsys, monkeypatch, ruleset_copy: Path
) -> None:
    archive = ruleset_copy / "archive" / "biden-decision-article.txt"
    edited = archive.read_text(encoding="utf-8").replace("military units", "militery units")
    archive.write_text(edited, encoding="utf-8")
    code, _, err = run(capsys, monkeypatch, "check", str(ruleset_copy))
    assert code == 1
    assert re.search(r"claims/biden-decision-article\.yaml:\d+:\d+: error: quote of claim", err)
    assert "Traceback" not in err


def test_claims_json_covers_the_founding_article(capsys, monkeypatch, shipped) -> None:
    code, out, _ = run(capsys, monkeypatch, "claims", RS, "--source", "biden-decision-article",
                       "--format", "json")
    assert code == 0
    data = json.loads(out)
    claims = data["claims"]
    for c in claims:
        assert {"id", "source", "quote", "kind", "modality", "attributed_to", "reported_on",
                "start", "end"} <= c.keys()
        assert c["source"] == "biden-decision-article" and c["reported_on"] is None
    text = shipped.archives["biden-decision-article"]
    covered = [False] * len(text)
    for c in claims:
        for i in range(c["start"], c["end"]):
            covered[i] = True
    assert all(covered[i] for i, ch in enumerate(text) if not ch.isspace())


def test_claims_filter_by_kind_and_text(capsys, monkeypatch) -> None:
    code, out, _ = run(capsys, monkeypatch, "claims", RS, "--kind", "forecast")
    assert code == 0 and "[forecast" in out and "[provision" not in out


def test_sources_json_keeps_null_dates(capsys, monkeypatch) -> None:
    _, out, _ = run(capsys, monkeypatch, "sources", RS, "--format", "json")
    data = {s["id"]: s for s in json.loads(out)["sources"]}
    assert len(data) == 17
    assert data["cbs-2024-11-17"]["published"] is None
    assert data["dw-2024-05-30"]["published"] == "2024-05-30"


def test_eval_json_contract(capsys, monkeypatch) -> None:
    code, out, _ = run(capsys, monkeypatch, "eval", RS, *FACTS,
                       "--fact", "target_type=military_unit",
                       "--fact", "directly_involved_in_invasion=true",
                       "--source", "biden-decision-article", "--format", "json")
    assert code == 0
    d = json.loads(out)
    assert d["verdict"] == "permitted"
    assert d["deciding_rules"] == ["article-permit-involved-units"]
    assert all({"id", "source", "quote"} <= c.keys() for c in d["claims"])
    assert d["missing_facts"] == [] and d["as_of"] is None and d["known_by"] is None


def test_eval_scenario_file_and_options_override(capsys, monkeypatch) -> None:
    code, out, _ = run(capsys, monkeypatch, "eval", RS,
                       str(ROOT / "examples" / "indeterminate.yaml"),
                       "--format", "json", "--as-of", "2024-06-20")
    d = json.loads(out)
    assert code == 0 and d["verdict"] == "indeterminate" and d["as_of"] == "2024-06-20"
    assert "target_type" in d["missing_facts"]


def test_eval_from_stdin(capsys, monkeypatch) -> None:
    scenario = ('{"facts": {"actor": "ukraine", "munitions_origin": "us", '
                '"target_location": "ukraine"}}')
    code, out, _ = run(capsys, monkeypatch, "eval", RS, "-", "--format", "json", stdin=scenario)
    assert code == 0 and json.loads(out)["verdict"] == "not_addressed"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--fact", "actr=ukraine"], "did you mean `actor`?"),
        (["--fact", "area=moskow"], "did you mean `moscow`"),
        (["--fact", "directly_involved_in_invasion=maybe"],
         "expected `true`/`yes` or `false`/`no`"),
        (["--as-of", "2024-13-01"], "is not a date"),
        (["--source", "dw-2024-05-03"], "did you mean `dw-2024-05-30`?"),
        (["--fact", "noequals"], "is not name=value"),
    ],
)
def test_eval_bad_input_exits_2_without_traceback(capsys, monkeypatch, args, expected) -> None:
    code, _, err = run(capsys, monkeypatch, "eval", RS, *args)
    assert code == 2
    assert expected in err
    assert "Traceback" not in err


def test_eval_bad_scenario_file_has_position(capsys, monkeypatch, tmp_path: Path) -> None:
    bad = tmp_path / "s.yaml"
    bad.write_text("facts:\n  actor: ukraine\n  area: moskow\n", encoding="utf-8")
    code, _, err = run(capsys, monkeypatch, "eval", RS, str(bad))
    assert code == 2
    assert f"{bad}:3:9: error: `moskow` is not a value of `area`" in err


def test_batch_streams_and_reports_bad_lines(capsys, monkeypatch, tmp_path: Path) -> None:
    lines = (ROOT / "examples" / "batch.jsonl").read_text(encoding="utf-8").splitlines()
    lines.insert(1, '{"facts": {"actr": "ukraine"}}')
    lines.insert(2, "{not json")
    batch = tmp_path / "b.jsonl"
    batch.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run(capsys, monkeypatch, "eval", RS, "--batch", str(batch))
    assert code == 1  # findings: some lines were bad
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r.get("verdict", "error") for r in rows] == [
        "permitted", "error", "error", "prohibited", "permitted", "not_addressed"]
    assert f"{batch}:2:1: error: unknown fact `actr`" in err
    assert "4 decisions, 2 bad lines" in err


def test_ask_asks_only_what_matters_and_stops_when_settled(capsys, monkeypatch) -> None:
    # deep inside Russia settles the verdict on 15 June (Biden: "not authorizing strikes 200
    # miles into Russia"): no question about the weapon or the target follows
    answers = "russia\nukraine\nus\ndeep_inside\n"  # most decisive first
    code, out, err = run(capsys, monkeypatch, "ask", RS, "--as-of", "2024-06-15", stdin=answers)
    assert code == 0
    assert out.startswith("PROHIBITED")  # the answer alone on stdout
    assert "What class of weapon" not in err and "What kind of target" not in err
    assert err.count("answer (") == 4  # questions on stderr


def test_ask_accepts_numbers_and_re_asks_on_bad_answers(capsys, monkeypatch) -> None:
    answers = "2\n"  # target_location = ukraine: nothing more can change the verdict
    code, out, err = run(capsys, monkeypatch, "ask", RS, "--source", "biden-decision-article",
                         stdin="zz\n" + answers)
    assert code == 0
    assert "is not a value of `target_location`" in err
    assert err.count("Who carries out the strike?") == 0
    assert "NOT ADDRESSED" in out.upper().replace("_", " ")


def _every_command() -> dict[str, click.Command]:
    """The group's commands as click lists and finds them (they are built on first use)."""
    ctx = click.Context(cli)
    found = {name: cli.get_command(ctx, name) for name in cli.list_commands(ctx)}
    assert None not in found.values(), found
    return cast(dict[str, click.Command], found)


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = _every_command()
    assert len(commands) >= 21
    for name, command in commands.items():
        assert command.help and command.help.strip(), name
        assert f"claimrules {name}" in readme, f"README does not document `claimrules {name}`"


def test_the_lazy_group_lists_every_command_of_every_command_module() -> None:
    # every module under cli/ that defines COMMANDS, and each command under its own name
    from claimrules.cli import main

    defined: dict[str, str] = {}
    for path in sorted((ROOT / "src" / "claimrules" / "cli").glob("*.py")):
        module = importlib.import_module(f"claimrules.cli.{path.stem}")
        for command in getattr(module, "COMMANDS", ()):
            defined[command.name] = path.stem
    assert defined == main.COMMAND_MODULES
    assert {n: c.name for n, c in _every_command().items()} == {n: n for n in defined}
    assert cli.get_command(click.Context(cli), "no-such-command") is None


def test_python_m_and_version() -> None:
    out = subprocess.run([sys.executable, "-m", "claimrules", "--version"],
                         capture_output=True, text=True, check=False, preexec_fn=limit_child)
    assert out.returncode == 0 and "claimrules" in out.stdout
