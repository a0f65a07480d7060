"""The house keeps its shape: arrows point down, no cycles, one importer per third-party library, small
modules and functions, mypy clean. The layers are the ones ARCHITECTURE.md describes."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "outillerie"
ROOT = PACKAGE.parent

# Higher layers may import lower ones, never the reverse; one layer's packages do not import each other.
LAYERS = {
    "cli": 4,
    "search": 3, "publish": 3, "counter": 3,
    "sheets": 2,
    "french": 1,
    "errors": 0, "__init__": 0,
}
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
STANDARD = set(sys.stdlib_module_names) | {"__future__"}


def _modules() -> dict[str, Path]:
    return {".".join(path.relative_to(ROOT).with_suffix("").parts): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path) -> list[str]:
    """Every module this one imports (absolute names), wherever the import statement stands."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
                found.extend([target] if node.module else [f"{base}.{alias.name}" for alias in node.names])
            else:
                found.append(node.module or "")
    return found


def _room(module: str) -> str:
    """The sub-package (or top module) of one of our modules: outillerie.search.index -> search."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        graph[name] = set()
        for target in _imports(name, path):
            while target and target not in modules and target.startswith("outillerie"):
                target = target.rsplit(".", 1)[0] if "." in target else ""
            if target in modules and target != name:
                graph[name].add(target)
    return graph


def test_every_room_is_a_known_layer() -> None:
    assert {_room(name) for name in _modules()} <= set(LAYERS)


def test_arrows_point_down_and_nothing_imports_the_cli() -> None:
    wrong = []
    for source, targets in _graph().items():
        for target in targets:
            low, high = LAYERS[_room(target)], LAYERS[_room(source)]
            same_room = _room(source) == _room(target)
            if target.startswith("outillerie.cli") and not source.startswith("outillerie.cli"):
                wrong.append(f"{source} -> {target} (nothing imports the CLI)")
            elif not same_room and low >= high and target != "outillerie":
                wrong.append(f"{source} -> {target} ({_room(source)} may not import {_room(target)})")
    print("\n".join(f"{s} -> {', '.join(sorted(t))}" for s, t in sorted(_graph().items()) if t))
    assert wrong == []


def test_there_is_no_import_cycle() -> None:
    graph = _graph()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append(path[path.index(target):] + [target] if target in path else [node, target])
            elif target not in state:
                visit(target, path + [target])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_each_third_party_library_is_imported_by_one_module() -> None:
    importers: dict[str, set[str]] = defaultdict(set)
    for name, path in _modules().items():
        for target in _imports(name, path):
            top = target.split(".")[0]
            if top and top != "outillerie" and top not in STANDARD:
                importers[top].add(name)
    shared = {library: sorted(names) for library, names in importers.items() if len(names) > 1
              and library != "click"}  # click: the cli package, and only it, as the next test says
    assert shared == {}
    assert all(name.startswith("outillerie.cli") for name in importers.get("click", ()))


@pytest.mark.parametrize("name", sorted(_modules()))
def test_modules_and_functions_stay_small(name: str) -> None:
    path = _modules()[name]
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_MODULE_LINES, f"{path} has more than {MAX_MODULE_LINES} lines"
    long = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines)" for node in ast.walk(ast.parse(text))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert long == []


def test_every_package_says_what_it_owns_and_may_import() -> None:
    for init in PACKAGE.rglob("__init__.py"):
        if init.parent == PACKAGE:
            continue
        docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert "import" in docstring and len(docstring) > 80, init


def test_mypy_is_clean() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(ROOT / "setup.cfg"), str(PACKAGE)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
