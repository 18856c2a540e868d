"""The package's own data files (word lists, tables, glossaries), read fast.

:func:`read_data_yaml` parses a YAML file shipped in a package with libyaml's parser
when PyYAML was built with it (about 10x faster than the pure-Python one; the same
safe constructors, so the same values), so that ``matcher rank`` does not spend a
third of a second parsing the glossary. Files a person gives (catalogs, firm files)
go through :func:`profiles.catalog.parse_yaml`, which also refuses repeated keys.

>>> read_data_yaml("profiles", "eras.yaml")["eras"][0]["name"]
'明治'
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

__all__ = ["read_data_yaml"]

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_data_yaml(package: str, name: str) -> Any:
    """The plain data of ``data/NAME`` in ``package`` (e.g. ``read_data_yaml("matcher", "glossary.yaml")``)."""
    text = (resources.files(package) / "data" / name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
