"""Scenarios resolved against a ruleset: a scenario's text read (a plainly valid one without
the validators), its facts typed, facts given one by one merged in, the sources it names
checked. Resolution returns diagnostics; only `read_scenario` raises."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING

from claimrules.diagnostics import Diagnostic, LoadError, Span, did_you_mean
from claimrules.load.domain import Fact, FactValue
from claimrules.load.scenario import ScenarioInput, coerce_facts, plain_scenario
from claimrules.values import PlainValue, plain_value

if TYPE_CHECKING:
    from claimrules.load.yamlsafe import Document


@plain_value
class Resolved(PlainValue):
    """A scenario ready to evaluate: typed facts and the reading its file asked for."""

    facts: dict[str, FactValue]
    as_of: date | None = None
    known_by: date | None = None
    #: Sorted and without repeats; None: every source (`sources: []` is no source at all).
    sources: tuple[str, ...] | None = None


def read_scenario(text: str, file: str) -> tuple[ScenarioInput, Document]:
    """Parse a scenario (YAML or JSON text); raise LoadError.

    A plainly well-formed scenario is read here; anything else goes to the validating loader
    (`claimrules.load.loader.scenario_of`), which accepts exactly what this accepts and more, and
    words every error. So the common case never loads the pydantic validators.
    """
    from claimrules.load.yamlsafe import parse_yaml  # noqa: PLC0415 - `--fact` alone needs no YAML

    doc = parse_yaml(text, file)
    plain = plain_scenario(doc.data)
    if plain is not None:
        return plain, doc
    from claimrules.load.loader import scenario_of  # noqa: PLC0415 - loads the validators

    return scenario_of(doc), doc


def read_scenario_input(text: str, file: str) -> ScenarioInput:
    """`read_scenario`'s scenario alone (for a batch line, whose positions nobody reads): a
    text that is plainly a JSON object is read by `json` (`yamlsafe.plain_json`: the values
    `parse_yaml` would give), much faster; any other goes through `read_scenario`."""
    from claimrules.load.yamlsafe import plain_json  # noqa: PLC0415 - `--fact` alone needs no YAML

    data = plain_json(text)
    plain = plain_scenario(data) if data is not None else None
    return plain if plain is not None else read_scenario(text, file)[0]


def unknown_sources(
    chosen: Iterable[str], known: Collection[str], span: Span, *, hint: str | None = None
) -> list[Diagnostic]:
    """An `unknown-source` diagnostic (with a did-you-mean, else `hint`) for each id in
    `chosen` that is not a source of the ruleset."""
    return [
        Diagnostic("unknown-source", f"unknown source `{s}`", span,
                   help=did_you_mean(s, list(known)) or hint)
        for s in chosen if s not in known
    ]


def resolve_scenario(
    vocabulary: Mapping[str, Fact],
    known_sources: Collection[str],
    text: tuple[str, str] | None = None,
    facts: Mapping[str, str] | None = None,
    sources: tuple[str, ...] = (),
) -> tuple[Resolved | None, list[Diagnostic]]:
    """The scenario of a file's `text` (its name and contents; None: no file) with `facts`
    (written as strings, as on a command line) laid over it, and `sources` replacing the
    file's own when given. Returns the scenario and no diagnostics, or None and the problems
    of the first step that failed (reading, the file's facts, the given facts, the sources)."""
    typed: dict[str, FactValue] = {}
    model = ScenarioInput()
    try:
        if text is not None:
            name, body = text
            model, doc = read_scenario(body, name)
            typed = coerce_facts(
                vocabulary, model.facts, file=name, base=("facts",), positions=doc.positions
            )
        if facts:
            typed.update(coerce_facts(vocabulary, facts, file="--fact", strings=True))
    except LoadError as exc:
        return None, list(exc.diagnostics)
    chosen = sources if sources else model.sources
    problems = unknown_sources(chosen or (), known_sources, Span("--source"),
                               hint="see `claimrules sources RULESET`")
    if problems:
        return None, problems
    return Resolved(
        typed, model.as_of, model.known_by,
        tuple(sorted(set(chosen))) if chosen is not None else None,
    ), []
