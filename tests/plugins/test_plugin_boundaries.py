"""The house rule of ARCHITECTURE.md, checked on the source: the core never imports a plugin,
and a built-in plugin imports only the core and the plugins it declares in DEPENDS."""

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILT_IN = sorted(p.name for p in (ROOT / "plugins").iterdir() if (p / "__init__.py").exists())


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_there_are_built_in_plugins():
    assert {"coupons", "meituan_voucher", "member_privacy"} <= set(BUILT_IN)


def test_the_core_never_imports_a_plugin():
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in (ROOT / "app").rglob("*.py")
        for name in _imported_modules(path)
        if name == "plugins" or name.startswith("plugins.")
    ]
    assert offenders == []


@pytest.mark.parametrize("name", BUILT_IN)
def test_a_plugin_imports_only_the_core_and_its_dependencies(name):
    allowed = {name, *importlib.import_module(f"plugins.{name}").DEPENDS}
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in (ROOT / "plugins" / name).rglob("*.py")
        for module in _imported_modules(path)
        if module.startswith("plugins.") and module.split(".")[1] not in allowed
    ]
    assert offenders == []
