"""The one Markdown escaper and the one GitHub-annotation writer, as tables of cases."""

from __future__ import annotations

import pytest

from claimrules.reporters.escape import github_command, markdown, markdown_cell


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("target_type", "target_type"),  # `_` inside a word starts nothing
        ("_x_", r"\_x\_"),
        ("a # b", "a # b"),  # `#` is a heading only at the start of a line
        ("# h", r"\# h"),
        ("1. x", r"1\. x"),  # an ordered list item: its number kept, its `.` escaped
        ("12) y", r"12\) y"),
        ("+ a", r"\+ a"),
        ("> q", r"\> q"),
        ("a\\b", r"a\\b"),
        ("&lt;", "&amp;lt;"),
        ("[x](javascript:y)", r"\[x\](javascript:y)"),
        ("two\nlines\u2028here", "two lines here"),  # every line break is a space
        ("bell\x07", r"bell\\x07"),  # made visible, then its backslash escaped
    ],
)
def test_markdown(text: str, expected: str) -> None:
    assert markdown(text) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (markdown("a | b"), r"a \| b"),  # escaped once, not twice
        ("`c|d` e", r"`c\|d` e"),  # GFM splits a row even inside a code span
        ("`` a|`b ``", r"`` a\|`b ``"),
        ("`unclosed | x", r"`unclosed \| x"),
        (markdown("\\") + "|", r"\\\|"),  # after an escaped backslash a pipe is bare
    ],
)
def test_markdown_cell(cell: str, expected: str) -> None:
    assert markdown_cell(cell) == expected


def test_github_command_escapes_every_value() -> None:
    line = github_command("error", "bad\nline 100%", file="a,b:c.yaml", line=3, col=4,
                          title="code\r")
    assert line == "::error file=a%2Cb%3Ac.yaml,line=3,col=4,title=code\\x0d::bad%0Aline 100%25"
    assert "\n" not in line and "\r" not in line
