"""What the engine returns: rankings, schemes, possible programs, municipalities, reach.

Pydantic models, so that the CLI's ``--json`` and the HTTP service share one shape:
``Ranking.to_dict()`` is exactly what ``matcher rank --json`` prints.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict

__all__ = ["ProviderRef", "Scheme", "Possible", "MunicipalityMatch", "Excluded", "Ranking",
           "ReachHit", "Explanation", "Condition", "construct"]

M = TypeVar("M", bound=BaseModel)


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
    #: The description in Japanese, when the catalog gives one (``description`` stays as the catalog has it).
    description_ja: str | None = None
    provider: ProviderRef
    score: float
    rank: int = 0
    components: dict[str, float]
    reasons: list[str]
    # what a coordinator needs to act on it: what it gives, when, whom to ask, where it is described
    summary: str | None = None
    summary_ja: str | None = None
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
    description_ja: str | None = None
    provider: ProviderRef
    score: float
    rank: int = 0
    components: dict[str, float]
    missing: list[str]
    reasons: list[str]
    summary: str | None = None
    summary_ja: str | None = None
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


_REQUIRED = object()
_SPECS: dict[type, tuple | None] = {}


def construct(cls: type[M], **values: Any) -> M:
    """``cls.model_construct(**values)``, about 4x as fast, for the result models above.

    The engine builds every value of a result itself, so results skip validation (as
    ``model_construct`` does); pydantic's ``model_construct`` then spends most of its time
    looking for aliases field by field, and a ranking builds some thirty results. This
    sets the same ``__dict__`` (fields in declaration order, defaults for those not given,
    mutable defaults copied as pydantic copies them) and the same fields set; a model with
    aliases, default factories, extra fields or a post-init hook goes to
    ``model_construct`` itself. A test compares both on every result model.

    >>> construct(ProviderRef, id="kita", name="Kita City") == ProviderRef.model_construct(id="kita", name="Kita City")
    True
    """
    spec = _SPECS.get(cls, _REQUIRED)
    if spec is _REQUIRED:
        spec = _SPECS[cls] = _spec(cls)
    if spec is None:
        return cls.model_construct(**values)
    template, names, required, mutable = spec
    if not names.issuperset(values):  # a key that is no field: model_construct ignores it
        values = {k: v for k, v in values.items() if k in names}
    fields_values = template.copy()  # every field in declaration order, immutable defaults in place
    fields_values.update(values)
    fields_set = set(values)
    for name, field in mutable:
        if name not in fields_set:  # a mutable default: a copy, as pydantic makes one
            fields_values[name] = field.get_default(call_default_factory=True, validated_data=fields_values)
    for name in required:
        if name not in fields_set:
            del fields_values[name]
    m = cls.__new__(cls)
    object.__setattr__(m, "__dict__", fields_values)
    object.__setattr__(m, "__pydantic_fields_set__", fields_set)
    object.__setattr__(m, "__pydantic_extra__", None)
    object.__setattr__(m, "__pydantic_private__", None)
    return m


def _spec(cls: type[BaseModel]) -> tuple | None:
    """(template, names, required, mutable) of ``cls``, or None when ``model_construct`` must build it."""
    if cls.model_config.get("extra") == "allow" or cls.__pydantic_post_init__ or cls.__pydantic_root_model__:
        return None
    template: dict[str, Any] = {}
    required, mutable = [], []
    for name, field in cls.model_fields.items():
        if field.alias is not None or field.validation_alias is not None or field.default_factory is not None:
            return None
        template[name] = None
        if field.is_required():
            required.append(name)
        elif isinstance(field.default, (str, int, float, bool, type(None), tuple, frozenset, dt.date)):
            template[name] = field.default
        else:
            mutable.append((name, field))
    return template, frozenset(template), tuple(required), tuple(mutable)
