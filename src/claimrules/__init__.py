"""claimrules: reported policy as code — sourced, verbatim-quoted claims, executable rules, and
verdicts whose explanations quote the sources.

The public names below are imported on first use, so that `import claimrules` (and the CLI's
start-up) pays only for what a command needs: evaluating a cached ruleset never loads the
pydantic validators.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from claimrules.diagnostics import Diagnostic, LoadError
    from claimrules.engine.decision import Decision, Verdict
    from claimrules.engine.evaluator import evaluate, evaluate_many
    from claimrules.load.loader import load_ruleset
    from claimrules.load.ruleset import Ruleset
    from claimrules.load.scenario import ScenarioError

__version__ = "0.1.0"

#: Each public name and the module that defines it.
_HOMES = {
    "Decision": "claimrules.engine.decision",
    "Diagnostic": "claimrules.diagnostics",
    "LoadError": "claimrules.diagnostics",
    "Ruleset": "claimrules.load.ruleset",
    "ScenarioError": "claimrules.load.scenario",
    "Verdict": "claimrules.engine.decision",
    "evaluate": "claimrules.engine.evaluator",
    "evaluate_many": "claimrules.engine.evaluator",
    "load_ruleset": "claimrules.load.loader",
}

__all__ = [
    "Decision",
    "Diagnostic",
    "LoadError",
    "Ruleset",
    "ScenarioError",
    "Verdict",
    "__version__",
    "evaluate",
    "evaluate_many",
    "load_ruleset",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'claimrules' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
