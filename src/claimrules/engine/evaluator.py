"""Evaluate a scenario against a ruleset: a pure function of (ruleset, facts, as_of, known_by,
sources) returning a Decision with a typed trace. No I/O, no clock, no printing.

Missing facts make rule conditions *unknown* (Kleene logic). When some rule is undecided, the
evaluator splits the space of completions of the missing facts it reads (each enum/bool value,
and representatives of number/date facts split at the rules' thresholds), re-evaluating at each
branch, until no rule is undecided. The leaves partition every completion, so a verdict other
than `indeterminate` holds for every completion (the soundness law).

Speed never changes an answer (tests/test_equivalence.py holds the fast path to a plain
reference evaluator): the rule index (`compile.RuleIndex`) finds the few rules a scenario can
trigger, every other rule being false on a known fact, each with the tests its key has not
already shown true; rule outcomes of explanations are shared between decisions; and
`evaluate` / `evaluate_many` remember the decision for each scenario already answered (a plain
dict of strings, booleans and Nones), per (as_of, known_by, sources, explain), in memos bounded
in size and kept on the compiled ruleset.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import cast

from claimrules.engine.combine import combine
from claimrules.engine.compile import (
    CompiledRuleset,
)
from claimrules.engine.context import Context, build_context
from claimrules.engine.decision import (
    Decision,
)
from claimrules.engine.explain import decide
from claimrules.engine.search import (
    MAX_LEAVES,
    Leaf,
    explore,
    settle_open,
)
from claimrules.engine.why import condition_value, why
from claimrules.load.domain import (
    FactValue,
    parse_iso_date,
)
from claimrules.load.ruleset import Ruleset
from claimrules.load.scenario import coerce_facts, coerce_value

# Homes of the engine's steps, named here too for the modules that import them from here.
__all__ = [
    "MAX_LEAVES",
    "Context",
    "Leaf",
    "build_context",
    "combine",
    "condition_value",
    "decide",
    "evaluate",
    "evaluate_many",
    "explore",
    "settle_open",
    "speakers_of",
    "why",
]

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


#: Decisions a ruleset remembers, shared out between its memos (one per as_of, known_by,
#: sources and explain); a memo that reaches its share starts afresh.
MEMO_DECISIONS = 1 << 14
#: A memo's share never drops below this many decisions...
MEMO_MIN_SHARE = 1 << 12
#: ...and a ruleset keeps at most this many memos before starting them all afresh.
MEMO_CONTEXTS = 8
#: With explanations a decision holds one outcome per rule: a memo keeps at most this many.
MEMO_OUTCOMES = 1 << 20

# A remembered decision: the decision, the scenario it answers (a private copy), and the
# positions of its boolean values (equal to `True`/`False` is not enough: `1` is no boolean).
_Entry = tuple[Decision, dict[str, object], tuple[int, ...]]
_Memo = dict[tuple[object, ...], _Entry]


def _memo(
    compiled: CompiledRuleset, key: tuple[object, ...], explain: bool
) -> tuple[_Memo | None, int]:
    """The memo of decisions under one context, and how many decisions it may hold."""
    memos = compiled.decisions
    try:
        memo = memos.get(key)
    except TypeError:  # an unhashable date argument: no memo (and the evaluation will say why)
        return None, 0
    if memo is None:
        if len(memos) >= MEMO_CONTEXTS:
            memos.clear()
        memo = memos[key] = {}
    limit = max(MEMO_MIN_SHARE, MEMO_DECISIONS // len(memos))
    if explain:
        limit = max(1, min(limit, MEMO_OUTCOMES // max(1, len(compiled.rules))))
    return memo, limit


def _recall(memo: _Memo | None, facts: Mapping[str, object]) -> Decision | None:
    """The decision already made for an equal scenario: same names and values, in the same
    order, with booleans where it had booleans. Only plain dicts are looked up."""
    if memo is None or facts.__class__ is not dict:
        return None
    values = tuple(facts.values())
    try:
        entry = memo.get(values)
    except TypeError:  # an unhashable value (a list, a mapping): never remembered
        return None
    if entry is None or entry[1] != facts:
        return None
    for i in entry[2]:
        if values[i].__class__ is not bool:
            return None
    return entry[0]


def _remember(
    memo: _Memo | None, limit: int, facts: Mapping[str, object], decision: Decision
) -> None:
    """Remember a decision for a plain dict scenario of strings, booleans and Nones; numbers and
    dates are left out (`1 == 1.0 == True` and `-0.0 == 0.0` would blur what was asked)."""
    if memo is None or facts.__class__ is not dict:
        return
    values = tuple(facts.values())
    bools = []
    for i, v in enumerate(values):
        kind = v.__class__
        if kind is bool:
            bools.append(i)
        elif kind is not str and v is not None:
            return
    if len(memo) >= limit:
        memo.clear()
    memo[values] = (decision, dict(facts), tuple(bools))


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
    (TypeError or ValueError otherwise). Decisions are remembered per ruleset: an equal
    scenario asked again gets the same (frozen) Decision object back.
    """
    as_of, known_by = as_date(as_of, "as_of"), as_date(known_by, "known_by")
    compiled = ruleset.compiled()
    wanted = _as_sources(sources)
    said_by = _as_sources(speakers)
    memo, limit = _memo(compiled, (as_of, known_by, wanted, said_by, explain), explain)
    known = _recall(memo, facts)
    if known is not None:
        return known
    typed = _typed(compiled, facts)
    _check_reading(ruleset, wanted, said_by)
    decision = decide(
        compiled, typed, as_of=as_of, known_by=known_by, sources=wanted, speakers=said_by,
        explain=explain,
    )
    _remember(memo, limit, facts, decision)
    return decision


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
    remembered (frozen) Decision object back without being validated or evaluated again.
    """
    as_of, known_by = as_date(as_of, "as_of"), as_date(known_by, "known_by")
    compiled = ruleset.compiled()
    wanted = _as_sources(sources)
    said_by = _as_sources(speakers)
    try:
        _check_reading(ruleset, wanted, said_by)
    except ValueError:
        for facts in scenarios:  # fails on the first scenario, exactly as `evaluate` does
            yield evaluate(
                ruleset, facts, as_of=as_of, known_by=known_by, sources=sources,
                speakers=speakers, explain=explain,
            )
        return
    memo, limit = _memo(compiled, (as_of, known_by, wanted, said_by, explain), explain)
    if memo is None:
        for facts in scenarios:
            yield decide(compiled, _typed(compiled, facts), as_of=as_of, known_by=known_by,
                         sources=wanted, speakers=said_by, explain=explain)
        return
    get = memo.get
    for facts in scenarios:
        # The look-up of `_recall`, inlined: this loop is the batch fast path.
        if facts.__class__ is dict:
            values = tuple(facts.values())
            try:
                entry = get(values)
            except TypeError:
                entry = None
            if entry is not None and entry[1] == facts:
                for i in entry[2]:
                    if values[i].__class__ is not bool:
                        break
                else:
                    yield entry[0]
                    continue
        decision = decide(compiled, _typed(compiled, facts), as_of=as_of, known_by=known_by,
                          sources=wanted, speakers=said_by, explain=explain)
        _remember(memo, limit, facts, decision)
        yield decision


def speakers_of(ruleset: Ruleset) -> dict[str, tuple[str, ...]]:
    """Every speaker the ruleset's claims quote (see `CitedClaim.speaker`), with the ids of
    their claims, by name."""
    compiled = ruleset.compiled()
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
        names = ruleset.compiled().contexts.get(("speakers",))
        if names is None:
            names = ruleset.compiled().contexts[("speakers",)] = frozenset(
                n.casefold() for n in speakers_of(ruleset)
            )
        unknown = [s for s in speakers if s.casefold() not in names]
        if unknown:
            raise ValueError(f"unknown speaker `{unknown[0]}`")
