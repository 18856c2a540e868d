"""The facts of many firms as numpy columns, ready for vectorized rule evaluation.

:class:`FirmFacts` holds one array per fact (missing numbers are NaN, missing codes
are -1, missing booleans are -1), plus the derived facts the rules need: years in
business at the as-of date and the set of SME Basic Act categories the firm's
industry may fall in. One firm is simply a batch of one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from profiles.audiences import APPLICANT_TYPES, TARGET_GROUPS
from profiles.geography import gazetteer
from profiles.industries import all_divisions, all_major_groups, division_of
from profiles.models import CompanyProfile
from profiles.needs import need_ids

if TYPE_CHECKING:  # pragma: no cover - only the type of from_columns' argument
    from profiles.firmcolumns import FirmColumns

__all__ = [
    "FirmFacts",
    "FACT_TYPES",
    "FACT_LABELS",
    "industry_indices",
    "applicant_type_index",
    "outside_groups",
    "target_group_bits",
    "industry_groups",
    "firm_fact_dict",
]

#: The facts an eligibility rule may read, with their types (for JsonLogic checks).
FACT_TYPES: dict[str, str] = {
    "employees": "number",
    "capital_jpy": "number",
    "years_in_business": "number",
    "industry": "string",
    "division": "string",
    "prefecture": "string",
    "municipality": "string",
    "environment_conscious": "bool",
    "seeking_location": "bool",
    "needs": "list",
}

#: Human labels of the facts, for explanations.
FACT_LABELS: dict[str, str] = {
    "employees": "employees",
    "capital_jpy": "capital (¥)",
    "years_in_business": "years in business",
    "industry": "industry",
    "division": "industry division",
    "prefecture": "prefecture",
    "municipality": "municipality",
    "environment_conscious": "environment-conscious",
    "seeking_location": "seeking a new site",
    "needs": "needs",
    "applicant_type": "kind of applicant",
    "attributes": "groups the firm belongs to",
}


@lru_cache(maxsize=1)
def applicant_type_index() -> dict[str, int]:
    """Stable positions of the applicant types (:data:`profiles.audiences.APPLICANT_TYPES`)."""
    return {k: i for i, k in enumerate(APPLICANT_TYPES)}


@lru_cache(maxsize=1)
def target_group_bits() -> dict[str, int]:
    """The bit of each target group in the ``attributes`` bitmask (at most 63 groups)."""
    if len(TARGET_GROUPS) > 63:
        raise ValueError(f"at most 63 target groups fit the bitmask, got {len(TARGET_GROUPS)}")
    return {k: 1 << i for i, k in enumerate(TARGET_GROUPS)}


@lru_cache(maxsize=4096)
def industry_groups(industry: str) -> int:
    """The target groups a JSIC code places a firm in (``industries`` in audiences.yaml), as bits."""
    bits = target_group_bits()
    mask = 0
    for key, group in TARGET_GROUPS.items():
        if any(industry == code or industry.startswith(code) for code in group.industries):
            mask |= bits[key]
    return mask


@lru_cache(maxsize=1)
def _outside_tables() -> tuple[np.ndarray, np.ndarray]:
    """Per JSIC division and per major group, the bits of the exclusive target groups a firm of
    that industry is certainly not in (``exclusive: true`` in audiences.yaml)."""
    bits = target_group_bits()
    divisions, groups, _ = industry_indices()
    by_div = np.zeros(len(divisions), np.int64)
    by_grp = np.zeros(len(groups), np.int64)
    for key, group in TARGET_GROUPS.items():
        if not group.exclusive:
            continue  # (an exclusive group with no industries, 商店街, is outside every given industry)
        for d, i in divisions.items():  # a division is outside when none of the group's codes is in it
            if not any(code.startswith(d) for code in group.industries):
                by_div[i] |= bits[key]
        for g, i in groups.items():
            if not any(g.startswith(code) for code in group.industries):
                by_grp[i] |= bits[key]
    return by_div, by_grp


def outside_groups(facts: "FirmFacts") -> np.ndarray:
    """Per firm, the bits of the exclusive target groups its given industry places it outside
    (0 where no industry is given); a group named in its attributes is never outside.

    >>> from profiles.models import CompanyProfile
    >>> f = FirmFacts.from_profiles([CompanyProfile(prefecture="13", industry="D06"),
    ...                              CompanyProfile(prefecture="13", industry="P85"),
    ...                              CompanyProfile(prefecture="13")], dt.date(2026, 12, 1))
    >>> care = target_group_bits()["care_provider"]
    >>> [bool(b & care) for b in outside_groups(f)]
    [True, False, False]
    """
    by_div, by_grp = _outside_tables()
    out = np.where(facts.division >= 0, by_div[np.maximum(facts.division, 0)], 0)
    out = np.where(facts.major_group >= 0, by_grp[np.maximum(facts.major_group, 0)], out)
    return (out & ~facts.attributes).astype(np.int64)


@lru_cache(maxsize=1)
def industry_indices() -> tuple[dict[str, int], dict[str, int], np.ndarray]:
    """Stable positions of JSIC divisions and major groups, and each group's division."""
    divisions = {d: i for i, d in enumerate(all_divisions())}
    groups = {g: i for i, g in enumerate(all_major_groups())}
    group_div = np.array([divisions[division_of(g)] for g in groups], dtype=np.int16)
    return divisions, groups, group_div


_EPOCH = dt.date(1970, 1, 1).toordinal()


def _years(days: int) -> float:
    """Years in business after ``days`` days, rounded as :meth:`CompanyProfile.years_in_business` does."""
    return round(days / 365.25, 2)


@lru_cache(maxsize=1)
def _years_table() -> np.ndarray:
    """:func:`_years` of 0 to 200 years of days, computed once (a lookup then, not a call a firm)."""
    return np.array([_years(d) for d in range(73_050)])


def _tri(value: bool | None) -> int:
    return -1 if value is None else int(bool(value))


@dataclass
class FirmFacts:
    """Columns of facts for ``n`` firms at one as-of date."""

    n: int
    as_of: dt.date
    municipality: np.ndarray  # int32 gazetteer index, -1 = not given
    prefecture: np.ndarray  # int16 0..46, -1 = not given
    division: np.ndarray  # int16 index in all_divisions(), -1 = not given
    major_group: np.ndarray  # int16 index in all_major_groups(), -1 = not given (or division only)
    employees: np.ndarray  # float64, NaN = not given
    capital_jpy: np.ndarray  # float64, NaN = not given
    years_in_business: np.ndarray  # float64, NaN = not given
    environment_conscious: np.ndarray  # int8 1/0, -1 = not given
    seeking_location: np.ndarray  # int8 1/0, -1 = not given
    needs: np.ndarray  # int64 bitmask over profiles.needs.need_ids()
    applicant_type: np.ndarray  # int16 index in profiles.audiences.APPLICANT_TYPES, -1 = not given
    attributes: np.ndarray  # int64 bitmask over profiles.audiences.TARGET_GROUPS, 0 = none given
    profiles: tuple[CompanyProfile, ...] = ()

    @classmethod
    def from_profiles(cls, firms: Sequence[CompanyProfile], as_of: dt.date) -> "FirmFacts":
        """Build the columns from validated profiles.

        >>> f = FirmFacts.from_profiles([CompanyProfile(municipality="131172", employees=25)],
        ...                             dt.date(2026, 1, 1))
        >>> f.n, float(f.employees[0]), bool(np.isnan(f.capital_jpy[0])), int(f.prefecture[0])
        (1, 25.0, True, 12)
        """
        n = len(firms)
        gaz = gazetteer()
        divisions, groups, _ = industry_indices()
        need_bit = {nid: i for i, nid in enumerate(need_ids())}
        mun = np.full(n, -1, np.int32)
        pref = np.full(n, -1, np.int16)
        div = np.full(n, -1, np.int16)
        grp = np.full(n, -1, np.int16)
        emp = np.full(n, np.nan)
        cap = np.full(n, np.nan)
        yrs = np.full(n, np.nan)
        env = np.full(n, -1, np.int8)
        seek = np.full(n, -1, np.int8)
        needs = np.zeros(n, np.int64)
        kinds = np.full(n, -1, np.int16)
        attrs = np.zeros(n, np.int64)
        kind_index, group_bit = applicant_type_index(), target_group_bits()
        for i, f in enumerate(firms):
            if f.applicant_type is not None:
                kinds[i] = kind_index[f.applicant_type]
            for g in f.attributes:
                attrs[i] |= group_bit[g]
            if f.industry is not None:
                attrs[i] |= industry_groups(f.industry)
            if f.municipality is not None:
                mun[i] = gaz.index(f.municipality)
            if f.prefecture is not None:
                pref[i] = int(f.prefecture) - 1
            if f.industry is not None:
                div[i] = divisions[division_of(f.industry)]
                if len(f.industry) > 1:
                    grp[i] = groups[f.industry]
            if f.employees is not None:
                emp[i] = f.employees
            if f.capital_jpy is not None:
                cap[i] = f.capital_jpy
            if f.founded is not None:
                yrs[i] = f.years_in_business(as_of)
            env[i] = _tri(f.environment_conscious)
            seek[i] = _tri(f.seeking_location)
            mask = 0
            for nid in f.needs:
                mask |= 1 << need_bit[nid]
            needs[i] = mask
        return cls(n, as_of, mun, pref, div, grp, emp, cap, yrs, env, seek, needs, kinds, attrs, tuple(firms))

    @classmethod
    def from_columns(cls, columns: "FirmColumns", as_of: dt.date, rows: np.ndarray | None = None) -> "FirmFacts":
        """Build the columns from a checked table (:func:`profiles.firmcolumns.firm_columns`), its
        ``rows`` (default: all); each distinct industry and founding day is looked at once.

        The same arrays as :meth:`from_profiles` of those rows' profiles, without ``profiles``.

        >>> import pyarrow as pa
        >>> from profiles.firmcolumns import firm_columns
        >>> table = pa.table({"municipality": ["131172"], "employees": [25], "industry": ["E24"]})
        >>> a = FirmFacts.from_columns(firm_columns(table), dt.date(2026, 1, 1))
        >>> b = FirmFacts.from_profiles([CompanyProfile(municipality="131172", employees=25, industry="E24")],
        ...                             dt.date(2026, 1, 1))
        >>> all(np.array_equal(getattr(a, k), getattr(b, k), equal_nan=True) for k in _ARRAYS)
        True
        """
        c = columns
        rows = np.arange(c.n) if rows is None else np.asarray(rows, np.intp)
        n = len(rows)
        divisions, groups, _ = industry_indices()
        codes = c.industries
        div_of = np.array([divisions[division_of(x)] for x in codes] + [-1], np.int16)
        grp_of = np.array([groups[x] if len(x) > 1 else -1 for x in codes] + [-1], np.int16)
        attr_of = np.array([industry_groups(x) for x in codes] + [0], np.int64)
        ind = c.industry_code[rows]  # -1 (not given) takes the last entry of each table
        yrs = np.full(n, np.nan)
        has = c.has_founded[rows]
        if has.any():  # Python's own rounding, once per distinct day count (as years_in_business does)
            days = as_of.toordinal() - _EPOCH - c.founded[rows][has]
            table = _years_table()
            inside = (days >= 0) & (days < len(table))
            yrs[np.flatnonzero(has)[inside]] = table[days[inside]]
            if not inside.all():  # founded in the future, or more than 200 years ago
                yrs[np.flatnonzero(has)[~inside]] = [_years(int(d)) for d in days[~inside].tolist()]
        return cls(n, as_of, c.municipality[rows].astype(np.int32), c.prefecture[rows].astype(np.int16), div_of[ind],
                   grp_of[ind], c.employees[rows].copy(), c.capital_jpy[rows].copy(), yrs,
                   c.environment_conscious[rows].astype(np.int8), c.seeking_location[rows].astype(np.int8),
                   c.needs[rows].astype(np.int64), np.full(n, -1, np.int16), attr_of[ind])

    @classmethod
    def concat(cls, parts: Sequence["FirmFacts"]) -> "FirmFacts":
        """The facts of several chunks at one as-of date, one after the other (``profiles`` only
        when every part has them)."""
        profiles = tuple(p for part in parts for p in part.profiles) if all(len(p.profiles) == p.n for p in parts) \
            else ()
        return FirmFacts(sum(p.n for p in parts), parts[0].as_of,
                         *(np.concatenate([getattr(p, k) for p in parts]) for k in _ARRAYS), profiles=profiles)

    def take(self, rows: np.ndarray | Sequence[int]) -> "FirmFacts":
        """The facts of a subset of firms, in the given order."""
        rows = np.asarray(rows, dtype=np.intp)
        profiles = tuple(self.profiles[i] for i in rows) if self.profiles else ()
        return FirmFacts(len(rows), self.as_of, *(getattr(self, k)[rows] for k in _ARRAYS), profiles=profiles)

    def relocated(self, municipality_indices: np.ndarray) -> "FirmFacts":
        """Copies of firm 0, one per municipality, as if it were located there.

        Used to ask "which support could this firm get if it were in municipality m?".
        """
        gaz = gazetteer()
        m = len(municipality_indices)
        one = self.take(np.zeros(m, dtype=np.intp))
        one.municipality = np.asarray(municipality_indices, dtype=np.int32)
        pref_of = np.array([int(r.prefecture_code) - 1 for r in gaz.records], dtype=np.int16)
        one.prefecture = pref_of[one.municipality]
        return one


_ARRAYS = ("municipality", "prefecture", "division", "major_group", "employees", "capital_jpy",
           "years_in_business", "environment_conscious", "seeking_location", "needs", "applicant_type", "attributes")


def firm_fact_dict(firm: CompanyProfile, as_of: dt.date) -> dict[str, object]:
    """The facts of one firm as a flat dict (``None`` = not given), for JsonLogic rules."""
    return {
        "employees": firm.employees,
        "capital_jpy": firm.capital_jpy,
        "years_in_business": firm.years_in_business(as_of),
        "industry": firm.industry,
        "division": division_of(firm.industry) if firm.industry else None,
        "prefecture": firm.prefecture,
        "municipality": firm.municipality,
        "environment_conscious": firm.environment_conscious,
        "seeking_location": firm.seeking_location,
        "needs": list(firm.needs),
    }
