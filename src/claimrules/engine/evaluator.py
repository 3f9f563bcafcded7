"""The public entry points: `evaluate` and `evaluate_many` (and `speakers_of`), a pure
function of (ruleset, facts, as_of, known_by, sources, speakers) returning a Decision with a
typed trace. No I/O, no clock, no printing.

The engine, step by step (each step's home in `claimrules.engine`):

1. `compile` — rules compiled to Kleene closures, the rule index, each fact's domain;
2. `context` — a reading: the rules in force under as_of / known_by / sources / speakers;
3. `search` — the one search: the completions of the missing facts partitioned into leaves
   with one verdict each (`combine` gives a leaf's verdict), and what the leaves say;
4. `reading` — a reading compiled into a decision diagram from that search, walked per
   scenario (a missing fact follows every branch), decisions remembered by canonical key;
   readings it cannot compile take the per-scenario path of step 5, with the same answers;
5. `explain` — `decide`, the per-scenario search, and everything a Decision holds: deciding
   rules, claims, missing-fact outcomes, open questions, one outcome per rule (`why` walks a
   rule's condition for the tests that failed it).

Missing facts make rule conditions *unknown*: a verdict other than `indeterminate` holds for
every completion (the soundness law). Speed never changes an answer:
tests/engine/test_equivalence.py holds both paths to a plain reference evaluator and to each other.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import cast

from claimrules.engine.compile import (
    CompiledRuleset,
    compiled_ruleset,
)
from claimrules.engine.decision import (
    Decision,
)
from claimrules.engine.reading import Reading, decide_in, reading_of
from claimrules.load.domain import (
    FactValue,
    parse_iso_date,
)
from claimrules.load.ruleset import Ruleset
from claimrules.load.scenario import coerce_facts, coerce_value

__all__ = ["evaluate", "evaluate_many", "speakers_of"]

def as_date(value: object, name: str) -> date | None:
    """A date argument of the Python API: a `date` (a `datetime` counts as its day), a
    `YYYY-MM-DD` string, or None. Raises TypeError or ValueError naming the argument."""
    if value is None:
        return None
    if not isinstance(value, date | str):
        raise TypeError(
            f"`{name}` must be a date or a `YYYY-MM-DD` string, not {type(value).__name__}"
        )
    try:
        return cast(date, parse_iso_date(value))  # a date, its day for a datetime, or raises
    except ValueError as exc:
        raise ValueError(f"`{name}`: {exc}") from None


def _as_sources(sources: Iterable[str] | None) -> tuple[str, ...] | None:
    if sources is None:
        return None
    if isinstance(sources, str):
        sources = [sources]
    return tuple(sorted(set(sources)))


def _typed(compiled: CompiledRuleset, facts: Mapping[str, object]) -> dict[str, FactValue]:
    """`coerce_facts` of the scenario, with a quick path for enum and boolean values given
    exactly; anything else (and every error) goes through `coerce_facts` itself."""
    vocabulary = compiled.ruleset.facts
    sets = compiled.value_sets
    out: dict[str, FactValue] = {}
    for name, value in facts.items():
        if name not in sets:
            return coerce_facts(vocabulary, facts)  # reports the unknown fact (and the rest)
        if value is None:
            continue
        kind = sets[name]
        if kind is None:
            try:
                out[name] = coerce_value(vocabulary[name], value)
            except ValueError:
                return coerce_facts(vocabulary, facts)
        elif value.__class__ is kind[0] and value in kind[1]:
            out[name] = value  # type: ignore[assignment]  # a str or bool, checked just above
        else:
            return coerce_facts(vocabulary, facts)
    return out


def evaluate(
    ruleset: Ruleset,
    facts: Mapping[str, object],
    *,
    as_of: date | str | None = None,
    known_by: date | str | None = None,
    sources: Iterable[str] | None = None,
    speakers: Iterable[str] | None = None,
    explain: bool = True,
) -> Decision:
    """What the reported policy says about one scenario.

    `facts` maps fact names to values (enum strings, booleans, numbers, dates or `YYYY-MM-DD`
    strings; `None` means unknown). Raises ScenarioError for unknown facts or bad values, and
    ValueError for unknown source ids. `as_of` and `known_by` are dates or `YYYY-MM-DD` strings
    (TypeError or ValueError otherwise). Decisions are remembered per reading: an equal
    scenario asked again (its keys in any order) gets the same (frozen) Decision object back.
    """
    if as_of is None and known_by is None and sources is None and speakers is None:
        reading = reading_of(compiled_ruleset(ruleset), None, None, None, None)
    else:
        reading = _reading(ruleset, facts, as_of, known_by, sources, speakers)
    found = reading.decide(facts, explain)
    if found is not None:
        return found
    return reading.remember(decide_in(reading, _typed(reading.compiled, facts), explain), explain)


def _reading(
    ruleset: Ruleset,
    facts: Mapping[str, object] | None,
    as_of: date | str | None,
    known_by: date | str | None,
    sources: Iterable[str] | None,
    speakers: Iterable[str] | None,
) -> Reading:
    """The compiled reading the arguments ask for. An unknown source or speaker raises
    ValueError, after the scenario (when given) is checked: a bad scenario is reported
    first."""
    as_of, known_by = as_date(as_of, "as_of"), as_date(known_by, "known_by")
    compiled = compiled_ruleset(ruleset)
    wanted = _as_sources(sources)
    said_by = _as_sources(speakers)
    if wanted is not None or said_by is not None:
        try:
            _check_reading(ruleset, wanted, said_by)
        except ValueError:
            if facts is not None:
                _typed(compiled, facts)
            raise
    return reading_of(compiled, as_of, known_by, wanted, said_by)


def evaluate_many(
    ruleset: Ruleset,
    scenarios: Iterable[Mapping[str, object]],
    *,
    as_of: date | str | None = None,
    known_by: date | str | None = None,
    sources: Iterable[str] | None = None,
    speakers: Iterable[str] | None = None,
    explain: bool = False,
) -> Iterator[Decision]:
    """Evaluate many fact mappings lazily, in order. Explanations are off by default.

    Each decision is the one `evaluate` gives; scenarios equal to one answered before get the
    remembered (frozen) Decision object back.
    """
    try:
        reading = _reading(ruleset, None, as_of, known_by, sources, speakers)
    except ValueError:
        for facts in scenarios:  # fails on the first scenario, exactly as `evaluate` does
            yield evaluate(
                ruleset, facts, as_of=as_of, known_by=known_by, sources=sources,
                speakers=speakers, explain=explain,
            )
        return
    fast, remember, compiled = reading.decide, reading.remember, reading.compiled
    memo = reading.decisions[explain]
    for facts in scenarios:
        walker = reading.walker  # (None until the reading's diagram is built)
        if walker is not None and facts.__class__ is dict:
            # `reading.decide`, its first step inline: most scenarios of a batch end here.
            found = walker(facts, memo)
            if found.__class__ is Decision:
                yield found
                continue
            if found is not None:
                found = reading.conclude(found, facts, explain)
        else:
            found = fast(facts, explain)
        yield found if found is not None else remember(
            decide_in(reading, _typed(compiled, facts), explain), explain
        )


def speakers_of(ruleset: Ruleset) -> dict[str, tuple[str, ...]]:
    """Every speaker the ruleset's claims quote (see `CitedClaim.speaker`), with the ids of
    their claims, by name."""
    compiled = compiled_ruleset(ruleset)
    out: dict[str, list[str]] = {}
    for cid in ruleset.claims:
        out.setdefault(compiled.citation(cid).speaker, []).append(cid)
    return {name: tuple(ids) for name, ids in sorted(out.items(), key=lambda i: i[0].casefold())}


def _check_reading(
    ruleset: Ruleset, sources: tuple[str, ...] | None, speakers: tuple[str, ...] | None
) -> None:
    """Raise ValueError for a source id or a speaker the ruleset does not know."""
    if sources is not None:
        unknown = [s for s in sources if s not in ruleset.sources]
        if unknown:
            raise ValueError(f"unknown source `{unknown[0]}`")
    if speakers is not None:
        names = compiled_ruleset(ruleset).contexts.get(("speakers",))
        if names is None:
            names = compiled_ruleset(ruleset).contexts[("speakers",)] = frozenset(
                n.casefold() for n in speakers_of(ruleset)
            )
        unknown = [s for s in speakers if s.casefold() not in names]
        if unknown:
            raise ValueError(f"unknown speaker `{unknown[0]}`")
