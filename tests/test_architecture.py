"""The house rules, from the import graph: layers point one way, no import circles, small modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "mobsim"

LAYERS: tuple[tuple[str, ...], ...] = (
    ("mobsim.kernels", "mobsim.errors", "mobsim.codes"),
    ("mobsim.clock", "mobsim.distributions", "mobsim.random"),
    ("mobsim.scenario",),
    ("mobsim.district",),
    ("mobsim.model",),
    ("mobsim.results",),
    ("mobsim.runner", "mobsim.sweeps"),
    ("mobsim.studies",),
    ("mobsim.reports",),
    ("mobsim.cli",),
)
"""Each layer may import the layers before it and itself, never one after it: studies return
tables and text, and only reports (and the command line) make pages of them."""

MODULE_LINES_LIMIT = 400
TOP_LEVEL_LIMIT = 15


def _modules() -> dict[str, Path]:
    found = {}
    for path in [*PACKAGE.rglob("*.py"), *(ROOT / "kernels").rglob("*.py")]:
        relative = path.relative_to(ROOT).with_suffix("")
        parts = list(relative.parts)
        if parts[0] == "kernels":
            parts = ["mobsim", *parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path) -> set[str]:
    """The mobsim modules `name` imports when it is imported (not those imported in functions)."""
    tree = ast.parse(path.read_text("utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for child in ast.walk(node) if not isinstance(node, ast.FunctionDef | ast.ClassDef) else ():
            if isinstance(child, ast.Import):
                found |= {alias.name for alias in child.names}
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                # `from package import module` imports the module; anything else, the base
                found |= {f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES
                          else base for alias in child.names}
    return {module for module in found if module.startswith("mobsim")}


def _layer(module: str) -> int:
    for rank, layer in enumerate(LAYERS):
        if any(module == top or module.startswith(top + ".") for top in layer):
            return rank
    raise AssertionError(f"{module} belongs to no layer")


MODULES = _modules()
GRAPH = {name: {m for m in _imports(name, path) if m in MODULES and m != name}
         for name, path in MODULES.items()}


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m != "mobsim"))
def test_imports_point_down_the_layers(module: str) -> None:
    upward = [m for m in GRAPH[module] if m != "mobsim" and _layer(m) > _layer(module)]
    assert upward == [], f"{module} imports {upward} from a higher layer"


def test_studies_make_no_pages() -> None:
    """No study imports the reports layer (pages, plots), directly or through another module."""
    reached, todo = set(), [m for m in MODULES if m.startswith("mobsim.studies")]
    while todo:
        module = todo.pop()
        for imported in GRAPH[module] - reached:
            reached.add(imported)
            todo.append(imported)
    assert sorted(m for m in reached if m.startswith("mobsim.reports")) == []


def test_there_is_no_import_circle() -> None:
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        if module in path:
            raise AssertionError(" -> ".join([*path[path.index(module):], module]))
        if module in done:
            return
        for imported in GRAPH[module]:
            visit(imported, (*path, module))
        done.add(module)

    for module in sorted(GRAPH):
        visit(module, ())


def test_the_package_root_imports_nothing_eagerly() -> None:
    assert GRAPH["mobsim"] == set()


def test_modules_are_small_and_the_top_level_is_short() -> None:
    long = {name: n for name, path in MODULES.items()
            if (n := len(path.read_text("utf-8").splitlines())) > MODULE_LINES_LIMIT}
    assert long == {}
    top = [p.name for p in PACKAGE.iterdir() if p.name != "__pycache__"]
    assert len(top) <= TOP_LEVEL_LIMIT, sorted(top)
