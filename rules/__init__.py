"""Eligibility as data: shorthands, named rule sets and JsonLogic, compiled to vectorized predicates.

Imports :mod:`profiles` only. Every rule gives one of three outcomes per firm
(eligible, ineligible, unknown: a fact it needs is missing) with a trace in plain
words, and evaluates over numpy columns of many firms at once.
"""

from rules.checks import CHECKS, load_checked_catalog
from rules.compiler import CompiledEligibility, ConditionResult
from rules.errors import RuleSyntaxError, RulesError
from rules.facts import FACT_TYPES, FirmFacts
from rules.kleene import FALSE, TRUE, UNKNOWN, outcome_name
from rules.rulesets import rule_set, rule_set_names

__all__ = [
    "CHECKS", "CompiledEligibility", "ConditionResult", "FACT_TYPES", "FALSE", "FirmFacts", "RuleSyntaxError",
    "RulesError", "TRUE", "UNKNOWN", "load_checked_catalog", "outcome_name", "rule_set", "rule_set_names",
]
