"""A Parquet output assembled from row groups encoded elsewhere: the bytes of :class:`~matcher.batch.files.ParquetAssembly`.

A Parquet file is ``PAR1``, its row groups' column chunks one after the other, a footer
(the file's metadata, Thrift compact encoding), the footer's length and ``PAR1``. A
column chunk's bytes (its pages) hold no position in the file: only the footer does. So
the row groups of an output can be encoded by different processes, each as a file of one
row group (:func:`write_piece`: the rows of the parts that row group covers, cut where
:class:`~matcher.batch.files.ParquetAssembly` cuts them), and joined here
(:func:`splice`): their column chunks copied as they are, and one footer made of theirs,
each offset moved by where its row group lands. On a Dask cluster the workers encode the
row groups and the client only copies bytes, so assembling no longer bounds how many
workers one client can feed. The result is the file :class:`ParquetAssembly` writes, to
the byte (tests compare both).

Only what Parquet's footer uses of Thrift's compact protocol is read and written
(structs, lists, integers, binary, booleans, doubles), in the order it was read, so a
footer read and written again is the same bytes.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["plan_row_groups", "write_piece", "splice", "read_footer", "write_footer"]

_STOP, _TRUE, _FALSE, _BYTE, _I16, _I32, _I64, _DOUBLE, _BINARY, _LIST, _SET, _MAP, _STRUCT = range(13)
_INTS = (_I16, _I32, _I64)

# Field ids of the Parquet footer (parquet.thrift) that hold a position in the file
_FILE_ROW_GROUPS, _FILE_ROWS = 4, 3
_RG_COLUMNS, _RG_FILE_OFFSET, _RG_ORDINAL = 1, 5, 7
_CC_FILE_OFFSET, _CC_META = 2, 3
_CC_OFFSETS = (4, 6)  # offset index, column index: none unless page indexes are written
_CM_OFFSETS = (9, 10, 11, 14)  # data page, index page, dictionary page, bloom filter


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def byte(self) -> int:
        b = self.data[self.pos]
        self.pos += 1
        return b

    def varint(self) -> int:
        shift = out = 0
        while True:
            b = self.byte()
            out |= (b & 0x7F) << shift
            if not b & 0x80:
                return out
            shift += 7

    def zigzag(self) -> int:
        n = self.varint()
        return (n >> 1) ^ -(n & 1)

    def value(self, kind: int) -> Any:
        if kind in (_TRUE, _FALSE):  # a bool in a list: one byte
            return self.byte() == _TRUE
        if kind == _BYTE:
            return self.byte()
        if kind in _INTS:
            return self.zigzag()
        if kind == _DOUBLE:
            self.pos += 8
            return struct.unpack("<d", self.data[self.pos - 8:self.pos])[0]
        if kind == _BINARY:
            n = self.varint()
            self.pos += n
            return self.data[self.pos - n:self.pos]
        if kind in (_LIST, _SET):
            head = self.byte()
            n, elem = head >> 4, head & 0x0F
            if n == 15:
                n = self.varint()
            return (elem, [self.value(elem) for _ in range(n)])
        if kind == _STRUCT:
            return self.struct()
        raise ValueError(f"Thrift type {kind} is not expected in a Parquet footer")

    def struct(self) -> list:
        fields, last = [], 0
        while (head := self.byte()) != _STOP:
            delta, kind = head >> 4, head & 0x0F
            fid = last + delta if delta else self.zigzag()
            value = kind == _TRUE if kind in (_TRUE, _FALSE) else self.value(kind)
            fields.append([fid, kind, value])
            last = fid
        return fields


def _varint(n: int, out: bytearray) -> None:
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def _zigzag(n: int, out: bytearray) -> None:
    _varint((n << 1) ^ (n >> 63), out)


def _write_value(kind: int, value: Any, out: bytearray) -> None:
    if kind in (_TRUE, _FALSE):
        out.append(_TRUE if value else _FALSE)
    elif kind == _BYTE:
        out.append(value)
    elif kind in _INTS:
        _zigzag(value, out)
    elif kind == _DOUBLE:
        out += struct.pack("<d", value)
    elif kind == _BINARY:
        _varint(len(value), out)
        out += value
    elif kind in (_LIST, _SET):
        elem, items = value
        if len(items) < 15:
            out.append(len(items) << 4 | elem)
        else:
            out.append(0xF0 | elem)
            _varint(len(items), out)
        for item in items:
            _write_value(elem, item, out)
    else:
        _write_struct(value, out)


def _write_struct(fields: list, out: bytearray) -> None:
    last = 0
    for fid, kind, value in fields:
        if kind in (_TRUE, _FALSE):
            kind = _TRUE if value else _FALSE
        if 0 < fid - last <= 15:
            out.append((fid - last) << 4 | kind)
        else:
            out.append(kind)
            _zigzag(fid, out)
        if kind not in (_TRUE, _FALSE):
            _write_value(kind, value, out)
        last = fid
    out.append(_STOP)


def read_footer(data: bytes) -> list:
    """A Parquet footer (its Thrift bytes) as ``[field id, type, value]`` lists, in file order."""
    return _Reader(data).struct()


def write_footer(fields: list) -> bytes:
    """The Thrift bytes of a footer read by :func:`read_footer`.

    >>> import io, pyarrow as pa, pyarrow.parquet as pq
    >>> buf = io.BytesIO(); pq.write_table(pa.table({"a": [1, 2], "b": ["x", None]}), buf); data = buf.getvalue()
    >>> n = int.from_bytes(data[-8:-4], "little"); footer = data[-8 - n:-8]
    >>> write_footer(read_footer(footer)) == footer
    True
    """
    out = bytearray()
    _write_struct(fields, out)
    return bytes(out)


def _field(fields: list, fid: int) -> list | None:
    return next((f for f in fields if f[0] == fid), None)


def _shift(row_group: list, by: int, ordinal: int) -> None:
    for f in row_group:
        if f[0] == _RG_FILE_OFFSET:
            f[2] += by
        elif f[0] == _RG_ORDINAL:
            f[2] = ordinal
    for chunk in _field(row_group, _RG_COLUMNS)[2][1]:
        for f in chunk:
            if (f[0] == _CC_FILE_OFFSET and f[2]) or f[0] in _CC_OFFSETS:  # pyarrow writes the deprecated one as 0
                f[2] += by
            elif f[0] == _CC_META:
                for g in f[2]:
                    if g[0] in _CM_OFFSETS:
                        g[2] += by


def plan_row_groups(chunk_rows: Sequence[int], row_group: int = 65536) -> list[list[tuple[int, int, int]]]:
    """The row groups of an output whose chunks have ``chunk_rows`` rows each: per row group,
    ``(chunk, first row in the chunk, rows)`` of each piece of a chunk it takes, as
    :class:`~matcher.batch.files.ParquetAssembly` cuts them.

    >>> plan_row_groups([3, 0, 4, 2], row_group=4)
    [[(0, 0, 3), (2, 0, 1)], [(2, 1, 3), (3, 0, 1)], [(3, 1, 1)]]
    """
    groups: list[list[tuple[int, int, int]]] = [[]]
    room = row_group
    for k, n in enumerate(chunk_rows):
        at = 0
        while at < n:
            if not room:
                groups.append([])
                room = row_group
            take = min(room, n - at)
            groups[-1].append((k, at, take))
            at += take
            room -= take
    return groups if groups[0] else []


def write_piece(parts: Sequence[str | Path], cuts: Sequence[tuple[int, int]], path: str | Path,
                layout: Any = None) -> int:
    """Encode one row group of the output as a Parquet file of its own, at ``path``: the rows
    ``cuts[i] = (first, rows)`` of each part ``parts[i]``, as :class:`ParquetAssembly` writes them.
    Returns the file's size."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from matcher.batch.files import Layout, output_schema, read_part

    layout = layout or Layout()
    tables = [read_part(p, layout).slice(first, n) for p, (first, n) in zip(parts, cuts)]
    table = pa.concat_tables(tables)
    with pq.ParquetWriter(path, output_schema(layout)) as writer:
        writer.write_table(table, row_group_size=max(table.num_rows, 1))
    return Path(path).stat().st_size


def splice(pieces: Sequence[str | Path], out: Any) -> None:
    """Write to the binary file ``out`` the Parquet file made of the row groups of ``pieces``
    (files of :func:`write_piece`, in the output's order)."""
    meta = None
    row_groups: list = []
    rows = 0
    out.write(b"PAR1")
    at = 4
    for piece in pieces:
        with open(piece, "rb") as fh:
            fh.seek(-8, 2)
            tail = fh.read(8)
            if tail[4:] != b"PAR1":
                raise ValueError(f"{piece} is not a Parquet file")
            size = fh.tell()
            n = int.from_bytes(tail[:4], "little")
            fh.seek(size - 8 - n)
            fields = read_footer(fh.read(n))
            body = size - 8 - n - 4
            for row_group in _field(fields, _FILE_ROW_GROUPS)[2][1]:
                _shift(row_group, at - 4, len(row_groups))
                row_groups.append(row_group)
            rows += _field(fields, _FILE_ROWS)[2]
            meta = meta or fields
            fh.seek(4)
            _copy(fh, out, body)
            at += body
    _field(meta, _FILE_ROWS)[2] = rows
    _field(meta, _FILE_ROW_GROUPS)[2] = (_STRUCT, row_groups)
    footer = write_footer(meta)
    out.write(footer)
    out.write(len(footer).to_bytes(4, "little"))
    out.write(b"PAR1")


def _copy(src: Any, dst: Any, n: int) -> None:
    while n > 0:
        block = src.read(min(n, 1 << 22))
        if not block:
            raise ValueError("a Parquet piece is shorter than its footer says")
        dst.write(block)
        n -= len(block)

