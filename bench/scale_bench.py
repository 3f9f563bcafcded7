"""Scale check (issue 13, item 8): `lint` and `report` on a ruleset of 5,000 rules, and `eval`
on one rule with 10,000 `any` branches whose fact is missing, each run as the installed
command in a child process: wall time and the child's own peak RSS (from `os.wait4`).

    python bench/scale_bench.py [--rules 5000] [--branches 10000] [--timeout 300]

The 5,000-rule ruleset is written to a temporary directory: 40 enum facts of 8 values, one
claim per rule (each its own sentence of one archived text), and rules of one to three tests
chosen by a seeded generator, half permits and half prohibits, every tenth overriding an
earlier rule. Prints one line per command; exits 1 when a command fails or runs out of time.
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

FACTS = 40
VALUES = 8


def _claimrules() -> list[str]:
    script = Path(sys.executable).parent / "claimrules"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "claimrules"]


def _write_ruleset(root: Path, rules: list[str], n_claims: int, facts: int = FACTS) -> None:
    (root / "archive").mkdir(parents=True)
    (root / "rules").mkdir()
    (root / "claims").mkdir()
    sentences = [f"Report sentence number {i} says rule {i} holds." for i in range(n_claims)]
    archive = " ".join(sentences).encode()
    (root / "archive" / "report.txt").write_bytes(archive)
    fact_lines = []
    for f in range(facts):
        values = ", ".join(f"v{v}" for v in range(VALUES))
        fact_lines.append(
            f"  - name: f{f}\n    type: enum\n    values: [{values}]\n"
            f"    description: Fact {f}.\n    question: What is f{f}?\n"
        )
    (root / "ruleset.yaml").write_text(
        "id: scale\ntitle: A generated ruleset for the scale check\nfacts:\n"
        + "".join(fact_lines), encoding="utf-8")
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


def many_rules(root: Path, n: int, seed: int = 13) -> None:
    """`n` rules of one to three tests over `FACTS` enum facts."""
    rng = random.Random(seed)
    rules = []
    for i in range(n):
        facts = rng.sample(range(FACTS), rng.randint(1, 3))
        tests = ", ".join(f"{{fact: f{f}, is: v{rng.randrange(VALUES)}}}" for f in facts)
        effect = "permit" if i % 2 == 0 else "prohibit"
        over = f"    overrides: [r{i - 1}]\n" if i % 10 == 9 else ""
        rules.append(f"  - id: r{i}\n    effect: {effect}\n    when: {{all: [{tests}]}}\n"
                     f"    because: [c{i}]\n    note: generated.\n{over}")
    _write_ruleset(root, rules, n)


def wide_any(root: Path, branches: int) -> None:
    """One rule: permit when any of `branches` tests on the number fact `n` holds."""
    tests = "".join(f"        - {{fact: n, is: {i}}}\n" for i in range(branches))
    rule = (f"  - id: wide\n    effect: permit\n    when:\n      any:\n{tests}"
            "    because: [c0]\n    note: generated.\n")
    _write_ruleset(root, [rule], 1, facts=0)
    meta = (root / "ruleset.yaml").read_text(encoding="utf-8").rstrip()
    meta = meta.removesuffix("facts:") + (
        "facts:\n  - name: n\n    type: number\n    description: A number.\n"
        "    question: Which number?\n  - name: other\n    type: bool\n"
        "    description: Another fact.\n    question: Is it so?\n")
    (root / "ruleset.yaml").write_text(meta, encoding="utf-8")


def measure(argv: list[str], timeout: float) -> tuple[int, float, float, bytes]:
    """Exit code, seconds, peak RSS in MB and stderr of one child."""
    env = {**os.environ, "CLAIMRULES_NO_CACHE": "1"}
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, env=env)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                os.kill(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        seconds = time.perf_counter() - started
        err.seek(0)
        return os.waitstatus_to_exitcode(status), seconds, usage.ru_maxrss / 1024, err.read()


def main() -> int:
    """Build the rulesets, run the commands, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rules", type=int, default=5000)
    parser.add_argument("--branches", type=int, default=10000)
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()
    cr = _claimrules()
    failed = False
    with tempfile.TemporaryDirectory(prefix="claimrules-scale-") as tmp:
        big, wide = Path(tmp) / "big", Path(tmp) / "wide"
        many_rules(big, args.rules)
        wide_any(wide, args.branches)
        runs = [
            (f"check ({args.rules} rules)", [*cr, "check", str(big)], (0,)),
            (f"lint ({args.rules} rules)", [*cr, "lint", str(big), "--format", "json"], (0, 1)),
            (f"report ({args.rules} rules)", [*cr, "report", str(big)], (0,)),
            (f"report --format html ({args.rules} rules)",
             [*cr, "report", str(big), "--format", "html"], (0,)),
            (f"eval (any of {args.branches}, fact missing)",
             [*cr, "eval", str(wide), "--fact", "other=true"], (0,)),
            (f"lint (any of {args.branches})", [*cr, "lint", str(wide)], (0, 1)),
        ]
        for label, argv, ok in runs:
            code, seconds, rss, err = measure(argv, args.timeout)
            good = code in ok
            failed |= not good
            print(f"{label:<45} exit {code:>3}  {seconds:7.2f} s  peak RSS {rss:6.0f} MB"
                  + ("" if good else f"  FAILED: {err.decode(errors='replace')[-300:]}"),
                  flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
