"""Program text as the extractors read it: sentences that keep their exact wording.

Each extracted fact cites the sentence it came from, exactly as the source wrote it, so text is
split first and normalized (NFKC: full-width digits and letters to half-width) only for matching:

>>> [s.quote for s in sentences("補助対象者：都内の中小企業者\\n負担割合：都１/２。上限５０万円", "概要")]
['補助対象者：都内の中小企業者', '負担割合：都１/２。', '上限５０万円']
>>> sentences("負担割合：都１/２", "概要")[0].norm
'負担割合:都1/2'
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from importlib import resources
from typing import Any

import yaml

__all__ = ["Sentence", "sentences", "normalize", "html_to_text", "labelled_sections", "data", "csv_rows"]


def csv_rows(path) -> list[list[str]]:
    """The rows of a CSV list, its encoding detected as the firm-list reader does (UTF-8, BOM, CP932)."""
    import csv

    from profiles.tabular import detect_encoding

    with open(path, encoding=detect_encoding(path), newline="") as fh:
        return list(csv.reader(fh))

_SPACES = re.compile(r"[ \t\u3000]+")


def normalize(text: str) -> str:
    """NFKC, without spaces (Japanese text needs none to be read), wave dashes as ``~``.

    >>> normalize("都　１０／１０ 以内")
    '都10/10以内'
    """
    text = unicodedata.normalize("NFKC", text).replace("〜", "~").replace("～", "~")
    return _SPACES.sub("", text)


@dataclass(frozen=True)
class Sentence:
    """One sentence of a field: ``quote`` as written (stripped), ``norm`` for matching."""

    field: str
    quote: str
    norm: str


_OPEN, _CLOSE = "(（「『【[", ")）」』】]"


def sentences(text: str | None, field: str) -> list[Sentence]:
    """The sentences of ``text``: split after 。！？ outside brackets and at line breaks."""
    if not text:
        return []
    pieces, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif ch == "\n" or (ch in "。！？" and depth == 0):
            pieces.append(text[start:i + (ch != "\n")])
            start, depth = i + 1, 0 if ch == "\n" else depth
    pieces.append(text[start:])
    out = []
    for piece in pieces:
        quote = piece.strip(" \t\u3000\r\n")
        if quote:
            out.append(Sentence(field, quote, normalize(quote)))
    return out


_LABEL = re.compile(r"^[・\s\u3000]*([^\s：:]{2,12}?)\s*[：:]")


def labelled_sections(text: str, labels: tuple[str, ...]) -> dict[str, str]:
    """The parts of a text written as ``ラベル：…`` lines, by label; a part runs to the next label.

    The text of each part is exact (a substring of ``text``), with its label line included, so it
    can be quoted.

    >>> labelled_sections("補助金の目的：販路開拓\\n補助対象者：中小企業者\\n都内に限る", ("補助金の目的", "補助対象者"))
    {'補助金の目的': '補助金の目的：販路開拓', '補助対象者': '補助対象者：中小企業者\\n都内に限る'}
    """
    found: list[tuple[int, str]] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        m = _LABEL.match(line)
        if m:
            label = normalize(m.group(1)).lstrip("・")
            if label in labels and all(label != f for _, f in found):
                found.append((pos, label))
        pos += len(line)
    out = {}
    for i, (start, label) in enumerate(found):
        end = found[i + 1][0] if i + 1 < len(found) else len(text)
        out[label] = text[start:end].strip()
    return out


def section_body(section: str) -> str:
    """A section without its label (``補助対象者：区市町村`` → ``区市町村``)."""
    m = re.match(r"^[^：:]{1,14}[：:]\s*", section)
    return section[m.end():] if m else section


class _Text(HTMLParser):
    _BLOCK = {"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(markup: str | None) -> str:
    """The text of an HTML fragment, one line per block element.

    >>> html_to_text("<p>対象者：<b>中小企業者</b></p><p>上限&nbsp;100万円</p>")
    '対象者：中小企業者\\n上限 100万円'
    """
    if not markup:
        return ""
    parser = _Text()
    parser.feed(markup)
    parser.close()
    text = html.unescape("".join(parser.parts)).replace("\xa0", " ")
    lines = [line.strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


@lru_cache(maxsize=None)
def data(name: str) -> Any:
    """A data file of ``matcher/importers/data/`` (parsed YAML)."""
    path = resources.files("matcher.importers") / "data" / f"{name}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))
