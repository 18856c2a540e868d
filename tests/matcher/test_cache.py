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


def test_an_engine_from_the_cache_builds_only_the_programs_it_shows_and_ranks_as_the_fitted_one(cache, catalog):
    from matcher.persistence import LazyPrograms

    fitted = fitted_engine(catalog)
    cached = fitted_engine(catalog)
    assert isinstance(cached.programs_, LazyPrograms) and cached.programs_.built == 0
    assert cached.catalog_.programs is cached.programs_ is cached.eligibility_.programs  # one sequence, as fitted
    firm = {"municipality": "Kita", "prefecture": "Tokyo", "industry": "E24", "employees": 25, "needs": ["trade_fair"]}
    ranking = cached.rank(firm, as_of="2026-11-21")
    assert ranking == fitted.rank(firm, as_of="2026-11-21")
    assert 0 < cached.programs_.built < cached.n_programs_  # the shown ones (and those the reasons name)
    assert cached.program("hamura-interest-subsidy") == fitted.program("hamura-interest-subsidy")
    assert cached.explain(firm, "hamura-interest-subsidy", as_of="2026-11-21") == fitted.explain(
        firm, "hamura-interest-subsidy", as_of="2026-11-21")
    assert list(cached.programs_) == list(fitted.programs_) and cached.catalog_ == fitted.catalog_


def test_rank_with_a_cached_catalog_engine_imports_no_scikit_learn(tmp_path, catalog):
    import json
    import os
    import subprocess
    import sys

    code = ("import sys; from click.testing import CliRunner; from matcher.cli import cli; "
            f"out = CliRunner().invoke(cli, ['rank', {str(EXAMPLE)!r}, '--catalog', {str(catalog)!r}, '--json']); "
            "print(out.exit_code); print(sorted(m for m in ('sklearn', 'pandas', 'scipy.stats') if m in sys.modules))")
    env = {**os.environ, "MATCHER_CACHE_DIR": str(tmp_path / "cache")}
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env) for _ in range(2)]
    for r in runs:
        assert r.returncode == 0, r.stderr
    first, second = (r.stdout.strip().splitlines()[-2:] for r in runs)
    assert first[0] == second[0] == "0"
    assert json.loads(second[1].replace("'", '"')) == []  # the second call reads the cached engine: no sklearn


EXAMPLE = default_catalog_path().parents[2] / "examples" / "kita-metal-press.yaml"
