"""Start-up stays lean: what a one-shot command imports, read from a child process's
`sys.modules` (counted, never timed: the timing is bench/run.py's one-shot section).

A one-shot `claimrules eval` of a cached ruleset needs the cache reader, the engine and one
reporter. Everything else (the loader and its validators, analysis, authoring, the other
reporters, PyYAML, pydantic) is imported lazily by the commands that use it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "rules" / "us-weapons-inside-russia"

_PROBE = """
import json, sys
from claimrules.cli.main import main
sys.argv = ["claimrules", *sys.argv[1:]]
code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code
print(json.dumps([code, sorted(sys.modules)]), file=sys.stderr)
"""

_BASELINE = "import json, sys, click; print(json.dumps([0, sorted(sys.modules)]), file=sys.stderr)"

#: Modules a one-shot eval of a cached ruleset must not import (prefixes).
_NOT_ON_THE_EVAL_PATH = (
    "claimrules.analysis", "claimrules.authoring",
    "claimrules.load.loader", "claimrules.load.model", "claimrules.load.yamlsafe",
    "claimrules.load.checks", "claimrules.load.quotes", "claimrules.load.schema",
    "claimrules.reporters.html", "claimrules.reporters.markdown", "claimrules.reporters.text",
    "claimrules.reporters.brief", "claimrules.reporters.explorer", "claimrules.reporters.export",
    "claimrules.reporters.analysis", "claimrules.reporters.review",
    "claimrules.cli.batch", "claimrules.cli.completion", "claimrules.cli.scaffold",
    # the other commands' modules: the group builds only the command it runs
    "claimrules.cli.analyse", "claimrules.cli.author", "claimrules.cli.browse",
    "claimrules.cli.publish",
    # the vocabulary's constraints: the shipped ruleset has none, so they are never checked
    "claimrules.engine.constraints",
    "pydantic", "yaml", "jsonschema", "ruamel",
)

#: Bounds on the modules a cached eval imports beyond `python -c "import click"` (20 of
#: claimrules' and 56 in all when this was written): room for the engine to be split further,
#: not for a new dependency of the start-up.
_MAX_CLAIMRULES_MODULES = 40  # 34 once the engine and the CLI were split by concern
_MAX_MODULES_BEYOND_CLICK = 75


def _modules(env: dict[str, str], *args: str, code: str = _PROBE) -> set[str]:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env=env, check=False, cwd=ROOT)
    status, modules = json.loads(done.stderr.strip().splitlines()[-1])
    assert status == 0, done.stderr
    return set(modules)


def _under(modules: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes))


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """An environment whose cache of checked rulesets is on, in a directory of its own."""
    out = {**os.environ, "CLAIMRULES_CACHE_DIR": str(tmp_path / "cache")}
    out.pop("CLAIMRULES_NO_CACHE", None)
    return out


_EVAL = ("eval", str(SHIPPED), "--fact", "actor=ukraine", "--fact", "munitions_origin=us",
         "--fact", "target_location=russia", "--format", "json")


def test_a_cached_eval_imports_the_cache_the_engine_and_one_reporter(env: dict[str, str]) -> None:
    _modules(env, *_EVAL)  # a miss: loads in full and fills the cache
    modules = _modules(env, *_EVAL)
    assert "claimrules.load.snapshot" in modules  # the hit path, not a full load
    assert "claimrules.reporters.json" in modules
    assert _under(modules, _NOT_ON_THE_EVAL_PATH) == []


def test_a_cached_eval_adds_no_third_party_module_and_few_modules(env: dict[str, str]) -> None:
    _modules(env, *_EVAL)
    beyond = _modules(env, *_EVAL) - _modules(env, code=_BASELINE)
    third_party = {m.split(".")[0] for m in beyond} - set(sys.stdlib_module_names) - {"claimrules"}
    assert third_party == set()
    assert len([m for m in beyond if m.startswith("claimrules")]) <= _MAX_CLAIMRULES_MODULES
    assert len(beyond) <= _MAX_MODULES_BEYOND_CLICK


def test_help_imports_neither_the_loader_nor_the_engine(env: dict[str, str]) -> None:
    modules = _modules(env, "--help")
    assert _under(modules, ("claimrules.load", "claimrules.engine", "claimrules.analysis",
                            "claimrules.reporters", "pydantic", "yaml")) == []


_GC_PROBE = """
import gc, json, sys
import claimrules.cli.main as cli_main
def run():
    print(json.dumps([gc.isenabled(), gc.get_freeze_count(), "click" in sys.modules]))
cli_main.main = run
from claimrules.__main__ import main
main()
"""


def test_the_entry_point_freezes_what_start_up_made_and_collects_after() -> None:
    # The start-up's objects (click, the command line) are frozen, and the command runs with
    # the cyclic collector on: a long command (lint, a batch) still collects its garbage.
    done = subprocess.run([sys.executable, "-c", _GC_PROBE], capture_output=True, text=True,
                          check=False, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    enabled, frozen, clicked = json.loads(done.stdout)
    assert enabled and clicked
    assert frozen > 5_000  # the modules, classes and functions of click and the command line
