"""Checks of parameters and of fitted state, shared by every module of :mod:`matcher`.

Free functions, as in scikit-learn's ``utils/validation.py``, so that no module
calls into another class's private methods. Each raises
:class:`~matcher.errors.ParameterError` (a :class:`ValueError`) or
:class:`~matcher.errors.NotFittedError` with one line naming the parameter.

>>> check_int("top", 3)
3
>>> check_int("top", 0)
Traceback (most recent call last):
...
matcher.errors.ParameterError: top must be an integer >= 1, got 0
>>> check_int("n", 10 ** 10, high=999_999_999)
Traceback (most recent call last):
...
matcher.errors.ParameterError: n must be an integer from 1 to 999,999,999, got 10000000000
>>> check_choice("kernel", "fast", ("auto", "numba", "numpy"))
Traceback (most recent call last):
...
matcher.errors.ParameterError: kernel must be one of auto, numba, numpy, got 'fast'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from matcher.errors import NotFittedError, ParameterError

__all__ = ["check_int", "check_choice", "check_is_fitted"]


def check_int(name: str, value: Any, *, low: int = 1, high: int | None = None) -> int:
    """``value`` as an ``int`` if it is an integer (not a bool) in ``[low, high]``.

    Parameters
    ----------
    name : str
        The parameter's name, for the message.
    value : object
        What was given; Python and numpy integers are accepted.
    low : int, default 1
        The smallest value allowed.
    high : int, optional
        The largest value allowed (no bound by default).

    Returns
    -------
    int

    Raises
    ------
    ParameterError
        ``"{name} must be an integer >= {low}, got {value!r}"`` (or ``from {low} to {high}``).
    """
    ok = not isinstance(value, bool) and isinstance(value, (int, np.integer))
    if ok and value >= low and (high is None or value <= high):
        return int(value)
    want = f">= {low}" if high is None else f"from {low:,} to {high:,}"
    raise ParameterError(f"{name} must be an integer {want}, got {value!r}")


def check_choice(name: str, value: Any, choices: Sequence[str]) -> str:
    """``value`` if it is one of ``choices``, else :class:`ParameterError` listing them."""
    if isinstance(value, str) and value in choices:
        return value
    raise ParameterError(f"{name} must be one of {', '.join(choices)}, got {value!r}")


def check_is_fitted(estimator: Any, attribute: str = "eligibility_") -> None:
    """Raise :class:`NotFittedError` unless ``estimator`` has its fitted ``attribute``.

    >>> from matcher import MatchEngine
    >>> check_is_fitted(MatchEngine())
    Traceback (most recent call last):
    ...
    matcher.errors.NotFittedError: this MatchEngine is not fitted yet: call fit() (or MatchEngine.load()) first
    """
    if not hasattr(estimator, attribute):
        name = type(estimator).__name__
        raise NotFittedError(f"this {name} is not fitted yet: call fit() (or {name}.load()) first")
