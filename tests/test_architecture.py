"""The architecture as a test: the layers, no import circle, no reach into private names, small modules.

Walks the imports of every module of ``profiles``, ``rules`` and ``matcher`` with
:mod:`ast` (imports under ``if TYPE_CHECKING:`` are for type checkers only and are
left out). The layers: ``profiles`` imports nothing else of the project, ``rules``
imports ``profiles`` only, ``matcher`` both.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGES = ("profiles", "rules", "matcher")
ALLOWED = {"profiles": {"profiles"}, "rules": {"profiles", "rules"}, "matcher": {"profiles", "rules", "matcher"}}
MAX_LINES = 600


def _modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = path
    return out


MODULES = _modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(name: str, path: Path) -> list[tuple[str, list[str]]]:
    """``(module imported, names imported from it)`` of one module, outside ``if TYPE_CHECKING:``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: list[tuple[str, list[str]]] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                out.extend((alias.name, []) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                names = [alias.name for alias in child.names]
                out.append((base, names))
                for n in names:  # `from matcher.service.routers import admin` imports a module
                    if f"{base}.{n}" in MODULES:
                        out.append((f"{base}.{n}", []))
            visit(child)

    visit(tree)
    return out


def _ours(module: str) -> str | None:
    """The project's module that ``module`` names (a package's ``__init__`` for a package), or None."""
    if module.split(".")[0] not in PACKAGES:
        return None
    while module and module not in MODULES:
        module = module.rpartition(".")[0]
    return module or None


GRAPH = {name: [(_ours(m), names) for m, names in _imports(name, path) if _ours(m)] for name, path in MODULES.items()}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_each_package_imports_only_the_layers_below_it(name):
    top = name.split(".")[0]
    bad = sorted({m for m, _ in GRAPH[name] if m.split(".")[0] not in ALLOWED[top]})
    assert not bad, f"{name} (layer {top}) imports {bad}"


def test_there_is_no_import_circle_between_modules():
    edges = {name: {m for m, _ in GRAPH[name] if m != name} for name in MODULES}
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def walk(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                walk(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            walk(node)
    assert not cycles, "import circles: " + "; ".join(" -> ".join(c) for c in cycles)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_imports_another_modules_private_names(name):
    private = sorted({f"{m}.{n}" for m, names in GRAPH[name] for n in names
                      if n.startswith("_") and not n.startswith("__") and m != name})
    assert not private, f"{name} imports private names {private}: promote them to a small public API"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_is_over_600_lines(name):
    lines = MODULES[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{name} has {lines} lines (at most {MAX_LINES}): split it along its concepts"


def test_the_checks_see_the_whole_tree():
    assert {"profiles.models", "rules.jsonlogic.standard", "matcher.engine", "matcher.batch.chunk",
            "matcher.service.routers.ranking"} <= set(MODULES)
    assert ("rules.conditions", ["Condition"]) in GRAPH["rules.pairs"]
