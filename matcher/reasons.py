"""The words of the reasons, in English or Japanese (``matcher/data/reasons.yaml``).

>>> say("needs", "ja", needs="展示会・見本市")
'企業のニーズに対応: 展示会・見本市'
>>> kind_label("interest_subsidy", "en"), kind_label("interest_subsidy", "ja")
('interest subsidy', '利子補給')
"""

from __future__ import annotations

from typing import Any

from matcher._validation import check_choice
from matcher.weights import scoring_data
from profiles.english import with_article

__all__ = ["LANGUAGES", "check_lang", "say", "with_article", "kind_label", "field_label", "factor_label", "fact_label"]

#: The languages reasons are written in.
LANGUAGES = ("en", "ja")


def check_lang(lang: Any) -> str:
    """``lang`` if it is one of :data:`LANGUAGES`, else a :class:`~matcher.errors.ParameterError` saying what was expected."""
    return check_choice("lang", lang, LANGUAGES)




def say(key: str, lang: str, **values: Any) -> str:
    """The reason ``key`` in ``lang``, its placeholders filled with ``values``."""
    return scoring_data("reasons.yaml")["templates"][key][lang].format(**values)


def kind_label(kind: str, lang: str) -> str:
    """A program kind in words."""
    if lang == "ja":
        return scoring_data("reasons.yaml")["kinds_ja"].get(kind, kind.replace("_", " "))
    return kind.replace("_", " ")


def field_label(field: str, lang: str) -> str:
    """A Table 4 industry field in words."""
    if lang == "ja":
        return scoring_data("reasons.yaml")["fields_ja"].get(field, field)
    return field.replace("_", "/")


def factor_label(factor: str, english: str, lang: str) -> str:
    """An asset factor in words (``english``: its English words)."""
    return scoring_data("reasons.yaml")["factors_ja"].get(factor, english) if lang == "ja" else english


def fact_label(fact: str, lang: str) -> str:
    """A fact a rule may need, in words."""
    from rules.facts import FACT_LABELS

    if lang == "ja":
        return scoring_data("reasons.yaml")["facts_ja"].get(fact, fact)
    return FACT_LABELS.get(fact, fact)
