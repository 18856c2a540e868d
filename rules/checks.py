"""Checks of a program's eligibility run when a catalog loads.

:func:`load_checked_catalog` is :func:`profiles.catalog.load_catalog` with these
checks, so a malformed rule, an unknown fact, operator or rule set fails at load time,
naming the file, the program and the rule path, with every other problem of the
catalog reported at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from profiles.catalog import Catalog, load_catalog
from profiles.models import SupportProgram
from rules.errors import RulesError
from rules.jsonlogic import check_program as check_logic
from rules.rulesets import rule_set

__all__ = ["check_rule_sets", "CHECKS", "load_checked_catalog"]


def check_rule_sets(program: SupportProgram) -> Iterable[tuple[str, str]]:
    """Every named rule set must exist."""
    for i, name in enumerate(program.eligibility.rule_sets):
        try:
            rule_set(name)
        except RulesError as exc:
            yield f"eligibility.rule_sets[{i}]", str(exc)


CHECKS = (check_rule_sets, check_logic)


def load_checked_catalog(path: str | Path | None = None) -> Catalog:
    """Load and validate a catalog, rules included (``None``: the default catalog).

    >>> len(load_checked_catalog().programs) > 0
    True
    """
    return load_catalog(path, checks=CHECKS)
