"""What the engine returns: rankings, schemes, possible programs, municipalities, reach.

Pydantic models, so that the CLI's ``--json`` and the HTTP service share one shape:
``Ranking.to_dict()`` is exactly what ``matcher rank --json`` prints.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["ProviderRef", "Scheme", "Possible", "MunicipalityMatch", "Excluded", "Ranking",
           "ReachHit", "Explanation", "Condition"]


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO strings)."""
        return self.model_dump(mode="json")


class ProviderRef(_Result):
    id: str
    name: str
    name_ja: str | None = None
    kind: str | None = None


class Condition(_Result):
    """One eligibility condition for one firm: ``outcome`` is eligible / ineligible / unknown."""

    condition: str
    outcome: Literal["eligible", "ineligible", "unknown"]
    text: str
    missing: list[str] = []


class Scheme(_Result):
    """A program the firm is eligible for, with its score, components and reasons.

    ``described_on`` is the date of the newest of the program's sources; ``stale`` is true
    when that is more than :attr:`Explainer.stale_after_years <matcher.explain.Explainer>`
    (5) years before the as-of date: "last described in 2005: check it is still offered".
    Staleness does not change the score; it lowers the program's ``rank``, its place in the
    firm's one order of eligible and possible programs (1 is first; see :meth:`Ranking.in_order`).
    """

    id: str
    name: str
    name_ja: str | None = None
    kind: str
    description: str
    provider: ProviderRef
    score: float
    rank: int = 0
    components: dict[str, float]
    reasons: list[str]
    # what a coordinator needs to act on it: what it gives, when, whom to ask, where it is described
    summary: str | None = None
    benefit: dict[str, Any] | None = None
    url: str | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    application_start: dt.date | None = None
    application_deadline: dt.date | None = None
    contact: dict[str, Any] | None = None
    delivered_by: dict[str, Any] | None = None
    source: list[dict[str, Any]] = []
    eligibility: list[Condition] | None = None
    described_on: dt.date | None = None
    stale: bool = False


class Possible(_Result):
    """A program the firm might use if it gave the missing facts.

    ``rank`` places it among the firm's eligible programs: it ranks at a share of its score
    (``scoring.yaml``: ``ordering.possible``), so a clearly relevant program the firm has not
    yet shown it may use comes before a barely relevant one it may.
    """

    id: str
    name: str
    name_ja: str | None = None
    kind: str
    description: str = ""
    provider: ProviderRef
    score: float
    rank: int = 0
    components: dict[str, float]
    missing: list[str]
    reasons: list[str]
    summary: str | None = None
    benefit: dict[str, Any] | None = None
    url: str | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    application_start: dt.date | None = None
    application_deadline: dt.date | None = None
    contact: dict[str, Any] | None = None
    delivered_by: dict[str, Any] | None = None
    source: list[dict[str, Any]] = []
    described_on: dt.date | None = None
    stale: bool = False


class MunicipalityMatch(_Result):
    """A municipality where the firm would be well supported."""

    id: str
    code: str
    name: str
    name_ja: str
    prefecture: str
    score: float
    components: dict[str, float]
    reasons: list[str]
    distance_km: float | None = None


class Excluded(_Result):
    """A program the firm is not eligible for, with the conditions it fails."""

    id: str
    name: str
    failed: list[str]
    name_ja: str | None = None


class Ranking(_Result):
    """The answer for one firm."""

    as_of: dt.date
    company: dict[str, Any]
    schemes: list[Scheme]
    possible: list[Possible]
    municipalities: list[MunicipalityMatch]
    excluded: list[Excluded] | None = None

    def in_order(self) -> list[Scheme | Possible]:
        """Eligible and possible programs in one list, best first (by ``rank``): what a coordinator
        reads first, the firm's own question included even when a fact is missing."""
        return sorted([*self.schemes, *self.possible], key=lambda r: (r.rank or 10**9, isinstance(r, Possible)))

    def to_dict(self) -> dict[str, Any]:
        out = self.model_dump(mode="json", exclude_none=False)
        if self.excluded is None:
            out.pop("excluded")
        for s in out["schemes"]:
            if s.get("eligibility") is None:
                s.pop("eligibility", None)
        return out


class ReachHit(_Result):
    """A firm a program fits: ``status`` is "eligible" or "possible" (facts missing)."""

    rank: int
    firm_id: str | None
    firm_name: str | None = None
    row: int
    status: Literal["eligible", "possible"]
    score: float
    components: dict[str, float]
    reasons: list[str]
    missing: list[str] = []


class Explanation(_Result):
    """Why a program is or is not for a firm, condition by condition."""

    as_of: dt.date
    company: dict[str, Any]
    program: ProviderRef
    outcome: Literal["eligible", "ineligible", "unknown"]
    conditions: list[Condition]
    missing: list[str]
    score: float
    components: dict[str, float]
    reasons: list[str]
