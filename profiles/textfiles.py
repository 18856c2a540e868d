"""Text firm lists: their encoding, and CSV records read past broken quotes.

:func:`detect_encoding` tells UTF-8 (with or without a BOM), UTF-16 with a BOM and
CP932/Shift_JIS apart; :func:`csv_records` reads a CSV or TSV file's records with the
line each starts on, and reports a quote that never closes (or closes many lines later,
swallowing the rows between) as a problem of the record it opens in, then reads the
lines after it again as rows of their own. :mod:`profiles.tabular` builds on both.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections import deque
from collections.abc import Iterator
from pathlib import Path

from profiles.errors import InputError

__all__ = ["TableError", "detect_encoding", "encoding_name", "csv_records", "open_csv", "json_records", "MAX_SPAN"]

_HEADER_SEARCH = 10  # lines the delimiter is guessed from
#: A quoted CSV cell running over more lines than this is a quote that never closed.
MAX_SPAN = 200
_BLOCK = 1 << 22
_SHIFT_JIS = {"shift_jis", "shiftjis", "sjis", "s_jis", "shift-jis", "x-sjis", "ms_kanji", "windows-31j", "cp932",
              "ms932", "mskanji"}
_SURROGATE = re.compile("[\udc80-\udcff]")


class TableError(InputError):
    """A firm list that cannot be opened at all (the file, its encoding, its sheet, its header row).

    ``field`` is the file's path; the message says what was expected and how to fix it.
    """

    def __str__(self) -> str:
        text = f"{self.field}: {self.message}"
        if self.candidates:
            text += f" (did you mean: {', '.join(map(str, self.candidates[:8]))}?)"
        return text


def _first_bad(path: Path, encoding: str) -> tuple[int, int, bytes] | None:
    """(byte offset, line, bytes) of the first byte that is not ``encoding``, or None."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = lines = 0
    with open(path, "rb") as fh:
        while True:
            block = fh.read(_BLOCK)
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                at = offset + max(exc.start, 0)
                with open(path, "rb") as again:
                    head = again.read(at + 2)
                return at, head[:at].count(b"\n") + 1, head[at:at + 2]
            if not block:
                return None
            offset += len(block)
            lines += block.count(b"\n")


def detect_encoding(path: str | Path) -> str:
    """The encoding of a text firm list: a BOM's, else UTF-8 if every byte is, else CP932.

    Returns ``"utf-8-sig"``, ``"utf-16"``, ``"utf-8"`` or ``"cp932"`` (Shift_JIS as
    Japanese Excel writes it). Raises :class:`TableError` naming the file, the first byte
    neither reads, and the ``--encoding`` option when the file is none of them.
    """
    path = Path(path)
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith(b"PK\x03\x04"):
        raise TableError(str(path), None, "this is a zip file (an Excel workbook?), not text: "
                                          "give it its .xlsx extension")
    said = []
    for encoding in ("utf-8", "cp932"):
        bad = _first_bad(path, encoding)
        if bad is None:
            return encoding
        said.append(f"not {encoding.upper()} (byte {bad[2][:1].hex(' ')} at line {bad[1]})")
    raise TableError(str(path), None, f"cannot tell the text encoding: {' and '.join(said)}; "
                                      "give it with --encoding (for example --encoding euc_jp)")


def encoding_name(path: Path, encoding: str) -> str:
    if encoding.lower().replace("-", "_") in {e.replace("-", "_") for e in _SHIFT_JIS}:
        return "cp932"  # Excel's "Shift_JIS" is CP932 (①, ㈱, NEC and IBM kanji)
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise TableError(str(path), encoding, f"unknown encoding {encoding!r}: give one such as utf-8, cp932, "
                                              "euc_jp or utf-16") from None


class _Runaway(Exception):
    """A quoted cell ran over more than MAX_SPAN lines."""



def csv_records(fh, delimiter: str, check_bytes: bool) -> Iterator[tuple[int, tuple, str | None, None]]:
    """(line, cells, problem, None) per CSV record; a runaway quote is reported and read past."""
    pending: deque[str] = deque()
    buf: list[str] = []

    def source():
        for text in fh:
            if pending:
                pending.append(text)
                while pending:
                    yield pending.popleft()
            else:
                yield text
        while pending:
            yield pending.popleft()

    def tracked(src):
        for text in src:
            buf.append(text)
            if len(buf) > MAX_SPAN:
                raise _Runaway
            yield text

    def reader():
        # a new reader after a broken record: its state may be inside a cell, and its
        # source may have ended at the end of the file with lines since pushed back
        return csv.reader(tracked(source()), delimiter=delimiter)

    def broken(start: int, why: str):
        first = buf[0] if buf else ""
        cells = tuple(next(csv.reader([first.rstrip("\r\n")], delimiter=delimiter, quoting=csv.QUOTE_NONE), []))
        if len(buf) > 1:
            pending.extendleft(reversed(buf[1:]))  # read again, from the line after the broken one
        return start, cells, why, {"_raw": first.rstrip("\r\n")}

    rd = reader()
    line = 1
    width = None
    while True:
        buf.clear()
        try:
            cells = next(rd)
        except StopIteration:
            return
        except _Runaway:
            rec = broken(line, f"a quote opens a cell at line {line} and does not close within {MAX_SPAN} lines: "
                               "the cell would swallow the rows after it; fix or remove the quote")
            yield rec[0], rec[1], rec[2], rec[3]
            line += 1
            rd = reader()
            continue
        except csv.Error as exc:
            rec = broken(line, f"cannot be read as CSV ({exc})")
            yield rec[0], rec[1], rec[2], rec[3]
            line += 1
            rd = reader()
            continue
        span = len(buf)
        if width is None and cells:
            width = len(cells)
        swallowed = _swallowed(cells, buf, width or len(cells), delimiter)
        if swallowed:
            end = line + span - 1
            why = (f"a quote opens a cell at line {line} and never closes; fix or remove the quote" if span == 1 else
                   f"a quote opens a cell at line {line} and closes only at line {end}, swallowing the lines "
                   f"between ({swallowed}); fix the quote (the lines after line {line} are read as rows of their own)")
            rec = broken(line, why)
            yield rec[0], rec[1], rec[2], rec[3]
            line += 1
            rd = reader()
            continue
        if check_bytes and any(_SURROGATE.search(t) for t in buf):
            raw = "".join(buf).rstrip("\r\n")
            clean = raw.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            yield line, tuple(c.encode("utf-8", "surrogateescape").decode("utf-8", "replace") for c in cells), \
                f"bytes that are not in the encoding given: {clean[:60]!r}", {"_raw": clean}
        else:
            yield line, tuple(cells), None, None
        line += span


def _swallowed(cells: list[str], lines: list[str], width: int, delimiter: str) -> str | None:
    """Why a record looks like a quote that swallowed lines, or None.

    A record on one line swallowed nothing unless its quote never closes (a line break
    inside a cell, or fewer cells than the header and an odd number of quotes). A record
    over several lines did when its cell count is not the header's, or when a line inside
    one of its cells holds as many delimiters as a whole row.
    """
    if len(lines) == 1:
        if any("\n" in c or "\r" in c for c in cells):
            return "the quote never closes"
        if len(cells) < width and lines[0].count('"') % 2:
            return "the quote never closes"
        return None
    if len(cells) != width:
        return f"the record has {len(cells)} cells, the header {width}"
    need = max(1, width - 1)
    for c in cells:
        if "\n" in c or "\r" in c:
            for part in c.splitlines():
                if part.count(delimiter) >= need:
                    return f"a line inside the cell looks like a row: {part[:40]!r}"
    return None


def open_csv(path: Path, fmt: str, encoding: str | None):
    given = encoding is not None
    enc = encoding_name(path, encoding) if given else detect_encoding(path)
    fh = open(path, encoding=enc, errors="surrogateescape" if given else "strict", newline="")
    delimiter = "\t" if fmt == "tsv" else ","
    if fmt == "csv":
        try:
            first = fh.readline()
        except UnicodeError as exc:
            fh.close()
            raise TableError(str(path), encoding, f"cannot be read as {enc} ({exc})") from None
        for _ in range(_HEADER_SEARCH - 1):
            more = fh.readline()
            if not more:
                break
            first += more
        if first.count("\t") > first.count(","):
            delimiter = "\t"  # Excel's "Unicode text": tab-separated whatever the name
        fh.seek(0)
        if enc in ("utf-8-sig", "utf-16"):
            fh.close()
            fh = open(path, encoding=enc, errors="surrogateescape" if given else "strict", newline="")
    csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))
    return fh, enc, csv_records(fh, delimiter, given)


class _DuplicateKey(ValueError):
    pass


def _unique_pairs(pairs: list) -> dict:
    out: dict = {}
    for k, v in pairs:
        if k in out:
            raise _DuplicateKey(k)
        out[k] = v
    return out


def json_records(fh, check_bytes: bool) -> Iterator[tuple[int, tuple, str | None, dict]]:
    for n, text in enumerate(fh, start=1):
        if not text.strip():
            continue
        if check_bytes and _SURROGATE.search(text):
            clean = text.rstrip("\r\n").encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            yield n, (), f"bytes that are not in the encoding given: {clean[:60]!r}", {"_raw": clean}
            continue
        try:
            rec = json.loads(text, object_pairs_hook=_unique_pairs)
        except json.JSONDecodeError as exc:
            yield n, (), f"not valid JSON ({exc.msg} at column {exc.colno})", {"_raw": text.rstrip("\r\n")}
            continue
        except _DuplicateKey as exc:
            yield n, (), f"duplicate key {exc.args[0]!r}", {"_raw": text.rstrip("\r\n")}
            continue
        if not isinstance(rec, dict):
            yield n, (), f"expected a JSON object, got {type(rec).__name__}", {"_raw": text.rstrip("\r\n")}
            continue
        yield n, (), None, rec
