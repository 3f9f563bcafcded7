"""Pydantic models of the ruleset files: shape only, no cross-references."""

from claimrules.load.model.base import IsoDate, Slug
from claimrules.load.model.cases import Case, CasesFile, Expectation, Scenario
from claimrules.load.model.claims import Attribution, Claim, ClaimKind, ClaimsFile, Modality, Period
from claimrules.load.model.rules import (
    All,
    Any_,
    Condition,
    Effect,
    Not,
    Rule,
    RuleEffective,
    RulesFile,
    Test,
)
from claimrules.load.model.sources import Archive, Source, SourcesFile
from claimrules.load.model.vocabulary import EnumValue, Fact, FactType, FactValue, RulesetMeta

__all__ = [
    "All",
    "Any_",
    "Archive",
    "Attribution",
    "Case",
    "CasesFile",
    "Claim",
    "ClaimKind",
    "ClaimsFile",
    "Condition",
    "Effect",
    "EnumValue",
    "Expectation",
    "Fact",
    "FactType",
    "FactValue",
    "IsoDate",
    "Modality",
    "Not",
    "Period",
    "Rule",
    "RuleEffective",
    "RulesFile",
    "RulesetMeta",
    "Scenario",
    "Slug",
    "Source",
    "SourcesFile",
    "Test",
]
