"""The project's error root, and the exceptions raised by :mod:`profiles`.

Every error of shien-matcher derives from :class:`ShienError`, itself a
:class:`ValueError`; each package has one sibling class directly under it
(:class:`ProfilesError` here, :class:`rules.errors.RulesError`,
:class:`matcher.errors.MatcherError`), so callers catch one package's failures or
all of them at once. The root lives here, in the bottom layer, so that every package
can import it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "ShienError",
    "ProfilesError",
    "InputError",
    "UnknownValueError",
    "AmbiguousValueError",
    "Problem",
    "CatalogError",
]


class ShienError(ValueError):
    """Base class of every error raised by shien-matcher (its three packages)."""


class ProfilesError(ShienError):
    """Base class of every error raised by :mod:`profiles`."""


class InputError(ProfilesError):
    """A single bad value given by a user, naming the field and the value.

    Parameters
    ----------
    field : str
        Dotted path of the field, e.g. ``"municipality"`` or ``"needs[2]"``.
    value : object
        The value that was given.
    message : str
        What was expected, in plain words.
    candidates : list of str, optional
        Close valid values, shown to help the user.
    """

    def __init__(self, field: str, value: object, message: str, candidates: list[str] | None = None):
        self.field = field
        self.value = value
        self.message = message
        self.candidates = list(candidates or [])
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.field}: {self.message}, got {self.value!r}"
        if self.candidates:
            text += f" (did you mean: {', '.join(self.candidates[:8])}?)"
        return text

    def __reduce__(self):
        return (type(self), (self.field, self.value, self.message, self.candidates))


class UnknownValueError(InputError):
    """The value is not in the vocabulary (or gazetteer) at all."""


class AmbiguousValueError(InputError):
    """The value matches several entries; ``candidates`` lists them."""


@dataclass(frozen=True)
class Problem:
    """One problem found in a catalog: where it is and what is wrong.

    >>> str(Problem("kita.yaml", "kita-trade-fair", "benefit.max_amount_jpy", "must be >= 0"))
    'kita.yaml: kita-trade-fair: benefit.max_amount_jpy: must be >= 0'
    """

    file: str
    entry: str
    path: str
    message: str

    def __str__(self) -> str:
        parts = [self.file, self.entry or "-", self.path or "-", self.message]
        return ": ".join(parts)


@dataclass
class CatalogError(ProfilesError):
    """A catalog failed validation; ``problems`` lists every problem found."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        n = len(self.problems)
        head = f"catalog has {n} problem{'s' if n != 1 else ''}"
        if n == 1:
            return f"{head}: {self.problems[0]}"
        return head + ":\n" + "\n".join(f"  {p}" for p in self.problems)
