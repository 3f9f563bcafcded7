"""Writing rulesets: `init` (scaffold), `source add`, `source rehash` and `claim add`.

Each operation builds a `Plan` (the files it would write, with their old and new text) without
touching the disk; the CLI shows it (`--dry-run`) or applies it. YAML files are edited with a
round-trip library (ruamel.yaml), so their comments and layout are kept. The extraction and YAML
libraries are imported only here, when a ruleset is being written, never by `eval`.
"""

from claimrules.authoring.plan import Plan, PlannedFile

__all__ = ["Plan", "PlannedFile"]
