"""Exceptions raised by :mod:`matcher`.

:class:`MatcherError` sits directly under the project's root
:class:`~profiles.errors.ShienError`, beside :class:`~profiles.errors.ProfilesError`
and :class:`~rules.errors.RulesError`.
"""

from __future__ import annotations

from profiles.errors import ShienError

__all__ = ["MatcherError", "ParameterError", "NotFittedError", "EngineFormatError"]


class MatcherError(ShienError):
    """Base class of every error raised by :mod:`matcher`."""


class ParameterError(MatcherError):
    """A bad parameter of a call (``top=0``, ``kernel="fast"``); a :class:`ValueError` like every error here."""


class NotFittedError(MatcherError, AttributeError):
    """A method that needs a fitted engine was called before ``fit``."""


class EngineFormatError(MatcherError):
    """A saved engine file cannot be loaded (another format version, not an engine)."""
