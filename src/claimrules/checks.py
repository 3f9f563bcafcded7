"""Meaning checks over validated models: references, duplicates, quotes, cycles.

Each check is a small generator that yields diagnostics; the loader collects them all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from claimrules import mismatch
from claimrules.constraints import violated
from claimrules.diagnostics import DataPath, Diagnostic, Span, did_you_mean
from claimrules.domain import Constraint, Fact, FactType, parse_iso_date
from claimrules.model import Rule, Source
from claimrules.quotes import Archive
from claimrules.scenario import ScenarioError, coerce_facts

if TYPE_CHECKING:
    from claimrules.loader import Located

__all__ = ["Span"]


def unknown(kind: str, ident: str, span: Span, path: DataPath, known: Iterable[str]) -> Diagnostic:
    """An unknown-id diagnostic with a did-you-mean."""
    return Diagnostic(
        f"unknown-{kind}",
        f"unknown {kind} `{ident}`",
        span,
        path,
        help=did_you_mean(ident, sorted(known)),
    )


def duplicates(kind: str, items: Iterable[tuple[str, Span, DataPath]]) -> Iterator[Diagnostic]:
    """Each id defined twice, reported at the second definition, naming the first."""
    first: dict[str, Span] = {}
    for ident, span, path in items:
        if ident in first:
            yield Diagnostic(
                f"duplicate-{kind}",
                f"duplicate {kind} id `{ident}` (first defined at {first[ident]})",
                span,
                path,
            )
        else:
            first[ident] = span


def fact_references(meta: Located, claim_ids: set[str]) -> Iterator[Diagnostic]:
    """Facts' `motivated_by` name existing claims."""
    for i, fact in enumerate(meta.model.facts):
        for j, cid in enumerate(fact.motivated_by):
            if cid not in claim_ids:
                path = ("facts", i, "motivated_by", j)
                yield unknown("claim", cid, meta.span(*path), path, claim_ids)


def quote_not_found(claim: Located, source: Source, archive: Archive) -> Diagnostic:
    """A quote that does not occur in its source's archived text, with the cause: the archive's
    nearest passage, the characters that differ, or a quote joining two excerpts."""
    why = mismatch.explain(claim.model.quote, archive)
    return Diagnostic(
        "quote-not-found",
        f"quote of claim `{claim.model.id}` is not in the archived text of `{source.id}`",
        claim.span("quote"),
        (*claim.path, "quote"),
        help=why.help(),
        notes=why.notes(),
    )


def _check_operand(fact: Fact, op: str, operand: Any) -> str | None:
    """A message when a test's operator or operand does not fit the fact's type."""
    values = operand if isinstance(operand, list | tuple) else [operand]
    if fact.type in (FactType.ENUM, FactType.BOOL) and op in ("lt", "le", "gt", "ge"):
        return f"`{op}` compares numbers and dates; `{fact.name}` is {fact.type}"
    for v in values:
        if fact.type is FactType.ENUM:
            if not isinstance(v, str) or v not in fact.value_names():
                hint = did_you_mean(str(v), fact.value_names()) if isinstance(v, str) else None
                return f"`{v}` is not a value of `{fact.name}`" + (f" ({hint})" if hint else "")
        elif fact.type is FactType.BOOL:
            if not isinstance(v, bool):
                return f"`{fact.name}` is a boolean: compare it with `true` or `false`, not `{v}`"
        elif fact.type is FactType.NUMBER:
            if isinstance(v, bool) or not isinstance(v, int | float):
                return f"`{fact.name}` is a number: `{v}` is not"
        else:
            try:
                parse_iso_date(v)
            except ValueError:
                return f"`{fact.name}` is a date: `{v}` is not a `YYYY-MM-DD` date"
    return None


def _conditions(node: Any, path: DataPath) -> Iterator[tuple[dict[str, Any], DataPath]]:
    """Every fact test in a raw (shape-valid) condition tree, with its data path."""
    if not isinstance(node, dict):
        return
    if "fact" in node:
        yield node, path
    for key in ("all", "any"):
        for i, part in enumerate(node.get(key) or []):
            yield from _conditions(part, (*path, key, i))
    if "not" in node:
        yield from _conditions(node["not"], (*path, "not"))


def rule_references(
    rule: Located, facts: Mapping[str, Fact], claim_ids: set[str], rule_ids: set[str]
) -> Iterator[Diagnostic]:
    """A rule's claims, overrides and condition facts exist and fit; its period is ordered."""
    r: Rule = rule.model
    for i, cid in enumerate(r.because):
        if cid not in claim_ids:
            yield unknown(
                "claim", cid, rule.span("because", i), (*rule.path, "because", i), claim_ids
            )
    for i, rid in enumerate(r.overrides):
        path = (*rule.path, "overrides", i)
        if rid == r.id:
            yield Diagnostic(
                "override-self", f"rule `{rid}` overrides itself", rule.span("overrides", i), path
            )
        elif rid not in rule_ids:
            yield unknown("rule", rid, rule.span("overrides", i), path, rule_ids)
    raw = rule.doc.data
    for part in rule.path:
        raw = raw[part]  # type: ignore[index]
    for node, sub in _conditions(raw["when"], ("when",)):  # type: ignore[index]
        name = node["fact"]
        fact = facts.get(name)
        if fact is None:
            yield unknown("fact", name, rule.span(*sub, "fact"), rule.path + sub + ("fact",), facts)
            continue
        op = next(k for k in ("is", "in", "lt", "le", "gt", "ge") if k in node)
        problem = _check_operand(fact, op, node[op])
        if problem:
            yield Diagnostic("bad-operand", problem, rule.span(*sub, op), rule.path + sub + (op,))
    eff = r.effective
    if eff and eff.from_ and eff.until and eff.from_ > eff.until:
        yield Diagnostic(
            "bad-period",
            f"rule `{r.id}` ends ({eff.until}) before it starts ({eff.from_})",
            rule.span("effective"),
            (*rule.path, "effective"),
        )


def constraint_references(meta: Located, facts: Mapping[str, Fact]) -> Iterator[Diagnostic]:
    """Constraints name facts of the vocabulary, with operands that fit them; ids are unique."""
    raw = meta.doc.data.get("constraints") if isinstance(meta.doc.data, dict) else None
    seen: dict[str, Span] = {}
    for i, c in enumerate(meta.model.constraints):
        path: DataPath = ("constraints", i)
        if c.id in seen:
            yield Diagnostic("duplicate-constraint",
                             f"duplicate constraint id `{c.id}` (first defined at {seen[c.id]})",
                             meta.span(*path, "id"), path)
        seen.setdefault(c.id, meta.span(*path, "id"))
        for part in ("when", "then"):
            for node, sub in _conditions(raw[i][part], (*path, part)):  # type: ignore[index]
                name = node["fact"]
                fact = facts.get(name)
                if fact is None:
                    yield unknown("fact", name, meta.span(*sub, "fact"), (*sub, "fact"), facts)
                    continue
                op = next(k for k in ("is", "in", "lt", "le", "gt", "ge") if k in node)
                problem = _check_operand(fact, op, node[op])
                if problem:
                    yield Diagnostic("bad-operand", problem, meta.span(*sub, op), (*sub, op))


def case_constraints(case: Located, facts: Mapping[str, Fact],
                     constraints: Sequence[Constraint]) -> Iterator[Diagnostic]:
    """A case whose facts break a constraint of the vocabulary (it could never happen)."""
    try:
        typed = coerce_facts(facts, case.model.facts)
    except ScenarioError:
        return  # reported by case_references
    broken = violated(constraints, typed, facts)
    if broken is not None:
        yield Diagnostic(
            "impossible-case",
            f"case `{case.model.id}` is an impossible scenario: it breaks constraint "
            f"`{broken.id}`: {broken.note}",
            case.span("facts"), (*case.path, "facts"),
            help="change a value of the case, or the constraint if it is wrong")


def override_cycles(rules: list[Located]) -> Iterator[Diagnostic]:
    """Overrides must form no cycle (an exception cannot be its own base)."""
    graph = {r.model.id: [o for o in r.model.overrides if o != r.model.id] for r in rules}
    where = {r.model.id: r for r in rules}
    state: dict[str, int] = {}
    reported: set[frozenset[str]] = set()
    for start in sorted(graph):
        if state.get(start):
            continue
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(graph[start]))]
        trail = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                trail.pop()
                state[node] = 2
                continue
            if child not in graph:
                continue
            if state.get(child) == 1:
                cycle = trail[trail.index(child) :]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    first = min(cycle)
                    loc = where[first]
                    chain = " → ".join([*cycle, child])
                    yield Diagnostic(
                        "override-cycle",
                        f"overrides form a cycle: {chain}",
                        loc.span("overrides"),
                        (*loc.path, "overrides"),
                    )
            elif not state.get(child):
                state[child] = 1
                trail.append(child)
                stack.append((child, iter(graph[child])))


def case_references(
    case: Located, facts: Mapping[str, Fact], source_ids: set[str], rule_ids: set[str]
) -> Iterator[Diagnostic]:
    """A case's facts fit the vocabulary; its sources, rules and verdict exist."""
    c = case.model
    try:
        coerce_facts(
            facts,
            c.facts,
            file=case.doc.file,
            base=(*case.path, "facts"),
            positions=case.doc.positions,
        )
    except ScenarioError as exc:
        yield from exc.diagnostics
    for i, sid in enumerate(c.sources or []):
        if sid not in source_ids:
            yield unknown(
                "source", sid, case.span("sources", i), (*case.path, "sources", i), source_ids
            )
    from claimrules.decision import Verdict  # noqa: PLC0415

    names = [v.value for v in Verdict]
    if c.expect.verdict not in names:
        yield Diagnostic(
            "unknown-verdict",
            f"unknown verdict `{c.expect.verdict}`",
            case.span("expect", "verdict"),
            (*case.path, "expect", "verdict"),
            help=did_you_mean(c.expect.verdict, names) or "verdicts: " + ", ".join(names),
        )
    for i, rid in enumerate(c.expect.deciding_rules or []):
        if rid not in rule_ids:
            path = (*case.path, "expect", "deciding_rules", i)
            yield unknown("rule", rid, case.span(*path[len(case.path) :]), path, rule_ids)
    for i, name in enumerate(c.expect.missing_facts or []):
        if name not in facts:
            path = (*case.path, "expect", "missing_facts", i)
            yield unknown("fact", name, case.span(*path[len(case.path) :]), path, facts)
