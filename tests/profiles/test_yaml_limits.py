"""Untrusted YAML: aliases cannot make a small file stand for billions of values."""

import pytest
import yaml

from profiles.catalog import MAX_YAML_NODES, load_catalog, parse_yaml
from profiles.errors import CatalogError


def billion_laughs(levels: int = 9) -> str:
    lines = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_a_467_byte_alias_bomb_is_refused_without_expanding_it():
    text = billion_laughs()
    assert len(text) < 600 and 9 ** 9 > MAX_YAML_NODES
    with pytest.raises(yaml.YAMLError, match="aliases expand this document past"):
        parse_yaml(text)


def test_a_few_aliases_in_a_catalog_are_still_fine():
    assert parse_yaml("a: &x [1, 2]\nb: *x") == {"a": [1, 2], "b": [1, 2]}
    assert parse_yaml(billion_laughs(levels=3))["l2"][0][0] == ["lol"] * 9


def test_a_firm_file_refuses_aliases_outright():
    with pytest.raises(yaml.YAMLError, match="aliases .* are not allowed"):
        parse_yaml("prefecture: &p Tokyo\nmunicipality: *p\n", aliases="refuse")


def test_an_alias_bomb_in_a_catalog_directory_is_one_problem_naming_the_file(tmp_path):
    (tmp_path / "bomb.yaml").write_text(billion_laughs(), encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(tmp_path)
    assert "bomb.yaml" in str(err.value) and "aliases expand" in str(err.value)


def test_an_unknown_alias_policy_is_a_parameter_error():
    with pytest.raises(ValueError, match="aliases must be 'bounded' or 'refuse', got 'maybe'"):
        parse_yaml("a: 1", aliases="maybe")
