"""claimrules: reported policy as code — sourced, verbatim-quoted claims, executable rules, and
verdicts whose explanations quote the sources."""

from claimrules.decision import Decision, Verdict
from claimrules.diagnostics import Diagnostic, LoadError
from claimrules.evaluator import evaluate, evaluate_many
from claimrules.loader import load_ruleset
from claimrules.ruleset import Ruleset
from claimrules.scenario import ScenarioError

__version__ = "0.1.0"

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
