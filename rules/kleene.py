"""Three-valued (Kleene) truth values as small integers, so numpy can combine them.

``FALSE < UNKNOWN < TRUE``: Kleene AND is the minimum, OR the maximum, NOT is
``TRUE - value``.

>>> import numpy as np
>>> np.minimum(TRUE, UNKNOWN) == UNKNOWN, np.maximum(FALSE, UNKNOWN) == UNKNOWN
(np.True_, np.True_)
>>> TRUE - UNKNOWN == UNKNOWN
True
"""

from __future__ import annotations

__all__ = ["FALSE", "UNKNOWN", "TRUE", "OUTCOME", "outcome_name"]

FALSE = 0
UNKNOWN = 1
TRUE = 2

#: The words for the three outcomes of an eligibility check.
OUTCOME = {TRUE: "eligible", FALSE: "ineligible", UNKNOWN: "unknown"}


def outcome_name(value: int) -> str:
    """``"eligible"``, ``"ineligible"`` or ``"unknown"``.

    >>> outcome_name(UNKNOWN)
    'unknown'
    """
    return OUTCOME[int(value)]
