"""Reporters: a decision rendered by name as text (terminal), JSON (the versioned machine
contract) or Markdown. Reporters build strings only; they never print or read files."""

from __future__ import annotations

from claimrules.decision import Decision
from claimrules.reporters import json, markdown, text
from claimrules.ruleset import Ruleset

#: The formats `render` knows, in the order a CLI lists them.
DECISION_FORMATS = ("text", "json", "markdown")


def render(decision: Decision, ruleset: Ruleset, fmt: str, *, color: bool = False) -> str:
    """A decision in the named format, ending with one newline; `color` only affects text.
    Raises ValueError for an unknown format."""
    if fmt == "text":
        return text.render_decision(decision, ruleset, color=color)
    if fmt == "json":
        return json.dumps(json.decision(decision)) + "\n"
    if fmt == "markdown":
        return markdown.render_decision(decision, ruleset)
    known = ", ".join(f"`{f}`" for f in DECISION_FORMATS)
    raise ValueError(f"unknown format `{fmt}`; expected one of {known}")
