"""Reporters: a decision rendered by name as text (terminal), JSON (the versioned machine
contract) or Markdown; a ruleset's brief as Markdown or HTML. Reporters build strings only;
they never print or read files."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claimrules.engine.decision import Decision
    from claimrules.load.ruleset import Ruleset
    from claimrules.reporters.brief import BriefFormat

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


def render_brief(ruleset: Ruleset, fmt: BriefFormat) -> str:
    """The brief of a ruleset as Markdown or as one self-contained HTML file.
    Raises ValueError for an unknown format."""
    from claimrules.reporters.brief import BRIEF_FORMATS, build_brief  # noqa: PLC0415

    if fmt not in BRIEF_FORMATS:
        known = ", ".join(f"`{f}`" for f in BRIEF_FORMATS)
        raise ValueError(f"unknown brief format `{fmt}`; expected one of {known}")
    brief = build_brief(ruleset)
    if fmt == "markdown":
        from claimrules.reporters.brief_markdown import render_markdown  # noqa: PLC0415

        return render_markdown(brief)
    from claimrules.reporters.html import render_html  # noqa: PLC0415

    return render_html(brief)
