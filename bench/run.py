"""Benchmark: the targets of issue 12 (item 3), through the public API only.

    python bench/run.py [--quick] [--only SECTION] [--out FILE] [--seed N] [--size RULES]

Sections (see bench/README.md): `shipped` — first-seen decisions on the shipped ruleset (a
fresh load per timed pass, keys in random order) against a dict lookup of the same verdicts,
and warm throughput against the hand-written limit and zen-engine; `generated` — a full
explained decision on a generated ruleset of 10,000 rules; `one-shot` — a whole `claimrules
eval` process against `python -c "import click"`. Every verdict is cross-checked before
anything is timed, and a mismatch stops the run (exit 1) without timing. In-process figures
are ratios of CPU time (time.process_time) from interleaved rounds, each timed run at least
200 ms; one-shot figures are medians of wall time of interleaved child processes. Prints a
table of the targets and writes every number to bench/results/.

Only `claimrules.load_ruleset`, `evaluate` and `evaluate_many` (and the public fields of the
Ruleset and Decision they return) are used, so the bench keeps working when the engine
behind them changes.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import importlib.util
import itertools
import json
import math
import operator
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from claimrules import evaluate, evaluate_many, load_ruleset

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "rules" / "us-weapons-inside-russia"
RESULTS = ROOT / "bench" / "results"

#: CPU seconds a timed run must last at least (shorter runs measure the clock, not the work).
MIN_RUN = 0.2


class Mismatch(Exception):
    """A verdict differs from the oracle: the bench refuses to time anything."""


# --- timing -----------------------------------------------------------------------------------


@dataclass
class Contender:
    """One thing to time. `prepare(passes)` builds, untimed, a run of `passes` passes of
    `per_pass` decisions (fresh rulesets, scenarios with their keys shuffled …) and returns
    it; only that run is timed."""

    name: str
    prepare: Callable[[int], Callable[[], object]]
    per_pass: int
    passes: int = 1
    seconds: list[float] = field(default_factory=list)  # CPU seconds of each timed run

    def rates(self) -> list[float]:
        """Decisions per CPU second, per round."""
        return [self.passes * self.per_pass / s if s > 0 else math.inf for s in self.seconds]

    def per_decision(self) -> float:
        """Median CPU seconds per decision."""
        return statistics.median(s / (self.passes * self.per_pass) for s in self.seconds)


def cpu_seconds(run: Callable[[], object]) -> float:
    """CPU time of this process (every thread) spent in `run`: other processes on a busy
    machine do not count, as wall time would."""
    gc.collect()
    start = time.process_time()
    run()
    return time.process_time() - start


def calibrate(c: Contender) -> None:
    """Choose the passes of one timed run so that it lasts at least MIN_RUN of CPU, with a
    margin. The runs made here are untimed: they warm caches, the imports, the allocator."""
    passes = 1
    for _ in range(10):
        spent = cpu_seconds(c.prepare(passes))
        if spent >= MIN_RUN * 1.5:
            break
        passes = max(passes + 1, math.ceil(passes * MIN_RUN * 2 / max(spent, 1e-3)))
    c.passes = passes


def measure(contenders: Sequence[Contender], rounds: int) -> None:
    """Interleaved rounds: each round times every contender once, starting from a different
    one each round, so that noise from other processes falls on all of them alike."""
    for c in contenders:
        calibrate(c)
    n = len(contenders)
    for r in range(rounds):
        for k in range(n):
            c = contenders[(r + k) % n]
            c.seconds.append(cpu_seconds(c.prepare(c.passes)))


def paired_ratio(a: Contender, b: Contender) -> float:
    """Throughput of `a` over that of `b`: the median of the per-round ratios (each round
    timed both under the same load)."""
    return statistics.median(x / y for x, y in zip(a.rates(), b.rates(), strict=True))


def timing_row(c: Contender) -> dict[str, Any]:
    """A contender's figures, for the JSON result and the printed detail."""
    return {
        "per_second": statistics.median(c.rates()),
        "seconds_per_decision": c.per_decision(),
        "decisions_per_run": c.passes * c.per_pass,
        "shortest_run_seconds": min(c.seconds),
        "run_seconds": [round(s, 4) for s in c.seconds],
    }


def drain(items: Iterable[object]) -> None:
    """Consume an iterable, keeping nothing, as a batch that streams its answers out."""
    deque(items, maxlen=0)


#: A Decision's verdict, read as every contender reads its answer (zen-engine's
#: `["result"]["verdict"]`, the limit's return value): one field, nothing more. A `Verdict` is
#: a `str` (a StrEnum), so it compares equal to the limit's strings.
verdict_of: Callable[[Any], str] = operator.attrgetter("verdict")


def explained(decision: Any) -> int:
    """Touch a full decision's explanation (every rule's outcome), so that an explanation
    built on first access is built inside the timed run."""
    return len(decision.rules) + len(decision.claims)


# --- the shipped ruleset: its vocabulary and the reading the limit is for ---------------------

#: rules/us-weapons-inside-russia/ruleset.yaml, in vocabulary order.
VOCABULARY: dict[str, tuple[Any, ...]] = {
    "actor": ("ukraine", "other"),
    "munitions_origin": ("us", "other"),
    "target_location": ("russia", "ukraine", "other"),
    "target_type": ("military_unit", "military_installation", "civilian_infrastructure",
                    "government", "other"),
    "directly_involved_in_invasion": (True, False),
    "weapon_class": ("short_range", "atacms", "other_long_range"),
    "area": ("across_from_kharkiv", "across_from_sumy", "elsewhere_near_border", "deep_inside",
             "moscow"),
    "in_kursk_region": (True, False),
}
NAMES = tuple(VOCABULARY)

_MILITARY = frozenset(("military_unit", "military_installation"))
_LONG_RANGE = frozenset(("atacms", "other_long_range"))
_DEEP = frozenset(("deep_inside", "moscow"))
_NEAR_BORDER = frozenset(("across_from_kharkiv", "across_from_sumy", "elsewhere_near_border"))
_KHARKIV_SUMY = frozenset(("across_from_kharkiv", "across_from_sumy"))
_OUTSIDE_UKRAINE = frozenset(("russia", "other"))


@dataclass(frozen=True)
class ReadRule:
    """One rule of the shipped ruleset as the bench reads it from rules/*.yaml: its effect,
    `when` as a Python test of a complete scenario, the rules it `overrides` or `refines` (a
    refining rule beats the rule it refines), and whether it has unreported terms (then it
    applies only where a case falls within them, which is never known)."""

    id: str
    permit: bool
    when: Callable[[Mapping[str, Any]], bool]
    beats: frozenset[str] = frozenset()
    unreported_terms: bool = False


def _inside_russia(f: Mapping[str, Any]) -> bool:
    return bool(f["actor"] == "ukraine" and f["munitions_origin"] == "us"
                and f["target_location"] == "russia")


def _involved_military(f: Mapping[str, Any]) -> bool:
    return f["target_type"] in _MILITARY and f["directly_involved_in_invasion"] is True


def _involved_unit(f: Mapping[str, Any]) -> bool:
    return f["target_type"] == "military_unit" and f["directly_involved_in_invasion"] is True


_NOT_ENABLED = "not-enabled-before-may-permission"
_NOVEMBER_BEATS = frozenset((_NOT_ENABLED, "long-range-deep-bar", "long-range-unchanged",
                             "no-strikes-200-miles", "may-kharkiv-only"))
_ARTICLE_PERMIT = frozenset(("article-permit-involved-units",))

#: The sixteen rules of rules/us-weapons-inside-russia/rules/, read with no as_of, known_by,
#: sources or speakers (so every rule is in force and every claim counts).
SHIPPED_READING: tuple[ReadRule, ...] = (
    # article.yaml
    ReadRule("article-permit-involved-units", True,
             lambda f: _inside_russia(f) and _involved_unit(f), frozenset((_NOT_ENABLED,))),
    ReadRule("article-only-involved-units", False,
             lambda f: _inside_russia(f) and not _involved_unit(f)),
    # june-2024.yaml
    ReadRule("border-wide-permission", True,
             lambda f: _inside_russia(f) and f["area"] in _NEAR_BORDER and _involved_military(f),
             frozenset((_NOT_ENABLED, "may-kharkiv-only"))),
    ReadRule("kharkiv-and-sumy-late-may", True,
             lambda f: _inside_russia(f) and f["area"] in _KHARKIV_SUMY and _involved_military(f),
             frozenset((_NOT_ENABLED,))),
    ReadRule("no-strikes-200-miles", False,
             lambda f: _inside_russia(f) and f["area"] in _DEEP, _ARTICLE_PERMIT),
    ReadRule("no-strikes-on-moscow", False,
             lambda f: _inside_russia(f) and f["area"] == "moscow",
             frozenset(("article-permit-involved-units", "long-range-authorized-november",
                        "november-kursk-permission", "november-limited-strikes"))),
    # may-2024.yaml
    ReadRule("kharkiv-counter-fire", True,
             lambda f: (_inside_russia(f) and f["area"] == "across_from_kharkiv"
                        and _involved_military(f)),
             frozenset((_NOT_ENABLED,))),
    ReadRule("may-kharkiv-only", False,
             lambda f: _inside_russia(f) and f["area"] != "across_from_kharkiv", _ARTICLE_PERMIT),
    ReadRule("long-range-deep-bar", False,
             lambda f: (_inside_russia(f) and f["weapon_class"] in _LONG_RANGE
                        and f["area"] in _DEEP),
             _ARTICLE_PERMIT),
    ReadRule("long-range-unchanged", False,
             lambda f: _inside_russia(f) and f["weapon_class"] in _LONG_RANGE,
             unreported_terms=True),
    ReadRule("civilian-infrastructure-bar", False,
             lambda f: _inside_russia(f) and f["target_type"] == "civilian_infrastructure"),
    ReadRule(_NOT_ENABLED, False,
             lambda f: (f["actor"] == "ukraine" and f["munitions_origin"] == "us"
                        and f["target_location"] in _OUTSIDE_UKRAINE)),
    # november-2024.yaml
    ReadRule("long-range-authorized-november", True,
             lambda f: (_inside_russia(f) and f["weapon_class"] in _LONG_RANGE
                        and f["target_type"] in _MILITARY),
             _NOVEMBER_BEATS),
    ReadRule("november-limited-strikes", True,
             lambda f: (_inside_russia(f) and f["weapon_class"] in _LONG_RANGE
                        and f["target_type"] in _MILITARY),
             _NOVEMBER_BEATS, unreported_terms=True),
    ReadRule("november-kursk-permission", True,
             lambda f: (_inside_russia(f) and f["weapon_class"] == "atacms"
                        and f["in_kursk_region"] is True and f["target_type"] in _MILITARY),
             _NOVEMBER_BEATS),
    ReadRule("november-kursk-only", False,
             lambda f: (_inside_russia(f) and f["weapon_class"] == "atacms"
                        and f["in_kursk_region"] is False)),
)


def combine(applicable: Sequence[ReadRule]) -> str:
    """The combining rule of DESIGN.md: a rule beaten by an applicable rule does not stand;
    standing permits and prohibits → contested; only permits → permitted; only prohibits →
    prohibited; none → not_addressed."""
    beaten = set().union(*(r.beats for r in applicable)) if applicable else set()
    standing = [r for r in applicable if r.id not in beaten]
    permits = any(r.permit for r in standing)
    prohibits = any(not r.permit for r in standing)
    if permits:
        return "contested" if prohibits else "permitted"
    return "prohibited" if prohibits else "not_addressed"


def reading_verdict(f: Mapping[str, Any], reading: Sequence[ReadRule] = SHIPPED_READING) -> str:
    """The verdict of a complete scenario under the reading, rule by rule: whether a case is
    within a rule's unreported terms is unknown, so the verdict is the one every answer to
    that gives, else `indeterminate`."""
    applies = [r for r in reading if r.when(f)]
    gated = [r for r in applies if r.unreported_terms]
    seen = set()
    for within in itertools.product((True, False), repeat=len(gated)):
        out = {r.id for r, w in zip(gated, within, strict=True) if not w}
        seen.add(combine([r for r in applies if r.id not in out]))
    return seen.pop() if len(seen) == 1 else "indeterminate"


def shipped_limit(f: Mapping[str, Any]) -> str:
    """The same verdicts as `reading_verdict`, written by hand as plain `if`s: the speed
    limit of a Python function (and the oracle). Derived from SHIPPED_READING:

    - outside Russia only `not-enabled-before-may-permission` can apply (targets elsewhere
      than Ukraine), and no permit beats it there;
    - on a non-military target no permit applies and `article-only-involved-units` stands;
    - on Moscow `no-strikes-on-moscow` stands and beats every permit that could apply there
      (the article's through no-strikes-200-miles too);
    - the two rules with unreported terms never decide: `november-limited-strikes` applies
      only where `long-range-authorized-november` does and is beaten by the same rule, and
      `long-range-unchanged` is beaten wherever a November permit applies, and elsewhere
      `article-only-involved-units` already stands.
    `run.py` checks the two against each other, and against `evaluate`, before timing."""
    if f["actor"] != "ukraine" or f["munitions_origin"] != "us":
        return "not_addressed"
    where = f["target_location"]
    if where != "russia":
        return "prohibited" if where == "other" else "not_addressed"
    target = f["target_type"]
    if target not in _MILITARY:
        return "prohibited"
    area = f["area"]
    if area == "moscow":
        return "prohibited"
    weapon = f["weapon_class"]
    involved = f["directly_involved_in_invasion"]
    if target == "military_unit" and involved:
        # The article's permit; near the border the border-wide one; deep inside only a
        # November permit stands (long-range weapons), and outside Kursk ATACMS are barred.
        if area == "deep_inside" and weapon == "short_range":
            return "prohibited"
        if weapon == "atacms" and not f["in_kursk_region"]:
            return "contested"
        return "permitted"
    # article-only-involved-units stands; so does a border-wide or a November permit.
    if weapon != "short_range" or (involved and area in _NEAR_BORDER):
        return "contested"
    return "prohibited"


def complete_space() -> list[dict[str, Any]]:
    """Every complete scenario of the shipped vocabulary (3,600), in vocabulary order."""
    return [dict(zip(NAMES, values, strict=True))
            for values in itertools.product(*VOCABULARY.values())]


def canonical(f: Mapping[str, Any]) -> tuple[Any, ...]:
    """A scenario's canonical key: values in vocabulary order, an absent fact as None."""
    return tuple(map(f.get, NAMES))


def shuffled(f: Mapping[str, Any], rng: random.Random) -> dict[str, Any]:
    """The same scenario with its keys in a random order."""
    items = list(f.items())
    rng.shuffle(items)
    return dict(items)


def over_completions(f: Mapping[str, Any]) -> str:
    """The limit's verdict for a scenario with missing facts: the verdict every completion
    gives, else `indeterminate` (the soundness law of DESIGN.md)."""
    missing = [n for n in NAMES if f.get(n) is None]
    seen = set()
    for values in itertools.product(*(VOCABULARY[n] for n in missing)):
        seen.add(shipped_limit({**f, **dict(zip(missing, values, strict=True))}))
        if len(seen) > 1:
            return "indeterminate"
    return seen.pop()


def with_missing(count: int, share: float, rng: random.Random) -> list[dict[str, Any]]:
    """`count` distinct scenarios, each fact missing with probability `share` (left out or
    given as None, half and half)."""
    space = complete_space()
    seen: set[tuple[Any, ...]] = set()
    out: list[dict[str, Any]] = []
    while len(out) < count:
        base = rng.choice(space)
        f: dict[str, Any] = {}
        for name, value in base.items():
            draw = rng.random()
            if draw < share / 2:
                continue
            f[name] = None if draw < share else value
        key = canonical(f)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


# --- zen-engine: the same decision as a JDM decision table ------------------------------------

_ANY = ""
#: The shipped limit as a decision table (hit policy `first`), written from `shipped_limit`:
#: each row's cells in VOCABULARY order (zen unary tests: "" any, `"a", "b"` one of, `!= "a"`),
#: then the verdict.
ZEN_ROWS: tuple[tuple[tuple[str, ...], str], ...] = (
    (('!= "ukraine"', _ANY, _ANY, _ANY, _ANY, _ANY, _ANY, _ANY), "not_addressed"),
    ((_ANY, '!= "us"', _ANY, _ANY, _ANY, _ANY, _ANY, _ANY), "not_addressed"),
    ((_ANY, _ANY, '"ukraine"', _ANY, _ANY, _ANY, _ANY, _ANY), "not_addressed"),
    ((_ANY, _ANY, '"other"', _ANY, _ANY, _ANY, _ANY, _ANY), "prohibited"),
    ((_ANY, _ANY, _ANY, '"civilian_infrastructure", "government", "other"', _ANY, _ANY, _ANY,
      _ANY), "prohibited"),
    ((_ANY, _ANY, _ANY, _ANY, _ANY, _ANY, '"moscow"', _ANY), "prohibited"),
    ((_ANY, _ANY, _ANY, '"military_unit"', "true", '"short_range"', '"deep_inside"', _ANY),
     "prohibited"),
    ((_ANY, _ANY, _ANY, '"military_unit"', "true", '"atacms"', _ANY, "false"), "contested"),
    ((_ANY, _ANY, _ANY, '"military_unit"', "true", _ANY, _ANY, _ANY), "permitted"),
    ((_ANY, _ANY, _ANY, _ANY, "true", _ANY,
      '"across_from_kharkiv", "across_from_sumy", "elsewhere_near_border"', _ANY), "contested"),
    ((_ANY, _ANY, _ANY, _ANY, _ANY, '"atacms", "other_long_range"', _ANY, _ANY), "contested"),
    ((_ANY, _ANY, _ANY, _ANY, _ANY, _ANY, _ANY, _ANY), "prohibited"),
)


def zen_graph() -> dict[str, Any]:
    """A JDM graph: input → one decision table → output."""
    inputs = [{"id": f"i{k}", "name": name, "field": name} for k, name in enumerate(NAMES)]
    rules = []
    for r, (cells, verdict) in enumerate(ZEN_ROWS):
        row = {"_id": f"r{r}", "o": json.dumps(verdict)}
        row.update({f"i{k}": cell for k, cell in enumerate(cells)})
        rules.append(row)
    table = {"hitPolicy": "first", "inputs": inputs,
             "outputs": [{"id": "o", "name": "verdict", "field": "verdict"}], "rules": rules}
    where = {"x": 0, "y": 0}
    return {
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "Request", "position": where},
            {"id": "table", "type": "decisionTableNode", "name": "verdict", "position": where,
             "content": table},
            {"id": "out", "type": "outputNode", "name": "Response", "position": where},
        ],
        "edges": [
            {"id": "e1", "sourceId": "in", "targetId": "table", "type": "edge"},
            {"id": "e2", "sourceId": "table", "targetId": "out", "type": "edge"},
        ],
    }


def _version(dist: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


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
        name, truth = rng.choice(flags), rng.random() < 0.5
        used.add(name)
        return {"fact": name, "is": truth}, f"f[{name!r}] is {truth}"
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


# --- section: the shipped ruleset -------------------------------------------------------------


def check_reading(rs: Any, space: list[dict[str, Any]]) -> dict[str, Any]:
    """The limit against the reading it is for, and the reading against the ruleset's rules:
    a rule added, removed or renamed in rules/ stops the bench until the reading follows."""
    read = {r.id for r in SHIPPED_READING}
    have = {r.id for r in rs.rules}
    if read != have or list(rs.facts) != list(NAMES):
        raise Mismatch(
            "bench/run.py's reading of the shipped ruleset is out of date: rules only in the "
            f"ruleset {sorted(have - read)}, only in the reading {sorted(read - have)}; facts "
            f"{list(rs.facts)} (the reading has {list(NAMES)})")
    bad = [f for f in space if reading_verdict(f) != shipped_limit(f)]
    if bad:
        raise Mismatch(f"shipped_limit differs from SHIPPED_READING on {len(bad)} complete "
                       f"scenarios, first {bad[0]} (reading {reading_verdict(bad[0])}, limit "
                       f"{shipped_limit(bad[0])})")
    return {"rules_read": len(read), "limit_equals_reading_on": len(space)}


def cross_check(label: str, decisions: Iterable[Any], batch: Sequence[Mapping[str, Any]],
                expected: Sequence[str]) -> int:
    """Every decision's verdict against the oracle's; Mismatch on the first difference."""
    n = 0
    for f, d, want in zip(batch, decisions, expected, strict=True):
        got = verdict_of(d)
        if got != want:
            raise Mismatch(f"{label}: claimrules says {got}, the limit {want}, for {dict(f)}")
        n += 1
    return n


def zen_contenders(batch: list[dict[str, Any]], expected: list[str]
                   ) -> tuple[list[Contender], dict[str, Any]]:
    """zen-engine's single calls (`ZenEngine.evaluate`, `ZenDecision.evaluate`) and its batch
    call, on the decision table, after checking its answer for every scenario."""
    try:
        import zen
    except ImportError:
        return [], {"absent": "zen-engine is not installed (pip install zen-engine): skipped"}
    graph = zen_graph()
    engine = zen.ZenEngine({"loader": {"type": "static", "content": {"policy": graph}}})
    decision = engine.create_decision(json.dumps(graph))
    got = [str(engine.evaluate("policy", f)["result"]["verdict"]) for f in batch]
    bad = [i for i, (a, b) in enumerate(zip(got, expected, strict=True)) if a != b]
    if bad:
        raise Mismatch(f"zen-engine's decision table says {got[bad[0]]}, the limit "
                       f"{expected[bad[0]]}, for {batch[bad[0]]} ({len(bad)} differ)")
    answers = engine.evaluate_batch([{"key": "policy", "context": f} for f in batch])
    if [str(a["data"]["result"]["verdict"]) for a in answers] != expected:
        raise Mismatch("zen-engine's batch call differs from its single calls")
    n = len(batch)

    def single(call: Callable[[dict[str, Any]], Any]) -> Callable[[int], Callable[[], None]]:
        def prepare(passes: int) -> Callable[[], None]:
            def run() -> None:
                for _ in range(passes):
                    for f in batch:
                        call(f)["result"]["verdict"]
            return run
        return prepare

    def batched(passes: int) -> Callable[[], None]:
        requests: list[Any] = [{"key": "policy", "context": f} for f in batch]

        def run() -> None:
            for _ in range(passes):
                for a in engine.evaluate_batch(requests):
                    a["data"]["result"]["verdict"]
        return run

    return [
        Contender("zen-engine ZenEngine.evaluate (single)",
                  single(lambda f: engine.evaluate("policy", f)), n),
        Contender("zen-engine ZenDecision.evaluate (single)", single(decision.evaluate), n),
        Contender("zen-engine evaluate_batch", batched, n),
    ], {"version": _version("zen-engine"), "checked": n, "rows": len(ZEN_ROWS)}


@dataclass
class ShippedScenarios:
    """The scenarios of the shipped section and the limit's verdicts for them."""

    complete: list[dict[str, Any]]  # every complete scenario, keys in random order
    expected: list[str]
    partial: list[dict[str, Any]]  # distinct scenarios with about 30% of facts missing
    partial_expected: list[str]


def shipped_scenarios(quick: bool, rng: random.Random) -> ShippedScenarios:
    """Every complete scenario, shuffled, and scenarios with 30% of facts missing, with the
    limit's verdicts (over every completion, where facts are missing)."""
    space = complete_space()
    rng.shuffle(space)
    complete = [shuffled(f, rng) for f in space]
    partial = with_missing(1200 if quick else 3600, 0.3, rng)
    return ShippedScenarios(complete, [shipped_limit(f) for f in complete],
                            partial, [over_completions(f) for f in partial])


def check_shipped(sc: ShippedScenarios, rng: random.Random) -> dict[str, Any]:
    """Every decision the section times, before it is timed: fresh loads, keys in random
    order, verdict-only and full, first seen and seen again, and `evaluate` one at a time."""
    checked = 0
    for label, batch, want in (("complete", sc.complete, sc.expected),
                               ("30% missing", sc.partial, sc.partial_expected)):
        for explain in (False, True):
            fresh = load_ruleset(SHIPPED)
            name = f"{label}, {'full' if explain else 'verdict-only'}"
            checked += cross_check(f"{name}, first seen",
                                   evaluate_many(fresh, batch, explain=explain), batch, want)
            again = [shuffled(f, rng) for f in batch]
            checked += cross_check(f"{name}, seen again",
                                   evaluate_many(fresh, again, explain=explain), again, want)
        one = load_ruleset(SHIPPED)
        checked += cross_check(f"{label}, evaluate()", (evaluate(one, f) for f in batch[:300]),
                               batch[:300], want[:300])
    a, b = load_ruleset(SHIPPED), load_ruleset(SHIPPED)
    probe = sc.complete[0]
    shared = evaluate(a, probe, explain=False) is evaluate(b, probe, explain=False)
    return {"cross_checked_decisions": checked, "fresh_loads_share_decisions": shared}


#: How many key orders of a batch a timed run cycles through (each pass of a first-seen run
#: is on a ruleset of its own, so a key order met again is still a first-seen scenario).
POOL = 8


def key_orders(batch: list[dict[str, Any]], count: int, rng: random.Random
               ) -> list[list[dict[str, Any]]]:
    """`count` copies of a batch, each scenario's keys in a new random order."""
    return [[shuffled(f, rng) for f in batch] for _ in range(count)]


def lookup_contender(kind: str, batch: list[dict[str, Any]], verdicts: list[str],
                     rng: random.Random) -> Contender:
    """A dict lookup of the same verdicts by canonical key: each pass gets the scenarios with
    their keys in a new random order, as the engine does."""
    table = dict(zip(map(canonical, batch), verdicts, strict=True))
    names = NAMES

    def verdict(f: Mapping[str, Any]) -> str:
        return table[tuple(map(f.get, names))]

    def prepare(passes: int) -> Callable[[], None]:
        pool = key_orders(batch, min(passes, POOL), rng)

        def run() -> None:
            for k in range(passes):
                drain(map(verdict, pool[k % len(pool)]))
        return run
    return Contender(f"dict lookup by canonical key ({kind})", prepare, len(batch))


def first_seen_contender(kind: str, batch: list[dict[str, Any]], explain: bool,
                         rng: random.Random, primed: bool = False) -> Contender:
    """`evaluate_many` over scenarios never seen: each pass on a freshly loaded ruleset (the
    load is untimed), the keys of each scenario in a new random order. `primed`: before the
    timed run, each fresh ruleset answers two scenarios outside the batch, which compiles
    its reading (the diagram is built on a reading's second scenario): the run then times
    the per-scenario cost alone, the compile left out (its leaves' cores are still built in
    the run, when a scenario first reaches them)."""
    consume = explained if explain else verdict_of
    seen = {canonical(f) for f in batch}
    primers = [f for f in ({}, *({n: v} for n, vs in VOCABULARY.items() for v in vs))
               if canonical(f) not in seen][:2]

    def prepare(passes: int) -> Callable[[], None]:
        rulesets = [load_ruleset(SHIPPED) for _ in range(passes)]
        if primed:
            for fresh in rulesets:
                drain(evaluate_many(fresh, primers, explain=explain))
        pool = key_orders(batch, min(passes, POOL), rng)

        def run() -> None:
            for k, fresh in enumerate(rulesets):
                drain(map(consume, evaluate_many(fresh, pool[k % len(pool)], explain=explain)))
        return run
    what = "full decisions" if explain else "verdict-only"
    primed_label = ", reading compiled" if primed else ""
    return Contender(f"claimrules {what}, first seen{primed_label} ({kind})", prepare, len(batch))


def floor_contender(kind: str, batch: list[dict[str, Any]], rng: random.Random,
                    remember: bool) -> Contender:
    """The least work any engine must do per first-seen scenario under the API, with
    everything else done before the timed run: the canonical key (as the dict lookup), a
    look-up of a ready decision for it (from a warm `evaluate_many`, so no rule is tested, no
    input checked, no diagram walked), and a new `Decision` carrying this scenario's facts
    (`Decision.facts` is the scenario's, so two scenarios can never share one). `remember`:
    kept by canonical key, as an engine that hands the same object to a scenario asked again
    must. No engine can beat this row; a first-seen target above its ratio cannot be met."""
    rs = load_ruleset(SHIPPED)
    ready = {canonical(f): d for f, d in zip(batch, evaluate_many(rs, batch), strict=True)}
    names = NAMES
    new = object.__new__

    def decision(f: Mapping[str, Any]) -> Any:
        template = ready[tuple(map(f.get, names))]
        made = new(template.__class__)
        own = made.__dict__
        own.update(template.__dict__)
        own["facts"] = dict(f)
        return made

    def prepare(passes: int) -> Callable[[], None]:
        pool = key_orders(batch, min(passes, POOL), rng)

        def run() -> None:
            for k in range(passes):
                if not remember:
                    drain(map(verdict_of, map(decision, pool[k % len(pool)])))
                    continue
                memo: dict[tuple[Any, ...], Any] = {}
                for f in pool[k % len(pool)]:
                    key = tuple(map(f.get, names))
                    made = memo[key] = decision(f)
                    verdict_of(made)
        return run
    what = "remembered" if remember else "not remembered"
    return Contender(f"contract floor, {what} ({kind})", prepare, len(batch))


def warm_contenders(batch: list[dict[str, Any]]) -> tuple[Contender, Contender]:
    """The hand-written limit, and `evaluate_many` verdict-only on a ruleset that has seen
    these very scenarios once."""
    rs = load_ruleset(SHIPPED)
    drain(evaluate_many(rs, batch))

    def warm(passes: int) -> Callable[[], None]:
        def run() -> None:
            for _ in range(passes):
                drain(map(verdict_of, evaluate_many(rs, batch)))
        return run

    def limit(passes: int) -> Callable[[], None]:
        def run() -> None:
            for _ in range(passes):
                drain(map(shipped_limit, batch))
        return run

    return (Contender("hand-written limit", limit, len(batch)),
            Contender("claimrules verdict-only, warm", warm, len(batch)))


def shipped_section(rounds: int, quick: bool, seed: int, timed: bool = True) -> dict[str, Any]:
    """First-seen decisions against a dict lookup, warm throughput against the limit and
    zen-engine. Everything is cross-checked first (and only that, unless `timed`)."""
    rng = random.Random(seed)
    out: dict[str, Any] = {"reading": check_reading(load_ruleset(SHIPPED), complete_space())}
    sc = shipped_scenarios(quick, rng)
    out["scenarios"] = {"complete": len(sc.complete), "missing_30pct": len(sc.partial),
                        "missing_facts_per_scenario": statistics.fmean(
                            sum(f.get(n) is None for n in NAMES) for f in sc.partial)}
    out["verdicts"] = {"complete": collections_count(sc.expected),
                       "missing_30pct": collections_count(sc.partial_expected)}
    out.update(check_shipped(sc, rng))
    limit, warm = warm_contenders([shuffled(f, rng) for f in sc.complete])
    c = {  # short names for the ratios below
        "lookup": lookup_contender("complete", sc.complete, sc.expected, rng),
        "verdict": first_seen_contender("complete", sc.complete, False, rng),
        "full": first_seen_contender("complete", sc.complete, True, rng),
        "lookup_missing": lookup_contender("missing", sc.partial, sc.partial_expected, rng),
        "verdict_missing": first_seen_contender("missing", sc.partial, False, rng),
        "verdict_compiled": first_seen_contender("complete", sc.complete, False, rng, True),
        "verdict_missing_compiled": first_seen_contender("missing", sc.partial, False, rng,
                                                         True),
        "full_missing": first_seen_contender("missing", sc.partial, True, rng),
        "limit": limit,
        "warm": warm,
        "floor": floor_contender("complete", sc.complete, rng, False),
        "floor_kept": floor_contender("complete", sc.complete, rng, True),
        "floor_missing": floor_contender("missing", sc.partial, rng, False),
        "floor_missing_kept": floor_contender("missing", sc.partial, rng, True),
    }
    zen_timed, out["zen-engine"] = zen_contenders(
        [dict(zip(NAMES, canonical(f), strict=True)) for f in sc.complete], sc.expected)
    if not timed:
        return out
    measure([*c.values(), *zen_timed], rounds)
    out["timings"] = {t.name: timing_row(t) for t in [*c.values(), *zen_timed]}
    # (ratio, contender, over contender); the last is the warm floor: a warm decision must
    # at least build the canonical key and look it up.
    pairs = (
        ("first seen verdict-only / lookup", "verdict", "lookup"),
        ("first seen full / lookup", "full", "lookup"),
        ("first seen verdict-only, 30% missing / lookup", "verdict_missing", "lookup_missing"),
        ("first seen full, 30% missing / lookup", "full_missing", "lookup_missing"),
        ("first seen verdict-only, reading compiled / lookup", "verdict_compiled", "lookup"),
        ("first seen verdict-only, 30% missing, reading compiled / lookup",
         "verdict_missing_compiled", "lookup_missing"),
        ("first seen full / verdict-only", "full", "verdict"),
        ("first seen full / verdict-only, 30% missing", "full_missing", "verdict_missing"),
        ("warm verdict-only / limit", "warm", "limit"),
        ("contract floor, not remembered / lookup", "floor", "lookup"),
        ("contract floor, remembered / lookup", "floor_kept", "lookup"),
        ("contract floor, not remembered, 30% missing / lookup", "floor_missing",
         "lookup_missing"),
        ("contract floor, remembered, 30% missing / lookup", "floor_missing_kept",
         "lookup_missing"),
        ("first seen verdict-only / contract floor, remembered", "verdict", "floor_kept"),
        ("dict lookup by canonical key / limit", "lookup", "limit"),
    )
    ratios: dict[str, float] = {name: paired_ratio(c[a], c[b]) for name, a, b in pairs}
    if zen_timed:
        singles = [z for z in zen_timed if "(single)" in z.name]
        fastest = max(singles, key=lambda z: statistics.median(z.rates()))
        batch = next(z for z in zen_timed if "batch" in z.name)
        out["zen-engine"]["fastest single call"] = fastest.name
        ratios["warm verdict-only / zen-engine fastest single call"] = paired_ratio(
            c["warm"], fastest)
        ratios["warm verdict-only / zen-engine batch"] = paired_ratio(c["warm"], batch)
        ratios["zen-engine batch / its fastest single call"] = paired_ratio(batch, fastest)
        ratios["first seen verdict-only / zen-engine fastest single call"] = paired_ratio(
            c["verdict"], fastest)
        ratios["dict lookup by canonical key / zen-engine fastest single call"] = paired_ratio(
            c["lookup"], fastest)
    out["ratios"] = ratios
    return out


def collections_count(items: Iterable[str]) -> dict[str, int]:
    """How many times each item occurs."""
    out: dict[str, int] = {}
    for item in items:
        out[item] = out.get(item, 0) + 1
    return out


# --- section: a generated ruleset of 10,000 rules ---------------------------------------------


def first_decisions_ms(path: Path, scenarios: list[dict[str, Any]]) -> float:
    """CPU milliseconds per full explained decision over the first scenarios of a fresh
    load (its memory freed on return)."""
    fresh = load_ruleset(path)
    return cpu_seconds(lambda: [explained(evaluate(fresh, f)) for f in scenarios]) * 1000 / len(
        scenarios)


def generated_section(size: int, rounds: int, seed: int, tmp: Path,
                      timed: bool = True) -> dict[str, Any]:
    """A full explained decision (and a verdict-only one) on a generated ruleset of `size`
    rules: every scenario is new (a random number among its facts), so none is remembered."""
    gen = generate(size, size, seed + size)
    name = f"gen-{size}"
    path = write_ruleset(gen, tmp, name)
    load_cpu = cpu_seconds(lambda: load_ruleset(path))
    rs = load_ruleset(path)
    limit = import_limit(gen, tmp, name)
    rng = random.Random(seed + 7 * size)
    seen: set[tuple[Any, ...]] = set()

    def new(count: int) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        while len(out) < count:
            for f in random_scenarios(count - len(out), rng):
                key = tuple(sorted(f.items()))
                if key not in seen:
                    seen.add(key)
                    out.append(f)
        return out

    check = new(1000)
    want = [limit.verdict(f) for f in check]
    checked = cross_check(f"{name}, verdict-only", evaluate_many(rs, check), check, want)
    full = new(50)
    checked += cross_check(f"{name}, full", (evaluate(rs, f) for f in full), full,
                           [limit.verdict(f) for f in full])
    if not timed:
        return {"rules": len(rs.rules), "cross_checked_decisions": checked}

    # The first decisions of a fresh load meet each lead value (a rule's first test, here on a
    # key fact) for the first time, and lay out every rule's outcome for it (see bench/
    # README.md): timed apart, on a load of their own. The timed rounds then run once every
    # key fact has shown each of its values (untimed), so that they all time the same thing.
    first_ms = first_decisions_ms(path, new(100))
    every_value = new(len(KEY_VALUES))
    for f, v in zip(every_value, KEY_VALUES, strict=True):
        f.update(dict.fromkeys(KEY_FACTS, v))
        seen.add(tuple(sorted(f.items())))
    for f in every_value:
        explained(evaluate(rs, f))

    def decisions(explain: bool) -> Callable[[int], Callable[[], None]]:
        consume = explained if explain else verdict_of

        def prepare(passes: int) -> Callable[[], None]:
            batch = new(passes)

            def run() -> None:
                for f in batch:
                    consume(evaluate(rs, f, explain=explain))
            return run
        return prepare

    contenders = [Contender("full explained decision", decisions(True), 1),
                  Contender("verdict-only decision", decisions(False), 1)]
    measure(contenders, rounds)
    return {
        "rules": len(rs.rules), "claims": len(rs.claims), "load_cpu_seconds": load_cpu,
        "cross_checked_decisions": checked,
        "verdicts": collections_count(want),
        "mean_rules_with_matching_keys": statistics.fmean(limit.keyed(f) for f in check),
        "timings": {c.name: timing_row(c) for c in contenders},
        "ms_per_full_decision": contenders[0].per_decision() * 1000,
        "ms_per_full_decision_first_100_of_a_fresh_load": first_ms,
        "ms_per_verdict_only_decision": contenders[1].per_decision() * 1000,
    }


# --- section (opt-in): load + check against a plain YAML parse (issue 6) ---------------------


def load_section(n_claims: int, n_rules: int, rounds: int, seed: int,
                 tmp: Path) -> dict[str, Any]:
    """`load_ruleset` (parse with positions, validate, cross-check, hash archives, verify every
    quote) against a bare parse of the same YAML files; and peak traced memory at a quarter
    and at the full size (linear means the same bytes per claim)."""
    import tracemalloc

    path = write_ruleset(generate(n_rules, n_claims, seed), tmp, f"load-{n_claims}")
    files = sorted(path.rglob("*.yaml"))
    c_loader = getattr(yaml, "CSafeLoader", None)

    def repeat(work: Callable[[], object]) -> Callable[[int], Callable[[], None]]:
        def prepare(passes: int) -> Callable[[], None]:
            def run() -> None:
                for _ in range(passes):
                    work()
            return run
        return prepare

    def parse(loader: Any) -> Callable[[], object]:
        return lambda: [yaml.load(p.read_text("utf-8"), Loader=loader) for p in files]

    contenders = [Contender("load_ruleset (load + check)", repeat(lambda: load_ruleset(path)), 1),
                  Contender("yaml.safe_load", repeat(parse(yaml.SafeLoader)), 1)]
    if c_loader is not None:
        contenders.append(Contender("yaml CSafeLoader", repeat(parse(c_loader)), 1))
    measure(contenders, rounds)
    out: dict[str, Any] = {
        "claims": n_claims, "rules": n_rules, "yaml_files": len(files),
        "timings": {c.name: timing_row(c) for c in contenders},
        "ratios": {f"load / {c.name}": paired_ratio(c, contenders[0]) for c in contenders[1:]},
    }
    small = write_ruleset(generate(n_rules // 4, n_claims // 4, seed), tmp,
                          f"load-{n_claims // 4}")
    memory: dict[str, Any] = {}
    for label, where, claims in (("quarter", small, n_claims // 4), ("full", path, n_claims)):
        gc.collect()
        tracemalloc.start()
        kept = load_ruleset(where)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        memory[label] = {"claims": claims, "peak_bytes": peak, "bytes_per_claim": peak / claims}
        del kept
    memory["per_claim_full_over_quarter"] = (memory["full"]["bytes_per_claim"]
                                             / memory["quarter"]["bytes_per_claim"])
    out["memory"] = memory
    return out


# --- section: one-shot processes --------------------------------------------------------------

ONE_SHOT_FACTS = {"actor": "ukraine", "munitions_origin": "us", "target_location": "russia",
                  "target_type": "military_unit", "directly_involved_in_invasion": True,
                  "weapon_class": "short_range", "area": "across_from_kharkiv",
                  "in_kursk_region": False}


def _command() -> list[str]:
    """The `claimrules` console script of this interpreter's environment, as a user runs it."""
    beside = Path(sys.executable).with_name("claimrules")
    if beside.is_file():
        return [str(beside)]
    exe = shutil.which("claimrules")
    return [exe] if exe else [sys.executable, "-m", "claimrules"]


def _compile_bytecode() -> bool:
    """Compile claimrules' modules to bytecode, as `pip install` does for an installed package
    (an editable install may have none, and every process would compile the sources)."""
    import claimrules

    package = Path(claimrules.__file__).parent
    done = subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)],
                          capture_output=True, check=False)
    return done.returncode == 0


def _child(
    cmd: list[str], env: Mapping[str, str]
) -> tuple[float, float, subprocess.CompletedProcess[bytes]]:
    """Wall seconds and CPU seconds (user + system) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, check=False, env=dict(env))
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done


def _import_times(cmd: list[str], env: Mapping[str, str], runs: int) -> dict[str, int]:
    """Each module a command imports, with the least self time (µs) `-X importtime` gave it
    over `runs` runs."""
    best: dict[str, int] = {}
    for _ in range(runs):
        done = subprocess.run(cmd, capture_output=True, check=False,
                              env={**env, "PYTHONPROFILEIMPORTTIME": "1"})
        for line in done.stderr.decode(errors="replace").splitlines():
            head, _, name = line.rpartition("|")
            parts = head.split(":", 1)[-1].split("|")
            if not line.startswith("import time:") or not parts[0].strip().isdigit():
                continue
            module, own = name.strip(), int(parts[0])
            best[module] = min(own, best.get(module, own))
    return best


def _group(module: str, baseline: Mapping[str, int]) -> str:
    if module in baseline:
        return "imported by python -c 'import click' too"
    if module.startswith("claimrules."):
        return ".".join(module.split(".")[:2])
    return "claimrules" if module == "claimrules" else "other modules (stdlib)"


def import_breakdown(cmd: list[str], env: Mapping[str, str], baseline_cmd: list[str],
                     runs: int) -> dict[str, Any]:
    """Where a one-shot command's imports go (`-X importtime`, least self time per module over
    a few runs), grouped: modules `import click` imports too, claimrules' packages, the rest."""
    times = _import_times(cmd, env, runs)
    baseline = _import_times(baseline_cmd, env, runs)
    groups: dict[str, float] = {}
    for module, own in times.items():
        key = _group(module, baseline)
        groups[key] = groups.get(key, 0.0) + own / 1000
    extra = {m: t for m, t in times.items() if m not in baseline}
    return {
        "ms_by_group": dict(sorted(groups.items(), key=lambda kv: -kv[1])),
        "modules": len(times), "modules_beyond_click": len(extra),
        "slowest_beyond_click_ms": {m: t / 1000 for m, t in sorted(
            extra.items(), key=lambda kv: -kv[1])[:12]},
    }


def one_shot_section(rounds: int, timed: bool = True) -> dict[str, Any]:
    """A whole `claimrules eval … --format json` process with a warm cache of checked rulesets,
    against `python -c "import click"` (and `python -c pass`), interleaved."""
    facts = [arg for k, v in ONE_SHOT_FACTS.items()
             for arg in ("--fact", f"{k}={str(v).lower() if isinstance(v, bool) else v}")]
    commands = {
        "claimrules eval (one scenario, json)": [*_command(), "eval", str(SHIPPED), *facts,
                                                 "--format", "json"],
        "python -c 'import click'": [sys.executable, "-c", "import click"],
        "python -c 'pass'": [sys.executable, "-c", "pass"],
    }
    want = verdict_of(evaluate(load_ruleset(SHIPPED), ONE_SHOT_FACTS))
    if want != shipped_limit(ONE_SHOT_FACTS):
        raise Mismatch(f"one-shot scenario: evaluate says {want}, the limit "
                       f"{shipped_limit(ONE_SHOT_FACTS)}")
    bytecode = _compile_bytecode()
    wall: dict[str, list[float]] = {k: [] for k in commands}
    cpu: dict[str, list[float]] = {k: [] for k in commands}
    with tempfile.TemporaryDirectory(prefix="claimrules-bench-cache-") as cache:
        env = {**os.environ, "CLAIMRULES_CACHE_DIR": cache}
        env.pop("CLAIMRULES_NO_CACHE", None)
        for _ in range(2):  # untimed: fill the cache of checked rulesets, warm the file cache
            for cmd in commands.values():
                done = subprocess.run(cmd, capture_output=True, check=False, env=env)
        first = _child(commands["claimrules eval (one scenario, json)"], env)[2]
        if first.returncode != 0:
            raise Mismatch(f"claimrules eval failed ({first.returncode}): "
                           f"{first.stderr.decode(errors='replace')[:500]}")
        got = json.loads(first.stdout)["verdict"]
        if got != want:
            raise Mismatch(f"claimrules eval says {got}, evaluate {want}")
        entries = len(list(Path(cache).iterdir()))
        if not timed:
            return {"verdict": got, "cache_entries": entries}
        names = list(commands)
        for r in range(rounds):
            for k in range(len(names)):
                name = names[(r + k) % len(names)]
                w, c, done = _child(commands[name], env)
                if done.returncode != 0:
                    raise Mismatch(f"{name} failed ({done.returncode})")
                wall[name].append(w)
                cpu[name].append(c)
        imports = import_breakdown(commands["claimrules eval (one scenario, json)"], env,
                                   commands["python -c 'import click'"], max(3, rounds // 3))
    med_wall = {k: statistics.median(v) for k, v in wall.items()}
    med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    base = "python -c 'import click'"
    evaluated = "claimrules eval (one scenario, json)"
    return {
        "verdict": got, "bytecode_compiled": bytecode, "cache_entries": entries,
        "runs": rounds, "imports": imports,
        "wall_seconds": med_wall, "cpu_seconds": med_cpu,
        "all_wall_seconds": {k: [round(x, 4) for x in v] for k, v in wall.items()},
        "ratios": {
            "eval / import click (wall)": med_wall[evaluated] / med_wall[base],
            "eval / import click (CPU)": med_cpu[evaluated] / med_cpu[base],
            "import click / pass (wall)": med_wall[base] / med_wall["python -c 'pass'"],
        },
    }


# --- report -----------------------------------------------------------------------------------


@dataclass
class Target:
    """One target of the issue: the measure, its value, the bound, and whether it is met."""

    measure: str
    value: float | None
    bound: float
    at_least: bool
    unit: str = "x"
    # The best any engine can reach on this measure, measured in the same run (see
    # `floor_contender`): a bound past it cannot be met.
    floor: float | None = None

    @property
    def met(self) -> bool | None:
        if self.value is None or math.isnan(self.value):
            return None
        return self.value >= self.bound if self.at_least else self.value <= self.bound


def targets(result: Mapping[str, Any]) -> list[Target]:
    """Every target of issue 12 item 3 that this run measured."""
    out: list[Target] = []
    s = result.get("shipped")
    if s:
        r = s["ratios"]
        out += [
            Target("first seen, verdict-only / dict lookup", r["first seen verdict-only / lookup"],
                   0.5, True, floor=r["contract floor, not remembered / lookup"]),
            Target("first seen, 30% facts missing / dict lookup",
                   r["first seen verdict-only, 30% missing / lookup"], 0.25, True,
                   floor=r["contract floor, not remembered, 30% missing / lookup"]),
            Target("first seen, full decisions / dict lookup", r["first seen full / lookup"],
                   0.25, True, floor=r["contract floor, not remembered / lookup"]),
            Target("first seen, full, 30% missing / dict lookup",
                   r["first seen full, 30% missing / lookup"], 0.125, True,
                   floor=r["contract floor, not remembered, 30% missing / lookup"]),
            Target("warm verdict-only / hand-written limit", r["warm verdict-only / limit"],
                   0.5, True, floor=r["dict lookup by canonical key / limit"]),
            Target("warm verdict-only / zen-engine fastest single call",
                   r.get("warm verdict-only / zen-engine fastest single call"), 20, True,
                   floor=r.get("dict lookup by canonical key / zen-engine fastest single call")),
        ]
    g = result.get("generated")
    if g:
        out.append(Target(f"{g['rules']:,} rules: ms per full explained decision",
                          g["ms_per_full_decision"], 1.0, False, " ms"))
    ld = result.get("load")
    if ld:
        out.append(Target(f"load + check / yaml.safe_load ({ld['claims']:,} claims; issue 6)",
                          ld["ratios"]["load / yaml.safe_load"], 3, False))
        out.append(Target("load memory per claim, full / quarter size (issue 6)",
                          ld["memory"]["per_claim_full_over_quarter"], 1.25, False))
    o = result.get("one_shot")
    if o:
        out.append(Target("one-shot eval --format json / python -c 'import click'",
                          o["ratios"]["eval / import click (wall)"], 1.5, False))
    return out


def _fmt(value: float | None, unit: str) -> str:
    if value is None or math.isnan(value):
        return "n/a"
    return f"{value:.3g}{unit}"


def print_report(result: Mapping[str, Any]) -> None:
    """The detail of each section, then the table of targets."""
    s = result.get("shipped")
    if s:
        sc = s["scenarios"]
        print(f"\n== shipped ruleset: {sc['complete']} complete scenarios, {sc['missing_30pct']} "
              f"with facts missing ({sc['missing_facts_per_scenario']:.2f} of 8 on average)")
        print(f"  limit = reading on every complete scenario; {s['cross_checked_decisions']} "
              "decisions cross-checked before timing")
        if s["fresh_loads_share_decisions"]:
            print("  WARNING: two fresh loads return the same Decision object: the first-seen "
                  "rows are not first seen")
        z = s["zen-engine"]
        print(f"  zen-engine: {z.get('absent') or z['version'] + ', checked on every scenario'}")
        for name, t in s["timings"].items():
            print(f"    {name:<56} {t['per_second'] / 1e3:10.1f} k/s  "
                  f"{t['seconds_per_decision'] * 1e6:8.2f} µs  "
                  f"(runs of {t['decisions_per_run']}, shortest {t['shortest_run_seconds']:.3f} s"
                  f"{' < MIN_RUN!' if t['shortest_run_seconds'] < MIN_RUN else ''})")
        for name, value in s["ratios"].items():
            print(f"    {name:<56} {value:10.3g}x")
    g = result.get("generated")
    if g:
        print(f"\n== generated ruleset: {g['rules']} rules, {g['claims']} claims (load "
              f"{g['load_cpu_seconds']:.1f} s CPU), {g['cross_checked_decisions']} decisions "
              f"cross-checked, {g['mean_rules_with_matching_keys']:.2f} rules with matching "
              "keys per scenario")
        print(f"    full explained decision {g['ms_per_full_decision']:.3f} ms (every lead value "
              f"seen; the first 100 of a fresh load: "
              f"{g['ms_per_full_decision_first_100_of_a_fresh_load']:.3f} ms each), verdict-only "
              f"{g['ms_per_verdict_only_decision']:.3f} ms")
    ld = result.get("load")
    if ld:
        print(f"\n== load + check: {ld['claims']} claims, {ld['rules']} rules, "
              f"{ld['yaml_files']} YAML files")
        for name, t in ld["timings"].items():
            print(f"    {name:<48} {t['seconds_per_decision']:8.3f} s CPU")
        m = ld["memory"]
        print(f"    peak memory {m['quarter']['peak_bytes'] / 1e6:.1f} MB at "
              f"{m['quarter']['claims']} claims, {m['full']['peak_bytes'] / 1e6:.1f} MB at "
              f"{m['full']['claims']} claims")
    o = result.get("one_shot")
    if o:
        print(f"\n== one-shot processes ({o['runs']} interleaved runs each; cache entries "
              f"{o['cache_entries']}, bytecode compiled first: {o['bytecode_compiled']})")
        for name in o["wall_seconds"]:
            print(f"    {name:<48} wall {o['wall_seconds'][name] * 1000:7.1f} ms  "
                  f"CPU {o['cpu_seconds'][name] * 1000:7.1f} ms")
        for name, value in o["ratios"].items():
            print(f"    {name:<48} {value:7.3g}x")
        imp = o["imports"]
        print(f"  eval imports {imp['modules']} modules, {imp['modules_beyond_click']} beyond "
              "those of import click; least self time (-X importtime) by group:")
        for name, ms in imp["ms_by_group"].items():
            print(f"    {name:<48} {ms:7.1f} ms")
        print("  slowest modules beyond import click: " + ", ".join(
            f"{m} {ms:.1f} ms" for m, ms in imp["slowest_beyond_click_ms"].items()))
    print("\n== targets")
    print(f"  {'measure':<58} {'value':>9}  {'target':>8}  {'floor':>8}  met")
    for t in result["targets"]:
        bound = ("≥ " if t.at_least else "≤ ") + f"{t.bound:g}{t.unit}"
        met = {True: "met", False: "NOT MET", None: "not measured"}[t.met]
        if t.met is False and t.floor is not None and (
                t.floor < t.bound if t.at_least else t.floor > t.bound):
            met += " (past the floor)"
        floor = "" if t.floor is None else _fmt(t.floor, t.unit)
        print(f"  {t.measure:<58} {_fmt(t.value, t.unit):>9}  {bound:>8}  {floor:>8}  {met}")
    print("  floor: the best any engine can reach on the measure, measured in this run: the\n"
          "  contract floor (first seen: the canonical key, a ready decision looked up, one new\n"
          "  Decision with the scenario's facts) and, for warm, the dict lookup by canonical key")


def _environment() -> dict[str, Any]:
    return {
        "python": sys.version.split()[0], "implementation": platform.python_implementation(),
        "platform": platform.platform(), "cpus": os.cpu_count(),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "versions": {d: _version(d) for d in ("claimrules", "pydantic", "PyYAML", "click",
                                              "zen-engine")},
    }


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, Target):
        return {"measure": value.measure, "value": _json_safe(value.value),
                "bound": value.bound, "at_least": value.at_least, "met": value.met}
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


SECTIONS = ("shipped", "generated", "one-shot", "load")
DEFAULT_SECTIONS = ("shipped", "generated", "one-shot")  # `load` (issue 6) only on request


def main(argv: list[str] | None = None) -> int:
    """Run the sections, print the table, write the JSON result; exit 1 on a mismatch."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="a short smoke run: 3 rounds, fewer scenarios, 1,000 rules")
    parser.add_argument("--only", choices=SECTIONS, action="append",
                        help="run only these sections (repeatable)")
    parser.add_argument("--out", type=Path, help="where to write the JSON result")
    parser.add_argument("--check", action="store_true",
                        help="only the cross-checks: time nothing (exit 1 on a mismatch)")
    parser.add_argument("--seed", type=int, default=20240530)
    parser.add_argument("--size", type=int,
                        help="rules in the generated ruleset (default 10,000; 1,000 with --quick)")
    args = parser.parse_args(argv)
    timed = not args.check
    rounds = 3 if args.quick else 7
    sections = set(args.only or DEFAULT_SECTIONS)
    result: dict[str, Any] = {"started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                              "quick": args.quick, "rounds": rounds,
                              "environment": _environment()}
    tmp = Path(tempfile.mkdtemp(prefix="claimrules-bench-"))
    try:
        if "shipped" in sections:
            print("shipped ruleset …", file=sys.stderr)
            result["shipped"] = shipped_section(rounds, args.quick, args.seed, timed)
        if "generated" in sections:
            size = args.size or (1000 if args.quick else 10000)
            print(f"generated ruleset of {size} rules …", file=sys.stderr)
            result["generated"] = generated_section(size, rounds, args.seed, tmp, timed)
        if "load" in sections and timed:
            claims, rules = (2500, 250) if args.quick else (10000, 1000)
            print(f"load + check of {claims} claims …", file=sys.stderr)
            result["load"] = load_section(claims, rules, max(3, rounds - 2), args.seed, tmp)
        if "one-shot" in sections:
            print("one-shot processes …", file=sys.stderr)
            result["one_shot"] = one_shot_section(7 if args.quick else 25, timed)
    except Mismatch as exc:
        print(f"MISMATCH (nothing more is timed): {exc}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if not timed:
        print(json.dumps(_json_safe(result), indent=2))
        print("every cross-check passed (nothing timed)")
        return 0
    result["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    result["targets"] = targets(result)
    print_report(result)
    stamp = time.strftime("%Y%m%d-%H%M%S") + ("-quick" if args.quick else "")
    out = args.out or RESULTS / f"bench-{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(_json_safe(result), indent=2) + "\n", "utf-8")
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
