"""What shell completion offers for a ruleset's own words: fact names and values for
`--fact NAME=VALUE`, source ids for `--source`, speaker names for `--speaker`."""

from __future__ import annotations

from claimrules.load.ruleset import Ruleset


def fact_candidates(ruleset: Ruleset, incomplete: str) -> list[str]:
    """`NAME=` for each fact whose name starts with `incomplete`; once `NAME=` is typed, each
    `NAME=VALUE` (enum values; yes/no for yes-or-no facts)."""
    from claimrules.reporters.listing import fact_values  # noqa: PLC0415

    name, sep, value = incomplete.partition("=")
    if not sep:
        return [f"{n}=" for n in ruleset.facts if n.startswith(name)]
    if name not in ruleset.facts:
        return []
    words = [v for v, _ in fact_values(ruleset, name)]
    if str(ruleset.facts[name].type) == "bool":
        words = ["yes", "no", *words]
    return [f"{name}={w}" for w in words if w.startswith(value)]


def source_candidates(ruleset: Ruleset, incomplete: str) -> list[str]:
    """The source ids starting with `incomplete`."""
    return [s for s in ruleset.sources if s.startswith(incomplete)]


def speaker_candidates(ruleset: Ruleset, incomplete: str) -> list[str]:
    """The speaker names starting with `incomplete` (ignoring case)."""
    from claimrules.engine.evaluator import speakers_of  # noqa: PLC0415

    folded = incomplete.casefold()
    return [s for s in speakers_of(ruleset) if s.casefold().startswith(folded)]
