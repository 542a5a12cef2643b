"""The shape of the import graph: imports run one way.

Read from the source with ``ast``, as a newcomer reads it: an import inside a function ties two
modules as much as one at the top of a file; only imports under ``if TYPE_CHECKING:`` (for the type
checker alone) are left out. Tests and migrations are not part of the graph. The layers, bottom up:
the pure matching engine; the shared helpers and reference data; the apps; the coordinators'
console and the demo data, which no app imports.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "alongside"

LAYERS = (
    ("lib",),
    ("audit",),
    ("matching",),
    ("directory", "library", "service"),
    ("notifications", "accounts"),
    ("supporters",),
    ("connections", "roster"),
    ("meetings", "conversations", "calls"),
    ("talknow", "phoneline", "groups"),
    ("safety",),
    ("homes", "console", "demo"),
)
"""Bottom up: an app imports only from its own layer or the layers below (within a layer, one way: no cycle)."""
PURE_ENGINE = {"alongside.matching.engine", "alongside.matching.solver", "alongside.matching.instance"}
"""The matching engine, its solver and instance reader: no Django, no other part of Alongside."""
MATCHING_MAY_IMPORT = {"matching", "lib", "audit"}
"""The matching app sits at the bottom, under every app that matches people."""
TOP = {"homes", "console", "demo"}
"""Each role's home, the coordinators' screens and the demo data: built on the apps, imported by none of them."""


@dataclass(frozen=True)
class Import:
    source: str  # the importing module, e.g. "alongside.connections.views"
    target: str  # the imported module, e.g. "alongside.connections.services"
    path: str
    line: int
    local: bool  # inside a function
    commented: bool  # a comment on the import's line or the line above says why


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(name: str) -> bool:
    base = PACKAGE.parent.joinpath(*name.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    for alias in node.names:  # `from alongside.connections import glue` imports the module glue
        candidate = f"{base}.{alias.name}"
        yield candidate if _is_module(candidate) else base


def _source_files() -> Iterator[Path]:
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).parts
        if "tests" in rel or "migrations" in rel or path.name.startswith("test_"):
            continue
        yield path


@cache
def imports() -> tuple[Import, ...]:
    found = []
    for path in _source_files():
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        tree = ast.parse(text)
        skip: set[int] = set()
        local: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.dump(node.test):
                skip.update(id(n) for part in node.body for n in ast.walk(part))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                local.update(id(n) for n in ast.walk(node) if n is not node)
        module = _module_name(path)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom) or id(node) in skip:
                continue
            here, above = lines[node.lineno - 1], lines[node.lineno - 2] if node.lineno > 1 else ""
            commented = "#" in here or above.strip().startswith("#")
            rel = str(path.relative_to(PACKAGE.parent))
            for target in _targets(node, module, path.name == "__init__.py"):
                found.append(Import(module, target, rel, node.lineno, id(node) in local, commented))
    return tuple(found)


def ours() -> Iterator[Import]:
    """Imports of Alongside's own modules."""
    return (imp for imp in imports() if imp.target == "alongside" or imp.target.startswith("alongside."))


def app_of(module: str) -> str | None:
    """The top-level package under ``alongside`` (an app, or lib); None for project modules such as urls."""
    parts = module.split(".")
    if parts[0] != "alongside":
        return None
    return parts[1] if len(parts) > 2 or _is_package(module) else None


def _is_package(module: str) -> bool:
    return (PACKAGE.parent.joinpath(*module.split(".")) / "__init__.py").exists() and module != "alongside"


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def app_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for imp in ours():
        source, target = app_of(imp.source), app_of(imp.target)
        if source and target and source != target:
            graph.setdefault(source, set()).add(target)
    return graph


def module_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for imp in ours():
        if imp.source != imp.target:
            graph.setdefault(imp.source, set()).add(imp.target)
    return graph


def _app_ties(apps: list[str]) -> str:
    return "\n".join(
        f"{imp.path}:{imp.line} imports {imp.target}"
        for imp in ours()
        if app_of(imp.source) in apps and app_of(imp.target) in apps and app_of(imp.source) != app_of(imp.target)
    )


def _module_ties(modules: list[str]) -> str:
    return "\n".join(
        f"{imp.path}:{imp.line} imports {imp.target}" for imp in ours() if {imp.source, imp.target} <= set(modules)
    )


def test_the_cycle_finder_finds_a_loop_and_nothing_else():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set(), "c": {"b"}}) == []


def test_the_graph_sees_function_local_and_relative_imports_but_not_type_checking_ones():
    found = {(imp.source, imp.target): imp for imp in ours()}
    assert found[("alongside.cli", "alongside.matching.cli")].local
    assert ("alongside.audit.access", "alongside.accounts.models") not in found  # under TYPE_CHECKING
    assert ("alongside.connections.views", "alongside.connections.services") in found


def test_no_two_apps_import_each_other_even_through_others():
    found = cycles(app_graph())
    assert not found, "app-level import cycles:\n" + "\n\n".join(_app_ties(c) for c in found)


def test_no_two_files_import_each_other():
    found = cycles(module_graph())
    assert not found, "file circles:\n" + "\n\n".join(_module_ties(c) for c in found)


def test_every_app_imports_only_its_own_layer_or_those_below():
    layer = {app: n for n, apps in enumerate(LAYERS) for app in apps}
    apps = {path.name for path in PACKAGE.iterdir() if (path / "__init__.py").exists()}
    assert apps == set(layer), "every app has a layer"
    upward = [
        f"{imp.path}:{imp.line} imports {imp.target}"
        for imp in ours()
        if (source := app_of(imp.source)) and (target := app_of(imp.target)) and layer[target] > layer[source]
    ]
    assert not upward, "imports that run back up:\n" + "\n".join(upward)


def test_the_matching_engine_is_pure_and_the_matching_app_sits_at_the_bottom():
    for imp in imports():
        if imp.source in PURE_ENGINE and imp.target.split(".")[0] in ("alongside", "django"):
            assert imp.target in PURE_ENGINE, f"{imp.path}:{imp.line} imports {imp.target}"
        if app_of(imp.source) == "matching" and imp.target.startswith("alongside."):
            assert app_of(imp.target) in MATCHING_MAY_IMPORT, f"{imp.path}:{imp.line} imports {imp.target}"


@pytest.mark.parametrize("top", sorted(TOP))
def test_no_app_imports_the_console_or_the_demo_data(top):
    offenders = [
        f"{imp.path}:{imp.line}"
        for imp in ours()
        if app_of(imp.target) == top and app_of(imp.source) not in (top, None)
    ]
    assert not offenders


def test_a_function_local_import_says_why():
    bare = [f"{imp.path}:{imp.line} imports {imp.target}" for imp in imports() if imp.local and not imp.commented]
    assert not bare, "function-local imports without a comment saying why:\n" + "\n".join(bare)
