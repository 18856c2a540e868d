"""Writing imported programs as a catalog directory: stable ids, the same bytes on every run.

>>> stable_ids("tokyo-2024", ["a", "b", "a"])
['tokyo-2024-ca978112', 'tokyo-2024-3e23e816', 'tokyo-2024-ca978112-2']
>>> dump_yaml({"programs": [{"id": "x", "quote": "一行目\\n二行目"}]})
'programs:\\n- id: x\\n  quote: |-\\n    一行目\\n    二行目\\n'
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml

from matcher.importers.draft import Draft
from matcher.importers.errors import ImporterError

__all__ = ["stable_ids", "program_dict", "dump_yaml", "write_catalog", "HEADER", "CATALOG_FILE"]

HEADER = "# Imported by matcher.importers"
CATALOG_FILE = "programs.yaml"
_ORDER = ("id", "name", "name_ja", "summary", "provider", "kind", "fiscal_year", "needs", "industries",
          "target_groups", "description", "benefit", "eligibility", "application_start", "application_deadline",
          "delivered_by", "url", "contact", "source")
_NESTED = {
    "benefit": ("max_amount_jpy", "rate", "shares", "budget_jpy", "eligible_costs", "note"),
    "eligibility": ("applicant_types", "rule_sets", "prefectures", "regions", "municipalities", "industries",
                    "employees", "capital_jpy", "years_in_business", "target_groups", "note"),
}


def stable_ids(prefix: str, keys: list[str], length: int = 8) -> list[str]:
    """One id per source key: ``prefix`` and a short hash of the key, the same on every import.

    A key given twice gets ``-2``, ``-3`` in order; two keys whose hashes collide get longer hashes.
    """
    prefix = re.sub(r"[^a-z0-9-]+", "-", prefix.lower()).strip("-") or "program"
    digests = [hashlib.sha256(k.encode("utf-8")).hexdigest() for k in keys]
    while True:
        short = {}
        clash = False
        for key, digest in zip(keys, digests):
            h = digest[:length]
            if short.setdefault(h, key) != key:
                clash = True
        if not clash or length >= 64:
            break
        length += 4
    out, seen = [], {}
    for digest in digests:
        base = f"{prefix}-{digest[:length]}"
        seen[base] = seen.get(base, 0) + 1
        out.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return out


def program_dict(program_id: str, draft: Draft) -> dict[str, Any]:
    """The program's catalog entry, keys in a fixed order."""
    data = dict(draft.data)
    for key, order in _NESTED.items():
        if key in data:
            inner = data[key]
            data[key] = {k: inner[k] for k in order if k in inner} | {k: v for k, v in inner.items() if k not in order}
            if not data[key]:
                del data[key]
    data["id"] = program_id
    data["source"] = draft.sources()
    return {k: data[k] for k in _ORDER if k in data} | {k: v for k, v in data.items() if k not in _ORDER}


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def dump_yaml(data: Any) -> str:
    """YAML text of plain data: keys in the order given, Unicode as is, blocks for multi-line text."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120,
                     default_flow_style=False)


def write_catalog(output_dir: Path, programs: list[dict[str, Any]], header_lines: list[str],
                  inputs: tuple[Path, ...] = ()) -> Path:
    """Write ``programs.yaml`` in ``output_dir`` (created if needed); returns its path.

    The directory must hold no other catalog file, and an existing ``programs.yaml`` must be one
    this module wrote: nothing else is overwritten, and never an input file.
    """
    output_dir.mkdir(parents=True, exist_ok=True)
    target = output_dir / CATALOG_FILE
    for path in inputs:
        if path.resolve() == target.resolve():
            raise ImporterError(f"{target}: this is the input file; choose another output directory")
    others = sorted(p.name for p in output_dir.iterdir()
                    if p.suffix in (".yaml", ".yml", ".json") and p.name != CATALOG_FILE)
    if others:
        raise ImporterError(f"{output_dir}: the directory holds other catalog files ({', '.join(others[:5])}); "
                            "give an empty directory or one an earlier import wrote")
    if target.exists():
        with target.open(encoding="utf-8") as fh:
            first = fh.readline()
        if not first.startswith(HEADER):
            raise ImporterError(f"{target}: exists and was not written by an import; it is not overwritten")
    text = "\n".join([HEADER, *(f"# {line}" for line in header_lines)]) + "\n" + dump_yaml({"programs": programs})
    fd, tmp = tempfile.mkstemp(dir=output_dir, prefix=".programs-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
