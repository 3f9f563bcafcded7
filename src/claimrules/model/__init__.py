"""Pydantic models of the ruleset files: shape only, no cross-references."""

from claimrules.model.base import IsoDate, Slug
from claimrules.model.cases import Case, CasesFile, Expectation, Scenario
from claimrules.model.claims import Attribution, Claim, ClaimKind, ClaimsFile, Modality, Period
from claimrules.model.rules import (
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
from claimrules.model.sources import Archive, Source, SourcesFile
from claimrules.model.vocabulary import EnumValue, Fact, FactType, FactValue, RulesetMeta

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
