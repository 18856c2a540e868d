"""The short reason of a batch output row: needs matched, industry targeted, where the program is from.

Built once per distinct pattern of a chunk's picks, not once per row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from profiles.needs import NEEDS
from rules.facts import FirmFacts

if TYPE_CHECKING:  # pragma: no cover
    from matcher.engine import MatchEngine

__all__ = ["short_reasons", "reason_text"]

_NEED_LABEL = {n.id: n.label_en for n in NEEDS}


def reason_text(needs_mask: int, industry: str | None, loc: float) -> str:
    """One reason: the needs matched (bits of :func:`profiles.needs.need_ids`), the firm's industry
    when the program targets it, and the locality component.

    >>> reason_text(0b10, "E24", 1.0)
    'needs: subsidies and grants; industry E24 targeted; own municipality'
    """
    parts = []
    matched = [n.id for b, n in enumerate(NEEDS) if needs_mask >> b & 1]
    if matched:
        parts.append("needs: " + ", ".join(_NEED_LABEL[n] for n in matched))
    if industry:
        parts.append(f"industry {industry} targeted")
    parts.append("own municipality" if loc >= 1 else "in the prefecture" if loc >= 0.7
                 else "national" if loc >= 0.5 else "elsewhere")
    return "; ".join(parts)


def short_reasons(engine: MatchEngine, facts: FirmFacts, fi: np.ndarray, pj: np.ndarray, industry: np.ndarray,
                  locality: np.ndarray, industry_of: Callable[[int], str | None]) -> tuple[list[str], np.ndarray]:
    """The reasons of picks ``(fi[r], pj[r])`` (firm, program) with those industry and locality
    components: ``(distinct texts, each pick's index into them)``; ``industry_of(firm)`` is the
    firm's JSIC code, asked once per distinct text."""
    ind = industry >= 0.75 - 1e-6
    loc = np.round(locality.astype(np.float64), 4)
    needs = facts.needs[fi] & engine.program_need_masks_[pj]
    ind_code = np.where(ind, (facts.major_group[fi].astype(np.int64) + 1) * 32 + facts.division[fi] + 1, 0)
    # one int64 per pick: needs matched (bits 30+), industry code (bits 16-29), locality x 10,000 (bits 0-15)
    key = (needs << 30) | (ind_code << 16) | np.round(loc * 10000).astype(np.int64)
    uniq, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    if len(_TEXTS) > 1 << 16:
        _TEXTS.clear()
    texts = []
    for u, f in zip(uniq.tolist(), first.tolist()):  # the key says it all (its industry bits name the code)
        text = _TEXTS.get(u)
        if text is None:
            text = _TEXTS[u] = reason_text(u >> 30, industry_of(int(fi[f])) if (u >> 16) & 0x3FFF else None,
                                           (u & 0xFFFF) / 10000)
        texts.append(text)
    return texts, inverse.ravel()


#: Reasons already written, by key (the same patterns recur in every chunk).
_TEXTS: dict[int, str] = {}
