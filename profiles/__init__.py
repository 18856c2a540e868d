"""Company profiles, support programs, municipalities and clusters, and their catalogs.

The bottom layer of shien-matcher: pydantic models, vocabularies (needs, JSIC
industries, the gazetteer of local governments), and catalog loading and
validation, with the default catalog shipped as package data. It imports nothing
else of the project.

>>> from profiles import CompanyProfile
>>> CompanyProfile(municipality="Hamura", prefecture="Tokyo").municipality
'132276'
"""

from profiles.catalog import Catalog, default_catalog_path, load_catalog
from profiles.errors import (
    AmbiguousValueError,
    CatalogError,
    InputError,
    Problem,
    ProfilesError,
    ShienError,
    UnknownValueError,
)
from profiles.geography import gazetteer
from profiles.industries import resolve_industry
from profiles.models import (
    Assets,
    Benefit,
    ClusterProject,
    CompanyProfile,
    Contact,
    Eligibility,
    Municipality,
    Provider,
    Range,
    Source,
    SupportProgram,
)
from profiles.needs import NEEDS, need_ids, resolve_need, resolve_needs

__all__ = [
    "Assets", "Benefit", "Catalog", "CatalogError", "ClusterProject", "CompanyProfile", "Contact",
    "Eligibility", "InputError", "AmbiguousValueError", "UnknownValueError", "Municipality", "NEEDS",
    "Problem", "ProfilesError", "ShienError", "Provider", "Range", "Source", "SupportProgram", "default_catalog_path",
    "gazetteer", "load_catalog", "need_ids", "resolve_industry", "resolve_need", "resolve_needs",
]
