"""A chunk held as Arrow columns gives the bytes and the error messages of its records, and rank's results."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.batch import run_batch
from matcher.batch.chunk import encode_chunk
from matcher.batch.files import FirmTable, Layout, iter_tables, read_part
from matcher.batch.table import SMALL_CHUNK, score_table
from profiles.needs import need_ids
from tests.profiles.firmtables import generated_table

DAY = dt.date(2026, 11, 21)
CASES = [(1, 0.0, 0.0, 0.0), (2, 0.05, 0.0, 0.0), (3, 0.3, 0.2, 0.2), (4, 1.0, 0.5, 0.5), (5, 0.02, 0.0, 0.05),
         (12, 0.15, 0.0, 1.0), (13, 0.5, 0.3, 1.0)]


def _same(a, b, fmt, layout=None):
    """Two encoded chunks hold the same rows, errors and counts (an Arrow part's bytes may differ in
    its dictionaries, never in its rows: compared decoded; a CSV or JSON Lines part byte for byte)."""
    assert a[1:] == b[1:]
    if fmt in ("csv", "jsonl"):
        assert a[0] == b[0]
        return
    ta, tb = (read_part(pa.BufferReader(x[0]), layout) for x in (a, b))
    assert ta.schema == tb.schema and ta.equals(tb)


def _table(seed, broken, other_types, extra):
    """A generated table; with every extra column, the location is kept valid so that the rows'
    errors are the other fields' (a row's first problem is the one reported)."""
    table = generated_table(700, seed, broken, other_types, extra)
    if extra == 1.0 and other_types == 0.0:
        n = table.num_rows
        table = table.set_column(table.schema.get_field_index("municipality"), "municipality",
                                 pa.array(["131172"] * n)).drop_columns(["prefecture"])
        table = table.drop_columns([c for c in ("address", "postal_code") if c in table.schema.names])
    return table


@pytest.fixture(scope="module")
def synthetic_engine():
    from matcher import MatchEngine
    from matcher.synth import synth_catalog

    return MatchEngine().fit(synth_catalog(300, seed=3))


@pytest.mark.parametrize("seed,broken,other_types,extra", CASES)
@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_a_table_chunk_gives_the_bytes_and_errors_of_its_records(engine, seed, broken, other_types, extra, fmt):
    chunk = FirmTable(_table(seed, broken, other_types, extra), first_row=41)
    columnar = encode_chunk(engine, chunk, DAY, 5, 0, 0, fmt)
    per_row = encode_chunk(engine, chunk.records(), DAY, 5, 0, 0, fmt)
    _same(columnar, per_row, fmt)
    # the columnar path ran, unless the chunk has almost no valid firm (a column of another type)
    assert (score_table(engine, chunk, DAY, 5) is not None) == (columnar[2][1] > SMALL_CHUNK)
    errors = [json.loads(line) for line in columnar[1].decode("utf-8").splitlines()]
    assert [e["row"] for e in errors] == sorted(e["row"] for e in errors)
    if broken == 1.0:
        assert len(errors) > 100
    if extra == 1.0 and other_types == 0.0:  # broken rows of every kind, and valid rows among them
        fields = {e["field"].split("[")[0] for e in errors}
        assert fields >= {"industry", "employees", "capital_jpy", "needs", "applicant_type", "attributes", "unknown_field"}
        assert columnar[2][1] > 100


@pytest.mark.parametrize("seed", [6, 7])
def test_the_same_on_a_synthetic_catalog_and_in_japanese(synthetic_engine, seed):
    chunk = FirmTable(generated_table(900, seed, 0.1, 0.1, 0.1), first_row=1)
    for layout in (Layout(), Layout(lang="ja")):
        _same(encode_chunk(synthetic_engine, chunk, DAY, 10, 0, 0, "parquet", layout),
              encode_chunk(synthetic_engine, chunk.records(), DAY, 10, 0, 0, "parquet", layout), "parquet", layout)


def test_a_tiny_chunk_and_possible_programs_take_the_per_record_path(engine):
    chunk = FirmTable(generated_table(10, 8, 0.0), first_row=1)
    assert score_table(engine, chunk, DAY, 5) is None
    big = FirmTable(generated_table(200, 9, 0.1), first_row=1)
    assert encode_chunk(engine, big, DAY, 5, 2, 0, "csv") == encode_chunk(engine, big.records(), DAY, 5, 2, 0, "csv")


def test_a_parquet_batch_writes_the_bytes_of_the_per_record_path(engine, tmp_path, monkeypatch):
    import matcher.batch.chunk as chunk_module

    src = tmp_path / "firms.parquet"
    pq.write_table(generated_table(3000, 10, 0.02), src, row_group_size=700)
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    sa = run_batch(engine, src, a, as_of=DAY, chunk_size=1000)
    monkeypatch.setattr(chunk_module, "score_table", lambda *args, **kw: None)
    sb = run_batch(engine, src, b, as_of=DAY, chunk_size=1000)
    assert a.read_bytes() == b.read_bytes()
    assert (tmp_path / "a.parquet.errors.jsonl").read_bytes() == (tmp_path / "b.parquet.errors.jsonl").read_bytes()
    assert (sa.firms_read, sa.firms_scored, sa.errors) == (sb.firms_read, sb.firms_scored, sb.errors)


def test_parquet_is_read_in_chunks_of_exactly_the_size_asked(tmp_path):
    src = tmp_path / "firms.parquet"
    table = generated_table(1000, 11, 0.0)
    pq.write_table(table, src, row_group_size=333)
    chunks = list(iter_tables(src, 250))
    assert [len(c) for c in chunks] == [250] * 4 and [c.first_row for c in chunks] == [1, 251, 501, 751]
    assert pa.concat_tables([c.table for c in chunks]).equals(table)
    assert [len(c) for c in iter_tables(src, 400)] == [400, 400, 200]


MUNICIPALITIES = ["131172", "132276", "132047", "131113", "272272", "011002", "281000", "271004"]
firm_rows = st.fixed_dictionaries({
    "id": st.text("abc123", min_size=1, max_size=6),
    "municipality": st.sampled_from(MUNICIPALITIES),
    "industry": st.sampled_from([None, "E", "E24", "E18", "G39", "I52", "P83", "L71"]),
    "employees": st.one_of(st.none(), st.integers(0, 2000)),
    "capital_jpy": st.one_of(st.none(), st.integers(0, 10 ** 9)),
    "founded": st.one_of(st.none(), st.dates(dt.date(1950, 1, 1), dt.date(2026, 1, 1))),
    "needs": st.lists(st.sampled_from(need_ids()), max_size=4),
    "environment_conscious": st.one_of(st.none(), st.booleans()),
    "description": st.sampled_from([None, "metal press, trade fair", "ソフトウェア開発と展示会", "we need a loan",
                                    "飲食店の開業資金を借りたい"]),
})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(firms=st.lists(firm_rows, min_size=17, max_size=40), as_of=st.dates(dt.date(2010, 1, 1), dt.date(2027, 1, 1)),
       top=st.integers(1, 8))
def test_batch_columns_give_what_rank_gives_each_firm(engine, firms, as_of, top):
    chunk = FirmTable(pa.Table.from_pylist(firms, schema=pa.schema([
        ("id", pa.string()), ("municipality", pa.string()), ("industry", pa.string()), ("employees", pa.int64()),
        ("capital_jpy", pa.int64()), ("founded", pa.date32()), ("needs", pa.list_(pa.string())),
        ("environment_conscious", pa.bool_()), ("description", pa.string())])), first_row=1)
    table, errors, scored = score_table(engine, chunk, as_of, top)
    assert not errors and scored == len(firms)
    out = table.to_pylist()
    order = {p.id: j for j, p in enumerate(engine.programs_)}
    for row, firm in enumerate(firms, start=1):
        ranking = engine.rank(firm, as_of=as_of, top=engine.n_programs_)
        every = sorted(ranking.schemes, key=lambda s: (-s.score, order[s.id]))  # by score, ties in catalog order
        mine = [r for r in out if r["row"] == row]
        if [r["id"] for r in mine] != [s.id for s in every[:top]]:
            print("FIRM", firm, "AS_OF", as_of, "\nBATCH", [(r["id"], r["score"]) for r in mine], "\nRANK", [(s.id, s.score) for s in every[:top + 1]])
        # the same programs with the same scores; programs whose rounded scores tie may come in
        # either order (the batch orders by the unrounded score)
        assert [r["score"] for r in mine] == [s.score for s in every[:top]]
        tied = {s.score for s in every if sum(t.score == s.score for t in every) > 1}
        assert [r["id"] for r in mine if r["score"] not in tied] == [s.id for s in every[:top] if s.score not in tied]
        by_id = {s.id: s for s in every}
        assert all(by_id[r["id"]].score == r["score"] for r in mine)
        assert [r["rank"] for r in mine] == list(range(1, len(mine) + 1))
        for r in mine:
            s = by_id[r["id"]]
            assert all(r[c] == s.components[c] for c in s.components)
            assert r["firm_id"] == firm["id"] and r["status"] == "eligible"
    assert np.all(np.diff([r["row"] for r in out]) >= 0)


def test_two_threads_write_the_bytes_of_one_process(engine, tmp_path, monkeypatch):
    import matcher.batch.local as local

    src = tmp_path / "firms.parquet"
    pq.write_table(generated_table(2500, 14, 0.05), src)
    used = []
    real = local.ThreadScorer.score
    monkeypatch.setattr(local.ThreadScorer, "score", lambda self, *a, **kw: used.append(self.jobs) or real(self, *a, **kw))
    one, two = tmp_path / "one.parquet", tmp_path / "two.parquet"
    run_batch(engine, src, one, as_of=DAY, chunk_size=300)
    run_batch(engine, src, two, as_of=DAY, chunk_size=300, jobs=2)
    assert used == [2] and one.read_bytes() == two.read_bytes()
    assert (tmp_path / "one.parquet.errors.jsonl").read_bytes() == (tmp_path / "two.parquet.errors.jsonl").read_bytes()
    # possible programs are not the columnar path: worker processes, and the same bytes again
    run_batch(engine, src, one, as_of=DAY, chunk_size=300, possible=2, force=True)
    run_batch(engine, src, two, as_of=DAY, chunk_size=300, possible=2, jobs=2, force=True)
    assert used == [2] and one.read_bytes() == two.read_bytes()
