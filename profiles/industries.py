"""Industries: the Japan Standard Industrial Classification (JSIC, Rev. 13, 2013).

A firm's industry is a division letter ("E" manufacturing) or a major group ("E24"
fabricated metal products); common English and Japanese words are accepted:

>>> resolve_industry("metalworking").code, resolve_industry("E24").name_en
('E24', 'fabricated metal products')
>>> resolve_industry("24").code, resolve_industry("製造業").code, resolve_industry("software").code
('E24', 'E', 'G39')
>>> division_of("E24")
'E'
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from profiles.errors import UnknownValueError

__all__ = ["Industry", "DIVISIONS", "MAJOR_GROUPS", "resolve_industry", "division_of",
           "all_divisions", "all_major_groups", "industry_label"]

#: JSIC Rev. 13 divisions: letter → (English, Japanese).
DIVISIONS: dict[str, tuple[str, str]] = {
    "A": ("agriculture and forestry", "農業，林業"),
    "B": ("fisheries", "漁業"),
    "C": ("mining and quarrying of stone and gravel", "鉱業，採石業，砂利採取業"),
    "D": ("construction", "建設業"),
    "E": ("manufacturing", "製造業"),
    "F": ("electricity, gas, heat supply and water", "電気・ガス・熱供給・水道業"),
    "G": ("information and communications", "情報通信業"),
    "H": ("transport and postal activities", "運輸業，郵便業"),
    "I": ("wholesale and retail trade", "卸売業，小売業"),
    "J": ("finance and insurance", "金融業，保険業"),
    "K": ("real estate and goods rental and leasing", "不動産業，物品賃貸業"),
    "L": ("scientific research, professional and technical services", "学術研究，専門・技術サービス業"),
    "M": ("accommodations, eating and drinking services", "宿泊業，飲食サービス業"),
    "N": ("living-related and personal services and amusement services", "生活関連サービス業，娯楽業"),
    "O": ("education, learning support", "教育，学習支援業"),
    "P": ("medical, health care and welfare", "医療，福祉"),
    "Q": ("compound services", "複合サービス事業"),
    "R": ("services, n.e.c.", "サービス業（他に分類されないもの）"),
    "S": ("government, except elsewhere classified", "公務（他に分類されるものを除く）"),
    "T": ("industries unable to classify", "分類不能の産業"),
}

#: JSIC Rev. 13 major groups: code → (English, Japanese).
MAJOR_GROUPS: dict[str, tuple[str, str]] = {
    "A01": ("agriculture", "農業"), "A02": ("forestry", "林業"),
    "B03": ("fisheries, except aquaculture", "漁業"), "B04": ("aquaculture", "水産養殖業"),
    "C05": ("mining and quarrying of stone and gravel", "鉱業，採石業，砂利採取業"),
    "D06": ("construction work, general including public and private construction work", "総合工事業"),
    "D07": ("construction work by specialist contractor", "職別工事業"),
    "D08": ("equipment installation work", "設備工事業"),
    "E09": ("food", "食料品製造業"), "E10": ("beverages, tobacco and feed", "飲料・たばこ・飼料製造業"),
    "E11": ("textile mill products", "繊維工業"), "E12": ("lumber and wood products", "木材・木製品製造業"),
    "E13": ("furniture and fixtures", "家具・装備品製造業"), "E14": ("pulp, paper and paper products", "パルプ・紙・紙加工品製造業"),
    "E15": ("printing and allied industries", "印刷・同関連業"), "E16": ("chemical and allied products", "化学工業"),
    "E17": ("petroleum and coal products", "石油製品・石炭製品製造業"),
    "E18": ("plastic products", "プラスチック製品製造業"), "E19": ("rubber products", "ゴム製品製造業"),
    "E20": ("leather tanning, leather products and fur skins", "なめし革・同製品・毛皮製造業"),
    "E21": ("ceramic, stone and clay products", "窯業・土石製品製造業"), "E22": ("iron and steel", "鉄鋼業"),
    "E23": ("non-ferrous metals and products", "非鉄金属製造業"),
    "E24": ("fabricated metal products", "金属製品製造業"),
    "E25": ("general-purpose machinery and equipment", "はん用機械器具製造業"),
    "E26": ("production machinery and equipment", "生産用機械器具製造業"),
    "E27": ("business oriented machinery and equipment", "業務用機械器具製造業"),
    "E28": ("electronic parts, devices and electronic circuits", "電子部品・デバイス・電子回路製造業"),
    "E29": ("electrical machinery, equipment and supplies", "電気機械器具製造業"),
    "E30": ("information and communication electronics equipment", "情報通信機械器具製造業"),
    "E31": ("transportation equipment", "輸送用機械器具製造業"),
    "E32": ("miscellaneous manufacturing industries", "その他の製造業"),
    "F33": ("production, transmission and distribution of electricity", "電気業"), "F34": ("production and distribution of gas", "ガス業"),
    "F35": ("heat supply", "熱供給業"), "F36": ("collection, purification and distribution of water", "水道業"),
    "G37": ("communications", "通信業"), "G38": ("broadcasting", "放送業"), "G39": ("information services", "情報サービス業"),
    "G40": ("internet based services", "インターネット附随サービス業"),
    "G41": ("video picture, sound information, character information production and distribution", "映像・音声・文字情報制作業"),
    "H42": ("railway transport", "鉄道業"), "H43": ("road passenger transport", "道路旅客運送業"),
    "H44": ("road freight transport", "道路貨物運送業"), "H45": ("water transport", "水運業"), "H46": ("air transport", "航空運輸業"),
    "H47": ("warehousing", "倉庫業"), "H48": ("services incidental to transport", "運輸に附帯するサービス業"),
    "H49": ("postal activities, including mail delivery", "郵便業"),
    "I50": ("wholesale trade, general merchandise", "各種商品卸売業"), "I51": ("textile and apparel wholesale", "繊維・衣服等卸売業"),
    "I52": ("food and beverages wholesale", "飲食料品卸売業"),
    "I53": ("building materials, minerals and metals wholesale", "建築材料，鉱物・金属材料等卸売業"),
    "I54": ("machinery and equipment wholesale", "機械器具卸売業"), "I55": ("miscellaneous wholesale trade", "その他の卸売業"),
    "I56": ("retail trade, general merchandise", "各種商品小売業"), "I57": ("woven fabric, apparel and accessories retail", "織物・衣服・身の回り品小売業"),
    "I58": ("food and beverage retail", "飲食料品小売業"), "I59": ("machinery and equipment retail", "機械器具小売業"),
    "I60": ("miscellaneous retail trade", "その他の小売業"), "I61": ("nonstore retailers", "無店舗小売業"),
    "J62": ("banking", "銀行業"), "J63": ("financial institutions for cooperative organizations", "協同組織金融業"),
    "J64": ("non-deposit money corporations", "貸金業，クレジットカード業等非預金信用機関"),
    "J65": ("financial products transaction dealers", "金融商品取引業，商品先物取引業"),
    "J66": ("financial auxiliaries", "補助的金融業等"), "J67": ("insurance", "保険業"),
    "K68": ("real estate agencies", "不動産取引業"), "K69": ("real estate lessors and managers", "不動産賃貸業・管理業"),
    "K70": ("goods rental and leasing", "物品賃貸業"),
    "L71": ("scientific and development research institutes", "学術・開発研究機関"),
    "L72": ("professional services", "専門サービス業"), "L73": ("advertising", "広告業"),
    "L74": ("technical services", "技術サービス業"),
    "M75": ("accommodations", "宿泊業"), "M76": ("eating and drinking places", "飲食店"),
    "M77": ("food take out and delivery services", "持ち帰り・配達飲食サービス業"),
    "N78": ("laundry, beauty and bath services", "洗濯・理容・美容・浴場業"),
    "N79": ("miscellaneous living-related and personal services", "その他の生活関連サービス業"),
    "N80": ("services for amusement and hobbies", "娯楽業"),
    "O81": ("school education", "学校教育"), "O82": ("miscellaneous education, learning support", "その他の教育，学習支援業"),
    "P83": ("medical and other health services", "医療業"), "P84": ("public health and hygiene", "保健衛生"),
    "P85": ("social insurance, social welfare and care services", "社会保険・社会福祉・介護事業"),
    "Q86": ("postal offices", "郵便局"), "Q87": ("cooperative associations", "協同組合"),
    "R88": ("waste disposal business", "廃棄物処理業"), "R89": ("automobile maintenance services", "自動車整備業"),
    "R90": ("machine, etc. repair services", "機械等修理業"),
    "R91": ("employment and worker dispatching services", "職業紹介・労働者派遣業"),
    "R92": ("miscellaneous business services", "その他の事業サービス業"),
    "R93": ("political, business and cultural organizations", "政治・経済・文化団体"), "R94": ("religion", "宗教"),
    "R95": ("miscellaneous services", "その他のサービス業"),
    "S97": ("national government services", "国家公務"), "S98": ("local government services", "地方公務"),
    "T99": ("industries unable to classify", "分類不能の産業"),
}

#: Common words for industries (English and Japanese) → JSIC code.
_NAMES: dict[str, tuple[str, str]] = {**DIVISIONS, **MAJOR_GROUPS}

COMMON_NAMES: dict[str, str] = {
    "manufacturing": "E", "manufacturer": "E", "monozukuri": "E", "ものづくり": "E",
    "metalworking": "E24", "metal working": "E24", "metalware": "E24", "metal products": "E24",
    "metal press": "E24", "press work": "E24", "metal": "E24", "金属加工": "E24", "プレス加工": "E24",
    "plastics": "E18", "plastic": "E18", "rubber": "E19", "plastics and rubber": "E18",
    "machinery": "E26", "general machinery": "E25", "production machinery": "E26",
    "machine tools": "E26", "machinery and tools": "E26", "機械": "E26",
    "electrical machinery": "E29", "electric machinery": "E29", "electrical": "E29", "電機": "E29",
    "electronics": "E28", "electronic parts": "E28", "semiconductors": "E28", "電子部品": "E28",
    "automotive": "E31", "auto parts": "E31", "transport equipment": "E31", "自動車部品": "E31",
    "food processing": "E09", "food": "E09", "食品": "E09", "printing": "E15", "印刷": "E15",
    "chemicals": "E16", "chemical": "E16", "pharmaceuticals": "E16", "化学": "E16",
    "textiles": "E11", "apparel": "E11", "繊維": "E11", "steel": "E22", "鉄鋼": "E22",
    "precision instruments": "E27", "medical devices": "E27", "医療機器": "E27",
    "construction": "D", "建設": "D", "transport": "H", "logistics": "H44", "運輸": "H", "物流": "H44",
    "wholesale": "I", "retail": "I", "trade": "I", "卸売": "I", "小売": "I",
    "software": "G39", "it": "G39", "information technology": "G39", "ict": "G39",
    "information services": "G39", "it services": "G39", "ソフトウェア": "G39", "情報サービス": "G39",
    "internet": "G40", "web services": "G40", "telecommunications": "G37", "通信": "G37",
    "content": "G41", "media": "G41", "information and communications": "G", "情報通信": "G",
    "research": "L71", "r&d": "L71", "biotech": "L71", "biotechnology": "L71", "バイオ": "L71",
    "design": "L72", "consulting": "L72", "advertising": "L73", "engineering services": "L74",
    "medical": "P83", "healthcare": "P83", "health care": "P83", "医療": "P83", "welfare": "P85", "福祉": "P85",
    "restaurant": "M76", "restaurants": "M76", "飲食": "M76", "hotel": "M75", "hotels": "M75",
    "real estate": "K", "不動産": "K", "finance": "J", "金融": "J", "agriculture": "A01", "農業": "A01",
    "education": "O", "教育": "O", "services": "R", "サービス": "R",
    # Japanese words as registers write them (JSIC minor-group names and common trade names).
    "ソフトウェア業": "G39", "受託開発ソフトウェア業": "G39", "パッケージソフトウェア業": "G39",
    "情報処理サービス業": "G39", "情報処理・提供サービス業": "G39", "システム開発": "G39", "出版業": "G41",
    "卸売・小売業": "I", "卸売業": "I", "小売業": "I", "通信販売": "I61", "ネット通販": "I61",
    "コンビニエンスストア": "I58", "ガソリンスタンド": "I60", "調剤薬局": "I60",
    "土木工事業": "D06", "建築工事業": "D06", "工務店": "D06", "大工工事業": "D07", "塗装工事業": "D07",
    "内装工事業": "D07", "電気工事業": "D08", "管工事業": "D08", "金型": "E26", "めっき": "E24", "板金": "E24",
    "菓子製造業": "E09", "パン製造業": "E09", "酒類製造業": "E10", "印刷業": "E15",
    "一般貨物自動車運送業": "H44", "貨物運送業": "H44", "トラック運送": "H44", "タクシー業": "H43",
    "広告代理業": "L73", "デザイン業": "L72", "経営コンサルタント業": "L72", "税理士事務所": "L72",
    "公認会計士事務所": "L72", "行政書士事務所": "L72", "司法書士事務所": "L72", "社会保険労務士事務所": "L72",
    "法律事務所": "L72", "建築設計業": "L74", "設計事務所": "L74", "機械設計業": "L74", "写真業": "L74",
    "飲食業": "M76", "レストラン": "M76", "食堂": "M76", "喫茶店": "M76", "居酒屋": "M76",
    "旅館": "M75", "ホテル": "M75", "美容業": "N78", "美容室": "N78", "理容業": "N78", "理容室": "N78",
    "クリーニング業": "N78", "旅行業": "N79", "冠婚葬祭業": "N79", "学習塾": "O82",
    "病院": "P83", "診療所": "P83", "クリニック": "P83", "歯科診療所": "P83", "介護": "P85",
    "介護事業": "P85", "保育所": "P85", "産業廃棄物処理業": "R88", "労働者派遣業": "R91", "人材派遣": "R91",
    "警備業": "R92", "ビルメンテナンス業": "R92",
}


@dataclass(frozen=True)
class Industry:
    """A JSIC division or major group."""

    code: str
    name_en: str
    name_ja: str

    @property
    def division(self) -> str:
        return self.code[0]


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip().lower().replace("_", " ").replace("-", " ")


@lru_cache(maxsize=1)
def _lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for code, (en, ja) in {**DIVISIONS, **MAJOR_GROUPS}.items():
        for alias in (code, en, ja):
            table.setdefault(_key(alias), code)
        if len(code) == 3:
            table.setdefault(code[1:], code)
    for word, code in COMMON_NAMES.items():
        table.setdefault(_key(word), code)
    return table


def resolve_industry(value: str, field: str = "industry") -> Industry:
    """The JSIC division or major group for a code or a common word.

    Raises :class:`~profiles.errors.UnknownValueError` naming the closest ones.
    """
    found = _resolved(value) if isinstance(value, str) else None
    if found is not None:
        return found
    key = _key(value)
    code = _lookup().get(key)
    if code is None:
        close = difflib.get_close_matches(key, list(_lookup()), n=5, cutoff=0.7)
        cands = list(dict.fromkeys(f"{_lookup()[c]} ({c})" for c in close))
        raise UnknownValueError(field, value, "unknown industry: give a JSIC division letter (E), a major group "
                                              "(E24) or a common name (manufacturing, software)", cands)
    en, ja = _NAMES[code]
    return Industry(code, en, ja)


@lru_cache(maxsize=4096)
def _resolved(value: str) -> "Industry | None":
    code = _lookup().get(_key(value))
    if code is None:
        return None
    en, ja = _NAMES[code]
    return Industry(code, en, ja)


def industry_label(code: str) -> str:
    """``"E24 fabricated metal products"``."""
    en, _ = _NAMES[code]
    return f"{code} {en}"


def division_of(code: str) -> str:
    """The division letter of a code."""
    return code[0]


@lru_cache(maxsize=1)
def all_divisions() -> tuple[str, ...]:
    """Every division letter, A to T."""
    return tuple(DIVISIONS)


@lru_cache(maxsize=1)
def all_major_groups() -> tuple[str, ...]:
    """Every major group code, A01 to T99."""
    return tuple(MAJOR_GROUPS)
