"""Validating a chunk of input records: the column checks first, the per-row path for the rows they flag."""

from __future__ import annotations

from profiles.firmchunk import quick_profiles
from profiles.models import CompanyProfile
from matcher.firmio import RowError, valid_firms

__all__ = ["valid_chunk"]


def valid_chunk(records: list, errors: list[RowError]) -> list[tuple[int, CompanyProfile]]:
    """``(row, profile)`` of a chunk's valid records; each bad one appended to ``errors``.

    The column checks of :func:`profiles.firmchunk.quick_profiles` first (one lookup per
    distinct municipality, industry and needs); only the records they flag are validated
    one at a time by :func:`matcher.firmio.valid_firms`, so an error reads as it always has.
    The same profiles and errors as validating every record one at a time.
    """
    good = []
    quick = quick_profiles([rec for _, rec in records])
    for (row, rec), firm in zip(records, quick):
        if firm is not None:
            good.append((row, firm if firm.id is not None else firm.model_copy(update={"id": f"row-{row}"})))
            continue
        try:  # one firm at a time: an exception in one firm's validation is its error row
            good.extend(valid_firms([(row, rec)], errors))
        except (ValueError, OverflowError, TypeError) as exc:
            errors.append(RowError(row, "-", None, f"cannot be read: {exc}"))
    return good
