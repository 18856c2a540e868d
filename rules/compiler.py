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
from collections.abc import Sequence

import numpy as np

from profiles.geography import gazetteer
from profiles.models import SupportProgram
from rules.conditions import (
    Condition,
    ConditionResult,
    FlagCondition,
    IndustryCondition,
    LogicCondition,
    MunicipalityCondition,
    PrefectureCondition,
    RangeCondition,
    RuleSetCondition,
    SubregionCondition,
)
from rules.audience_conditions import (
    ApplicantTypeCondition,
    TargetGroupCondition,
)
from rules.facts import FirmFacts
from rules.jsonlogic import LogicRule
from rules.kleene import FALSE, TRUE, UNKNOWN
from rules.pairs import PairTables

__all__ = ["CompiledEligibility", "Condition", "ConditionResult", "source_quote"]

#: The eligibility field each kind of condition reads, as importers name it in ``source[].facts``.
_FIELD_OF = {"municipality": "municipalities", "prefecture": "prefectures", "region": "regions",
             "industry": "industries", "applicant_type": "applicant_types", "target_groups": "target_groups",
             "employees": "employees", "capital_jpy": "capital_jpy", "years_in_business": "years_in_business",
             "sme": "rule_sets", "small_enterprise": "rule_sets"}


def source_quote(program: SupportProgram, condition: str, limit: int = 80) -> str | None:
    """Where a condition was read from, when an importer cited it: the column and the sentence.

    >>> from profiles.models import SupportProgram
    >>> p = SupportProgram(id="p", name_ja="補助金", kind="subsidy", provider={"id": "t", "name_ja": "東京都",
    ...     "kind": "prefecture"}, eligibility={"applicant_types": ["区市町村"]}, source=[{"file": "list.csv",
    ...     "row": 7, "quote": "補助対象者：区市町村", "facts": ["eligibility.applicant_types"]}])
    >>> source_quote(p, "applicant_type")
    'the program text: 「補助対象者：区市町村」'
    """
    field = _FIELD_OF.get(condition)
    if field is None:
        return None
    for src in program.source:
        if f"eligibility.{field}" in getattr(src, "facts", ()):
            quote = " ".join(src.quote.split())
            quote = quote if len(quote) <= limit else quote[: limit - 1] + "…"
            where = "the program text" if src.field in (None, "補助金の概要", "detail", "description") else src.field
            return f"{where}: 「{quote}」"
    return None

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

        def rows_where(pred):
            return [i for i, p in enumerate(self.programs) if pred(p.eligibility)]

        self.conditions: list[Condition] = []
        rows = rows_where(lambda e: e.municipalities)
        if rows:
            self.conditions.append(MunicipalityCondition(rows, [self.programs[i].eligibility.municipalities for i in rows]))
        rows = rows_where(lambda e: e.prefectures)
        if rows:
            self.conditions.append(PrefectureCondition.of_prefectures(
                rows, [self.programs[i].eligibility.prefectures for i in rows]))
        subregions = set(gazetteer().subregions)
        rows = rows_where(lambda e: e.regions and subregions & set(e.regions))
        if rows:
            self.conditions.append(SubregionCondition(rows, [self.programs[i].eligibility.regions for i in rows]))
        rows = rows_where(lambda e: e.regions and not subregions & set(e.regions))
        if rows:
            self.conditions.append(PrefectureCondition.of_regions(rows, [self.programs[i].eligibility.regions for i in rows]))
        rows = rows_where(lambda e: e.industries)
        if rows:
            self.conditions.append(IndustryCondition(rows, [self.programs[i].eligibility.industries for i in rows]))
        for fact in ("employees", "capital_jpy", "years_in_business"):
            rows = rows_where(lambda e, f=fact: getattr(e, f) is not None)
            if rows:
                rng = [getattr(self.programs[i].eligibility, fact) for i in rows]
                lo = np.array([np.nan if r.min is None else r.min for r in rng])
                hi = np.array([np.nan if r.max is None else r.max for r in rng])
                self.conditions.append(RangeCondition(fact, rows, lo, hi))
        for fact in ("environment_conscious", "seeking_location"):
            rows = rows_where(lambda e, f=fact: f in e.requires)
            if rows:
                self.conditions.append(FlagCondition(fact, rows))
        names = list(dict.fromkeys(n for p in self.programs for n in p.eligibility.rule_sets))
        for name in names:
            rows = rows_where(lambda e, n=name: n in e.rule_sets)
            self.conditions.append(RuleSetCondition(name, rows))
        rows = rows_where(lambda e: e.applicant_types)
        if rows:
            self.conditions.append(ApplicantTypeCondition(
                rows, [self.programs[i].eligibility.applicant_types for i in rows],
                delivered=[self.programs[i].delivered_by is not None for i in rows]))
        rows = rows_where(lambda e: e.target_groups)
        if rows:
            self.conditions.append(TargetGroupCondition(rows, [self.programs[i].eligibility.target_groups
                                                               for i in rows]))
        rows = rows_where(lambda e: e.logic is not None)
        if rows:
            self.conditions.append(LogicCondition(rows, [LogicRule(self.programs[i].eligibility.logic) for i in rows]))

        def ordinal(d: dt.date | None, default: float) -> float:
            return float(d.toordinal()) if d is not None else default

        self._start = np.array([ordinal(p.valid_from, -np.inf) for p in self.programs])
        self._end = np.array([min(ordinal(p.valid_until, np.inf), ordinal(p.application_deadline, np.inf))
                              for p in self.programs])

    def pair_tables(self) -> "PairTables":
        """This eligibility as lookup tables for pair-by-pair kernels (:mod:`rules.pairs`), built once."""
        if getattr(self, "_pair_tables", None) is None:
            self._pair_tables = PairTables(self)
        return self._pair_tables

    def open_at(self, as_of: dt.date) -> np.ndarray:
        """Boolean mask of the programs open at ``as_of`` (validity windows and deadlines)."""
        day = float(as_of.toordinal())
        return (self._start <= day) & (day <= self._end)

    def _open_values(self, as_of: dt.date) -> np.ndarray:
        """TRUE where a program is open at ``as_of``, else FALSE (the last day asked is kept: firms come
        one after the other at the same date)."""
        kept = self.__dict__.get("_open")
        if kept is None or kept[0] != as_of:
            kept = self._open = (as_of, np.where(self.open_at(as_of), TRUE, FALSE).astype(np.uint8))
        return kept[1]

    def evaluate(self, facts: FirmFacts, parts: list[np.ndarray] | None = None) -> np.ndarray:
        """Kleene truth values, shape ``(facts.n, n_programs)``, at ``facts.as_of``.

        A closed program is FALSE for every firm; otherwise each condition narrows the
        result by Kleene AND (the minimum). Pass a list as ``parts`` to keep each
        condition's values, so that :meth:`explain` can reuse them.
        """
        out = np.empty((facts.n, self.n_programs), dtype=np.uint8)
        out[:] = self._open_values(facts.as_of)[None, :]
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
        out[:] = self._open_values(moved.as_of)[None, :]
        reads = self.__dict__.get("_reads_location")
        if reads is None:  # a condition's kind and facts never change
            reads = self._reads_location = [cond.reads_location for cond in self.conditions]
        for cond, values, reads_location in zip(self.conditions, parts, reads):
            if reads_location:
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

    def _source_quote(self, program: int, condition: str) -> str | None:
        """:func:`source_quote` of a program's condition, kept once found (it reads the program's sources)."""
        quotes = self.__dict__.setdefault("_quotes", {})
        key = (int(program), condition)
        if key not in quotes:
            quotes[key] = source_quote(self.programs[program], condition)
        return quotes[key]

    def explain(self, facts: FirmFacts, program: int, row: int = 0, parts: list[np.ndarray] | None = None,
                outcomes: tuple[int, ...] = (FALSE, UNKNOWN, TRUE), lang: str = "en",
                words: dict | None = None) -> list[ConditionResult]:
        """Every condition of program ``program`` for firm ``row`` of ``facts``, in plain words.

        ``parts`` are the condition values kept by :meth:`evaluate` on the same facts;
        ``outcomes`` keeps only the conditions with those values (e.g. only the failed ones);
        ``lang`` is the language of the words, ``"en"`` or ``"ja"`` (:mod:`rules.phrases`).
        ``words``, a dict the caller keeps for one firm (the same ``facts`` and ``row``) across
        programs, remembers each condition's words by :meth:`Condition.words_key`.
        """
        from rules.phrases import phrase

        one = facts.take([row]) if facts.n != 1 else facts
        prog = self.programs[program]
        out: list[ConditionResult] = []
        ok, why = prog.status(one.as_of)
        if not ok:
            if FALSE in outcomes:
                out.append(ConditionResult("open", FALSE, _closed_words(why, lang)))
        elif (prog.valid_from or prog.valid_until or prog.application_deadline) and TRUE in outcomes:
            ends = (prog.valid_from, prog.valid_until or prog.application_deadline)
            span = ("〜" if lang == "ja" else " to ").join(d.isoformat() if d else "…" for d in ends)
            out.append(ConditionResult("open", TRUE, phrase("open_on", lang, day=one.as_of.isoformat(), span=span)))
        conditions = self._program_conditions(program)
        for ci, cond, pos in conditions:
            if parts is not None:
                value = int(parts[ci][row, pos])
            else:
                value = int(cond.evaluate(one, np.array([pos]))[0, 0])
            if value not in outcomes:
                continue
            missing = cond.missing(one, pos) if value == UNKNOWN else ()
            if words is None:
                text = cond.describe(one, pos, value, lang)
            else:
                key = (ci, cond.words_key(pos), value, lang)
                text = words.get(key)
                if text is None:
                    text = words[key] = cond.describe(one, pos, value, lang)
            cited = self._source_quote(program, cond.name)
            if cited:
                text = phrase("cited", lang, text=text, cited=cited)
            out.append(ConditionResult(cond.name, value, text, missing))
        if not conditions and ok and TRUE in outcomes and not out:
            out.append(ConditionResult("none", TRUE, phrase("open_to_all", lang)))
        return out


def _closed_words(why: str | None, lang: str) -> str:
    """Why a program is closed (:meth:`SupportProgram.status`'s words), in ``lang``."""
    from rules.phrases import phrase

    if lang != "ja":
        return why or "closed"
    for key, start in (("closed_since", "closed since "), ("opens_on", "opens on "),
                       ("applications_open_on", "applications open on "),
                       ("deadline_passed", "application deadline passed on ")):
        if why and why.startswith(start):
            return phrase(key, lang, day=why[len(start):])
    return phrase("closed", lang)
