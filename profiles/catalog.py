"""Loading a catalog: a directory of YAML or JSON files of programs, municipalities, clusters.

Each file is a mapping with any of the keys ``programs``, ``municipalities`` and
``clusters``, each a list of entries. :func:`load_catalog` reads every file, validates
every entry and reports **every** problem at once in a :class:`~profiles.errors.CatalogError`,
each naming the file, the entry id and the field path.

>>> catalog = load_catalog()            # the default catalog shipped with the package
>>> catalog.program("kita-trade-fair-subsidy").benefit.max_amount_jpy
200000
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from profiles.errors import CatalogError, Problem, UnknownValueError
from profiles.models import ClusterProject, Municipality, SupportProgram
from profiles.validation import problems_from

__all__ = ["Catalog", "DuplicateKeyError", "load_catalog", "default_catalog_path", "parse_yaml", "ProgramCheck",
           "unique_pairs"]

_SECTIONS: dict[str, type[BaseModel]] = {
    "programs": SupportProgram,
    "municipalities": Municipality,
    "clusters": ClusterProject,
}
_SUFFIXES = (".yaml", ".yml", ".json")

#: A check run on every valid program at load time: returns problems as
#: ``(field path, message)`` pairs. :mod:`rules` uses this to check eligibility rules.
ProgramCheck = Callable[[SupportProgram], Iterable[tuple[str, str]]]


def default_catalog_path() -> Path:
    """The directory of the default catalog shipped as package data."""
    return Path(str(resources.files("profiles") / "data" / "catalog"))


@dataclass(frozen=True)
class Catalog:
    """A validated catalog. ``hash`` identifies its content (not its file names)."""

    programs: tuple[SupportProgram, ...]
    municipalities: tuple[Municipality, ...] = ()
    clusters: tuple[ClusterProject, ...] = ()
    origin: str = ""
    hash: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.hash:
            object.__setattr__(self, "hash", _content_hash(self))

    def program(self, program_id: str) -> SupportProgram:
        """The program with this id; an unknown id names the closest ones."""
        for p in self.programs:
            if p.id == program_id:
                return p
        import difflib

        close = difflib.get_close_matches(program_id, [p.id for p in self.programs], n=5, cutoff=0.5)
        raise UnknownValueError("program", program_id, "no program with this id in the catalog", close)

    def municipality(self, code: str) -> Municipality | None:
        """The profile of the municipality with this 6-digit code, if the catalog has one."""
        for m in self.municipalities:
            if m.code == code:
                return m
        return None

    def cluster(self, cluster_id: str) -> ClusterProject | None:
        for c in self.clusters:
            if c.id == cluster_id:
                return c
        return None


def _content_hash(catalog: Catalog) -> str:
    payload = {
        "programs": [p.model_dump(mode="json") for p in catalog.programs],
        "municipalities": [m.model_dump(mode="json") for m in catalog.municipalities],
        "clusters": [c.model_dump(mode="json") for c in catalog.clusters],
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:16]


def _read(path: Path) -> Any:
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix == ".json":
        return json.loads(text, object_pairs_hook=unique_pairs)
    return parse_yaml(text)


class DuplicateKeyError(ValueError):
    """A mapping of a JSON document names one key twice."""


def unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` for :func:`json.loads` that refuses a key given twice."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateKeyError(f"found duplicate key {key!r} in one object")
        out[key] = value
    return out


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's parser when PyYAML was built with it (about 10x faster), the pure-Python
    one otherwise; safe constructors only (plain data); a key given twice in one mapping
    is an error, not a silent overwrite (merge keys ``<<`` still override as YAML says)."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=deep)
                try:
                    duplicate = key in seen
                except TypeError:  # an unhashable key: SafeConstructor reports it
                    continue
                if duplicate:
                    raise yaml.constructor.ConstructorError("while constructing a mapping", node.start_mark,
                                                            f"found duplicate key {key!r}", key_node.start_mark)
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


#: The most nodes a YAML document may stand for once its aliases are expanded, and the deepest nesting.
MAX_YAML_NODES = 1_000_000
MAX_NESTING = 100


def _check_aliases(text: str, aliases: str) -> None:
    """Refuse alias use (``aliases="refuse"``) or a document whose aliases expand past
    :data:`MAX_YAML_NODES` nodes, counted on the node graph without expanding it (a
    467-byte "billion laughs" file stands for billions of nodes); refuse nesting deeper
    than :data:`MAX_NESTING` in a document with aliases (libyaml bounds the nesting of others)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    n_alias = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.AliasEvent):
            n_alias += 1
            if aliases == "refuse":
                raise yaml.constructor.ConstructorError(
                    None, None, "aliases (*name) are not allowed in this file: write the values out",
                    event.start_mark)
    if not n_alias:
        return
    node = yaml.compose(text, Loader=loader)
    if node is None:
        return
    sizes: dict[int, int] = {}
    # iterative post-order walk with memo: the expanded size of a shared node is counted once per use
    stack: list[tuple[Any, int, bool]] = [(node, 1, False)]
    while stack:
        n, depth, done = stack.pop()
        if depth > MAX_NESTING:
            raise yaml.constructor.ConstructorError(None, None, f"nested deeper than {MAX_NESTING} levels",
                                                    n.start_mark)
        if id(n) in sizes and not done:
            continue
        kids = ([c for pair in n.value for c in pair] if isinstance(n, yaml.MappingNode)
                else list(n.value) if isinstance(n, yaml.SequenceNode) else [])
        if done:
            total = 1 + sum(sizes[id(c)] for c in kids)
            if total > MAX_YAML_NODES:
                raise yaml.constructor.ConstructorError(
                    None, None, f"aliases expand this document past {MAX_YAML_NODES:,} values", n.start_mark)
            sizes[id(n)] = total
            continue
        stack.append((n, depth, True))
        stack.extend((c, depth + 1, False) for c in kids if id(c) not in sizes)


def parse_yaml(text: str, aliases: str = "bounded") -> Any:
    """Plain data from YAML (or JSON, a subset) text; a key repeated in a mapping raises
    :class:`yaml.YAMLError` with its line.

    ``aliases="refuse"`` (firm files and firm lists) refuses any alias; the default bounds
    what aliases may expand to (catalogs, where anchors can save repetition).

    >>> parse_yaml("a: &x [1, 2]\\nb: *x", aliases="refuse")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    yaml.constructor.ConstructorError: aliases (*name) are not allowed in this file: write the values out
    ...

    >>> parse_yaml("id: a\\nname: x")
    {'id': 'a', 'name': 'x'}
    >>> parse_yaml("id: a\\nid: b")
    Traceback (most recent call last):
    ...
    yaml.constructor.ConstructorError: while constructing a mapping
      in "<unicode string>", line 1, column 1
    found duplicate key 'id'
      in "<unicode string>", line 2, column 1
    """
    if aliases not in ("bounded", "refuse"):
        raise ValueError(f"aliases must be 'bounded' or 'refuse', got {aliases!r}")
    if "*" in text:  # no alias can hide without its star
        _check_aliases(text, aliases)
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except RecursionError:
        raise yaml.YAMLError(f"nested deeper than this parser can follow (limit {MAX_NESTING})") from None


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.suffix in _SUFFIXES and p.is_file())


def load_catalog(path: str | Path | None = None, *, checks: Iterable[ProgramCheck] = ()) -> Catalog:
    """Read and validate a catalog directory (or one file); ``None`` loads the default catalog.

    Parameters
    ----------
    path : str or Path, optional
        A directory of ``.yaml``/``.yml``/``.json`` files, or a single file.
    checks : iterable of callables, optional
        Extra checks run on each valid program (see :data:`ProgramCheck`).

    Raises
    ------
    CatalogError
        With every problem found, each naming file, entry id and field path.
    """
    root = Path(path) if path is not None else default_catalog_path()
    problems: list[Problem] = []
    if not root.exists():
        raise CatalogError([Problem(str(root), "-", "-", "no such file or directory")])
    files = _files(root)
    if not files:
        raise CatalogError([Problem(str(root), "-", "-", "no .yaml, .yml or .json files found")])
    checks = tuple(checks)
    entries: dict[str, list[tuple[str, BaseModel]]] = {k: [] for k in _SECTIONS}
    for f in files:
        name = str(f.relative_to(root)) if f != root else f.name
        try:
            data = _read(f)
        except (yaml.YAMLError, json.JSONDecodeError, DuplicateKeyError, UnicodeDecodeError) as exc:
            problems.append(Problem(name, "-", "-", f"cannot parse: {' '.join(str(exc).split())}"))
            continue
        if data is None:
            continue
        if not isinstance(data, dict):
            problems.append(Problem(name, "-", "-", f"expected a mapping with keys {sorted(_SECTIONS)}, got {type(data).__name__}"))
            continue
        for key in data:
            if key not in _SECTIONS:
                problems.append(Problem(name, "-", str(key), f"unknown section, expected one of {sorted(_SECTIONS)}"))
        for key, model in _SECTIONS.items():
            items = data.get(key) or []
            if not isinstance(items, list):
                problems.append(Problem(name, "-", key, f"expected a list, got {type(items).__name__}"))
                continue
            for i, raw in enumerate(items):
                entry = str(raw.get("id")) if isinstance(raw, dict) and raw.get("id") else f"{key}[{i}]"
                if not isinstance(raw, dict):
                    problems.append(Problem(name, entry, "-", f"expected a mapping, got {type(raw).__name__}"))
                    continue
                try:
                    obj = model.model_validate(raw)
                except ValidationError as exc:
                    problems.extend(problems_from(exc, name, entry))
                    continue
                if isinstance(obj, SupportProgram):
                    for fpath, msg in (problem for check in checks for problem in check(obj)):
                        problems.append(Problem(name, entry, fpath, msg))
                entries[key].append((name, obj))
    problems.extend(_cross_checks(entries))
    if problems:
        raise CatalogError(problems)
    return Catalog(
        programs=tuple(o for _, o in entries["programs"]),
        municipalities=tuple(o for _, o in entries["municipalities"]),
        clusters=tuple(o for _, o in entries["clusters"]),
        origin=str(root),
    )


def _cross_checks(entries: dict[str, list[tuple[str, Any]]]) -> list[Problem]:
    problems = []
    for key, items in entries.items():
        seen: dict[str, str] = {}
        for name, obj in items:
            if obj.id in seen:
                problems.append(Problem(name, obj.id, "id", f"duplicate id, also defined in {seen[obj.id]}"))
            seen.setdefault(obj.id, name)
    clusters = {c.id for _, c in entries["clusters"]}
    for key in ("programs", "municipalities"):
        for name, obj in entries[key]:
            for i, cid in enumerate(obj.clusters):
                if cid not in clusters:
                    problems.append(Problem(name, obj.id, f"clusters[{i}]", f"unknown cluster id, got {cid!r}"))
    codes: dict[str, str] = {}
    for name, m in entries["municipalities"]:
        if m.code in codes:
            problems.append(Problem(name, m.id, "code", f"duplicate municipality code {m.code}, also profiled as {codes[m.code]}"))
        codes.setdefault(m.code, m.id)
    return problems
