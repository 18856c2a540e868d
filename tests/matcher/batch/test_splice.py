"""Row groups encoded apart and joined (matcher.batch.splice): the bytes ParquetAssembly writes."""

from __future__ import annotations

import datetime as dt
import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from matcher.batch.chunk import encode_chunk
from matcher.batch.files import FirmTable, Layout, ParquetAssembly, read_part
from matcher.batch.splice import plan_row_groups, read_footer, splice, write_footer, write_piece
from tests.profiles.firmtables import generated_table


@pytest.fixture(scope="module")
def parts(engine, tmp_path_factory):
    """The parts of 1,200 generated firms (some broken) in chunks of 150, and one chunk with no row."""
    d = tmp_path_factory.mktemp("parts")
    table = generated_table(1200, 3, 0.05)
    paths, rows = [], []
    for k in range(8):
        data, _, stats = encode_chunk(engine, FirmTable(table.slice(150 * k, 150), 150 * k + 1), dt.date(2026, 11, 21),
                                      5, 0, 0, "parquet", Layout())
        paths.append(d / f"chunk-{k:06d}.arrow")
        paths[-1].write_bytes(data)
        rows.append(stats[3])
    empty = d / "empty.arrow"
    data, _, stats = encode_chunk(engine, FirmTable(table.slice(0, 0), 1), dt.date(2026, 11, 21), 5, 0, 0, "parquet",
                                  Layout())
    empty.write_bytes(data)
    paths.insert(3, empty)
    rows.insert(3, stats[3])
    assert rows[3] == 0 and sum(rows) > 4000
    return paths, rows


@pytest.mark.parametrize("row_group", [1, 333, 1000, 65536])
def test_row_groups_encoded_apart_and_spliced_are_the_bytes_of_the_streamed_assembly(parts, tmp_path, row_group):
    paths, rows = parts
    ref = tmp_path / "ref.parquet"
    assembly = ParquetAssembly(ref, Layout(), row_group)
    for p in paths:
        assembly.add(read_part(p))
    assembly.close()
    groups = plan_row_groups(rows, row_group)
    assert [sum(n for _, _, n in g) for g in groups][:-1] == [row_group] * (len(groups) - 1)
    pieces = []
    for j, group in enumerate(groups[:400]):  # one row per group: the first 400 are enough
        pieces.append(tmp_path / f"rowgroup-{j:06d}.parquet")
        write_piece([paths[k] for k, _, _ in group], [(first, n) for _, first, n in group], pieces[-1])
    if len(groups) > 400:
        assembly = ParquetAssembly(ref, Layout(), row_group)
        assembly.add(pa.concat_tables([read_part(p) for p in paths]).slice(0, 400 * row_group))
        assembly.close()
    out = io.BytesIO()
    splice(pieces, out)
    assert out.getvalue() == ref.read_bytes()
    assert pq.ParquetFile(io.BytesIO(out.getvalue())).metadata.num_row_groups == min(len(groups), 400)


def test_a_footer_read_and_written_again_is_the_same_bytes():
    buf = io.BytesIO()
    table = pa.table({"i": [1, -2**40, None], "f": [0.5, None, -1e300], "s": ["a", "", None], "b": [True, False, None],
                      "l": [[1], [], None]})
    pq.write_table(table, buf, row_group_size=2)
    data = buf.getvalue()
    n = int.from_bytes(data[-8:-4], "little")
    assert write_footer(read_footer(data[-8 - n:-8])) == data[-8 - n:-8]
