"""The built-in catalog in Japanese: municipality assets and descriptions, cluster names.

The Japanese renders the English item for item and adds no fact: the same factors, as many
items, and every figure of an English asset again in its Japanese rendering.
"""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from profiles.catalog import default_catalog_path, load_catalog
from profiles.models import Assets, Municipality

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
FIGURE = re.compile(r"\d[\d,.]*\d|\d")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(default_catalog_path())


def test_every_municipality_profile_has_its_assets_and_description_in_japanese(catalog):
    for m in catalog.municipalities:
        assert m.assets_ja is not None and m.description_ja, m.id
        assert JAPANESE.search(m.description_ja), m.id
        for factor in Assets.model_fields:
            for item in getattr(m.assets_ja, factor):
                assert JAPANESE.search(item), (m.id, factor, item)


def test_a_japanese_asset_keeps_every_figure_of_the_english_one(catalog):
    for m in catalog.municipalities:
        for factor in Assets.model_fields:
            for en, ja in zip(getattr(m.assets, factor), getattr(m.assets_ja, factor), strict=True):
                figures = [f.rstrip(".,") for f in FIGURE.findall(en)]
                missing = [f for f in figures if f not in ja]
                assert not missing, f"{m.id} {factor}: {missing} of {en!r} not in {ja!r}"


def test_kobes_research_institutes_are_named_in_japanese(catalog):
    kobe = next(m for m in catalog.municipalities if m.id == "kobe-hyogo")
    assert kobe.assets_ja.universities_institutes[0].startswith("先端医療振興財団")
    assert "神戸医療産業都市構想" in kobe.description_ja


def test_japanese_assets_that_do_not_follow_the_english_item_for_item_are_refused():
    with pytest.raises(ValidationError, match=r"assets_ja\.transport_access must render assets\.transport_access "
                                              r"item for item: expected 1 item\(s\), got 2"):
        Municipality(id="hamura-tokyo", code="132276", name="Hamura City", name_ja="羽村市", prefecture="Tokyo",
                     assets={"transport_access": ["Close to the Metropolitan Inter-City Expressway"]},
                     assets_ja={"transport_access": ["首都圏中央連絡自動車道に近い", "余分な項目"]})


def test_a_profile_without_japanese_assets_is_still_valid():
    m = Municipality(id="x-tokyo", code="132276", name="Hamura City", name_ja="羽村市", prefecture="Tokyo")
    assert m.assets_ja is None and m.description_ja is None


def test_every_cluster_has_a_japanese_name_and_description(catalog):
    for c in catalog.clusters:
        assert c.name_ja and JAPANESE.search(c.name_ja), c.id
        assert c.description_ja and JAPANESE.search(c.description_ja), c.id


# ------------------------------------------------------------------ the programs in Japanese

#: A run of two Latin words; in Japanese only codes and proper names may hold one (TAMA-TLO, SOHO CITY).
LATIN_RUN = re.compile(r"[A-Za-z]{2,}[ ,.'’-]+[A-Za-z]{2,}")
#: What a rendering must neither drop nor add: years and percentages.
YEAR_OR_SHARE = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)|\d+(?:\.\d+)?%")


def _renderings(p):
    """(what, English, Japanese) for each English text of ``p`` a Japanese reader sees."""
    out = [("description", p.description, p.description_ja), ("summary", p.summary, p.summary_ja),
           ("eligibility.note", p.eligibility.note, p.eligibility.note_ja)]
    if p.benefit is not None:
        out.append(("benefit.note", p.benefit.note, p.benefit.note_ja))
    if p.delivered_by is not None:
        out.append(("delivered_by.note", p.delivered_by.note, p.delivered_by.note_ja))
    return [(what, en, ja) for what, en, ja in out if en or ja]


def _code_or_name(run: str) -> bool:
    return all(sum(ch.isupper() for ch in w) >= 2 for w in re.findall(r"[A-Za-z]+", run))


def test_every_seed_program_has_its_description_and_notes_in_japanese(catalog):
    assert len(catalog.programs) >= 75
    for p in catalog.programs:
        assert p.description_ja and JAPANESE.search(p.description_ja), p.id
        for what, en, ja in _renderings(p):
            assert en and ja and JAPANESE.search(ja), f"{p.id} {what}: {en!r} has no Japanese ({ja!r})"


def test_the_japanese_of_a_program_holds_no_english_words_but_codes_and_names(catalog):
    left = [(p.id, what, m.group()) for p in catalog.programs for what, _, ja in _renderings(p)
            for m in LATIN_RUN.finditer(ja) if not _code_or_name(m.group())]
    assert left == []


def test_a_rendering_keeps_every_year_and_share_of_the_english_and_adds_none(catalog):
    for p in catalog.programs:
        for what, en, ja in _renderings(p):
            assert sorted(set(YEAR_OR_SHARE.findall(en))) == sorted(set(YEAR_OR_SHARE.findall(ja))), \
                f"{p.id} {what}: {en!r} / {ja!r}"


def test_the_checks_would_catch_a_rendering_that_is_english_or_adds_a_date():
    assert LATIN_RUN.search("Firms in Kita City") and not _code_or_name("Firms in Kita City")
    assert _code_or_name("TAMA-TLO") and _code_or_name("SOHO CITY")
    assert set(YEAR_OR_SHARE.findall("2015年3月31日で終了")) != set(YEAR_OR_SHARE.findall("expired on March 31, 2016"))
    assert YEAR_OR_SHARE.findall("利率1.6%のうち0.8%") == ["1.6%", "0.8%"]


def test_each_catalog_file_says_its_japanese_renders_the_english():
    for path in sorted(default_catalog_path().glob("*.yaml")):
        head = "".join(line for line in path.read_text(encoding="utf-8").splitlines(keepends=True)
                       if line.startswith("#"))
        assert "description_ja" in head and re.search(r"add(s)? no fact", head), path.name


def test_a_program_shows_its_japanese_description_in_japanese_and_falls_back_to_the_other(catalog):
    fair = catalog.program("kita-trade-fair-subsidy")
    assert fair.description_in("ja") == fair.description_ja and fair.description_in("en") == fair.description
    imported = fair.model_copy(update={"description": "展示会への出展経費を補助します。", "description_ja": None})
    assert imported.description_in("ja") == imported.description_in("en") == "展示会への出展経費を補助します。"
