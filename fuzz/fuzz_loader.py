"""Coverage-guided fuzzing of the loader with atheris (libFuzzer).

    pip install atheris
    python fuzz/fuzz_loader.py -max_total_time=60                  # a scratch corpus in memory
    python fuzz/fuzz_loader.py -max_total_time=600 /tmp/corpus tests/hostile tests/hostile/cli

The first byte of each input picks a target; the rest is the file:

0. bytes → strict UTF-8 decoding and the safe YAML reader (`yamlsafe`), as `read_text` +
   `parse_yaml` do for every file;
1. text → a scenario file: `load_scenario`, then typing its facts against the shipped
   vocabulary (widened with a number and a date fact);
2. text → one more rule file in the shipped ruleset, rebuilt in process (models, cross-checks,
   compilation), then evaluated on two scenarios;
3. text → one more sources file (its archives read as the loader reads them);
4. text → one more claims file;
5. text → one more cases file.

Each must return a result or raise `LoadError` (ScenarioError is one). Anything else is a
crash: libFuzzer stops and writes the input to `crash-<sha1>`. Reproduce one with
`python fuzz/fuzz_loader.py crash-<sha1>`.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import atheris

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # for _fuzzkit

with atheris.instrument_imports(include=["claimrules", "yaml"]):
    from claimrules import LoadError, evaluate
    from claimrules.load.loader import load_scenario
    from claimrules.load.scenario import coerce_facts
    from claimrules.load.yamlsafe import _decode_text, parse_yaml

import _fuzzkit  # noqa: E402 - needs the path above

PARTS = _fuzzkit.shipped_parts(extended=True)
VOCABULARY = {f.name: f for f in PARTS.meta.model.facts}


def _bytes(data: bytes) -> None:
    with contextlib.suppress(LoadError):
        parse_yaml(_decode_text(data, "f.yaml"), "f.yaml")


def _scenario(text: str) -> None:
    with contextlib.suppress(LoadError):
        model, doc = load_scenario(text, "s.yaml")
        coerce_facts(VOCABULARY, model.facts, file="s.yaml", base=("facts",),
                     positions=doc.positions)


BASE = {"actor": "ukraine", "munitions_origin": "us", "target_location": "russia"}
FULL = {**BASE, "distance_km": 250, "strike_date": "2024-11-20", "area": "deep_inside"}
KINDS = ["rules", "sources", "claims", "cases"]


def _file(text: str, kind: str) -> None:
    try:
        ruleset = _fuzzkit.build_with_file(PARTS, text, kind)
    except LoadError:
        return
    ruleset.compiled()
    evaluate(ruleset, BASE)
    evaluate(ruleset, FULL)


def test_one_input(data: bytes) -> None:
    """libFuzzer's entry point."""
    if not data:
        return
    target, body = data[0] % 6, data[1:]
    if target == 0:
        _bytes(body)
        return
    text = body.decode("utf-8", "replace")
    if target == 1:
        _scenario(text)
    else:
        _file(text, KINDS[target - 2])


def main() -> None:
    """Run libFuzzer with the command line's options and corpus directories."""
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
