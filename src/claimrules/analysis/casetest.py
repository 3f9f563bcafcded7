"""The case runner behind `claimrules test`: run cases, compare with what they expect, measure
coverage of rules and provision claims.

A case passes when the decision's verdict equals the expected verdict, the expected deciding
rules are a *subset* of the decision's (as Cedar's `reason`), and — when given — the expected
missing facts equal the decision's missing facts as a set.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from claimrules.diagnostics import LoadError, Span
from claimrules.engine.decision import Decision, RuleStatus
from claimrules.engine.evaluator import evaluate
from claimrules.load import checks
from claimrules.load.domain import Case, ClaimKind
from claimrules.load.loader import Collector, read_doc, read_items
from claimrules.load.model import Case as CaseModel
from claimrules.load.ruleset import Ruleset
from claimrules.load.scenario import coerce_facts

#: Where each case read by `load_case_file` is defined, by object identity, so the span
#: survives callers flattening several files into one list. Entries leave with their case.
_ORIGINS: dict[int, Span] = {}


def _remember(case: Case, span: Span) -> None:
    key = id(case)
    _ORIGINS[key] = span
    weakref.finalize(case, _ORIGINS.pop, key, None)


def case_span(case: Case) -> Span | None:
    """Where a case read by `load_case_file` is defined (None for other cases)."""
    return _ORIGINS.get(id(case))


class CaseFile(list[Case]):
    """The cases of one file, in file order, with where each is defined (`spans[case.id]`)."""

    def __init__(self, cases: Iterable[Case] = (), spans: Mapping[str, Span] | None = None):
        super().__init__(cases)
        self.spans: dict[str, Span] = dict(spans or {})


def load_case_file(path: str | os.PathLike[str], ruleset: Ruleset) -> CaseFile:
    """Read a `cases:` YAML file and check it against the ruleset (facts, sources, rules,
    verdicts, duplicate ids); raise LoadError with every problem found.

    The result is a list of cases that also carries each case's span (`.spans`); each case's
    span is also remembered (`case_span`), so `run_cases` reports file:line for cases from
    several files flattened into one list.
    """
    display = os.fspath(path)
    col = Collector()
    doc = read_doc(Path(path), display, col)
    located = read_items(doc, "cases", CaseModel, col) if doc is not None else []
    col.add(checks.duplicates("case", [(c.model.id, c.span(), c.path) for c in located]))
    rule_ids = {r.id for r in ruleset.rules}
    for c in located:
        col.add(checks.case_references(c, ruleset.facts, set(ruleset.sources), rule_ids))
    if any(d.severity == "error" for d in col.diagnostics):
        raise LoadError(col.diagnostics)
    cases = [c.model.to_domain() for c in located]
    for case, c in zip(cases, located, strict=True):
        _remember(case, c.span())
    return CaseFile(cases, {c.model.id: c.span() for c in located})


@dataclass(frozen=True)
class Mismatch:
    """One expectation a case did not meet: `field` is verdict, deciding_rules or
    missing_facts; for deciding_rules, `expected` lists the expected rules the decision
    lacks."""

    field: str
    expected: tuple[str, ...]
    got: tuple[str, ...]


@dataclass(frozen=True)
class CaseResult:
    """A case, the decision it got, and what did not match."""

    case: Case
    decision: Decision
    mismatches: tuple[Mismatch, ...]
    span: Span

    @property
    def passed(self) -> bool:
        """True when every expectation was met."""
        return not self.mismatches


@dataclass(frozen=True)
class Coverage:
    """Which rules and provision claims the cases exercised.

    - A rule is *exercised* when, in some case's decision, it is a deciding rule or its status
      is `applies` or `overridden`.
    - A provision claim is *covered* when an exercised rule cites it in that case's decision
      (the claims a rule cites there are those left by the case's `known_by` and `sources`).
    - `percent` = 100 × (exercised rules + covered provision claims) / (rules + provision
      claims cited by some rule); 100 when there is nothing to cover. Provision claims no rule
      cites are left out of the denominator (`claimrules lint` reports them).
    """

    rules: tuple[str, ...]
    exercised_rules: tuple[str, ...]
    claims: tuple[str, ...]  # provision claims cited by some rule
    covered_claims: tuple[str, ...]

    @property
    def covered(self) -> int:
        """Exercised rules plus covered provision claims."""
        return len(self.exercised_rules) + len(self.covered_claims)

    @property
    def total(self) -> int:
        """Rules plus provision claims cited by some rule."""
        return len(self.rules) + len(self.claims)

    @property
    def percent(self) -> float:
        """Coverage in percent (100 when there is nothing to cover)."""
        return 100.0 if self.total == 0 else 100.0 * self.covered / self.total

    @property
    def unexercised_rules(self) -> tuple[str, ...]:
        """Rules no case exercised."""
        done = set(self.exercised_rules)
        return tuple(r for r in self.rules if r not in done)

    @property
    def uncovered_claims(self) -> tuple[str, ...]:
        """Provision claims cited by some rule but covered by no case."""
        done = set(self.covered_claims)
        return tuple(c for c in self.claims if c not in done)


@dataclass(frozen=True)
class CaseReport:
    """Every case's result, and coverage."""

    ruleset: str
    results: tuple[CaseResult, ...]
    coverage: Coverage

    @property
    def passed(self) -> int:
        """How many cases passed."""
        return sum(r.passed for r in self.results)

    @property
    def failed(self) -> int:
        """How many cases failed."""
        return len(self.results) - self.passed

    @property
    def coverage_percent(self) -> float:
        """Coverage in percent (see `Coverage`)."""
        return self.coverage.percent

    def ok(self, fail_under: float | None = None) -> bool:
        """True when every case passed and coverage is at least `fail_under` percent."""
        return self.failed == 0 and (fail_under is None or self.coverage.percent >= fail_under)


def run_case(ruleset: Ruleset, case: Case, span: Span | None = None) -> CaseResult:
    """Evaluate one case and compare the decision with what it expects."""
    typed = coerce_facts(ruleset.facts, case.facts)
    sources = tuple(sorted(set(case.sources))) if case.sources is not None else None
    speakers = tuple(sorted(set(case.speakers))) if case.speakers is not None else None
    decision = evaluate(ruleset, typed, as_of=case.as_of, known_by=case.known_by,
                        sources=sources, speakers=speakers)
    want = case.expect
    mismatches: list[Mismatch] = []
    if decision.verdict != want.verdict:
        mismatches.append(Mismatch("verdict", (want.verdict,), (str(decision.verdict),)))
    if want.deciding_rules is not None:
        lacking = tuple(r for r in want.deciding_rules if r not in decision.deciding_rules)
        if lacking:
            mismatches.append(Mismatch("deciding_rules", lacking, decision.deciding_rules))
    if want.missing_facts is not None and set(want.missing_facts) != set(decision.missing_facts):
        mismatches.append(
            Mismatch("missing_facts", tuple(sorted(want.missing_facts)),
                     tuple(sorted(decision.missing_facts)))
        )
    if want.support is not None and want.support != decision.support.strength:
        mismatches.append(
            Mismatch("support", (want.support,), (str(decision.support.strength),))
        )
    return CaseResult(case, decision, tuple(mismatches), span or ruleset.span("case", case.id))


def run_cases(
    ruleset: Ruleset,
    cases: Sequence[Case] | None = None,
    *,
    spans: Mapping[str, Span] | None = None,
) -> CaseReport:
    """Run the ruleset's own cases (or `cases`, e.g. from `load_case_file`), with coverage.

    `spans` maps case ids to where they are defined; by default each case's span comes from
    the file `load_case_file` read it from, else from the ruleset.

    CLI: `claimrules test RULESET [CASES.yaml ...] [--fail-under PERCENT]
    [--format text|json|markdown|github]`; exit 1 unless `report.ok(fail_under)`. With case
    files, load each with `load_case_file(path, ruleset)` and pass all their cases.
    """
    chosen: Sequence[Case] = ruleset.cases if cases is None else cases
    where: dict[str, Span] = dict(getattr(cases, "spans", {}) or {})
    where.update(spans or {})
    results = tuple(run_case(ruleset, c, where.get(c.id) or case_span(c)) for c in chosen)
    return CaseReport(ruleset.id, results, coverage(ruleset, [r.decision for r in results]))


_EXERCISED = (RuleStatus.APPLIES, RuleStatus.OVERRIDDEN)


def coverage(ruleset: Ruleset, decisions: Iterable[Decision]) -> Coverage:
    """Rules exercised and provision claims covered by these decisions (see `Coverage`)."""
    provisions = {
        c for r in ruleset.rules for c in r.because
        if ruleset.claims[c].claim.kind is ClaimKind.PROVISION
    }
    exercised: set[str] = set()
    covered: set[str] = set()
    for d in decisions:
        # A rule whose open period or unreported terms decide that the answer is open is
        # exercised too: that is what it is for.
        deciding = set(d.deciding_rules) | {q.rule for q in d.unknowns}
        for o in d.rules:
            if o.rule in deciding or o.status in _EXERCISED:
                exercised.add(o.rule)
                covered.update(c.id for c in o.claims if c.id in provisions)
        exercised.update(deciding)
    rules = tuple(r.id for r in ruleset.rules)
    return Coverage(
        rules=rules,
        exercised_rules=tuple(r for r in rules if r in exercised),
        claims=tuple(sorted(provisions)),
        covered_claims=tuple(sorted(covered)),
    )


__all__ = [
    "CaseFile",
    "CaseReport",
    "CaseResult",
    "Coverage",
    "Mismatch",
    "case_span",
    "coverage",
    "load_case_file",
    "run_case",
    "run_cases",
]
