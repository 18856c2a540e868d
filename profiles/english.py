"""English words the engine's explanations share: the article before a noun phrase."""

from __future__ import annotations

__all__ = ["with_article"]


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
