"""Exceptions raised by :mod:`matcher.importers`."""

from __future__ import annotations

from matcher.errors import MatcherError

__all__ = ["ImporterError", "ImportFormatError", "MappingError"]


class ImporterError(MatcherError):
    """Base class of every error raised by :mod:`matcher.importers`."""


class ImportFormatError(ImporterError):
    """The input is not of the format asked for (missing columns, not JSON, an unknown format)."""


class MappingError(ImporterError):
    """A column-mapping file of the ``table`` format is not valid: names the file and the key."""
