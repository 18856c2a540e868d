"""The conditions of eligibility: one class per kind of shorthand, over the programs that use it.

Each :class:`Condition` holds one kind of constraint for the programs in its
``rows``: it evaluates to Kleene truth values over the firms of a
:class:`~rules.facts.FirmFacts`, describes a verdict in plain words, names the
missing facts, and answers what :mod:`rules.pairs` needs to tabulate it
(:meth:`~Condition.variant_key`, :attr:`~Condition.reads_location`,
:attr:`~Condition.location_only`). :class:`~rules.compiler.CompiledEligibility`
lowers a catalog's shorthands to these classes.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from profiles.geography import gazetteer
from profiles.industries import resolve_industry
from rules.facts import (FACT_LABELS, FirmFacts, firm_fact_dict, industry_indices)
from rules.jsonlogic import LogicRule, one_firm_facts
from rules.kleene import FALSE, TRUE, UNKNOWN
from rules.phrases import REGIONS_JA, fact_word, join, phrase
from rules.rulesets import rule_set

__all__ = [
    "LOCATION_FACTS", "Condition", "ConditionResult", "FlagCondition", "IndustryCondition", "LogicCondition",
    "MunicipalityCondition", "PrefectureCondition", "RangeCondition", "RuleSetCondition",
    "SubregionCondition", "bool_tri", "short_list",
]

#: The facts that make a firm's location.
LOCATION_FACTS = frozenset({"municipality", "prefecture"})


def _flag_tri(values: np.ndarray) -> np.ndarray:
    """int8 1/0/-1 → TRUE/FALSE/UNKNOWN."""
    return np.choose(values + 1, [UNKNOWN, FALSE, TRUE]).astype(np.uint8)


def bool_tri(b: np.ndarray) -> np.ndarray:
    return np.where(b, TRUE, FALSE).astype(np.uint8)


def _gov_label(index: int, lang: str = "en") -> str:
    g = gazetteer().records[index]
    return f"{g.prefecture_ja}{g.name_ja}" if lang == "ja" else f"{g.name_en} ({g.prefecture_en})"


def _pref_label(index: int, lang: str = "en") -> str:
    p = gazetteer().prefectures[index]
    return p.name_ja if lang == "ja" else p.name_en


def short_list(items: list[str], limit: int = 4) -> str:
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f" and {len(items) - limit} more"


@dataclass(frozen=True)
class ConditionResult:
    """One condition of one program for one firm: its truth value, words and missing facts."""

    condition: str
    value: int
    text: str
    missing: tuple[str, ...] = ()


class Condition:
    """One kind of constraint over the programs in ``rows`` (indices into the catalog)."""

    name = ""
    facts: tuple[str, ...] = ()
    #: True for a condition that reads only the firm's location (municipality, prefecture),
    #: so that its verdict is the same for every firm at one place (:mod:`rules.pairs`).
    location_only = False

    def __init__(self, rows: Sequence[int]):
        self.rows = np.asarray(rows, dtype=np.intp)
        self._pos = {int(p): i for i, p in enumerate(self.rows)}

    def position(self, program: int) -> int | None:
        return self._pos.get(int(program))

    def evaluate(self, facts: FirmFacts, sel: np.ndarray | None = None) -> np.ndarray:
        """Truth values, shape ``(facts.n, len(sel or rows))``."""
        raise NotImplementedError

    def describe(self, facts: FirmFacts, pos: int, value: int, lang: str = "en") -> str:
        """Plain words for firm 0 of ``facts`` and the condition's row ``pos`` (``lang``: en or ja)."""
        raise NotImplementedError

    @property
    def reads_location(self) -> bool:
        """Whether the values depend on the firm's municipality or prefecture."""
        return bool(LOCATION_FACTS & set(self.facts))

    def variant_key(self, pos: int) -> Hashable:
        """What makes row ``pos`` differ from the condition's other rows (equal keys: equal values).

        The default, one variant per row, is always exact; kinds whose rows share
        parameters answer with those parameters.
        """
        return ("row", pos)

    def words_key(self, pos: int) -> Hashable:
        """What :meth:`describe` reads of row ``pos`` (equal keys: the same words for one firm and value).

        Lets one ranking describe a condition once for all the programs that share it (the
        SME test of ten programs). The default, one key per row, is always exact.
        """
        return ("row", pos)

    def missing(self, facts: FirmFacts, pos: int) -> tuple[str, ...]:
        """The facts this condition needs that firm 0 of ``facts`` does not give."""
        out = []
        for f in self.facts:
            if f == "industry":  # a division alone is not precise enough for a major-group rule
                if facts.major_group[0] < 0:
                    out.append(f)
                continue
            col = getattr(facts, f)
            if (col.dtype.kind == "f" and np.isnan(col[0])) or (col.dtype.kind in "iu" and col[0] < 0):
                out.append(f)
        return tuple(out)


class MunicipalityCondition(Condition):
    """The firm's municipality is one of a list (a firm giving only its prefecture is UNKNOWN if it may be)."""

    name = "municipality"
    facts = ("municipality",)
    location_only = True

    def __init__(self, rows, lists: list[tuple[str, ...]]):
        super().__init__(rows)
        gaz = gazetteer()
        self.allowed = np.zeros((len(rows), len(gaz)), dtype=bool)
        self.pref_any = np.zeros((len(rows), 47), dtype=bool)
        for i, codes in enumerate(lists):
            for code in codes:
                j = gaz.index(code)
                self.allowed[i, j] = True
                self.pref_any[i, int(gaz.records[j].prefecture_code) - 1] = True

    def evaluate(self, facts, sel=None):
        allowed = self.allowed if sel is None else self.allowed[sel]
        pref_any = self.pref_any if sel is None else self.pref_any[sel]
        out = np.full((facts.n, allowed.shape[0]), UNKNOWN, np.uint8)
        known = facts.municipality >= 0
        out[known] = bool_tri(allowed[:, facts.municipality[known]].T)
        only_pref = ~known & (facts.prefecture >= 0)
        out[only_pref] = np.where(pref_any[:, facts.prefecture[only_pref]].T, UNKNOWN, FALSE)
        return out

    def describe(self, facts, pos, value, lang="en"):
        names = [_gov_label(j, lang) for j in np.flatnonzero(self.allowed[pos])]
        m = int(facts.municipality[0])
        if value == TRUE:
            return phrase("located_in", lang, where=_gov_label(m, lang))
        if value == FALSE:
            where = _gov_label(m, lang) if m >= 0 else _pref_label(int(facts.prefecture[0]), lang)
            return phrase("located_not_in", lang, where=where, allowed=join(names, lang))
        return phrase("municipality_unknown", lang, allowed=join(names, lang))


class SubregionCondition(MunicipalityCondition):
    """The firm is in a named part of a prefecture (Tokyo's 23 wards, 多摩, 島しょ), or a region of Japan.

    Lowered to the local governments each program's regions hold; a firm that gives only
    its prefecture is UNKNOWN when the prefecture has any of them.
    """

    name = "region"

    def __init__(self, rows, region_lists: Sequence[Sequence[str]]):
        gaz = gazetteer()
        lists, self.labels = [], []
        for regions in region_lists:
            codes: list[str] = []
            names: list[str] = []
            for r in regions:
                sub = gaz.subregions.get(r)
                if sub is not None:
                    codes.extend(sub.members)
                    names.append(f"{sub.name_en} ({sub.name_ja})")
                else:
                    prefs = {p.code for p in gaz.prefectures if r in p.regions}
                    codes.extend(g.code for g in gaz.records if g.prefecture_code in prefs)
                    names.append(f"the {r.replace('_', ' ').title()} region")
            lists.append(tuple(dict.fromkeys(codes)))
            self.labels.append(" / ".join(names))
        super().__init__(rows, lists)

    def describe(self, facts, pos, value, lang="en"):  # Japanese words: not yet (English)
        m, what = int(facts.municipality[0]), self.labels[pos]
        if value == TRUE:
            return f"located in {_gov_label(m)}, in {what}"
        if value == FALSE:
            where = _gov_label(m) if m >= 0 else _pref_label(int(facts.prefecture[0]))
            return f"located in {where}, outside {what}"
        return f"municipality not given: needed to check the location ({what})"


class PrefectureCondition(Condition):
    """Prefecture lists and regions both lower to a set of allowed prefectures."""

    facts = ("prefecture",)
    location_only = True

    def __init__(self, name: str, rows, allowed: np.ndarray, labels: list[str], parts: list[tuple] | None = None):
        super().__init__(rows)
        self.name = name
        self.allowed = allowed
        self.labels = labels
        self.parts = parts  # per row: the prefecture indices or the region names the label is made of

    def label(self, pos: int, lang: str = "en") -> str:
        """What row ``pos`` allows, in words."""
        if lang != "ja" or self.parts is None:
            return self.labels[pos]
        part = self.parts[pos]
        if self.name == "region":
            return phrase("region", lang, names="・".join(REGIONS_JA.get(r, r) for r in part))
        return phrase("prefectures", lang, names=join([_pref_label(i, lang) for i in part], lang))

    @classmethod
    def of_prefectures(cls, rows, code_lists: Sequence[Sequence[str]]) -> "PrefectureCondition":
        """Programs for lists of prefectures (JIS codes ``"01"`` to ``"47"``)."""
        allowed = np.zeros((len(rows), 47), dtype=bool)
        labels = []
        for k, codes in enumerate(code_lists):
            allowed[k, [int(c) - 1 for c in codes]] = True
            labels.append("the programme's prefectures: " + short_list([_pref_label(int(c) - 1) for c in codes]))
        return cls("prefecture", rows, allowed, labels, [tuple(int(c) - 1 for c in codes) for codes in code_lists])

    @classmethod
    def of_regions(cls, rows, region_lists: Sequence[Sequence[str]]) -> "PrefectureCondition":
        """Programs for regions (``kanto``, ``kinki`` ...), lowered to their prefectures."""
        gaz = gazetteer()
        allowed = np.zeros((len(rows), 47), dtype=bool)
        labels = []
        for k, regions in enumerate(region_lists):
            for j, pref in enumerate(gaz.prefectures):
                if set(pref.regions) & set(regions):
                    allowed[k, j] = True
            labels.append("the " + " / ".join(r.replace("_", " ").title() for r in regions) + " region")
        return cls("region", rows, allowed, labels, [tuple(regions) for regions in region_lists])

    def evaluate(self, facts, sel=None):
        allowed = self.allowed if sel is None else self.allowed[sel]
        out = np.full((facts.n, allowed.shape[0]), UNKNOWN, np.uint8)
        known = facts.prefecture >= 0
        out[known] = bool_tri(allowed[:, facts.prefecture[known]].T)
        return out

    def describe(self, facts, pos, value, lang="en"):
        p = int(facts.prefecture[0])
        what = self.label(pos, lang)
        if value == TRUE:
            return phrase("pref_in", lang, where=_pref_label(p, lang), what=what)
        if value == FALSE:
            return phrase("pref_out", lang, where=_pref_label(p, lang), what=what)
        return phrase("pref_unknown", lang, what=what)


class IndustryCondition(Condition):
    """The firm's JSIC industry is among a list of divisions and major groups."""

    name = "industry"
    facts = ("industry",)

    def __init__(self, rows, lists: list[tuple[str, ...]]):
        super().__init__(rows)
        divisions, groups, group_div = industry_indices()
        self.codes = lists
        self.group_ok = np.zeros((len(rows), len(groups)), dtype=bool)
        for i, codes in enumerate(lists):
            for code in codes:
                if len(code) == 1:
                    self.group_ok[i, group_div == divisions[code]] = True
                else:
                    self.group_ok[i, groups[code]] = True
        n_div = len(divisions)
        self.div_all = np.ones((len(rows), n_div), dtype=bool)
        self.div_any = np.zeros((len(rows), n_div), dtype=bool)
        for d in range(n_div):
            members = group_div == d
            if members.any():
                self.div_all[:, d] = self.group_ok[:, members].all(axis=1)
                self.div_any[:, d] = self.group_ok[:, members].any(axis=1)
        # A division named outright is fully allowed even if it has no major groups listed.
        for i, codes in enumerate(lists):
            for code in codes:
                if len(code) == 1:
                    self.div_all[i, divisions[code]] = self.div_any[i, divisions[code]] = True

    def variant_key(self, pos):
        return tuple(self.codes[pos])

    def evaluate(self, facts, sel=None):
        g_ok = self.group_ok if sel is None else self.group_ok[sel]
        d_all = self.div_all if sel is None else self.div_all[sel]
        d_any = self.div_any if sel is None else self.div_any[sel]
        out = np.full((facts.n, g_ok.shape[0]), UNKNOWN, np.uint8)
        has_g = facts.major_group >= 0
        out[has_g] = bool_tri(g_ok[:, facts.major_group[has_g]].T)
        only_d = ~has_g & (facts.division >= 0)
        d = facts.division[only_d]
        out[only_d] = np.where(d_all[:, d].T, TRUE, np.where(d_any[:, d].T, UNKNOWN, FALSE))
        return out

    def describe(self, facts, pos, value, lang="en"):
        def name(code: str) -> str:
            ind = resolve_industry(code)
            return f"{code} {ind.name_ja if lang == 'ja' else ind.name_en}"

        wanted = join([name(c) for c in self.codes[pos]], lang)
        firm = facts.profiles[0].industry if facts.profiles else None
        if firm is None:
            return phrase("industry_unknown", lang, wanted=wanted)
        key = {TRUE: "industry_in", FALSE: "industry_out"}.get(value, "industry_broad")
        return phrase(key, lang, label=name(firm), wanted=wanted)


class RangeCondition(Condition):
    """A number fact (employees, capital, years in business) within bounds (NaN: no bound)."""

    def __init__(self, fact: str, rows, lo: np.ndarray, hi: np.ndarray):
        super().__init__(rows)
        self.name = fact
        self.facts = (fact,)
        self.lo = lo
        self.hi = hi

    def variant_key(self, pos):
        lo, hi = float(self.lo[pos]), float(self.hi[pos])
        return (None if lo != lo else lo, None if hi != hi else hi)

    def words_key(self, pos):
        return self.variant_key(pos)  # the bounds are all describe reads of the row

    def evaluate(self, facts, sel=None):
        lo = self.lo if sel is None else self.lo[sel]
        hi = self.hi if sel is None else self.hi[sel]
        v = getattr(facts, self.name)[:, None]
        with np.errstate(invalid="ignore"):
            ok = (np.isnan(lo) | (v >= lo)) & (np.isnan(hi) | (v <= hi))
        out = bool_tri(ok)
        out[np.isnan(v[:, 0])] = UNKNOWN
        return out

    def _fmt(self, x: float, lang: str = "en") -> str:
        x = float(x)  # a Python float: numpy's own formatting with "," is ~50x slower
        if self.name == "capital_jpy":
            return f"{x:,.0f}円" if lang == "ja" else f"¥{x:,.0f}"
        return f"{x:,.{0 if x.is_integer() else 1}f}"

    def describe(self, facts, pos, value, lang="en"):
        lo, hi = self.lo[pos], self.hi[pos]
        label = FACT_LABELS[self.name].replace(" (¥)", "") if lang != "ja" else fact_word(self.name, lang)
        want = phrase("and", lang).join(
            part for part in (
                phrase("at_least", lang, v=self._fmt(lo, lang)) if not np.isnan(lo) else "",
                phrase("at_most", lang, v=self._fmt(hi, lang)) if not np.isnan(hi) else "",
            ) if part
        )
        v = float(getattr(facts, self.name)[0])
        if np.isnan(v):
            return phrase("range_unknown", lang, label=label, want=want)
        if value == TRUE:
            return phrase("range_ok", lang, label=label, value=self._fmt(v, lang), want=want)
        bad = (phrase("below", lang, v=self._fmt(lo, lang)) if not np.isnan(lo) and v < lo
               else phrase("above", lang, v=self._fmt(hi, lang)))
        return phrase("range_bad", lang, label=label, value=self._fmt(v, lang), bad=bad)


class FlagCondition(Condition):
    """A yes/no fact the program requires (``environment_conscious``, ``seeking_location``)."""

    def __init__(self, fact: str, rows):
        super().__init__(rows)
        self.name = fact
        self.facts = (fact,)

    def variant_key(self, pos):
        return 0  # the firm's own flag, whatever the program

    def words_key(self, pos):
        return 0

    def evaluate(self, facts, sel=None):
        k = len(self.rows) if sel is None else len(sel)
        return np.repeat(_flag_tri(getattr(facts, self.name))[:, None], k, axis=1)

    def describe(self, facts, pos, value, lang="en"):
        label = fact_word(self.name, lang) if lang == "ja" else FACT_LABELS[self.name]
        key = {TRUE: "flag_yes", FALSE: "flag_no"}.get(value, "flag_unknown")
        return phrase(key, lang, label=label)


class RuleSetCondition(Condition):
    """A named rule set (:mod:`rules.rulesets`), evaluated once per firm for all its programs."""

    def __init__(self, name: str, rows):
        super().__init__(rows)
        self.rule = rule_set(name)
        self.name = name
        self.facts = (*self.rule.facts(), "industry")

    def variant_key(self, pos):
        return 0  # the firm's rule-set verdict, whatever the program

    def words_key(self, pos):
        return 0  # and its words

    def evaluate(self, facts, sel=None):
        k = len(self.rows) if sel is None else len(sel)
        return np.repeat(self.rule.evaluate(facts)[:, None], k, axis=1)

    def describe(self, facts, pos, value, lang="en"):
        verdict = {TRUE: "is", FALSE: "is_not", UNKNOWN: "may_be"}[value]
        parts = [text for v, text in self.rule.trace(facts, lang=lang) if v == value or value == UNKNOWN and v == UNKNOWN]
        detail = ("；" if lang == "ja" else "; ").join(parts) if parts else ""
        title = self.rule.title_ja if lang == "ja" else self.rule.title
        head = phrase(verdict, lang, a="an" if self.rule.title[0] in "AEIOUSaeiou" else "a", title=title)
        return head + (f": {detail}" if detail else "")

    def missing(self, facts, pos):
        out = [f for f in self.rule.tested_facts(facts) if np.isnan(getattr(facts, f)[0])]
        if facts.major_group[0] < 0:
            out.append("industry")
        return tuple(out)


class LogicCondition(Condition):
    """JsonLogic rules, each compiled once; identical rules are evaluated once.

    A chunk of at most :attr:`SCALAR_MAX` firms built from profiles goes through the
    scalar evaluator (:func:`rules.jsonlogic.compile_one`, once per rule), which for one firm is several
    times faster than the numpy kernels; the property tests show both give the same
    values on random rules and firms.
    """

    name = "logic"
    SCALAR_MAX = 2

    def __init__(self, rows, rules: list[LogicRule]):
        super().__init__(rows)
        self.rules = rules
        keys: dict[str, int] = {}
        self.unique: list[LogicRule] = []
        self.of = np.empty(len(rules), np.intp)  # rule position -> unique rule
        for i, r in enumerate(rules):
            key = json.dumps(r.expr, sort_keys=True)
            if key not in keys:
                keys[key] = len(self.unique)
                self.unique.append(r)
            self.of[i] = keys[key]

    @property
    def reads_location(self) -> bool:
        return any(LOCATION_FACTS & set(r.facts) for r in self.unique)

    def variant_key(self, pos):
        return json.dumps(self.rules[pos].expr, sort_keys=True)

    def evaluate(self, facts, sel=None):
        pos = np.arange(len(self.rows)) if sel is None else np.asarray(sel, np.intp)
        need = np.unique(self.of[pos])
        if facts.n <= self.SCALAR_MAX and len(facts.profiles) == facts.n:
            dicts = [one_firm_facts(firm_fact_dict(p, facts.as_of)) for p in facts.profiles]
            unique = self.unique
            rows = []
            for d in dicts:  # each distinct rule once per firm, then one array
                value = {u: unique[u].evaluate_facts(d) for u in need.tolist()}
                rows.append([value[u] for u in self.of[pos].tolist()])
            return np.array(rows, np.uint8).reshape(facts.n, len(pos))
        values = {int(u): self.unique[u].evaluate(facts) for u in need}
        cols = [values[int(self.of[i])] for i in pos]
        return np.stack(cols, axis=1) if cols else np.zeros((facts.n, 0), np.uint8)

    def describe(self, facts, pos, value, lang="en"):
        return self.rules[pos].describe(facts, value, lang)

    def missing(self, facts, pos):
        return self.rules[pos].missing(facts)
