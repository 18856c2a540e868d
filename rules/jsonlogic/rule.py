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

#: (facts, row, their values) of the firm :meth:`LogicRule._firm` read last (facts are never changed once built)
_LAST_FIRM: tuple[FirmFacts, int, dict[str, Any]] | None = None


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
        """Firm ``i``'s facts as the scalar evaluator reads them (the same for every rule: the last firm's
        are kept, as a ranking describes the rules of several programs for one firm)."""
        global _LAST_FIRM
        last = _LAST_FIRM
        if last is not None and last[0] is facts and last[1] == i:
            return dict(last[2])
        ctx = Context(facts)
        firm = {name: ctx.fact(name).value_at(i) for name in FACT_TYPES}
        _LAST_FIRM = (facts, i, firm)
        return dict(firm)

    def missing(self, facts: FirmFacts) -> tuple[str, ...]:
        """The facts the rule reads that firm 0 of ``facts`` does not give."""
        firm = self._firm(facts)
        return tuple(f for f in self._facts if firm.get(f) is None)

    def describe(self, facts: FirmFacts, value: int, lang: str = "en") -> str:
        """Plain words for firm 0 of ``facts``, given its truth value ``value``.

        The parts of the rule that lead to ``value`` come with the firm's facts
        ("employees 25 <= 300", "capital not given"), followed by the rule in infix
        form. In Japanese (``lang="ja"``) the missing facts are named in Japanese and the
        rule stays in its infix form, as code.
        """
        from rules.phrases import fact_word, phrase

        firm = self._firm(facts)
        firm["needs"] = canonical_needs(firm["needs"] or [])
        value = int(value)
        found: list[tuple[int, int, str]] = []
        for atom, polarity in atoms(self.expr, 1, []):
            t = evaluate_one(atom, firm)
            text = atom_text(atom, t, firm)
            if lang == "ja" and t == UNKNOWN:
                gone = [f for f in fact_names(atom, {}) if firm.get(f) is None]
                if gone:
                    text = phrase("not_given", lang, facts="・".join(fact_word(f, lang) for f in gone))
            found.append((t if polarity >= 0 else TRUE - t, polarity, text))
        texts = [text for eff, pol, text in found if eff == value or pol == 0] or [text for _, _, text in found]
        texts = list(dict.fromkeys(texts))
        if not texts:
            return phrase({TRUE: "rule_holds", FALSE: "rule_fails", UNKNOWN: "rule_unknown"}[value], lang,
                          infix=self._infix)
        return phrase("rule", lang, texts=("；" if lang == "ja" else "; ").join(texts), infix=self._infix)
