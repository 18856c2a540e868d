"""Named rule sets (``sme``, ``small_enterprise``) loaded from ``rules/data/rulesets.yaml``.

A *size test* is the SME Basic Act's shape of rule: per industry category, thresholds
on capital and headcount, of which any one suffices. It is evaluated with Kleene
logic, so a 25-person manufacturer is an SME even when its capital is not given, and a
firm whose industry is unknown is judged against every category it could be in.

>>> sme = rule_set("sme")
>>> sme.thresholds["wholesale"]
{'capital_jpy': 100000000, 'employees': 100}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import numpy as np

from profiles.audiences import APPLICANT_TYPES
from profiles.datafiles import read_data_yaml
from profiles.english import with_article
from profiles.industries import all_major_groups, division_of
from rules.errors import RulesError
from rules.facts import FirmFacts, applicant_type_index, industry_indices
from rules.phrases import BASIS_JA, fact_word, phrase
from rules.kleene import FALSE, TRUE, UNKNOWN

__all__ = ["RuleSet", "SizeTest", "rule_set", "rule_set_names", "categories", "category_of"]

_FACT_WORDS = {"employees": "employees", "capital_jpy": "capital"}


def _fmt(fact: str, value: float) -> str:
    if fact == "capital_jpy":
        return f"¥{value:,.0f}"
    return f"{value:,.0f}"


@lru_cache(maxsize=1)
def _data() -> dict:
    return read_data_yaml("rules", "rulesets.yaml")


@lru_cache(maxsize=1)
def categories() -> tuple[str, ...]:
    """The SME Basic Act's industry categories, the default one first.

    >>> categories()
    ('manufacturing', 'wholesale', 'retail', 'services')
    """
    cats = _data()["categories"]
    default = [k for k, v in cats.items() if v.get("default")]
    return tuple(default + [k for k in cats if k not in default])


@lru_cache(maxsize=1)
def _group_category() -> np.ndarray:
    """Category index of every JSIC major group (in ``all_major_groups()`` order)."""
    cats = categories()
    out = np.zeros(len(all_major_groups()), dtype=np.int8)
    _, groups, _ = industry_indices()
    for ci, name in enumerate(cats):
        for g in _data()["categories"][name].get("major_groups", ()):
            out[groups[g]] = ci
    return out


@lru_cache(maxsize=1)
def _division_masks() -> np.ndarray:
    """Bitmask of the categories the groups of each division fall in."""
    divisions, _, group_div = industry_indices()
    masks = np.zeros(len(divisions), dtype=np.int64)
    gc = _group_category()
    for g, d in enumerate(group_div):
        masks[d] |= 1 << int(gc[g])
    return masks


def category_of(industry: str | None) -> tuple[str, ...]:
    """The categories an industry code may fall in (all of them when unknown).

    >>> category_of("I52"), category_of("E24")
    (('wholesale',), ('manufacturing',))
    >>> category_of("I")
    ('wholesale', 'retail')
    """
    cats = categories()
    if industry is None:
        return cats
    divisions, groups, _ = industry_indices()
    if len(industry) > 1:
        return (cats[int(_group_category()[groups[industry]])],)
    mask = int(_division_masks()[divisions[division_of(industry)]])
    return tuple(c for i, c in enumerate(cats) if mask >> i & 1)


def _category_masks(facts: FirmFacts) -> np.ndarray:
    all_bits = (1 << len(categories())) - 1
    mask = np.full(facts.n, all_bits, dtype=np.int64)
    has_div = facts.division >= 0
    mask[has_div] = _division_masks()[facts.division[has_div]]
    has_grp = facts.major_group >= 0
    mask[has_grp] = np.left_shift(1, _group_category()[facts.major_group[has_grp]].astype(np.int64))
    return mask


@dataclass(frozen=True)
class SizeTest:
    """Per-category thresholds on headcount and capital; any one of them suffices."""

    name: str
    title: str
    title_ja: str
    basis: str
    thresholds: dict[str, dict[str, int]]
    #: the applicant types the test can hold for (empty: any); a firm of another known type fails it
    legal_forms: tuple[str, ...] = ()
    #: per fact, the applicant types it is tested for (absent: every type); a firm of another known
    #: type is judged on the other facts (a sole proprietor has no capital to test)
    fact_forms: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def facts(self) -> tuple[str, ...]:
        """The facts this test reads."""
        return self._facts

    @cached_property
    def _facts(self) -> tuple[str, ...]:
        names = {f for t in self.thresholds.values() for f in t}
        return tuple(f for f in ("employees", "capital_jpy") if f in names)

    @cached_property
    def _bounds(self) -> dict[str, np.ndarray]:
        """Per fact, a (categories, 1) column of bounds, NaN where a category has none."""
        return {fact: np.array([[self.thresholds[c].get(fact, np.nan)] for c in categories()], float)
                for fact in self.facts()}

    @cached_property
    def _untested(self) -> dict[str, np.ndarray]:
        """Per fact of ``fact_forms``, per applicant-type index, whether the fact is not tested."""
        index = applicant_type_index()
        return {fact: np.array([name not in forms for name in index], bool) for fact, forms in self.fact_forms.items()}

    def untested(self, fact: str, facts: FirmFacts) -> np.ndarray:
        """Per firm, whether ``fact`` is not tested for its (known) applicant type."""
        skip = self._untested.get(fact)
        if skip is None:
            return np.zeros(facts.n, bool)
        kind = facts.applicant_type
        return (kind >= 0) & skip[np.maximum(kind, 0)]

    def tested_facts(self, facts: FirmFacts, row: int = 0) -> tuple[str, ...]:
        """The facts the test reads for firm ``row`` (a sole proprietor's SME test reads no capital)."""
        return tuple(f for f in self.facts() if not self.untested(f, facts)[row])

    def _by_category(self, facts: FirmFacts) -> np.ndarray:
        """(categories, n): Kleene OR over the facts each category tests (FALSE where it tests none)."""
        out = np.full((len(categories()), facts.n), FALSE, np.uint8)
        for fact, bound in self._bounds.items():
            v = getattr(facts, fact)[None, :]
            with np.errstate(invalid="ignore"):
                t = np.where(np.isnan(v), UNKNOWN, np.where(v <= bound, TRUE, FALSE)).astype(np.uint8)
            t[np.isnan(bound[:, 0])] = FALSE
            t[:, self.untested(fact, facts)] = FALSE
            np.maximum(out, t, out=out)
        out[[not self.thresholds[c] for c in categories()]] = TRUE  # a category that tests nothing passes
        return out

    @cached_property
    def _other_forms(self) -> np.ndarray:
        """Per applicant-type index, whether the test fails a firm of that type."""
        index = applicant_type_index()
        out = np.zeros(len(index), bool)
        if self.legal_forms:
            for name, i in index.items():
                out[i] = name not in self.legal_forms
        return out

    def _wrong_form(self, facts: FirmFacts) -> np.ndarray:
        kind = facts.applicant_type
        return (kind >= 0) & self._other_forms[np.maximum(kind, 0)]

    @cached_property
    def _scalar(self) -> tuple[tuple[tuple[tuple[str, float], ...] | None, ...], ...]:
        """Per category, the (fact, bound) pairs it tests (None: it tests nothing, and passes)."""
        return tuple(None if not self.thresholds[c] else tuple(
            (fact, float(b[ci, 0])) for fact, b in self._bounds.items()) for ci, c in enumerate(categories()))

    def _evaluate_one(self, facts: FirmFacts) -> int:
        """:meth:`evaluate` of a chunk of one firm, in plain Python (a dozen numpy calls cost more than
        the test; the same Kleene values: a test compares both on every kind of firm)."""
        per_cat = []
        skip = {f for f in self.fact_forms if self.untested(f, facts)[0]} if self.fact_forms else ()
        for tests in self._scalar:
            if tests is None:
                per_cat.append(TRUE)
                continue
            t_or = FALSE
            for fact, bound in tests:
                if fact in skip:
                    continue
                v = float(getattr(facts, fact)[0])
                t = FALSE if bound != bound else UNKNOWN if v != v else TRUE if v <= bound else FALSE
                t_or = max(t_or, t)
            per_cat.append(t_or)
        group, division, kind = int(facts.major_group[0]), int(facts.division[0]), int(facts.applicant_type[0])
        mask = (1 << len(per_cat)) - 1  # _category_masks, for one firm
        if division >= 0:
            mask = int(_division_masks()[division])
        if group >= 0:
            mask = 1 << int(_group_category()[group])
        possible = [t for ci, t in enumerate(per_cat) if mask >> ci & 1]
        lo, hi = min(possible, default=TRUE), max(possible, default=FALSE)
        if kind >= 0 and self._other_forms[kind]:  # _wrong_form
            return FALSE
        return lo if lo == hi else UNKNOWN

    def evaluate(self, facts: FirmFacts) -> np.ndarray:
        """Kleene truth value of the test for every firm (uint8, FALSE/UNKNOWN/TRUE)."""
        if facts.n == 1:
            return np.array([self._evaluate_one(facts)], np.uint8)
        per_cat = self._by_category(facts)
        masks = _category_masks(facts)
        possible = (masks[None, :] >> np.arange(len(categories()))[:, None]) & 1 == 1
        lo = np.where(possible, per_cat, TRUE).min(axis=0)
        hi = np.where(possible, per_cat, FALSE).max(axis=0)
        out = np.where(lo == hi, lo, UNKNOWN).astype(np.uint8)
        out[self._wrong_form(facts)] = FALSE
        return out

    def trace(self, facts: FirmFacts, row: int = 0, lang: str = "en") -> list[tuple[int, str]]:
        """Plain-words conditions for one firm: ``(truth value, sentence)`` pairs (``lang``: en or ja)."""
        ja = lang == "ja"
        one = facts.take([row])
        cats = categories()
        mask = int(_category_masks(one)[0])
        possible = [c for i, c in enumerate(cats) if mask >> i & 1]
        title = self.title_ja if ja else self.title
        out: list[tuple[int, str]] = []
        if self._wrong_form(one)[0]:
            kind = {i: k for k, i in applicant_type_index().items()}[int(one.applicant_type[0])]
            a = APPLICANT_TYPES[kind]
            forms = [APPLICANT_TYPES[f] for f in self.legal_forms]
            sep = "・" if ja else ", "
            return [(FALSE, phrase("size_form", lang, kind=a.name_ja if ja else with_article(a.name), title=title,
                                   a_title=title if ja else with_article(title),
                                   forms=sep.join(f.name_ja if ja else f.name for f in forms),
                                   basis=BASIS_JA.get(self.basis, self.basis) if ja else self.basis))]

        def cat_name(cat: str) -> str:
            return _data()["categories"][cat].get("label_ja", cat) if ja else cat

        if len(possible) > 1:
            out.append((UNKNOWN, phrase("category_unknown", lang, title=title,
                                        cats=("、" if ja else ", ").join(cat_name(c) for c in possible))))
        seen_missing = set()
        tested = self.tested_facts(one)
        for cat in possible:
            for fact, bound in self.thresholds[cat].items():
                if fact not in tested:
                    continue
                value = float(getattr(one, fact)[0])
                word = fact_word(fact, lang) if ja else _FACT_WORDS[fact]
                if np.isnan(value):
                    if fact not in seen_missing:
                        out.append((UNKNOWN, phrase("size_unknown", lang, word=word, title=title)))
                        seen_missing.add(fact)
                    continue
                ok = value <= bound
                sign = ("以下" if ok else "超") if ja else ("<=" if ok else ">")
                fmt = (lambda f, v: f"{v:,.0f}円" if f == "capital_jpy" else f"{v:,.0f}") if ja else _fmt
                out.append((TRUE if ok else FALSE,
                            phrase("size_test", lang, word=word, value=fmt(fact, value), sign=sign,
                                   bound=fmt(fact, bound), basis=BASIS_JA.get(self.basis, self.basis) if ja
                                   else self.basis, cat=cat_name(cat))))
        return out


RuleSet = SizeTest


@lru_cache(maxsize=None)
def rule_set(name: str) -> RuleSet:
    """The named rule set; an unknown name lists the known ones."""
    sets = _data()["rule_sets"]
    if name not in sets:
        raise RulesError(f"unknown rule set {name!r}; known rule sets: {', '.join(sorted(sets))}")
    spec = sets[name]
    if spec.get("kind") != "size_test":
        raise RulesError(f"rule set {name!r} has unsupported kind {spec.get('kind')!r}")
    thresholds = {c: dict(spec["thresholds"].get(c, {})) for c in categories()}
    return SizeTest(name, spec["title"], spec.get("title_ja", spec["title"]), spec.get("basis", ""), thresholds,
                    tuple(spec.get("legal_forms", ())),
                    {f: tuple(forms) for f, forms in (spec.get("fact_forms") or {}).items()})


def rule_set_names() -> tuple[str, ...]:
    """Names of the shipped rule sets.

    >>> rule_set_names()
    ('sme', 'small_enterprise')
    """
    return tuple(_data()["rule_sets"])
