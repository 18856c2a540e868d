"""Exceptions raised by :mod:`rules`."""

from __future__ import annotations

from profiles.errors import ShienError

__all__ = ["RulesError", "RuleSyntaxError"]


class RulesError(ShienError):
    """Base class of every error raised by :mod:`rules`."""


class RuleSyntaxError(RulesError):
    """A malformed rule: an unknown operator or fact, or the wrong arguments.

    ``path`` is where in the rule the problem is, e.g. ``logic.and[1].<=[0]``.
    """

    def __init__(self, path: str, message: str):
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)

    def __reduce__(self):
        return (type(self), (self.path, self.message))
