"""Pydantic models of firms, support programs, municipalities and cluster projects.

All models are frozen and forbid unknown keys, so a typo in a catalog or a request
is an error rather than a silently ignored field. Free-form user input (municipality
names, industry words, need synonyms) is resolved to canonical codes on validation:

>>> firm = CompanyProfile(municipality="Kita", prefecture="Tokyo", industry="metalworking",
...                       employees=25, needs=["展示会"])
>>> (firm.municipality, firm.prefecture, firm.industry, firm.needs)
('131172', '13', 'E24', ('trade_fair',))
>>> firm.capital_jpy is None      # missing is not zero
True
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from profiles.audiences import resolve_applicant_type, resolve_groups
from profiles.errors import InputError, UnknownValueError
from profiles.geography import gazetteer
from profiles.industries import resolve_industry
from profiles.needs import resolve_needs

__all__ = [
    "CompanyProfile",
    "Provider",
    "Benefit",
    "Share",
    "DeliveredBy",
    "Source",
    "Contact",
    "Range",
    "Eligibility",
    "SupportProgram",
    "Assets",
    "ASSET_FACTORS",
    "Municipality",
    "ClusterProject",
    "PROGRAM_KINDS",
    "PROVIDER_KINDS",
    "CLUSTER_FIELDS",
    "MAX_EMPLOYEES",
    "MAX_CAPITAL_JPY",
    "resolve_location",
]

PROGRAM_KINDS = (
    "subsidy", "interest_subsidy", "loan", "tax_incentive", "consulting", "expert_dispatch",
    "seminar", "training", "matching", "listing", "site_information", "networking",
    "incubation", "export_support", "collaboration", "information", "publicity",
    "cluster_project", "legal_framework",
)
#: The industry fields of Table 4 of the IDE discussion paper (seed 004), used for clusters.
CLUSTER_FIELDS = (
    "bio_medical", "it_communications", "car_machinery", "electronics_software",
    "liquid_crystal_display", "energy", "environment_recycling", "other",
)
PROVIDER_KINDS = (
    "municipality", "prefecture", "national", "agency", "association", "cluster_project",
    "third_sector",
)

#: Bounds of a firm's size facts: far above any real firm (the largest employers have about two
#: million staff; the largest Japanese capital is some ¥10 trillion), so a value beyond them is a typo
#: or an attack, refused as one error of that row rather than overflowing the float columns.
MAX_EMPLOYEES = 100_000_000
MAX_CAPITAL_JPY = 10 ** 18

ProgramKind = Literal[PROGRAM_KINDS]  # type: ignore[valid-type]
ProviderKind = Literal[PROVIDER_KINDS]  # type: ignore[valid-type]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


def _resolve_prefecture(value: Any, field: str = "prefecture") -> str | None:
    if value is None or value == "":
        return None
    return _known_prefecture(str(value))


@functools.lru_cache(maxsize=1024)
def _known_prefecture(text: str) -> str:
    """The two-digit code of a prefecture name or code (answers are remembered, errors are not)."""
    return gazetteer().prefecture(text).code


def _resolve_industry(value: Any, field: str = "industry") -> str | None:
    if value is None or value == "":
        return None
    return resolve_industry(str(value), field=field).code


def _as_list(v: Any) -> list[Any]:
    if v is None:
        return []
    if isinstance(v, (str, dict)):
        return [v]
    return list(v)


def _industry_codes(v: Any, info: ValidationInfo) -> tuple[str, ...]:
    return tuple(_resolve_industry(x, f"{info.field_name}[{i}]") for i, x in enumerate(_as_list(v)))


def _prefecture_codes(v: Any, info: ValidationInfo) -> tuple[str, ...]:
    return tuple(_resolve_prefecture(x, f"{info.field_name}[{i}]") for i, x in enumerate(_as_list(v)))


def _municipality_codes(v: Any, info: ValidationInfo) -> tuple[str, ...]:
    return tuple(gazetteer().resolve(str(x), field=f"{info.field_name}[{i}]").code for i, x in enumerate(_as_list(v)))


def _prefecture_code(v: Any) -> str | None:
    return _resolve_prefecture(v)


#: JSIC codes resolved from codes or words; prefecture and municipality codes resolved
#: from names. One place for each, shared by every model.
IndustryCodes = Annotated[tuple[str, ...], BeforeValidator(_industry_codes)]
PrefectureCodes = Annotated[tuple[str, ...], BeforeValidator(_prefecture_codes)]
MunicipalityCodes = Annotated[tuple[str, ...], BeforeValidator(_municipality_codes)]
PrefectureCode = Annotated[str | None, BeforeValidator(_prefecture_code)]
Needs = Annotated[tuple[str, ...], BeforeValidator(lambda v: resolve_needs(v))]


def _groups(v: Any, info: ValidationInfo) -> tuple[str, ...]:
    return resolve_groups(v, info.field_name)


def _applicant_types(v: Any, info: ValidationInfo) -> tuple[str, ...]:
    out: list[str] = []
    for i, x in enumerate(_as_list(v)):
        t = resolve_applicant_type(x, f"{info.field_name}[{i}]")
        if t is not None and t not in out:
            out.append(t)
    return tuple(out)


#: Target-group ids (:mod:`profiles.audiences`) resolved from ids or words.
TargetGroups = Annotated[tuple[str, ...], BeforeValidator(_groups)]
#: Applicant-type ids resolved from ids or words.
ApplicantTypes = Annotated[tuple[str, ...], BeforeValidator(_applicant_types)]


def _name_from_ja(data: Any, what: str) -> Any:
    """Let ``name`` fall back to ``name_ja``: a real catalog may have no English name."""
    if isinstance(data, dict) and data.get("name") in (None, "") and data.get("name_ja"):
        data = {**data, "name": data["name_ja"]}
    elif isinstance(data, dict) and data.get("name") in (None, ""):
        raise InputError("name", data.get("name"), f"a {what} needs a name or a name_ja")
    return data


def resolve_location(prefecture: Any, municipality: Any) -> tuple[str | None, str | None]:
    """(prefecture code, municipality code) of a firm's location as given (names or codes).

    What :class:`CompanyProfile` stores; raises :class:`~profiles.errors.InputError`
    when neither is given, or as the gazetteer does for an unknown or ambiguous name.

    >>> resolve_location("Tokyo", "Kita")
    ('13', '131172')
    """
    if prefecture in (None, "") and municipality in (None, ""):
        raise InputError("municipality", None,
                         "a location is required: give a municipality (name or 6-digit code) or a prefecture")
    pref = _resolve_prefecture(prefecture) if prefecture not in (None, "") else None
    if municipality in (None, ""):
        return pref, None
    gov = gazetteer().resolve(str(municipality), prefecture=pref, field="municipality")
    return gov.prefecture_code, gov.code


class CompanyProfile(_Frozen):
    """A firm as a coordinator describes it. Only the location is required.

    ``municipality`` accepts an English name ("Kita", "Kita City", "Kita-ku"), a Japanese
    name ("北区") or the 6-digit local-government code ("131172"); ``prefecture`` (English
    or Japanese) tells apart the many Kita wards. Both are stored as codes. ``industry`` is
    a JSIC division ("E") or major group ("E24"), or a common word ("metalworking").
    ``needs`` come from :mod:`profiles.needs`. A missing number is ``None``, never zero.
    """

    id: str | None = None
    name: str | None = None
    prefecture: str | None = None
    municipality: str | None = None
    industry: str | None = None
    employees: int | None = Field(default=None, ge=0, le=MAX_EMPLOYEES)
    capital_jpy: int | None = Field(default=None, ge=0, le=MAX_CAPITAL_JPY)
    founded: dt.date | None = None
    needs: tuple[str, ...] = ()
    description: str | None = None
    environment_conscious: bool | None = None
    seeking_location: bool | None = None
    applicant_type: str | None = None
    attributes: TargetGroups = ()
    address: str | None = None
    postal_code: str | None = None

    @field_validator("applicant_type", mode="before")
    @classmethod
    def _applicant_type(cls, v: Any) -> str | None:
        return resolve_applicant_type(v, "applicant_type", firm_only=True)

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int) and not isinstance(v, bool) else v

    @field_validator("industry", mode="before")
    @classmethod
    def _industry(cls, v: Any) -> str | None:
        return _resolve_industry(v)

    @field_validator("needs", mode="before")
    @classmethod
    def _needs(cls, v: Any) -> tuple[str, ...]:
        return resolve_needs(v)

    @field_validator("employees", "capital_jpy", mode="before")
    @classmethod
    def _not_bool(cls, v: Any, info: ValidationInfo) -> Any:
        if isinstance(v, bool):
            raise ValueError(f"{info.field_name} must be a whole number, got {v!r}")
        return v

    @field_validator("founded", mode="before")
    @classmethod
    def _founded(cls, v: Any) -> Any:
        if isinstance(v, str) and len(v) == 4 and v.isdigit():
            return dt.date(int(v), 1, 1)  # a bare year means "founded that year"
        if isinstance(v, (int, float)):
            if not isinstance(v, bool) and v == int(v) and 1000 <= v <= 9999:
                return dt.date(int(v), 1, 1)
            raise ValueError(f"founded must be a date (2020-04-01) or a year (2020), got {v!r}")
        return v

    @model_validator(mode="before")
    @classmethod
    def _location(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        pref_in = data.get("prefecture")
        mun_in = data.get("municipality")
        if mun_in in (None, "") and (data.get("address") or data.get("postal_code")):
            from profiles.addresses import parse_address

            found = parse_address(data.get("address"), postal_code=data.get("postal_code"),
                                  prefecture=None if pref_in in (None, "") else str(pref_in), field="address")
            if found is not None:
                if found.municipality:
                    mun_in = data["municipality"] = found.municipality
                if pref_in in (None, ""):
                    pref_in = data["prefecture"] = found.prefecture
        pref, mun = resolve_location(pref_in, mun_in)
        if mun is not None:
            data["municipality"] = mun
        data["prefecture"] = pref
        return data

    def years_in_business(self, as_of: dt.date) -> float | None:
        """Years since ``founded`` at ``as_of`` (``None`` when not given).

        >>> CompanyProfile(prefecture="Tokyo", founded="2020-04-01").years_in_business(dt.date(2025, 4, 1))
        5.0
        """
        if self.founded is None:
            return None
        return round((as_of - self.founded).days / 365.25, 2)


class Provider(_Frozen):
    """Who offers a program. ``name`` falls back to ``name_ja`` when only that is given."""

    id: str
    name: str = ""
    name_ja: str | None = None
    kind: ProviderKind
    prefecture: PrefectureCode = None
    municipality: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _named(cls, data: Any) -> Any:
        return _name_from_ja(data, "provider")


class Share(_Frozen):
    """Who pays which share of the eligible cost ("都1/2、区市町村1/4、事業者1/4" is three shares).

    ``payer`` is ``tokyo``/``prefecture``, ``municipality``, ``national``, ``applicant`` (the
    firm's own share) or a provider id.
    """

    model_config = ConfigDict(json_schema_extra={"examples": [{"payer": "tokyo", "payer_ja": "都", "rate": 0.5,
                                                               "text": "都1/2"}]})

    payer: str
    payer_ja: str | None = None
    rate: float = Field(ge=0, le=1)
    text: str | None = None


class Benefit(_Frozen):
    """What a program gives: a ceiling, the firm's rate, cost shares, budget, eligible costs, a note.

    ``rate`` is the share of the firm's eligible cost the program pays, set only when the
    source says so for the applicant; a 10/10 share paid to an intermediary is a ``Share``,
    never the firm's rate. ``budget_jpy`` is the program's whole budget, never the firm's amount.
    """

    max_amount_jpy: int | None = Field(default=None, ge=0)
    rate: float | None = Field(default=None, ge=0, le=1)
    free_of_charge: bool | None = None
    note: str | None = None
    #: ``note`` in Japanese (a faithful rendering, or the catalog's own Japanese).
    note_ja: str | None = None
    shares: tuple[Share, ...] = ()
    budget_jpy: int | None = Field(default=None, ge=0)
    eligible_costs: tuple[str, ...] = ()


class DeliveredBy(_Frozen):
    """The body a firm applies through when the program is run by an intermediary."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "Tokyo Metropolitan Small and Medium "
                                                                       "Enterprise Support Center",
                                                               "name_ja": "東京都中小企業振興公社"}]})

    name: str | None = None
    name_ja: str | None = None
    provider: str | None = None
    note: str | None = None
    note_ja: str | None = None


class Source(_Frozen):
    """Where the facts of an entry come from: a file (a seed, an imported list) and the text quoted.

    An importer also names the ``row`` (1-based record of the input, header excluded) or the
    ``record`` (an API id), the ``field`` (column) the quote came from, and the program fields
    (``facts``) the quote supports, such as ``eligibility.applicant_types``.
    """

    file: str
    quote: str
    document_date: dt.date | None = None
    row: int | None = Field(default=None, ge=1)
    record: str | None = None
    field: str | None = None
    facts: tuple[str, ...] = ()


class Contact(_Frozen):
    """How to reach a provider or a support desk (``name_ja``/``address_ja``: the same in Japanese)."""

    name: str | None = None
    name_ja: str | None = None
    address: str | None = None
    address_ja: str | None = None
    phone: str | None = None
    url: str | None = None


class Range(_Frozen):
    """An inclusive numeric range; either end may be open.

    >>> Range(max=300)
    Range(min=None, max=300.0)
    """

    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> "Range":
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min must be <= max, got min={self.min!r} and max={self.max!r}")
        return self


class Eligibility(_Frozen):
    """Who may use a program, as declarative data (all parts must hold).

    The shorthands cover the common constraints; ``rule_sets`` names rule sets shipped
    with :mod:`rules` (``sme``, ``small_enterprise``); ``logic`` is any JsonLogic
    expression over the firm's facts. :mod:`rules` checks and compiles all of it.
    """

    municipalities: MunicipalityCodes = ()
    prefectures: PrefectureCodes = ()
    regions: tuple[str, ...] = ()
    industries: IndustryCodes = ()
    employees: Range | None = None
    capital_jpy: Range | None = None
    years_in_business: Range | None = None
    requires: tuple[Literal["environment_conscious", "seeking_location"], ...] = ()
    rule_sets: tuple[str, ...] = ()
    applicant_types: ApplicantTypes = ()
    target_groups: TargetGroups = ()
    logic: Any = None
    note: str | None = None
    #: ``note`` in Japanese (a faithful rendering, or the catalog's own Japanese).
    note_ja: str | None = None


    @field_validator("regions", mode="before")
    @classmethod
    def _regions(cls, v: Any) -> Any:
        if isinstance(v, str):
            v = [v]
        out = []
        for i, item in enumerate(v or ()):
            try:
                key = gazetteer().region(str(item), field=f"regions[{i}]")
            except UnknownValueError:
                raise UnknownValueError(f"regions[{i}]", item, "unknown region",
                                        list(gazetteer().region_names())) from None
            if key not in out:
                out.append(key)
        return tuple(out)


    def is_empty(self) -> bool:
        """True when the program is open to every firm."""
        return not (self.municipalities or self.prefectures or self.regions or self.industries
                    or self.employees or self.capital_jpy or self.years_in_business
                    or self.requires or self.rule_sets or self.applicant_types or self.target_groups
                    or self.logic is not None)


class SupportProgram(_Frozen):
    """A support measure: who offers it, what it gives, who may use it, and its source."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = ""
    name_ja: str | None = None
    provider: Provider
    kind: ProgramKind
    needs: Needs = ()
    industries: IndustryCodes = ()
    description: str = ""
    keywords_ja: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    benefit: Benefit | None = None
    eligibility: Eligibility = Eligibility()
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    application_deadline: dt.date | None = None
    url: str | None = None
    contact: Contact | None = None
    clusters: tuple[str, ...] = ()
    summary: str | None = None
    #: ``description`` and ``summary`` in Japanese: a faithful rendering of the English, adding no fact.
    description_ja: str | None = None
    summary_ja: str | None = None
    fiscal_year: int | None = Field(default=None, ge=1900, le=2200)
    application_start: dt.date | None = None
    target_groups: TargetGroups = ()
    delivered_by: DeliveredBy | None = None
    source: Annotated[tuple[Source, ...], BeforeValidator(_as_list)] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _named(cls, data: Any) -> Any:
        return _name_from_ja(data, "program")

    @property
    def display_name(self) -> str:
        """The name to show: the English name, or the Japanese one when that is all there is."""
        return self.name or self.name_ja or self.id

    def display_name_in(self, lang: str) -> str:
        """The name to show in ``lang`` ("en" or "ja"), falling back to the other language."""
        if lang == "ja":
            return self.name_ja or self.name
        return self.name or self.name_ja or self.id

    def description_in(self, lang: str) -> str:
        """The description to show in ``lang`` ("en" or "ja"): ``description_ja`` in Japanese when
        the catalog gives one, else ``description`` (which an imported catalog may give in Japanese).

        >>> from profiles.catalog import load_catalog
        >>> fair = load_catalog().program("kita-trade-fair-subsidy")
        >>> fair.description_in("ja")[:24], fair.description_in("en")[:26]
        ('北区は、展示会や見本市に出展する企業を補助する。', 'Kita City subsidises firms')
        """
        if lang == "ja" and self.description_ja:
            return self.description_ja
        return self.description or self.description_ja or ""

    @model_validator(mode="after")
    def _window(self) -> "SupportProgram":
        if self.valid_from and self.valid_until and self.valid_from > self.valid_until:
            raise ValueError(f"valid_from must be on or before valid_until, got "
                             f"{self.valid_from.isoformat()} and {self.valid_until.isoformat()}")
        return self

    def status(self, as_of: dt.date) -> tuple[bool, str | None]:
        """Whether the program is open at ``as_of``, and why not when it is not."""
        if self.valid_until is not None and as_of > self.valid_until:
            return False, f"closed since {self.valid_until.isoformat()}"
        if self.valid_from is not None and as_of < self.valid_from:
            return False, f"opens on {self.valid_from.isoformat()}"
        if self.application_start is not None and as_of < self.application_start:
            return False, f"applications open on {self.application_start.isoformat()}"
        if self.application_deadline is not None and as_of > self.application_deadline:
            return False, f"application deadline passed on {self.application_deadline.isoformat()}"
        return True, None


#: The assets of a location that the IDE paper's Table 4 weighs, plus the practical ones
#: a firm looking for a site asks about.
ASSET_FACTORS = (
    "industrial_zone", "nucleus_firms", "government_support", "universities_institutes",
    "human_resource_pool", "environment", "related_firms", "key_person",
    "transport_access", "vacant_sites", "incubators",
)


class Assets(_Frozen):
    """What a municipality offers a firm, each factor a list of named pieces of evidence."""

    industrial_zone: tuple[str, ...] = ()
    nucleus_firms: tuple[str, ...] = ()
    government_support: tuple[str, ...] = ()
    universities_institutes: tuple[str, ...] = ()
    human_resource_pool: tuple[str, ...] = ()
    environment: tuple[str, ...] = ()
    related_firms: tuple[str, ...] = ()
    key_person: tuple[str, ...] = ()
    transport_access: tuple[str, ...] = ()
    vacant_sites: tuple[str, ...] = ()
    incubators: tuple[str, ...] = ()


class Municipality(_Frozen):
    """A municipality's profile: where it is, what its industry is strong in, its assets."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    code: str = Field(pattern=r"^\d{6}$")
    name: str
    name_ja: str
    name_kana: str | None = None
    prefecture: Annotated[str, BeforeValidator(_prefecture_code)]
    regions: tuple[str, ...] = ()
    lat: float | None = None
    lng: float | None = None
    industry_strengths: IndustryCodes = ()
    assets: Assets = Assets()
    clusters: tuple[str, ...] = ()
    support_desk: Contact | None = None
    description: str = ""
    source: Annotated[tuple[Source, ...], BeforeValidator(_as_list)] = ()
    #: The assets in Japanese, item for item: the same factors, as many items each, in the same order.
    assets_ja: Assets | None = None
    description_ja: str | None = None

    @model_validator(mode="after")
    def _assets_ja_follow_assets(self) -> "Municipality":
        if self.assets_ja is None:
            return self
        for factor in Assets.model_fields:
            en, ja = getattr(self.assets, factor), getattr(self.assets_ja, factor)
            if len(en) != len(ja):
                raise ValueError(f"assets_ja.{factor} must render assets.{factor} item for item: expected "
                                 f"{len(en)} item(s), got {len(ja)}")
        return self


class ClusterProject(_Frozen):
    """A regional cluster project (METI's 19) or a named cluster (TAMA, Sapporo, Kobe, …)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    name_ja: str | None = None
    number: int | None = Field(default=None, ge=1, le=19)
    kind: Literal["meti_project", "named_cluster", "knowledge_cluster"] = "meti_project"
    region: str | None = None
    prefectures: PrefectureCodes = ()
    municipalities: MunicipalityCodes = ()
    fields: tuple[Literal[CLUSTER_FIELDS], ...] = ()  # type: ignore[valid-type]
    industries: IndustryCodes = ()
    description: str = ""
    description_ja: str | None = None
    source: Annotated[tuple[Source, ...], BeforeValidator(_as_list)] = Field(min_length=1)


