"""Benchmark `lint.lint` and `table.table` on rulesets 10× and 100× the shipped one.

    python bench/analysis_bench.py [--scales 1,10,100] [--repeat 1]

A scaled ruleset of factor k holds k copies of the shipped policy, each with its own renamed
facts (8 per copy), rules (13 per copy), claims and overrides, plus one shared enum fact
`policy` with k values that every rule of copy i tests (`policy is p<i>`): k policies over one
vocabulary, as a ruleset covering several suppliers' weapons might. The raw fact space grows
as 3600^k · k; the analysis must follow the rules' own conditions instead. The rulesets are
built directly from models (no files, quotes not re-verified).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from claimrules import load_ruleset  # noqa: E402
from claimrules.analysis import lint, table  # noqa: E402
from claimrules.load.domain import All, Any_, Condition, Fact, FactType, Not, Rule, Test  # noqa: E402
from claimrules.load.ruleset import ClaimRecord, Ruleset  # noqa: E402

SHIPPED = ROOT / "rules" / "us-weapons-inside-russia"


def _rename(cond: Condition, facts: dict[str, str]) -> Condition:
    if isinstance(cond, Test):
        return replace(cond, fact=facts[cond.fact])
    if isinstance(cond, Not):
        return Not(_rename(cond.not_, facts))
    if isinstance(cond, All):
        return All(tuple(_rename(c, facts) for c in cond.all))
    return Any_(tuple(_rename(c, facts) for c in cond.any))


def scaled(base: Ruleset, k: int) -> Ruleset:
    """k renamed copies of `base`, told apart by a shared `policy` fact."""
    facts: dict[str, Fact] = {
        "policy": Fact(
            name="policy", type=FactType.ENUM, values=tuple(f"p{i}" for i in range(k)),
            description="Which copy of the policy.", question="Which policy?",
        )
    }
    claims: dict[str, ClaimRecord] = {}
    rules: list[Rule] = []
    for i in range(k):
        names = {n: f"{n}_{i}" for n in base.facts}
        for n, f in base.facts.items():
            facts[names[n]] = replace(
                f, name=names[n], motivated_by=tuple(f"{c}-{i}" for c in f.motivated_by)
            )
        for cid, rec in base.claims.items():
            claim = replace(rec.claim, id=f"{cid}-{i}")
            claims[claim.id] = ClaimRecord(claim, rec.source, rec.reported_on, rec.start, rec.end)
        for r in base.rules:
            rules.append(replace(
                r,
                id=f"{r.id}-{i}",
                when=All((Test("policy", "is", f"p{i}"), _rename(r.when, names))),
                because=tuple(f"{c}-{i}" for c in r.because),
                overrides=tuple(f"{o}-{i}" for o in r.overrides),
                context=tuple(f"{c}-{i}" for c in r.context),
                refines=tuple(replace(x, rule=f"{x.rule}-{i}") for x in r.refines),
                unreported_terms=(
                    replace(r.unreported_terms, claim=f"{r.unreported_terms.claim}-{i}")
                    if r.unreported_terms else None
                ),
            ))
    meta = replace(base.meta, id=f"{base.id}-x{k}", facts=tuple(facts.values()))
    return Ruleset(
        meta=meta, facts=facts, sources=dict(base.sources),
        claims=dict(sorted(claims.items())), rules=tuple(sorted(rules, key=lambda r: r.id)),
        cases=(), root=f"<bench x{k}>",
    )


def _time(fn: Any, repeat: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def main() -> None:
    """Build the scaled rulesets, time lint and table, print figures and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10,100")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    base = load_ruleset(SHIPPED)
    results: dict[int, tuple[float, float]] = {}
    print(f"{'scale':>5} {'facts':>6} {'rules':>6} {'lint s':>8} {'findings':>8} {'partial':>7} "
          f"{'table s':>8} {'rows':>6} {'leaves':>7}")
    for k in (int(x) for x in args.scales.split(",")):
        rs = base if k == 1 else scaled(base, k)
        t_lint, findings = _time(lambda rs=rs: lint.lint(rs), args.repeat)
        t_table, tab = _time(lambda rs=rs: table.table(rs), args.repeat)
        partial = any(f.code == "partial-analysis" for f in findings)
        results[k] = (t_lint, t_table)
        print(f"{k:>5} {len(rs.facts):>6} {len(rs.rules):>6} {t_lint:>8.3f} {len(findings):>8} "
              f"{'yes' if partial else 'no':>7} {t_table:>8.3f} {len(tab.rows):>6} "
              f"{tab.leaves:>7}")
        rs._compiled = None  # free the compiled form before the next scale
    if 1 in results:
        for k, (tl, tt) in results.items():
            if k != 1:
                print(f"x{k}: lint {tl / results[1][0]:.1f}× the shipped time, "
                      f"table {tt / results[1][1]:.1f}×")


if __name__ == "__main__":
    main()
