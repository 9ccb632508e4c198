"""No import cycles in app/ and plugins/, and every module imports on its own.

The graph is read from the source with ``ast``: every ``import`` counts, those inside
functions too (a lazy import hides a cycle, it does not remove it); only imports under
``if TYPE_CHECKING:`` (annotations) are left out.  Two graphs are checked: modules, and
packages (a core domain, a plugin, or a top-level module of ``app/``).
"""

from __future__ import annotations

import ast
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOPS = ("app", "plugins")


def _modules() -> dict[str, Path]:
    found = {}
    for top in TOPS:
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _known(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str, path: Path) -> set[str]:
    """The app/plugins modules ``module`` imports (a name imported from a package counts as
    its submodule when there is one)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.add(_known(alias.name))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in MODULES else _known(base))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    found.discard(None)
    found.discard(module)
    return found


def _package(module: str) -> str:
    """``app.sales.services`` → ``app.sales``; ``app.security`` → itself; ``plugins.x.y`` → ``plugins.x``."""
    return ".".join(module.split(".")[:2])


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []
    counter = [0]

    def connect(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(graph):
        if node not in index:
            connect(node)
    return result


def _explain(cycle: list[str], graph: dict[str, set[str]]) -> str:
    members = set(cycle)
    return "; ".join(f"{a} -> {b}" for a in cycle for b in sorted(graph.get(a, ())) if b in members)


MODULE_GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}


# Module circles that landed while the check was written (they may only shrink).
KNOWN_MODULE_CYCLES: list[list[str]] = []


def test_no_module_import_cycle():
    cycles = _cycles(MODULE_GRAPH)
    new = [c for c in cycles if c not in KNOWN_MODULE_CYCLES]
    assert new == [], "\n".join(_explain(c, MODULE_GRAPH) for c in new)
    assert cycles == KNOWN_MODULE_CYCLES, "a known cycle is gone: take it off KNOWN_MODULE_CYCLES"


# Packages tied in a circle (module by module there is no cycle): none; a new one fails.
KNOWN_PACKAGE_CYCLES: list[list[str]] = []


def _package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, targets in MODULE_GRAPH.items():
        for target in targets:
            if _package(module) != _package(target):
                graph.setdefault(_package(module), set()).add(_package(target))
    return graph


def test_no_package_import_cycle_beyond_the_known_one():
    """Domains and plugins are layered (catalog below inventory, members below loyalty, the
    core below every plugin: the kernel ``app.platform`` below security, security below the
    admin pages); the known circles may only shrink."""
    graph = _package_graph()
    cycles = _cycles(graph)
    new = [c for c in cycles if not any(set(c) <= set(known) for known in KNOWN_PACKAGE_CYCLES)]
    assert new == [], "\n".join(_explain(c, graph) for c in new)
    assert cycles == KNOWN_PACKAGE_CYCLES, "a known cycle shrank: update KNOWN_PACKAGE_CYCLES"
    tied = {name for cycle in cycles for name in cycle}
    assert not any(name.startswith(("plugins.", "app.catalog")) for name in tied)


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for target in graph.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_the_kernel_sits_below_security_the_plugin_host_and_the_pages():
    """``app.platform`` (tables, settings store, audit, caches, the staff row) reaches none of
    the layers built on it: the security layer reads the staff row, the plugin host hands
    the settings store its definitions, the System pages live in ``app.system``."""
    above = {"app.admin", "app.api", "app.org", "app.plugins", "app.principal", "app.security",
             "app.system"}
    assert _reachable(_package_graph(), "app.platform") & above == set()


def _imported_at_top(path: Path) -> set[str]:
    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update(alias.asname or alias.name.split(".")[0] for alias in node.names)
    return names


def test_every_name_is_imported_from_its_home():
    """No re-exports: ``from app.x import name`` names a module that defines ``name`` (or a
    submodule of the package ``app.x``), never one that imports it from elsewhere."""
    passed_on = {module: _imported_at_top(path) for module, path in MODULES.items()}
    found = []
    for top in (*TOPS, "tests"):
        for path in sorted((ROOT / top).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and not node.level and node.module in MODULES:
                    found += [
                        f"{path.relative_to(ROOT)}:{node.lineno} {node.module}.{alias.name}"
                        for alias in node.names
                        if alias.name in passed_on[node.module]
                        and f"{node.module}.{alias.name}" not in MODULES
                    ]
    assert found == []


def test_the_check_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


IMPORTABLE = sorted(
    m for m in MODULES if ".migrations.versions." not in m and not m.endswith(".migrations.env")
)


# Runs in a fresh interpreter that has imported no module of app/ or plugins/: the third-party
# libraries are loaded once, then each module is imported first in a forked child of its own.
ISOLATED_IMPORTS = """
import importlib, os, sys, traceback
import flask, flask_appbuilder, flask_babel, pluggy, sqlalchemy, marshmallow, huey  # noqa: F401
assert not any(m.split('.')[0] in ('app', 'plugins') for m in sys.modules), 'not fresh'
failed = 0
for name in sys.argv[1:]:
    read, write = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(read)
        try:
            importlib.import_module(name)
            code = 0
        except BaseException:
            os.write(write, traceback.format_exc().strip().splitlines()[-1].encode())
            code = 1
        os._exit(code)
    os.close(write)
    message = os.read(read, 4096).decode()
    os.close(read)
    if os.waitpid(child, 0)[1] != 0:
        failed += 1
        print(f"{name}: {message}")
sys.exit(1 if failed else 0)
"""


def _run(code: str, *names: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SECRET_KEY": os.environ.get("SECRET_KEY", "t" * 64)}
    return subprocess.run([sys.executable, "-c", code, *names], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_every_module_imports_on_its_own():
    done = _run(ISOLATED_IMPORTS, *IMPORTABLE)
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]


def test_every_module_imports_in_any_order():
    shuffled = IMPORTABLE[:]
    random.Random(13).shuffle(shuffled)
    for order in (shuffled, shuffled[::-1]):
        done = _run("import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n",
                    *order)
        assert done.returncode == 0, done.stderr[-2000:]
