"""Who may apply, read from a program's Japanese applicant text.

:func:`read_applicants` reads applicant types, size rule sets (``sme``, ``small_enterprise``),
target groups, intermediaries and named bodies, each with the sentence it came from. The words
are data (``data/applicants.yaml``, ``data/bodies.yaml``):

>>> from matcher.importers.text import sentences
>>> r = read_applicants(sentences("補助対象者：都内の中小企業者、個人事業主", "概要"))
>>> r.types, r.rules
(['firm', 'sole_proprietor'], ['sme'])
>>> r = read_applicants(sentences("社会福祉法人、特定非営利活動法人等（自治体、営利法人を除く。）", "対象"))
>>> r.types
['social_welfare_corporation', 'npo']
>>> read_applicants(sentences("（公財）東京都中小企業振興公社", "対象")).bodies[0]["id"]
'tokyo-sme-support-center'
>>> r = read_applicants(sentences("区市町村を通じて私立幼稚園等に補助", "対象"))
>>> r.types, r.through
(['school'], '区市町村')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from matcher.importers.text import Sentence, data, normalize
from profiles.audiences import APPLICANT_TYPES, FIRM_KINDS

__all__ = ["ApplicantReading", "read_applicants", "firm_kinds", "finalize_types", "body_words", "NON_FIRM"]

#: Applicant types that are no firm (a program only for these is for no firm).
NON_FIRM = tuple(k for k, v in APPLICANT_TYPES.items() if not v.firm)

_EXCLUDE = re.compile(r"[(（][^()（）]*(?:除く|以外|除き)[^()（）]*[)）]|ただし.*?(?:除く|以外)[^、,]*|[^、,。]*を除く")
_ITEM_SPLIT = re.compile(r"[、,・/／\n]|及び|並びに|又は|または|若しくは|もしくは|及|か|と")
_ITEM_TRIM = re.compile(r"^(?:[①-⑳\d.()（）]+|都内の?|東京都内の?|東京都の?)|(?:等|など|の|者|ほか|その他|\(.*\))+$")
_THROUGH = re.compile(r"^(.{1,40}?)を通じ(?:て|、)(.+)$")
_NAMED = re.compile(r"(?:東京|日本)[^、,・/()（）\s]{1,24}?(?:公社|財団|協会|機構|連合会|連盟|協議会|センター|事業団|中央会|会議所|支部|広域連合)")
_COMPANY = re.compile(r"(?:株式会社|有限会社|合同会社)[^、,・/()（）□\s等のはが]{2,20}|(?<![^、,・/()（）□\s:])[^、,・/()（）□\s等のはがを]{2,20}?(?:株式会社|有限会社|合同会社)(?![等])")
_LARGE = ("大企業", "中堅企業", "みなし大企業")


@dataclass
class ApplicantReading:
    """What an applicant text says: each list in order of first mention, without repeats."""

    types: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    bodies: list[dict] = field(default_factory=list)
    named: list[tuple[str, str]] = field(default_factory=list)  # (name, type)
    through: str | None = None
    quotes: dict[str, list[Sentence]] = field(default_factory=dict)  # fact → sentences
    large_firms: bool = False

    def _add(self, kind: str, values: list, sentence: Sentence) -> None:
        target = getattr(self, kind)
        for v in values:
            if v not in target:
                target.append(v)
        if values:
            bucket = self.quotes.setdefault(kind, [])
            if sentence not in bucket:
                bucket.append(sentence)

    @property
    def empty(self) -> bool:
        return not (self.types or self.rules or self.groups or self.bodies or self.named)


@lru_cache(maxsize=1)
def _words() -> tuple[list[tuple[str, dict]], dict[str, dict], list[tuple[str, dict]]]:
    raw = data("applicants")
    words = sorted(((normalize(w), v) for w, v in raw["words"].items()), key=lambda x: -len(x[0]))
    short = {normalize(w): v for w, v in raw["short"].items()}
    bodies = []
    for body in data("bodies")["bodies"]:
        for w in body["words"]:
            bodies.append((normalize(w), body))
    bodies.sort(key=lambda x: -len(x[0]))
    return words, short, bodies


@lru_cache(maxsize=1)
def _legal_forms() -> tuple[str, ...]:
    return tuple(sorted((normalize(w) for w in data("bodies")["legal_forms"]), key=len, reverse=True))


def body_words() -> list[tuple[str, dict]]:
    """(normalized word, body) of the delivery bodies of ``data/bodies.yaml``, longest word first."""
    return _words()[2]


def firm_kinds() -> tuple[str, ...]:
    """The applicant types that are firms (profiles.audiences ``firm: true``)."""
    return FIRM_KINDS


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + "□" * (end - start) + text[end:]


def _read_named(text: str, sentence: Sentence, out: ApplicantReading) -> str:
    """Named organisations (delivery bodies, then legal form + proper name): read and blanked."""
    _, _, bodies = _words()
    for word, body in bodies:
        i = text.find(word)
        while i >= 0:
            start, end = _span_with_form(text, i, i + len(word))
            if body not in out.bodies:
                out._add("bodies", [body], sentence)
            text = _blank(text, start, end)
            i = text.find(word)
    for form in _legal_forms():
        for m in list(re.finditer(re.escape(form) + r"([^、,・/()（）□\s]{2,30})", text)):
            name = m.group(1)
            if name.startswith(("等", "など", "又は", "または", "その他", "及び", "並びに", "が", "の", "を", "に", "は", "で",
                                "と", "や", "へ")) or re.match(r"^[A-Za-z]*(?:等|など)?$", name):
                continue
            _named(out, form + name, sentence)
            text = _blank(text, m.start(), m.end())
    for m in list(_COMPANY.finditer(text)):  # one company by name (京王電鉄株式会社): only it may apply
        _named(out, m.group(0), sentence)
        text = _blank(text, m.start(), m.end())
    for m in list(_NAMED.finditer(text)):
        before = text[max(0, m.start() - 1):m.start()]
        if before and before not in "、,・/()（）□ ":
            continue
        _named(out, m.group(0), sentence)
        text = _blank(text, m.start(), m.end())
    return text


def _span_with_form(text: str, start: int, end: int) -> tuple[int, int]:
    for form in _legal_forms():
        if text[:start].endswith(form):
            return start - len(form), end
    return start, end


def _named(out: ApplicantReading, name: str, sentence: Sentence) -> None:
    public = any(w in name for w in data("bodies")["public_words"][:2])
    kind = "public_body" if public or name.startswith("地方独立行政法人") else "named_body"
    if all(n != name for n, _ in out.named):
        out.named.append((name, kind))
        out._add("types", [kind], sentence)


def _read_words(text: str, sentence: Sentence, out: ApplicantReading) -> None:
    words, short, _ = _words()
    hits: list[tuple[int, dict]] = []
    for word, entry in words:
        i = text.find(word)
        while i >= 0:
            hits.append((i, entry))
            text = _blank(text, i, i + len(word))
            i = text.find(word)
    pos = 0
    suffixes = tuple(data("applicants")["organization_suffixes"])
    groups = data("applicants")["group_suffix"]
    for item in _ITEM_SPLIT.split(text):
        bare = _ITEM_TRIM.sub("", item.strip("□ "))
        entry = short.get(bare)
        if entry is None and "□" not in item and bare.endswith(suffixes):
            entry = {"types": ["organization"]}
        if entry is None and "□" not in item:
            entry = next(({"types": list(kinds)} for end, kinds in groups.items() if bare.endswith(end)), None)
        if entry:
            hits.append((text.find(item, pos), entry))
        pos += len(item)
    for _, entry in sorted(hits, key=lambda h: h[0]):
        out._add("types", list(entry.get("types", [])), sentence)
        out._add("rules", list(entry.get("rules", [])), sentence)
        out._add("groups", list(entry.get("groups", [])), sentence)


def read_applicants(sents: list[Sentence]) -> ApplicantReading:
    """Read the applicant text's sentences (see the module's examples)."""
    out = ApplicantReading()
    for s in sents:
        text = re.sub(r"^[^:]{1,12}:", "", s.norm)  # a label (補助対象者:)
        if any(w in text for w in _LARGE):
            out.large_firms = True
        text = _EXCLUDE.sub("", text)
        through = _THROUGH.match(text)
        if through:
            out.through = through.group(1)
            out.quotes.setdefault("through", []).append(s)
            text = through.group(2)
        text = _read_named(text, s, out)
        _read_words(text, s, out)
    if out.through is not None:  # the intermediary is no applicant
        out.bodies = [b for b in out.bodies if not any(normalize(w) in out.through for w in b["words"])]
    return out


def finalize_types(reading: ApplicantReading) -> tuple[list[str], list[str]]:
    """The applicant types and rule sets to write.

    ``firm`` (a business of any legal form) with only firm kinds beside it is no restriction
    (``[]``); beside non-firm types it stands for every firm kind. ``sme`` with
    ``small_enterprise`` keeps ``sme`` (the list is any-of); no size rule when the text also
    names large firms.

    >>> finalize_types(ApplicantReading(types=["firm", "sole_proprietor"], rules=["sme"]))
    ([], ['sme'])
    >>> finalize_types(ApplicantReading(types=["municipality", "firm"]))[0][:3]
    ['municipality', 'corporation', 'sole_proprietor']
    """
    kinds = firm_kinds()
    types = list(reading.types)
    if "firm" in types:
        others = [t for t in types if t != "firm"]
        if all(t in kinds for t in others):
            types = []
        else:
            types = [t for t in others if t not in kinds] + list(kinds)
    rules = list(reading.rules)
    if "sme" in rules and "small_enterprise" in rules:
        rules = ["sme"]
    if reading.large_firms:
        rules = []
    return types, rules
