"""The controlled vocabulary of needs a firm can state and a program can serve.

Each need has a canonical id, English and Japanese labels and synonyms, so that a
coordinator can type "展示会" or "exhibition" and get ``trade_fair``.
"""

from __future__ import annotations

import difflib
import functools
import unicodedata
from dataclasses import dataclass

from profiles.errors import UnknownValueError

__all__ = ["Need", "NEEDS", "need_ids", "resolve_need", "resolve_needs", "needs_in_text"]


@dataclass(frozen=True)
class Need:
    """One need: canonical ``id``, labels, and the synonyms that resolve to it."""

    id: str
    label_en: str
    label_ja: str
    synonyms: tuple[str, ...] = ()


NEEDS: tuple[Need, ...] = (
    Need("financing", "financing", "資金調達・融資",
         ("finance", "loan", "loans", "funding", "working capital", "capex", "融資", "資金", "資金調達", "金融", "利子補給", "借入")),
    Need("subsidy", "subsidies and grants", "補助金・助成金",
         ("subsidies", "grant", "grants", "補助金", "助成金", "助成", "補助")),
    Need("training", "training and seminars", "研修・セミナー",
         ("employee training", "seminar", "seminars", "education", "研修", "人材育成", "教育", "セミナー", "講習")),
    Need("it_adoption", "IT adoption", "IT導入・情報化",
         ("it", "digitalization", "digitalisation", "digital", "ict", "it investment", "IT導入", "IT化", "デジタル化", "情報化", "IT投資")),
    Need("website", "website", "ホームページ",
         ("homepage", "web site", "web", "web page", "ホームページ", "ウェブサイト", "HP作成", "サイト")),
    Need("marketing", "marketing and sales channels", "販路開拓",
         ("sales", "sales channels", "promotion", "販路開拓", "販路拡大", "マーケティング", "販売促進")),
    Need("trade_fair", "trade fairs and exhibitions", "展示会・見本市",
         ("trade fair", "trade fairs", "trade show", "exhibition", "exhibitions", "expo", "展示会", "見本市", "出展")),
    Need("consulting", "management consulting", "経営相談",
         ("consultation", "advice", "management consulting", "diagnosis", "management diagnosis", "相談", "経営相談", "コンサルティング", "経営診断")),
    Need("technical_support", "technical support", "技術支援",
         ("technical advice", "technical consulting", "technology", "技術支援", "技術相談", "技術指導")),
    Need("business_matching", "business matching and orders", "ビジネスマッチング・受発注",
         ("matching", "tie-up", "tie-ups", "orders", "subcontracting", "商談", "ビジネスマッチング", "取引拡大", "受発注", "業務提携")),
    Need("academia_collaboration", "collaboration with universities", "産学連携",
         ("industry-academia", "university", "universities", "university collaboration", "産学連携", "産学官連携", "大学連携")),
    Need("r_and_d", "research and development", "研究開発",
         ("r&d", "rnd", "research", "product development", "new product", "研究開発", "新製品開発", "技術開発", "製品開発")),
    Need("site", "a business site", "立地・用地",
         ("location", "factory site", "land", "vacant factory", "relocation", "立地", "用地", "工場用地", "空き工場", "空き地")),
    Need("export", "export and overseas markets", "海外展開・輸出",
         ("overseas", "international", "trade", "海外展開", "輸出", "貿易", "海外")),
    Need("startup", "starting a business", "創業・起業",
         ("start-up", "start up", "founding", "new business", "venture", "創業", "起業", "ベンチャー", "新規開業")),
    Need("networking", "networking with other firms", "交流・ネットワーク",
         ("network", "exchange", "association", "cluster", "交流", "ネットワーク", "異業種交流")),
    Need("publicity", "publicity", "広報・PR",
         ("pr", "advertising", "media", "広報", "PR", "宣伝")),
    Need("human_resources", "human resources and hiring", "人材確保",
         ("hr", "hiring", "recruitment", "staff", "人材", "採用", "人材確保")),
    Need("tax_relief", "tax relief", "税制優遇",
         ("tax", "tax incentive", "tax incentives", "税制優遇", "減税", "固定資産税")),
)

_BY_KEY: dict[str, str] = {}


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip().lower()
    return text.replace("-", " ").replace("_", " ")


for _need in NEEDS:
    for _word in (_need.id, _need.label_en, _need.label_ja, *_need.synonyms):
        _BY_KEY.setdefault(_key(_word), _need.id)


#: More words registers write in a needs column, resolved like the synonyms above but not
#: looked for in descriptions by :func:`needs_in_text` (too general to mark a need in free text).
WORDS_JA: dict[str, str] = {
    "運転資金": "financing", "設備資金": "financing", "資金繰り": "financing", "借入れ": "financing",
    "融資制度": "financing", "補助金申請": "subsidy", "助成金申請": "subsidy", "給付金": "subsidy",
    "社員教育": "training", "社員研修": "training", "従業員研修": "training",
    "DX": "it_adoption", "デジタル": "it_adoption", "IT活用": "it_adoption", "ITツール": "it_adoption",
    "システム導入": "it_adoption", "HP": "website", "ホームページ作成": "website", "ホームページ制作": "website",
    "ウェブ": "website", "ウェブサイト作成": "website", "販路": "marketing", "販売": "marketing",
    "顧客開拓": "marketing", "新規顧客開拓": "marketing", "営業": "marketing", "ネット販売": "marketing",
    "展示": "trade_fair", "商談会": "business_matching", "マッチング": "business_matching",
    "受注拡大": "business_matching", "経営改善": "consulting", "事業計画": "consulting", "経営計画": "consulting",
    "経営支援": "consulting", "専門家相談": "consulting", "技術": "technical_support",
    "大学": "academia_collaboration", "共同研究": "academia_collaboration", "産学": "academia_collaboration",
    "研究": "r_and_d", "試作": "r_and_d", "試作開発": "r_and_d", "商品開発": "r_and_d", "新商品開発": "r_and_d",
    "移転": "site", "工場移転": "site", "事業用地": "site", "空き店舗": "site", "物件探し": "site",
    "海外進出": "export", "海外販路": "export", "輸出入": "export", "国際展開": "export",
    "開業": "startup", "創業支援": "startup", "起業支援": "startup", "第二創業": "startup",
    "交流会": "networking", "人脈": "networking", "広告": "publicity", "プレスリリース": "publicity",
    "求人": "human_resources", "雇用": "human_resources", "人手不足": "human_resources",
    "人材採用": "human_resources", "採用活動": "human_resources",
    "税": "tax_relief", "税金": "tax_relief", "税制": "tax_relief", "節税": "tax_relief", "優遇税制": "tax_relief",
}
for _word, _id in WORDS_JA.items():
    _BY_KEY.setdefault(_key(_word), _id)

#: Every need id and normalized word, as given: each resolves to what _BY_KEY[_key(value)] gives.
_EXACT: dict[str, str] = {**_BY_KEY, **{n.id: n.id for n in NEEDS}}


def need_ids() -> tuple[str, ...]:
    """The canonical need ids, in vocabulary order.

    >>> need_ids()[:3]
    ('financing', 'subsidy', 'training')
    """
    return tuple(n.id for n in NEEDS)


def resolve_need(value: str, field: str = "needs") -> str:
    """Return the canonical need id for an English or Japanese word.

    Raises :class:`~profiles.errors.UnknownValueError` naming the closest valid ids.

    >>> resolve_need("展示会")
    'trade_fair'
    >>> resolve_need("Trade Fair")
    'trade_fair'
    >>> resolve_need("trade_fare")
    Traceback (most recent call last):
    ...
    profiles.errors.UnknownValueError: needs: unknown need, got 'trade_fare' (did you mean: trade_fair?)
    """
    found = _EXACT.get(value) if isinstance(value, str) else None  # ids and normalized words: no work
    if found is not None:
        return found
    if not isinstance(value, str):
        raise UnknownValueError(field, value, "a need must be a string")
    found = _BY_KEY.get(_key(value))
    if found is not None:
        return found
    close = difflib.get_close_matches(_key(value), list(_BY_KEY), n=5, cutoff=0.75)
    ids = list(dict.fromkeys(_BY_KEY[c] for c in close))
    raise UnknownValueError(field, value, "unknown need", ids or list(need_ids()))


def resolve_needs(values, field: str = "needs") -> tuple[str, ...]:
    """Resolve a list of needs (or one comma-separated string), keeping order, dropping repeats.

    >>> resolve_needs("trade fair, 融資")
    ('trade_fair', 'financing')
    """
    if values is None:
        return ()
    if isinstance(values, str):
        values = [v for v in values.replace("、", ",").split(",") if v.strip()]
    elif not isinstance(values, (list, tuple, set, frozenset)):
        raise UnknownValueError(field, values, "needs must be a list of needs or one comma-separated string")
    exact = [_EXACT.get(v) if isinstance(v, str) else None for v in values]
    if None not in exact:  # ids and normalized words only (a batch's every row): no field names to build
        return tuple(dict.fromkeys(exact))
    out: list[str] = []
    for i, v in enumerate(values):
        nid = resolve_need(v, f"{field}[{i}]")
        if nid not in out:
            out.append(nid)
    return tuple(out)


_GENERIC = {"technology", "research", "association", "exchange", "international", "promotion",
            "location", "education", "digital", "network", "matching", "orders", "funding", "trade",
            "media", "sales", "staff"}


def _detectors() -> list[tuple[str, list[tuple[str, str, object]]]]:
    """Per need, its words: (word shown, text to look for, regular expression or None).

    A substring test comes first (fast, in C); English words then need the whole-word
    regular expression, Japanese ones are plain substrings.
    """
    import re

    out = []
    for need in NEEDS:
        words = []
        for word in (need.label_ja, *need.synonyms):
            key = _key(word)
            if key.isascii():
                if len(key) < 5 or key in _GENERIC:
                    continue
                words.append((word, key, re.compile(rf"\b{re.escape(key)}s?\b")))
            elif len(key) >= 2:
                words.append((word, key, None))
        out.append((need.id, words))
    return out


_DETECTORS: list | None = None


def needs_in_text(text: str | None) -> dict[str, str]:
    """Needs mentioned in a free-text description, each with the word that showed it.

    Short or generic English words ("it", "web", "research") are not used, to avoid
    false hits; Japanese words of two characters or more are. For each need, the
    first of its words (in vocabulary order) found in the text is the one shown.

    >>> needs_in_text("金属プレス加工。展示会に出展して販路開拓をしたい")
    {'marketing': '販路開拓', 'trade_fair': '展示会'}
    >>> needs_in_text("We want to exhibit at a trade fair and find a factory site")
    {'trade_fair': 'trade fair', 'site': 'factory site'}
    """
    if not text:
        return {}
    return dict(_needs_in_key(_key(text)))


@functools.lru_cache(maxsize=65536)
def _needs_in_key(key: str) -> tuple[tuple[str, str], ...]:
    global _DETECTORS
    if _DETECTORS is None:
        _DETECTORS = _detectors()
    found = []
    for nid, words in _DETECTORS:  # needs in vocabulary order
        for word, needle, rx in words:
            if needle in key and (rx is None or rx.search(key)):
                found.append((nid, word))
                break
    return tuple(found)
