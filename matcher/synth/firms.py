"""Synthetic firms calibrated on the Ota Ward / Higashi Osaka survey of seed 004.

The IDE discussion paper No. 45 (seed ``004_88c0d50d16d1480f.txt``, section 3.1 and
Table 12) describes the 1,198 SMEs that answered a 2004 UNDP survey: 507 in Ota Ward,
Tokyo (code ``131113``) and 691 in Higashi Osaka City (``272272``). This module draws
firms whose marginals match what the paper says about them, for scale tests and
benchmarks of the matcher. They are not real firms and carry no facts.

>>> firms = list(synth_firms(3, profile="ota", seed=7))
>>> [f["municipality"] for f in firms], sorted(firms[0])[:4]
(['131113', '131113', '131113'], ['capital_jpy', 'description', 'employees', 'environment_conscious'])

API
---
:func:`synth_firm_table` returns column arrays for ``n`` firms (vectorized numpy draws,
one to two seconds per million firms); :func:`synth_firm_chunks` yields the same columns in
blocks of :data:`BLOCK_SIZE` firms, so that memory stays bounded; :func:`synth_firms`
yields one dict per firm with the fields of :class:`~profiles.models.CompanyProfile`.
All three give the same firms for the same ``(profile, seed)``, and the first ``k``
firms do not change when more are asked for: each block and each column has its own
random stream, seeded by ``(seed, block, column)``. :func:`firm_table_to_arrow` turns
columns into a :class:`pyarrow.Table` (pyarrow is optional).

How the draws meet the paper's figures is in :mod:`matcher.synth.calibration`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import numpy as np
from scipy.special import ndtr, ndtri

from profiles.needs import NEEDS, need_ids
from matcher._validation import check_choice, check_int
from matcher.synth.calibration import (
    AREAS,
    AS_OF,
    CALIBRATION_TARGETS,
    P_ENVIRONMENT,
    P_JAPANESE,
    P_MISSING,
    P_SEEKING,
    PROFILES,
    RHO_AGE,
    RHO_CAPITAL,
    TABLE_12,
    Target,
    age_q,
    capital_params,
    capital_q,
    employee_params,
    employees_q,
    target_value,
)

__all__ = [
    "AREAS",
    "AS_OF",
    "BLOCK_SIZE",
    "CALIBRATION_TARGETS",
    "FIRM_FIELDS",
    "MAX_FIRMS",
    "PROFILES",
    "TABLE_12",
    "Target",
    "firm_table_to_arrow",
    "synth_firm_chunks",
    "synth_firm_table",
    "synth_firms",
]

#: Firms are drawn in blocks of this size, each with its own random streams.
BLOCK_SIZE = 1 << 16
_ID_PREFIX, _ID_DIGITS = "firm-", 9
#: The most firms one call makes (the ids have nine digits).
MAX_FIRMS = 10 ** _ID_DIGITS - 1
#: The columns of a table, in the order of :class:`~profiles.models.CompanyProfile`.
FIRM_FIELDS = ("id", "name", "prefecture", "municipality", "industry", "employees", "capital_jpy", "founded",
               "needs", "description", "environment_conscious", "seeking_location")

# --- industry mixes -------------------------------------------------------------------------------

#: Among manufacturers: the paper's categories, then "other manufacturing" spread by choice.
_MANUFACTURING = {
    "ota": {"E24": 31.8, "E26": 14.0, "E25": 9.6, "E29": 22.5,
            "E28": 5.0, "E27": 4.0, "E31": 3.5, "E18": 3.0, "E23": 2.0, "E22": 1.5, "E15": 1.5, "E32": 1.6},
    "higashiosaka": {"E24": 32.0, "E18": 10.6, "E19": 4.0, "E29": 13.9, "E25": 8.0, "E26": 4.8,
                     "E15": 6.0, "E28": 4.0, "E22": 3.0, "E23": 2.0, "E27": 2.0, "E31": 2.0, "E11": 2.0,
                     "E16": 2.0, "E32": 3.7},
}
#: Among non-manufacturers (both areas): wholesale 17.7 of Higashi Osaka's 40 points, the rest chosen.
_NON_MANUFACTURING = {"I50": 1.5, "I51": 1.5, "I52": 1.2, "I53": 5.5, "I54": 5.5, "I55": 2.5,
                      "D06": 3.5, "D08": 2.5, "I60": 4.0, "H44": 3.5, "G39": 2.5, "K69": 2.0, "R92": 2.5,
                      "J64": 1.0, "G37": 0.8}

#: Short phrases for the industries drawn: (English phrase, Japanese phrase, English name word, Japanese name word).
_INDUSTRY_TEXT = {
    "E24": ("metal pressing and machining", "金属加工", "Metal Works", "金属工業"),
    "E25": ("general-purpose machinery", "汎用機械製造", "Machinery", "機械"),
    "E26": ("machine tools and production machinery", "生産用機械製造", "Machine Tool", "精機"),
    "E27": ("precision instruments", "精密機器製造", "Precision", "精密"),
    "E28": ("electronic parts", "電子部品製造", "Electronics", "電子"),
    "E29": ("electrical machinery", "電気機械器具製造", "Electric", "電機"),
    "E31": ("auto parts", "自動車部品製造", "Auto Parts", "自動車部品"),
    "E18": ("plastic moulding", "プラスチック成形", "Plastics", "化成"),
    "E19": ("rubber products", "ゴム製品製造", "Rubber", "ゴム工業"),
    "E22": ("iron and steel", "鉄鋼業", "Steel", "鋼業"),
    "E23": ("non-ferrous metal products", "非鉄金属加工", "Alloy", "非鉄金属"),
    "E15": ("printing", "印刷業", "Printing", "印刷"),
    "E11": ("textile products", "繊維製品製造", "Textile", "繊維"),
    "E16": ("chemical products", "化学製品製造", "Chemical", "化学"),
    "E32": ("small-lot manufacturing", "その他の製造業", "Manufacturing", "製作所"),
    "I50": ("general trading", "総合卸売", "Trading", "商事"),
    "I51": ("textile and apparel wholesale", "繊維・衣服卸売", "Textile Trading", "繊維商事"),
    "I52": ("food wholesale", "食品卸売", "Foods", "食品"),
    "I53": ("metals and building materials wholesale", "金属・建材卸売", "Steel Trading", "鋼材"),
    "I54": ("machinery wholesale", "機械器具卸売", "Machinery Trading", "機工"),
    "I55": ("wholesale trade", "卸売業", "Trading", "商会"),
    "D06": ("general construction", "総合工事業", "Construction", "建設"),
    "D08": ("equipment installation", "設備工事業", "Engineering", "設備"),
    "I60": ("retail", "小売業", "Shop", "商店"),
    "H44": ("road freight transport", "貨物運送業", "Transport", "運輸"),
    "G39": ("software and information services", "情報サービス業", "Systems", "システム"),
    "K69": ("real estate leasing", "不動産賃貸業", "Real Estate", "不動産"),
    "R92": ("business services", "事業サービス業", "Services", "サービス"),
    "J64": ("money lending", "貸金業", "Finance", "ファイナンス"),
    "G37": ("telecommunications services", "通信サービス業", "Telecom", "通信"),
}
_INDUSTRIES = tuple(_INDUSTRY_TEXT)


def _industry_probs(area: str, manufacturing_share: float) -> np.ndarray:
    man = _MANUFACTURING[area]
    m_tot, n_tot = sum(man.values()), sum(_NON_MANUFACTURING.values())
    p = np.array([manufacturing_share * man.get(c, 0.0) / m_tot
                  + (1 - manufacturing_share) * _NON_MANUFACTURING.get(c, 0.0) / n_tot for c in _INDUSTRIES])
    return p / p.sum()


# --- needs -----------------------------------------------------------------------------------------

_NEED_IDS = need_ids()
_NEED_BIT = {nid: 1 << i for i, nid in enumerate(_NEED_IDS)}
_TABLE_12_NEEDS = {nid for _, ids, _, _ in TABLE_12 for nid in ids}
#: "Others" of Table 12: one need no row maps to, weights chosen after section 3.1.
_OTHER_NEEDS = {
    "higashiosaka": {"marketing": 4, "networking": 3, "trade_fair": 3, "r_and_d": 2, "technical_support": 2,
                     "human_resources": 2, "export": 1, "academia_collaboration": 1, "startup": 1, "site": 1},
    "ota": {"technical_support": 4, "r_and_d": 3, "academia_collaboration": 3, "human_resources": 2,
            "marketing": 2, "networking": 1, "trade_fair": 1, "export": 1, "startup": 1, "site": 1},
}
#: Short phrases for needs in descriptions (English; Japanese uses the vocabulary's label).
_NEED_TEXT_EN = {
    "financing": "financing", "subsidy": "subsidies", "training": "staff training", "it_adoption": "IT adoption",
    "website": "a website", "marketing": "new sales channels", "trade_fair": "trade fairs",
    "consulting": "management advice", "technical_support": "technical support",
    "business_matching": "new customers and orders", "academia_collaboration": "university collaboration",
    "r_and_d": "R&D", "site": "a new factory site", "export": "export", "startup": "starting a new business",
    "networking": "networking", "publicity": "publicity", "human_resources": "hiring", "tax_relief": "tax relief",
}
_NEED_TEXT_JA = {n.id: n.label_ja for n in NEEDS}

# --- names and descriptions ------------------------------------------------------------------------

_FAMILIES = (
    ("Sato", "佐藤"), ("Suzuki", "鈴木"), ("Takahashi", "高橋"), ("Tanaka", "田中"), ("Watanabe", "渡辺"),
    ("Ito", "伊藤"), ("Yamamoto", "山本"), ("Nakamura", "中村"), ("Kobayashi", "小林"), ("Kato", "加藤"),
    ("Yoshida", "吉田"), ("Yamada", "山田"), ("Sasaki", "佐々木"), ("Yamaguchi", "山口"), ("Matsumoto", "松本"),
    ("Inoue", "井上"), ("Kimura", "木村"), ("Hayashi", "林"), ("Shimizu", "清水"), ("Yamazaki", "山崎"),
    ("Mori", "森"), ("Abe", "阿部"), ("Ikeda", "池田"), ("Hashimoto", "橋本"), ("Ishikawa", "石川"),
    ("Ogawa", "小川"), ("Okada", "岡田"), ("Maeda", "前田"), ("Fujita", "藤田"), ("Goto", "後藤"),
    ("Sanwa", "三和"), ("Daiichi", "第一"), ("Toyo", "東洋"), ("Nippon", "日本"), ("Kyowa", "協和"),
    ("Showa", "昭和"), ("Taisei", "大成"), ("Fuji", "富士"), ("Asahi", "旭"), ("Marui", "丸井"),
)
_TEMPLATES_EN = (
    ("{Ind} firm in {place}.", "{Ind} firm in {place}, looking for {n1}.",
     "{Ind} firm in {place}, looking for {n1} and {n2}."),
    ("{place}-based {ind} company.", "{place}-based {ind} company; wants help with {n1}.",
     "{place}-based {ind} company; wants help with {n1} and {n2}."),
    ("Small {ind} business in {place}.", "Small {ind} business interested in {n1}.",
     "Small {ind} business. Interested in {n1}, also {n2}."),
    ("We do {ind} in {place}.", "We do {ind} in {place} and need {n1}.",
     "We do {ind} in {place} and need {n1} and {n2}."),
)
_TEMPLATES_JA = (
    ("{place}の{ind}の会社。", "{place}の{ind}の会社。{n1}を希望。", "{place}の{ind}の会社。{n1}と{n2}を希望。"),
    ("{ind}を営む中小企業。", "{ind}を営む中小企業。{n1}に関心あり。", "{ind}を営む中小企業。{n1}、{n2}に関心あり。"),
    ("{place}で{ind}を営む。", "{place}で{ind}。{n1}の支援を探している。",
     "{place}で{ind}。{n1}と{n2}の支援を探している。"),
)
_AREA_KEYS = ("ota", "higashiosaka")

# --- one block -------------------------------------------------------------------------------------

_STREAMS = ("area", "industry", "size", "capital", "age", "missing", "flags", "needs", "others", "text", "pick")


def _rng(seed: int, block: int, stream: str) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, block, _STREAMS.index(stream)])))


def _uniform(rng: np.random.Generator, shape: Any) -> np.ndarray:
    return np.clip(rng.random(shape), 1e-12, 1 - 1e-12)


@lru_cache(maxsize=None)
def _needs_tuple(bits: int) -> tuple[str, ...]:
    return tuple(nid for i, nid in enumerate(_NEED_IDS) if bits >> i & 1)


@lru_cache(maxsize=None)
def _name(lang: int, family: int, industry: int, area: int, yk: bool) -> str:
    en, ja = _FAMILIES[family]
    _, _, word_en, word_ja = _INDUSTRY_TEXT[_INDUSTRIES[industry]]
    if lang == 0:
        return f"{en} {word_en} {'Y.K.' if yk else 'Co., Ltd.'}"
    return f"有限会社{ja}{word_ja}" if yk else (f"{ja}{word_ja}株式会社" if family % 2 else f"株式会社{ja}{word_ja}")


@lru_cache(maxsize=None)
def _description(lang: int, template: int, industry: int, area: int, n1: int, n2: int) -> str:
    n1, n2 = n1 - 1, n2 - 1  # shifted by one so that "no need" (-1) packs as 0
    place = AREAS[_AREA_KEYS[area]]
    ind_en, ind_ja, _, _ = _INDUSTRY_TEXT[_INDUSTRIES[industry]]
    k = (n1 >= 0) + (n2 >= 0)
    if lang == 0:
        text = _TEMPLATES_EN[template % len(_TEMPLATES_EN)][k]
        words = {"place": place["place_en"], "ind": ind_en, "Ind": ind_en[0].upper() + ind_en[1:]}
        table = _NEED_TEXT_EN
    else:
        text = _TEMPLATES_JA[template % len(_TEMPLATES_JA)][k]
        words = {"place": place["place_ja"], "ind": ind_ja, "Ind": ind_ja}
        table = _NEED_TEXT_JA
    if n1 >= 0:
        words["n1"] = table[_NEED_IDS[n1]]
    if n2 >= 0:
        words["n2"] = table[_NEED_IDS[n2]]
    return text.format(**words)


def _lookup(columns: list[np.ndarray], radices: list[int], make) -> np.ndarray:
    """An object array of ``make(*key)`` for each row's key, each string built once per distinct key.

    ``columns`` are integer arrays with ``0 <= columns[i] < radices[i]``; they are packed into
    one integer so that finding the distinct keys is a 1-d sort.
    """
    code = np.zeros(len(columns[0]), dtype=np.int64)
    for col, radix in zip(columns, radices):
        code = code * radix + col
    uniq, inverse = np.unique(code, return_inverse=True)
    parts = []
    rest = uniq
    for radix in reversed(radices):
        rest, digit = np.divmod(rest, radix)
        parts.append(digit.tolist())
    values = np.empty(len(uniq), dtype=object)
    values[:] = [make(*key) for key in zip(*reversed(parts))]
    return values[inverse.reshape(-1)]


def _ids(start: int, m: int) -> np.ndarray:
    """``firm-000000001`` ... as a fixed-width unicode array, built without a Python loop."""
    number = np.arange(start + 1, start + m + 1, dtype=np.int64)
    digits = (number[:, None] // 10 ** np.arange(_ID_DIGITS - 1, -1, -1, dtype=np.int64)) % 10 + ord("0")
    prefix = np.broadcast_to(np.array([ord(c) for c in _ID_PREFIX], dtype=np.uint32), (m, len(_ID_PREFIX)))
    chars = np.ascontiguousarray(np.concatenate([prefix, digits.astype(np.uint32)], axis=1))
    return chars.view(f"<U{len(_ID_PREFIX) + _ID_DIGITS}").reshape(m)


def _masked(data: np.ndarray, missing: np.ndarray) -> np.ma.MaskedArray:
    return np.ma.MaskedArray(data, mask=missing)


def _block(profile: str, seed: int, block: int, m: int) -> dict[str, Any]:
    start = block * BLOCK_SIZE
    # area: 0 Ota, 1 Higashi Osaka
    if profile == "mixed":
        area = (_rng(seed, block, "area").random(m) >= target_value("mixed", "share_ota")).astype(np.int64)
    else:
        area = np.full(m, _AREA_KEYS.index(profile), dtype=np.int64)
    is_ota = area == 0

    u_ind = _rng(seed, block, "industry").random(m)
    industry = np.empty(m, dtype=np.int64)
    for a, key in enumerate(_AREA_KEYS):
        sel = area == a
        if sel.any():
            man = target_value(key, "manufacturing_share")
            cum = np.cumsum(_industry_probs(key, man))
            industry[sel] = np.minimum(np.searchsorted(cum, u_ind[sel], side="right"), len(cum) - 1)

    # the size copula: employees on the latent size, capital and age correlated with it
    z = ndtri(_uniform(_rng(seed, block, "size"), (m, 3)))
    z_size = z[:, 0]
    z_cap = RHO_CAPITAL * z_size + math.sqrt(1 - RHO_CAPITAL ** 2) * z[:, 1]
    z_age = RHO_AGE * z_size + math.sqrt(1 - RHO_AGE ** 2) * z[:, 2]
    u_size, u_cap, u_age = ndtr(z_size), ndtr(z_cap), ndtr(z_age)
    employees = np.empty(m, dtype=np.int64)
    capital = np.empty(m, dtype=np.int64)
    for a, key in enumerate(_AREA_KEYS):
        sel = area == a
        if sel.any():
            employees[sel] = employees_q(u_size[sel], *employee_params(key))
            capital[sel] = capital_q(u_cap[sel], *capital_params(key))
    age_days = np.rint(age_q(u_age) * 365.25).astype(np.int64)
    founded = np.datetime64(AS_OF, "D") - age_days.astype("timedelta64[D]")

    miss = _rng(seed, block, "missing").random((m, len(P_MISSING)))
    missing = {k: miss[:, i] < p for i, (k, p) in enumerate(P_MISSING.items())}
    flags = _rng(seed, block, "flags").random((m, 2))
    environment = flags[:, 0] < P_ENVIRONMENT
    seeking = flags[:, 1] < P_SEEKING

    # needs, as a bitmask over need_ids()
    u_needs = _rng(seed, block, "needs").random((m, len(TABLE_12)))
    bits = np.zeros(m, dtype=np.int64)
    unknown_share = np.where(is_ota, TABLE_12[-1][3], TABLE_12[-1][2])
    known = u_needs[:, -1] >= unknown_share
    others_row = len(TABLE_12) - 2
    for r, (_, ids, share_h, share_o) in enumerate(TABLE_12[:-1]):
        q = np.where(is_ota, share_o, share_h) / (1 - unknown_share)
        asked = known & (u_needs[:, r] < q)
        if r == others_row:
            u_other = _rng(seed, block, "others").random(m)
            for a, key in enumerate(_AREA_KEYS):
                pool = {k: v for k, v in _OTHER_NEEDS[key].items() if k not in _TABLE_12_NEEDS}
                cum = np.cumsum(list(pool.values())) / sum(pool.values())
                pick = np.minimum(np.searchsorted(cum, u_other, side="right"), len(cum) - 1)
                pool_bits = np.array([_NEED_BIT[k] for k in pool], dtype=np.int64)
                bits |= np.where(asked & (area == a), pool_bits[pick], 0)
        else:
            mask = sum(_NEED_BIT[k] for k in ids)
            bits |= np.where(asked, mask, 0)
    seeking_known = seeking & ~missing["seeking_location"]
    bits |= np.where(seeking_known, _NEED_BIT["site"], 0)

    # texts: language, template, two needs picked at random among the firm's
    text = _rng(seed, block, "text").random((m, 3))
    lang = (text[:, 0] < P_JAPANESE).astype(np.int64)
    template = np.floor(text[:, 1] * 12).astype(np.int64)  # 12 = lcm of the template counts
    family = np.floor(text[:, 2] * len(_FAMILIES)).astype(np.int64)
    has = (bits[:, None] >> np.arange(len(_NEED_IDS))) & 1 == 1
    keys = np.where(has, _rng(seed, block, "pick").random((m, len(_NEED_IDS))), -1.0)
    n1 = np.argmax(keys, axis=1)
    n1 = np.where(keys[np.arange(m), n1] >= 0, n1, -1)
    keys[np.arange(m), np.maximum(n1, 0)] = -1.0
    n2 = np.argmax(keys, axis=1)
    n2 = np.where(keys[np.arange(m), n2] >= 0, n2, -1)
    young_firm = founded >= np.datetime64("2006-05-01")  # no new yugen kaisha after the Companies Act
    yk = (~missing["capital_jpy"] & (capital < 10_000_000) & (missing["founded"] | ~young_firm)
          & (text[:, 2] * len(_FAMILIES) % 1 < 0.5))

    area_codes = np.array([AREAS[k]["municipality"] for k in _AREA_KEYS], dtype=object)
    pref_codes = np.array([AREAS[k]["prefecture"] for k in _AREA_KEYS], dtype=object)
    industry_codes = np.array(_INDUSTRIES, dtype=object)
    template = np.where(lang == 0, template % len(_TEMPLATES_EN), template % len(_TEMPLATES_JA))
    n_needs = len(_NEED_IDS) + 1
    return {
        "id": _ids(start, m),
        "name": _lookup([lang, family, industry, area, yk.astype(np.int64)],
                        [2, len(_FAMILIES), len(_INDUSTRIES), 2, 2], _name),
        "prefecture": pref_codes[area],
        "municipality": area_codes[area],
        "industry": industry_codes[industry],
        "employees": _masked(employees, missing["employees"]),
        "capital_jpy": _masked(capital, missing["capital_jpy"]),
        "founded": _masked(founded, missing["founded"]),
        "needs": _lookup([bits], [1 << len(_NEED_IDS)], _needs_tuple),
        "description": _lookup([lang, template, industry, area, n1 + 1, n2 + 1],
                               [2, 12, len(_INDUSTRIES), 2, n_needs, n_needs], _description),
        "environment_conscious": _masked(environment, missing["environment_conscious"]),
        "seeking_location": _masked(seeking, missing["seeking_location"]),
    }


# --- public API ------------------------------------------------------------------------------------

def _check(n: Any, profile: Any, seed: Any) -> None:
    check_int("n", n, high=MAX_FIRMS)
    check_choice("profile", profile, PROFILES)
    check_int("seed", seed, low=0)


def synth_firm_chunks(n: int, profile: str = "mixed", seed: int = 0) -> Iterator[dict[str, Any]]:
    """The columns of ``n`` synthetic firms, in blocks of at most :data:`BLOCK_SIZE` firms.

    Parameters
    ----------
    n : int
        How many firms, at least 1.
    profile : {"ota", "higashiosaka", "mixed"}
        Which area's firms; ``mixed`` mixes them in the survey's proportions (507:691).
    seed : int
        A non-negative seed; the same seed gives the same firms.

    Yields
    ------
    dict
        Column name (:data:`FIRM_FIELDS`) to array, as in :func:`synth_firm_table`.

    Examples
    --------
    >>> [len(c["id"]) for c in synth_firm_chunks(BLOCK_SIZE + 5, "ota", seed=1)]
    [65536, 5]
    """
    _check(n, profile, seed)
    for block in range(-(-int(n) // BLOCK_SIZE)):
        yield _block(profile, int(seed), block, min(BLOCK_SIZE, int(n) - block * BLOCK_SIZE))


def synth_firm_table(n: int, profile: str = "mixed", seed: int = 0) -> dict[str, Any]:
    """Column arrays of ``n`` synthetic firms, drawn with vectorized numpy (1-2 s per million).

    Parameters
    ----------
    n : int
        How many firms, at least 1.
    profile : {"ota", "higashiosaka", "mixed"}
        Which area's firms; ``mixed`` mixes them in the survey's proportions (507:691).
    seed : int
        A non-negative seed; the same seed gives the same firms.

    Returns
    -------
    dict
        One entry per field of :data:`FIRM_FIELDS`. ``id`` is a fixed-width unicode array;
        the other texts (``name``, ``prefecture``, ``municipality``, ``industry``,
        ``description``) and ``needs`` (tuples of need ids) are object arrays; ``employees`` and ``capital_jpy`` (int64), ``founded`` (datetime64[D]),
        ``environment_conscious`` and ``seeking_location`` (bool) are masked arrays whose mask
        marks a missing fact.

    Examples
    --------
    >>> t = synth_firm_table(1000, "higashiosaka", seed=3)
    >>> sorted(set(t["municipality"])), round(float(t["capital_jpy"].mean()), -6) > 10e6
    (['272272'], True)
    >>> t["id"][:2].tolist(), t["capital_jpy"][:3].tolist()
    (['firm-000000001', 'firm-000000002'], [8000000, 74000000, 10000000])
    """
    chunks = list(synth_firm_chunks(n, profile, seed))
    if len(chunks) == 1:
        return chunks[0]
    out: dict[str, Any] = {}
    for k in FIRM_FIELDS:
        parts = [c[k] for c in chunks]
        out[k] = np.ma.concatenate(parts) if isinstance(parts[0], np.ma.MaskedArray) else np.concatenate(parts)
    return out


def _rows(table: dict[str, Any]) -> Iterator[dict[str, Any]]:
    cols = {k: table[k].tolist() for k in FIRM_FIELDS}
    cols["founded"] = [None if d is None else d.isoformat() for d in cols["founded"]]
    cols["needs"] = [list(x) for x in cols["needs"]]
    for values in zip(*(cols[k] for k in FIRM_FIELDS)):
        yield dict(zip(FIRM_FIELDS, values))


def synth_firms(n: int, profile: str = "mixed", seed: int = 0) -> Iterator[dict[str, Any]]:
    """Stream ``n`` synthetic firms as dicts of :class:`~profiles.models.CompanyProfile` fields.

    The firms are those of :func:`synth_firm_table` with the same arguments, made one
    block at a time. A missing fact is ``None``; ``founded`` is an ISO date string and
    ``needs`` a list of need ids.

    Parameters
    ----------
    n : int
        How many firms, at least 1.
    profile : {"ota", "higashiosaka", "mixed"}
        Which area's firms; ``mixed`` mixes them in the survey's proportions (507:691).
    seed : int
        A non-negative seed; the same seed gives the same firms.

    Examples
    --------
    >>> from profiles.models import CompanyProfile
    >>> firm = next(synth_firms(1, "ota", seed=0))
    >>> CompanyProfile.model_validate(firm).municipality
    '131113'
    >>> next(synth_firms(0))
    Traceback (most recent call last):
    ...
    matcher.errors.ParameterError: n must be an integer from 1 to 999,999,999, got 0
    """
    _check(n, profile, seed)
    for chunk in synth_firm_chunks(n, profile, seed):
        yield from _rows(chunk)


def firm_table_to_arrow(table: dict[str, Any]):
    """A :class:`pyarrow.Table` of the columns of :func:`synth_firm_table` (needs pyarrow).

    ``needs`` becomes a list of strings, ``founded`` a date, missing facts nulls.

    Examples
    --------
    >>> pa = __import__("pytest").importorskip("pyarrow")
    >>> firm_table_to_arrow(synth_firm_table(10, seed=1)).schema.field("needs").type
    ListType(list<item: string>)
    """
    try:
        import pyarrow as pa
    except ImportError:
        raise ModuleNotFoundError("writing Arrow or Parquet needs the package pyarrow, which is not installed "
                                  "(pip install pyarrow)") from None
    arrays = {}
    for k in FIRM_FIELDS:
        col = table[k]
        if k == "needs":
            arrays[k] = _shared_objects(pa, col, pa.list_(pa.string()))
        elif isinstance(col, np.ma.MaskedArray):
            arrays[k] = pa.array(np.ma.getdata(col), mask=np.ma.getmaskarray(col),
                                 type=pa.date32() if k == "founded" else None)
        elif col.dtype.kind == "U":
            arrays[k] = _fixed_width_strings(pa, col)
        elif k in ("name", "description"):
            arrays[k] = _shared_objects(pa, col, pa.string())
        else:
            arrays[k] = pa.array(col, type=pa.string())
    return pa.table(arrays)


def _shared_objects(pa, col: np.ndarray, type_):
    """A pyarrow array of an object array whose values are mostly shared objects.

    Each distinct object (by identity: the generator reuses one object per distinct text
    or tuple) is converted once, then taken, which is far faster than converting every row.
    """
    ident = np.fromiter(map(id, col), dtype=np.int64, count=len(col))
    _, first, inverse = np.unique(ident, return_index=True, return_inverse=True)
    return pa.array(list(col[first]), type=type_).take(pa.array(inverse.reshape(-1).astype(np.int32)))


def _fixed_width_strings(pa, col: np.ndarray):
    """A pyarrow string array from a fixed-width ASCII unicode array, without a Python loop."""
    width = col.dtype.itemsize // 4
    chars = np.ascontiguousarray(col).view(np.uint32).reshape(len(col), width)
    if len(col) == 0 or chars.max() >= 128 or (chars == 0).any():
        return pa.array(col.astype(object), type=pa.string())
    offsets = np.arange(len(col) + 1, dtype=np.int32) * width
    return pa.StringArray.from_buffers(len(col), pa.py_buffer(offsets), pa.py_buffer(chars.astype(np.uint8)))
