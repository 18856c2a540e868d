"""English (Hepburn) names of local governments, derived from their kana.

The names are derived with pykakasi's Hepburn romanization, long vowels folded as
place names are usually written in English ("おおたく" → "Ota", "こうべし" → "Kobe"),
and stored in ``profiles/data/localgov-en.csv`` so that loading the gazetteer needs
no converter. Regenerate the file with ``python -m profiles.romaji`` (pykakasi is in
the ``test`` extras); a test checks that the shipped file matches a fresh derivation.

>>> fold_long_vowels("higashioosaka"), fold_long_vowels("koube"), fold_long_vowels("chuuou")
('higashiosaka', 'kobe', 'chuo')
"""

from __future__ import annotations

import csv
import io
import re
from importlib import resources
from pathlib import Path

__all__ = ["fold_long_vowels", "split_suffix", "derive_english_names", "SUFFIXES", "EN_FILE"]

EN_FILE = "localgov-en.csv"

#: Japanese suffix → (kana readings, English word, Hepburn suffix).
SUFFIXES = {
    "市": (("し",), "City", "shi"),
    "区": (("く",), "Ward", "ku"),
    "町": (("ちょう", "まち"), "Town", None),
    "村": (("そん", "むら"), "Village", None),
}
_HEPBURN_SUFFIX = {"ちょう": "cho", "まち": "machi", "そん": "son", "むら": "mura", "し": "shi", "く": "ku"}


def fold_long_vowels(text: str) -> str:
    """Fold Hepburn long vowels (``ou``, ``oo``, ``uu``) as English place names do."""
    return _LONG_O.sub("o", text).replace("uu", "u")


_LONG_O = re.compile(r"o[ou]")


def split_suffix(name_ja: str, kana: str) -> tuple[str, str, str]:
    """Split the last word of a name into (base kana, kana suffix, Japanese suffix).

    >>> split_suffix("北区", "きたく")
    ('きた', 'く', '区')
    >>> split_suffix("羽村市", "はむらし")
    ('はむら', 'し', '市')
    """
    jp = name_ja[-1]
    readings = SUFFIXES.get(jp, ((),))[0]
    for r in readings:
        if kana.endswith(r) and len(kana) > len(r):
            return kana[: -len(r)], r, jp
    return kana, "", ""


def derive_english_names(rows: list[dict[str, str]]) -> list[tuple[str, str, str]]:
    """``(lgcode, name_en, hepburn_suffix)`` for each row of the local-government master."""
    import pykakasi

    kks = pykakasi.kakasi()

    def hep(kana: str) -> str:
        return fold_long_vowels("".join(part["hepburn"] for part in kks.convert(kana)))

    out = []
    for row in rows:
        name_ja = row["city"].split(" ")[-1]
        kana = row["citykana"].split(" ")[-1]
        base, kana_suffix, _ = split_suffix(name_ja, kana)
        words = [w.capitalize() for w in hep(base).replace("-", " ").split()]
        out.append((row["lgcode"], " ".join(words), _HEPBURN_SUFFIX.get(kana_suffix, "")))
    return out


def _master_rows() -> list[dict[str, str]]:
    text = (resources.files("profiles") / "data" / "localgovjp-utf8.csv").read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def render() -> str:
    """The content of ``localgov-en.csv`` as derived now."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["lgcode", "name_en", "suffix_en"])
    w.writerows(derive_english_names(_master_rows()))
    return buf.getvalue()


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    target = Path(str(resources.files("profiles") / "data" / EN_FILE))
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}")
