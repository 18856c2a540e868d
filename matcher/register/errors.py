"""Exceptions raised by :mod:`matcher.register`: one root, :class:`RegisterError`."""

from __future__ import annotations

from matcher import MatcherError

__all__ = ["RegisterError", "NotInitializedError", "ConflictError", "UnknownFirmError", "AuthError"]


class RegisterError(MatcherError):
    """Base class of every error raised by :mod:`matcher.register`."""


class NotInitializedError(RegisterError):
    """The database has no register yet, or an older schema: ``matcher register init`` creates or upgrades it."""


class ConflictError(RegisterError):
    """Someone else changed the firm since it was read (its version moved on)."""

    def __init__(self, firm_id: str, expected: int, actual: int | None):
        self.firm_id, self.expected, self.actual = firm_id, expected, actual
        super().__init__(f"firm {firm_id!r}: changed by someone else since it was read "
                         f"(expected version {expected}, the register has {actual}); read it again and redo the edit")

    def __reduce__(self):
        return (type(self), (self.firm_id, self.expected, self.actual))


class UnknownFirmError(RegisterError):
    """No firm with this id in the register."""

    def __init__(self, firm_id: str, candidates: list[str] | None = None):
        self.firm_id, self.candidates = firm_id, list(candidates or [])
        hint = f" (did you mean: {', '.join(self.candidates[:5])}?)" if self.candidates else ""
        super().__init__(f"firm: no firm with this id in the register, got {firm_id!r}{hint}")

    def __reduce__(self):
        return (type(self), (self.firm_id, self.candidates))


class AuthError(RegisterError):
    """A missing, unknown or revoked API key (``status`` 401) or a role that may not do this (403)."""

    def __init__(self, message: str, status: int = 401):
        self.status = status
        super().__init__(message)

    def __reduce__(self):
        return (type(self), (str(self), self.status))
