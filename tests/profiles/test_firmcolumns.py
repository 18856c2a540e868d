"""The column checks of a table: a row passes only when its record validates to the same firm."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from profiles.firmchunk import quick_profiles
from profiles.firmcolumns import firm_columns, table_records
from profiles.geography import gazetteer
from profiles.models import CompanyProfile
from profiles.needs import need_ids
from tests.profiles.firmtables import generated_table

CASES = [(1, 0.0, 0.0, 0.0), (2, 0.05, 0.0, 0.0), (3, 0.3, 0.2, 0.2), (4, 1.0, 0.5, 0.5), (5, 0.1, 1.0, 1.0)]


def _validated(rec):
    try:
        return CompanyProfile.model_validate(rec)
    except (ValueError, TypeError, OverflowError):
        return None


@pytest.mark.parametrize("seed,broken,other_types,extra", CASES)
def test_a_row_passes_only_when_its_record_gives_that_firm(seed, broken, other_types, extra):
    table = generated_table(1200, seed, broken, other_types, extra)
    cols = firm_columns(table)
    records = table_records(table)
    gaz = gazetteer()
    ids = need_ids()
    for i, (_, rec) in enumerate(records):
        if not cols.plain[i]:
            continue
        firm = _validated(rec)
        assert firm is not None, rec
        assert quick_profiles([rec])[0] == firm  # the record's own column path takes it too
        assert cols.prefecture[i] == (int(firm.prefecture) - 1 if firm.prefecture else -1)
        assert cols.municipality[i] == (gaz.index(firm.municipality) if firm.municipality else -1)
        assert cols.industry(i) == firm.industry
        assert cols.description(i) == firm.description
        for name in ("employees", "capital_jpy"):
            v = getattr(firm, name)
            assert (np.isnan(getattr(cols, name)[i]) if v is None else getattr(cols, name)[i] == v)
        assert bool(cols.has_founded[i]) == (firm.founded is not None)
        if firm.founded is not None:
            assert dt.date(1970, 1, 1) + dt.timedelta(days=int(cols.founded[i])) == firm.founded
        for name in ("environment_conscious", "seeking_location"):
            v = getattr(firm, name)
            assert cols.__dict__[name][i] == (-1 if v is None else int(v))
        assert cols.needs[i] == sum(1 << ids.index(nid) for nid in firm.needs)
        assert cols.stated_needs(i) == firm.needs
        assert (cols.id[i].as_py() or None) == firm.id and (cols.name[i].as_py() or None) == firm.name
    if broken == 0.0 and other_types == 0.0:  # plain values: only rows that are no firm are flagged
        assert cols.plain.mean() > 0.8
        assert all(_validated(rec) is None for i, (_, rec) in enumerate(records) if not cols.plain[i])
    else:
        assert not cols.plain.all()
    if other_types == 0.0:  # a typed column of the engine's own types: every plain record passes as a column too
        quick = quick_profiles([rec for _, rec in records])
        assert [q is not None for q in quick] == cols.plain.tolist()


def test_table_records_are_what_the_parquet_reader_gives(tmp_path):
    from matcher.batch.files import iter_input

    table = generated_table(300, 7, 0.3)
    pq.write_table(table, tmp_path / "t.parquet")
    assert table_records(table) == list(iter_input(tmp_path / "t.parquet"))
    rows = np.array([3, 0, 299])
    assert table_records(table, rows, first_row=11) == [(14, table_records(table)[3][1]), (11, table_records(table)[0][1]),
                                                       (310, table_records(table)[299][1])]


def test_each_distinct_value_is_resolved_once(monkeypatch):
    import profiles.firmcolumns as fc

    calls = []
    real = fc.resolve_location
    monkeypatch.setattr(fc, "resolve_location", lambda p, m: calls.append((p, m)) or real(p, m))
    table = pa.table({"municipality": ["131172", "131113"] * 500, "industry": ["E24"] * 1000})
    assert firm_columns(table).plain.all()
    assert sorted(calls) == [(None, "131113"), (None, "131172")]


def test_a_row_with_no_location_or_a_value_outside_the_checks_is_flagged():
    table = pa.table({"municipality": [None, "131172", "131172", "131172"], "employees": [1, 2, -1, 3],
                      "address": [None, None, None, "東京都北区王子1-2-3"]})
    assert firm_columns(table).plain.tolist() == [False, True, False, False]
