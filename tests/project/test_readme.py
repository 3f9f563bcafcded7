"""The README's "What a person sees" is the real output of its command: every block marked
`<!-- output: COMMAND -->` is checked byte for byte (UPDATE_GOLDEN=1 rewrites it and fails)."""

from __future__ import annotations

import os
import re
import shlex

import pytest

from conftest import ROOT, run_main

README = ROOT / "README.md"
BLOCK = re.compile(r"<!-- output: (?P<cmd>[^\n]*) -->\n```\n\$ (?P=cmd)\n(?P<out>.*?)```\n"
                   r"<!-- /output -->", re.S)


def test_readme_has_generated_output_blocks() -> None:
    assert BLOCK.search(README.read_text(encoding="utf-8"))


def test_readme_output_blocks_are_the_real_output(monkeypatch, capsys) -> None:
    text = README.read_text(encoding="utf-8")
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("NO_COLOR", "1")
    rewritten = text
    for m in BLOCK.finditer(text):
        argv = shlex.split(m.group("cmd"))
        assert argv[0] == "claimrules"
        code, out, err = run_main(monkeypatch, capsys, *argv[1:])
        assert code == 0, err
        if os.environ.get("UPDATE_GOLDEN"):
            rewritten = rewritten.replace(m.group(0), m.group(0).replace(m.group("out"), out))
            continue
        assert out == m.group("out"), f"README output of `{m.group('cmd')}` is out of date"
    if rewritten != text:
        README.write_text(rewritten, encoding="utf-8")
        pytest.fail("README output blocks rewritten; rerun without UPDATE_GOLDEN")
