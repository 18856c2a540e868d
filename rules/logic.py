"""JsonLogic for eligibility rules: the public names of :mod:`rules.jsonlogic`, kept at this path.

Programs written against ``rules.logic`` keep working; new code imports :mod:`rules.jsonlogic`,
whose text holds the semantics.
"""

from rules.jsonlogic import (
    OPERATORS,
    UNDEFINED,
    LogicRule,
    Unknown,
    apply,
    check,
    check_program,
    compile_one,
    evaluate_one,
    infix,
    one_firm_facts,
    truthy,
)

__all__ = [
    "compile_one", "one_firm_facts", "OPERATORS", "UNDEFINED", "Unknown", "LogicRule", "apply", "check",
    "check_program", "evaluate_one", "infix", "truthy",
]
