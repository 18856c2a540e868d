"""A catalog directory is fitted once: the second engine comes from the cache, and any change refits."""

import shutil

import pytest

from matcher.cache import engine_key, fitted_engine
from profiles import default_catalog_path


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MATCHER_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def catalog(tmp_path):
    return shutil.copytree(default_catalog_path(), tmp_path / "catalog")


def test_the_second_engine_of_a_catalog_is_read_from_the_cache(cache, catalog):
    first = fitted_engine(catalog)
    assert len(list(cache.glob("*.pkl"))) == 1
    second = fitted_engine(catalog)
    assert second is not first and second.catalog_hash_ == first.catalog_hash_
    assert len(list(cache.glob("*.pkl"))) == 1


def test_an_edited_catalog_file_or_another_parameter_is_a_new_key(catalog):
    key = engine_key(catalog, {})
    assert engine_key(catalog, {"top": 3}) != key
    f = next(catalog.glob("kita.yaml"))
    f.write_text(f.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert engine_key(catalog, {}) != key


def test_a_damaged_cache_entry_is_refitted_not_an_error(cache, catalog):
    fitted_engine(catalog)
    entry = next(cache.glob("*.pkl"))
    entry.write_bytes(b"not an engine")
    assert fitted_engine(catalog).n_programs_ == 75


def test_caching_can_be_turned_off(cache, catalog, monkeypatch):
    monkeypatch.setenv("MATCHER_CACHE", "off")
    fitted_engine(catalog)
    assert not cache.exists()
