"""The words of rule explanations in English and Japanese, as data.

Every condition's :meth:`~rules.conditions.Condition.describe` and the rule sets' traces
take ``lang`` (``"en"`` or ``"ja"``) and fill these templates; the English ones are the
texts the engine always gave.

>>> phrase("located_in", "ja", where="東京都羽村市")
'所在地は東京都羽村市'
>>> fact_word("capital_jpy", "ja"), fact_word("capital_jpy", "en")
('資本金', 'capital')
"""

from __future__ import annotations

from typing import Any

__all__ = ["PHRASES", "FACT_WORDS_JA", "BASIS_JA", "REGIONS_JA", "fact_word", "phrase", "join"]

#: Template per key and language.
PHRASES: dict[str, dict[str, str]] = {
    "located_in": {"en": "located in {where}", "ja": "所在地は{where}"},
    "located_not_in": {"en": "located in {where}, not in {allowed}", "ja": "所在地は{where}で、対象の{allowed}ではない"},
    "municipality_unknown": {"en": "municipality not given: needed to check the location ({allowed})",
                             "ja": "市区町村が未入力: 所在地の確認に必要（対象: {allowed}）"},
    "pref_in": {"en": "located in {where} ({what})", "ja": "所在地は{where}（{what}）"},
    "pref_out": {"en": "located in {where}, outside {what}", "ja": "所在地は{where}で、{what}の外"},
    "pref_unknown": {"en": "prefecture not given: needed to check the location ({what})",
                     "ja": "都道府県が未入力: 所在地の確認に必要（{what}）"},
    "prefectures": {"en": "the programme's prefectures: {names}", "ja": "対象の都道府県: {names}"},
    "region": {"en": "the {names} region", "ja": "{names}地域"},
    "industry_unknown": {"en": "industry not given: the program is for {wanted}",
                         "ja": "業種が未入力: 対象は{wanted}"},
    "industry_in": {"en": "industry {label} is among {wanted}", "ja": "業種 {label} は対象（{wanted}）"},
    "industry_out": {"en": "industry {label} is not among {wanted}", "ja": "業種 {label} は対象外（対象: {wanted}）"},
    "industry_broad": {"en": "industry {label} is too broad: the program is for {wanted}",
                       "ja": "業種 {label} では判定できない: 対象は{wanted}"},
    "range_unknown": {"en": "{label} not given: must be {want}", "ja": "{label}が未入力: {want}であること"},
    "range_ok": {"en": "{label} {value} {want}", "ja": "{label} {value}（{want}）"},
    "range_bad": {"en": "{label} {value} {bad}", "ja": "{label} {value}（{bad}）"},
    "at_least": {"en": ">= {v}", "ja": "{v}以上"},
    "at_most": {"en": "<= {v}", "ja": "{v}以下"},
    "below": {"en": "< {v}", "ja": "{v}未満"},
    "above": {"en": "> {v}", "ja": "{v}超"},
    "and": {"en": " and ", "ja": "かつ"},
    "flag_yes": {"en": "{label}: yes", "ja": "{label}: はい"},
    "flag_no": {"en": "{label}: no, and the program requires it", "ja": "{label}: いいえ（この支援の要件）"},
    "flag_unknown": {"en": "{label} not given: the program requires it", "ja": "{label}が未入力: この支援の要件"},
    "is": {"en": "is {a} {title}", "ja": "{title}である"},
    "is_not": {"en": "is not {a} {title}", "ja": "{title}ではない"},
    "may_be": {"en": "may be {a} {title}", "ja": "{title}の可能性がある"},
    "category_unknown": {"en": "industry not given precisely: needed to pick the {title} thresholds (could be {cats})",
                         "ja": "業種が詳しくない: {title}の基準の判定に必要（{cats}のいずれか）"},
    "applicant_maybe_through": {"en": "paid to {names}: such a body may run it for firms; ask it how to apply",
                                "ja": "{names}への補助: 企業向けに実施している可能性あり（申請方法は実施機関に確認）"},
    "applicant_through": {"en": "run for firms by {body}: apply through them", "ja": "{body}が企業向けに実施: そちらを通じて申請"},
    "applicant_may": {"en": "{kind} may apply", "ja": "{kind}は申請できる"},
    "applicant_not_for": {"en": "only for {names}: not for {kind}", "ja": "対象は{names}のみ: {kind}は対象外"},
    "applicant_no_firm": {"en": "only for {names}: no firm may apply", "ja": "対象は{names}のみ: 企業は申請できない"},
    "applicant_business": {"en": "open to businesses ({names}); the firm's kind of applicant was not given",
                           "ja": "事業者向け（{names}）: 申請者の種類は未入力"},
    "applicant_unknown": {"en": "kind of applicant not given: the program is only for {names}",
                          "ja": "申請者の種類が未入力: 対象は{names}のみ"},
    "group_member": {"en": "for {groups}: the firm is one", "ja": "{groups}向け: 該当する"},
    "group_unknown": {"en": "for {groups}: say whether the firm is one", "ja": "{groups}向け: 該当するか未入力"},
    "group_outside": {"en": "for {groups}: the firm's industry ({industry}) is not theirs; name the group in "
                            "attributes if the firm is one",
                      "ja": "{groups}向け: 企業の業種（{industry}）は該当しない（該当する場合は属性に指定）"},
    "size_form": {"en": "{kind} is not {a_title} under the {basis}: its size test is for {forms} only",
                  "ja": "{kind}は{basis}の{title}に当たらない（対象は{forms}）"},
    "size_unknown": {"en": "{word} not given: needed for the {title} test", "ja": "{word}が未入力: {title}の判定に必要"},
    "size_test": {"en": "{word} {value} {sign} {bound} ({basis}, {cat})",
                  "ja": "{word} {value}（{basis}・{cat}の基準 {bound}{sign}）"},
    "open_on": {"en": "open on {day} ({span})", "ja": "{day}時点で受付中（{span}）"},
    "open_to_all": {"en": "no eligibility conditions: open to every firm", "ja": "対象条件なし: すべての企業が対象"},
    "more": {"en": " and {n} more", "ja": " ほか{n}件"},
    "sep": {"en": ", ", "ja": "、"},
    "rule": {"en": "{texts} (rule: {infix})", "ja": "{texts}（条件式: {infix}）"},
    "rule_holds": {"en": "rule {infix} holds", "ja": "条件式 {infix} を満たす"},
    "rule_fails": {"en": "rule {infix} does not hold", "ja": "条件式 {infix} を満たさない"},
    "rule_unknown": {"en": "rule {infix} cannot be decided", "ja": "条件式 {infix} は判定できない"},
    "not_given": {"en": "{facts} not given", "ja": "{facts}が未入力"},
    "closed": {"en": "closed", "ja": "受付終了"},
    "cited": {"en": "{text} (from {cited})", "ja": "{text}（出典: {cited}）"},
    "closed_since": {"en": "closed since {day}", "ja": "{day}に終了"},
    "opens_on": {"en": "opens on {day}", "ja": "{day}から実施"},
    "applications_open_on": {"en": "applications open on {day}", "ja": "{day}から申請受付"},
    "deadline_passed": {"en": "application deadline passed on {day}", "ja": "申請期限（{day}）を過ぎている"},
}

#: Japanese words of the facts a rule reads.
FACT_WORDS_JA: dict[str, str] = {
    "employees": "従業員数", "capital_jpy": "資本金", "years_in_business": "業歴", "industry": "業種",
    "division": "業種（大分類）", "prefecture": "都道府県", "municipality": "市区町村",
    "environment_conscious": "環境配慮", "seeking_location": "新たな立地の検討", "needs": "ニーズ",
}

#: Japanese names of the laws rule sets are based on.
BASIS_JA: dict[str, str] = {"SME Basic Act": "中小企業基本法"}

#: Japanese names of the regions programs name.
REGIONS_JA: dict[str, str] = {
    "hokkaido": "北海道", "tohoku": "東北", "kanto": "関東", "capital_region": "首都圏", "chubu": "中部",
    "hokuriku": "北陸", "tokai": "東海", "kinki": "近畿", "kansai": "関西", "chugoku": "中国", "shikoku": "四国",
    "kyushu": "九州", "okinawa": "沖縄", "kyushu_okinawa": "九州・沖縄",
}

_FACT_WORDS_EN = {"capital_jpy": "capital"}


def phrase(key: str, lang: str = "en", **values: Any) -> str:
    """The template ``key`` in ``lang`` (English when ``lang`` is not ``"ja"``), filled with ``values``."""
    return PHRASES[key]["ja" if lang == "ja" else "en"].format(**values)


def fact_word(fact: str, lang: str = "en") -> str:
    """A fact's short name in ``lang``."""
    if lang == "ja":
        return FACT_WORDS_JA.get(fact, fact)
    from rules.facts import FACT_LABELS

    return _FACT_WORDS_EN.get(fact) or FACT_LABELS.get(fact, fact).replace(" (¥)", "")


def join(items: list[str], lang: str = "en", limit: int = 4) -> str:
    """Items in a list, the first ``limit`` of them and how many more."""
    sep = phrase("sep", lang)
    if len(items) <= limit:
        return sep.join(items)
    return sep.join(items[:limit]) + phrase("more", lang, n=len(items) - limit)
