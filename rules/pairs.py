"""Eligibility lowered to lookup tables, for kernels that visit firm-program pairs one by one.

:meth:`CompiledEligibility.evaluate` builds the whole ``(n_firms, n_programs)``
matrix. A matching kernel that only wants each firm's *eligible* programs can do
much less, in two steps that give exactly the same verdicts:

1. **where**: the location conditions (municipality, prefecture and region lists)
   depend only on the firm's ``(municipality, prefecture)``; :meth:`PairTables.candidates`
   evaluates them once per distinct location (remembered across calls) and returns,
   for each, the sorted programs whose location conditions are TRUE. Every other
   program is ineligible or unknown for firms there.
2. **the rest**: every other condition's rows are grouped into *variants* (programs
   whose condition has the same parameters: the SME rule set, a headcount ceiling of
   300, one industry list, one JsonLogic rule...); :meth:`PairTables.variants`
   evaluates each variant once over the firms, giving an ``(n_firms, n_variants)``
   uint8 table, and ``program_variants`` lists each program's variant columns. A
   pair's verdict is then ``min(open[j], table[i, v] for v in program j's variants)``
   (Kleene AND), with the location already TRUE.

>>> import datetime as dt
>>> from profiles import CompanyProfile, load_catalog
>>> from rules import CompiledEligibility, FirmFacts
>>> rules = CompiledEligibility(load_catalog().programs)
>>> facts = FirmFacts.from_profiles([CompanyProfile(municipality="Kita", prefecture="Tokyo", employees=5)],
...                                 dt.date(2026, 1, 1))
>>> tables = rules.pair_tables()
>>> key, ptr, cand = tables.candidates(facts)
>>> full = rules.evaluate(facts)[0]
>>> from rules.kleene import TRUE
>>> table = tables.variants(facts)
>>> verdicts = [min([int(rules.open_at(facts.as_of)[j]) * TRUE] + [int(table[0, v]) for v in tables.variants_of(j)])
...             for j in cand[ptr[key[0]]:ptr[key[0] + 1]]]
>>> sorted(j for j, v in zip(cand[ptr[key[0]]:ptr[key[0] + 1]], verdicts) if v == TRUE) == sorted(
...     j for j in range(len(full)) if full[j] == TRUE)
True
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import TYPE_CHECKING

import numpy as np

from rules.conditions import Condition
from rules.facts import FirmFacts
from rules.kleene import TRUE

if TYPE_CHECKING:  # pragma: no cover - the compiler builds these tables, they never build it
    from rules.compiler import CompiledEligibility

__all__ = ["PairTables"]


class PairTables:
    """Lookup tables of a :class:`~rules.compiler.CompiledEligibility` (see the module's text).

    Attributes
    ----------
    n_variants : int
        Columns of :meth:`variants`.
    variant_ptr, variant_idx : ndarray of int32
        CSR lists: program ``j``'s variant columns are ``variant_idx[variant_ptr[j]:variant_ptr[j + 1]]``.
    """

    def __init__(self, compiled: "CompiledEligibility"):
        self.compiled = compiled
        self.location = [c for c in compiled.conditions if c.location_only]
        self.others: list[tuple[Condition, np.ndarray]] = []  # (condition, one row position per variant)
        per_program: list[list[int]] = [[] for _ in range(compiled.n_programs)]
        offset = 0
        for cond in compiled.conditions:
            if any(cond is c for c in self.location):
                continue
            keys: dict[Hashable, int] = {}
            reps: list[int] = []
            for pos, row in enumerate(cond.rows.tolist()):
                key = cond.variant_key(pos)
                if key not in keys:
                    keys[key] = len(reps)
                    reps.append(pos)
                per_program[row].append(offset + keys[key])
            self.others.append((cond, np.asarray(reps, np.intp)))
            offset += len(reps)
        self.n_variants = offset
        lens = np.array([len(v) for v in per_program], np.int64)
        self.variant_ptr = np.zeros(compiled.n_programs + 1, np.int32)
        np.cumsum(lens, out=self.variant_ptr[1:])
        self.variant_idx = np.array([v for vs in per_program for v in vs], np.int32)
        self._where: dict[tuple[int, int], np.ndarray] = {}
        self._lock = threading.Lock()

    def variants_of(self, program: int) -> np.ndarray:
        """The variant columns of one program."""
        return self.variant_idx[self.variant_ptr[program]:self.variant_ptr[program + 1]]

    def variants(self, facts: FirmFacts) -> np.ndarray:
        """Every variant's Kleene value for every firm, shape ``(facts.n, n_variants)`` uint8."""
        out = np.empty((facts.n, self.n_variants), np.uint8)
        start = 0
        for cond, reps in self.others:
            out[:, start:start + len(reps)] = cond.evaluate(facts, reps)
            start += len(reps)
        return out

    def candidates(self, facts: FirmFacts) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The programs whose location conditions are TRUE, per firm.

        Returns
        -------
        key : ndarray of int32, shape (facts.n,)
            Each firm's row in the CSR lists below (firms at one location share it).
        ptr, programs : ndarray of int32
            ``programs[ptr[key[i]]:ptr[key[i] + 1]]``: firm ``i``'s candidate programs, ascending.
        """
        pairs = np.stack([facts.municipality.astype(np.int64), facts.prefecture.astype(np.int64)], axis=1)
        uniq, first, key = np.unique(pairs, axis=0, return_index=True, return_inverse=True)
        missing = [q for q, (m, p) in enumerate(uniq.tolist()) if (m, p) not in self._where]
        if missing:
            reps = facts.take(first[missing])
            ok = np.ones((len(missing), self.compiled.n_programs), bool)
            for cond in self.location:
                ok[:, cond.rows] &= cond.evaluate(reps) == TRUE
            with self._lock:
                for q, row in zip(missing, ok):
                    m, p = uniq[q].tolist()
                    self._where[(m, p)] = np.flatnonzero(row).astype(np.int32)
        lists = [self._where[(m, p)] for m, p in uniq.tolist()]
        ptr = np.zeros(len(lists) + 1, np.int32)
        np.cumsum([len(x) for x in lists], out=ptr[1:])
        programs = np.concatenate(lists).astype(np.int32) if lists else np.empty(0, np.int32)
        return key.ravel().astype(np.int32), ptr, programs

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_where"] = {}
        del state["_lock"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.Lock()
