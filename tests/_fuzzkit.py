"""The shipped ruleset taken apart once, so that fuzzers can add one rule file and rebuild the
Ruleset in process (parse → model validation → cross-checks → Ruleset) in a few milliseconds,
without copying directories. Shared by tests/load/test_fuzz.py and fuzz/fuzz_loader.py.

`EXTRA_FACTS` widens the vocabulary with a number and a date fact, so that fuzzed rules and
scenarios reach the comparison operators, which the shipped vocabulary (enums and booleans)
never does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from claimrules import LoadError, Ruleset
from claimrules.diagnostics import Diagnostic, Span
from claimrules.load import loader
from claimrules.load.model import Case, Claim, Rule, RulesetMeta, Source
from claimrules.load.yamlsafe import parse_yaml

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "rules" / "us-weapons-inside-russia"

EXTRA_FACTS = """\
  - name: distance_km
    type: number
    unit: km
    minimum: 0
    maximum: 5000
    description: How far inside the border the target is.
    question: How far inside the border is the target, in km?
  - name: strike_date
    type: date
    description: The day of the strike.
    question: On what day is the strike?
"""


@dataclass(frozen=True)
class Parts:
    """Every validated item of a ruleset, and its archived texts."""

    meta: loader.Located
    sources: list[loader.Located]
    claims: list[loader.Located]
    rules: list[loader.Located]
    cases: list[loader.Located]
    archives: dict[str, str]


def _items(kind: str, model: type, files: list[Path]) -> list[loader.Located]:
    col = loader.Collector()
    out = []
    for f in files:
        doc = parse_yaml(f.read_text(encoding="utf-8"), str(f.relative_to(SHIPPED)))
        out += loader.read_items(doc, kind, model, col)
    assert not col.diagnostics, col.diagnostics
    return out


def shipped_parts(*, extended: bool = False) -> Parts:
    """The shipped ruleset's parts; `extended` adds EXTRA_FACTS to the vocabulary."""
    meta_text = (SHIPPED / "ruleset.yaml").read_text(encoding="utf-8")
    if extended:
        meta_text = meta_text.rstrip("\n") + "\n" + EXTRA_FACTS
    meta_doc = parse_yaml(meta_text, "ruleset.yaml")
    meta = loader.Located(RulesetMeta.model_validate(meta_doc.data), meta_doc, ())
    sources = _items("sources", Source, [SHIPPED / "sources.yaml"])
    archives = {
        s.model.id: (SHIPPED / s.model.archive.file).read_text(encoding="utf-8") for s in sources
    }
    return Parts(
        meta=meta,
        sources=sources,
        claims=_items("claims", Claim, sorted((SHIPPED / "claims").glob("*.yaml"))),
        rules=_items("rules", Rule, sorted((SHIPPED / "rules").glob("*.yaml"))),
        cases=_items("cases", Case, sorted((SHIPPED / "cases").glob("*.yaml"))),
        archives=archives,
    )


MODELS: dict[str, type] = {"rules": Rule, "claims": Claim, "sources": Source, "cases": Case}


def build_with_file(parts: Parts, text: str, kind: str = "rules") -> Ruleset:
    """What `load_ruleset` does when `text` is one more `<kind>/zz.yaml` file (rules, claims,
    sources or cases): a Ruleset or a LoadError. New sources' archives are read as the loader
    reads them, inside the shipped ruleset directory."""
    name = f"{kind}/zz.yaml"
    doc = parse_yaml(text, name)
    if doc.data is None:
        raise LoadError([Diagnostic("file-empty", "file is empty", Span(name))])
    col = loader.Collector()
    extra = loader.read_items(doc, kind, MODELS[kind], col)
    archives = dict(parts.archives)
    if kind == "sources":
        for src in extra:
            archive = loader._read_archive(SHIPPED, "rs", src, col)
            if archive is not None:
                archives[src.model.id] = archive
    lists = {"sources": parts.sources, "claims": parts.claims, "rules": parts.rules,
             "cases": parts.cases}
    lists[kind] = [*lists[kind], *extra]
    return loader.build_ruleset(
        parts.meta, lists["sources"], lists["claims"], lists["rules"], lists["cases"],
        archives, col,
    )


def build_with_rule_file(parts: Parts, text: str) -> Ruleset:
    """`build_with_file` for one more rule file."""
    return build_with_file(parts, text, "rules")
