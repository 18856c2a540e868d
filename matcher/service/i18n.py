"""The language of a problem, and its messages in Japanese (:mod:`matcher.messages`).

A request asks for Japanese problem details with ``?lang=ja`` or ``Accept-Language: ja``
(the first language of the header wins, by its ``q``). Messages are translated by the
table kept as data, a regular expression of the English message per entry; a message
with no entry stays in English.

>>> translate("Input should be less than or equal to 100", "ja")
'100以下の値を指定してください'
>>> translate("unknown municipality in Tokyo", "ja")
'東京都にこの名前の自治体はありません'
>>> translate("body.file: this field is required", "ja")
'body.file: 必須の項目です'
>>> translate("unknown municipality in Tokyo", "en")
'unknown municipality in Tokyo'
>>> lang_of(b"lang=ja", {}), lang_of(b"", {"accept-language": "ja-JP,ja;q=0.9,en;q=0.8"}), lang_of(b"", {})
('ja', 'ja', 'en')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

from matcher.messages import title_in, translate
from profiles.errors import InputError
from profiles.geography import gazetteer

__all__ = ["LANGS", "lang_of", "lang_of_scope", "translate", "title_in", "candidates_of"]

LANGS = ("en", "ja")


def lang_of(query: bytes | str, headers: Mapping[str, str]) -> str:
    """The language a request asks for: ``lang`` in the query, else ``Accept-Language``, else English."""
    q = query.decode("latin-1") if isinstance(query, bytes) else query
    asked = parse_qs(q).get("lang", [])
    if asked and asked[-1] in LANGS:
        return asked[-1]
    best, best_q = "en", 0.0
    for part in (headers.get("accept-language") or "").split(","):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGS and weight > best_q:
            best, best_q = primary, weight
    return best


def lang_of_scope(scope: Mapping[str, Any]) -> str:
    """:func:`lang_of` for an ASGI scope."""
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", ())}
    return lang_of(scope.get("query_string", b""), headers)


def candidates_of(exc: InputError) -> list[dict[str, str]] | None:
    """The municipalities an ambiguous or unknown location could mean, each with its names in both
    languages: ``[{code, name, name_ja, label, label_ja}]`` (None when the candidates are not places)."""
    out = []
    gaz = gazetteer()
    for text in exc.candidates:
        code = str(text).split(" ", 1)[0]
        if not (len(code) == 6 and code.isdigit()):
            return None
        try:
            g = gaz.get(code)
        except Exception:  # a code the gazetteer does not hold: not a place candidate
            return None
        out.append({"code": g.code, "name": g.english, "name_ja": g.name_ja, "label": g.label,
                    "label_ja": f"{g.prefecture_ja}{g.full_name_ja}"})
    return out or None
