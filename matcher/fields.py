"""The fields of industry clusters and of JSIC codes (Table 4 of the IDE paper, ``location_weights.yaml``):
shared by the municipality recommendations and by the industry fit of cluster programs."""

from __future__ import annotations

from profiles.industries import division_of
from matcher.weights import scoring_data

__all__ = ["covers", "field_fits", "industry_field"]


def field_fits(industry: str | None) -> set[str]:
    """The cluster fields a JSIC industry works in: its Table 4 field and ``field_industries``.

    >>> sorted(field_fits("E27")), sorted(field_fits("E29")), field_fits(None)
    (['bio_medical', 'car_machinery'], ['bio_medical', 'electronics_software'], set())
    """
    if industry is None:
        return set()
    out = {industry_field(industry)} - {"other"}
    for field, codes in scoring_data("location_weights.yaml")["field_industries"].items():
        if any(covers(code, industry) for code in codes):
            out.add(field)
    return out


def covers(code: str, industry: str) -> bool:
    """Whether JSIC ``code`` (a division or major group) covers the firm's ``industry``."""
    return industry == code or division_of(industry) == code or (len(industry) == 1 and code[0] == industry)


def industry_field(industry: str | None) -> str | None:
    """The Table 4 field of a JSIC code (``None`` when the industry is not given).

    >>> industry_field("E24"), industry_field("P83"), industry_field("I52")
    ('car_machinery', 'bio_medical', 'other')
    """
    if industry is None:
        return None
    table = scoring_data("location_weights.yaml")["industry_fields"]
    return table.get(industry) or table.get(division_of(industry)) or "other"
