"""Exceptions raised by :mod:`matcher`."""

from __future__ import annotations

from rules.errors import RulesError

__all__ = ["MatcherError", "NotFittedError", "EngineFormatError"]


class MatcherError(RulesError):
    """Base class of every error raised by :mod:`matcher`."""


class NotFittedError(MatcherError):
    """A method that needs a fitted engine was called before ``fit``."""


class EngineFormatError(MatcherError):
    """A saved engine file cannot be loaded (another format version, not an engine)."""
