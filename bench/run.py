"""Benchmark: claimrules side by side with the hand-written limit and with peer engines.

    python bench/run.py [--quick] [--out FILE]

Sections (see bench/README.md): the shipped ruleset (limit, claimrules verdict-only and full
decisions, zen-engine, cedarpy, rule-engine), generated rulesets of 10 to 10,000 rules, load +
check of a generated ruleset of 10,000 claims against a plain YAML parse, and a one-shot
`claimrules eval` process against the bare import of its stack. Every decision is cross-checked
against the limit before anything is timed; peers are checked against claimrules on every
scenario they can express. Prints ratios (medians of several interleaved runs) and writes a
JSON result file under bench/results/.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import importlib.util
import itertools
import json
import math
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from claimrules import Ruleset, evaluate_many, load_ruleset
from claimrules.load.domain import All, Condition, Not, Test

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "rules" / "us-weapons-inside-russia"
RESULTS = ROOT / "bench" / "results"

VERDICTS = ("permitted", "prohibited", "contested", "indeterminate", "not_addressed")

# --- timing -----------------------------------------------------------------------------------


@dataclass
class Contender:
    """One thing to time: `run` makes `count` decisions (or loads, or processes); `setup`, if
    any, runs untimed before each timed run (a fresh ruleset for cold runs, say)."""

    name: str
    run: Callable[[], object]
    count: int
    setup: Callable[[], None] | None = None


def measure(contenders: list[Contender], reps: int) -> dict[str, dict[str, Any]]:
    """Time every contender `reps` times, round-robin, so that noise from other processes
    falls on all of them alike. Per contender: the median rate (count per second), the
    median seconds per run, and every run's seconds."""
    runs: dict[str, list[float]] = {c.name: [] for c in contenders}
    for _ in range(reps):
        for c in contenders:
            if c.setup is not None:
                c.setup()
            gc.collect()
            start = time.perf_counter()
            c.run()
            runs[c.name].append(time.perf_counter() - start)
    out = {}
    for c in contenders:
        seconds = statistics.median(runs[c.name])
        out[c.name] = {
            "per_second": c.count / seconds,
            "seconds": seconds,
            "count": c.count,
            "runs": [round(s, 6) for s in runs[c.name]],
        }
    return out


def drain(items: Iterable[object]) -> None:
    """Consume an iterable, keeping nothing: every contender is driven the same way, as a batch
    that streams its answers out (keeping every Decision alive would time the garbage
    collector's walks over them, not the engine)."""
    deque(items, maxlen=0)


def ratio(a: float, b: float) -> float:
    """a / b, or NaN when b is zero."""
    return a / b if b else float("nan")


# --- peers: the same policy encoded for zen-engine, cedarpy and rule-engine ------------------


class Unsupported(Exception):
    """A condition a peer's language cannot express here (e.g. dates)."""


def _overriders(rs: Ruleset) -> dict[str, list[Condition]]:
    out: dict[str, list[Condition]] = {r.id: [] for r in rs.rules}
    for r in rs.rules:
        for o in r.overrides:
            out[o].append(r.when)
    return out


def _kinds(rs: Ruleset) -> dict[str, str]:
    return {name: str(f.type) for name, f in rs.facts.items()}


def _literal(value: object, style: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        if style == "cedar" and not isinstance(value, int):
            raise Unsupported("cedar compares integers only")
        return repr(value)
    if style == "cedar":
        return json.dumps(value)
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def expression(cond: Condition, style: str, kinds: Mapping[str, str]) -> str:
    """A condition in a peer's expression language: `zen`, `cedar` or `rule_engine`."""
    if isinstance(cond, Test):
        if kinds[cond.fact] == "date":
            raise Unsupported("date facts")
        name = f"context.{cond.fact}" if style == "cedar" else cond.fact
        op, arg = cond.operator, cond.operand
        if op == "in":
            items = ", ".join(_literal(v, style) for v in arg)
            return f"[{items}].contains({name})" if style == "cedar" else f"{name} in [{items}]"
        symbol = {"is": "==", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}[op]
        return f"{name} {symbol} {_literal(arg, style)}"
    if isinstance(cond, Not):
        inner = expression(cond.not_, style, kinds)
        return f"!({inner})" if style == "cedar" else f"not ({inner})"
    parts = [expression(c, style, kinds) for c in (cond.all if isinstance(cond, All) else cond.any)]
    joiner = {("cedar", True): " && ", ("cedar", False): " || "}.get(
        (style, isinstance(cond, All)), " and " if isinstance(cond, All) else " or "
    )
    return "(" + joiner.join(f"({p})" for p in parts) + ")"


def _standing(rs: Ruleset, style: str) -> tuple[list[str], list[str]]:
    """Expressions of 'this rule stands' (applies, and nothing applicable overrides it), for
    permits and for prohibits."""
    kinds = _kinds(rs)
    over = _overriders(rs)
    permits, prohibits = [], []
    for r in rs.rules:
        expr = expression(r.when, style, kinds)
        if over[r.id]:
            beaten = " or ".join(f"({expression(c, style, kinds)})" for c in over[r.id])
            expr = f"({expr}) and not ({beaten})"
        (permits if r.effect == "permit" else prohibits).append(f"({expr})")
    return permits, prohibits


def zen_content(rs: Ruleset) -> str:
    """A JDM graph: one expression node computing `p` (some permit stands), `q` (some
    prohibit stands) and the verdict from them."""
    permits, prohibits = _standing(rs, "zen")
    p = " or ".join(permits) or "false"
    q = " or ".join(prohibits) or "false"
    verdict = (
        "$.p and $.q ? 'contested' : ($.p ? 'permitted' : ($.q ? 'prohibited' : 'not_addressed'))"
    )
    node = {"expressions": [
        {"id": "p", "key": "p", "value": p},
        {"id": "q", "key": "q", "value": q},
        {"id": "v", "key": "verdict", "value": verdict},
    ], "passThrough": False, "inputField": None, "outputPath": None, "executionMode": "single"}
    where = {"x": 0, "y": 0}
    return json.dumps({
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "Request", "position": where,
             "content": {"schema": ""}},
            {"id": "policy", "type": "expressionNode", "name": "policy", "position": where,
             "content": node},
            {"id": "out", "type": "outputNode", "name": "Response", "position": where,
             "content": {"schema": ""}},
        ],
        "edges": [
            {"id": "e1", "sourceId": "in", "targetId": "policy", "type": "edge"},
            {"id": "e2", "sourceId": "policy", "targetId": "out", "type": "edge"},
        ],
    })


def cedar_policies(rs: Ruleset) -> str:
    """One Cedar policy per rule; an exception's base rule gets `unless { exception }`."""
    kinds = _kinds(rs)
    over = _overriders(rs)
    out = []
    for r in rs.rules:
        effect = "permit" if r.effect == "permit" else "forbid"
        condition = expression(r.when, "cedar", kinds)
        text = f"{effect}(principal, action, resource) when {{ {condition} }}"
        if over[r.id]:
            beaten = " || ".join(f"({expression(c, 'cedar', kinds)})" for c in over[r.id])
            text += f" unless {{ {beaten} }}"
        out.append(text + ";")
    return "\n".join(out)


def cedar_class(verdict: str) -> str:
    """What Cedar can say of a verdict: Allow, Deny by a forbid policy, or Deny by default.
    (`contested` and `prohibited` are both a Deny by forbid: Cedar's forbid always wins.)"""
    return {"permitted": "allow", "not_addressed": "deny-default"}.get(verdict, "deny-by-forbid")


@dataclass
class Peer:
    """A peer engine ready to decide one scenario (`one`) or a batch (`many`)."""

    name: str
    one: Callable[[dict[str, Any]], str]
    many: Callable[[list[dict[str, Any]]], list[str]] | None
    project: Callable[[str], str]  # claimrules verdict → what this peer can express
    version: str


def _version(dist: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


def _same(verdict: str) -> str:
    return verdict


def _zen_peer(rs: Ruleset) -> Peer:
    import zen

    content = zen_content(rs)
    engine = zen.ZenEngine({"loader": {"type": "static",
                                       "content": {"policy": json.loads(content)}}})
    decision = engine.create_decision(content)

    def one(f: dict[str, Any]) -> str:
        return str(decision.evaluate(f)["result"]["verdict"])

    def many(fs: list[dict[str, Any]]) -> list[str]:
        results = engine.evaluate_batch([{"key": "policy", "context": f} for f in fs])
        return [str(r["data"]["result"]["verdict"]) for r in results]

    return Peer("zen-engine", one, many, _same, _version("zen-engine"))


def _cedar_peer(rs: Ruleset) -> Peer:
    import cedarpy

    policies = cedarpy.PolicySet.from_str(cedar_policies(rs))
    entities = cedarpy.Entities.from_json_str("[]")

    def request(f: dict[str, Any]) -> dict[str, Any]:
        return {"principal": 'User::"analyst"', "action": 'Action::"strike"',
                "resource": 'Target::"case"', "context": f}

    def answer(result: Any) -> str:
        if result.allowed:
            return "allow"
        return "deny-by-forbid" if result.diagnostics.reasons else "deny-default"

    def one(f: dict[str, Any]) -> str:
        return answer(cedarpy.is_authorized(request(f), policies, entities))

    def many(fs: list[dict[str, Any]]) -> list[str]:
        return [answer(r) for r in cedarpy.is_authorized_batch(
            [request(f) for f in fs], policies, entities)]

    return Peer("cedarpy", one, many, cedar_class, _version("cedarpy"))


def _rule_engine_peer(rs: Ruleset) -> Peer:
    import rule_engine

    permits, prohibits = _standing(rs, "rule_engine")
    p = rule_engine.Rule(" or ".join(permits) or "false")
    q = rule_engine.Rule(" or ".join(prohibits) or "false")

    def one(f: dict[str, Any]) -> str:
        permit, prohibit = p.matches(f), q.matches(f)
        if permit:
            return "contested" if prohibit else "permitted"
        return "prohibited" if prohibit else "not_addressed"

    return Peer("rule-engine", one, None, _same, _version("rule-engine"))


def peers(rs: Ruleset) -> tuple[list[Peer], dict[str, str]]:
    """Every installed peer that can express this ruleset; and why the others are absent."""
    found: list[Peer] = []
    absent: dict[str, str] = {}
    for name, make in (("zen-engine", _zen_peer), ("cedarpy", _cedar_peer),
                       ("rule-engine", _rule_engine_peer)):
        try:
            found.append(make(rs))
        except ImportError:
            absent[name] = f"not installed (pip install {name})"
        except Unsupported as exc:
            absent[name] = f"cannot express this ruleset: {exc}"
    return found, absent


def peer_contenders(
    found: list[Peer], scenarios: list[dict[str, Any]], expected: list[str], slow_count: int
) -> tuple[list[Contender], dict[str, Any]]:
    """Check each peer against claimrules on every scenario, then time the ones that agree:
    single decisions in a Python loop and, where the peer has one, its batch call."""
    contenders: list[Contender] = []
    report: dict[str, Any] = {}
    for peer in found:
        want = [peer.project(v) for v in expected]
        got = peer.many(scenarios) if peer.many else [peer.one(f) for f in scenarios]
        bad = [i for i, (a, b) in enumerate(zip(got, want, strict=True)) if a != b]
        report[peer.name] = {"version": peer.version, "checked": len(scenarios),
                             "disagreements": len(bad)}
        if bad:
            i = bad[0]
            report[peer.name]["first_disagreement"] = {
                "facts": scenarios[i], "peer": got[i], "claimrules": want[i]}
            continue
        sample = scenarios[:slow_count]
        one = peer.one
        contenders.append(Contender(
            f"{peer.name} (single)", lambda s=sample, o=one: drain(map(o, s)), len(sample)))
        if peer.many:
            contenders.append(Contender(
                f"{peer.name} (batch)", lambda m=peer.many: drain(m(scenarios)), len(scenarios)))
    return contenders, report


def best_peer(timings: dict[str, dict[str, Any]], name: str) -> tuple[str | None, float]:
    """The faster of a peer's single and batch throughput (the kinder comparison for it)."""
    rows = [(k, v["per_second"]) for k, v in timings.items() if k.startswith(name + " (")]
    if not rows:
        return None, 0.0
    return max(rows, key=lambda kv: kv[1])


# --- the shipped ruleset ----------------------------------------------------------------------

_MILITARY = frozenset(("military_unit", "military_installation"))
_LONG_RANGE = frozenset(("atacms", "other_long_range"))
_DEEP = frozenset(("deep_inside", "moscow"))
_NEAR_BORDER = frozenset(("across_from_kharkiv", "across_from_sumy", "elsewhere_near_border"))


def shipped_limit(f: Mapping[str, Any]) -> str:
    """The shipped ruleset's verdicts written by hand (no as_of / known_by / sources): the
    speed limit of a Python function. Keep in step with rules/us-weapons-inside-russia/rules/;
    the cross-check below fails loudly when the two part ways."""
    if f["actor"] != "ukraine" or f["munitions_origin"] != "us" or f["target_location"] != "russia":
        return "not_addressed"
    target, involved, area = f["target_type"], f["directly_involved_in_invasion"], f["area"]
    weapon, kursk = f["weapon_class"], f["in_kursk_region"]
    military = target in _MILITARY
    long_range = weapon in _LONG_RANGE
    involved_unit = target == "military_unit" and involved  # article-permit-involved-units
    border_wide = area in _NEAR_BORDER and military and involved  # border-wide-permission
    kharkiv = area == "across_from_kharkiv" and military and involved  # kharkiv-counter-fire
    november = long_range and military  # long-range-authorized-november
    kursk_atacms = weapon == "atacms" and kursk and military  # november-kursk-permission
    lifted = november or kursk_atacms  # the November exceptions
    permits = involved_unit or border_wide or kharkiv or november or kursk_atacms
    prohibits = (
        not involved_unit  # article-only-involved-units
        or (area in _DEEP and not lifted)  # no-strikes-200-miles
        or area == "moscow"  # no-strikes-on-moscow
        or (area != "across_from_kharkiv" and not (lifted or border_wide))  # may-kharkiv-only
        or (long_range and not lifted)  # long-range-deep-bar, long-range-unchanged
        or target == "civilian_infrastructure"  # civilian-infrastructure-bar
        or (weapon == "atacms" and not kursk)  # november-kursk-only
    )
    if permits:
        return "contested" if prohibits else "permitted"
    return "prohibited" if prohibits else "not_addressed"


def _values_of(rs: Ruleset, name: str) -> list[Any]:
    fact = rs.facts[name]
    if str(fact.type) == "bool":
        return [True, False]
    return list(fact.value_names())


def limit_over_completions(
    limit: Callable[[Mapping[str, Any]], str], rs: Ruleset, facts: Mapping[str, Any]
) -> str:
    """The limit's verdict for a scenario with missing facts: the verdict every completion
    gives, else `indeterminate` (the soundness law of DESIGN.md)."""
    missing = [n for n in rs.facts if facts.get(n) is None]
    seen = set()
    for values in itertools.product(*(_values_of(rs, n) for n in missing)):
        seen.add(limit({**facts, **dict(zip(missing, values, strict=True))}))
    return seen.pop() if len(seen) == 1 else "indeterminate"


def mismatches(decisions: Iterable[Any], expected: list[str]) -> list[int]:
    """Positions where claimrules and the limit disagree."""
    return [i for i, (d, v) in enumerate(zip(decisions, expected, strict=True)) if d.verdict != v]


def _with_missing(
    rs: Ruleset, space: list[tuple[Any, ...]], count: int, rng: random.Random
) -> list[dict[str, Any]]:
    """Scenarios with one to three facts missing (left out, or given as None)."""
    names = list(rs.facts)
    out = []
    for values in rng.sample(space, count):
        facts = dict(zip(names, values, strict=True))
        for name in rng.sample(names, rng.randint(1, 3)):
            if rng.random() < 0.5:
                del facts[name]
            else:
                facts[name] = None
        out.append(facts)
    return out


def _cross_check(batches: Mapping[str, tuple[list[dict[str, Any]], list[str]]]
                 ) -> dict[str, Any]:
    """Every decision (verdict-only and full, each on a freshly loaded ruleset) against the
    limit's verdicts."""
    out: dict[str, Any] = {"cross_check": {}}
    for label, (batch, expected) in batches.items():
        for kind, explain in (("verdict_only", False), ("full", True)):
            name = kind + label
            bad = mismatches(evaluate_many(load_ruleset(SHIPPED), batch, explain=explain),
                             expected)
            out["cross_check"][name] = len(bad)
            if bad:
                out.setdefault("first_mismatch", {})[name] = {"facts": batch[bad[0]]}
    return out


def shipped_section(reps: int, quick: bool, seed: int) -> dict[str, Any]:
    """The shipped ruleset: every complete scenario, plus scenarios with missing facts."""
    rs = load_ruleset(SHIPPED)
    names = list(rs.facts)
    space = list(itertools.product(*(_values_of(rs, n) for n in names)))
    random.Random(seed).shuffle(space)
    scenarios = [dict(zip(names, values, strict=True)) for values in space]
    expected = [shipped_limit(f) for f in scenarios]
    partial = _with_missing(rs, space, 600 if quick else 2000, random.Random(seed + 1))
    partial_expected = [limit_over_completions(shipped_limit, rs, f) for f in partial]
    out: dict[str, Any] = {"scenarios": len(scenarios), "partial_scenarios": len(partial)}
    # Cross-check every decision against the limit before timing anything.
    out.update(_cross_check({"": (scenarios, expected), "_partial": (partial, partial_expected)}))

    fresh: dict[str, Ruleset] = {}

    def reload() -> None:
        fresh["rs"] = load_ruleset(SHIPPED)

    warm = load_ruleset(SHIPPED)  # "warm": the runs after a first pass over the same scenarios
    drain(evaluate_many(warm, scenarios))
    drain(evaluate_many(warm, scenarios, explain=True))
    drain(evaluate_many(warm, partial))

    def claimrules(rs: Callable[[], Ruleset], batch: list[dict[str, Any]],
                   explain: bool = False) -> Callable[[], None]:
        return lambda: drain(evaluate_many(rs(), batch, explain=explain))

    def cold() -> Ruleset:
        return fresh["rs"]

    def hot() -> Ruleset:
        return warm

    n, m = len(scenarios), len(partial)
    contenders = [
        Contender("limit (hand-written Python)", lambda: drain(map(shipped_limit, scenarios)), n),
        Contender("claimrules verdict-only", claimrules(hot, scenarios), n),
        Contender("claimrules full decisions", claimrules(hot, scenarios, explain=True), n),
        Contender("claimrules verdict-only, cold", claimrules(cold, scenarios), n, setup=reload),
        Contender("claimrules full decisions, cold", claimrules(cold, scenarios, explain=True), n,
                  setup=reload),
        Contender("claimrules verdict-only, missing facts", claimrules(hot, partial), m),
        Contender("claimrules verdict-only, missing facts, cold", claimrules(cold, partial), m,
                  setup=reload),
    ]
    found, absent = peers(rs)
    peer_timed, peer_report = peer_contenders(found, scenarios, expected, 600 if quick else 3600)
    out["peers"] = peer_report
    out["peers_absent"] = absent
    timings = measure(contenders + peer_timed, reps)
    out["timings"] = timings
    rate = {k: v["per_second"] for k, v in timings.items()}
    ratios: dict[str, Any] = {
        "verdict_only / limit": ratio(rate["claimrules verdict-only"],
                                      rate["limit (hand-written Python)"]),
        "verdict_only_cold / limit": ratio(rate["claimrules verdict-only, cold"],
                                           rate["limit (hand-written Python)"]),
    }
    for peer in ("zen-engine", "cedarpy", "rule-engine"):
        mode, speed = best_peer(timings, peer)
        if mode is None:
            continue
        ratios[f"verdict_only / {peer}"] = ratio(rate["claimrules verdict-only"], speed)
        ratios[f"full / {peer}"] = ratio(rate["claimrules full decisions"], speed)
        ratios[f"verdict_only_cold / {peer}"] = ratio(rate["claimrules verdict-only, cold"], speed)
        ratios[f"full_cold / {peer}"] = ratio(rate["claimrules full decisions, cold"], speed)
        ratios[f"{peer} measured as"] = mode
    out["ratios"] = ratios
    return out


# --- generated rulesets -----------------------------------------------------------------------

KEY_FACTS = ("k0", "k1", "k2", "k3")
KEY_VALUES = tuple(f"v{i:02d}" for i in range(100))
ENUM_FACTS = ("e0", "e1", "e2")
ENUM_VALUES = tuple(f"x{i}" for i in range(5))
BOOL_FACTS = ("b0", "b1")
NUMBER_FACT = "n"
NUMBER_RANGE = (0, 100)
WORDS = ("officials", "said", "the", "policy", "allows", "strikes", "near", "border", "only",
         "targets", "reported", "according", "statement", "limits", "weapons", "region")


@dataclass
class Generated:
    """A generated ruleset: its files' data, and the limit as Python source."""

    facts: list[dict[str, Any]]
    sources: list[dict[str, Any]]
    archives: dict[str, str]
    claims: dict[str, list[dict[str, Any]]]  # by source id
    rules: list[dict[str, Any]]
    limit_source: str
    mean_keyed_rules: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


def _vocabulary() -> list[dict[str, Any]]:
    facts: list[dict[str, Any]] = []
    for name in KEY_FACTS:
        facts.append({"name": name, "type": "enum", "values": list(KEY_VALUES),
                      "description": f"key {name}", "question": f"Which {name}?"})
    for name in ENUM_FACTS:
        facts.append({"name": name, "type": "enum", "values": list(ENUM_VALUES),
                      "description": f"attribute {name}", "question": f"Which {name}?"})
    for name in BOOL_FACTS:
        facts.append({"name": name, "type": "bool", "description": f"flag {name}",
                      "question": f"Is {name} so?"})
    facts.append({"name": NUMBER_FACT, "type": "number", "minimum": NUMBER_RANGE[0],
                  "maximum": NUMBER_RANGE[1], "description": "a quantity", "question": "How many?"})
    return facts


def _extra_condition(rng: random.Random, used: set[str]) -> tuple[dict[str, Any], str]:
    """A random non-key condition on facts no other condition of the rule reads (so rules are
    never self-contradictory), as rule data and as a Python expression over `f`."""
    enums = [n for n in ENUM_FACTS if n not in used]
    flags = [n for n in BOOL_FACTS if n not in used]
    kinds = [k for k, ok in ((0, enums), (1, flags), (2, enums), (3, NUMBER_FACT not in used),
                             (4, enums and flags)) if ok]
    kind = rng.choice(kinds)
    if kind == 0:
        name = rng.choice(enums)
        values = sorted(rng.sample(ENUM_VALUES, rng.randint(2, 3)))
        used.add(name)
        return {"fact": name, "in": values}, f"f[{name!r}] in {tuple(values)!r}"
    if kind == 1:
        name, value = rng.choice(flags), rng.random() < 0.5
        used.add(name)
        return {"fact": name, "is": value}, f"f[{name!r}] is {value}"
    if kind == 2:
        name, value = rng.choice(enums), rng.choice(ENUM_VALUES)
        used.add(name)
        return {"not": {"fact": name, "is": value}}, f"f[{name!r}] != {value!r}"
    if kind == 3:
        op, threshold = rng.choice(("ge", "lt")), rng.randint(10, 90)
        symbol = ">=" if op == "ge" else "<"
        used.add(NUMBER_FACT)
        return {"fact": NUMBER_FACT, op: threshold}, f"f[{NUMBER_FACT!r}] {symbol} {threshold}"
    name, value = rng.choice(enums), rng.choice(ENUM_VALUES)
    flag, truth = rng.choice(flags), rng.random() < 0.5
    used.update((name, flag))
    return (
        {"any": [{"fact": name, "is": value}, {"fact": flag, "is": truth}]},
        f"(f[{name!r}] == {value!r} or f[{flag!r}] is {truth})",
    )


def _generate_sources(
    n_claims: int, rng: random.Random
) -> tuple[list[dict[str, Any]], dict[str, str], dict[str, list[dict[str, Any]]], list[str]]:
    """Sources of 50 claims each, every claim a verbatim sentence of its archived text."""
    per_source = 50
    sources, archives, claims = [], {}, {}
    claim_ids: list[str] = []
    start = date(2024, 1, 1)
    for s in range((n_claims + per_source - 1) // per_source):
        sid = f"src-{s:04d}"
        published = start + timedelta(days=rng.randrange(330))
        sentences, items = [], []
        for j in range(min(per_source, n_claims - s * per_source)):
            cid = f"c{s:04d}-{j:02d}"
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16)))
            quote = f"Report {s}-{j}: {words.capitalize()}."
            sentences += [quote, f"Filler {s}-{j} of the article."]
            items.append({"id": cid, "source": sid, "quote": quote,
                          "kind": "provision", "modality": "asserted"})
            claim_ids.append(cid)
        text = "\n".join(" ".join(sentences[i:i + 6]) for i in range(0, len(sentences), 6))
        archives[sid] = text + "\n"
        sources.append({
            "id": sid, "title": f"Generated report {s}", "outlet": "Generated Times",
            "published": published.isoformat(),
            "archive": {"file": f"archive/{sid}.txt",
                        "sha256": hashlib.sha256(archives[sid].encode("utf-8")).hexdigest(),
                        "content": "full"},
        })
        claims[sid] = items
    return sources, archives, claims, claim_ids


def _rule_keys(rng: random.Random) -> tuple[str, list[str], str, list[str]]:
    """Two key facts and the values a rule requires of them (`is`, sometimes `in` on the
    second)."""
    a, b = rng.choice(list(itertools.combinations(KEY_FACTS, 2)))
    values_b = rng.sample(KEY_VALUES, 2) if rng.random() < 0.25 else [rng.choice(KEY_VALUES)]
    return a, [rng.choice(KEY_VALUES)], b, sorted(values_b)


def generate(n_rules: int, n_claims: int, seed: int) -> Generated:
    """Rules keyed by two `is`/`in` tests on the key facts, each with a few more conditions;
    a quarter of them labelled exceptions (opposite effect, `overrides` an earlier rule, same
    keys); every claim a verbatim sentence of its source's archived text. The limit is written
    beside them, from the same draws: a table from key values to plain Python tests."""
    rng = random.Random(seed)
    sources, archives, claims, claim_ids = _generate_sources(max(n_claims, n_rules), rng)
    rules: list[dict[str, Any]] = []
    keys_of: list[tuple[str, list[str], str, list[str]]] = []
    bases: list[int] = []
    # the limit: (key fact a, key fact b) → {(value a, value b): [(rule, permit, overrides, test)]}
    table: dict[tuple[str, str], dict[tuple[str, str], list[str]]] = {
        p: {} for p in itertools.combinations(KEY_FACTS, 2)}
    functions: list[str] = []
    for i in range(n_rules):
        used: set[str] = set()
        if bases and rng.random() < 0.25:
            base = rng.choice(bases)
            keys = keys_of[base]
            effect = "prohibit" if rules[base]["effect"] == "permit" else "permit"
            extras = [_extra_condition(rng, used)]
            overrides = [rules[base]["id"]]
        else:
            keys = _rule_keys(rng)
            effect = "permit" if rng.random() < 0.6 else "prohibit"
            extras = [_extra_condition(rng, used) for _ in range(rng.randint(0, 2))]
            overrides = []
            bases.append(i)
        keys_of.append(keys)
        a, values_a, b, values_b = keys
        tests: list[dict[str, Any]] = [
            {"fact": a, "is": values_a[0]},
            {"fact": b, "is": values_b[0]} if len(values_b) == 1 else {"fact": b, "in": values_b},
        ]
        because = {claim_ids[i % len(claim_ids)]}
        if rng.random() < 0.33:
            because.add(rng.choice(claim_ids))
        rules.append({
            "id": f"g{i:05d}", "effect": effect, "when": {"all": tests + [c for c, _ in extras]},
            "because": sorted(because), "overrides": overrides, "note": "generated",
        })
        test = " and ".join(p for _, p in extras) or "True"
        functions.append(f"def _r{i}(f):\n    return {test}\n")
        beaten = tuple(int(o[1:]) for o in overrides)
        for va, vb in itertools.product(values_a, values_b):
            table[(a, b)].setdefault((va, vb), []).append(
                f"({i}, {effect == 'permit'}, {beaten!r}, _r{i})")
    return Generated(_vocabulary(), sources, archives, claims, rules,
                     _limit_source(functions, table))


def _limit_source(
    functions: list[str], table: dict[tuple[str, str], dict[tuple[str, str], list[str]]]
) -> str:
    """The limit as a Python module: per-rule test functions, the key table, the verdict."""
    lines = ['"""Generated by bench/run.py: the hand-written limit of a generated ruleset."""', ""]
    lines += functions
    lines.append("PAIRS = (")
    for (a, b), entries in table.items():
        lines.append(f"    ({a!r}, {b!r}, {{")
        for key, hits in entries.items():
            lines.append(f"        {key!r}: ({', '.join(hits)},),")
        lines.append("    }),")
    lines.append(")")
    lines.append('''

def verdict(f):
    """The verdict of a complete scenario: the rules whose keys match, their conditions, and
    the combining rule (an applicable rule beats the rules it overrides)."""
    hits = []
    for a, b, entries in PAIRS:
        for hit in entries.get((f[a], f[b]), ()):
            if hit[3](f):
                hits.append(hit)
    if not hits:
        return "not_addressed"
    beaten = set()
    for hit in hits:
        beaten.update(hit[2])
    permit = prohibit = False
    for hit in hits:
        if hit[0] not in beaten:
            if hit[1]:
                permit = True
            else:
                prohibit = True
    if permit:
        return "contested" if prohibit else "permitted"
    return "prohibited" if prohibit else "not_addressed"


def keyed(f):
    """How many rules' key values the scenario matches (the candidates an index must test)."""
    return sum(len(entries.get((f[a], f[b]), ())) for a, b, entries in PAIRS)
''')
    return "\n".join(lines)


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Safe YAML out, never an anchor or alias (claimrules refuses them)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def write_ruleset(gen: Generated, root: Path, name: str) -> Path:
    """Write a generated ruleset as real files: ruleset.yaml, sources.yaml, claims/, rules/,
    archive/. Returns its directory."""
    target = root / name
    (target / "archive").mkdir(parents=True)
    (target / "claims").mkdir()
    (target / "rules").mkdir()

    def dump(path: Path, data: Any) -> None:
        text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
        path.write_text(text, "utf-8")

    dump(target / "ruleset.yaml", {"id": name, "title": f"Generated ruleset {name}",
                                   "facts": gen.facts})
    dump(target / "sources.yaml", {"sources": gen.sources})
    for sid, text in gen.archives.items():
        (target / "archive" / f"{sid}.txt").write_text(text, "utf-8")
    for sid, items in gen.claims.items():
        dump(target / "claims" / f"{sid}.yaml", {"claims": items})
    for i in range(0, len(gen.rules), 100):
        dump(target / "rules" / f"part-{i // 100:04d}.yaml", {"rules": gen.rules[i:i + 100]})
    return target


def import_limit(gen: Generated, root: Path, name: str) -> ModuleType:
    """Write the limit as a module file and import it (bench/ may; src/ never evaluates code)."""
    path = root / f"limit_{name.replace('-', '_')}.py"
    path.write_text(gen.limit_source, "utf-8")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def random_scenarios(count: int, rng: random.Random) -> list[dict[str, Any]]:
    """Complete scenarios drawn uniformly (fresh each run: no two runs share a memo)."""
    out = []
    for _ in range(count):
        f: dict[str, Any] = {k: rng.choice(KEY_VALUES) for k in KEY_FACTS}
        for name in ENUM_FACTS:
            f[name] = rng.choice(ENUM_VALUES)
        for name in BOOL_FACTS:
            f[name] = rng.random() < 0.5
        f[NUMBER_FACT] = rng.randint(*NUMBER_RANGE)
        out.append(f)
    return out


@dataclass
class _Sized:
    """One generated ruleset ready to time: its row of results and its contenders."""

    row: dict[str, Any]
    contenders: list[Contender]


def _generated(size: int, reps: int, count: int, seed: int, tmp: Path) -> _Sized:
    gen = generate(size, size, seed + size)
    name = f"gen-{size}"
    path = write_ruleset(gen, tmp, name)
    started = time.perf_counter()
    rs = load_ruleset(path)
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    rs.compiled().rule_index()
    compile_seconds = time.perf_counter() - started
    limit = import_limit(gen, tmp, name)
    rng = random.Random(seed + 7 * size)

    def inert(n: int) -> list[dict[str, Any]]:
        """Scenarios that no rule's key values match: every rule is one that cannot apply."""
        out: list[dict[str, Any]] = []
        while len(out) < n:
            out += [f for f in random_scenarios(n, rng) if not limit.keyed(f)]
        return out[:n]

    # A full decision lists every rule's outcome: its cost grows with the ruleset by design.
    full_count = max(10, min(count, 1_000_000 // (size * 10)))
    # Each timed run gets scenarios no earlier run has seen, so nothing is served from memory.
    batches = {
        "uniform": [random_scenarios(count, rng) for _ in range(reps + 1)],
        "inert": [inert(count) for _ in range(reps + 1)],
        "full": [random_scenarios(full_count, rng) for _ in range(reps + 1)],
    }
    check = batches["uniform"][0] + batches["inert"][0] + batches["full"][0]
    expected = [limit.verdict(f) for f in check]
    bad = {
        "verdict_only": mismatches(evaluate_many(rs, check), expected),
        "full": mismatches(evaluate_many(rs, check[:100], explain=True), expected[:100]),
    }
    uniform = batches["uniform"][0]
    row: dict[str, Any] = {
        "rules": len(rs.rules), "claims": len(rs.claims), "load_seconds": round(load_seconds, 3),
        "compile_and_index_seconds": round(compile_seconds, 3),
        "index_groups": len(rs.compiled().rule_index().groups),
        "scenarios_per_run": count, "full_scenarios_per_run": full_count,
        "mean_rules_with_matching_keys": statistics.fmean(limit.keyed(f) for f in uniform),
        "cross_check": {k: len(v) for k, v in bad.items()},
        "verdicts": {v: expected.count(v) for v in VERDICTS if v in expected},
    }
    turn: dict[str, int] = {}
    current: dict[str, list[dict[str, Any]]] = {}

    def prepare(label: str, kind: str) -> Callable[[], None]:
        def setup() -> None:
            turn[label] = turn.get(label, 0) + 1
            current[label] = batches[kind][turn[label]]
        return setup

    def timed(label: str, kind: str, run: Callable[[list[dict[str, Any]]], object],
              n: int) -> Contender:
        return Contender(f"{name}: {label}", lambda: run(current[label]), n,
                         setup=prepare(label, kind))

    contenders = [
        timed("limit", "uniform", lambda b: drain(map(limit.verdict, b)), count),
        timed("claimrules verdict-only", "uniform", lambda b: drain(evaluate_many(rs, b)), count),
        timed("claimrules full decisions", "full",
              lambda b: drain(evaluate_many(rs, b, explain=True)), full_count),
        timed("limit, no rule can apply", "inert", lambda b: drain(map(limit.verdict, b)), count),
        timed("claimrules verdict-only, no rule can apply", "inert",
              lambda b: drain(evaluate_many(rs, b)), count),
    ]
    if size <= 100:
        found, absent = peers(rs)
    else:
        found, absent = [], {"all": "peers are timed up to 100 rules"}
    sample = check[:2000]
    peer_timed, peer_report = peer_contenders(
        found, sample, [d.verdict for d in evaluate_many(rs, sample)], 500)
    for c in peer_timed:
        c.name = f"{name}: {c.name}"
    row["peers"] = peer_report
    row["peers_absent"] = absent
    return _Sized(row, contenders + peer_timed)


def generated_section(sizes: list[int], reps: int, quick: bool, seed: int,
                      tmp: Path) -> dict[str, Any]:
    """Throughput by ruleset size, each decision cross-checked against the generated limit.
    All sizes are prepared first, then timed round-robin, so that noise falls on all alike."""
    prepared = {}
    for size in sizes:
        print(f"  preparing {size} rules …", file=sys.stderr)
        prepared[f"gen-{size}"] = _generated(size, reps, 4000 if quick else 20000, seed, tmp)
    timings = measure([c for p in prepared.values() for c in p.contenders], reps)
    out: dict[str, Any] = {}
    for name, p in prepared.items():
        prefix = f"{name}: "
        p.row["timings"] = {k[len(prefix):]: v for k, v in timings.items() if k.startswith(prefix)}
        out[name] = p.row
    base = out.get("gen-10")
    if base:
        for row in out.values():
            t = row["timings"]
            row["ratios"] = {
                "verdict_only, no rule can apply / same at 10 rules": ratio(
                    t["claimrules verdict-only, no rule can apply"]["per_second"],
                    base["timings"]["claimrules verdict-only, no rule can apply"]["per_second"]),
                "verdict_only / same at 10 rules": ratio(
                    t["claimrules verdict-only"]["per_second"],
                    base["timings"]["claimrules verdict-only"]["per_second"]),
                "limit / same at 10 rules": ratio(
                    t["limit"]["per_second"], base["timings"]["limit"]["per_second"]),
                "full / same at 10 rules": ratio(
                    t["claimrules full decisions"]["per_second"],
                    base["timings"]["claimrules full decisions"]["per_second"]),
                "verdict_only / limit": ratio(t["claimrules verdict-only"]["per_second"],
                                              t["limit"]["per_second"]),
            }
    return out


# --- load + check -----------------------------------------------------------------------------


def _yaml_files(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*.yaml"))


def load_section(n_claims: int, n_rules: int, reps: int, seed: int, tmp: Path) -> dict[str, Any]:
    """`load_ruleset` (parse with positions, validate, cross-check, hash archives, verify every
    quote) against a bare parse of the same YAML files; and peak memory at two sizes."""
    gen = generate(n_rules, n_claims, seed)
    path = write_ruleset(gen, tmp, f"load-{n_claims}")
    files = _yaml_files(path)
    texts_bytes = sum(p.stat().st_size for p in files)
    c_loader = getattr(yaml, "CSafeLoader", None)

    def plain(loader: Any) -> Callable[[], object]:
        def run() -> object:
            return [yaml.load(p.read_text("utf-8"), Loader=loader) for p in files]
        return run

    contenders = [
        Contender("claimrules load_ruleset (load + check)", lambda: load_ruleset(path), 1),
        Contender("yaml.safe_load",
                  lambda: [yaml.safe_load(p.read_text("utf-8")) for p in files], 1),
    ]
    if c_loader is not None:
        contenders.append(Contender("yaml CSafeLoader", plain(c_loader), 1))
    rs = load_ruleset(path)
    out: dict[str, Any] = {
        "claims": len(rs.claims), "rules": len(rs.rules), "sources": len(rs.sources),
        "yaml_files": len(files), "yaml_bytes": texts_bytes,
        "quotes_verified": sum(1 for c in rs.claims.values() if c.start >= 0),
    }
    del rs
    timings = measure(contenders, reps)
    out["timings"] = timings
    seconds = {k: v["seconds"] for k, v in timings.items()}
    out["ratios"] = {
        "load / yaml.safe_load": ratio(seconds["claimrules load_ruleset (load + check)"],
                                       seconds["yaml.safe_load"]),
    }
    if c_loader is not None:
        out["ratios"]["load / CSafeLoader"] = ratio(
            seconds["claimrules load_ruleset (load + check)"], seconds["yaml CSafeLoader"])
    out["target: load / yaml.safe_load <= 3"] = out["ratios"]["load / yaml.safe_load"] <= 3
    # Memory: peak traced allocation while loading a quarter-size and the full-size ruleset.
    small = write_ruleset(generate(n_rules // 4, n_claims // 4, seed), tmp, f"load-{n_claims // 4}")
    memory = {}
    for label, where, claims in (("quarter", small, n_claims // 4), ("full", path, n_claims)):
        gc.collect()
        tracemalloc.start()
        kept = load_ruleset(where)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        memory[label] = {"claims": claims, "peak_bytes": peak, "bytes_per_claim": peak / claims}
        del kept
    memory["growth_per_claim_full_vs_quarter"] = ratio(
        memory["full"]["bytes_per_claim"], memory["quarter"]["bytes_per_claim"])
    out["memory"] = memory
    out["memory_linear"] = memory["growth_per_claim_full_vs_quarter"] <= 1.25
    return out


# --- one-shot process -------------------------------------------------------------------------

ONE_SHOT_FACTS = ["actor=ukraine", "munitions_origin=us", "target_location=russia",
                  "target_type=military_unit", "directly_involved_in_invasion=true"]


def _command() -> list[str]:
    """The `claimrules` console script of this interpreter's environment, as a user runs it."""
    beside = Path(sys.executable).with_name("claimrules")
    if beside.is_file():
        return [str(beside)]
    exe = shutil.which("claimrules")
    return [exe] if exe else [sys.executable, "-m", "claimrules"]


def _compile_bytecode() -> bool:
    """Compile claimrules' modules to bytecode, as `pip install` does for an installed package
    (an editable install or PYTHONDONTWRITEBYTECODE=1 may have left none, and every process
    would then compile the sources again). True when it succeeded."""
    import claimrules

    package = Path(claimrules.__file__).parent
    done = subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)],
                          capture_output=True, check=False)
    return done.returncode == 0


def one_shot_section(reps: int) -> dict[str, Any]:
    """A whole `claimrules eval` process for one scenario against a bare `python -c "import
    pydantic, yaml, click"`; also `eval` bypassing the cache of checked rulesets, `eval` of a
    scenario file, and `claimrules check` (which always verifies every quote)."""
    facts = [arg for f in ONE_SHOT_FACTS for arg in ("--fact", f)]
    evaluate = [*_command(), "eval", str(SHIPPED)]
    commands = {
        "claimrules eval (one scenario, json)": [*evaluate, *facts, "--format", "json"],
        "claimrules eval --no-cache (json)": [*evaluate, *facts, "--format", "json",
                                              "--no-cache"],
        "claimrules eval (scenario file, text)": [*evaluate,
                                                  str(ROOT / "examples" / "permitted.yaml")],
        "claimrules check": [*_command(), "check", str(SHIPPED)],
        "python -c 'import pydantic, yaml, click'": [sys.executable, "-c",
                                                     "import pydantic, yaml, click"],
        "python -c 'pass'": [sys.executable, "-c", "pass"],
    }
    bytecode = _compile_bytecode()
    with tempfile.TemporaryDirectory(prefix="claimrules-bench-cache-") as cache:
        env = {**os.environ, "CLAIMRULES_CACHE_DIR": cache}
        env.pop("CLAIMRULES_NO_CACHE", None)
        codes: dict[str, int] = {}
        for name, cmd in commands.items():  # one untimed run each: warm the OS file cache,
            # and fill the cache of checked rulesets, as any earlier run on this ruleset would
            codes[name] = subprocess.run(cmd, capture_output=True, check=False,
                                         env=env).returncode
        cached = sorted(p.name for p in Path(cache).iterdir())
        contenders = [
            Contender(name, lambda c=cmd: subprocess.run(c, capture_output=True, check=False,
                                                         env=env), 1)
            for name, cmd in commands.items()
        ]
        timings = measure(contenders, reps)
    seconds = {k: v["seconds"] for k, v in timings.items()}
    base = seconds["python -c 'import pydantic, yaml, click'"]
    eval_ratio = ratio(seconds["claimrules eval (one scenario, json)"], base)
    return {
        "exit_codes": codes,
        "bytecode_compiled": bytecode,
        "cache_entries": cached,
        "timings": timings,
        "ratios": {
            "eval / import pydantic, yaml, click": eval_ratio,
            "eval --no-cache / import pydantic, yaml, click": ratio(
                seconds["claimrules eval --no-cache (json)"], base),
            "eval of a scenario file / import pydantic, yaml, click": ratio(
                seconds["claimrules eval (scenario file, text)"], base),
            "check / import pydantic, yaml, click": ratio(seconds["claimrules check"], base),
        },
        "target: eval / bare import <= 1.5": eval_ratio <= 1.5
        and codes["claimrules eval (one scenario, json)"] == 0 and len(cached) == 1,
    }


# --- report -----------------------------------------------------------------------------------


def _rate(value: float) -> str:
    if value >= 1e6:
        return f"{value / 1e6:.2f} M/s"
    if value >= 1e3:
        return f"{value / 1e3:.1f} k/s"
    return f"{value:.1f} /s"


def _print_timings(timings: Mapping[str, Mapping[str, Any]], per: str = "rate") -> None:
    for name, t in timings.items():
        shown = _rate(t["per_second"]) if per == "rate" else f"{t['seconds'] * 1000:.1f} ms"
        print(f"    {name:<48} {shown:>12}")


def _print_ratios(ratios: Mapping[str, Any]) -> None:
    for name, value in ratios.items():
        shown = f"{value:.3g}x" if isinstance(value, float) else str(value)
        print(f"    {name:<48} {shown:>12}")


def targets(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every target of the issue, with the measured ratio and whether it is met."""
    out = []

    def add(name: str, value: float | None, bound: float, at_least: bool, note: str = "") -> None:
        met = value is not None and not math.isnan(value) and (
            value >= bound if at_least else value <= bound)
        out.append({"target": name, "value": value, "bound": bound,
                    "at_least": at_least, "met": met, "note": note})

    s = result.get("shipped")
    if s:
        r = s["ratios"]
        add("shipped verdict-only / limit", r.get("verdict_only / limit"), 0.2, True)
        add("shipped verdict-only / zen-engine", r.get("verdict_only / zen-engine"), 10, True)
        add("shipped full decisions / zen-engine", r.get("full / zen-engine"), 2, True)
        add("shipped verdict-only, cold / limit (info)", r.get("verdict_only_cold / limit"),
            0.2, True, "first pass over unseen scenarios")
        add("shipped verdict-only, cold / zen-engine (info)",
            r.get("verdict_only_cold / zen-engine"), 10, True, "first pass over unseen scenarios")
        add("shipped full decisions, cold / zen-engine (info)", r.get("full_cold / zen-engine"),
            2, True, "first pass over unseen scenarios")
    g = result.get("generated", {})
    if "gen-10000" in g and "ratios" in g["gen-10000"]:
        r = g["gen-10000"]["ratios"]
        add("10,000 rules / 10 rules, verdict-only, no rule can apply",
            r["verdict_only, no rule can apply / same at 10 rules"], 0.5, True,
            "the cost of rules that cannot apply")
        add("10,000 rules / 10 rules, verdict-only, uniform scenarios (info)",
            r["verdict_only / same at 10 rules"], 0.5, True,
            f"more rules do apply: the limit itself gives {r['limit / same at 10 rules']:.2f}x")
    ld = result.get("load")
    if ld:
        add(f"load + check / yaml.safe_load ({ld['claims']} claims, {ld['rules']} rules)",
            ld["ratios"]["load / yaml.safe_load"], 3, False)
        add("load peak memory per claim, full / quarter size",
            ld["memory"]["growth_per_claim_full_vs_quarter"], 1.25, False, "linear memory")
    o = result.get("one_shot")
    if o:
        ok = o["exit_codes"]["claimrules eval (one scenario, json)"] == 0
        add("one-shot claimrules eval / import pydantic, yaml, click",
            o["ratios"]["eval / import pydantic, yaml, click"] if ok else None, 1.5, False,
            "" if ok else "claimrules eval failed: see exit_codes")
    return out


def print_report(result: Mapping[str, Any]) -> None:
    """The human summary; the JSON file holds everything."""
    s = result.get("shipped")
    if s:
        print(f"\n== shipped ruleset ({s['scenarios']} complete scenarios, "
              f"{s['partial_scenarios']} with missing facts)")
        print(f"  cross-check against the limit (mismatches): {s['cross_check']}")
        for peer, rep in s["peers"].items():
            print(f"  {peer} {rep['version']}: checked {rep['checked']} scenarios, "
                  f"disagreements {rep['disagreements']}")
        for peer, why in s["peers_absent"].items():
            print(f"  {peer}: {why}")
        _print_timings(s["timings"])
        print("  ratios")
        _print_ratios(s["ratios"])
    g = result.get("generated", {})
    if g:
        print("\n== generated rulesets (fresh random complete scenarios every run)")
        for name, row in g.items():
            print(f"  {name}: {row['rules']} rules, {row['claims']} claims, load "
                  f"{row['load_seconds']} s, compile + index {row['compile_and_index_seconds']} s "
                  f"({row['index_groups']} index groups), "
                  f"cross-check {row['cross_check']}, mean rules with matching keys "
                  f"{row['mean_rules_with_matching_keys']:.2f}")
            for peer, rep in row["peers"].items():
                print(f"    {peer}: checked {rep['checked']}, disagreements {rep['disagreements']}")
            _print_timings(row["timings"])
            _print_ratios(row.get("ratios", {}))
    ld = result.get("load")
    if ld:
        print(f"\n== load + check: {ld['claims']} claims, {ld['rules']} rules, {ld['sources']} "
              f"sources, {ld['yaml_files']} YAML files ({ld['yaml_bytes']} bytes), "
              f"{ld['quotes_verified']} quotes verified")
        _print_timings(ld["timings"], per="seconds")
        _print_ratios(ld["ratios"])
        m = ld["memory"]
        print(f"    peak memory: {m['quarter']['peak_bytes'] / 1e6:.1f} MB at "
              f"{m['quarter']['claims']} claims, {m['full']['peak_bytes'] / 1e6:.1f} MB at "
              f"{m['full']['claims']} claims")
    o = result.get("one_shot")
    if o:
        print("\n== one-shot processes (median wall time)")
        print(f"  exit codes: {o['exit_codes']}")
        print(f"  bytecode compiled first: {o['bytecode_compiled']}; cache entries after the "
              f"untimed runs: {len(o['cache_entries'])}")
        _print_timings(o["timings"], per="seconds")
        _print_ratios(o["ratios"])
    print("\n== targets")
    for t in result["targets"]:
        value = "n/a" if t["value"] is None else f"{t['value']:.3g}x"
        bound = ("≥ " if t["at_least"] else "≤ ") + f"{t['bound']:g}x"
        note = f"  ({t['note']})" if t["note"] else ""
        print(f"  {'met ' if t['met'] else 'MISS'}  {t['target']:<58} {value:>9}  {bound}{note}")


def _environment() -> dict[str, Any]:
    from importlib import metadata

    versions = {}
    for dist in ("claimrules", "pydantic", "PyYAML", "click", "zen-engine", "cedarpy",
                 "rule-engine"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    return {
        "python": sys.version.split()[0], "implementation": platform.python_implementation(),
        "platform": platform.platform(), "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "libyaml": bool(getattr(yaml, "__with_libyaml__", False)), "versions": versions,
    }


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _failed(result: Mapping[str, Any]) -> Iterator[str]:
    """Every cross-check that found a disagreement (speed must never change a verdict)."""
    for kind, n in result.get("shipped", {}).get("cross_check", {}).items():
        if n:
            yield f"shipped {kind}: {n} decisions differ from the limit"
    for name, row in result.get("generated", {}).items():
        for kind, n in row["cross_check"].items():
            if n:
                yield f"{name} {kind}: {n} decisions differ from the limit"


def main(argv: list[str] | None = None) -> int:
    """Run every section, print the summary, write the JSON result; exit 1 on a mismatch."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer runs, fewer scenarios, a quarter-size load test")
    parser.add_argument("--out", type=Path, help="where to write the JSON result")
    parser.add_argument("--only", choices=["shipped", "generated", "load", "one-shot"],
                        action="append", help="run only these sections (repeatable)")
    parser.add_argument("--seed", type=int, default=20240530)
    args = parser.parse_args(argv)
    reps = 3 if args.quick else 7
    sections = set(args.only or ["shipped", "generated", "load", "one-shot"])
    result: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "quick": args.quick, "runs": reps,
        "environment": _environment(),
    }
    tmp = Path(tempfile.mkdtemp(prefix="claimrules-bench-"))
    try:
        if "shipped" in sections:
            print("shipped ruleset …", file=sys.stderr)
            result["shipped"] = shipped_section(reps, args.quick, args.seed)
        if "generated" in sections:
            print("generated rulesets …", file=sys.stderr)
            result["generated"] = generated_section(
                [10, 100, 1000, 10000], reps, args.quick, args.seed, tmp)
        if "load" in sections:
            print("load + check …", file=sys.stderr)
            claims, rules = (2500, 250) if args.quick else (10000, 1000)
            result["load"] = load_section(claims, rules, max(3, reps - 2), args.seed, tmp)
        if "one-shot" in sections:
            print("one-shot processes …", file=sys.stderr)
            result["one_shot"] = one_shot_section(9 if args.quick else 21)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    result["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    result["targets"] = targets(result)
    print_report(result)
    stamp = time.strftime("%Y%m%d-%H%M%S") + ("-quick" if args.quick else "")
    out = args.out or RESULTS / f"bench-{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(_json_safe(result), indent=2) + "\n", "utf-8")
    print(f"\nwrote {out}")
    failures = list(_failed(result))
    for failure in failures:
        print(f"MISMATCH: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
