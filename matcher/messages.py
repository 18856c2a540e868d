"""The package's messages in Japanese: errors and problem titles, from ``matcher/data/messages_ja.yaml``.

The HTTP service gives its problem details in the language a request asks for, and the
CLI its one-line errors in the language of ``--lang``; both translate the same English
messages with :func:`translate`.

>>> translate("unknown municipality in Tokyo", "ja")
'東京都にこの名前の自治体はありません'
>>> translate("unknown municipality in Tokyo", "en")
'unknown municipality in Tokyo'
"""

from __future__ import annotations

import functools
import re
from importlib.resources import files

import yaml

from profiles.geography import gazetteer

__all__ = ["translate", "title_in"]


@functools.cache
def _table() -> tuple[dict[str, str], list[tuple[re.Pattern[str], str]]]:
    data = yaml.safe_load((files("matcher") / "data" / "messages_ja.yaml").read_text(encoding="utf-8"))
    return dict(data["titles"]), [(re.compile(e["en"], re.S), e["ja"]) for e in data["messages"]]


def _pref_ja(name: str) -> str:
    for p in gazetteer().prefectures:
        if name in (p.name_en, p.name_ja):
            return p.name_ja
    return name


def translate(message: str, lang: str) -> str:
    """``message`` in ``lang`` ("en": as it is; "ja": from the table, or as it is without an entry)."""
    if lang != "ja":
        return message
    for pattern, ja in _table()[1]:
        m = pattern.fullmatch(message)
        if m:
            groups = {k: (_pref_ja(v) if k == "pref" else v) for k, v in m.groupdict().items()}
            return ja.format(**groups)
    where = _WHERE.fullmatch(message)  # "body.file: message", "所在地: message": the message after the place
    if where:
        rest = translate(where.group(2), lang)
        if rest != where.group(2):
            return f"{where.group(1)}: {rest}"
    return message


_WHERE = re.compile(r"([^\s:]{1,80}): (.+)", re.S)


def title_in(title: str, lang: str) -> str:
    """A problem's title in ``lang``."""
    return _table()[0].get(title, title) if lang == "ja" else title
