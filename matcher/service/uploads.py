"""A firm list sent to the service: the bytes, the name they came under, and how to read them.

``POST /v1/firms/check`` takes the list as a multipart upload (a ``file`` field, the way a
browser form sends it) or as the raw request body with its ``Content-Type`` (and a
``filename`` query parameter when the type does not tell the format). The service reads
the bytes itself, with the same reader as ``matcher firms check``
(:func:`profiles.firmcheck.check_firms`): a Shift_JIS file reads as Shift_JIS whatever
the client thought of it.

>>> upload_format("名簿.XLSX", None), upload_format(None, "text/csv; charset=shift_jis")
('xlsx', 'csv')
>>> upload_format("firms", "application/octet-stream")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
matcher.service.problems.ProblemError: cannot tell the format of the list: ...
>>> charset_of("text/csv; charset=Shift_JIS"), charset_of("text/csv")
('Shift_JIS', None)
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from matcher.service.problems import ProblemError
from profiles.tabular import FORMATS

__all__ = ["Upload", "MEDIA_TYPES", "UNZIPPED_FACTOR", "upload_format", "charset_of", "check_unpacked_size"]

#: Media types and the format each is read as (the extension, when there is one, wins).
MEDIA_TYPES = {
    "text/csv": "csv", "application/csv": "csv", "text/plain": "csv", "text/tab-separated-values": "tsv",
    "application/json": "json", "application/x-ndjson": "jsonl", "application/jsonl": "jsonl",
    "application/x-jsonlines": "jsonl",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.ms-excel.sheet.macroenabled.12": "xlsx",
    "application/vnd.apache.parquet": "parquet", "application/x-parquet": "parquet",
}
#: A workbook or Parquet file may unpack to at most this many times the body limit.
UNZIPPED_FACTOR = 64
_SUFFIX = {"csv": ".csv", "tsv": ".tsv", "jsonl": ".jsonl", "json": ".json", "parquet": ".parquet", "xlsx": ".xlsx"}


@dataclass(frozen=True)
class Upload:
    """A firm list as it came: its bytes, the name to call it by, and its format.

    ``where`` is the request field the list came in (``body`` or ``body.file``), for errors.
    """

    data: bytes
    name: str
    format: str
    where: str
    charset: str | None = None

    @property
    def suffix(self) -> str:
        """The extension the list is saved under to be read."""
        return _SUFFIX[self.format]


def charset_of(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a media type, if any."""
    for part in (content_type or "").split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return None


def upload_format(filename: str | None, content_type: str | None, format: str | None = None) -> str:
    """The format of an upload: ``format`` when given, else the file name's extension, else its media type."""
    known = sorted(set(FORMATS.values()))
    if format:
        if format not in known:
            raise ProblemError(422, f"unknown format {format!r}, expected one of {', '.join(known)}")
        return format
    suffix = Path(filename or "").suffix.lower()
    if suffix in FORMATS:
        return FORMATS[suffix]
    media = (content_type or "").split(";")[0].strip().lower()
    if media in MEDIA_TYPES:
        return MEDIA_TYPES[media]
    raise ProblemError(415, f"cannot tell the format of the list: the name {filename or '(none)'!r} has no known "
                            f"extension and the type {media or '(none)'!r} is not one: give a file name ending in "
                            f"{', '.join(FORMATS)} (?filename=firms.csv) or format= one of {', '.join(known)}")


def check_unpacked_size(upload: Upload, limit: int) -> None:
    """Refuse a workbook (a zip file) or a Parquet file that would unpack to more than ``limit`` bytes.

    A 1 MiB upload may hold a sheet of gigabytes; the sizes its own directory declares are
    read first, and nothing is unpacked when they are over the limit."""
    if upload.format == "xlsx":
        try:
            with zipfile.ZipFile(io.BytesIO(upload.data)) as z:
                size = sum(i.file_size for i in z.infolist())
        except zipfile.BadZipFile:
            return  # the reader says what it is not
    elif upload.format == "parquet":
        try:
            import pyarrow.parquet as pq

            meta = pq.ParquetFile(io.BytesIO(upload.data)).metadata
            size = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        except Exception:  # not Parquet: the reader says so
            return
    else:
        return
    if size > limit:
        raise ProblemError(413, f"the {upload.format} file unpacks to {size} bytes; at most {limit} are read "
                                f"(the body limit times {UNZIPPED_FACTOR}): check it in parts, or with "
                                "`matcher firms check FILE`")
