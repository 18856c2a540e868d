"""Firms as a stream of records: lists, pandas DataFrames and pyarrow tables, cut into chunks.

:meth:`MatchEngine.rank_many <matcher.engine.MatchEngine.rank_many>` and
:meth:`~matcher.engine.MatchEngine.reach` take any of these; a table streams by rows,
with its empty cells (None, NaN, NA, NaT) left out of each firm's fields.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import Any

from profiles.models import CompanyProfile
from profiles.validation import coerce_firm

__all__ = ["records_of", "firm_chunks"]


def _is_missing(value: Any) -> bool:
    """None, NaN or pandas' NA/NaT (a table's empty cell)."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, NaT
    except (TypeError, ValueError):
        return False


def records_of(firms: Any) -> Iterable[Any]:
    """Firms as an iterable of profiles or dicts; pandas and pyarrow tables stream by rows.

    >>> list(records_of([{"municipality": "Kita"}]))
    [{'municipality': 'Kita'}]
    """
    if hasattr(firms, "to_batches") or hasattr(firms, "iter_batches"):  # pyarrow Table / ParquetFile
        batches = firms.to_batches() if hasattr(firms, "to_batches") else firms.iter_batches()
        return ({k: v for k, v in rec.items() if v is not None} for b in batches for rec in b.to_pylist())
    if hasattr(firms, "to_pylist") and hasattr(firms, "schema"):  # pyarrow RecordBatch
        return ({k: v for k, v in rec.items() if v is not None} for rec in firms.to_pylist())
    if hasattr(firms, "iloc") and hasattr(firms, "to_dict"):  # pandas DataFrame
        def rows():
            for start in range(0, len(firms), 4096):
                for rec in firms.iloc[start:start + 4096].to_dict("records"):
                    yield {k: v for k, v in rec.items() if not _is_missing(v)}
        return rows()
    return firms


def firm_chunks(firms: Iterable[Any], chunk_size: int) -> Iterator[list[CompanyProfile]]:
    """Validated profiles, ``chunk_size`` at a time (a bad firm raises :class:`~profiles.errors.InputError`)."""
    it = iter(records_of(firms))
    while True:
        chunk = list(itertools.islice(it, chunk_size))
        if not chunk:
            return
        yield [coerce_firm(f) for f in chunk]
