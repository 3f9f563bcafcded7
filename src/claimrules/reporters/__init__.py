"""Reporters: a decision rendered by name as text (terminal), JSON (the versioned machine
contract) or Markdown. Reporters build strings only; they never print or read files."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claimrules.engine.decision import Decision
    from claimrules.load.ruleset import Ruleset

#: The formats `render` knows, in the order a CLI lists them.
DECISION_FORMATS = ("text", "json", "markdown")


def render(decision: Decision, ruleset: Ruleset, fmt: str, *, color: bool = False) -> str:
    """A decision in the named format, ending with one newline; `color` only affects text.
    Raises ValueError for an unknown format."""
    # Each reporter is imported when asked for: a one-shot `eval` loads only its own.
    if fmt == "text":
        from claimrules.reporters import text  # noqa: PLC0415

        return text.render_decision(decision, ruleset, color=color)
    if fmt == "json":
        from claimrules.reporters import json  # noqa: PLC0415

        return json.dumps(json.decision(decision)) + "\n"
    if fmt == "markdown":
        from claimrules.reporters import markdown  # noqa: PLC0415

        return markdown.render_decision(decision, ruleset)
    known = ", ".join(f"`{f}`" for f in DECISION_FORMATS)
    raise ValueError(f"unknown format `{fmt}`; expected one of {known}")
