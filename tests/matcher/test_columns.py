"""Firms prepared from columns are the firms prepared from their profiles, array for array."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest

from matcher.columns import TextRows, prepare_columns
from matcher.firmio import valid_firms
from profiles.firmcolumns import firm_columns, table_records
from rules.facts import _ARRAYS
from tests.profiles.firmtables import generated_table

DAY = dt.date(2026, 11, 21)


@pytest.mark.parametrize("max_texts", [65_536, 7])
def test_prepared_columns_are_the_prepared_profiles(engine, max_texts):
    store = TextRows(engine.text_, max_texts=max_texts)  # 7: the store starts again within a chunk
    for seed in (1, 2, 3, 4):  # chunks after chunks: texts kept from one to the next (and the store grows)
        table = generated_table(1500 if seed == 4 else 400, seed, 0.1)
        if seed == 4:  # 1,500 distinct descriptions: the store's buffers grow
            n = table.num_rows
            table = table.set_column(table.schema.get_field_index("description"), "description",
                                     pa.array([f"精密加工 {i} 号" for i in range(n)]))
        cols = firm_columns(table)
        rows = np.flatnonzero(cols.plain)
        mine = prepare_columns(store, cols, DAY, rows)
        records = table_records(table, rows)
        firms = [f for _, f in valid_firms(records, [])]
        assert len(firms) == len(rows) == len(mine)
        theirs = engine.prepare(firms, DAY)
        for k in _ARRAYS:
            assert np.array_equal(getattr(mine.facts, k), getattr(theirs.facts, k), equal_nan=True), k
        assert np.array_equal(mine.text.toarray(), theirs.text.toarray())
        assert np.array_equal(mine.features.needs, theirs.features.needs)
        assert np.array_equal(mine.features.kind_pref, theirs.features.kind_pref)
        distinct = len({(f.description, f.industry) if f.description else (None, f.needs, f.industry) for f in firms})
        assert len(store.index) <= max(max_texts, distinct)  # a chunk's own texts, at least


def test_prepare_columns_refuses_a_flagged_row(engine):
    import pyarrow as pa

    from matcher.errors import ParameterError

    cols = firm_columns(pa.table({"municipality": ["131172", "Nowhere"]}))
    with pytest.raises(ParameterError, match="column checks passed"):
        engine.prepare_columns(cols, DAY)


def test_threads_sharing_the_store_with_helper_processes_get_the_rows_of_one_thread(engine):
    import concurrent.futures as cf
    import multiprocessing

    from matcher.columns import start_helper

    chunks = []
    for seed in range(5):  # overlapping chunks: some texts new to each, some another thread is vectorizing
        table = generated_table(300, seed, 0.0)
        table = table.set_column(table.schema.get_field_index("description"), "description",
                                 pa.array([f"精密加工 {(i * 7 + seed * 100) % 700} 号" for i in range(table.num_rows)]))
        cols = firm_columns(table)
        chunks.append((cols, np.flatnonzero(cols.plain)))
    alone = TextRows(engine.text_)
    expected = [alone.rows(c, r) for c, r in chunks]
    shared = TextRows(engine.text_)
    shared.POOL_FROM = 1
    with cf.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork"), initializer=start_helper,
                                initargs=(engine.text_,)) as helpers, cf.ThreadPoolExecutor(3) as threads:
        shared.use(helpers)
        got = list(threads.map(lambda cr: shared.rows(*cr), chunks * 3))
    for (X, read), (Y, want) in zip(got, expected * 3):
        assert np.array_equal(X.toarray(), Y.toarray()) and np.array_equal(read, want)
    assert len(shared.index) == len(alone.index)  # each text vectorized once
