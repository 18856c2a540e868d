"""Compiling a catalog's eligibility rules into vectorized predicates.

:class:`CompiledEligibility` lowers each shorthand to per-program constraint arrays
(allowed municipalities, prefectures and industries as boolean matrices, numeric
ranges as bound vectors, required attributes as flags, named rule sets as a
firm-level column evaluated once), plus a general path for JsonLogic. Evaluating a
batch of firms gives an ``(n_firms, n_programs)`` matrix of Kleene truth values;
one firm is a batch of one, so single-firm and batch calls share every line.

>>> import datetime as dt
>>> from profiles import CompanyProfile, SupportProgram
>>> prog = SupportProgram.model_validate({
...     "id": "kita-only", "name": "Kita only", "kind": "subsidy",
...     "provider": {"id": "kita", "name": "Kita City", "kind": "municipality"},
...     "eligibility": {"municipalities": ["131172"], "rule_sets": ["sme"]},
...     "source": {"file": "001_d83b5e0f2d5ac214.txt", "quote": "..."}})
>>> rules = CompiledEligibility([prog])
>>> firms = [CompanyProfile(municipality="131172", employees=25),
...          CompanyProfile(municipality="Osaka", prefecture="Osaka", employees=25),
...          CompanyProfile(municipality="131172", employees=1000)]
>>> rules.evaluate(FirmFacts.from_profiles(firms, dt.date(2026, 1, 1))).ravel().tolist()
[2, 0, 1]
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from profiles.geography import gazetteer
from profiles.industries import division_of
from profiles.models import SupportProgram
from rules.facts import FACT_LABELS, FirmFacts, firm_fact_dict, industry_indices
from rules.kleene import FALSE, TRUE, UNKNOWN
from rules.logic import LogicRule, one_firm_facts
from rules.rulesets import rule_set

__all__ = ["CompiledEligibility", "Condition", "ConditionResult"]


def _flag_tri(values: np.ndarray) -> np.ndarray:
    """int8 1/0/-1 → TRUE/FALSE/UNKNOWN."""
    return np.choose(values + 1, [UNKNOWN, FALSE, TRUE]).astype(np.uint8)


def _bool_tri(b: np.ndarray) -> np.ndarray:
    return np.where(b, TRUE, FALSE).astype(np.uint8)


def _gov_label(index: int) -> str:
    g = gazetteer().records[index]
    return f"{g.name_en} ({g.prefecture_en})"


def _pref_label(index: int) -> str:
    return gazetteer().prefectures[index].name_en


def _list(items: list[str], limit: int = 4) -> str:
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

    def __init__(self, rows: Sequence[int]):
        self.rows = np.asarray(rows, dtype=np.intp)
        self._pos = {int(p): i for i, p in enumerate(self.rows)}

    def position(self, program: int) -> int | None:
        return self._pos.get(int(program))

    def evaluate(self, facts: FirmFacts, sel: np.ndarray | None = None) -> np.ndarray:
        """Truth values, shape ``(facts.n, len(sel or rows))``."""
        raise NotImplementedError

    def describe(self, facts: FirmFacts, pos: int, value: int) -> str:
        raise NotImplementedError

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


class _MunicipalityCondition(Condition):
    name = "municipality"
    facts = ("municipality",)

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
        out[known] = _bool_tri(allowed[:, facts.municipality[known]].T)
        only_pref = ~known & (facts.prefecture >= 0)
        out[only_pref] = np.where(pref_any[:, facts.prefecture[only_pref]].T, UNKNOWN, FALSE)
        return out

    def describe(self, facts, pos, value):
        names = [_gov_label(j) for j in np.flatnonzero(self.allowed[pos])]
        m = int(facts.municipality[0])
        if value == TRUE:
            return f"located in {_gov_label(m)}"
        if value == FALSE:
            where = _gov_label(m) if m >= 0 else _pref_label(int(facts.prefecture[0]))
            return f"located in {where}, not in {_list(names)}"
        return f"municipality not given: needed to check the location ({_list(names)})"


class _PrefectureCondition(Condition):
    """Prefecture lists and regions both lower to a set of allowed prefectures."""

    facts = ("prefecture",)

    def __init__(self, name: str, rows, allowed: np.ndarray, labels: list[str]):
        super().__init__(rows)
        self.name = name
        self.allowed = allowed
        self.labels = labels

    def evaluate(self, facts, sel=None):
        allowed = self.allowed if sel is None else self.allowed[sel]
        out = np.full((facts.n, allowed.shape[0]), UNKNOWN, np.uint8)
        known = facts.prefecture >= 0
        out[known] = _bool_tri(allowed[:, facts.prefecture[known]].T)
        return out

    def describe(self, facts, pos, value):
        p = int(facts.prefecture[0])
        what = self.labels[pos]
        if value == TRUE:
            return f"located in {_pref_label(p)} ({what})"
        if value == FALSE:
            return f"located in {_pref_label(p)}, outside {what}"
        return f"prefecture not given: needed to check the location ({what})"


class _IndustryCondition(Condition):
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

    def evaluate(self, facts, sel=None):
        g_ok = self.group_ok if sel is None else self.group_ok[sel]
        d_all = self.div_all if sel is None else self.div_all[sel]
        d_any = self.div_any if sel is None else self.div_any[sel]
        out = np.full((facts.n, g_ok.shape[0]), UNKNOWN, np.uint8)
        has_g = facts.major_group >= 0
        out[has_g] = _bool_tri(g_ok[:, facts.major_group[has_g]].T)
        only_d = ~has_g & (facts.division >= 0)
        d = facts.division[only_d]
        out[only_d] = np.where(d_all[:, d].T, TRUE, np.where(d_any[:, d].T, UNKNOWN, FALSE))
        return out

    def describe(self, facts, pos, value):
        from profiles.industries import resolve_industry

        wanted = _list([f"{c} {resolve_industry(c).name_en}" for c in self.codes[pos]])
        firm = facts.profiles[0].industry if facts.profiles else None
        if firm is None:
            return f"industry not given: the program is for {wanted}"
        label = f"{firm} {resolve_industry(firm).name_en}"
        if value == TRUE:
            return f"industry {label} is among {wanted}"
        if value == FALSE:
            return f"industry {label} is not among {wanted}"
        return f"industry {label} is too broad: the program is for {wanted}"


class _RangeCondition(Condition):
    def __init__(self, fact: str, rows, lo: np.ndarray, hi: np.ndarray):
        super().__init__(rows)
        self.name = fact
        self.facts = (fact,)
        self.lo = lo
        self.hi = hi

    def evaluate(self, facts, sel=None):
        lo = self.lo if sel is None else self.lo[sel]
        hi = self.hi if sel is None else self.hi[sel]
        v = getattr(facts, self.name)[:, None]
        with np.errstate(invalid="ignore"):
            ok = (np.isnan(lo) | (v >= lo)) & (np.isnan(hi) | (v <= hi))
        out = _bool_tri(ok)
        out[np.isnan(v[:, 0])] = UNKNOWN
        return out

    def _fmt(self, x: float) -> str:
        x = float(x)  # a Python float: numpy's own formatting with "," is ~50x slower
        return f"¥{x:,.0f}" if self.name == "capital_jpy" else f"{x:,.{0 if x.is_integer() else 1}f}"

    def describe(self, facts, pos, value):
        lo, hi = self.lo[pos], self.hi[pos]
        label = FACT_LABELS[self.name].replace(" (¥)", "")
        want = " and ".join(
            part for part in (
                f">= {self._fmt(lo)}" if not np.isnan(lo) else "",
                f"<= {self._fmt(hi)}" if not np.isnan(hi) else "",
            ) if part
        )
        v = float(getattr(facts, self.name)[0])
        if np.isnan(v):
            return f"{label} not given: must be {want}"
        if value == TRUE:
            return f"{label} {self._fmt(v)} {want}"
        bad = f"< {self._fmt(lo)}" if not np.isnan(lo) and v < lo else f"> {self._fmt(hi)}"
        return f"{label} {self._fmt(v)} {bad}"


class _FlagCondition(Condition):
    def __init__(self, fact: str, rows):
        super().__init__(rows)
        self.name = fact
        self.facts = (fact,)

    def evaluate(self, facts, sel=None):
        k = len(self.rows) if sel is None else len(sel)
        return np.repeat(_flag_tri(getattr(facts, self.name))[:, None], k, axis=1)

    def describe(self, facts, pos, value):
        label = FACT_LABELS[self.name]
        if value == TRUE:
            return f"{label}: yes"
        if value == FALSE:
            return f"{label}: no, and the program requires it"
        return f"{label} not given: the program requires it"


class _RuleSetCondition(Condition):
    def __init__(self, name: str, rows):
        super().__init__(rows)
        self.rule = rule_set(name)
        self.name = name
        self.facts = (*self.rule.facts(), "industry")

    def evaluate(self, facts, sel=None):
        k = len(self.rows) if sel is None else len(sel)
        return np.repeat(self.rule.evaluate(facts)[:, None], k, axis=1)

    def describe(self, facts, pos, value):
        verdict = {TRUE: "is", FALSE: "is not", UNKNOWN: "may be"}[value]
        parts = [text for v, text in self.rule.trace(facts) if v == value or value == UNKNOWN and v == UNKNOWN]
        detail = "; ".join(parts) if parts else ""
        return f"{verdict} {'an' if self.rule.title[0] in 'AEIOUSaeiou' else 'a'} {self.rule.title}" + (f": {detail}" if detail else "")

    def missing(self, facts, pos):
        out = [f for f in self.rule.facts() if np.isnan(getattr(facts, f)[0])]
        if facts.major_group[0] < 0:
            out.append("industry")
        return tuple(out)


class _LogicCondition(Condition):
    """JsonLogic rules, each compiled once; identical rules are evaluated once.

    A chunk of at most :attr:`SCALAR_MAX` firms built from profiles goes through the
    scalar evaluator (``rules.logic.evaluate_one``, compiled per rule), which for one firm is several
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

    def evaluate(self, facts, sel=None):
        pos = np.arange(len(self.rows)) if sel is None else np.asarray(sel, np.intp)
        need = np.unique(self.of[pos])
        if facts.n <= self.SCALAR_MAX and len(facts.profiles) == facts.n:
            dicts = [one_firm_facts(firm_fact_dict(p, facts.as_of)) for p in facts.profiles]
            values = {int(u): np.array([self.unique[u].evaluate_facts(d) for d in dicts], np.uint8) for u in need}
        else:
            values = {int(u): self.unique[u].evaluate(facts) for u in need}
        cols = [values[int(self.of[i])] for i in pos]
        return np.stack(cols, axis=1) if cols else np.zeros((facts.n, 0), np.uint8)

    def describe(self, facts, pos, value):
        return self.rules[pos].describe(facts, value)

    def missing(self, facts, pos):
        return self.rules[pos].missing(facts)


_LOCATION_FACTS = {"municipality", "prefecture"}


def _reads_location(cond: Condition) -> bool:
    if isinstance(cond, _LogicCondition):
        return any(_LOCATION_FACTS & set(r.facts) for r in cond.unique)
    return bool(_LOCATION_FACTS & set(cond.facts))


class CompiledEligibility:
    """The eligibility rules of a sequence of programs, compiled once.

    Parameters
    ----------
    programs : sequence of SupportProgram
        The catalog's programs, in the order the result columns follow.
    """

    def __init__(self, programs: Sequence[SupportProgram]):
        self.programs = tuple(programs)
        P = len(self.programs)
        self.n_programs = P
        gaz = gazetteer()

        def rows_where(pred):
            return [i for i, p in enumerate(self.programs) if pred(p.eligibility)]

        self.conditions: list[Condition] = []
        rows = rows_where(lambda e: e.municipalities)
        if rows:
            self.conditions.append(_MunicipalityCondition(rows, [self.programs[i].eligibility.municipalities for i in rows]))
        rows = rows_where(lambda e: e.prefectures)
        if rows:
            allowed = np.zeros((len(rows), 47), dtype=bool)
            labels = []
            for k, i in enumerate(rows):
                codes = self.programs[i].eligibility.prefectures
                allowed[k, [int(c) - 1 for c in codes]] = True
                labels.append("the programme's prefectures: " + _list([_pref_label(int(c) - 1) for c in codes]))
            self.conditions.append(_PrefectureCondition("prefecture", rows, allowed, labels))
        rows = rows_where(lambda e: e.regions)
        if rows:
            allowed = np.zeros((len(rows), 47), dtype=bool)
            labels = []
            for k, i in enumerate(rows):
                regions = self.programs[i].eligibility.regions
                for j, pref in enumerate(gaz.prefectures):
                    if set(pref.regions) & set(regions):
                        allowed[k, j] = True
                labels.append("the " + " / ".join(r.replace("_", " ").title() for r in regions) + " region")
            self.conditions.append(_PrefectureCondition("region", rows, allowed, labels))
        rows = rows_where(lambda e: e.industries)
        if rows:
            self.conditions.append(_IndustryCondition(rows, [self.programs[i].eligibility.industries for i in rows]))
        for fact in ("employees", "capital_jpy", "years_in_business"):
            rows = rows_where(lambda e, f=fact: getattr(e, f) is not None)
            if rows:
                rng = [getattr(self.programs[i].eligibility, fact) for i in rows]
                lo = np.array([np.nan if r.min is None else r.min for r in rng])
                hi = np.array([np.nan if r.max is None else r.max for r in rng])
                self.conditions.append(_RangeCondition(fact, rows, lo, hi))
        for fact in ("environment_conscious", "seeking_location"):
            rows = rows_where(lambda e, f=fact: f in e.requires)
            if rows:
                self.conditions.append(_FlagCondition(fact, rows))
        names = list(dict.fromkeys(n for p in self.programs for n in p.eligibility.rule_sets))
        for name in names:
            rows = rows_where(lambda e, n=name: n in e.rule_sets)
            self.conditions.append(_RuleSetCondition(name, rows))
        rows = rows_where(lambda e: e.logic is not None)
        if rows:
            self.conditions.append(_LogicCondition(rows, [LogicRule(self.programs[i].eligibility.logic) for i in rows]))

        def ordinal(d: dt.date | None, default: float) -> float:
            return float(d.toordinal()) if d is not None else default

        self._start = np.array([ordinal(p.valid_from, -np.inf) for p in self.programs])
        self._end = np.array([min(ordinal(p.valid_until, np.inf), ordinal(p.application_deadline, np.inf))
                              for p in self.programs])

    def pair_tables(self) -> "PairTables":
        """This eligibility as lookup tables for pair-by-pair kernels (:mod:`rules.pairs`), built once."""
        if getattr(self, "_pair_tables", None) is None:
            from rules.pairs import PairTables

            self._pair_tables = PairTables(self)
        return self._pair_tables

    def open_at(self, as_of: dt.date) -> np.ndarray:
        """Boolean mask of the programs open at ``as_of`` (validity windows and deadlines)."""
        day = float(as_of.toordinal())
        return (self._start <= day) & (day <= self._end)

    def evaluate(self, facts: FirmFacts, parts: list[np.ndarray] | None = None) -> np.ndarray:
        """Kleene truth values, shape ``(facts.n, n_programs)``, at ``facts.as_of``.

        A closed program is FALSE for every firm; otherwise each condition narrows the
        result by Kleene AND (the minimum). Pass a list as ``parts`` to keep each
        condition's values, so that :meth:`explain` can reuse them.
        """
        out = np.empty((facts.n, self.n_programs), dtype=np.uint8)
        out[:] = np.where(self.open_at(facts.as_of), TRUE, FALSE)[None, :]
        for cond in self.conditions:
            cols = cond.rows
            values = cond.evaluate(facts)
            if parts is not None:
                parts.append(values)
            out[:, cols] = np.minimum(out[:, cols], values)
        return out

    def evaluate_relocated(self, facts: FirmFacts, parts: list[np.ndarray], moved: FirmFacts) -> np.ndarray:
        """:meth:`evaluate` of ``moved``, the firms of ``facts`` placed elsewhere.

        ``moved`` row ``i * C + c`` is firm ``i`` of ``facts`` with only its
        municipality and prefecture changed, and ``parts`` the condition values kept
        by ``evaluate(facts, parts)``. Conditions that read no location are not
        evaluated again: their values are repeated from ``parts``. The result equals
        ``evaluate(moved)`` (a test checks it).
        """
        C = moved.n // facts.n if facts.n else 0
        out = np.empty((moved.n, self.n_programs), dtype=np.uint8)
        out[:] = np.where(self.open_at(moved.as_of), TRUE, FALSE)[None, :]
        for cond, values in zip(self.conditions, parts):
            if _reads_location(cond):
                values = cond.evaluate(moved)
            else:
                values = np.repeat(values, C, axis=0)
            out[:, cond.rows] = np.minimum(out[:, cond.rows], values)
        return out

    def _program_conditions(self, program: int) -> list[tuple[int, Condition, int]]:
        if not hasattr(self, "_by_program"):
            self._by_program: dict[int, list] = {}
            for ci, cond in enumerate(self.conditions):
                for pos, row in enumerate(cond.rows):
                    self._by_program.setdefault(int(row), []).append((ci, cond, pos))
        return self._by_program.get(int(program), [])

    def explain(self, facts: FirmFacts, program: int, row: int = 0, parts: list[np.ndarray] | None = None,
                outcomes: tuple[int, ...] = (FALSE, UNKNOWN, TRUE)) -> list[ConditionResult]:
        """Every condition of program ``program`` for firm ``row`` of ``facts``, in plain words.

        ``parts`` are the condition values kept by :meth:`evaluate` on the same facts;
        ``outcomes`` keeps only the conditions with those values (e.g. only the failed ones).
        """
        one = facts.take([row]) if facts.n != 1 else facts
        prog = self.programs[program]
        out: list[ConditionResult] = []
        ok, why = prog.status(one.as_of)
        if not ok:
            if FALSE in outcomes:
                out.append(ConditionResult("open", FALSE, why or "closed"))
        elif (prog.valid_from or prog.valid_until or prog.application_deadline) and TRUE in outcomes:
            span = " to ".join(d.isoformat() if d else "…" for d in (prog.valid_from, prog.valid_until or prog.application_deadline))
            out.append(ConditionResult("open", TRUE, f"open on {one.as_of.isoformat()} ({span})"))
        conditions = self._program_conditions(program)
        for ci, cond, pos in conditions:
            if parts is not None:
                value = int(parts[ci][row, pos])
            else:
                value = int(cond.evaluate(one, np.array([pos]))[0, 0])
            if value not in outcomes:
                continue
            missing = cond.missing(one, pos) if value == UNKNOWN else ()
            out.append(ConditionResult(cond.name, value, cond.describe(one, pos, value), missing))
        if not conditions and ok and TRUE in outcomes and not out:
            out.append(ConditionResult("none", TRUE, "no eligibility conditions: open to every firm"))
        return out
