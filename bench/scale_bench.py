"""Scale check (issue 13, item 8; issue 12, item 3): `check`, `eval`, `lint` and `report` on
generated rulesets of 1,000, 2,000 and 5,000 rules, each run as the installed command in a child
process (the child's own CPU time and peak RSS, from `os.wait4`), with the ratio of each size's
CPU time to the smallest size's beside the ratio of rules (linear growth: the two ratios match);
and `evaluate` on a rule with 10,000 `any` branches whose facts are missing (CPU time of this
process, `time.process_time`).

    python bench/scale_bench.py [--rules 1000,2000,5000] [--dense N] [--branches 10000]
                                [--timeout 300]

Each ruleset is written to a temporary directory (see `partitioned`): groups of 12 rules told
apart by a shared `policy` fact, each group with three facts of its own, one claim per rule,
half permits and half prohibits, some overriding another. `--dense N` adds a ruleset of N rules
over 40 shared facts (see `dense`), the worst case for whole-space analysis. Prints one line per
run; exits 1 when a command fails or runs out of time.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _claimrules() -> list[str]:
    script = Path(sys.executable).parent / "claimrules"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "claimrules"]


def _fact_yaml(name: str, values: int) -> str:
    listed = ", ".join(f"v{v}" for v in range(values))
    return (f"  - name: {name}\n    type: enum\n    values: [{listed}]\n"
            f"    description: Fact {name}.\n    question: What is {name}?\n")


def _write_ruleset(root: Path, rules: list[str], n_claims: int, facts: list[str]) -> Path:
    (root / "archive").mkdir(parents=True)
    (root / "rules").mkdir()
    (root / "claims").mkdir()
    sentences = [f"Report sentence number {i} says rule {i} holds." for i in range(n_claims)]
    archive = " ".join(sentences).encode()
    (root / "archive" / "report.txt").write_bytes(archive)
    (root / "ruleset.yaml").write_text(
        "id: scale\ntitle: A generated ruleset for the scale check\nfacts:\n" + "".join(facts),
        encoding="utf-8")
    digest = hashlib.sha256(archive).hexdigest()
    (root / "sources.yaml").write_text(
        "sources:\n  - id: report\n    title: A report\n    outlet: Wire\n    url: null\n"
        f"    published: 2024-03-01\n    archive:\n      file: archive/report.txt\n"
        f"      sha256: {digest}\n      content: full\n", encoding="utf-8")
    claims = [
        f"  - id: c{i}\n    source: report\n    quote: \"{s}\"\n    kind: provision\n"
        f"    modality: asserted\n" for i, s in enumerate(sentences)]
    # Files of 500 items each: the YAML reader caps the nodes of one document.
    for n in range(0, len(claims), 500):
        (root / "claims" / f"c{n:06d}.yaml").write_text(
            "claims:\n" + "".join(claims[n:n + 500]), encoding="utf-8")
    for n in range(0, len(rules), 500):
        (root / "rules" / f"r{n:06d}.yaml").write_text(
            "rules:\n" + "".join(rules[n:n + 500]), encoding="utf-8")
    return root


def partitioned(root: Path, n: int, group: int = 12, seed: int = 13) -> Path:
    """`n` rules in groups of `group`, as a ruleset covering many policies might hold them:
    a shared enum fact `policy` (one value per group) that every rule of a group tests, and
    three facts of the group's own (4 values each) that its rules test one or two of."""
    rng = random.Random(seed)
    groups = -(-n // group)
    facts = [_fact_yaml("policy", groups)]
    rules = []
    for g in range(groups):
        own = [f"g{g}_{x}" for x in "abc"]
        facts += [_fact_yaml(f, 4) for f in own]
        for j in range(min(group, n - g * group)):
            i = g * group + j
            picked = rng.sample(own, rng.randint(1, 2))
            tests = [f"{{fact: policy, is: v{g}}}"] + [
                f"{{fact: {f}, is: v{rng.randrange(4)}}}" for f in picked]
            effect = "permit" if i % 2 == 0 else "prohibit"
            over = f"    overrides: [r{i - 1}]\n" if j % 4 == 3 else ""
            when = ", ".join(tests)
            rules.append(f"  - id: r{i}\n    effect: {effect}\n    when: {{all: [{when}]}}\n"
                         f"    because: [c{i}]\n    note: generated.\n{over}")
    return _write_ruleset(root, rules, n, facts)


def dense(root: Path, n: int, n_facts: int = 40, seed: int = 13) -> Path:
    """`n` rules of one to three tests over `n_facts` shared enum facts of 8 values: every rule
    interacts with every other, the worst case for whole-space analysis."""
    rng = random.Random(seed)
    rules = []
    for i in range(n):
        chosen = rng.sample(range(n_facts), rng.randint(1, 3))
        tests = ", ".join(f"{{fact: f{f}, is: v{rng.randrange(8)}}}" for f in chosen)
        effect = "permit" if i % 2 == 0 else "prohibit"
        rules.append(f"  - id: r{i}\n    effect: {effect}\n    when: {{all: [{tests}]}}\n"
                     f"    because: [c{i}]\n    note: generated.\n")
    return _write_ruleset(root, rules, n, [_fact_yaml(f"f{f}", 8) for f in range(n_facts)])


def wide_any(branches: int) -> tuple[float, float, str]:
    """`evaluate` on the shipped ruleset with its first rule's condition replaced by `all` of
    a test and an `any` of `branches` tests, with the facts of the `any` missing: CPU seconds,
    peak RSS of this process in MB, and the verdict. (In the API: one YAML file cannot hold
    10,000 branches, as the reader caps a document's nodes at 50,000.)"""
    import resource
    from dataclasses import replace

    from claimrules import evaluate, load_ruleset
    from claimrules.load.domain import All, Any_, Test

    rs = load_ruleset(Path(__file__).resolve().parent.parent / "rules" / "us-weapons-inside-russia")
    parts = tuple(Test("weapon_class", "is", "atacms") if i % 2 else Test("area", "is", "moscow")
                  for i in range(branches))
    first = replace(rs.rules[0], when=All((Test("actor", "is", "ukraine"), Any_(parts))))
    rs.rules = (first, *rs.rules[1:])
    started = time.process_time()
    decision = evaluate(rs, {"actor": "ukraine"})
    seconds = time.process_time() - started
    return seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, decision.verdict


def measure(argv: list[str], timeout: float) -> tuple[int, float, float, int, bytes]:
    """Exit code, CPU seconds (user + system) and peak RSS in MB of one child, the size of its
    output in bytes, and its stderr. `timeout` is wall seconds, a guard against a runaway."""
    env = {**os.environ, "CLAIMRULES_NO_CACHE": "1"}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                os.kill(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        size = out.seek(0, os.SEEK_END)
        err.seek(0)
        return (os.waitstatus_to_exitcode(status), usage.ru_utime + usage.ru_stime,
                usage.ru_maxrss / 1024, size, err.read())


def main() -> int:
    """Build the rulesets, run the commands, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rules", default="1000,2000,5000", help="sizes, comma-separated")
    parser.add_argument("--dense", type=int, default=0, help="also a dense ruleset of N rules")
    parser.add_argument("--branches", type=int, default=10000)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--only", default="check,eval,lint,report",
                        help="commands to run, comma-separated")
    args = parser.parse_args()
    sizes = [int(x) for x in args.rules.split(",")]
    only = args.only.split(",")
    cr = _claimrules()
    failed = False
    seconds, rss, verdict = wide_any(args.branches)
    print(f"{'evaluate (any of ' + str(args.branches) + ', facts missing)':<34} {verdict:>8}  "
          f"cpu {seconds:7.3f} s  peak RSS {rss:6.0f} MB", flush=True)
    base: dict[str, tuple[int, float]] = {}
    with tempfile.TemporaryDirectory(prefix="claimrules-scale-") as tmp:
        sets = [(f"{n} rules", n, Path(tmp) / f"p{n}", partitioned) for n in sizes]
        if args.dense:
            sets.append((f"dense, {args.dense} rules", args.dense, Path(tmp) / "dense", dense))
        for label, n, root, make in sets:
            make(root, n)
            fact = "policy=v0" if make is partitioned else "f0=v0"
            commands = {
                "check": ([*cr, "check", str(root)], (0,)),
                "eval": ([*cr, "eval", str(root), "--fact", fact, "--format", "json"], (0,)),
                "lint": ([*cr, "lint", str(root), "--format", "json"], (0, 1)),
                "report": ([*cr, "report", str(root)], (0,)),
            }
            for name in only:
                argv, ok = commands[name]
                code, cpu, rss, size, err = measure(argv, args.timeout)
                good = code in ok
                failed |= not good
                ratio = ""
                if make is partitioned:
                    first = base.setdefault(name, (n, cpu))
                    ratio = (f"  ×{cpu / first[1]:5.2f} cpu for ×{n / first[0]:4.1f} rules"
                             if first[1] > 0 else "")
                print(f"{name + ' (' + label + ')':<34} exit {code:>3}  cpu {cpu:7.2f} s  "
                      f"peak RSS {rss:6.0f} MB  output {size / 1e6:7.2f} MB{ratio}"
                      + ("" if good else f"  FAILED: {err.decode(errors='replace')[-300:]}"),
                      flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
