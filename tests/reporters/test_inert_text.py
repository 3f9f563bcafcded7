"""Text from a ruleset is inert on every output (issue 13, item 5), through the installed
command: `tests/hostile/rulesets/inert-text/` carries terminal escapes (OSC, CSI, C1), line
breaks, a bidi override (U+202E), workflow commands, Markdown and HTML syntax and `javascript:`
URLs in its titles, notes, outlets, attributions and questions. No output may pass a control
character, link a non-http(s) URL, open HTML, break a Markdown table or start a workflow
command of its own."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from _proc import Job, Run, claimrules_argv, run_many, run_once
from conftest import ROOT, built_once

HOSTILE = ROOT / "tests" / "hostile" / "rulesets" / "inert-text"
FACTS = ("--fact", "actor=ally", "--fact", "zone=border", "--fact", "target=military")
#: Controls a terminal obeys (newline excepted), line separators and bidi controls.
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
#: A link to a script URL, in Markdown (an unescaped `](`) or in HTML.
JS_LINK = {
    "markdown": re.compile(r"(?i)(?<!\\)\]\(\s*<?\s*(javascript|data|vbscript):"),
    "html": re.compile(r"(?i)(href|src)\s*=\s*[\"']?\s*(javascript|data|vbscript):"),
}

COMMANDS: dict[str, tuple[str, ...]] = {
    "eval-text": ("eval", "RS", *FACTS),
    "eval-markdown": ("eval", "RS", *FACTS, "--format", "markdown"),
    "eval-json": ("eval", "RS", *FACTS, "--format", "json"),
    "eval-undecided-markdown": ("eval", "RS", "--fact", "actor=ally", "--format", "markdown"),
    "claims-text": ("claims", "RS"),
    "claims-json": ("claims", "RS", "--format", "json"),
    "sources-text": ("sources", "RS"),
    "lint-text": ("lint", "RS"),
    "lint-markdown": ("lint", "RS", "--format", "markdown"),
    "lint-csv": ("lint", "RS", "--format", "csv"),
    "table-text": ("table", "RS"),
    "table-markdown": ("table", "RS", "--format", "markdown"),
    "timeline-text": ("timeline", "RS"),
    "timeline-markdown": ("timeline", "RS", "--format", "markdown"),
    "test-text": ("test", "RS"),
    "test-markdown": ("test", "RS", "--format", "markdown"),
    "test-github": ("test", "RS", "--format", "github"),
    "report-markdown": ("report", "RS"),
    "report-html": ("report", "RS", "--format", "html"),
    "export-jsonld": ("export", "RS"),
    "check-github": ("check", "BROKEN", "--format", "github"),
    "check-text": ("check", "BROKEN"),
    "check-json": ("check", "BROKEN", "--format", "json"),
}


def _break(broken: Path) -> None:
    """A copy of the hostile ruleset with a rule whose value forges workflow commands."""
    shutil.copytree(HOSTILE, broken)
    (broken / "rules" / "zz.yaml").write_text(
        "rules:\n  - id: forged-rule\n    effect: permit\n    when: {fact: actor, is: "
        '"ally\\n::add-mask::secret\\n::error file=a,line=1::forged %0A\\e]0;x\\a"}\n'
        "    because: [border-permitted]\n    note: x\n", encoding="utf-8")


class Runs:
    """Every command run once on the hostile ruleset (and on a broken copy for `check`), each
    by whichever worker of the session first asks for it."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.broken = built_once(base / "broken", _break)

    def __getitem__(self, name: str) -> Run:
        places = {"RS": str(HOSTILE), "BROKEN": str(self.broken)}
        job = Job(claimrules_argv(*[places.get(a, a) for a in COMMANDS[name]]), self.base)
        return run_once(self.base / "runs", name, job)


@pytest.fixture(scope="session")
def runs(session_dir: Path) -> Runs:
    """The commands' runs, shared by the workers of the session."""
    base = session_dir / "inert"
    base.mkdir(exist_ok=True)
    return Runs(base)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_no_output_passes_a_control_character(runs: Runs, name: str) -> None:
    r = runs[name]
    assert not r.hung
    assert r.returncode in (0, 1), r.stderr.decode()
    for stream in (r.stdout.decode(), r.stderr.decode()):
        bad = CONTROL.search(stream)
        assert bad is None, f"{bad.group()!r} in {stream[max(0, bad.start() - 60):][:90]!r}"
    assert b"Traceback" not in r.stderr


@pytest.mark.parametrize("name", [n for n in COMMANDS if n.endswith(("markdown", "html"))])
def test_no_output_links_a_script_url(runs: Runs, name: str) -> None:
    out = runs[name].stdout.decode()
    found = JS_LINK[name.rsplit("-", 1)[1]].search(out)
    assert found is None, out[max(0, found.start() - 80):found.end() + 20]


@pytest.mark.parametrize("name", [n for n in COMMANDS if n.endswith("html")])
def test_html_opens_no_element_of_the_ruleset(runs: Runs, name: str) -> None:
    out = runs[name].stdout.decode()
    assert "<script>alert" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out


@pytest.mark.parametrize("name", [n for n in COMMANDS if n.endswith("markdown")])
def test_markdown_cannot_break_a_table_or_start_a_block(runs: Runs, name: str) -> None:
    lines = runs[name].stdout.decode().splitlines()
    assert not any(line.startswith(("# heading", "| forged", "::")) for line in lines)
    assert not any("<script>" in line for line in lines)
    # every row of a table has as many cells as its header
    width = None
    for line in lines:
        if line.startswith("|"):
            cells = len(re.findall(r"(?<!\\)\|", line))
            width = width or cells
            assert cells == width, line
        else:
            width = None


@pytest.mark.parametrize("name", ["check-github", "test-github"])
def test_github_annotations_cannot_be_forged(runs: Runs, name: str) -> None:
    r = runs[name]
    lines = r.stdout.decode().splitlines()
    assert lines
    for line in lines:
        assert re.match(r"::(error|warning|notice) [^:]*::", line), line
        command, _, message = line.partition("::")[2].partition("::")
        assert "\r" not in message
        assert not re.search(r"%(?!25|0A|0D|3A|2C)", message + command), line
    assert not any(line.startswith(("::add-mask::", "::error file=a")) for line in lines)
    if name == "check-github":
        assert any("::add-mask::secret" in line for line in lines)  # shown as text, escaped
        forged = [line for line in lines if "forged" in line]
        assert forged
        assert all("%0A::error file=a,line=1::forged %250A" in line for line in forged)


def test_json_keeps_the_data_and_escapes_the_controls(runs: Runs) -> None:
    out = runs["eval-json"].stdout.decode()
    assert "\\u202e" in out
    assert "\\u009b" in out
    doc = json.loads(out)
    assert doc["verdict"] == "permitted"
    quoted = json.dumps(doc, ensure_ascii=False)
    assert "\u202e" in quoted  # the same data, once parsed


def test_the_terminal_shows_what_the_escapes_were(runs: Runs) -> None:
    out = runs["eval-text"].stdout.decode()
    assert "\\x1b]8;;http://evil\\x07" in out
    assert "\\u202eesrever" in out
    assert "javascript:alert(document.cookie)" in out  # text, never a link
    assert out.startswith("PERMITTED")


def test_an_http_url_is_still_linked(tmp_path: Path) -> None:
    rs = tmp_path / "rs"
    shutil.copytree(HOSTILE, rs)
    sources = rs / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8").replace(
        'url: "javascript:alert(document.cookie)"', 'url: "https://example.org/a (b)"'),
        encoding="utf-8")
    (r,) = run_many([Job(claimrules_argv("eval", str(rs), *FACTS, "--format", "markdown"),
                         tmp_path)])
    assert "](https://example.org/a%20%28b%29)" in r.stdout.decode()
