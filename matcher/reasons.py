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

__all__ = ["LANGUAGES", "check_lang", "say", "with_article", "kind_label", "field_label", "factor_label", "fact_label"]

#: The languages reasons are written in.
LANGUAGES = ("en", "ja")


def check_lang(lang: Any) -> str:
    """``lang`` if it is one of :data:`LANGUAGES`, else a :class:`~matcher.errors.ParameterError` saying what was expected."""
    return check_choice("lang", lang, LANGUAGES)


def with_article(phrase: str) -> str:
    """``phrase`` after "a" or "an", as it is spoken: "an" before a vowel sound.

    >>> with_article("interest subsidy"), with_article("export support"), with_article("loan")
    ('an interest subsidy', 'an export support', 'a loan')
    >>> with_article("SME"), with_article("university-industry link"), with_article("hour")
    ('an SME', 'a university-industry link', 'an hour')
    >>> with_article("R&D"), with_article("TAMA")
    ('an R&D', 'a TAMA')
    """
    word = phrase.split(maxsplit=1)[0] if phrase.strip() else ""
    if word.isupper() and 1 < len(word) <= 3:  # an initialism, read letter by letter: an SME, an R&D
        an = word[0] in "AEFHILMNORSX"
    else:
        low = word.lower()
        an = low[:1] in tuple("aeiou") and not low.startswith(("uni", "use", "usu", "eu", "one")) \
            or low.startswith(("hour", "honest", "honou", "honor", "heir"))
    return f"{'an' if an else 'a'} {phrase}"


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
