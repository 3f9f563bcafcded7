"""Meaning checks over validated models: references, duplicates, quotes, cycles.

Each check is a small generator that yields diagnostics; the loader collects them all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from claimrules.diagnostics import DataPath, Diagnostic, Severity, Span, did_you_mean
from claimrules.engine.constraints import violated
from claimrules.load import mismatch
from claimrules.load.domain import (
    Claim,
    ClaimKind,
    Constraint,
    Fact,
    FactType,
    Modality,
    grounds,
    parse_iso_date,
)
from claimrules.load.model import Rule, Source
from claimrules.load.quotes import Archive
from claimrules.load.scenario import ScenarioError, coerce_facts

if TYPE_CHECKING:
    from claimrules.load.located import Located
    from claimrules.load.ruleset import ClaimRecord

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
    for i, ref in enumerate(r.refines):
        path = (*rule.path, "refines", i, "rule")
        if ref.rule == r.id:
            yield Diagnostic(
                "override-self", f"rule `{r.id}` refines itself", rule.span("refines", i), path
            )
        elif ref.rule not in rule_ids:
            yield unknown("rule", ref.rule, rule.span("refines", i, "rule"), path, rule_ids)
    refs: list[tuple[str, tuple[str | int, ...]]] = [
        (cid, ("context", i)) for i, cid in enumerate(r.context)
    ]
    if r.unreported_terms is not None:
        refs.append((r.unreported_terms.claim, ("unreported_terms", "claim")))
    if r.effective is not None:
        refs.extend((cid, ("effective", "claims", i)) for i, cid in enumerate(r.effective.claims))
    if not isinstance(r.note, str):
        refs.extend(
            (cid, ("note", i, "claims", j))
            for i, part in enumerate(r.note)
            for j, cid in enumerate(part.claims)
        )
    for cid, sub in refs:
        if cid not in claim_ids:
            yield unknown("claim", cid, rule.span(*sub), (*rule.path, *sub), claim_ids)
    raw = rule.doc.data
    for part in rule.path:
        raw = raw[part]  # type: ignore[index]
    trees: list[tuple[Any, DataPath]] = [(raw["when"], ("when",))]  # type: ignore[index]
    terms = raw.get("unreported_terms") if isinstance(raw, dict) else None
    if isinstance(terms, dict) and terms.get("within") is not None:
        trees.append((terms["within"], ("unreported_terms", "within")))
    for tree, base in trees:
        for node, sub in _conditions(tree, base):
            name = node["fact"]
            fact = facts.get(name)
            if fact is None:
                yield unknown(
                    "fact", name, rule.span(*sub, "fact"), rule.path + sub + ("fact",), facts
                )
                continue
            op = next(k for k in ("is", "in", "lt", "le", "gt", "ge") if k in node)
            problem = _check_operand(fact, op, node[op])
            if problem:
                yield Diagnostic(
                    "bad-operand", problem, rule.span(*sub, op), rule.path + sub + (op,)
                )
    eff = r.effective
    if eff and isinstance(eff.from_, date) and isinstance(eff.until, date) and (
        eff.from_ > eff.until
    ):
        yield Diagnostic(
                "bad-period",
                f"rule `{r.id}` ends ({eff.until}) before it starts ({eff.from_})",
                rule.span("effective"),
                (*rule.path, "effective"),
            )


def rule_grounds(rule: Located, claims: Mapping[str, ClaimRecord]) -> Iterator[Diagnostic]:
    """A rule rests on at least one claim that can ground a provision (a provision neither
    forecast nor speculative); weaker claims in `because` are flagged, as is a derived start
    date taken from a hedged claim."""
    r: Rule = rule.model
    known = [(i, claims[cid]) for i, cid in enumerate(r.because) if cid in claims]
    if not known:
        return
    strong = [(i, rec) for i, rec in known if grounds(rec.claim)]
    if not strong:
        yield Diagnostic(
            "no-ground",
            f"rule `{r.id}` rests only on claims that cannot ground a provision "
            f"({', '.join(sorted({_weakness(rec.claim) for _, rec in known}))})",
            rule.span("because"),
            (*rule.path, "because"),
            help="a forecast, a speculation, an event, a denial or a refusal to comment is "
            "never the ground of a provision: cite a provision claim, or list these under "
            "`context`",
        )
        return
    for i, rec in known:
        if not grounds(rec.claim):
            yield Diagnostic(
                "weak-ground",
                f"claim `{rec.id}` ({_weakness(rec.claim)}) in `because` of rule `{r.id}` "
                "can never ground it",
                rule.span("because", i),
                (*rule.path, "because", i),
                severity=Severity.WARNING,
                help="list it under `context`: it is shown beside the rule, never counted as "
                "its ground or used for its dates",
            )
    if r.effective is None:
        from claimrules.engine.compile import rule_period  # noqa: PLC0415 - the engine's own reading

        derived = rule_period(r.to_domain(), claims).derived_from
        found = next(((i, rec) for i, rec in strong if rec.id == derived), None)
        if found is not None and found[1].claim.modality is Modality.HEDGED:
            i, rec = found
            yield Diagnostic(
                "hedged-date",
                f"rule `{r.id}` takes its start date ({rec.latest}) from a hedged claim "
                f"(`{rec.id}`)",
                rule.span("because", i),
                (*rule.path, "because", i),
                severity=Severity.WARNING,
                help="state the period under `effective` with its basis, or cite a firmer claim",
            )


def _weakness(claim: Claim) -> str:
    if claim.kind is not ClaimKind.PROVISION:
        return f"a {str(claim.kind).replace('_', ' ')}"
    return "speculative"


def source_bounds(
    source: Located, claims: Mapping[str, ClaimRecord], claim_ids: set[str]
) -> Iterator[Diagnostic]:
    """An undated source's bounds cite dated claims that exist (a claim that failed to load,
    `claim_ids` but not `claims`, is the subject of its own error)."""
    s: Source = source.model
    for end in ("not_before", "not_after"):
        bound = getattr(s, end)
        if bound is None or bound.claim is None:
            continue
        path = (*source.path, end, "claim")
        rec = claims.get(bound.claim)
        if rec is None:
            if bound.claim not in claim_ids:
                yield unknown("claim", bound.claim, source.span(end, "claim"), path, claim_ids)
        elif rec.reported_on is None:
            yield Diagnostic(
                "undated-basis",
                f"the `{end}` bound of source `{s.id}` rests on claim `{bound.claim}`, "
                "which has no date",
                source.span(end, "claim"),
                path,
                help="a bound rests on a dated claim, or says in `basis` how it was read",
            )


def disagreement_references(meta: Located, rule_ids: set[str]) -> Iterator[Diagnostic]:
    """Acknowledged disagreements name existing rules."""
    for i, d in enumerate(meta.model.disagreements):
        for j, rid in enumerate(d.rules):
            if rid not in rule_ids:
                path = ("disagreements", i, "rules", j)
                yield unknown("rule", rid, meta.span(*path), path, rule_ids)


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


def graph_cycles(graph: Mapping[str, Sequence[str]]) -> list[tuple[str, ...]]:
    """Cycles of a directed graph, each once (by its set of nodes), in the order a depth-first
    search from each node in sorted order meets them, children in the order given. A cycle
    runs from the node it re-entered along the search's path (a node listing itself is a
    cycle of one); edges to nodes outside the graph are ignored. Iterative: no recursion
    limit, whatever the depth."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    found: list[tuple[str, ...]] = []
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
                cycle = tuple(trail[trail.index(child) :])
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    found.append(cycle)
            elif not state.get(child):
                state[child] = 1
                trail.append(child)
                stack.append((child, iter(graph[child])))
    return found


def override_cycles(rules: list[Located]) -> Iterator[Diagnostic]:
    """Overrides must form no cycle (an exception cannot be its own base)."""
    graph = {
        r.model.id: [
            o for o in (*r.model.overrides, *(x.rule for x in r.model.refines)) if o != r.model.id
        ]
        for r in rules
    }
    where = {r.model.id: r for r in rules}
    for cycle in graph_cycles(graph):
        loc = where[min(cycle)]
        chain = " → ".join([*cycle, cycle[0]])
        yield Diagnostic(
            "override-cycle",
            f"overrides form a cycle: {chain}",
            loc.span("overrides"),
            (*loc.path, "overrides"),
        )


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
    from claimrules.engine.decision import Verdict  # noqa: PLC0415

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
