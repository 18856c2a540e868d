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
