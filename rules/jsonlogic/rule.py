"""The compiled rule: :class:`LogicRule`, checked and compiled once, evaluated for many firms.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rules.facts import FACT_TYPES, FirmFacts
from rules.kleene import FALSE, TRUE, UNKNOWN
from rules.jsonlogic.standard import fact_names
from rules.jsonlogic.checks import check
from rules.jsonlogic.three_valued import canonical_needs, compile_one, evaluate_one
from rules.jsonlogic.columns import Context
from rules.jsonlogic.vectorized import compile_rule
from rules.jsonlogic.words import atom_text, atoms, infix

__all__ = ["LogicRule"]

class LogicRule:
    """A JsonLogic eligibility rule, checked and compiled once, evaluated for many firms.

    Parameters
    ----------
    expr : JSON value
        The rule. It is checked with :func:`check` (path ``logic``).

    Examples
    --------
    >>> import datetime as dt
    >>> from profiles.models import CompanyProfile
    >>> firms = [CompanyProfile(municipality="131172", employees=25),
    ...          CompanyProfile(municipality="131172", employees=400),
    ...          CompanyProfile(municipality="131172")]
    >>> facts = FirmFacts.from_profiles(firms, dt.date(2026, 1, 1))
    >>> rule = LogicRule({"or": [{"<=": [{"var": "employees"}, 300]},
    ...                          {"<=": [{"var": "capital_jpy"}, 300000000]}]})
    >>> rule.evaluate(facts).tolist()
    [2, 1, 1]
    >>> rule.describe(facts, TRUE)
    'employees 25 <= 300 (rule: employees <= 300 or capital_jpy <= 300,000,000)'
    >>> rule.missing(facts.take([2]))
    ('employees', 'capital_jpy')
    >>> rule.describe(facts.take([2]), UNKNOWN)
    'employees not given; capital not given (rule: employees <= 300 or capital_jpy <= 300,000,000)'
    """

    def __init__(self, expr: Any):
        check(expr)
        self.expr = expr
        self._facts = tuple(fact_names(expr, {}))
        self._root = compile_rule(expr, False)
        self._infix = infix(expr)

    def __repr__(self) -> str:
        return f"LogicRule({self._infix})"

    def __getstate__(self) -> dict[str, Any]:
        # the compiled kernels are closures: pickle the expression and compile again
        return {"expr": self.expr}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["expr"])

    @property
    def facts(self) -> tuple[str, ...]:
        """The facts the rule reads, in order of first appearance."""
        return self._facts

    def evaluate_facts(self, data: dict[str, Any]) -> int:
        """The Kleene truth value for one firm's facts prepared by :func:`one_firm_facts`
        (:func:`evaluate_one`, compiled on first use)."""
        fn = self.__dict__.get("_one")
        if fn is None:
            fn = self._one = compile_one(self.expr)
        return fn(data)

    def evaluate(self, facts: FirmFacts) -> np.ndarray:
        """Kleene truth values for every firm: uint8 array of shape ``(facts.n,)``."""
        ctx = Context(facts)
        return self._root(ctx).truth().astype(np.uint8, copy=False).reshape(facts.n)

    def _firm(self, facts: FirmFacts, i: int = 0) -> dict[str, Any]:
        ctx = Context(facts)
        return {name: ctx.fact(name).value_at(i) for name in FACT_TYPES}

    def missing(self, facts: FirmFacts) -> tuple[str, ...]:
        """The facts the rule reads that firm 0 of ``facts`` does not give."""
        firm = self._firm(facts)
        return tuple(f for f in self._facts if firm.get(f) is None)

    def describe(self, facts: FirmFacts, value: int) -> str:
        """Plain words for firm 0 of ``facts``, given its truth value ``value``.

        The parts of the rule that lead to ``value`` come with the firm's facts
        ("employees 25 <= 300", "capital not given"), followed by the rule in infix
        form.
        """
        firm = self._firm(facts)
        firm["needs"] = canonical_needs(firm["needs"] or [])
        value = int(value)
        found: list[tuple[int, int, str]] = []
        for atom, polarity in atoms(self.expr, 1, []):
            t = evaluate_one(atom, firm)
            found.append((t if polarity >= 0 else TRUE - t, polarity, atom_text(atom, t, firm)))
        texts = [text for eff, pol, text in found if eff == value or pol == 0] or [text for _, _, text in found]
        texts = list(dict.fromkeys(texts))
        if not texts:
            verdict = {TRUE: "holds", FALSE: "does not hold", UNKNOWN: "cannot be decided"}[value]
            return f"rule {self._infix} {verdict}"
        return f"{'; '.join(texts)} (rule: {self._infix})"
